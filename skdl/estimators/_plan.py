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
    loss : str, callable, class, list or dict
        Resolved for the target (see :data:`LOSS_FORMS`).
    loss_options, compile_options, fit_options : dict
        ``loss__``, ``compile__`` and ``fit__`` options (``fit_options`` are
        passed to ``model.fit`` and need the Keras engine).
    metrics : list or dict
        As given (see :data:`METRIC_FORMS`), one metric as a list; built by
        :meth:`make_metrics` with ``metrics_options``.
    shuffle : bool
    schedule : EpochSchedule or None
        A fresh epoch-level schedule for this fit.
    callbacks : tuple
        This fit's callback objects (classes built with their routed options),
        called in fit and, for Keras callbacks, in predict too.
    predict_options : dict
        ``predict__`` options for ``model.predict`` (without callbacks).
    batch_size : int or None
        Rows per training batch as given (``fit__batch_size`` or
        ``fit(batch_size=...)`` over the parameter); None is Keras' 32, -1 all rows.
    epochs : int, "auto" or None
        ``fit__epochs`` / ``fit(epochs=...)``; None means the ``epochs`` parameter.
    validation_split : float
        Share of the rows, the last ones as in Keras, held out for validation.
    validation_batch_size : int or None
        Rows per validation batch (None: ``batch_size``).
    verbose : int or bool
    run_eagerly : bool
        Compile with ``run_eagerly=True`` and train through ``model.fit``.
    fit_callbacks, predict_callbacks : tuple
        ``fit__callbacks`` (fit only) and ``predict__callbacks`` (predict only).
    network_values : callable or None
        ``fn(model, seed)``, run after the network is taken or built: gives a
        search's shared graph this fit's widths, dropout and L2
        (:mod:`skdl.architectures._shared`).
    metrics_options : dict
        ``metrics__`` options.
    scikeras_model : bool
        The model follows scikeras (KerasClassifier/KerasRegressor): a model the
        builder or the user compiled is never recompiled (a different ``loss=``
        is a ValueError), a ``keras.Model`` given as ``model`` is used as it is,
        weights and optimizer included, and a builder taking ``**kwargs`` gets
        ``meta``, ``compile_kwargs`` and ``params``. False (skdl's own
        estimators): ``loss=`` recompiles, a given model is cloned.
    learning_rate_param : float, keras LearningRateSchedule or None
        The ``learning_rate`` parameter itself (``learning_rate`` may come from
        ``optimizer__learning_rate``); see :meth:`start_rate`.
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
    metrics: Any
    fit_options: dict
    shuffle: bool
    schedule: Any = None
    callbacks: tuple = ()
    predict_options: dict = field(default_factory=dict)
    loss_given: bool = False
    metrics_options: dict = field(default_factory=dict)
    default_learning_rate: float | None = None
    batch_size: Any = None
    epochs: int | str | None = None
    validation_split: float = 0.0
    validation_batch_size: Any = None
    verbose: Any = 0
    run_eagerly: bool = False
    fit_callbacks: tuple = ()
    predict_callbacks: tuple = ()
    network_values: Any = None
    scikeras_model: bool = False
    learning_rate_param: Any = None

    # ------------------------------------------------------------- building
    def make_optimizer(self):
        """A fresh Keras optimizer with this plan's options and learning rate."""
        from skdl.training.optimizers import make_optimizer

        lr = float(self.learning_rate) if isinstance(self.learning_rate, numbers.Real) else self.learning_rate
        return make_optimizer(self.optimizer, lr, **self.optimizer_options)

    def make_loss(self):
        """The loss for ``compile``: as given, with classes (and names given options) built with
        their ``loss__`` options; a list or dict per output keeps its form."""
        keras = runtime.get_keras()
        map_names(self.loss, lambda name: self._check_loss_name(keras, name))
        return compile_items(self.loss, self.loss_options, owner=self.owner, param="loss",
                             named_class=lambda name: _loss_class(keras, name), forms=LOSS_FORMS)

    def _check_loss_name(self, keras, name):
        try:
            known = keras.losses.get(name)
        except (ValueError, TypeError):
            known = None
        if known is None:
            raise ValueError(
                f"The 'loss' parameter of {self.owner} must be {LOSS_FORMS}. Got the name {name!r}, "
                "which is not a Keras loss."
            )
        return name

    def make_metrics(self):
        """The metrics for ``compile``: a list (or dict per output) with classes (and names given
        options) built with their ``metrics__`` options, fresh for every compile."""
        keras = runtime.get_keras()
        return compile_items(self.metrics, self.metrics_options, owner=self.owner, param="metrics",
                             named_class=lambda name: _metric_class(keras, name), forms=METRIC_FORMS)

    def start_rate(self, model):
        """The rate to set at the start of a fit on ``model``, or None to keep its own.

        A model compiled with an optimizer of its own (not ``compile_kwargs``'),
        in KerasClassifier/KerasRegressor, takes only the ``learning_rate``
        parameter: ``optimizer__learning_rate`` configures the optimizer the
        estimator would build, which that model does not use (as in scikeras).
        """
        lr = self.learning_rate
        if getattr(model, "_skdl_own_optimizer", False):
            lr = self.learning_rate_param if isinstance(self.learning_rate_param, numbers.Real) else None
            return None if lr is None else float(lr)
        if isinstance(lr, numbers.Real):
            return float(lr)
        if lr is None and not getattr(model, "_skdl_compiled_by_builder", False):
            return self.default_learning_rate
        return None

    def compile_kwargs(self):
        """What a builder that compiles the model itself receives as ``compile_kwargs``.

        As scikeras' ``_get_compile_kwargs``: Keras objects ready for
        ``model.compile(**compile_kwargs)``, an optimizer instance, the loss
        and the metrics with names turned into Keras' functions or objects
        (``"binary_crossentropy"`` -> ``keras.losses.binary_crossentropy``;
        ``"accuracy"`` and the other names Keras resolves from the loss stay
        names), ``run_eagerly`` and the ``compile__`` options.
        """
        keras = runtime.get_keras()

        def metric(name):
            if name in KERAS_RESOLVED_METRICS:
                return name
            obj = keras.metrics.get(name)
            return obj() if isinstance(obj, type) else obj

        return {
            "optimizer": self.make_optimizer(),
            "loss": map_names(self.make_loss(), keras.losses.get),
            "metrics": map_names(self.make_metrics(), metric),
            "run_eagerly": self.run_eagerly,
            **self.compile_options,
        }

    def build_model(self, meta, call_builder, check_output):
        """Build the model and compile it unless the builder (or the user) compiled it.

        Parameters
        ----------
        meta : dict
        call_builder : callable
            ``call_builder(builder, meta, params) -> keras.Model`` (the estimator's hook).
        check_output : callable
            ``check_output(model, user_compiled=False)``, the target's check of
            the output layer (``user_compiled``: only what any loss needs).

        Notes
        -----
        With :attr:`scikeras_model`, a model that holds weights of its own (a
        given ``keras.Model``, one the builder returned before, or one that
        looks trained or loaded, see :func:`holds_own_weights`) is marked
        ``_skdl_keep_weights``: it is never pooled or re-initialised.
        """
        keras = runtime.get_keras()
        builder = self.builder
        given = isinstance(builder, keras.Model)
        if given and self.scikeras_model:
            model = builder  # scikeras: "just a reference to the passed Model instance"
        elif given:
            model = keras.models.clone_model(builder)
        else:
            model = call_builder(builder, meta, self.builder_params)
        if not isinstance(model, keras.Model):
            raise TypeError(f"The model builder must return a keras.Model; it returned {type(model).__name__}.")
        compiled = bool(getattr(model, "compiled", False))
        if self.scikeras_model:
            # compile only what nobody compiled (scikeras' _ensure_compiled_model); a given
            # model skdl compiled in an earlier fit is compiled again with this fit's options
            user_compiled = compiled and not getattr(model, "_skdl_compiled_by_skdl", False)
            if user_compiled:
                self._check_compiled_loss(model, given=given)
            check_output(model, user_compiled=user_compiled)
            keep = given or getattr(model, "_skdl_built", False) or holds_own_weights(model)
            model._skdl_keep_weights = bool(keep)
            model._skdl_built = True
        else:
            user_compiled = compiled and not self.loss_given and not given
            check_output(model)
        model._skdl_compiled_by_builder = bool(user_compiled)
        # scikeras compiles nothing here, so optimizer__ options reach only compile_kwargs' optimizer
        model._skdl_own_optimizer = bool(self.scikeras_model and user_compiled
                                         and not getattr(model, "_skdl_plan_optimizer", False))
        if not user_compiled:
            model.compile(optimizer=self.make_optimizer(), loss=self.make_loss(),
                          weighted_metrics=self.make_metrics() or None, **self.compile_options)
            model._skdl_compiled_by_skdl = True
        return model

    def _check_compiled_loss(self, model, *, given):
        """``loss=`` against the loss the model was compiled with (scikeras'
        ``_check_model_compatibility``): a different one is a ValueError.

        As in scikeras, only single losses given as a name, a ``keras.losses.Loss``
        instance or class are compared (lists, dicts and functions are not).
        """
        keras = runtime.get_keras()
        simple = (str, keras.losses.Loss, type)
        compiled = getattr(model, "loss", None)
        if not self.loss_given or not isinstance(self.loss, simple) or not isinstance(compiled, simple):
            return
        ours, theirs = loss_name(self.loss), loss_name(compiled)
        if ours != theirs:
            who = "the model given as 'model'" if given else "the model the builder returned"
            raise ValueError(
                f"{self.owner} got loss={_show(self.loss)}, but {who} is compiled with loss="
                f"{_show(compiled)}, and {self.owner} does not recompile a compiled model (the data "
                f"may not match the loss). Give loss={_show(compiled)} or loss=None to keep the "
                "compiled one, or return an uncompiled model to have it compiled with loss=."
            )

    # ------------------------------------------------------------- the pool
    def pool_key(self, meta, estimator_type, meta_keys=None):
        """What shapes the graph, hashable, or None when the network must not be shared.

        The learning rate is not in it: it lives in the optimizer's variable and
        is set at the start of every fit.
        """
        from skdl.training.optimizers import optimizer_signature
        from skdl.training import freeze

        keras = runtime.get_keras()
        if isinstance(self.builder, keras.Model):  # a given model: its own weights, one owner
            return None
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
            return (freeze((
                estimator_type.__qualname__, builder, self.builder_params, shape_meta,
                self.loss_options, self.metrics_options, opt_sig, self.compile_options,
                keras.backend.backend(), keras.backend.floatx(),
            )), freeze_items(self.loss), freeze_items(self.metrics))
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
    learning_rate_param = estimator._fit_value("learning_rate")  # None when the builder takes it
    learning_rate = optimizer_options.pop("learning_rate", learning_rate_param)
    schedule = None
    lr_schedule = estimator._fit_value("lr_schedule")
    if lr_schedule is not None:
        if is_keras_lr_schedule(lr_schedule):
            # One rule for the learning rate: a Keras (per-step) schedule is the optimizer's rate.
            if is_keras_lr_schedule(learning_rate):
                raise ValueError(
                    f"{name} got a Keras LearningRateSchedule both as lr_schedule and as the "
                    "learning rate; give it once (lr_schedule=... or learning_rate=...)."
                )
            learning_rate = lr_schedule
        else:
            schedule = get_schedule(lr_schedule, **route_params(extra, "lr_schedule"))
            if is_keras_lr_schedule(learning_rate):
                raise ValueError(
                    f"{name} got a Keras LearningRateSchedule as its learning rate and the epoch "
                    f"schedule lr_schedule={lr_schedule!r}; they would both set the rate. "
                    "Use one of them."
                )

    fit_options = {**route_params(extra, "fit"), **fit_params}
    # what the epoch loop itself does is taken out of the model.fit options (one
    # value each, a fit keyword over fit__ over the parameter, as in scikeras)
    shuffle = fit_options.pop("shuffle", getattr(estimator, "shuffle", True))
    batch_size = fit_options.pop("batch_size", estimator.batch_size)
    epochs = fit_options.pop("epochs", None)
    if epochs is not None and epochs != "auto" and (
            isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1):
        raise ValueError(f"The 'epochs' fit option of {name} must be an int >= 1 or 'auto'. Got {epochs!r} instead.")
    validation_split = fit_options.pop("validation_split", getattr(estimator, "validation_split", 0.0))
    validation_batch_size = fit_options.pop("validation_batch_size", getattr(estimator, "validation_batch_size", None))
    verbose = fit_options.pop("verbose", estimator.verbose)
    for owned, instead in (("initial_epoch", "warm_start=True or partial_fit"),
                           ("sample_weight", "fit(X, y, sample_weight=...)")):
        if owned in fit_options:
            raise TypeError(
                f"{name}.fit sets the model.fit keyword {owned!r} itself; use {instead} instead."
            )
    copy_instances = getattr(estimator, "_callback_instances", "copy") == "copy"
    fit_cbs = _routed_callbacks(fit_options, "fit__callbacks", owner=name, strict=strict, copy_instances=copy_instances)
    predict_options = route_params(extra, "predict")
    predict_cbs = _routed_callbacks(predict_options, "predict__callbacks", owner=name, strict=strict,
                                    copy_instances=copy_instances)
    metrics = normalize_metrics(default_metrics if estimator.metrics is None else estimator.metrics)
    metrics = map_names(metrics, lambda m: estimator._metrics_to_compile((m,))[0])
    # options are checked here, once (objects are built at compile time, fresh for each compile)
    metrics_options = compile_items(metrics, route_params(extra, "metrics"), owner=name, param="metrics",
                                    named_class=lambda m: _metric_class(runtime.get_keras(), m), forms=METRIC_FORMS,
                                    strict=strict, build=False)
    loss_options = compile_items(loss, route_params(extra, "loss"), owner=name, param="loss",
                                 named_class=lambda m: _loss_class(runtime.get_keras(), m), forms=LOSS_FORMS,
                                 strict=strict, build=False)
    run_eagerly = bool(getattr(estimator, "run_eagerly", False))
    compile_options = route_params(extra, "compile")
    if run_eagerly:
        compile_options["run_eagerly"] = True
    builder, builder_params, network_values = estimator._builder_spec()
    plan = FitPlan(
        owner=name,
        builder=builder,
        builder_params=builder_params,
        network_values=network_values,
        optimizer=estimator.optimizer,
        optimizer_options=optimizer_options,
        learning_rate=learning_rate,
        loss=loss,
        loss_options=loss_options,
        compile_options=compile_options,
        metrics=metrics,
        metrics_options=metrics_options,
        fit_options=fit_options,
        shuffle=shuffle,
        schedule=schedule,
        callbacks=tuple(resolve_callbacks(estimator.callbacks, route_params(extra, "callbacks"), owner=name,
                                          strict=strict, copy_instances=copy_instances)),
        predict_options=predict_options,
        loss_given=estimator.loss is not None,
        default_learning_rate=_default_learning_rate(estimator.optimizer) if learning_rate is None else None,
        batch_size=batch_size,
        epochs=epochs,
        validation_split=validation_split,
        validation_batch_size=validation_batch_size,
        verbose=verbose,
        run_eagerly=run_eagerly,
        fit_callbacks=tuple(fit_cbs),
        predict_callbacks=tuple(predict_cbs),
        scikeras_model=bool(getattr(estimator, "_scikeras_model", False)),
        learning_rate_param=learning_rate_param,
    )
    return plan


def _routed_callbacks(options: dict, label: str, **kwargs) -> list:
    """Take ``callbacks`` and ``callbacks__…`` out of routed ``options`` (``fit__``/``predict__``)
    and resolve them; ``label`` names them in messages."""
    given = options.pop("callbacks", None)
    cb_options = {k[len("callbacks__"):]: options.pop(k) for k in [k for k in options if k.startswith("callbacks__")]}
    return resolve_callbacks(given, cb_options, param=label, **kwargs)


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


_CALLBACK_FORMS = (
    "a callback, a list of callbacks (or of lists of callbacks), or a dict of them; each a "
    "keras.callbacks.Callback, a skdl callback (skdl.training.callbacks.Callback) or an object with "
    "on_epoch_end(epoch, logs), as an instance or as a class that is built with its routed options"
)


def _is_callback(item) -> bool:
    from skdl.training.callbacks import Callback

    if isinstance(item, type):
        return issubclass(item, Callback) or hasattr(item, "on_epoch_end")
    return isinstance(item, Callback) or hasattr(item, "on_epoch_end")


def _callback_entries(callbacks, *, owner, param):
    """``(names, items, single)``: every callback with the names that route options to it.

    ``callbacks`` is one callback, a list or tuple (items may be lists), or a
    dict (its values are used; a value may be a list). ``names[i]`` holds the
    position (list) or key (dict) and the snake-case class name.
    """
    single = False
    if callbacks is None:
        pairs = []
    elif isinstance(callbacks, dict):
        pairs = [(str(k), v) for k, v in callbacks.items()]
    elif isinstance(callbacks, (list, tuple)):
        pairs = [(str(i), v) for i, v in enumerate(callbacks)]
    else:
        pairs, single = [("0", callbacks)], True
    names, items = [], []
    for key, value in pairs:
        for item in (value if isinstance(value, (list, tuple)) else [value]):
            if not _is_callback(item):
                raise TypeError(
                    f"If specified, the '{param}' parameter of {owner} must be {_CALLBACK_FORMS}. "
                    f"Got {item!r} ({type(item).__name__}) in {param}."
                )
            names.append((key, callback_name(item)))
            items.append(item)
    return names, items, single


def resolve_callbacks(callbacks, options: dict, *, owner: str = "The estimator", strict: bool = True,
                      copy_instances: bool = True, param: str = "callbacks") -> list:
    """This fit's callback objects, with ``callbacks__`` options routed to them.

    Parameters
    ----------
    callbacks : callback, list, tuple, dict or None
        One callback, a list (items may be lists) or a dict (its values are
        used) of callback instances and classes (built with their options).
    options : dict
        ``callbacks__`` options, prefix removed. ``<name>__<param>`` goes to
        the callback of that name (a dict key, its class name in snake_case,
        e.g. ``early_stopping__patience``) or position (``0__patience``); a bare
        ``<param>`` goes to every callback class whose constructor takes it (to
        the one class when ``callbacks`` is a single class); a bare digit is a
        positional argument (``callbacks__0=schedule``), and options of a class
        given as an argument are routed below it (``callbacks__0__coef=0.2``),
        as in scikeras.
    owner : str, default="The estimator"
        Named in messages.
    strict : bool, default=True
        Raise for an option no callback takes; else warn and ignore it.
    copy_instances : bool, default=True
        Deep-copy instances, so that fits never share state (skdl's own
        estimators); False uses them as given (KerasClassifier/KerasRegressor,
        as scikeras: a callback keeps what it recorded).
    param : str, default="callbacks"
        The parameter's name in messages (``fit__callbacks``, ...).

    Raises
    ------
    TypeError
        ``callbacks`` is not one of the forms above.
    ValueError
        An option that no callback takes, a name that matches no callback, or
        options for a callback given as an instance.
    """
    names, entries, single = _callback_entries(callbacks, owner=owner, param=param)
    if not strict:
        kept = {}
        for key, value in options.items():
            try:
                _route_callback_options(names, entries, single, {key: value}, owner=owner, param=param)
            except ValueError as exc:
                warnings.warn(f"{exc} It is ignored.", SkdlWarning, stacklevel=5)
                continue
            kept[key] = value
        options = kept
    per_entry = _route_callback_options(names, entries, single, options, owner=owner, param=param)
    out = []
    for cb, opts in zip(entries, per_entry):
        if isinstance(cb, type):
            out.append(_build(cb, opts))
        else:
            out.append(copy.deepcopy(cb) if copy_instances else cb)
    return out


def _route_callback_options(names, entries, single, options, *, owner, param) -> list[dict]:
    """The options of each callback entry (see :func:`resolve_callbacks`); raises ValueError
    for an option that reaches no callback, before any callback is built."""
    per_entry: list[dict] = [{} for _ in entries]
    classes = [i for i, cb in enumerate(entries) if isinstance(cb, type)]
    for key, value in options.items():
        head, sep, rest = key.partition("__")
        if sep and (not single or (head in names[0] and head not in options)):
            targets = [i for i, n in enumerate(names) if head in n]
            if not targets:
                known = sorted({n for pair in names for n in pair})
                raise ValueError(
                    f"The option '{param}__{key}' of {owner} names the callback {head!r}, but "
                    f"the callbacks are {[n[1] for n in names] or 'none'} (by name, key or position)."
                    f"{did_you_mean(head, known)}"
                )
            for i in targets:
                per_entry[i][rest] = value
            continue
        if sep:  # a single class: options of the class given as its argument `head`
            per_entry[0][key] = value
            continue
        takers = classes if key.isdigit() else [i for i in classes if _accepts(entries[i], key)]
        if not takers:
            accepted = sorted({p for i in classes for p in _params_of(entries[i])})
            raise ValueError(
                f"The option '{param}__{key}' of {owner} is taken by none of the callback classes "
                f"{[names[i][1] for i in classes] or 'given'}; they take {accepted}.{did_you_mean(key, accepted)}"
            )
        for i in takers:
            per_entry[i][key] = value
    for cb, opts, (_, cb_name) in zip(entries, per_entry, names):
        if opts and not isinstance(cb, type):
            raise ValueError(
                f"The options {sorted(opts)} of {owner} are routed to the callback {cb_name!r}, which "
                "is given as an instance; pass its class instead, or set them on the instance."
            )
        if opts:
            _check_arguments(cb, opts, owner=owner, label=f"{param}__")
    return per_entry


def _check_arguments(cls, options: dict, *, owner: str, label: str) -> None:
    """Raise ValueError for options routed below an argument that is not given or not a class."""
    direct = {k: v for k, v in options.items() if "__" not in k}
    for key in options:
        head = key.partition("__")[0]
        if "__" in key and head not in direct:
            raise ValueError(
                f"The option '{label}{key}' of {owner} routes options to the argument {head!r} of "
                f"{cls.__name__}, but no '{label}{head}' is given."
            )
    for key, value in direct.items():
        below = route_params(options, key)
        if below and not isinstance(value, type):
            raise ValueError(
                f"The options {sorted(below)} of {owner} are routed to '{label}{key}', which is not a class."
            )
        if isinstance(value, type):
            _check_arguments(value, below, owner=owner, label=f"{label}{key}__")


def _build(cls, options: dict):
    """``cls(*args, **kwargs)`` from checked options: digits are positional, a class given as a
    value is built with the options routed below its name (scikeras' ``unflatten_params``)."""
    values = {}
    for key, value in options.items():
        if "__" not in key:
            values[key] = _build(value, route_params(options, key)) if isinstance(value, type) else value
    args = [values.pop(k) for k in sorted((k for k in values if k.isdigit()), key=int)]
    return cls(*args, **values)


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


def loss_name(loss):
    """A loss's full snake-case name, as scikeras' ``loss_name`` ("mse" and
    ``MeanSquaredError`` -> "mean_squared_error"); a name Keras does not know stays as given."""
    keras = runtime.get_keras()
    if isinstance(loss, type):
        try:
            loss = loss()
        except TypeError:
            return _camel_to_snake(loss.__name__)
    try:
        obj = keras.losses.get(loss)
    except (ValueError, TypeError):
        return loss.lower() if isinstance(loss, str) else None
    fn = getattr(obj, "fn", None) if isinstance(obj, keras.losses.Loss) else obj
    name = getattr(fn, "__name__", None) or type(obj).__name__
    return _camel_to_snake(name)


def _camel_to_snake(name):
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _show(loss):
    if isinstance(loss, str):
        return repr(loss)
    return (loss if isinstance(loss, type) else type(loss)).__name__ + ("" if isinstance(loss, type) else "()")


def holds_own_weights(model) -> bool:
    """Whether a freshly returned model holds weights of its own, which a re-draw would lose.

    True when its optimizer has taken steps (a trained model, or one loaded
    with ``keras.saving.load_model``), or when a variable whose initializer is a
    constant (``Zeros``, ``Ones``, ``Constant``: biases, normalisation
    statistics) holds values other than 0, 1 and that constant (weights loaded
    with ``load_weights``, or set by hand). A model just built from its
    initializers never does (an LSTM's forget-gate bias of ones included).
    """
    import numpy as np
    from skdl.training._fixes import iter_layers, own_variables

    keras = runtime.get_keras()
    opt = getattr(model, "optimizer", None)
    try:
        if opt is not None and int(np.asarray(opt.iterations)) > 0:
            return True
    except (AttributeError, TypeError, ValueError):
        pass
    constants = (keras.initializers.Zeros, keras.initializers.Ones, keras.initializers.Constant)
    for layer in iter_layers(model):
        for var in own_variables(layer) or ():
            init = getattr(layer, f"{var.name}_initializer", None)
            if not isinstance(init, constants):
                continue
            allowed = [0.0, 1.0]
            if isinstance(init, keras.initializers.Constant):
                allowed.extend(np.asarray(init.value, dtype=np.float64).ravel().tolist())
            value = np.asarray(var.numpy())  # compared in its own dtype: float32(0.3) != 0.3
            if not np.isin(value, np.asarray(allowed).astype(value.dtype)).all():
                return True
    return False


def call_builder(builder, meta, params, *, plan, get_params):
    """Call a model builder with its parameters and what its signature asks for.

    ``meta`` goes to a builder that takes it (or ``**kwargs``),
    ``compile_kwargs`` (:meth:`FitPlan.compile_kwargs`) and ``params`` (the
    estimator's ``get_params()``) to one that names them or, in
    KerasClassifier/KerasRegressor (``plan.scikeras_model``), takes
    ``**kwargs``, as in scikeras' ``_build_keras_model``.
    """
    sig = inspect.signature(builder)
    kwargs = dict(params)
    accepts_var = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    all_to_var = accepts_var and plan.scikeras_model
    if "meta" in sig.parameters or accepts_var:
        kwargs["meta"] = meta
    if "compile_kwargs" in sig.parameters or all_to_var:
        kwargs["compile_kwargs"] = plan.compile_kwargs()
    if "params" in sig.parameters or all_to_var:
        kwargs["params"] = get_params()
    if not accepts_var:
        unknown = sorted(set(kwargs) - set(sig.parameters))
        if unknown:
            raise ValueError(
                f"The model builder {getattr(builder, '__name__', builder)!r} does not accept "
                f"the parameter(s) {unknown}; it accepts {sorted(sig.parameters)}."
            )
    model = builder(**kwargs)
    optimizer = kwargs.get("compile_kwargs", {}).get("optimizer")
    if optimizer is not None and getattr(model, "optimizer", None) is optimizer:
        # compiled with the estimator's optimizer: its rate is this fit's (a pooled network's too)
        model._skdl_plan_optimizer = True
    return model


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
    raise ValueError(f"no Keras loss class is named after {name!r}; give the class itself (keras.losses.…).")


def _metric_class(keras, name):
    """The Keras metric class for a metric name, to pass ``metrics__`` options."""
    if name in KERAS_RESOLVED_METRICS:
        raise ValueError(
            f"Keras picks the metric for {name!r} from the loss and output; to pass options give a "
            "class, e.g. keras.metrics.BinaryAccuracy."
        )
    try:
        metric = keras.metrics.get(name)
    except (ValueError, TypeError):
        metric = None
    if isinstance(metric, type):
        return metric
    if isinstance(metric, keras.metrics.Metric):
        return type(metric)
    raise ValueError(f"no Keras metric class is named {name!r}; give the class itself (keras.metrics.…).")



# ------------------------------------------------- losses and metrics in any form
#: metric names Keras resolves from the loss and output (scikeras passes them through)
KERAS_RESOLVED_METRICS = frozenset({"acc", "accuracy", "ce", "crossentropy"})

LOSS_FORMS = (
    "a Keras loss name, a loss function, a keras.losses.Loss class (built with its loss__ options) "
    "or instance, or a list or dict of these (one per output)"
)
METRIC_FORMS = (
    "a Keras metric name, a metric function, a keras.metrics.Metric class (built with its "
    "metrics__ options) or instance, or a list or dict of these (for a model with several "
    "outputs: a list or dict per output)"
)


def is_compile_item(value) -> bool:
    """Whether ``value`` is one loss/metric (name, function, class or instance), not a list or dict."""
    return isinstance(value, str) or callable(value)


def normalize_metrics(metrics):
    """``metrics`` as ``model.compile`` takes it: one metric becomes a list (scikeras), a tuple a list."""
    if metrics is None:
        return []
    if isinstance(metrics, dict):
        return dict(metrics)
    if isinstance(metrics, (list, tuple)):
        return list(metrics)
    return [metrics]


def map_names(items, fn):
    """``items`` (a name, object, list or dict, nested) with every name string replaced by ``fn(name)``."""
    if isinstance(items, str):
        return fn(items)
    if isinstance(items, (list, tuple)):
        return [map_names(v, fn) for v in items]
    if isinstance(items, dict):
        return {k: map_names(v, fn) for k, v in items.items()}
    return items


def freeze_items(items):
    """A hashable form of a loss/metrics structure for pool keys (classes by identity).

    Raises TypeError for instances (stateful Keras objects: such fits are not pooled).
    """
    from skdl.training import freeze

    if isinstance(items, type):
        return ("class", items)
    if isinstance(items, (list, tuple)):
        return ("seq", tuple(freeze_items(v) for v in items))
    if isinstance(items, dict):
        return ("dict", tuple(sorted((str(k), freeze_items(v)) for k, v in items.items())))
    return freeze(items)


def compile_items(items, options: dict, *, owner: str, param: str, named_class, forms: str,
                  strict: bool = True, build: bool = True):
    """Build a loss/metrics structure with its routed options (scikeras' ``unflatten_params``).

    Parameters
    ----------
    items : str, callable, class, instance, list or dict
        One item, or a list (by position) or dict (by key) of items, nested.
    options : dict
        The routed options, prefix removed. ``<param>`` (no ``__``) goes to
        every item of the list or dict it is given at (``loss__from_logits``);
        ``<index or key>__<param>`` to one item (``loss__1__label_smoothing``,
        ``metrics__out2__0__threshold``); a digit is a positional argument,
        and a class given as an argument is built with the options routed
        below its name, as in scikeras.
    owner, param : str
        Named in messages (``"KerasClassifier"``, ``"loss"``).
    named_class : callable
        ``named_class(name)`` -> the class of a name given with options
        (``"binary_crossentropy"`` -> ``BinaryCrossentropy``); raises ValueError.
    forms : str
        The accepted forms, for messages.
    strict : bool, default=True
        Raise for an option that reaches no item, or that an item does not take;
        else warn and leave it out.
    build : bool, default=True
        False only checks the options and returns them (the ones kept).

    Returns
    -------
    The built structure (classes and named items with options are instances),
    or with ``build=False`` the options that are kept.

    Raises
    ------
    TypeError
        ``items`` holds something that is not one of ``forms``.
    ValueError
        An option that no item takes (``strict=True``).
    """
    bad: dict = {}
    built = _walk_items(items, options, {}, "", owner=owner, param=param, named_class=named_class,
                        forms=forms, bad=bad, build=build)
    if bad:
        if strict:
            raise ValueError(next(iter(bad.values())))
        for msg in bad.values():
            warnings.warn(f"{msg} It is ignored.", SkdlWarning, stacklevel=5)
        if build:  # build again without the options no item takes
            return compile_items(items, {k: v for k, v in options.items() if k not in bad}, owner=owner,
                                 param=param, named_class=named_class, forms=forms, strict=True, build=True)
    if not build:
        return {k: v for k, v in options.items() if k not in bad}
    return built


def _walk_items(items, options, shared, path, *, owner, param, named_class, forms, bad, build):
    label = f"{param}[{path.rstrip('_').replace('__', '][')}]" if path else param
    if isinstance(items, (list, tuple, dict)):
        keys = [str(k) for k in (items if isinstance(items, dict) else range(len(items)))]
        own = {k: (path, v) for k, v in options.items() if "__" not in k}  # shared by the items of this level
        for key in options:
            head, sep, _ = key.partition("__")
            if sep and head not in keys:
                bad[path + key] = (
                    f"The option '{param}__{path}{key}' of {owner} names the item {head!r} of {label}, "
                    f"whose items are {keys} (by position or key).{did_you_mean(head, keys)}"
                )
        out = {} if isinstance(items, dict) else []
        for k, key in zip(list(items) if isinstance(items, dict) else range(len(items)), keys):
            value = _walk_items(items[k], route_params(options, key), own, f"{path}{key}__", owner=owner,
                                param=param, named_class=named_class, forms=forms, bad=bad, build=build)
            if isinstance(out, dict):
                out[k] = value
            else:
                out.append(value)
        return out
    if not is_compile_item(items):
        raise TypeError(
            f"The '{param}' parameter of {owner} must be {forms}. Got {items!r} "
            f"({type(items).__name__}) in {label}."
        )
    given = {**shared, **{k: (path, v) for k, v in options.items()}}  # option -> (its path, value)
    if not given and not isinstance(items, type):
        return items  # a name, function or instance is used as given
    cls = items
    if isinstance(items, str):
        try:
            cls = named_class(items)
        except ValueError as exc:
            for k, (at, _) in given.items():
                bad.setdefault(at + k, f"The option '{param}__{at}{k}' of {owner} reaches {label}={items!r}: {exc}")
            return items
    if not isinstance(cls, type):
        for k, (at, _) in given.items():
            bad.setdefault(at + k, (
                f"The option '{param}__{at}{k}' of {owner} is routed to {label}={items!r}, which is not a class; "
                f"pass its class to have it built with options, or set them on the object."
            ))
        return items
    accepted = _params_of(cls)
    for k, (at, _) in given.items():
        head = k.partition("__")[0]
        if "__" in k:
            if head not in given or not isinstance(given[head][1], type):
                bad.setdefault(at + k, (
                    f"The option '{param}__{at}{k}' of {owner} routes options to the argument {head!r} of "
                    f"{cls.__name__} ({label}), which is not given as a class."
                ))
        elif not head.isdigit() and not _accepts(cls, head):
            bad.setdefault(at + k, (
                f"The option '{param}__{at}{k}' of {owner} is not taken by {cls.__name__} ({label}); "
                f"it takes {accepted}.{did_you_mean(head, accepted)}"
            ))
    if not build or bad:
        return items
    return _build(cls, {k: v for k, (_, v) in given.items()})
