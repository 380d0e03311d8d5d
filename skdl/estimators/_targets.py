"""Target handling: what the network's output and loss are, given y.

Classifiers: binary -> 1 sigmoid unit + binary cross-entropy; multiclass ->
softmax + sparse categorical cross-entropy (or one-hot targets when the user
asks for categorical cross-entropy); multilabel indicator -> sigmoid units +
binary cross-entropy. Labels may be strings, integers or booleans; ``classes_``
and predictions are in the original labels.

Regressors: linear units, one per target, and the chosen loss; targets are
standardised inside the estimator when ``scale_target=True`` and the loss is
scale-free enough for that to be safe.

The target side of a fit is an object, :class:`ClassifierTarget` or
:class:`RegressorTarget`, fitted on y in ``fit`` and stored as the estimator's
``target_encoder_``: it encodes y for the network (``transform``), produces the
target part of ``meta``, resolves the loss, checks the model's output layer and
turns network outputs back into predictions. ``class_weight`` and
``scale_target`` are given to it explicitly. The estimator mixins below only
expose its results in sklearn's API (``classes_``, ``predict``,
``predict_proba``).

The default objects also have scikeras' encoder interface
(``inverse_transform(raw_output, return_proba=False)``, ``get_metadata()``):
they are what ``KerasClassifier.target_encoder``/``KerasRegressor.target_encoder``
return. A subclass's own encoder is wrapped in :class:`EncodedTarget`, which
plays the target's part around it (the estimator keeps it as ``_target``; the
user's fitted encoder is ``target_encoder_``).
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}
SPARSE_LOSSES = {"sparse_categorical_crossentropy"}
ONEHOT_LOSSES = {
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "kl_divergence",
}
REGRESSION_LOSSES = {
    "mse",
    "mae",
    "mape",
    "msle",
    "huber",
    "log_cosh",
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "cosine_similarity",
}
_CLASSIFICATION_TYPES = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)
# Losses whose optimum moves when y is standardised: never scale the target for them.
_SCALE_SENSITIVE = {
    "mape",
    "msle",
    "poisson",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "cosine_similarity",
}


_KNOWN_LOSSES = BINARY_LOSSES | SPARSE_LOSSES | ONEHOT_LOSSES | REGRESSION_LOSSES


def _loss_name(loss):
    """The loss's name: as given for a name; for a Keras loss class, instance or function
    (``CategoricalCrossentropy``) its snake-case name when it is one of the losses above,
    so the target is encoded for it as for the name; else None."""
    if isinstance(loss, str):
        return loss.lower()
    if loss is None or isinstance(loss, (list, tuple, dict)):
        return None
    if isinstance(loss, type) or not hasattr(loss, "__name__"):  # a class, or an instance
        cls = loss if isinstance(loss, type) else type(loss)
        name = "".join(f"_{c.lower()}" if c.isupper() else c for c in cls.__name__).lstrip("_")
    else:  # a function
        name = loss.__name__
    return name if name in _KNOWN_LOSSES else None


class ClassifierTarget:
    """Label encoding, loss choice and probabilities of a classifier's target.

    Parameters
    ----------
    loss : str, callable or None
        The estimator's ``loss``; None picks one from the target type.
    classes : array-like, default=None
        All labels y may take (``partial_fit(classes=...)``).
    owner : str, default="The estimator"
        Named in error messages.

    Attributes
    ----------
    classes_ : ndarray
    target_type_ : str
        "binary", "multiclass" or "multilabel-indicator".
    loss_ : str or callable
        The resolved loss.
    n_outputs_ : int
        Output units of the network.
    """

    default_metrics = ("accuracy",)

    def __init__(self, loss=None, classes=None, owner="The estimator"):
        self.loss = loss
        self.classes = classes
        self.owner = owner

    def fit(self, y):
        """Learn the classes and the target type from y; returns self."""
        self.y_ndim_ = np.ndim(y)  # as given: a (n, 1) column counts 2, as in scikeras
        y = self._as_labels(y)
        target_type = self._type_of(y)
        if target_type == "multilabel-indicator":
            self.classes_ = np.arange(y.shape[1])
            self.label_encoder_ = None
            n_classes = y.shape[1]
        else:
            if target_type not in ("binary", "multiclass"):
                raise ValueError(
                    f"{self.owner} does not support targets of type {target_type!r}; "
                    "y must hold class labels (binary or multiclass) or a multilabel indicator matrix."
                )
            enc = LabelEncoder().fit(y if self.classes is None else np.asarray(self.classes))
            unseen = np.setdiff1d(np.unique(y), enc.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {unseen.tolist()[:5]} that are not in classes="
                    f"{enc.classes_.tolist()}."
                )
            self.label_encoder_ = enc
            self.classes_ = enc.classes_
            n_classes = len(enc.classes_)
            if n_classes < 2:
                raise ValueError(
                    f"{self.owner} needs samples of at least 2 classes in y; "
                    f"got only one class ({self.classes_[0]!r})."
                )
            target_type = "binary" if n_classes == 2 else "multiclass"
        self.target_type_ = target_type
        self.loss_ = self.loss if self.loss is not None else {
            "binary": "binary_crossentropy",
            "multiclass": "sparse_categorical_crossentropy",
            "multilabel-indicator": "binary_crossentropy",
        }[target_type]
        self.n_outputs_ = 1 if target_type == "binary" else n_classes
        self.n_targets_ = 1 if target_type != "multilabel-indicator" else y.shape[1]
        self.y_dtype_ = y.dtype
        return self

    @staticmethod
    def _as_labels(y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y

    @staticmethod
    def _type_of(y):
        # one type_of_target per fit (check_classification_targets would compute it again)
        target_type = type_of_target(y, input_name="y")
        if target_type not in _CLASSIFICATION_TYPES:
            raise ValueError(
                f"Unknown label type: {target_type}. Maybe you are trying to fit a classifier, "
                "which expects discrete classes on a regression target with continuous values."
            )
        return target_type

    def check_continuation(self, y):
        """Check that y of a continued fit (warm start, partial_fit) suits the fitted target."""
        y = self._as_labels(y)
        if self._type_of(y) == "multilabel-indicator" and self.target_type_ != "multilabel-indicator":
            raise ValueError("y is a multilabel indicator but the estimator was fitted on labels.")
        return y

    def meta(self):
        """The target part of the builder's ``meta``."""
        n_classes = len(self.classes_)
        return {
            "target_type_": self.target_type_,
            "n_classes_": n_classes,
            "n_outputs_": self.n_outputs_,
            "output_activation_": "softmax" if self.target_type_ == "multiclass" else "sigmoid",
            "classes_": self.classes_,
            "y_dtype_": self.y_dtype_,
            "y_ndim_": self.y_ndim_,
            "n_outputs_expected_": 1,  # outputs of the model (scikeras' encoders: 1)
        }

    def transform(self, y):
        """y encoded for the network: float column, int codes or one-hot rows."""
        y = np.asarray(y)
        if self.target_type_ == "multilabel-indicator":
            return y.astype(np.float32)
        y = column_or_1d(y) if y.ndim == 2 else y
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {unseen.tolist()[:5]}; "
                f"known classes are {self.classes_.tolist()}."
            )
        codes = self.label_encoder_.transform(y).astype(np.int32)
        loss = _loss_name(self.loss_)
        if self.target_type_ == "binary" and (loss in BINARY_LOSSES or loss is None) and self.n_outputs_ == 1:
            return codes.reshape(-1, 1).astype(np.float32)
        if loss in ONEHOT_LOSSES:
            return np.eye(len(self.classes_), dtype=np.float32)[codes]
        return codes

    def dummy(self, n):
        """n encoded rows of a valid target (to build a restored network)."""
        if self.label_encoder_ is None:
            return np.zeros((n, len(self.classes_)), np.float32)
        return self.transform(np.resize(self.classes_, n))

    def stratify(self, y_enc):
        """Labels to stratify a split by, or None (multilabel)."""
        if self.target_type_ == "multilabel-indicator":
            return None
        y_enc = np.asarray(y_enc)
        return y_enc.argmax(axis=1) if y_enc.ndim == 2 and y_enc.shape[1] > 1 else y_enc.ravel()

    def sample_weight_factors(self, y_enc, class_weight=None, y=None):
        """Per-row factors from ``class_weight`` (1.0 when there is none; ``y`` is not needed here).

        The estimator passes its current ``class_weight`` on every fit, so a
        changed one applies to a warm-started fit too.
        """
        cw = class_weight
        if cw is None or self.target_type_ == "multilabel-indicator":
            return 1.0
        labels = self.classes_[self.stratify(y_enc).astype(int)]
        if isinstance(cw, str):
            return compute_sample_weight(cw, labels).astype(np.float32)
        unknown = set(cw) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"The 'class_weight' parameter names labels {sorted(unknown, key=str)} that are "
                f"not in y; classes are {self.classes_.tolist()}."
            )
        return np.array([cw.get(lab, 1.0) for lab in labels.tolist()], dtype=np.float32)

    def check_output(self, model, user_compiled=False):
        """Check the model's output layer against the target (and adopt its unit count).

        ``user_compiled``: the model keeps the loss it was compiled with
        (KerasClassifier/KerasRegressor), so only the unit count is checked
        against y, and a one-hot loss needs ``loss=`` to encode y for it.
        """
        if len(model.outputs) != 1:
            return
        units = int(model.outputs[0].shape[-1])
        loss = _loss_name(self.loss_)
        tt = self.target_type_
        self.n_outputs_ = units
        if tt == "binary" and units not in (1, 2):
            raise ValueError(
                f"The model's output has {units} units but y is binary: use 1 unit (sigmoid) "
                "or 2 units (softmax)."
            )
        if tt == "multiclass" and units != len(self.classes_):
            raise ValueError(f"The model's output has {units} units but y has {len(self.classes_)} classes.")
        if user_compiled:
            compiled = _loss_name(getattr(model, "loss", None))
            if compiled in ONEHOT_LOSSES and loss not in ONEHOT_LOSSES and tt != "multilabel-indicator":
                raise ValueError(
                    f"The model is compiled with loss={compiled!r}, which takes one-hot targets, but "
                    f"{self.owner} got loss={self.loss!r}, so y is encoded as class indices. Give "
                    f"loss={compiled!r} to {self.owner} as well (y is then one-hot encoded), or compile "
                    "the model with 'sparse_categorical_crossentropy'."
                )
            return
        if loss in BINARY_LOSSES and units > 1 and tt != "multilabel-indicator":
            raise ValueError(
                f"loss={loss!r} needs one sigmoid output unit per label, but the output layer "
                f"has {units} units for a {tt} target. Use 'sparse_categorical_crossentropy' or "
                "'categorical_crossentropy' with a softmax output."
            )
        if tt == "binary" and units == 1 and loss in (SPARSE_LOSSES | ONEHOT_LOSSES):
            raise ValueError(
                f"loss={loss!r} needs a softmax output with one unit per class, but the output "
                "layer has 1 unit. Use loss='binary_crossentropy' with a sigmoid output."
            )

    def predict_proba(self, out):
        """Probabilities (n, n_classes) from network outputs."""
        out = np.asarray(out)
        if out.ndim == 1:  # one sigmoid output, flattened
            out = out.reshape(-1, 1)
        if self.target_type_ == "multilabel-indicator":
            return out
        if out.shape[1] == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            out = np.column_stack([1.0 - p, p])
        out = np.clip(out, 0.0, None)
        total = out.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return out / total

    def inverse_transform(self, y, return_proba=False):
        """Labels (or a multilabel indicator matrix) from the network's outputs, as scikeras' encoder.

        Parameters
        ----------
        y : ndarray of shape (n_samples, n_units)
            The Keras model's raw output (one sigmoid column for a binary
            target, or softmax rows), or probabilities of shape (n_samples, n_classes).
        return_proba : bool, default=False
            Return the class probabilities, shape (n_samples, n_classes), instead of labels.

        Returns
        -------
        ndarray
        """
        proba = self.predict_proba(y)
        if return_proba:
            return proba
        if self.target_type_ == "multilabel-indicator":
            return (proba >= 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    @property
    def encoder(self):
        """The object exposed as the estimator's ``target_encoder_`` (this one)."""
        return self

    def get_metadata(self):
        """What fit copies onto the estimator (scikeras' ``ClassifierLabelEncoder.get_metadata``)."""
        return {
            "classes_": self.classes_,
            "n_classes_": len(self.classes_),
            "n_outputs_": self.n_targets_,
            "n_outputs_expected_": 1,
        }


class ClassifierTargetMixin:
    """sklearn's classifier API over the fitted :class:`ClassifierTarget`."""

    def _make_target(self):
        classes = self.__dict__.pop("_classes_hint", None)
        return ClassifierTarget(self.loss, classes=classes, owner=type(self).__name__)

    def _adopt_target(self, target):
        self.classes_ = target.classes_
        self.n_outputs_ = target.n_targets_

    def partial_fit(self, X, y, classes=None, sample_weight=None, **fit_params):
        """Train for one epoch, continuing from the current weights if fitted.

        Parameters
        ----------
        X, y : array-like
            Training data.
        classes : array-like, default=None
            All labels that y may take; give them on the first call when a
            batch may not contain every class.
        sample_weight : array-like, default=None
        **fit_params : dict
            As for :meth:`fit`.

        Returns
        -------
        self : object
        """
        if classes is not None and not hasattr(self, "model_"):
            self._classes_hint = classes
        return super().partial_fit(X, y, sample_weight=sample_weight, **fit_params)

    def predict_proba(self, X, **kwargs):
        """Class probabilities, shape (n_samples, n_classes) — binary included.

        For a multilabel target, the probability of each label, shape
        (n_samples, n_labels). ``kwargs`` (``batch_size``, ``verbose``,
        ``steps``, ``callbacks``) go to ``model.predict``, as in scikeras.
        """
        out = self._forward(X, **kwargs)  # checks that the estimator is fitted
        return self._fitted_target().inverse_transform(out, return_proba=True)

    def predict(self, X, **kwargs):
        """Predicted labels (or a multilabel indicator matrix); ``kwargs`` as for :meth:`predict_proba`."""
        out = self._forward(X, **kwargs)
        return self._fitted_target().inverse_transform(out)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


def classifier_tags(tags):
    """Tags of skdl classifiers; applied left of ClassifierMixin, which creates them."""
    tags.classifier_tags.multi_label = True
    return tags


class RegressorTarget:
    """Shaping, optional standardisation and loss choice of a regressor's target.

    Parameters
    ----------
    loss : str, callable or None
        The estimator's ``loss``; None means ``"mse"``.
    scale_target : bool, default=False
        Standardise y (not for losses whose optimum moves under rescaling).

    Attributes
    ----------
    loss_ : str or callable
    n_outputs_ : int
    mean_, scale_ : ndarray of shape (n_outputs,)
    """

    default_metrics = ()

    def __init__(self, loss=None, scale_target=False, owner="The estimator"):
        self.loss = loss
        self.scale_target = scale_target
        self.owner = owner

    @staticmethod
    def _as_2d(y):
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        if not np.all(np.isfinite(y2)):
            raise ValueError("Input y contains NaN or infinity.")
        return y, y2

    def fit(self, y):
        """Learn the number of targets and, with ``scale_target``, their scale; returns self."""
        given = np.asarray(y).dtype
        y, y2 = self._as_2d(y)
        self.y_ndim_ = y.ndim
        self.n_outputs_ = self.n_targets_ = y2.shape[1]
        self.loss_ = "mse" if self.loss is None else self.loss
        scale = self.scale_target and _loss_name(self.loss_) not in _SCALE_SENSITIVE
        if scale:
            self.mean_, self.scale_ = y2.mean(axis=0), y2.std(axis=0)
            self.scale_[self.scale_ == 0] = 1.0
        else:
            self.mean_, self.scale_ = np.zeros(y2.shape[1]), np.ones(y2.shape[1])
        # predictions come back in y's float type (float32 y -> float32), as scikeras documents
        self.y_dtype_ = given if np.issubdtype(given, np.floating) else np.dtype(np.float64)
        self.y_given_dtype_ = given
        return self

    def check_continuation(self, y):
        y, y2 = self._as_2d(y)
        if y2.shape[1] != self.n_targets_ or y.ndim != self.y_ndim_:
            raise ValueError(
                f"y has shape {y.shape} ({y2.shape[1]} output(s), {y.ndim} dimension(s)), but "
                f"{self.owner} was fitted on y with {self.n_targets_} output(s) ({self.y_ndim_} "
                "dimension(s)); a continued fit (warm_start, partial_fit) needs the same targets. "
                "Fit a new estimator for other targets."
            )
        return y

    def meta(self):
        return {
            "target_type_": "continuous" if self.n_outputs_ == 1 else "continuous-multioutput",
            "n_classes_": None,
            "n_outputs_": self.n_outputs_,
            "output_activation_": "linear",
            "y_dtype_": self.y_given_dtype_,  # as given (int y: int64), as in scikeras
            "y_ndim_": self.y_ndim_,
            "n_outputs_expected_": 1,
        }

    def transform(self, y):
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        return ((y2 - self.mean_) / self.scale_).astype(np.float32)

    def dummy(self, n):
        return np.zeros((n, self.n_outputs_), np.float32)

    def stratify(self, y_enc):
        return None

    def sample_weight_factors(self, y_enc, class_weight=None, y=None):
        return 1.0

    def check_output(self, model, user_compiled=False):
        """Check the model's output units against y's columns (whoever compiled it)."""
        if len(model.outputs) == 1:
            units = int(model.outputs[0].shape[-1])
            if units != self.n_outputs_:
                raise ValueError(
                    f"The model's output has {units} units but y has {self.n_outputs_} target column(s)."
                )

    def inverse_transform(self, out):
        """Predictions in y's scale, dtype and shape from the network's outputs."""
        out = np.asarray(out)
        out = out.reshape(-1, 1) if out.ndim == 1 else out
        out = (out * self.scale_ + self.mean_).astype(self.y_dtype_, copy=False)
        return out.ravel() if self.y_ndim_ == 1 else out

    @property
    def encoder(self):
        """The object exposed as the estimator's ``target_encoder_`` (this one)."""
        return self

    def get_metadata(self):
        """What fit copies onto the estimator (scikeras' ``RegressorTargetEncoder.get_metadata``)."""
        return {"n_outputs_": self.n_targets_, "n_outputs_expected_": 1}


class RegressorTargetMixin:
    """sklearn's regressor API over the fitted :class:`RegressorTarget`."""

    def _make_target(self):
        return RegressorTarget(self.loss, getattr(self, "scale_target", False), type(self).__name__)

    def _adopt_target(self, target):
        self.n_outputs_ = target.n_targets_

    def predict(self, X, **kwargs):
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs).

        ``kwargs`` (``batch_size``, ``verbose``, ``steps``, ``callbacks``) go to
        ``model.predict``, as in scikeras.
        """
        out = self._forward(X, **kwargs)  # checks that the estimator is fitted
        return self._fitted_target().inverse_transform(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _no_loss(y_true, y_pred):
    """The loss of a fit whose target_encoder is the user's and no ``loss`` is given: there is none."""
    raise ValueError(
        "No loss is given: with a custom target_encoder, give loss= (or compile the model in the "
        "builder with its loss)."
    )


class EncodedTarget:
    """A user's ``target_encoder`` (scikeras' interface) as the target side of a fit.

    The encoder is any sklearn-style transformer: ``fit(y)`` returning the
    fitted encoder, ``transform(y)`` giving what the Keras model trains on (an
    array, or a list or dict of arrays for several outputs),
    ``inverse_transform(outputs)`` giving predictions (with
    ``return_proba=True`` the classifier's probabilities), and optionally
    ``get_metadata()``, a dict copied onto the estimator and into ``meta``
    (``n_outputs_expected_`` is checked against the model's outputs).

    The encoder owns the target's form, so skdl chooses no loss for it: the
    loss is the estimator's ``loss`` or the one the builder compiled with.

    Parameters
    ----------
    encoder : transformer
        The unfitted encoder (what the estimator's ``target_encoder`` returned).
    classifier : bool
        Whether the estimator is a classifier (``classes_``, ``n_classes_``).
    loss : str, callable, list, dict or None
        The estimator's ``loss``.
    owner : str
        Named in error messages.

    Attributes
    ----------
    encoder : transformer
        The fitted encoder (the estimator's ``target_encoder_``).
    metadata_ : dict
        ``encoder.get_metadata()`` (empty without that method).
    target_type_ : str
        ``type_of_target(y)``, as scikeras records it.
    loss_ : str, callable, list or dict
    n_targets_ : int
        ``n_outputs_`` of the metadata, else y's columns.
    classes_ : array-like or None
        ``classes_`` of the metadata (classifiers), else None.
    """

    default_metrics = ()

    def __init__(self, encoder, *, classifier, loss=None, owner="The estimator"):
        self.encoder = encoder
        self.classifier = classifier
        self.loss = loss
        self.owner = owner

    def fit(self, y):
        """Fit the encoder on y and read its metadata; returns self."""
        y = np.asarray(y)
        name = type(self.encoder).__name__
        fitted = self.encoder.fit(y)
        if fitted is None:
            raise ValueError(
                f"The target_encoder of {self.owner} ({name}) returned None from fit; fit must return "
                "the fitted encoder (self), as sklearn transformers do."
            )
        missing = [m for m in ("transform", "inverse_transform") if not callable(getattr(fitted, m, None))]
        if missing:
            raise TypeError(
                f"The target_encoder of {self.owner} must be a transformer with fit, transform and "
                f"inverse_transform; the fitted {type(fitted).__name__} has no {' and no '.join(missing)}."
            )
        self.encoder = fitted
        self.metadata_ = encoder_metadata(fitted, "target_encoder", self.owner)
        self.target_type_ = type_of_target(y, input_name="y")
        self.y_dtype_ = y.dtype
        self.y_ndim_ = y.ndim
        self.n_targets_ = self.metadata_.get("n_outputs_", 1 if y.ndim == 1 else y.shape[1])
        self.classes_ = self.metadata_.get("classes_") if self.classifier else None
        self.loss_ = _no_loss if self.loss is None else self.loss
        return self

    def get_metadata(self):
        """The encoder's metadata, copied onto the estimator."""
        return dict(self.metadata_)

    def meta(self):
        """The target part of the builder's ``meta``: y's type, dtype and dimensions, then the metadata."""
        out = {
            "target_type_": self.target_type_,
            "y_dtype_": self.y_dtype_,
            "y_ndim_": self.y_ndim_,
            "n_outputs_": self.n_targets_,
        }
        if self.classifier:
            out.update(classes_=None, n_classes_=None)
        out.update(self.metadata_)
        return out

    def check_continuation(self, y):
        """y of a continued fit (warm start, partial_fit): the same number of dimensions."""
        y = np.asarray(y)
        if y.ndim != self.y_ndim_:
            raise ValueError(
                f"y has {y.ndim} dimension(s), but {self.owner} was fitted on y with {self.y_ndim_}; "
                "a continued fit (warm_start, partial_fit) needs the same targets."
            )
        return y

    def transform(self, y):
        """What the model trains on: the encoder's ``transform(y)``, checked (an array or Rows)."""
        from skdl.estimators._data import network_rows, row_shapes

        out = network_rows(self.encoder.transform(y), len(y), owner=self.owner, what="target_encoder")
        if not hasattr(self, "row_shapes_"):
            self.row_shapes_ = row_shapes(out)
        return out

    def dummy(self, n):
        """n rows of zeros shaped like the encoded y (to build a restored network)."""
        from skdl.estimators._data import zeros_rows

        return zeros_rows(self.row_shapes_, n)

    def stratify(self, y_enc):
        return None

    def sample_weight_factors(self, y_enc, class_weight=None, y=None):
        """``class_weight`` applied to y as given (scikeras: ``compute_sample_weight(class_weight, y)``)."""
        if class_weight is None or y is None:
            return 1.0
        return compute_sample_weight(class_weight, y).astype(np.float32)

    def check_output(self, model, user_compiled=False):
        """Before compiling: without ``loss`` the builder must have compiled the model.

        The encoder decides what the outputs are, so their units are not checked
        (``user_compiled`` changes nothing here).
        """
        # (a builder taking compile_kwargs may have compiled with the placeholder of no loss)
        if self.loss is None and (not getattr(model, "compiled", False) or getattr(model, "loss", None) is _no_loss):
            raise ValueError(
                f"{self.owner} has a custom target_encoder and no loss: give loss= (the encoder decides "
                "what the model's outputs are, so skdl picks none), or compile the model in the builder."
            )

    def inverse_transform(self, y, return_proba=False):
        """Predictions (or, with ``return_proba``, probabilities) from the model's outputs, by the encoder."""
        if not return_proba:
            return self.encoder.inverse_transform(y)
        import inspect

        try:
            params = inspect.signature(self.encoder.inverse_transform).parameters
        except (TypeError, ValueError):
            params = {"return_proba": None}
        if "return_proba" not in params and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            raise TypeError(
                f"predict_proba of {self.owner} needs the target_encoder's inverse_transform to take "
                f"return_proba=True (as scikeras' ClassifierLabelEncoder does); "
                f"{type(self.encoder).__name__}.inverse_transform does not."
            )
        return self.encoder.inverse_transform(y, return_proba=True)


def encoder_metadata(encoder, what, owner):
    """``encoder.get_metadata()`` as a dict (empty when the encoder has no such method)."""
    get = getattr(encoder, "get_metadata", None)
    if get is None:
        return {}
    meta = get()
    if not isinstance(meta, dict):
        raise TypeError(
            f"The {what} of {owner} ({type(encoder).__name__}): get_metadata() must return a dict; "
            f"it returned {type(meta).__name__}."
        )
    bad = [k for k in meta if not isinstance(k, str) or not k.isidentifier()]
    if bad:
        raise ValueError(
            f"The {what} of {owner} ({type(encoder).__name__}): get_metadata() keys become fitted "
            f"attributes and meta keys (as 'n_classes_'), so they must be names; got {bad}."
        )
    return meta
