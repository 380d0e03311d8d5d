"""KerasClassifier and KerasRegressor: wrap your own model builder or keras.Model.

They accept scikeras's calling conventions: ``model=`` a function that returns
a ``keras.Model`` (compiled or not) and may take ``meta``, ``compile_kwargs``
and ``params``; its own hyperparameters given bare (``hidden_layer_dim=100``)
or routed (``model__hidden_layer_dim=100``); ``optimizer__…``, ``loss__…``,
``compile__…``, ``fit__…`` and ``callbacks__…`` routed options. A scikeras user
switches by changing the import.
"""

from __future__ import annotations

import inspect
import numbers
import warnings

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, Options, StrOptions

from skdl.estimators._base import BaseKerasEstimator
from skdl.estimators._docs import training_params
from skdl.estimators._routing import route_params
from skdl.estimators._targets import ClassifierTargetMixin, RegressorTargetMixin, classifier_tags


class _KerasModelMixin:
    """The model-builder side shared by KerasClassifier and KerasRegressor."""

    # scikeras stores any keyword and ignores what no route reads: code written for it
    # must run, so such names get a warning here (an error in skdl's own estimators)
    _unknown_routed_names = "warn"
    # callback instances are the ones called (scikeras): a callback keeps what it recorded
    _callback_instances = "as_given"

    _parameter_constraints = {
        **BaseKerasEstimator._parameter_constraints,
        "model": [callable, str, None],  # str: a registered architecture name
        "build_fn": [callable, str, None],
        # scikeras: None is Keras' default of 32, -1 all rows in one batch
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), Options(numbers.Integral, {-1}), None],
        "validation_batch_size": [Interval(numbers.Integral, 1, None, closed="left"),
                                  Options(numbers.Integral, {-1}), None],
        "validation_split": [Interval(numbers.Real, 0, 1, closed="left")],
        "shuffle": ["boolean"],
        "run_eagerly": ["boolean"],
    }

    def _model_param(self):
        """``model``, or ``build_fn`` (scikeras' deprecated alias) when ``model`` is None."""
        return self.build_fn if self.model is None else self.model

    def _get_builder(self):
        model = self._model_param()
        if self.model is None and self.build_fn is not None:
            # scikeras' warning, category and all (a UserWarning)
            warnings.warn(
                "``build_fn`` will be renamed to ``model`` in a future release, at which point use of "
                "``build_fn`` will raise an Error instead.",
                UserWarning,
                stacklevel=5,
            )
        elif self.model is not None and self.build_fn is not None:
            warnings.warn(
                f"{type(self).__name__} got both model= and build_fn= (its deprecated alias); "
                "build_fn is ignored.",
                UserWarning,
                stacklevel=5,
            )
        if model is None:
            raise ValueError(
                f"{type(self).__name__} needs the 'model' parameter: a function returning a "
                "keras.Model, a registered architecture name, or a keras.Model. Got None."
            )
        if isinstance(model, str):
            from skdl.architectures import get_architecture

            return get_architecture(model)
        return model

    def _builder_signature(self):
        model = self._model_param()
        if isinstance(model, str):
            from skdl.architectures import get_architecture

            try:
                model = get_architecture(model)
            except ValueError:  # reported when fitting
                return {}
        if model is None or not callable(model) or hasattr(model, "get_config"):
            return {}
        try:
            return inspect.signature(model).parameters
        except (TypeError, ValueError):
            return {}

    def _bare_param_names(self):
        reserved = {"meta", "compile_kwargs", "params"}
        return tuple(p for p in self._builder_signature() if p not in reserved)

    def _builder_params(self):
        extra = self._all_extra_params()
        params = {k: v for k, v in extra.items() if "__" not in k}
        params.update(route_params(extra, "model"))
        return params


_KERAS_DOC_PARAMS = """
    Parameters
    ----------
    model : callable, str or keras.Model, default=None
        A function returning a ``keras.Model`` (compiled or not). It receives
        its own keyword hyperparameters and, if its signature asks for them,
        ``meta`` (a dict with ``n_features_in_``, ``input_shape_``,
        ``target_type_``, ``n_classes_``, ``n_outputs_``, ``output_activation_``,
        ``classes_``, ``X_shape_``), ``compile_kwargs`` and ``params``. A
        registered architecture name is looked up with
        :func:`skdl.get_architecture`. A ``keras.Model`` is cloned per fit.
    build_fn : callable, str or keras.Model, default=None
        Deprecated alias of ``model`` (keras.wrappers' name), used when
        ``model`` is None, with scikeras' warning.
    validation_split : float, default=0.0
        Share of the rows held out for validation (``val_…`` in ``history_``):
        the last rows, as ``keras.Model.fit`` splits them. With early stopping
        these are the rows it watches (``validation_fraction`` is then unused).
    validation_batch_size : int or None, default=None
        Rows per validation batch (None: ``batch_size``; -1: all).
    shuffle : bool, default=True
        Shuffle the training rows every epoch.
    run_eagerly : bool, default=False
        Compile with ``run_eagerly=True`` and train through ``model.fit``.
""" + training_params(
    optimizer="rmsprop", learning_rate="None", epochs="1", patience="None",
    optimizer_doc="Used when the estimator compiles the model (any Keras optimizer by name,\n"
    "        class or instance; options routed as ``optimizer__…``).",
    callback_copy="used as given (as in scikeras: a callback keeps what it records)",
).replace(
    "    batch_size : int, default=32\n",
    "    batch_size : int or None, default=None\n"
    "        Rows per batch in fit and predict (``fit__batch_size``/``predict__batch_size``\n"
    "        for one of them): None is Keras' default of 32, -1 all rows in one batch.\n",
).format(
    loss_doc="``None`` keeps the loss of a model the builder compiled, else picks one\n"
    "        from the target (see the estimator guide).",
    metrics_doc="default none for regressors, ``[\"accuracy\"]`` for classifiers",
    extra_kwargs=", and the builder's own keyword arguments given bare",
)



class KerasClassifier(ClassifierMixin, ClassifierTargetMixin, _KerasModelMixin, BaseKerasEstimator):
    __doc__ = (
        "A scikit-learn classifier around your own Keras model builder.\n"
        + _KERAS_DOC_PARAMS
        + """    class_weight : dict or "balanced", default=None

    Attributes
    ----------
    model_ : keras.Model
    history_ : dict of list of float
    classes_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray
    n_outputs_ : int
    n_iter_ : int
    best_epoch_ : int
        Index in ``history_`` of the best epoch (with early stopping).

    Examples
    --------
    >>> import keras
    >>> from skdl import KerasClassifier
    >>> def build(meta, units=16):
    ...     return keras.Sequential([
    ...         keras.Input(meta["input_shape_"]),
    ...         keras.layers.Dense(units, activation="relu"),
    ...         keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"]),
    ...     ])
    >>> clf = KerasClassifier(build, units=8, epochs=2, random_state=0)
    >>> clf.fit([[0.0], [1.0]] * 10, [0, 1] * 10).predict([[1.0]]).shape
    (1,)
"""
    )

    _parameter_constraints = {
        **_KerasModelMixin._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        optimizer="rmsprop",
        learning_rate=None,
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        epochs=1,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        lr_schedule=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=None,
        min_delta=1e-4,
        monitor=None,
        class_weight=None,
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self.model = model
        self.build_fn = build_fn
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.epochs = epochs
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.engine = engine
        self._store_kwargs(kwargs)

    def __sklearn_tags__(self):
        return classifier_tags(super().__sklearn_tags__())


class KerasRegressor(RegressorMixin, RegressorTargetMixin, _KerasModelMixin, BaseKerasEstimator):
    __doc__ = (
        "A scikit-learn regressor around your own Keras model builder.\n"
        + _KERAS_DOC_PARAMS
        + """    scale_target : bool, default=False
        Standardise y inside the estimator (predictions are mapped back).

    Attributes
    ----------
    model_ : keras.Model
    history_ : dict of list of float
    n_features_in_ : int
    feature_names_in_ : ndarray
    n_outputs_ : int
    n_iter_ : int
"""
    )

    _parameter_constraints = {
        **_KerasModelMixin._parameter_constraints,
        "scale_target": ["boolean"],
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        optimizer="rmsprop",
        learning_rate=None,
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        epochs=1,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        lr_schedule=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=None,
        min_delta=1e-4,
        monitor=None,
        scale_target=False,
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self.model = model
        self.build_fn = build_fn
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.epochs = epochs
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.scale_target = scale_target
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.engine = engine
        self._store_kwargs(kwargs)
