"""Target handling: what the network's output and loss are, given y.

Classifiers: binary -> 1 sigmoid unit + binary cross-entropy; multiclass ->
softmax + sparse categorical cross-entropy (or one-hot targets when the user
asks for categorical cross-entropy); multilabel indicator -> sigmoid units +
binary cross-entropy. Labels may be strings, integers or booleans; ``classes_``
and predictions are in the original labels.

Regressors: linear units, one per target, and the chosen loss; targets are
standardised inside the estimator when ``scale_target=True`` and the loss is
scale-free enough for that to be safe.
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


class ClassifierTargetMixin:
    """Label encoding, loss choice, probabilities and labels for classifiers."""

    _default_metrics = ("accuracy",)

    def _prepare_target(self, y, *, reset):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        # one type_of_target per fit (check_classification_targets would compute it again)
        target_type = type_of_target(y, input_name="y")
        if target_type not in _CLASSIFICATION_TYPES:
            raise ValueError(
                f"Unknown label type: {target_type}. Maybe you are trying to fit a classifier, "
                "which expects discrete classes on a regression target with continuous values."
            )
        if reset:
            if target_type == "multilabel-indicator":
                self.classes_ = np.arange(y.shape[1])
                self._label_encoder = None
                n_classes = y.shape[1]
            else:
                if target_type not in ("binary", "multiclass"):
                    raise ValueError(
                        f"{type(self).__name__} does not support targets of type {target_type!r}; "
                        "y must hold class labels (binary or multiclass) or a multilabel indicator matrix."
                    )
                hint = self.__dict__.pop("_classes_hint", None)
                enc = LabelEncoder().fit(y if hint is None else np.asarray(hint))
                unseen = np.setdiff1d(np.unique(y), enc.classes_)
                if unseen.size:
                    raise ValueError(
                        f"y contains labels {unseen.tolist()[:5]} that are not in classes="
                        f"{enc.classes_.tolist()}."
                    )
                self._label_encoder = enc
                self.classes_ = enc.classes_
                n_classes = len(enc.classes_)
                if n_classes < 2:
                    raise ValueError(
                        f"{type(self).__name__} needs samples of at least 2 classes in y; "
                        f"got only one class ({self.classes_[0]!r})."
                    )
            if target_type != "multilabel-indicator":
                target_type = "binary" if n_classes == 2 else "multiclass"
            self._target_type = target_type
            n_out = 1 if target_type == "binary" else n_classes
            act = "softmax" if target_type == "multiclass" else "sigmoid"
            self._target_meta_ = {
                "target_type_": target_type,
                "n_classes_": n_classes,
                "n_outputs_": n_out,
                "output_activation_": act,
                "classes_": self.classes_,
                "y_dtype_": y.dtype,
            }
            self.n_outputs_ = 1 if target_type != "multilabel-indicator" else y.shape[1]
        else:
            if target_type == "multilabel-indicator" and self._target_type != "multilabel-indicator":
                raise ValueError("y is a multilabel indicator but the estimator was fitted on labels.")
        return self._encode_target(y)

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

    def _resolve_loss(self):
        if self.loss is not None:
            return self.loss
        return {
            "binary": "binary_crossentropy",
            "multiclass": "sparse_categorical_crossentropy",
            "multilabel-indicator": "binary_crossentropy",
        }[self._target_type]

    def _loss_name(self):
        loss = self._resolve_loss()
        return loss.lower() if isinstance(loss, str) else None

    def _encode_target(self, y):
        y = np.asarray(y)
        if self._target_type == "multilabel-indicator":
            return y.astype(np.float32)
        y = column_or_1d(y) if y.ndim == 2 else y
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {unseen.tolist()[:5]}; "
                f"known classes are {self.classes_.tolist()}."
            )
        codes = self._label_encoder.transform(y).astype(np.int32)
        loss = self._loss_name()
        if self._target_type == "binary" and (loss in BINARY_LOSSES or loss is None) and self._output_units() == 1:
            return codes.reshape(-1, 1).astype(np.float32)
        if loss in ONEHOT_LOSSES:
            return np.eye(len(self.classes_), dtype=np.float32)[codes]
        return codes

    def _output_units(self):
        return self._target_meta_["n_outputs_"]

    def _dummy_encoded_target(self, n):
        enc = self._encode_target(np.resize(self.classes_, n)) if self._label_encoder is not None else np.zeros((n, len(self.classes_)), np.float32)
        return enc

    def _stratify_labels(self, y_enc):
        if self._target_type == "multilabel-indicator":
            return None
        y_enc = np.asarray(y_enc)
        return y_enc.argmax(axis=1) if y_enc.ndim == 2 and y_enc.shape[1] > 1 else y_enc.ravel()

    def _class_weight_factors(self, y_enc):
        cw = getattr(self, "class_weight", None)
        if cw is None or self._target_type == "multilabel-indicator":
            return 1.0
        codes = self._stratify_labels(y_enc).astype(int)
        labels = self.classes_[codes]
        if isinstance(cw, str):
            return compute_sample_weight(cw, labels).astype(np.float32)
        unknown = set(cw) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"The 'class_weight' parameter names labels {sorted(unknown, key=str)} that are "
                f"not in y; classes are {self.classes_.tolist()}."
            )
        return np.array([cw.get(lab, 1.0) for lab in labels.tolist()], dtype=np.float32)

    def _check_output(self, model, meta):
        units = int(model.outputs[0].shape[-1]) if len(model.outputs) == 1 else None
        loss = self._loss_name()
        tt = meta["target_type_"]
        if units is None:
            return
        self._target_meta_ = {**self._target_meta_, "n_outputs_": units}
        if tt == "binary" and units not in (1, 2):
            raise ValueError(
                f"The model's output has {units} units but y is binary: use 1 unit (sigmoid) "
                "or 2 units (softmax)."
            )
        if tt == "multiclass" and units != meta["n_classes_"]:
            raise ValueError(
                f"The model's output has {units} units but y has {meta['n_classes_']} classes."
            )
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

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) — binary included.

        For a multilabel target, the probability of each label, shape
        (n_samples, n_labels).
        """
        out = self._forward(X)
        if self._target_type == "multilabel-indicator":
            return out
        if out.shape[1] == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            out = np.column_stack([1.0 - p, p])
        out = np.clip(out, 0.0, None)
        total = out.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return out / total

    def predict(self, X):
        """Predicted labels (or a multilabel indicator matrix)."""
        proba = self.predict_proba(X)
        if self._target_type == "multilabel-indicator":
            return (proba >= 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


def classifier_tags(tags):
    """Tags of skdl classifiers; applied left of ClassifierMixin, which creates them."""
    tags.classifier_tags.multi_label = True
    return tags


class RegressorTargetMixin:
    """Target shaping, optional standardisation and loss choice for regressors."""

    _default_metrics = ()

    def _prepare_target(self, y, *, reset):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y2 = y.reshape(-1, 1)
        else:
            y2 = y
        if not np.all(np.isfinite(y2)):
            raise ValueError("Input y contains NaN or infinity.")
        if reset:
            self._y_ndim = y.ndim
            self.n_outputs_ = y2.shape[1]
            loss = self._resolve_loss()
            scale = getattr(self, "scale_target", False) and not (
                isinstance(loss, str) and loss.lower() in _SCALE_SENSITIVE
            )
            if scale:
                mean = y2.mean(axis=0)
                std = y2.std(axis=0)
                std[std == 0] = 1.0
            else:
                mean = np.zeros(y2.shape[1])
                std = np.ones(y2.shape[1])
            self._y_mean, self._y_scale = mean, std
            self._target_meta_ = {
                "target_type_": "continuous" if y2.shape[1] == 1 else "continuous-multioutput",
                "n_classes_": None,
                "n_outputs_": y2.shape[1],
                "output_activation_": "linear",
                "y_dtype_": y.dtype,
            }
        return self._encode_target(y2)

    def _encode_target(self, y):
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        return ((y2 - self._y_mean) / self._y_scale).astype(np.float32)

    def _dummy_encoded_target(self, n):
        return np.zeros((n, self.n_outputs_), np.float32)

    def _resolve_loss(self):
        return "mse" if self.loss is None else self.loss

    def _check_output(self, model, meta):
        if len(model.outputs) == 1:
            units = int(model.outputs[0].shape[-1])
            if units != meta["n_outputs_"]:
                raise ValueError(
                    f"The model's output has {units} units but y has {meta['n_outputs_']} "
                    "target column(s)."
                )

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._forward(X) * self._y_scale + self._y_mean
        return out.ravel() if self._y_ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
