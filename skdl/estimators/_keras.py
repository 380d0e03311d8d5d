"""KerasClassifier and KerasRegressor: wrap your own model builder or keras.Model.

They accept scikeras's calling conventions: ``model=`` a function that returns
a ``keras.Model`` (compiled or not) and may take ``meta``, ``compile_kwargs``
and ``params``; its own hyperparameters given bare (``hidden_layer_dim=100``)
or routed (``model__hidden_layer_dim=100``); ``optimizer__…``, ``loss__…``,
``compile__…``, ``fit__…`` and ``callbacks__…`` routed options; X of any rank;
the ``target_encoder``/``feature_encoder`` properties a subclass overrides (a
list or dict of arrays from them feeds a model with several inputs or outputs).
A scikeras user switches by changing the import.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import warnings
import weakref

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import Interval, Options, StrOptions, validate_parameter_constraints

from skdl.estimators._base import BaseKerasEstimator
from skdl.estimators._data import input_dtype, network_rows
from skdl.estimators._persistence import assign_weights
from skdl.estimators._docs import training_params
from skdl.estimators._plan import KERAS_RESOLVED_METRICS, make_plan
from skdl.estimators._routing import KERAS_WRAPPER_ROUTES, route_params
from skdl.estimators._targets import (
    ClassifierTarget,
    ClassifierTargetMixin,
    EncodedTarget,
    RegressorTarget,
    RegressorTargetMixin,
    classifier_tags,
    _no_loss,
    encoder_metadata,
)
from skdl.training import own_network, runtime
from skdl.training._network import BaseNetwork


# Keras picks the right accuracy/crossentropy for these from the loss; scikeras passes them through
_KERAS_RESOLVED_METRICS = KERAS_RESOLVED_METRICS


@functools.lru_cache(maxsize=256)
def _full_metric_name(name):
    """Keras' full name of a metric named ``name`` ("mae" -> "mean_absolute_error"), or None.

    scikeras compiles metric names to Keras objects (``keras.metrics.get``), so
    Keras logs these names; the accuracy/crossentropy aliases stay as given.
    Cached: ``keras.metrics.get`` builds a metric (about 4 ms), the answer never changes.
    """
    if name in _KERAS_RESOLVED_METRICS:
        return name
    from skdl.training import runtime

    try:
        metric = runtime.get_keras().metrics.get(name)
    except (ValueError, TypeError):  # not a Keras metric (a custom one's name)
        return None
    full = _class_default_name(metric) or getattr(metric, "name", None) or getattr(metric, "__name__", None)
    return full if isinstance(full, str) else None


def _class_default_name(metric):
    """The name a fresh metric object of this class gets ("auc"), or None.

    ``keras.metrics.get("auc")`` builds an ``AUC()``, whose automatic name Keras
    makes unique in the process ("auc_1" once another AUC exists): the stable
    name, the one a fresh model logs, is the class's default or that name
    without the counter.
    """
    import inspect
    import re

    try:
        default = inspect.signature(type(metric).__init__).parameters["name"].default
    except (KeyError, TypeError, ValueError):
        default = None
    if isinstance(default, str) and default:
        return default
    name = getattr(metric, "name", None)
    match = re.fullmatch(r"(.+)_\d+", name) if isinstance(name, str) else None
    if match and match.group(1).replace("_", "") == type(metric).__name__.lower().replace("_", ""):
        return match.group(1)
    return None


#: skdl's parameters that scikeras does not have: a builder whose signature names one gets it
#: (scikeras routes every keyword it does not declare to the builder), and skdl uses its default
SKDL_ONLY_PARAMS = ("learning_rate", "lr_schedule", "early_stopping", "validation_fraction", "patience",
                    "min_delta", "monitor", "checkpoint", "engine", "scale_target")


def _is_default(value, default):
    """Whether a parameter is left at its default (``None``, ``False``, ``0.1``; ``0`` is not ``False``)."""
    return value is default or (type(value) is type(default) and value == default)


def _seed_from(random_state):
    """scikeras' handling of ``random_state``: a RandomState instance gives one seed, drawn from a copy.

    The instance is never advanced, so the same instance gives the same model
    every fit (scikeras' ``_initialize``); an int or None is returned as is.
    """
    if not isinstance(random_state, np.random.RandomState):
        return random_state
    copy = np.random.RandomState()
    copy.set_state(random_state.get_state())
    return int(copy.randint(0, 2**31 - 1))


def _full_log_name(key):
    """The history key scikeras reports for a logged ``key`` ("val_mae" -> "val_mean_absolute_error"), or None."""
    prefix = next((p for p in ("val_", "eval_") if key.startswith(p)), "")
    name = key[len(prefix):]
    if name in ("loss", "learning_rate"):
        return None
    full = _full_metric_name(name)
    return None if full is None else prefix + full


#: class -> its parameter names (``_KerasModelMixin._get_param_names``)
_PARAM_NAMES = weakref.WeakKeyDictionary()


class _KerasModelMixin:
    """The model-builder side shared by KerasClassifier and KerasRegressor."""

    # scikeras stores any keyword and ignores what no route reads: code written for it
    # must run, so such names get a warning here (an error in skdl's own estimators)
    _unknown_routed_names = "warn"
    # callback instances are the ones called (scikeras): a callback keeps what it recorded
    _callback_instances = "as_given"
    # scikeras' model handling (_plan.FitPlan.scikeras_model): a compiled model is kept, a
    # keras.Model instance is model_ with its weights, **kwargs builders get compile_kwargs and params
    _scikeras_model = True

    _parameter_constraints = {
        **BaseKerasEstimator._parameter_constraints,
        "model": [callable, str, None],  # str: a registered architecture name
        "build_fn": [callable, str, None],
        # scikeras: None is Keras' default of 32, -1 all rows in one batch
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), Options(numbers.Integral, {-1}),
                       StrOptions({"auto"}), None],
        "validation_batch_size": [Interval(numbers.Integral, 1, None, closed="left"),
                                  Options(numbers.Integral, {-1}), None],
        "validation_split": [Interval(numbers.Real, 0, 1, closed="left")],
        "shuffle": ["boolean"],
        "run_eagerly": ["boolean"],
    }

    _routes = KERAS_WRAPPER_ROUTES  # adds score__ (options of scorer)

    def _set_init_params(self, args):
        """Store the arguments of ``__init__`` (its ``locals()``): each named one, then ``**kwargs``."""
        for name, value in args.items():
            if name not in ("self", "kwargs", "__class__"):
                setattr(self, name, value)
        self._store_kwargs(args.get("kwargs", {}))

    # scikeras' fitted attributes, also in meta (wrappers.py _validate_data and the encoders' get_metadata)
    _meta_attributes = ("target_type_", "X_dtype_", "X_shape_", "y_dtype_", "y_ndim_", "n_outputs_expected_")
    _warm_start_restarts_history = True  # scikeras: fit(initial_epoch=0) starts history_ again

    def _metrics_to_compile(self, metrics):
        # as scikeras: metrics=["mae"] compiles as keras.metrics.get("mae"), so Keras logs
        # "mean_absolute_error" and "val_mean_absolute_error" (a name string keeps the pool key stable)
        return tuple((_full_metric_name(m) or m) if isinstance(m, str) else m for m in metrics)

    def _history_names(self, history, logged):
        # a model the builder compiled logs its own short names ("mae"); scikeras renames the
        # training keys (scikeras.utils.metric_name), skdl the val_/eval_ keys too. A name
        # whose full form is logged as well (metrics=["mae", "mean_absolute_error"]) stays.
        logged = set(logged or ())
        aliases = {}
        for key in logged:
            full = _full_log_name(key)
            if full is not None and full != key and full not in logged:
                aliases[key] = full
        out = {}
        for key, values in history.items():  # continued fits: earlier epochs come first
            out.setdefault(aliases.get(key, key), []).extend(values)
        return out

    def _score(self, X, y, sample_weight):
        # scikeras' score: the class's (or a subclass's) scorer on predict(X), with the score__ options
        options = route_params(self._all_extra_params(), "score")
        return self.scorer(y, self.predict(X), sample_weight=sample_weight, **options)

    # ---------------------------------------------------------------- X
    def _allow_nd(self):
        # scikeras: check_X_y(..., allow_nd=True): X of any rank reaches the builder as given
        return True

    def _reshape_X(self, X, *, reset):
        # scikeras' _validate_data: after fit, X must have the fitted rank and row shape
        # (sklearn's own check only compares X.shape[1])
        expected = None if reset else self.__dict__.get("X_shape_")
        if expected is not None:
            name = type(self).__name__
            if X.ndim != len(expected):
                raise ValueError(
                    f"X has {X.ndim} dimensions, but this {name} is expecting {len(expected)} dimensions "
                    f"in X (it was fitted on X of shape {tuple(expected)})."
                )
            if tuple(X.shape[1:]) != tuple(expected[1:]):
                raise ValueError(
                    f"X has shape {tuple(X.shape[1:])}, but this {name} is expecting X of shape "
                    f"{tuple(expected[1:])} (per sample)."
                )
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------ encoders
    @property
    def feature_encoder(self):
        """A fresh, unfitted transformer for X, as in scikeras: override it in a subclass.

        ``fit`` fits it on the validated X (``feature_encoder_``) and the model
        trains on and predicts from its ``transform(X)``: an array of any
        shape, or a list or dict of arrays for a model with several inputs
        (such models train through ``model.fit``). ``get_metadata()``, if the
        transformer has it, returns a dict that is set on the estimator and
        added to ``meta`` before the builder runs.

        Returns
        -------
        sklearn.preprocessing.FunctionTransformer
            The default passes X through unchanged.
        """
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer()

    def _target_from_encoder(self):
        """The fit's target object: the default encoder itself, or an adapter around a subclass's."""
        encoder = self.target_encoder
        self.__dict__.pop("_classes_hint", None)
        if isinstance(encoder, (ClassifierTarget, RegressorTarget)):
            return encoder
        owner = type(self).__name__
        if not callable(getattr(encoder, "fit", None)):
            raise TypeError(
                f"The target_encoder of {owner} must be an unfitted sklearn-style transformer with fit, "
                f"transform and inverse_transform; got {type(encoder).__name__}."
            )
        if getattr(self, "scale_target", False) and self._fit_value("scale_target"):
            raise ValueError(
                f"{owner} got scale_target=True and a custom target_encoder ({type(encoder).__name__}); "
                "scale_target applies to the default encoder only: scale y in your encoder instead."
            )
        return EncodedTarget(encoder, classifier=is_classifier(self), loss=self.loss, owner=owner)

    def _fit_features(self, X):
        encoder = self.feature_encoder
        owner = type(self).__name__
        if not callable(getattr(encoder, "fit", None)):
            raise TypeError(
                f"The feature_encoder of {owner} must be an unfitted sklearn-style transformer with fit "
                f"and transform; got {type(encoder).__name__}."
            )
        fitted = encoder.fit(X)
        if fitted is None or not callable(getattr(fitted, "transform", None)):
            raise TypeError(
                f"The feature_encoder of {owner} ({type(encoder).__name__}): fit must return the fitted "
                f"transformer (self), with a transform method; it returned {type(fitted).__name__}."
            )
        return fitted

    def _encode_X(self, X, features):
        if features is None or _is_identity(features):
            return X
        return network_rows(features.transform(X), X.shape[0], owner=type(self).__name__, what="feature_encoder")

    def _meta(self, X, target, X_dtype=None, X_net=None, features=None):
        # scikeras' meta: its attributes, the encoders' metadata and the fitted encoders themselves
        meta = super()._meta(X, target, X_dtype, X_net, features)
        meta["n_features_in_"] = int(X.shape[1])  # sklearn's (and scikeras') definition, for X of any rank
        meta.update(encoder_metadata(features, "feature_encoder", type(self).__name__))
        meta["target_encoder_"] = target.encoder
        meta["feature_encoder_"] = features
        return meta

    def _set_meta_attributes(self, meta, target, features):
        # scikeras' _initialize: the encoders' get_metadata() become attributes before the builder runs
        attrs = {k: meta[k] for k in self._meta_attributes if k in meta}
        own = {} if isinstance(target, (ClassifierTarget, RegressorTarget)) else target.get_metadata()
        own.update(encoder_metadata(features, "feature_encoder", type(self).__name__))
        given = {**target.get_metadata(), **own}
        if own:  # a user's encoder must not overwrite a parameter
            clash = sorted(set(own) & set(self._get_param_names()))
            if clash:
                raise ValueError(
                    f"The encoders' get_metadata() of {type(self).__name__} return {clash}, which are "
                    "parameters of the estimator; metadata become fitted attributes, so name them "
                    "differently (scikeras' convention: a trailing underscore, as 'n_classes_')."
                )
        attrs.update(given)
        attrs["target_encoder_"] = target.encoder
        attrs["feature_encoder_"] = features
        self.__dict__.update(attrs)

    def _output_check(self, target):
        check = target.check_output
        owner = type(self).__name__

        def checked(model, user_compiled=False):
            # scikeras' _check_model_compatibility: the encoder says how many outputs the model has
            expected = getattr(self, "n_outputs_expected_", None)
            n_outputs = len(model.outputs)
            if expected and expected != n_outputs:
                raise ValueError(
                    f"The target_encoder of {owner} ({type(target.encoder).__name__}) expects a Keras model "
                    f"with {expected} output(s) (its n_outputs_expected_), but the model has {n_outputs} "
                    "outputs. Build the model with that many outputs, or use a target_encoder for this model."
                )
            check(model, user_compiled=user_compiled)

        return checked

    @property
    def initialized_(self):
        """Whether the model is built (by :meth:`fit`, :meth:`partial_fit` or :meth:`initialize`), as in scikeras."""
        return hasattr(self, "model_")

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
        own = getattr(self, "_keras_build_fn", None)  # scikeras' subclassing hook
        if model is None:
            if own is None:
                raise ValueError(
                    f"{type(self).__name__} needs the 'model' parameter (a function returning a "
                    "keras.Model, a registered architecture name, or a keras.Model), or a subclass "
                    "that implements _keras_build_fn. Got model=None."
                )
            return own
        if own is not None:
            raise ValueError(
                f"{type(self).__name__} implements _keras_build_fn, so it cannot take the 'model' "
                f"parameter as well; got model={model!r}. Remove one of them."
            )
        if isinstance(model, str):
            from skdl.architectures import get_architecture

            return get_architecture(model)
        return model

    @classmethod
    def _get_param_names(cls):
        # scikeras' subclasses take their own parameters and pass the rest on with
        # ``__init__(self, hidden=..., **kwargs)``: the parameters are those of every
        # __init__ up the class tree that passes **kwargs on, not only the subclass's.
        # Cached per class (get_params runs several times per fit; a class's __init__ stays)
        cached = _PARAM_NAMES.get(cls)
        if cached is not None:
            return list(cached)
        names = []
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            if not issubclass(klass, BaseKerasEstimator):
                break
            params = inspect.signature(init).parameters.values()
            names += [p.name for p in params if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
                      and p.name not in names]
            if not any(p.kind == p.VAR_KEYWORD for p in params):
                break
        _PARAM_NAMES[cls] = tuple(sorted(names))
        return sorted(names)

    def get_params(self, deep=True):
        out = {}
        for key in self._get_param_names():
            if not hasattr(self, key):
                # an __init__ argument that a subclass never stores (the scikeras MLP
                # tutorial's ``optimizer__learning_rate=0.001``) is no parameter, as in scikeras
                continue
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        out.update(self._all_extra_params())
        return out

    def _builder_signature(self):
        model = self._builder_or_none()
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

    def _builder_or_none(self):
        model = self._model_param()
        return getattr(self, "_keras_build_fn", None) if model is None else model

    def _bare_param_names(self):
        reserved = {"meta", "compile_kwargs", "params"}
        signature = self._builder_signature()
        names = [name for name, p in signature.items()
                 if name not in reserved and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        if any(p.kind == p.VAR_KEYWORD for p in signature.values()):
            # a **kwargs builder receives every bare keyword (scikeras' user parameters)
            names += [k for k in self._extra_param_names() if "__" not in k and k not in names]
        return tuple(names)

    def _builder_claims(self):
        """skdl-only parameters (:data:`SKDL_ONLY_PARAMS`) that the builder's signature names."""
        signature = self._builder_signature()
        return [name for name in SKDL_ONLY_PARAMS if name in signature and hasattr(self, name)]

    def _fit_value(self, name):
        # a parameter the builder names is the builder's (scikeras has no such parameter): skdl uses
        # its default; a RandomState instance gives one seed, drawn from a copy (scikeras)
        if name == "random_state":
            return _seed_from(self.random_state)
        if name in _SKDL_ONLY_DEFAULTS and name in self._builder_claims():
            return _SKDL_ONLY_DEFAULTS[name]
        return getattr(self, name)

    def _validate_params(self):
        # the builder's values are the builder's to check (learning_rate=, patience= of its own)
        claims = self._builder_claims()
        if not claims:
            return super()._validate_params()
        constraints = {k: v for k, v in self._parameter_constraints.items() if k not in claims}
        validate_parameter_constraints(constraints, self.get_params(deep=False), caller_name=type(self).__name__)

    def _builder_params(self):
        extra = self._all_extra_params()
        params = {k: v for k, v in extra.items() if "__" not in k}
        # an skdl-only parameter the builder names reaches it, unless it is left at skdl's default
        # (then the builder's own default applies: clone() passes every parameter)
        params.update((name, getattr(self, name)) for name in self._builder_claims()
                      if not _is_default(getattr(self, name), _SKDL_ONLY_DEFAULTS[name]))
        params.update(route_params(extra, "model"))
        return params


# the fitted attributes both Keras classes share with scikeras
_KERAS_DOC_SCIKERAS_ATTRS = """    target_type_ : str
        "binary", "multiclass" or "multilabel-indicator" (classifier),
        "continuous" or "continuous-multioutput" (regressor).
    X_dtype_ : numpy.dtype
        dtype of the training X as given (uint8 pixels stay uint8; the network
        trains on float32).
    X_shape_ : tuple
        Shape of the training X.
    y_dtype_ : numpy.dtype
        dtype of the training y as given.
    y_ndim_ : int
        Dimensions of the training y as given (2 for a column vector).
    n_outputs_expected_ : int
        Outputs of the Keras model (1 with the default ``target_encoder``;
        a custom one's ``get_metadata()`` may say more).
    target_encoder_ : transformer
        The fitted ``target_encoder``: ``transform(y)`` is what the model
        trains on, ``inverse_transform(outputs)`` what ``predict`` returns.
    feature_encoder_ : transformer
        The fitted ``feature_encoder`` (by default ``FunctionTransformer()``,
        X unchanged).
    initialized_ : bool
        Whether the model is built (by ``fit``, ``partial_fit`` or ``initialize``).
    current_epoch : int
        Epochs trained so far (0 before fit and after ``initialize``).
"""

_KERAS_DOC_PARAMS = """
    Parameters
    ----------
    model : callable, str or keras.Model, default=None
        A function returning a ``keras.Model`` (compiled or not). It receives
        its own keyword hyperparameters and, if its signature asks for them,
        ``meta`` (a dict with ``n_features_in_``, ``input_shape_``,
        ``target_type_``, ``n_classes_``, ``n_outputs_``, ``output_activation_``,
        ``classes_``, ``X_shape_``, ``X_dtype_``, ``y_dtype_``, ``y_ndim_``,
        ``n_outputs_expected_``, ``target_encoder_``, ``feature_encoder_`` and
        what the encoders' ``get_metadata()`` return), ``compile_kwargs`` (Keras
        objects for ``model.compile(**compile_kwargs)``) and ``params``; one with
        ``**kwargs`` gets all three. X may have any number of dimensions (images,
        sequences); ``input_shape_`` is the shape of one sample as the model
        takes it, after the ``feature_encoder``. A registered architecture name
        is looked up with :func:`skdl.get_architecture`. A model the builder
        compiled is not recompiled (a different ``loss`` is a ValueError). A
        ``keras.Model`` is used as it is, as in scikeras: ``model_`` is that
        object, with its weights and optimizer; it is compiled only if it is
        not, and a refit continues from its weights.
        The parameters scikeras does not have (``learning_rate``,
        ``lr_schedule``, ``early_stopping``, ``validation_fraction``,
        ``patience``, ``min_delta``, ``monitor``, ``checkpoint``, ``engine``,
        ``scale_target``) are the builder's when its signature names them, as
        in scikeras: it gets the value (unless that is skdl's default, where
        the builder's own default applies) and the estimator uses its default.
        A builder taking ``**kwargs`` names none of them.
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
    "    batch_size : int or \"auto\", default=32\n"
    "        Rows per batch; \"auto\" is scikit-learn's ``min(200, n_samples)``.\n",
    "    batch_size : int, \"auto\" or None, default=None\n"
    "        Rows per batch in fit and predict (``fit__batch_size``/``predict__batch_size``\n"
    "        for one of them): None is Keras' default of 32, -1 all rows in one batch,\n"
    "        \"auto\" scikit-learn's ``min(200, n_samples)``.\n",
).replace(
    "two fits give identical predictions on CPU.\n",
    "two fits give identical predictions on CPU.\n"
    "        A RandomState instance gives one seed, drawn from a copy, as in scikeras:\n"
    "        it is never advanced, so every fit with it gives the same model.\n",
).format(
    loss_doc="``None`` keeps the loss of a model the builder compiled (a different loss\n"
    "        given for such a model is a ValueError), else picks one from the target\n"
    "        (see the estimator guide).",
    metrics_doc="default none for regressors, ``[\"accuracy\"]`` for classifiers",
    extra_kwargs=", and the builder's own keyword arguments given bare",
)



def _is_identity(encoder):
    """Whether ``encoder`` is the default ``FunctionTransformer()`` (its transform is X itself: skipped)."""
    from sklearn.preprocessing import FunctionTransformer

    return type(encoder) is FunctionTransformer and encoder.func is None


class _NoTarget:
    """The target side of ``initialize(X)`` without y: nothing to fit, encode or check."""

    def __init__(self, encoder):
        self.encoder = encoder

    def meta(self):
        return {}

    def get_metadata(self):
        return {}


class _PredictOnlyNetwork(BaseNetwork):
    """The network of a model built by ``initialize(X)`` without y: it predicts and does not train.

    A later ``fit``/``partial_fit`` builds the model again for its target
    (a given ``keras.Model`` keeps its weights, so nothing is lost).
    """

    def __init__(self, model):
        self.model = model
        self.backend = runtime.get_keras().backend.backend()

    def predict(self, X):
        return np.asarray(self.model.predict(X, verbose=0, batch_size=1024))

    def _cannot(self, *args, **kwargs):
        raise RuntimeError("a model initialized without y only predicts; fit it with y to train it")

    reinitialize = set_learning_rate = learning_rate = train_epoch = evaluate = _cannot


def _in_output_dtypes(out, model):
    """The model's outputs (float64 from ``_forward``) back in the dtypes the model gives (exact)."""
    dtypes = [getattr(o, "dtype", None) for o in model.outputs]
    if isinstance(out, dict):
        return {k: np.asarray(v, dtype=runtime.get_keras().backend.floatx()) for k, v in out.items()}
    if isinstance(out, list):
        return [v if d is None else np.asarray(v, dtype=d) for v, d in zip(out, dtypes)]
    return out if dtypes[0] is None else np.asarray(out, dtype=dtypes[0])


class BaseWrapper(_KerasModelMixin, BaseKerasEstimator):
    __doc__ = (
        "A scikit-learn estimator around your own Keras model, neither classifier nor regressor (scikeras' base).\n\n"
        "    Subclass it for models whose target is not a label or a value to\n"
        "    regress (an autoencoder, a model with its own encoders): ``fit(X, y)``\n"
        "    trains on ``target_encoder``'s ``transform(y)`` and ``predict(X)``\n"
        "    returns ``target_encoder_.inverse_transform`` of the model's outputs,\n"
        "    both encoders passing data through unchanged by default. ``score``\n"
        "    calls the ``scorer`` a subclass provides. A subclass may extend\n"
        "    ``_initialize(X, y)`` (build the model; return the X and y to train on)\n"
        "    as in scikeras. KerasClassifier and KerasRegressor are its subclasses.\n"
        + _KERAS_DOC_PARAMS
        + """
    Attributes
    ----------
    model_ : keras.Model
    history_ : dict of list of float
    n_features_in_ : int
    feature_names_in_ : ndarray
    n_iter_ : int
"""
        + _KERAS_DOC_SCIKERAS_ATTRS
    )

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
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self._set_init_params(locals())

    @property
    def target_encoder(self):
        """A fresh, unfitted transformer for y, as in scikeras: override it in a subclass.

        Returns
        -------
        sklearn.preprocessing.FunctionTransformer
            The default passes y through unchanged (the model trains on y as
            given and ``predict`` returns the model's outputs).
        """
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer()

    def _make_target(self):
        return self._target_from_encoder()

    def _adopt_target(self, target):
        """Nothing beyond the encoders' metadata (scikeras' BaseWrapper sets no target attributes)."""

    # ------------------------------------------------ scikeras' fit sequence
    def _extends_initialize(self):
        # a subclass that extends _initialize (scikeras' AutoEncoder tutorial) gets scikeras'
        # sequence: build through it, then train on the (X, y) it returns; else one pass
        return type(self)._initialize is not BaseWrapper._initialize

    def fit(self, X, y, sample_weight=None, **fit_params):
        self._forget_predict_only()
        if not self._extends_initialize():
            return super().fit(X, y, sample_weight, **fit_params)
        if not (self.warm_start and self.initialized_):
            X, y = self._initialize(X, y)
        return self._fit(X, y, sample_weight, fit_params, continuing=True, epochs=None, restart_history=True)

    fit.__doc__ = BaseKerasEstimator.fit.__doc__

    def partial_fit(self, X, y, sample_weight=None, **fit_params):
        self._forget_predict_only()
        if self._extends_initialize() and not self.initialized_:
            X, y = self._initialize(X, y)
        return super().partial_fit(X, y, sample_weight, **fit_params)

    partial_fit.__doc__ = BaseKerasEstimator.partial_fit.__doc__

    def _initialize(self, X, y=None):
        """Build the model for (X, y) without training it; returns the validated ``(X, y)``.

        What ``initialize`` and every fit that starts afresh run, as scikeras'
        ``_initialize``: validate X and y, fit the encoders (their metadata
        become attributes) and build the model. A subclass may extend it and
        return other arrays to train on (``return X, X`` for an autoencoder).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            None builds the model for prediction only (see :meth:`initialize`).

        Returns
        -------
        X, y : ndarray
            X and y as validated (y is None when not given).
        """
        if y is None:
            return self._initialize_without_y(X), None
        self._fit(X, y, None, {}, continuing=False, epochs=0)
        return self._validate_X(X, reset=False, y=y)

    def initialize(self, X, y=None):
        """Build the model for (X, y) without training it, as scikeras' ``initialize``.

        Validates X and y, fits the encoders and builds (and compiles)
        the model, so that :meth:`predict` works right away. ``fit`` does this
        itself; a later ``fit`` with ``warm_start=True`` or ``partial_fit``
        continues from this model. A ``keras.Model`` given as ``model`` (e.g.
        one loaded with ``keras.saving.load_model``) keeps its weights, so it
        predicts right away as it did before; so does a model the builder
        returns with trained or loaded weights. Without y (a model that only
        predicts, as scikeras allows for ``BaseWrapper``), the model is built
        but not compiled, and a later fit builds it again for its y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None

        Returns
        -------
        self : object
            The estimator, ready to predict (``current_epoch`` is 0).
        """
        self._initialize(X, y)
        return self

    def _initialize_without_y(self, X):
        target = self._make_target()
        if not _is_identity(target.encoder):
            raise ValueError(
                f"{type(self).__name__}.initialize requires y (its target_encoder "
                f"{type(target.encoder).__name__} is fitted on y); only an estimator whose target_encoder "
                "passes y through unchanged can be initialized from X alone."
            )
        self._validate_params()
        X_dtype = input_dtype(X)
        X = self._validate_X(X, reset=True)
        features = self._fit_features(X)
        X_net = self._encode_X(X, features)
        no_target = _NoTarget(target.encoder.fit(None))
        meta = self._meta(X, no_target, X_dtype, X_net, features)
        self._release_network()
        for attr in ("model_", "history_", "n_iter_", "best_epoch_", "_target", "_meta_"):
            self.__dict__.pop(attr, None)
        self._set_meta_attributes(meta, no_target, features)
        with runtime.seeded(self._fit_value("random_state")):
            own_network(self, self._predict_only_network(meta))
        self.target_encoder_ = no_target.encoder
        self.feature_encoder_ = features
        self.model_ = self._network.model
        self._meta_ = meta
        self._predict_only = True
        return X

    def _predict_only_network(self, meta):
        """Build the model for ``meta`` (no target): not compiled, nothing checked against a y."""
        # (compile_kwargs, for a builder that asks, carry the placeholder of no loss without one)
        plan = make_plan(self, loss=_no_loss if self.loss is None else self.loss, default_metrics=(), fit_params={})
        keras = runtime.get_keras()
        builder = plan.builder
        model = builder if isinstance(builder, keras.Model) else self._call_builder(builder, meta,
                                                                                   plan.builder_params, plan)
        if not isinstance(model, keras.Model):
            raise TypeError(f"The model builder must return a keras.Model; it returned {type(model).__name__}.")
        return _PredictOnlyNetwork(model)

    def _forget_predict_only(self):
        # a model initialized without y is built again, for the target, by the next fit
        if self.__dict__.pop("_predict_only", False):
            self._release_network()
            self.__dict__.pop("model_", None)

    def _restore_network(self, saved):
        if not self.__dict__.get("_predict_only"):
            return super()._restore_network(saved)
        with runtime.seeded(0):
            net = self._predict_only_network(self._meta_)
        assign_weights(net.model, saved)
        self._network = net
        self.model_ = net.model

    # ------------------------------------------------------------ prediction
    def predict(self, X, **kwargs):
        """The model's outputs for X through ``target_encoder_.inverse_transform``, as scikeras.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
        **kwargs : dict
            ``model.predict`` keywords (``batch_size``, ``verbose``, ``steps``,
            ``callbacks``), as in scikeras.

        Returns
        -------
        y_pred : ndarray, or a list or dict of them for several outputs
            In the model's output dtype with the default encoder.
        """
        out = _in_output_dtypes(self._forward(X, **kwargs), self.model_)
        return self._fitted_target().inverse_transform(out)

    def score(self, X, y, sample_weight=None):
        """``scorer(y, predict(X))``: a subclass provides :meth:`scorer` (or overrides ``score``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return self._score(X, y, sample_weight)

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        """The scoring function of :meth:`score`; ``BaseWrapper`` has none (a subclass implements it).

        Parameters
        ----------
        y_true, y_pred : array-like
        **kwargs : dict
            ``sample_weight`` and the ``score__`` options.

        Returns
        -------
        score : float

        Raises
        ------
        NotImplementedError
            Always, in ``BaseWrapper`` itself.
        """
        raise NotImplementedError(
            "BaseWrapper has no scorer: a subclass implements the static method scorer(y_true, y_pred, "
            "**kwargs) or overrides score (KerasClassifier and KerasRegressor implement it)."
        )


class KerasClassifier(ClassifierMixin, ClassifierTargetMixin, BaseWrapper):
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
    n_classes_ : int
    n_outputs_ : int
        Target columns (1 for binary and multiclass labels).
    n_iter_ : int
    best_epoch_ : int
        Index in ``history_`` of the best epoch (with early stopping).
"""
        + _KERAS_DOC_SCIKERAS_ATTRS
        + """
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
    _meta_attributes = (*_KerasModelMixin._meta_attributes, "n_classes_")

    _make_target = BaseWrapper._make_target  # the target_encoder property, not the mixin's fixed target

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
        self._set_init_params(locals())

    def __sklearn_tags__(self):
        return classifier_tags(super().__sklearn_tags__())

    @property
    def target_encoder(self):
        """A fresh, unfitted encoder for y, as in scikeras: override it in a subclass.

        The default encodes labels for the loss (codes, a sigmoid column, or
        one-hot rows for categorical cross-entropy) and, after fit
        (``target_encoder_``), turns the model's raw output back into labels
        (``inverse_transform(y)``) or probabilities
        (``inverse_transform(y, return_proba=True)``). A replacement is any
        sklearn-style transformer with ``fit(y)``, ``transform(y)`` (an array,
        or a list or dict of arrays for several outputs) and
        ``inverse_transform(y, return_proba=False)``, optionally
        ``get_metadata()`` (``n_outputs_expected_`` is checked against the
        model's outputs; ``classes_``, ``n_classes_`` become attributes). With
        a replacement, give ``loss=`` or compile the model in the builder.

        Returns
        -------
        skdl.estimators._targets.ClassifierTarget
            Knows the ``loss`` and the ``classes`` given to ``partial_fit``.
        """
        return ClassifierTarget(self.loss, classes=self.__dict__.get("_classes_hint"), owner=type(self).__name__)

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against y, computed by :meth:`scorer`.

        As in scikeras, a subclass changes the score by overriding the
        ``scorer`` static method, and ``score__`` options (e.g.
        ``score__normalize=False``) are passed to it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return self._score(X, y, sample_weight)

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        """The scoring function of :meth:`score`: ``sklearn.metrics.accuracy_score``; override it to change the score.

        Parameters
        ----------
        y_true, y_pred : array-like
        **kwargs : dict
            ``sample_weight`` and the ``score__`` options.

        Returns
        -------
        score : float
        """
        return accuracy_score(y_true, y_pred, **kwargs)


class KerasRegressor(RegressorMixin, RegressorTargetMixin, BaseWrapper):
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
        + _KERAS_DOC_SCIKERAS_ATTRS
    )

    _parameter_constraints = {
        **_KerasModelMixin._parameter_constraints,
        "scale_target": ["boolean"],
    }

    _make_target = BaseWrapper._make_target  # the target_encoder property, not the mixin's fixed target

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
        self._set_init_params(locals())

    @property
    def target_encoder(self):
        """A fresh, unfitted encoder for y, as in scikeras: override it in a subclass.

        The default trains on y as float32 columns (standardised with
        ``scale_target=True``) and, after fit (``target_encoder_``), gives
        predictions back in y's shape and float dtype (``inverse_transform``).
        A replacement is any sklearn-style transformer with ``fit(y)``,
        ``transform(y)`` (an array, or a list or dict of arrays for several
        outputs) and ``inverse_transform(y)``, optionally ``get_metadata()``
        (``n_outputs_expected_`` is checked against the model's outputs). With
        a replacement, give ``loss=`` or compile the model in the builder.

        Returns
        -------
        skdl.estimators._targets.RegressorTarget
        """
        return RegressorTarget(self.loss, self._fit_value("scale_target"), type(self).__name__)

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R² of ``predict(X)`` against y, computed by :meth:`scorer`.

        As in scikeras, a subclass changes the score by overriding the
        ``scorer`` static method, and ``score__`` options (e.g.
        ``score__multioutput="variance_weighted"``) are passed to it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return self._score(X, y, sample_weight)

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        """The scoring function of :meth:`score`: ``sklearn.metrics.r2_score``; override it to change the score.

        Parameters
        ----------
        y_true, y_pred : array-like
        **kwargs : dict
            ``sample_weight`` and the ``score__`` options.

        Returns
        -------
        score : float
        """
        return r2_score(y_true, y_pred, **kwargs)


#: the defaults of :data:`SKDL_ONLY_PARAMS`, from the two classes' signatures
_SKDL_ONLY_DEFAULTS = {
    name: param.default
    for cls in (KerasClassifier, KerasRegressor)
    for name, param in inspect.signature(cls.__init__).parameters.items()
    if name in SKDL_ONLY_PARAMS
}
