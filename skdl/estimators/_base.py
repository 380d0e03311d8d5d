"""The base of every skdl estimator: sklearn's BaseEstimator around a Keras network.

One fit (docs/design.md, "One fit"): validate X (here) -> fit the target
(:mod:`skdl.estimators._targets`) -> resolve the fit plan
(:mod:`skdl.estimators._plan`) -> take a network from the pool or build one
(:mod:`skdl.training`) -> run the epoch loop with this fit's callbacks
(:func:`skdl.training.run_epochs`) -> set the fitted attributes. This module
holds the parameters, that sequence, prediction and pickling.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import warnings

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from skdl.architectures._shared import current_sharing, shared_mlp_graphs
from skdl.estimators._data import (
    fit_rng,
    input_dtype,
    is_sparse,
    network_input,
    plain,
    resolve_batch_size,
    resolve_epochs,
    row_shapes,
    row_signature,
    sample_weights,
    split_fit_params,
    split_last_rows,
    split_validation,
    zeros_rows,
)
from skdl.estimators._persistence import assign_weights, network_state
from skdl.estimators._plan import call_builder, make_plan
from skdl.estimators._routing import ROUTES, route_params
from skdl.training import callbacks as cbs
from skdl.training import make_network, own_network, release_network, runtime
from skdl.training._sparse import dense_batches, is_sparse_rows, take_rows
from skdl.training.loop import EpochData, run_epochs
from skdl.utils import did_you_mean


#: ``keras.Model.predict`` keywords that ``predict__`` options and ``predict(X, **kwargs)`` may give
PREDICT_KEYWORDS = ("batch_size", "callbacks", "steps", "verbose")
_PREDICT_HOOKS = ("on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end")


#: meta keys holding the fitted encoders (objects: never part of the pool key)
_ENCODER_META = ("target_encoder_", "feature_encoder_")


def _float64_outputs(out):
    """A list or dict of a model's outputs with every array in float64."""
    if isinstance(out, dict):
        return {k: _float64_outputs(v) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return [_float64_outputs(v) for v in out]
    return np.asarray(out, dtype=np.float64)


def _one_input_for_sparse(check_output, owner):
    """``check_output`` that first checks the model has one input (what sparse X can feed)."""

    def checked(model, user_compiled=False):
        inputs = list(model.inputs)
        if len(inputs) != 1:
            names = [getattr(t, "name", None) or str(i) for i, t in enumerate(inputs)]
            raise ValueError(
                f"{owner} got X as a scipy sparse matrix, which feeds a model with one input (its rows are "
                f"densified one batch at a time); the model has {len(inputs)} inputs {names}. For several "
                "inputs, give dense X, or a feature_encoder that returns a list or dict of dense arrays, one "
                "per input."
            )
        check_output(model, user_compiled=user_compiled)

    return checked


class BaseKerasEstimator(BaseEstimator):
    """Shared machinery of skdl's Keras estimators. Not used directly.

    Subclasses define ``__init__`` (explicit keyword parameters plus
    ``**kwargs`` for routed ones), ``_get_builder()``, ``_builder_params()``,
    and (through the target mixins) ``_make_target()``, ``_adopt_target()``
    and the prediction methods.
    """

    _skdl_epoch_callbacks = True
    _routes = ROUTES  # the routing prefixes this estimator takes (prefix -> what it configures)
    # meta keys that fit also sets as fitted attributes (scikeras' X_dtype_, target_type_, ...)
    _meta_attributes = ()
    # meta keys that shape the graph, for the pool key; None means all of meta
    # (a user's builder may read anything, e.g. classes_)
    _pool_meta_keys = None
    # a warm-started fit continues the weights; True: its history_ (and epoch
    # count) starts again at zero, as scikeras' fit does (partial_fit appends)
    _warm_start_restarts_history = False

    _parameter_constraints: dict = {
        "optimizer": [str, type, HasMethods(["apply_gradients"])],  # names: any case, checked in the plan
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), HasMethods(["get_config"]), None],
        "loss": [str, callable, list, tuple, dict, None],  # forms checked in the plan
        "metrics": [list, tuple, dict, str, callable, None],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr_schedule": [str, callable, HasMethods(["start"]), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_delta": [Interval(numbers.Real, 0, None, closed="left")],
        "monitor": [str, None],
        "callbacks": [list, tuple, dict, type, HasMethods(["on_epoch_end"]), None],
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
        declared = {k for k in self._get_param_names() if hasattr(self, k)}  # a subclass may not store all
        extra = {k: v for k, v in params.items() if k not in declared and "__" in k and k.split("__")[0] in self._routes}
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

    def _fit_value(self, name):
        """The value of parameter ``name`` as skdl's fit uses it.

        Hook: KerasClassifier/KerasRegressor hand a parameter that their
        builder names to the builder and use the default themselves, and turn
        a ``RandomState`` instance into a seed without advancing it (scikeras).
        """
        return getattr(self, name)

    def _metrics_to_compile(self, metrics):
        """Hook: the metrics as given to ``model.compile`` (KerasClassifier/KerasRegressor use full names)."""
        return metrics

    def _history_names(self, history, logged):
        """Hook: ``history_`` from the loop's history (``logged``: this fit's log names)."""
        return history

    def _all_extra_params(self):
        return {k: getattr(self, k) for k in self._extra_param_names()}

    # ------------------------------------------------------------- subclasses
    def _get_builder(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _builder_params(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _builder_spec(self):
        """``(builder, builder_params, network_values)`` for this fit's plan.

        ``network_values`` is None, or ``fn(model, seed)`` run on the network
        once it is taken or built (the MLPs' shared search graphs).
        """
        return self._get_builder(), self._builder_params(), None

    # ------------------------------------------------------------------- data
    def _validate_X(self, X, *, reset, y=None):
        owner = type(self).__name__
        if y is not None and is_sparse(y):
            raise ValueError(
                f"{owner} requires dense y; got a sparse {type(y).__name__} of shape {tuple(y.shape)}. "
                "Pass y.toarray()."
            )
        sparse = is_sparse(X)
        if sparse and not self._accept_sparse():
            raise TypeError(
                f"{owner} does not accept sparse X (got a {type(X).__name__}): its network reshapes X into "
                f"images. Pass dense X (X.toarray()), or use "
                f"{'MLPClassifier' if is_classifier(self) else 'MLPRegressor'} or "
                f"{'KerasClassifier' if is_classifier(self) else 'KerasRegressor'}, which take sparse X."
            )
        ndim = getattr(X, "ndim", None)
        if ndim is not None and ndim > 2 and not self._allow_nd():
            # sklearn's "Found array with dim 4" does not say what to do instead
            kind = "CNNClassifier" if is_classifier(self) else "CNNRegressor"
            raise ValueError(
                f"{owner} expects 2-D X of shape (n_samples, n_features); got "
                f"X of shape {tuple(X.shape)}. Use {kind} for images, or flatten X with "
                "X.reshape(len(X), -1)."
            )
        kw = dict(
            # sparse X stays sparse (CSR): the engines densify it per batch (skdl.training._sparse)
            accept_sparse="csr" if self._accept_sparse() else False,
            dtype=[np.float32, np.float64],
            ensure_all_finite=True,  # for sparse X: its stored values
            allow_nd=self._allow_nd(),
        )
        if y is None:
            X = validate_data(self, X, reset=reset, **kw)
        else:
            X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=False, **kw)
        # float32, as dense X: for sparse X the stored values only (a copy of nnz values, not a dense X)
        X = X.astype(np.float32, copy=False) if sparse else np.asarray(X, dtype=np.float32)
        X = self._reshape_X(X, reset=reset)
        return X if y is None else (X, y)

    def _accept_sparse(self):
        """Whether scipy sparse X is taken (densified per batch); the CNN estimators say no."""
        return True

    def _allow_nd(self):
        return False

    def _reshape_X(self, X, *, reset):
        """Hook: give validated X the shape the network takes (``reset`` in fit)."""
        return X

    def _meta(self, X, target, X_dtype=None, X_net=None, features=None):
        """The builder's ``meta``: X's part, then the target's.

        ``X_net`` is X as the network takes it (after a ``feature_encoder``):
        ``input_shape_`` is its row shape (a list or dict of shapes for
        several inputs); ``features`` the fitted feature encoder, if any.
        """
        return {
            "n_features_in_": int(np.prod(X.shape[1:])),
            "input_shape_": tuple(int(d) for d in X.shape[1:]) if X_net is None else row_shapes(X_net),
            "X_shape_": X.shape,
            "X_dtype_": X.dtype if X_dtype is None else X_dtype,  # as given (before the float conversion)
            **target.meta(),
        }

    def _set_meta_attributes(self, meta, target, features):
        """Set the fitted attributes that exist before the builder runs (``_meta_attributes`` of meta)."""
        self.__dict__.update({k: meta[k] for k in self._meta_attributes})

    def _fit_features(self, X):
        """Hook: the fitted feature encoder for X, or None (X goes to the network as validated)."""
        return None

    def _encode_X(self, X, features):
        """X as the network takes it: ``features.transform(X)`` checked, or X itself without an encoder."""
        return X

    def _fitted_target(self):
        """The target object of the fit (the estimator's own side of ``target_encoder_``)."""
        target = self.__dict__.get("_target")
        return self.target_encoder_ if target is None else target

    def _output_check(self, target):
        """What checks the built model's outputs against the target (before it is compiled)."""
        return target.check_output

    def _call_builder(self, builder, meta, params, plan):
        """Hook around :func:`~skdl.estimators._plan.call_builder` (the CNN estimators add a hint)."""
        return call_builder(builder, meta, params, plan=plan, get_params=self.get_params)

    def _builder_caller(self, plan):
        return lambda builder, meta, params: self._call_builder(builder, meta, params, plan)

    # ------------------------------------------------------------------- fit
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Train the network on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or image array
            Training data; a pandas DataFrame records ``feature_names_in_``. A
            scipy sparse matrix stays sparse (CSR) and is densified one batch
            at a time (not by the CNN estimators, which need dense images).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, applied in the loss.
        **fit_params : dict
            ``callbacks`` (extra per-epoch callbacks for this fit),
            ``eval_set=(X_eval, y_eval)`` (monitored every epoch, never used for
            early stopping), ``fit__``-routed options and ``keras.Model.fit``
            keywords (``epochs``, ``batch_size``, ``shuffle``, ``verbose``,
            ``validation_split``, ``validation_batch_size``, ... as in scikeras;
            they win over the ``fit__`` options and the parameters).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "model_")
        return self._fit(X, y, sample_weight, fit_params, continuing=continuing, epochs=None,
                         restart_history=self._warm_start_restarts_history)

    def partial_fit(self, X, y, sample_weight=None, **fit_params):
        """Train for one epoch, continuing from the current weights if fitted.

        Returns
        -------
        self : object
        """
        for key in ("epochs", "initial_epoch"):
            if key in fit_params:
                raise TypeError(
                    f"{type(self).__name__}.partial_fit got {key}={fit_params[key]!r}, but partial_fit always "
                    "trains for 1 epoch, from the current one; call fit for more epochs."
                )
        continuing = hasattr(self, "model_")
        return self._fit(X, y, sample_weight, fit_params, continuing=continuing, epochs=1)

    def _fit(self, X, y, sample_weight, fit_params, *, continuing, epochs, restart_history=False):
        self._validate_params()
        extra_callbacks, eval_set, routed_fit = split_fit_params(type(self).__name__, fit_params)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X_dtype = None if continuing else input_dtype(X)
        X, y = self._validate_X(X, reset=not continuing, y=y)
        n_rows = X.shape[0]
        if n_rows < 1:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        target = self._fitted_target() if continuing else self._make_target().fit(y)
        y_enc = target.transform(target.check_continuation(y) if continuing else y)
        features = self.__dict__.get("feature_encoder_") if continuing else self._fit_features(X)
        X_net = network_input(self._encode_X(X, features))  # X itself without a feature encoder
        sw = sample_weights(sample_weight, X, target.sample_weight_factors(y_enc, self._class_weight(), y=y))
        plan = make_plan(self, loss=target.loss_, default_metrics=target.default_metrics, fit_params=routed_fit)
        if not continuing:  # a search's shared graph (skdl.architectures._shared): unpickling rebuilds it
            self._graph_sharing_ = current_sharing()
        if epochs is None:  # fit(epochs=) > fit__epochs > epochs, as in scikeras; 0: initialize()
            epochs = plan.epochs or self.epochs
        meta = self._meta_ if continuing else self._meta(X, target, X_dtype, X_net, features)
        if not continuing:  # before the builder runs: a subclass's _keras_build_fn may read them
            self._set_meta_attributes(meta, target, features)
        value = self._fit_value  # skdl's own parameters as this fit uses them
        random_state = value("random_state")
        rng = fit_rng(random_state, getattr(self, "n_iter_", 0) if continuing else 0)
        owner = type(self).__name__
        train_idx, val_idx = np.arange(n_rows), None
        if plan.validation_split:  # Keras' rule (the last rows); early stopping then watches them too
            train_idx, val_idx = split_last_rows(owner, n_rows, plan.validation_split)
        elif value("early_stopping"):
            train_idx, val_idx = split_validation(owner, n_rows, value("validation_fraction"),
                                                  target.stratify(y_enc), rng)
        batch_size = resolve_batch_size(plan.batch_size, len(train_idx), owner=owner)
        auto_epochs = isinstance(epochs, str)
        if epochs:  # 0 is initialize(); "auto" is a budget in updates for these training rows
            epochs = resolve_epochs(epochs, len(train_idx), batch_size)
        val_batch_size = None if val_idx is None else resolve_batch_size(
            plan.batch_size if plan.validation_batch_size is None else plan.validation_batch_size, len(val_idx),
            owner=owner, name="validation_batch_size")
        eval_data = None  # everything that can fail is checked before a network is taken
        if eval_set is not None:
            Xe = self._validate_X(eval_set[0], reset=False)
            eval_data = (plain(network_input(self._encode_X(Xe, features))), plain(target.transform(eval_set[1])),
                         np.ones(Xe.shape[0], np.float32))
        data = EpochData(X_net, y_enc, sw, train_idx, shuffle=plan.shuffle, eval_set=eval_data,
                         validation=None if val_idx is None else (take_rows(X_net, val_idx), y_enc[val_idx],
                                                                  sw[val_idx]),
                         validation_batch_size=val_batch_size)
        keras = runtime.get_keras()
        user = [*extra_callbacks, *plan.callbacks, *plan.fit_callbacks]
        keep_history = continuing and not restart_history
        callbacks = self._fit_callbacks(plan, user, val_idx is not None, epochs, keep_history, keras,
                                        auto_epochs=auto_epochs)
        history = {k: list(v) for k, v in getattr(self, "history_", {}).items()} if keep_history else None
        try:
            if not continuing:
                seed = None if random_state is None else int(rng.randint(0, 2**31 - 1))
                keras_cbs = [cb for cb in user if isinstance(cb, keras.callbacks.Callback)]
                self._new_network(plan, meta, target, (X_net[:2], y_enc[:2], sw[:2]), seed, keras_cbs,
                                  sparse_input=is_sparse_rows(X_net))
            run = None
            if not epochs:  # initialize(): build only, with the rate a later warm-started fit continues from
                rate = plan.start_rate(self._network.model)
                if rate is not None:
                    self._network.begin()
                    self._network.set_learning_rate(rate)
                    self._network.end()
            else:
                run = run_epochs(self._network, data, epochs=epochs, batch_size=batch_size, rng=rng,
                                 callbacks=callbacks, history=history,
                                 learning_rate=plan.start_rate(self._network.model)
                                 if not continuing or plan.learning_rate is not None else None)
        except BaseException:
            self._release_network()
            for attr in ("model_", "history_"):
                self.__dict__.pop(attr, None)
            raise
        self._target = target
        self.target_encoder_ = target.encoder  # the target object itself, or a user's encoder
        if features is not None:
            self.feature_encoder_ = features
        self._adopt_target(target)
        self.model_ = self._network.model
        self._meta_ = meta
        # predict calls the Keras callbacks of `callbacks` and predict__callbacks (scikeras)
        self._predict_callbacks = [cb for cb in (*plan.callbacks, *plan.predict_callbacks)
                                   if isinstance(cb, keras.callbacks.Callback)]
        if run is None:  # initialize(): built, not trained (no history of an earlier fit)
            for attr in ("history_", "n_iter_", "best_epoch_"):
                self.__dict__.pop(attr, None)
            return self
        self.history_ = self._history_names(run.history, run.logs)
        self.n_iter_ = len(run.history.get("loss", []))
        if value("early_stopping"):
            self.best_epoch_ = next(cb for cb in callbacks if isinstance(cb, cbs.EarlyStopping)).best_epoch_
        for message, category in run.warnings:  # after the fitted attributes: "error" filters keep the model
            warnings.warn(message, category, stacklevel=3)
        return self

    def _class_weight(self):
        return getattr(self, "class_weight", None)

    def _fit_callbacks(self, plan, user, has_validation, epochs, continuing, keras, *, auto_epochs=False):
        """This fit's callbacks, in the order the loop calls them (docs/design.md).

        ``auto_epochs``: ``epochs`` was resolved from ``"auto"`` (for the warning's advice).
        """
        owner = type(self).__name__
        value = self._fit_value
        patience, min_delta, early_stopping, checkpoint = (value(k) for k in ("patience", "min_delta",
                                                                               "early_stopping", "checkpoint"))
        monitor = value("monitor") or ("val_loss" if has_validation else "loss")
        out = [cbs.DivergenceGuard(owner)]
        if plan.schedule is not None:
            out.append(cbs.LRScheduler(plan.schedule, epochs))
        out.append(cbs.EarlyStopping(monitor, patience, min_delta, restore_best_weights=early_stopping,
                                     reason="early_stopping" if early_stopping else "converged"))
        if checkpoint is not None:
            out.append(cbs.Checkpoint(checkpoint, monitor, min_delta))
        for cb in user:
            if isinstance(cb, cbs.Callback):
                out.append(cb)
            elif isinstance(cb, keras.callbacks.Callback):
                out.append(cbs.KerasCallback(cb))
            else:
                out.append(cbs.EpochHook(cb))
        if plan.verbose:
            out.append(cbs.EpochLogger(epochs + getattr(self, "n_iter_", 0) * continuing))
        if patience is not None and epochs > 1 and not continuing:
            out.append(cbs.ConvergenceCheck(owner, monitor, epochs, auto=auto_epochs))
        out.append(cbs.InterruptWarning(owner))
        return out

    # ---------------------------------------------------------------- network
    def _new_network(self, plan, meta, target, sample, seed, keras_callbacks, sparse_input=False):
        """Take a network from the pool (re-initialised) or build one; this estimator owns it.

        The previous fit's network is given back only once the new one is owned
        (``own_network``), so a refit always trains a different ``keras.Model``.
        ``sparse_input``: X is a sparse matrix, which feeds a model with one input only.
        """
        engine = self._fit_value("engine")
        if plan.run_eagerly:  # the compiled engine traces the train step: eager needs model.fit
            if engine == "compiled":
                raise ValueError(f"{type(self).__name__} got run_eagerly=True and engine='compiled'; "
                                 "eager execution needs engine='keras' or 'auto'.")
            engine = "keras"
        engine = self._engine_for(engine, sample)
        key = plan.pool_key({k: v for k, v in meta.items() if k not in _ENCODER_META}, type(self),
                            self._pool_meta_keys)
        if key is not None:  # the compiled step is traced for these row shapes and dtypes
            key = (key, row_signature(sample[0]), row_signature(sample[1]))
        check = self._output_check(target)
        if sparse_input:
            check = _one_input_for_sparse(check, type(self).__name__)
        with runtime.seeded(seed):
            net = make_network(
                lambda: plan.build_model(meta, self._builder_caller(plan), check),
                sample,
                key=key,
                engine=engine,
                keras_callbacks=keras_callbacks,
                fit_kwargs=plan.fit_options,
            )
        if net.reusable:
            net.reinitialize(seed)
        if plan.network_values is not None:  # a search's shared graph: this trial's widths, dropout, L2
            plan.network_values(net.model, seed)
        own_network(self, net)

    def _engine_for(self, engine, sample):
        """The engine for this fit: a list or dict of inputs or targets trains through ``model.fit``."""
        if isinstance(sample[0], np.ndarray) and isinstance(sample[1], np.ndarray):
            return engine
        if engine == "compiled":
            raise ValueError(
                f"{type(self).__name__} got engine='compiled', but its encoders give the model a list or "
                "dict of inputs or targets, which only engine='keras' (or 'auto') trains."
            )
        return "keras"

    def _release_network(self):
        release_network(self)

    @property
    def current_epoch(self):
        """Epochs trained so far (``len(history_["loss"])``; 0 before fit), as in scikeras."""
        return len(getattr(self, "history_", {}).get("loss", ()))

    # ------------------------------------------------------------- inference
    def _forward(self, X, **predict_kwargs):
        """The network's outputs for X.

        ``model.predict`` runs them (with ``batch_size``, ``predict__`` options
        and ``predict(X, **kwargs)``, and the Keras callbacks of ``callbacks``
        and ``predict__callbacks``) when such options are given or a callback
        has a predict hook, as in scikeras; else the engine's own prediction,
        which gives the same outputs faster.
        """
        check_is_fitted(self, "model_")
        X = self._validate_X(X, reset=False)
        n_rows = X.shape[0]
        X = plain(network_input(self._encode_X(X, self.__dict__.get("feature_encoder_"))))
        net = self.__dict__.get("_network")
        if net is None:
            raise RuntimeError("the estimator's network is missing; refit or reload it")
        options = self._predict_options(predict_kwargs)
        callbacks = options.pop("callbacks", None)
        callbacks = list(self.__dict__.get("_predict_callbacks", ())) if callbacks is None else list(callbacks)
        several_outputs = len(self.model_.outputs) > 1  # a list or dict of outputs, from model.predict
        if options or several_outputs or any(runtime.overrides_hook(cb, _PREDICT_HOOKS) for cb in callbacks):
            batch_size = resolve_batch_size(options.pop("batch_size", self.batch_size), n_rows,
                                            owner=type(self).__name__)
            net.sync()
            if is_sparse_rows(X):  # densified one batch at a time
                X, batch_size = dense_batches(X, batch_size=batch_size), None
            out = self.model_.predict(X, batch_size=batch_size, callbacks=callbacks,
                                      verbose=options.pop("verbose", 0), **options)
        else:
            out = net.predict(X)
        if isinstance(out, (list, tuple, dict)):  # several outputs: as Keras gives them, in float64
            return _float64_outputs(out)
        return np.asarray(out, dtype=np.float64)

    def _predict_options(self, predict_kwargs):
        """``predict__`` options (read now, so set_params after fit counts) updated with the call's."""
        options = {k: v for k, v in route_params(self._all_extra_params(), "predict").items()
                   if not k.startswith("callbacks")}
        options.update(predict_kwargs)
        unknown = sorted(set(options) - set(PREDICT_KEYWORDS))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got the prediction option(s) {unknown} (predict__ or a predict "
                f"keyword); model.predict takes {', '.join(PREDICT_KEYWORDS)}."
                f"{did_you_mean(unknown[0], PREDICT_KEYWORDS)}"
            )
        return options

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        return network_state(self, self.__dict__.copy())

    def __setstate__(self, state):
        saved = state.pop("_weights_state", None)
        self.__dict__.update(state)
        if saved is not None:
            self._restore_network(saved)

    def _restore_network(self, saved):
        """Rebuild the network of a fitted estimator (unpickling, :func:`skdl.load`) with ``saved`` weights."""
        target, meta = self._fitted_target(), self._meta_
        sharing = getattr(self, "_graph_sharing_", None)
        with contextlib.nullcontext() if sharing is None else shared_mlp_graphs(sharing.max_units, sharing.widths):
            plan = make_plan(self, loss=target.loss_, default_metrics=target.default_metrics, fit_params={})
            sample = (zeros_rows(meta["input_shape_"], 2), target.dummy(2), np.ones(2, np.float32))
            with runtime.seeded(0):
                net = make_network(lambda: plan.build_model(meta, self._builder_caller(plan), self._output_check(target)),
                                   sample, key=None, engine=self._engine_for(self._fit_value("engine"), sample),
                                   fit_kwargs=plan.fit_options)
        assign_weights(net.model, saved)
        self._network = net
        self.model_ = net.model

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
        tags.input_tags.sparse = self._accept_sparse()
        tags.input_tags.allow_nan = False
        return tags
