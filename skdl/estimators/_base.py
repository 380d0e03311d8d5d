"""The base of every skdl estimator: sklearn's BaseEstimator around a Keras network.

What lives here, once for all estimators: parameter storage and routing,
validation of X, the fit loop (learning-rate schedule, validation split, early
stopping, convergence, callbacks, checkpointing, divergence, Ctrl-C), the
network pool, prediction, pickling and saving. Target handling (labels,
probabilities, target scaling) lives in the classifier and regressor modules,
and the architecture in the concrete estimators.
"""

from __future__ import annotations

import copy
import inspect
import math
import numbers
import os
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from skdl.estimators._routing import ROUTES, check_routed_names, route_params
from skdl.exceptions import (
    ConvergenceWarning,
    SkdlWarning,
    TrainingDivergedError,
    TrainingInterruptedWarning,
)
from skdl.training.optimizers import OPTIMIZER_NAMES

_MIN_VALIDATION_ROWS = 30


def _infer_mode(monitor: str) -> str:
    name = monitor.split("_", 1)[-1] if monitor.startswith(("val_", "eval_")) else monitor
    higher = ("acc", "auc", "precision", "recall", "f1", "r2", "score")
    return "max" if any(h in name for h in higher) else "min"


class BaseKerasEstimator(BaseEstimator):
    """Shared machinery of skdl's Keras estimators. Not used directly.

    Subclasses define ``__init__`` (explicit keyword parameters plus
    ``**kwargs`` for routed ones), ``_get_builder()``, ``_builder_params()``,
    ``_prepare_target`` and the prediction methods.
    """

    _skdl_epoch_callbacks = True
    _default_metrics: tuple = ()
    # meta keys that shape the graph, for the pool key; None means all of meta
    # (a user's builder may read anything, e.g. classes_)
    _pool_meta_keys = None

    _parameter_constraints: dict = {
        "optimizer": [StrOptions(set(OPTIMIZER_NAMES)), type, HasMethods(["apply_gradients"])],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), HasMethods(["get_config"]), None],
        "loss": [str, callable, None],
        "metrics": [list, tuple, None],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr_schedule": [str, callable, HasMethods(["start"]), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_delta": [Interval(numbers.Real, 0, None, closed="left")],
        "monitor": [str, None],
        "callbacks": [list, tuple, None],
        "checkpoint": [str, os.PathLike, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "engine": [StrOptions({"auto", "compiled", "keras"})],
    }

    # ------------------------------------------------------------- parameters
    def _store_kwargs(self, kwargs):
        """Keep routed (``prefix__name``) and bare builder keywords as parameters."""
        for key, value in kwargs.items():
            setattr(self, key, value)
        self._kwarg_names = tuple(kwargs)

    def _extra_param_names(self):
        return tuple(k for k in getattr(self, "_kwarg_names", ()) if hasattr(self, k))

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        for key in self._extra_param_names():
            params[key] = getattr(self, key)
        return params

    def set_params(self, **params):
        declared = set(self._get_param_names())
        extra = {k: v for k, v in params.items() if k not in declared and "__" in k and k.split("__")[0] in ROUTES}
        extra.update({k: v for k, v in params.items() if k not in declared and k in self._bare_param_names()})
        for key, value in extra.items():
            setattr(self, key, value)
            if key not in self._extra_param_names():
                self._kwarg_names = self._extra_param_names() + (key,)
        rest = {k: v for k, v in params.items() if k not in extra}
        if rest:
            super().set_params(**rest)
        return self

    def _bare_param_names(self):
        """Un-prefixed keywords the builder accepts (scikeras compatibility)."""
        return ()

    def _all_extra_params(self):
        return {k: getattr(self, k) for k in self._extra_param_names()}

    # ------------------------------------------------------------- subclasses
    def _get_builder(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _builder_params(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _prepare_target(self, y, *, reset):  # pragma: no cover - abstract
        raise NotImplementedError

    def _resolve_loss(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------- data
    def _validate_X(self, X, *, reset, y=None):
        ndim = getattr(X, "ndim", None)
        if ndim is not None and ndim > 2 and not self._allow_nd():
            # sklearn's "Found array with dim 4" does not say what to do instead
            kind = "CNNClassifier" if is_classifier(self) else "CNNRegressor"
            raise ValueError(
                f"{type(self).__name__} expects 2-D X of shape (n_samples, n_features); got "
                f"X of shape {tuple(X.shape)}. Use {kind} for images, or flatten X with "
                "X.reshape(len(X), -1)."
            )
        kw = dict(
            accept_sparse=False,
            dtype=[np.float32, np.float64],
            ensure_all_finite=True,
            allow_nd=self._allow_nd(),
        )
        if y is None:
            X = validate_data(self, X, reset=reset, **kw)
        else:
            X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=False, **kw)
        X = self._reshape_X(np.asarray(X, dtype=np.float32), reset=reset)
        return X if y is None else (X, y)

    def _allow_nd(self):
        return False

    def _reshape_X(self, X, *, reset):
        """Hook: give validated X the shape the network takes (``reset`` in fit)."""
        return X

    # ---------------------------------------------------------------- network
    def _meta(self, X):
        meta = {
            "n_features_in_": int(np.prod(X.shape[1:])),
            "input_shape_": tuple(int(d) for d in X.shape[1:]),
            "X_shape_": X.shape,
            "X_dtype_": X.dtype,
        }
        meta.update(self._target_meta_)
        return meta

    def _make_network(self, meta, sample, fit_callbacks):
        """Take a compatible network from the pool or build and compile a new one."""
        from skdl.training._network import make_network

        return make_network(
            lambda: self._build_compiled_model(meta),
            sample,
            key=self._pool_key(meta),
            engine=self.engine,
            keras_callbacks=fit_callbacks,
            fit_kwargs=self._keras_fit_kwargs(),
        )

    def _keras_fit_kwargs(self):
        return {k: v for k, v in route_params(self._all_extra_params(), "fit").items() if k != "shuffle"}

    def _pool_key(self, meta):
        from skdl.training._backend import get_keras
        from skdl.training._pool import freeze
        from skdl.training.optimizers import optimizer_signature

        keras = get_keras()
        extra = self._all_extra_params()
        opt_opts = route_params(extra, "optimizer")
        opt_opts.pop("learning_rate", None)
        opt_sig = optimizer_signature(self.optimizer, opt_opts)
        if opt_sig is None or isinstance(self._builder_lr(), keras.optimizers.schedules.LearningRateSchedule):
            return None
        shape_meta = {k: v for k, v in meta.items() if k not in ("X_shape_", "X_dtype_", "feature_names_in_")}
        shape_meta["X_row_shape_"] = tuple(meta["X_shape_"][1:])
        if self._pool_meta_keys is not None:
            # skdl's own builders only read these; label values never shape their graph
            shape_meta = {k: shape_meta[k] for k in self._pool_meta_keys if k in shape_meta}
        try:
            return freeze(
                (
                    type(self).__qualname__,
                    self._get_builder(),
                    self._builder_params(),
                    shape_meta,
                    self._resolve_loss(),
                    route_params(extra, "loss"),
                    self._metrics(),
                    opt_sig,
                    route_params(extra, "compile"),
                    keras.backend.backend(),
                    keras.backend.floatx(),
                )
            )
        except TypeError:
            return None

    def _builder_lr(self):
        extra = route_params(self._all_extra_params(), "optimizer")
        return extra.get("learning_rate", self.learning_rate)

    def _metrics(self):
        return list(self._default_metrics) if self.metrics is None else list(self.metrics)

    def _call_builder(self, builder, meta, params):
        sig = inspect.signature(builder)
        kwargs = dict(params)
        accepts_var = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        if "meta" in sig.parameters or accepts_var:
            kwargs["meta"] = meta
        if "compile_kwargs" in sig.parameters:
            kwargs["compile_kwargs"] = self._compile_kwargs()
        if "params" in sig.parameters:
            kwargs["params"] = self.get_params()
        if not accepts_var:
            unknown = sorted(set(kwargs) - set(sig.parameters))
            if unknown:
                raise ValueError(
                    f"The model builder {getattr(builder, '__name__', builder)!r} does not accept "
                    f"the parameter(s) {unknown}; it accepts {sorted(sig.parameters)}."
                )
        return builder(**kwargs)

    def _compile_kwargs(self):
        return {
            "optimizer": self._make_optimizer(),
            "loss": self._make_loss(),
            "metrics": self._metrics(),
        }

    def _make_optimizer(self):
        from skdl.training.optimizers import make_optimizer

        opts = route_params(self._all_extra_params(), "optimizer")
        lr = opts.pop("learning_rate", self.learning_rate)
        if isinstance(lr, numbers.Real):
            lr = float(lr)
        return make_optimizer(self.optimizer, lr, **opts)

    def _make_loss(self):
        from skdl.training._backend import get_keras

        keras = get_keras()
        loss = self._resolve_loss()
        opts = route_params(self._all_extra_params(), "loss")
        if isinstance(loss, str):
            try:
                obj = keras.losses.get(loss)
            except (ValueError, TypeError):
                obj = None
            if obj is None:
                raise ValueError(
                    f"The 'loss' parameter of {type(self).__name__} must be a Keras loss name or a "
                    f"loss callable. Got {loss!r} instead."
                )
            if opts:
                return _loss_class(keras, loss)(**opts)
            return loss
        if opts:
            raise ValueError("loss__ options need the loss to be given by name.")
        return loss

    def _build_compiled_model(self, meta):
        from skdl.training._backend import get_keras

        keras = get_keras()
        builder = self._get_builder()
        if isinstance(builder, keras.Model):
            model = keras.models.clone_model(builder)
        else:
            model = self._call_builder(builder, meta, self._builder_params())
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"The model builder must return a keras.Model; it returned {type(model).__name__}."
            )
        self._check_output(model, meta)
        user_compiled = getattr(model, "compiled", False) and self.loss is None and not isinstance(builder, keras.Model)
        if not user_compiled:
            compile_kw = route_params(self._all_extra_params(), "compile")
            model.compile(
                optimizer=self._make_optimizer(),
                loss=self._make_loss(),
                weighted_metrics=self._metrics() or None,
                **compile_kw,
            )
        return model

    def _check_output(self, model, meta):
        """Hook for subclasses to check the output layer against the target."""

    # ------------------------------------------------------------------- fit
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Train the network on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Training data; a pandas DataFrame records ``feature_names_in_``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, applied in the loss.
        **fit_params : dict
            ``callbacks`` (extra per-epoch callbacks for this fit),
            ``eval_set=(X_eval, y_eval)`` (monitored every epoch, never used for
            early stopping), and ``fit__``-routed options.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "model_")
        return self._fit(X, y, sample_weight, fit_params, continuing=continuing, epochs=self.epochs)

    def partial_fit(self, X, y, sample_weight=None, **fit_params):
        """Train for one epoch, continuing from the current weights if fitted.

        Returns
        -------
        self : object
        """
        continuing = hasattr(self, "model_")
        return self._fit(X, y, sample_weight, fit_params, continuing=continuing, epochs=1)

    def _fit(self, X, y, sample_weight, fit_params, *, continuing, epochs):
        self._validate_params()
        self._check_extra_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        fit_params = dict(fit_params)
        extra_callbacks = list(fit_params.pop("callbacks", None) or ())
        eval_set = fit_params.pop("eval_set", None)
        routed_fit = {k[5:]: v for k, v in list(fit_params.items()) if k.startswith("fit__")}
        for k in [k for k in fit_params if k.startswith("fit__")]:
            fit_params.pop(k)
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected keyword argument(s) "
                f"{sorted(fit_params)}; it accepts sample_weight, callbacks, eval_set and fit__ options."
            )
        X, y = self._validate_X(X, reset=not continuing, y=y)
        if X.shape[0] < 1:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        y_enc = self._prepare_target(y, reset=not continuing)
        sw = _check_sample_weight(sample_weight, X, dtype=np.float32)
        sw = (sw * self._class_weight_factors(y_enc)).astype(np.float32)
        if not np.all(np.isfinite(sw)) or np.any(sw < 0):
            raise ValueError("sample_weight must be finite and non-negative.")
        meta = self._meta(X)

        if isinstance(self.random_state, numbers.Integral):
            # a continued fit draws new batches, reproducibly
            offset = getattr(self, "n_iter_", 0) if continuing else 0
            rng = np.random.RandomState(int(self.random_state) + offset)
        elif self.random_state is None:
            rng = np.random.RandomState()
        else:
            rng = check_random_state(self.random_state)  # the user's RandomState instance
        train_idx, val_idx = self._split_validation(X, y_enc, rng)

        from skdl.training._backend import get_keras, seeded

        keras = _quiet_keras_import(get_keras)
        user_callbacks = self._make_callbacks(keras)
        keras_cbs = [cb for cb in user_callbacks + extra_callbacks if isinstance(cb, keras.callbacks.Callback)]
        sample = (X[:2], y_enc[:2], sw[:2])
        if not continuing:
            self._release_network()
            seed = None if self.random_state is None else int(rng.randint(0, 2**31 - 1))
            with seeded(seed):
                net = self._make_network(meta, sample, keras_cbs)
            if net.reusable:
                net.reinitialize(seed)
            self._own_network(net)
        net = self._network
        net.begin()
        schedule = self._make_schedule()
        base_lr = self._base_learning_rate(net)
        if not continuing or self._builder_lr() is not None:
            # a pooled network still holds the previous fit's rate in its variable
            net.set_learning_rate(base_lr)
        if schedule is not None:
            schedule.start(base_lr, epochs)
        history = {} if not continuing else {k: list(v) for k, v in self.history_.items()}

        eval_data = None
        if eval_set is not None:
            Xe, ye = eval_set
            Xe = self._validate_X(Xe, reset=False)
            eval_data = (Xe, self._encode_eval_target(ye), np.ones(len(Xe), np.float32))
        val_data = None
        if val_idx is not None:
            val_data = (X[val_idx], y_enc[val_idx], sw[val_idx])

        monitor = self.monitor or ("val_loss" if val_data is not None else "loss")
        mode = _infer_mode(monitor)
        best, best_epoch, best_snap, wait = None, None, None, 0
        stop_reason = None
        shuffle = routed_fit.get("shuffle", route_params(self._all_extra_params(), "fit").get("shuffle", True))
        for cb in keras_cbs:
            cb.set_model(net.model)
            cb.on_train_begin()
        start_epoch = len(history.get("loss", []))
        interrupted = False
        epoch = -1
        try:
            for i in range(epochs):
                epoch = start_epoch + i
                t0 = time.perf_counter()
                lr = schedule(i) if schedule is not None else None
                if lr is not None:
                    net.set_learning_rate(lr)
                for cb in keras_cbs:
                    cb.on_epoch_begin(epoch)
                logs = net.train_epoch(X, y_enc, sw, train_idx, self.batch_size, rng, shuffle=shuffle)
                if val_data is not None:
                    logs.update({f"val_{k}": v for k, v in net.evaluate(*val_data).items()})
                if eval_data is not None:
                    logs.update({f"eval_{k}": v for k, v in net.evaluate(*eval_data).items()})
                logs["learning_rate"] = lr if lr is not None else net.learning_rate()
                for k, v in logs.items():
                    history.setdefault(k, []).append(float(v))
                if not math.isfinite(logs.get("loss", 0.0)):
                    raise TrainingDivergedError(
                        f"{type(self).__name__} diverged: the training loss became "
                        f"{logs.get('loss')} at epoch {epoch + 1} (learning rate "
                        f"{logs['learning_rate']:.3g}). Lower the learning rate, scale the "
                        "inputs, or add gradient clipping (optimizer__clipnorm=1.0)."
                    )
                if schedule is not None:
                    schedule.on_epoch_end(i, logs)
                value = logs.get(monitor)
                if value is None:
                    raise ValueError(
                        f"The 'monitor' parameter names {monitor!r}, which is not logged. "
                        f"Logged values are {sorted(logs)}."
                    )
                improved = best is None or (
                    value < best - self.min_delta if mode == "min" else value > best + self.min_delta
                )
                if improved:
                    best, best_epoch, wait = value, epoch, 0
                    if self.early_stopping:
                        best_snap = net.snapshot()
                    if self.checkpoint is not None:
                        self._write_checkpoint(net)
                else:
                    wait += 1
                if keras_cbs:
                    net.sync()
                for cb in extra_callbacks + user_callbacks:
                    if hasattr(cb, "on_epoch_end"):
                        cb.on_epoch_end(epoch, logs)
                if keras_cbs:
                    net.begin()  # callbacks may have changed weights or the learning rate
                if self.verbose:
                    self._print_epoch(epoch, epochs + start_epoch, logs, time.perf_counter() - t0)
                if getattr(net.model, "stop_training", False):
                    net.model.stop_training = False
                    stop_reason = "callback"
                    break
                if self.patience is not None and wait >= self.patience:
                    stop_reason = "early_stopping" if self.early_stopping else "converged"
                    break
        except KeyboardInterrupt:
            interrupted = True
            warnings.warn(
                f"Training of {type(self).__name__} was interrupted at epoch {epoch + 1}; the "
                "model keeps the weights it had (the best ones with early stopping).",
                TrainingInterruptedWarning,
                stacklevel=3,
            )
        except BaseException:
            net.end()
            self._release_network()
            for attr in ("model_", "history_"):
                self.__dict__.pop(attr, None)
            raise
        if self.early_stopping and best_snap is not None:
            net.restore(best_snap)
        net.end()
        for cb in keras_cbs:
            cb.on_train_end()
        self._interrupted = interrupted
        self.model_ = net.model
        self.history_ = history
        self.n_iter_ = len(history.get("loss", []))
        if self.early_stopping:
            self.best_epoch_ = best_epoch
        self._meta_ = meta
        if (
            stop_reason is None
            and not interrupted
            and self.patience is not None
            and epochs > 1
            and not continuing
        ):
            warnings.warn(
                f"{type(self).__name__}: training ran all {epochs} epochs and the monitored "
                f"{monitor!r} was still improving; increase 'epochs' or 'patience'.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _check_extra_params(self):
        declared = self._get_param_names()
        check_routed_names(
            self._extra_param_names(),
            estimator_name=type(self).__name__,
            declared=declared,
            allow_bare=self._bare_param_names(),
        )

    def _class_weight_factors(self, y_enc):
        return 1.0

    def _encode_eval_target(self, y):
        return self._encode_target(y)

    def _split_validation(self, X, y_enc, rng):
        n = X.shape[0]
        idx = np.arange(n)
        if not self.early_stopping:
            return idx, None
        n_val = int(math.ceil(self.validation_fraction * n))
        stratify = self._stratify_labels(y_enc)
        n_classes = len(np.unique(stratify)) if stratify is not None else 1
        if n_val < max(_MIN_VALIDATION_ROWS, 2 * n_classes) or n - n_val < n_classes:
            warnings.warn(
                f"{type(self).__name__}: early stopping would hold out only {n_val} of {n} "
                f"samples (validation_fraction={self.validation_fraction}); at least "
                f"{max(_MIN_VALIDATION_ROWS, 2 * n_classes)} are needed for a meaningful "
                "validation score, so training uses all samples and stops on the training loss.",
                SkdlWarning,
                stacklevel=4,
            )
            return idx, None
        if stratify is not None and np.min(np.unique(stratify, return_counts=True)[1]) < 2:
            stratify = None
        tr, va = train_test_split(
            idx, test_size=n_val, random_state=rng.randint(0, 2**31 - 1), stratify=stratify
        )
        return np.sort(tr), np.sort(va)

    def _stratify_labels(self, y_enc):
        return None

    def _make_schedule(self):
        if self.lr_schedule is None:
            return None
        from skdl.training.schedules import _is_keras_lr_schedule, get_schedule

        if _is_keras_lr_schedule(self.lr_schedule):
            return None  # handed to the optimizer as its learning rate
        return get_schedule(self.lr_schedule, **route_params(self._all_extra_params(), "lr_schedule"))

    def _base_learning_rate(self, net):
        lr = self._builder_lr()
        if isinstance(lr, numbers.Real):
            return float(lr)
        return net.learning_rate()

    def _make_callbacks(self, keras):
        """Fresh callback objects for this fit: instances are copied, classes built."""
        out = []
        opts = route_params(self._all_extra_params(), "callbacks")
        for cb in self.callbacks or ():
            if isinstance(cb, type):
                out.append(cb(**opts))
            else:
                out.append(copy.deepcopy(cb))
        return out

    def _write_checkpoint(self, net):
        path = os.fspath(self.checkpoint)
        if not path.endswith(".keras"):
            raise ValueError(
                f"The 'checkpoint' parameter must be a path ending in '.keras'; got {path!r}."
            )
        net.sync()
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp.keras")
        try:
            net.model.save(tmp)
            os.replace(tmp, path)  # atomic: never a half-written checkpoint
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def _print_epoch(self, epoch, total, logs, seconds):
        parts = [f"epoch {epoch + 1}/{total}"]
        parts += [f"{k}: {v:.4g}" for k, v in logs.items()]
        parts.append(f"{seconds:.2f}s")
        print(" - ".join(parts), file=sys.stdout, flush=True)

    # --------------------------------------------------------- network owner
    def _own_network(self, net):
        from skdl.training._pool import own

        own(self, net)

    def _release_network(self):
        from skdl.training._pool import release

        release(self)  # returns the network to the pool now

    # ------------------------------------------------------------- inference
    def _forward(self, X):
        check_is_fitted(self, "model_")
        X = self._validate_X(X, reset=False)
        net = self.__dict__.get("_network")
        if net is None:
            raise RuntimeError("the estimator's network is missing; refit or reload it")
        return np.asarray(net.predict(X), dtype=np.float64)

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_finalizer", None)
        net = state.pop("_network", None)
        if "model_" in state and net is not None:
            net.sync()
            model = state.pop("model_")
            state["_weights_state"] = {
                "weights": [np.array(v.numpy()) for v in model.weights],
                "optimizer": [np.array(v.numpy()) for v in model.optimizer.variables]
                if model.optimizer is not None and model.optimizer.built
                else None,
            }
        return state

    def __setstate__(self, state):
        saved = state.pop("_weights_state", None)
        self.__dict__.update(state)
        if saved is not None:
            self._restore_network(saved)

    def _restore_network(self, saved):
        from skdl.training._backend import get_keras, seeded
        from skdl.training._network import make_network

        _quiet_keras_import(get_keras)
        meta = self._meta_
        n = 2
        X = np.zeros((n,) + tuple(meta["input_shape_"]), np.float32)
        y = self._dummy_encoded_target(n)

        def build():
            with seeded(0):
                return self._build_compiled_model(meta)

        net = make_network(build, (X, y, np.ones(n, np.float32)))
        model = net.model
        for var, val in zip(model.weights, saved["weights"]):
            var.assign(val)
        if saved.get("optimizer") is not None and model.optimizer.built:
            for var, val in zip(model.optimizer.variables, saved["optimizer"]):
                var.assign(val)
        self._network = net
        self.model_ = model

    def save(self, path):
        """Save the fitted estimator to ``path`` (see :func:`skdl.load`).

        The file is a zip archive holding the Keras model in its native
        ``.keras`` format and the scikit-learn state (parameters, classes,
        encoders) pickled.
        """
        from skdl.estimators._persistence import save_estimator

        save_estimator(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


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


_KERAS_IMPORTED = False


def _quiet_keras_import(get_keras):
    """Import Keras with the C-level stderr chatter of TensorFlow/XLA silenced once."""
    global _KERAS_IMPORTED
    if _KERAS_IMPORTED or "keras" in sys.modules:
        _KERAS_IMPORTED = True
        return get_keras()
    _KERAS_IMPORTED = True
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return get_keras()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            try:
                keras = get_keras()
                # the first op initialises devices; TensorFlow logs its CUDA probe then
                keras.ops.convert_to_tensor(0.0)
                return keras
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)
