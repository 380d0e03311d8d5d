"""CNNClassifier and CNNRegressor: convolutional networks for images.

The estimators take images as ``(n, height, width, channels)`` arrays,
``(n, height, width)`` arrays (one channel is added), or flat 2-D arrays plus
``input_shape``, so that they sit at the end of a Pipeline after flat
preprocessing (a scaler on the 64 pixel columns of the 8x8 digits). The
network comes from a registered image preset (``"simple_cnn"``, ``"lenet"``,
``"alexnet"``, ``"vgg"``, ``"inception"``, ``"resnet"``) or a builder callable.

The architecture knobs (``filters``, ``kernel_size``, ... ``augmentation``)
default to ``None`` (``pooling`` to ``"auto"``), meaning "the preset's own
default", so that ``architecture="lenet"`` is LeNet and not LeNet with
simple_cnn's filters. A knob is passed to the builder only when it is set, and
setting one the builder does not accept is an error, not a silent no-op.
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from skdl.architectures import POOLINGS
from skdl.estimators._base import BaseKerasEstimator
from skdl.estimators._docs import training_params
from skdl.estimators._routing import route_params
from skdl.estimators._targets import (
    ClassifierTargetMixin,
    RegressorTargetMixin,
    classifier_tags,
)

#: Architecture hyperparameters with an explicit estimator parameter, in order.
ARCHITECTURE_PARAMS = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "pooling",
    "batch_norm",
    "global_pooling",
    "dense_layer_sizes",
    "dropout",
    "l1",
    "l2",
    "activation",
    "augmentation",
)

# The value of each knob that means "leave it to the architecture".
_UNSET = {name: None for name in ARCHITECTURE_PARAMS}
_UNSET["pooling"] = "auto"  # None means "no pooling", so "auto" is the preset's choice


def _is_unset(name, value):
    unset = _UNSET[name]
    return value is None if unset is None else isinstance(value, str) and value == unset


def _as_hashable(value):
    """Lists become tuples so the value can key the network pool."""
    if isinstance(value, list):
        return tuple(_as_hashable(v) for v in value)
    return value


def _image_shape(shape, where):
    """Normalise ``input_shape`` to ``(h, w, c)``; ``(h, w)`` gets one channel."""
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if (
        dims is None
        or len(dims) not in (2, 3)
        or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in dims)
    ):
        raise ValueError(
            f"The 'input_shape' parameter of {where} must be None or a tuple (height, width, "
            f"channels) or (height, width) of positive ints. Got {shape!r} instead."
        )
    dims = tuple(int(d) for d in dims)
    return dims if len(dims) == 3 else (*dims, 1)


class _CNNMixin:
    """The image side of the CNN estimators: input shapes and the preset's knobs."""

    _parameter_constraints = {
        **BaseKerasEstimator._parameter_constraints,
        "architecture": [str, callable],
        "input_shape": [tuple, list, None],
        "filters": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list, None],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list, None],
        "strides": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list, None],
        "padding": [StrOptions({"same", "valid"}), None],
        "pooling": [StrOptions({*POOLINGS, "auto"}), None],
        "batch_norm": ["boolean", None],
        "global_pooling": ["boolean", None],
        "dense_layer_sizes": [Interval(numbers.Integral, 0, None, closed="left"), tuple, list, None],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left"), tuple, list, None],
        "l1": [Interval(numbers.Real, 0, None, closed="left"), None],
        "l2": [Interval(numbers.Real, 0, None, closed="left"), None],
        "activation": [str, callable, None],
        "augmentation": [str, list, tuple, dict, None],
    }

    # ------------------------------------------------------------------ input
    def _allow_nd(self):
        return True

    def _accept_sparse(self):
        # the network reshapes each row into an image: sparse pixels gain nothing
        return False

    def _reshape_X(self, X, *, reset):
        name = type(self).__name__
        if reset:
            shape = self._fit_image_shape(X)
            self.input_shape_ = shape
            self._flat_input = X.ndim == 2 and self.input_shape is None
        else:
            shape = self.input_shape_
        if X.ndim == 2:
            if X.shape[1] != int(np.prod(shape)):  # pragma: no cover - n_features_in_ catches it
                raise ValueError(
                    f"X has {X.shape[1]} columns but {name} was fitted on images of shape "
                    f"{shape} ({int(np.prod(shape))} values)."
                )
            return X.reshape((X.shape[0], *shape))
        if X.ndim == 3:
            X = X[..., np.newaxis]
        if X.ndim != 4:
            raise ValueError(
                f"{name} expects X of shape (n_samples, height, width, channels), "
                f"(n_samples, height, width) or flat (n_samples, n_features) with "
                f"input_shape; got X of shape {X.shape}."
            )
        if not reset and tuple(X.shape[1:]) != tuple(shape):
            raise ValueError(
                f"X holds images of shape {tuple(X.shape[1:])} but {name} was fitted on "
                f"images of shape {tuple(shape)}."
            )
        return X

    def _fit_image_shape(self, X):
        """The (h, w, c) shape of one sample, from X and ``input_shape``."""
        name = type(self).__name__
        given = None if self.input_shape is None else _image_shape(self.input_shape, name)
        if X.ndim == 2:
            n_features = X.shape[1]
            if given is None:
                # Documented fallback: a row is a one-pixel-high, one-channel image,
                # so convolutions run along the features (what sklearn's checks feed).
                return (1, n_features, 1)
            if int(np.prod(given)) != n_features:
                raise ValueError(
                    f"The 'input_shape' parameter of {name} is {tuple(self.input_shape)}, "
                    f"which holds {int(np.prod(given))} values per sample, but X has "
                    f"{n_features} columns (features). Give an input_shape whose product is "
                    f"{n_features}, or pass X as an (n_samples, height, width, channels) array."
                )
            return given
        if X.ndim in (3, 4):
            shape = tuple(int(d) for d in X.shape[1:])
            shape = shape if len(shape) == 3 else (*shape, 1)
            if given is not None and given != shape:
                raise ValueError(
                    f"The 'input_shape' parameter of {name} is {tuple(self.input_shape)} but X "
                    f"holds images of shape {shape}. Leave input_shape=None for image arrays, "
                    "or make them agree."
                )
            return shape
        raise ValueError(
            f"{name} expects X of shape (n_samples, height, width, channels), "
            f"(n_samples, height, width) or flat (n_samples, n_features) with input_shape; "
            f"got X of shape {X.shape}."
        )

    # ---------------------------------------------------------- architecture
    def _architecture_name(self):
        arch = self.architecture
        return arch if isinstance(arch, str) else getattr(arch, "__name__", repr(arch))

    def _get_builder(self):
        from skdl.architectures import get_architecture, get_architecture_info

        info = get_architecture_info(self.architecture)
        if info.input_kind == "tabular":
            from skdl.architectures import list_architectures

            raise ValueError(
                f"The 'architecture' parameter of {type(self).__name__} names the tabular "
                f"architecture {info.name!r}; use one of the image architectures "
                f"{list_architectures('image')} or a builder callable, or use "
                f"{type(self).__name__.replace('CNN', 'MLP')} for tabular data."
            )
        return get_architecture(self.architecture)

    def _builder_params(self):
        builder = self._get_builder()
        try:
            sig = inspect.signature(builder).parameters
        except (TypeError, ValueError):
            sig = {}
        accepts_var = any(p.kind == p.VAR_KEYWORD for p in sig.values())
        params = {}
        for name in ARCHITECTURE_PARAMS:
            value = getattr(self, name)
            if _is_unset(name, value):
                continue  # the builder's own default applies
            if name not in sig and not accepts_var:
                accepted = sorted(p for p in sig if p != "meta")
                raise ValueError(
                    f"The {name!r} parameter of {type(self).__name__} is set to {value!r}, but "
                    f"the architecture {self._architecture_name()!r} does not take it; its "
                    f"hyperparameters are {accepted}. Leave {name}="
                    f"{_UNSET[name]!r} (the architecture's default) or choose another architecture."
                )
            params[name] = _as_hashable(value)
        params.update(route_params(self._all_extra_params(), "model"))
        return params

    def _call_builder(self, builder, meta, params, plan):
        try:
            return super()._call_builder(builder, meta, params, plan)
        except ValueError as exc:
            if not getattr(self, "_flat_input", False):
                raise
            raise ValueError(
                f"{exc} Note: X was 2-D and input_shape=None, so each row was read as an "
                f"image of shape {tuple(meta['input_shape_'])} (1 x n_features x 1); pass "
                "input_shape=(height, width, channels) for flat images."
            ) from exc

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


_CNN_DOC = """
    Parameters
    ----------
    architecture : str or callable, default="simple_cnn"
        A registered image architecture ("simple_cnn", "lenet", "alexnet",
        "vgg", "inception", "resnet", or your own, see
        :func:`skdl.register_architecture`) or a builder
        ``builder(meta, **hyperparameters) -> keras.Model``.
    input_shape : tuple of int, default=None
        Shape ``(height, width, channels)`` (or ``(height, width)``) of one
        image when X is flat, e.g. ``(8, 8, 1)`` for 64 pixel columns; the
        product must equal the number of columns. With image arrays X it may
        be left ``None`` (or must agree). Flat X with ``input_shape=None`` is
        read as one-pixel-high images of shape ``(1, n_features, 1)``, so
        convolutions run along the columns (use ``pooling=None`` then).
    filters, kernel_size, strides : int or tuple, default=None
        Convolution filters per block, kernel sizes and strides.
    padding : {{"same", "valid"}}, default=None
    pooling : {{"max", "avg", "auto"}} or None, default="auto"
        Pooling after conv blocks; ``None`` turns it off and ``"auto"`` keeps
        the architecture's own choice.
    batch_norm, global_pooling : bool, default=None
        Batch normalisation in conv blocks; global average pooling instead of
        Flatten before the dense head.
    dense_layer_sizes : tuple of int, default=None
        Dense layers between the convolutions and the output.
    dropout : float or tuple of float, default=None
        Dropout after each dense layer.
    l1, l2 : float, default=None
        Kernel penalties on every Conv2D and Dense layer.
    activation : str or callable, default=None
        Hidden activation.
    augmentation : str, list or dict, default=None
        Random augmentation active only in training: names among ``flip``,
        ``rotation``, ``zoom``, ``translation``, ``contrast``, or a dict
        ``{{name: factor_or_mode}}``.

        The architecture knobs above default to ``None`` ("auto" for
        ``pooling``): the architecture's own default applies. A knob is passed
        to the builder only when set, and setting one the builder does not
        accept raises ``ValueError``. Other builder keywords are routed:
        ``model__blocks=(1, 1)``, ``model__kernel_initializer="he_normal"``.
""" + training_params(epochs="50", loss_default="{loss_default}", augmentation=True).replace("    callbacks : callback", "{target_param}    callbacks : callback") + """
    Attributes
    ----------
{target_attrs}    input_shape_ : tuple of int
        ``(height, width, channels)`` of one image as the network sees it.
    model_ : keras.Model
    history_ : dict of list of float
        Per-epoch ``loss``, metrics, ``val_``/``eval_`` values and ``learning_rate``.
    n_iter_ : int
        Epochs trained.
    best_epoch_ : int
        Index in ``history_`` of the best epoch (with early stopping).
    n_features_in_ : int
        ``X.shape[1]`` as scikit-learn counts it: the number of columns of
        flat X, the image height for image arrays.
    n_outputs_ : int

    See Also
    --------
    skdl.{mlp} : The same estimator for tabular data.
    skdl.architectures.list_architectures : Registered architectures.

    Notes
    -----
    See docs/estimators-cnn.md for the presets, their minimum image sizes and
    augmentation.
"""


class CNNClassifier(ClassifierMixin, ClassifierTargetMixin, _CNNMixin, BaseKerasEstimator):
    __doc__ = (
        "Convolutional network classifier on Keras.\n\n"
        "The output layer and loss follow y as for :class:`skdl.MLPClassifier`.\n"
        + _CNN_DOC.format(
            stratified=" (stratified)",
            loss_default="None",
            loss_doc="``None`` picks the loss from the target; a loss that does not\n"
            "        match the output layer is an error.",
            metrics_doc='default ``["accuracy"]``',
            target_param='    class_weight : dict or "balanced", default=None\n',
            target_attrs="    classes_ : ndarray of shape (n_classes,)\n",
            mlp="MLPClassifier",
            extra_kwargs="",
        )
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdl import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(input_shape=(8, 8, 1), filters=(8,), dense_layer_sizes=(),
    ...                     epochs=1, random_state=0).fit(X[:100] / 16, y[:100])
    >>> clf.predict_proba(X[:2] / 16).shape
    (2, 10)
"""
    )

    _parameter_constraints = {
        **_CNNMixin._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        architecture="simple_cnn",
        *,
        input_shape=None,
        filters=None,
        kernel_size=None,
        strides=None,
        padding=None,
        pooling="auto",
        batch_norm=None,
        global_pooling=None,
        dense_layer_sizes=None,
        dropout=None,
        l1=None,
        l2=None,
        activation=None,
        augmentation=None,
        optimizer="adam",
        learning_rate=0.001,
        batch_size=32,
        epochs=50,
        lr_schedule=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        min_delta=1e-4,
        monitor=None,
        loss=None,
        metrics=None,
        class_weight=None,
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self.architecture = architecture
        self.input_shape = input_shape
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pooling = pooling
        self.batch_norm = batch_norm
        self.global_pooling = global_pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
        self.activation = activation
        self.augmentation = augmentation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.loss = loss
        self.metrics = metrics
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


class CNNRegressor(RegressorMixin, RegressorTargetMixin, _CNNMixin, BaseKerasEstimator):
    __doc__ = (
        "Convolutional network regressor on Keras (one linear unit per target).\n"
        + _CNN_DOC.format(
            stratified="",
            loss_default='"mse"',
            loss_doc='"mse", "mae", "huber", "log_cosh", "mape", "msle", "poisson" or\n'
            "        any Keras loss.",
            metrics_doc="default none",
            target_param="    scale_target : bool, default=True\n"
            "        Standardise y inside the estimator and map predictions back.\n",
            target_attrs="",
            mlp="MLPRegressor",
            extra_kwargs="",
        )
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from skdl import CNNRegressor
    >>> X = np.random.RandomState(0).rand(100, 8, 8, 1)
    >>> y = X.mean(axis=(1, 2, 3))
    >>> reg = CNNRegressor(filters=(4,), dense_layer_sizes=(), epochs=1, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
"""
    )

    _parameter_constraints = {
        **_CNNMixin._parameter_constraints,
        "scale_target": ["boolean"],
    }

    def __init__(
        self,
        architecture="simple_cnn",
        *,
        input_shape=None,
        filters=None,
        kernel_size=None,
        strides=None,
        padding=None,
        pooling="auto",
        batch_norm=None,
        global_pooling=None,
        dense_layer_sizes=None,
        dropout=None,
        l1=None,
        l2=None,
        activation=None,
        augmentation=None,
        optimizer="adam",
        learning_rate=0.001,
        batch_size=32,
        epochs=50,
        lr_schedule=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        min_delta=1e-4,
        monitor=None,
        loss="mse",
        metrics=None,
        scale_target=True,
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self.architecture = architecture
        self.input_shape = input_shape
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pooling = pooling
        self.batch_norm = batch_norm
        self.global_pooling = global_pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
        self.activation = activation
        self.augmentation = augmentation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.loss = loss
        self.metrics = metrics
        self.scale_target = scale_target
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.engine = engine
        self._store_kwargs(kwargs)
