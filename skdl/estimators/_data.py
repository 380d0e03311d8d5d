"""The data side of a fit: fit-time keywords, sample weights, the random stream, the validation split."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight

from skdl.exceptions import SkdlWarning

__all__ = [
    "KERAS_FIT_KEYWORDS",
    "MIN_VALIDATION_ROWS",
    "fit_rng",
    "input_dtype",
    "resolve_batch_size",
    "sample_weights",
    "split_fit_params",
    "split_last_rows",
    "split_validation",
]

#: Fewer validation rows than this make early stopping follow noise: skdl then
#: warns and trains on all rows (sklearn's MLP with early stopping on iris drops
#: from 0.953 to 0.807 accuracy).
MIN_VALIDATION_ROWS = 30

#: ``keras.Model.fit`` keywords that ``fit(X, y, **kwargs)`` takes as in scikeras
#: (``x``, ``y``, ``sample_weight`` and ``callbacks`` have their own meaning in skdl's ``fit``).
KERAS_FIT_KEYWORDS = (
    "batch_size", "class_weight", "epochs", "initial_epoch", "shuffle", "steps_per_epoch",
    "validation_batch_size", "validation_data", "validation_freq", "validation_split",
    "validation_steps", "verbose",
)


def input_dtype(X):
    """The dtype of X as given (scikeras' ``X_dtype_``: uint8 pixels stay uint8), or None if X has none.

    skdl trains on float32; this records what the user passed, before that conversion.
    """
    dtype = getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype
    try:
        dtypes = getattr(X, "dtypes", None)  # a DataFrame: the type its values convert to
        if dtypes is not None:
            return np.result_type(*[np.dtype(d) for d in dtypes])
        return np.asarray(X).dtype
    except (TypeError, ValueError):  # pandas extension dtypes, ragged lists: validation reports these
        return None


def split_fit_params(owner: str, fit_params: dict):
    """``(callbacks, eval_set, fit options)`` from ``fit``'s keyword arguments.

    The fit options are the ``fit__`` ones and the bare ``keras.Model.fit``
    keywords (``fit(X, y, epochs=2)``, as in scikeras); a bare keyword wins
    over the same ``fit__`` one.
    """
    fit_params = dict(fit_params)
    callbacks = list(fit_params.pop("callbacks", None) or ())
    eval_set = fit_params.pop("eval_set", None)
    routed = {k[5:]: fit_params.pop(k) for k in [k for k in fit_params if k.startswith("fit__")]}
    routed.update({k: fit_params.pop(k) for k in [k for k in fit_params if k in KERAS_FIT_KEYWORDS]})
    if fit_params:
        raise TypeError(
            f"{owner}.fit got unexpected keyword argument(s) {sorted(fit_params)}; it accepts "
            f"sample_weight, callbacks, eval_set, fit__ options and the keras.Model.fit keywords "
            f"{', '.join(KERAS_FIT_KEYWORDS)}."
        )
    return callbacks, eval_set, routed


def resolve_batch_size(value, n_rows: int, *, owner: str, name: str = "batch_size") -> int:
    """Rows per batch for ``n_rows`` rows, with scikeras' meanings of None and -1.

    None is Keras' default of 32, -1 is all rows in one batch; never more than
    ``n_rows`` (at least 1).
    """
    if value is None:
        value = 32
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == -1:
        value = n_rows
    elif not (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1):
        raise ValueError(
            f"The '{name}' of {owner} must be a positive int, -1 (all rows in one batch) or None "
            f"(Keras' default of 32). Got {value!r} instead."
        )
    return int(max(1, min(int(value), n_rows)))


def split_last_rows(owner: str, n: int, fraction: float):
    """Train and validation row indices for ``validation_split``: the last rows, as Keras splits.

    ``keras.Model.fit(validation_split=...)`` validates on the last
    ``n - floor(n * (1 - fraction))`` rows, before any shuffling; so does this.
    """
    if not (isinstance(fraction, numbers.Real) and 0.0 <= fraction < 1.0):
        raise ValueError(
            f"The 'validation_split' of {owner} must be a float in the range [0, 1). Got {fraction!r} instead."
        )
    split_at = int(math.floor(n * (1.0 - fraction)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"{owner}: the training data has {n} samples, too few to hold out "
            f"validation_split={fraction} of them for validation and keep the rest for training. "
            "Give more data or another validation_split."
        )
    idx = np.arange(n)
    return idx[:split_at], idx[split_at:]


def sample_weights(sample_weight, X, factors) -> np.ndarray:
    """Validated float32 weights, multiplied by the target's class-weight factors."""
    sw = _check_sample_weight(sample_weight, X, dtype=np.float32)
    sw = (sw * factors).astype(np.float32)
    if not np.all(np.isfinite(sw)) or np.any(sw < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    return sw


def fit_rng(random_state, offset: int = 0) -> np.random.RandomState:
    """The random stream of one fit: validation split, network seed, batches.

    An int gives a reproducible stream (``offset``, the epochs already trained,
    makes a continued fit draw new batches reproducibly); a RandomState is used
    as given; None is random.
    """
    if isinstance(random_state, numbers.Integral):
        return np.random.RandomState(int(random_state) + offset)
    if random_state is None:
        return np.random.RandomState()
    return check_random_state(random_state)


def split_validation(owner: str, n: int, fraction: float, stratify, rng):
    """Train and validation row indices for early stopping (stratified when labels are given).

    With too few rows for a meaningful validation score, warn and return
    ``(all rows, None)``: training then stops on the training loss.
    """
    idx = np.arange(n)
    n_val = int(math.ceil(fraction * n))
    n_classes = len(np.unique(stratify)) if stratify is not None else 1
    needed = max(MIN_VALIDATION_ROWS, 2 * n_classes)
    if n_val < needed or n - n_val < n_classes:
        warnings.warn(
            f"{owner}: early stopping would hold out only {n_val} of {n} samples "
            f"(validation_fraction={fraction}); at least {needed} are needed for a meaningful "
            "validation score, so training uses all samples and stops on the training loss.",
            SkdlWarning,
            stacklevel=4,
        )
        return idx, None
    if stratify is not None and np.min(np.unique(stratify, return_counts=True)[1]) < 2:
        stratify = None
    tr, va = train_test_split(idx, test_size=n_val, random_state=rng.randint(0, 2**31 - 1), stratify=stratify)
    return np.sort(tr), np.sort(va)
