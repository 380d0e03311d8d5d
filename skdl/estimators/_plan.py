"""The fit plan: every routed option of an estimator resolved once, at the start of fit.

:func:`make_plan` reads the estimator's parameters (declared and routed) and
returns a frozen :class:`FitPlan`: the builder and its parameters, the
optimizer with its options and learning rate, the loss and its options,
compile options, metrics, ``fit__`` options, the epoch schedule and this fit's
callback objects. Every routed name is validated there, with a "did you mean"
hint; nothing later reads the estimator's raw parameters again. The plan also
builds and compiles the model and derives the network pool's key.
"""

from __future__ import annotations

import copy
import inspect
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any

from skdl.estimators._routing import check_routed_names, route_params
from skdl.exceptions import SkdlWarning
from skdl.training import runtime
from skdl.training.callbacks import callback_name
from skdl.training.optimizers import OPTIMIZER_NAMES
from skdl.training.schedules import get_schedule, is_keras_lr_schedule
from skdl.utils import did_you_mean

__all__ = ["FitPlan", "call_builder", "make_plan", "resolve_callbacks"]

_META_NOT_IN_KEY = ("X_shape_", "X_dtype_", "feature_names_in_")


@dataclass(frozen=True)
class FitPlan:
    """What one fit builds, compiles and runs, resolved from the estimator's parameters.

    Attributes
    ----------
    owner : str
        The estimator's class name (for messages).
    builder : callable or keras.Model
    builder_params : dict
        Keyword arguments for the builder.
    optimizer : str, class or instance
    optimizer_options : dict
        ``optimizer__`` options, without the learning rate.
    learning_rate : float, keras LearningRateSchedule or None
        The one learning rate of the fit (None keeps the optimizer's default).
    default_learning_rate : float or None
        With no rate given, the optimizer's own default: set at the start of a
        fit on a model the estimator compiled, because a pooled network still
        holds its previous fit's rate (a builder's own compiled optimizer
        keeps its rate).
    loss : str or callable
        Resolved for the target.
    loss_options, compile_options, fit_options : dict
        ``loss__``, ``compile__`` and ``fit__`` options (``fit_options`` are
        passed to ``model.fit`` and need the Keras engine).
    metrics : tuple
    shuffle : bool
    schedule : EpochSchedule or None
        A fresh epoch-level schedule for this fit.
    callbacks : tuple
        Fresh callback objects for this fit (classes built with their routed options).
    """

    owner: str
    builder: Any
    builder_params: dict
    optimizer: Any
    optimizer_options: dict
    learning_rate: Any
    loss: Any
    loss_options: dict
    compile_options: dict
    metrics: tuple
    fit_options: dict
    shuffle: bool
    schedule: Any = None
    callbacks: tuple = ()
    predict_options: dict = field(default_factory=dict)
    loss_given: bool = False
    default_learning_rate: float | None = None

    # ------------------------------------------------------------- building
    def make_optimizer(self):
        """A fresh Keras optimizer with this plan's options and learning rate."""
        from skdl.training.optimizers import make_optimizer

        lr = float(self.learning_rate) if isinstance(self.learning_rate, numbers.Real) else self.learning_rate
        return make_optimizer(self.optimizer, lr, **self.optimizer_options)

    def make_loss(self):
        """The loss for ``compile``: a name, or a Keras loss object built with ``loss__`` options."""
        keras = runtime.get_keras()
        loss = self.loss
        if isinstance(loss, str):
            try:
                known = keras.losses.get(loss)
            except (ValueError, TypeError):
                known = None
            if known is None:
                raise ValueError(
                    f"The 'loss' parameter of {self.owner} must be a Keras loss name or a "
                    f"loss callable. Got {loss!r} instead."
                )
            return _loss_class(keras, loss)(**self.loss_options) if self.loss_options else loss
        if self.loss_options:
            raise ValueError("loss__ options need the loss to be given by name.")
        return loss

    def start_rate(self, model):
        """The rate to set at the start of a fit on ``model``, or None to keep its own."""
        lr = self.learning_rate
        if isinstance(lr, numbers.Real):
            return float(lr)
        if lr is None and not getattr(model, "_skdl_compiled_by_builder", False):
            return self.default_learning_rate
        return None

    def compile_kwargs(self):
        """What a builder that compiles the model itself receives as ``compile_kwargs``."""
        return {"optimizer": self.make_optimizer(), "loss": self.make_loss(), "metrics": list(self.metrics)}

    def build_model(self, meta, call_builder, check_output):
        """Build the model and compile it unless the builder compiled it itself.

        Parameters
        ----------
        meta : dict
        call_builder : callable
            ``call_builder(builder, meta, params) -> keras.Model`` (the estimator's hook).
        check_output : callable
            ``check_output(model)``, the target's check of the output layer.
        """
        keras = runtime.get_keras()
        builder = self.builder
        if isinstance(builder, keras.Model):
            model = keras.models.clone_model(builder)
        else:
            model = call_builder(builder, meta, self.builder_params)
        if not isinstance(model, keras.Model):
            raise TypeError(f"The model builder must return a keras.Model; it returned {type(model).__name__}.")
        check_output(model)
        user_compiled = getattr(model, "compiled", False) and not self.loss_given and not isinstance(builder, keras.Model)
        model._skdl_compiled_by_builder = bool(user_compiled)
        if not user_compiled:
            model.compile(optimizer=self.make_optimizer(), loss=self.make_loss(),
                          weighted_metrics=list(self.metrics) or None, **self.compile_options)
        return model

    # ------------------------------------------------------------- the pool
    def pool_key(self, meta, estimator_type, meta_keys=None):
        """What shapes the graph, hashable, or None when the network must not be shared.

        The learning rate is not in it: it lives in the optimizer's variable and
        is set at the start of every fit.
        """
        from skdl.training.optimizers import optimizer_signature
        from skdl.training import freeze

        keras = runtime.get_keras()
        opt_sig = optimizer_signature(self.optimizer, self.optimizer_options)
        if opt_sig is None or is_keras_lr_schedule(self.learning_rate):
            return None
        shape_meta = {k: v for k, v in meta.items() if k not in _META_NOT_IN_KEY}
        shape_meta["X_row_shape_"] = tuple(meta["X_shape_"][1:])
        if meta_keys is not None:
            # skdl's own builders only read these; label values never shape their graph
            shape_meta = {k: shape_meta[k] for k in meta_keys if k in shape_meta}
        builder = self.builder
        if inspect.ismethod(builder):
            # a subclass's _keras_build_fn reads the estimator's parameters (self.hidden): key on
            # them, and never on the estimator itself (the pool would keep it alive)
            est = builder.__self__
            builder = (type(est), builder.__func__, est.get_params(deep=False))
        try:
            return freeze((
                estimator_type.__qualname__, builder, self.builder_params, shape_meta, self.loss,
                self.loss_options, list(self.metrics), opt_sig, self.compile_options,
                keras.backend.backend(), keras.backend.floatx(),
            ))
        except TypeError:
            return None


def make_plan(estimator, *, loss, default_metrics, fit_params) -> FitPlan:
    """Resolve ``estimator``'s parameters into a :class:`FitPlan` (validating every routed name).

    Parameters
    ----------
    estimator : BaseKerasEstimator
    loss : str or callable
        The loss resolved for the target.
    default_metrics : tuple
        Metrics when the estimator's ``metrics`` is None.
    fit_params : dict
        ``fit__`` options given to ``fit`` itself (override the stored ones).
    """
    name = type(estimator).__name__
    strict = getattr(estimator, "_unknown_routed_names", "error") == "error"
    if isinstance(estimator.optimizer, str) and estimator.optimizer.lower() not in OPTIMIZER_NAMES:
        raise ValueError(
            f"The 'optimizer' parameter of {name} must be one of {sorted(OPTIMIZER_NAMES)} (any case), "
            f"a keras Optimizer class or instance. Got {estimator.optimizer!r} instead."
            f"{did_you_mean(estimator.optimizer.lower(), OPTIMIZER_NAMES)}"
        )
    extra = estimator._all_extra_params()
    extra = _checked_names(extra, strict, estimator_name=name, declared=estimator._get_param_names(),
                           allow_bare=estimator._bare_param_names(), routes=estimator._routes)
    optimizer_options = route_params(extra, "optimizer")
    learning_rate = optimizer_options.pop("learning_rate", estimator.learning_rate)
    schedule = None
    if estimator.lr_schedule is not None:
        if is_keras_lr_schedule(estimator.lr_schedule):
            # One rule for the learning rate: a Keras (per-step) schedule is the optimizer's rate.
            if is_keras_lr_schedule(learning_rate):
                raise ValueError(
                    f"{name} got a Keras LearningRateSchedule both as lr_schedule and as the "
                    "learning rate; give it once (lr_schedule=... or learning_rate=...)."
                )
            learning_rate = estimator.lr_schedule
        else:
            schedule = get_schedule(estimator.lr_schedule, **route_params(extra, "lr_schedule"))
            if is_keras_lr_schedule(learning_rate):
                raise ValueError(
                    f"{name} got a Keras LearningRateSchedule as its learning rate and the epoch "
                    f"schedule lr_schedule={estimator.lr_schedule!r}; they would both set the rate. "
                    "Use one of them."
                )

    fit_options = {**route_params(extra, "fit"), **fit_params}
    shuffle = fit_options.pop("shuffle", True)
    metrics = estimator._metrics_to_compile(tuple(default_metrics if estimator.metrics is None else estimator.metrics))
    plan = FitPlan(
        owner=name,
        builder=estimator._get_builder(),
        builder_params=estimator._builder_params(),
        optimizer=estimator.optimizer,
        optimizer_options=optimizer_options,
        learning_rate=learning_rate,
        loss=loss,
        loss_options=route_params(extra, "loss"),
        compile_options=route_params(extra, "compile"),
        metrics=metrics,
        fit_options=fit_options,
        shuffle=shuffle,
        schedule=schedule,
        callbacks=tuple(resolve_callbacks(estimator.callbacks, route_params(extra, "callbacks"), owner=name,
                                          strict=strict)),
        predict_options=route_params(extra, "predict"),
        loss_given=estimator.loss is not None,
        default_learning_rate=_default_learning_rate(estimator.optimizer) if learning_rate is None else None,
    )
    return plan


def _checked_names(extra: dict, strict: bool, **kwargs) -> dict:
    """``extra`` after the routed-name check: an error, or (``strict=False``) a warning per
    name no route takes, which is then left out (scikeras ignores such names)."""
    if strict:
        check_routed_names(extra, **kwargs)
        return extra
    kept = {}
    for key, value in extra.items():
        try:
            check_routed_names([key], **kwargs)
        except ValueError as exc:
            warnings.warn(f"{exc} It is ignored.", SkdlWarning, stacklevel=5)
            continue
        kept[key] = value
    return kept


def resolve_callbacks(callbacks, options: dict, *, owner: str = "The estimator", strict: bool = True) -> list:
    """Fresh callback objects for one fit, with ``callbacks__`` options routed to them.

    Parameters
    ----------
    callbacks : list, tuple or None
        Callback instances (deep-copied, so fits never share state) and
        classes (built with their options).
    options : dict
        ``callbacks__`` options, prefix removed. ``<name>__<param>`` goes to
        the callback of that name (its class name in snake_case, e.g.
        ``early_stopping__patience``) or position (``0__patience``); a bare
        ``<param>`` goes to every callback class whose constructor takes it.

    Raises
    ------
    ValueError
        An option that no callback takes, a name that matches no callback, or
        options for a callback given as an instance.
    """
    entries = list(callbacks or ())
    names = [callback_name(cb) for cb in entries]
    per_entry: list[dict] = [{} for _ in entries]
    for key, value in options.items():
        if not strict:
            try:
                resolve_callbacks(callbacks, {key: value}, owner=owner)
            except ValueError as exc:
                warnings.warn(f"{exc} It is ignored.", SkdlWarning, stacklevel=5)
                continue
        head, sep, param = key.partition("__")
        if sep:
            targets = [i for i, n in enumerate(names) if n == head or str(i) == head]
            if not targets:
                raise ValueError(
                    f"The option 'callbacks__{key}' of {owner} names the callback {head!r}, but "
                    f"the callbacks are {names or 'none'} (by name or position)."
                    f"{did_you_mean(head, names)}"
                )
            for i in targets:
                per_entry[i][param] = value
            continue
        takers = [i for i, cb in enumerate(entries) if isinstance(cb, type) and _accepts(cb, key)]
        if not takers:
            accepted = sorted({p for cb in entries if isinstance(cb, type) for p in _params_of(cb)})
            raise ValueError(
                f"The option 'callbacks__{key}' of {owner} is taken by none of the callback classes "
                f"{[n for n, cb in zip(names, entries) if isinstance(cb, type)] or 'given'}; they take "
                f"{accepted}.{did_you_mean(key, accepted)}"
            )
        for i in takers:
            per_entry[i][key] = value
    out = []
    for cb, opts, cb_name in zip(entries, per_entry, names):
        if isinstance(cb, type):
            out.append(cb(**opts))
        elif opts:
            raise ValueError(
                f"The options {sorted(opts)} of {owner} are routed to the callback {cb_name!r}, which "
                "is given as an instance; pass its class instead, or set them on the instance."
            )
        else:
            out.append(copy.deepcopy(cb))
    return out


def _default_learning_rate(optimizer):
    """The optimizer's own default rate, so "no rate given" means it on a pooled network too.

    A pooled network's rate variable holds the rate its previous fit set; with
    no rate to set, the next fit would train at it. None for an optimizer
    instance (it keeps its own configured rate; such fits are never pooled).
    """
    if hasattr(optimizer, "apply_gradients"):
        return None
    from skdl.training.optimizers import optimizer_class

    default = inspect.signature(optimizer_class(optimizer).__init__).parameters.get("learning_rate")
    value = None if default is None else default.default
    return float(value) if isinstance(value, numbers.Real) else None


def call_builder(builder, meta, params, *, plan, get_params):
    """Call a model builder with its parameters and what its signature asks for.

    ``meta`` goes to a builder that takes it (or ``**kwargs``),
    ``compile_kwargs`` (the plan's optimizer, loss and metrics) and ``params``
    (the estimator's ``get_params()``) to one that names them, as in scikeras.
    """
    sig = inspect.signature(builder)
    kwargs = dict(params)
    accepts_var = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    if "meta" in sig.parameters or accepts_var:
        kwargs["meta"] = meta
    if "compile_kwargs" in sig.parameters:
        kwargs["compile_kwargs"] = plan.compile_kwargs()
    if "params" in sig.parameters:
        kwargs["params"] = get_params()
    if not accepts_var:
        unknown = sorted(set(kwargs) - set(sig.parameters))
        if unknown:
            raise ValueError(
                f"The model builder {getattr(builder, '__name__', builder)!r} does not accept "
                f"the parameter(s) {unknown}; it accepts {sorted(sig.parameters)}."
            )
    return builder(**kwargs)


def _params_of(cls):
    try:
        return [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "args", "kwargs")]
    except (TypeError, ValueError):
        return []


def _accepts(cls, param):
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return False
    return param in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def _loss_class(keras, name):
    """The Keras loss class for a loss name, to pass ``loss__`` options."""
    aliases = {
        "mse": "MeanSquaredError",
        "mae": "MeanAbsoluteError",
        "mape": "MeanAbsolutePercentageError",
        "msle": "MeanSquaredLogarithmicError",
        "huber": "Huber",
        "log_cosh": "LogCosh",
        "logcosh": "LogCosh",
    }
    if name in aliases:
        return getattr(keras.losses, aliases[name])
    camel = "".join(part.capitalize() for part in name.split("_"))
    for cand in (camel, camel.replace("crossentropy", "Crossentropy")):
        if hasattr(keras.losses, cand):
            return getattr(keras.losses, cand)
    raise ValueError(f"loss__ options need a Keras loss class for {name!r}; none found.")

