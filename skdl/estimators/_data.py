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
from skdl.training._sparse import SparseRows

__all__ = [
    "KERAS_FIT_KEYWORDS",
    "MIN_VALIDATION_ROWS",
    "Rows",
    "fit_rng",
    "input_dtype",
    "is_sparse",
    "network_input",
    "network_rows",
    "plain",
    "resolve_batch_size",
    "resolve_epochs",
    "row_shapes",
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


#: ``batch_size="auto"``: scikit-learn's MLP rule, ``min(200, rows)``.
AUTO_BATCH_SIZE = 200
#: ``epochs="auto"`` (the MLP estimators' default): a budget in weight updates.
#: At most ``AUTO_UPDATES`` updates on the rows the fit trains on, within
#: ``AUTO_EPOCHS_RANGE`` epochs: up to ~1 600 rows at batch 32 that is 200
#: epochs (scikit-learn's ``max_iter``), on 50 000 rows 10 instead of 200
#: (1 563 updates an epoch). The convergence or early-stopping rule still ends
#: a fit sooner. Chosen by ``benchmarks/bench_training_length.py`` (more
#: updates on small sets did not score higher) and a 50 000-row fit (10 epochs
#: scored higher than 200, in 1/26 of the time); docs/design.md.
AUTO_UPDATES = 10_000
AUTO_EPOCHS_RANGE = (10, 200)


def resolve_batch_size(value, n_rows: int, *, owner: str, name: str = "batch_size") -> int:
    """Rows per batch for ``n_rows`` rows, with scikeras' meanings of None and -1.

    None is Keras' default of 32, -1 is all rows in one batch, ``"auto"`` is
    scikit-learn's ``min(200, n_rows)``; never more than ``n_rows`` (at least 1).
    """
    if isinstance(value, str) and value == "auto":
        value = AUTO_BATCH_SIZE
    elif value is None:
        value = 32
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == -1:
        value = n_rows
    elif not (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1):
        raise ValueError(
            f"The '{name}' of {owner} must be a positive int, -1 (all rows in one batch), 'auto' "
            f"(min(200, rows)) or None (Keras' default of 32). Got {value!r} instead."
        )
    return int(max(1, min(int(value), n_rows)))


def auto_epochs(n_rows: int, batch_size: int, updates: int | None = None) -> int:
    """Epochs of ``epochs="auto"``: about ``updates`` weight updates on ``n_rows`` rows.

    An epoch makes ``ceil(n_rows / batch_size)`` updates; the result lies in
    ``AUTO_EPOCHS_RANGE``. ``updates`` defaults to ``AUTO_UPDATES``.
    """
    updates = AUTO_UPDATES if updates is None else updates
    per_epoch = max(1, math.ceil(max(1, int(n_rows)) / max(1, int(batch_size))))
    low, high = AUTO_EPOCHS_RANGE
    return int(min(high, max(low, math.ceil(updates / per_epoch))))


def resolve_epochs(value, n_rows: int, batch_size: int) -> int:
    """The epochs of a fit (validated by the parameter constraints or the plan): ``"auto"`` resolved for its rows."""
    return auto_epochs(n_rows, batch_size) if value == "auto" else int(value)


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


# ------------------------------------------------------- encoded data (scikeras' encoders)
class Rows:
    """A list or dict of arrays (a model's several inputs or outputs) that slices by rows like one array.

    The epoch loop and the engines index X and y by row (``X[idx]``); Keras
    takes several inputs or outputs as a list or dict of arrays. Indexing a
    ``Rows`` gives that list or dict with every array indexed.

    Parameters
    ----------
    value : list, tuple or dict of ndarray (nested)
        Every array has ``n`` rows.
    n : int
        The number of rows.
    """

    __slots__ = ("value", "n")

    def __init__(self, value, n):
        self.value = value
        self.n = int(n)

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return _map_leaves(self.value, lambda a: a[index])

    def __repr__(self):
        return f"Rows({row_shapes(self)!r}, n={self.n})"


def _map_leaves(value, fn):
    if isinstance(value, dict):
        return {k: _map_leaves(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_map_leaves(v, fn) for v in value]
    return fn(value)


def plain(value):
    """What Keras takes: the list or dict inside a :class:`Rows`, anything else as it is."""
    return value.value if isinstance(value, Rows) else value


def row_shapes(value):
    """The shape of one row: a tuple, or a list/dict of tuples for a :class:`Rows` (``input_shape_``)."""
    return _map_leaves(plain(value), lambda a: tuple(int(d) for d in a.shape[1:]))


def row_signature(value):
    """Row shapes and dtypes, hashable (part of the pool key: the compiled step is traced for them)."""
    leaves = []
    _map_leaves(plain(value), lambda a: leaves.append((tuple(a.shape[1:]), str(a.dtype))))
    return tuple(leaves)


def zeros_rows(shapes, n):
    """``n`` rows of zeros (float32) for :func:`row_shapes` output (to rebuild a restored network)."""
    if isinstance(shapes, tuple):
        return np.zeros((n, *shapes), np.float32)
    if isinstance(shapes, dict):
        return {k: zeros_rows(v, n) for k, v in shapes.items()}
    return [zeros_rows(v, n) for v in shapes]


def is_sparse(value) -> bool:
    """Whether ``value`` is a scipy sparse matrix or array."""
    import scipy.sparse

    return scipy.sparse.issparse(value)


def network_input(X):
    """X as the engines take it: a sparse matrix as :class:`~skdl.training._sparse.SparseRows`
    (CSR, densified per batch), anything else as it is."""
    return SparseRows(X) if is_sparse(X) else X


def network_rows(value, n: int, *, owner: str, what: str):
    """What an encoder returned, checked and made ready for Keras: an array, or :class:`Rows`.

    ``value`` is an array, or a list, tuple or dict of arrays (nested; several
    inputs or outputs), each with ``n`` rows and a numeric dtype. float64 becomes
    float32 (what the network computes in); other dtypes (integer codes) stay.
    A feature encoder may return one 2-D scipy sparse matrix (a model with one
    input): it becomes :class:`~skdl.training._sparse.SparseRows`, float32,
    densified per batch.

    Parameters
    ----------
    value : array-like, list, tuple or dict
    n : int
        Rows of the X or y given to the estimator.
    owner : str
        The estimator's class name, for messages.
    what : str
        What produced ``value`` (``"feature_encoder"``, ``"target_encoder"``), for messages.

    Raises
    ------
    ValueError
        An empty list or dict, a value without rows, a row count other than
        ``n``, a non-numeric dtype, or a sparse matrix where it is not
        supported (a target encoder's, inside a list or dict, not 2-D).
    """
    structured = isinstance(value, (list, tuple, dict))
    form = "an array, or a list or dict of arrays (one per model input or output)"
    if structured and not value:
        raise ValueError(
            f"The {what} of {owner} must return {form}, with {n} rows; it returned an empty "
            f"{type(value).__name__}."
        )

    def leaf(array, path=""):
        where = f" (item {path})" if path else ""
        if is_sparse(array) or hasattr(array, "tocsr") or hasattr(array, "nnz"):
            if path or what != "feature_encoder" or getattr(array, "ndim", 2) != 2:
                supported = ("one 2-D sparse matrix (for a model with one input), or dense arrays"
                             if what == "feature_encoder" else "dense arrays")
                raise ValueError(f"The {what} of {owner} returned a sparse matrix{where} of shape "
                                 f"{tuple(array.shape)}; it must return {supported}. Densify it with .toarray().")
            if array.shape[0] != n:
                raise ValueError(
                    f"The {what} of {owner} must return {form}, with one row per sample ({n}); it returned "
                    f"a sparse matrix of shape {tuple(array.shape)}."
                )
            if array.dtype.kind not in "biuf":
                raise ValueError(
                    f"The {what} of {owner} must return numeric arrays; it returned a sparse matrix of dtype "
                    f"{array.dtype}."
                )
            return SparseRows(array)
        try:
            array = np.asarray(array)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"The {what} of {owner} must return {form}; it returned {type(array).__name__}{where}, "
                f"which is not an array ({exc})."
            ) from None
        if array.ndim == 0 or len(array) != n:
            rows = "no rows" if array.ndim == 0 else f"{len(array)} rows"
            raise ValueError(
                f"The {what} of {owner} must return {form}, with one row per sample ({n}); it returned "
                f"an array of shape {array.shape}{where} ({rows})."
            )
        if array.dtype.kind not in "biuf":
            raise ValueError(
                f"The {what} of {owner} must return numeric arrays; it returned dtype {array.dtype}{where}."
            )
        return array.astype(np.float32) if array.dtype == np.float64 else array

    def walk(v, path):
        if isinstance(v, dict):
            return {k: walk(item, f"{path}[{k!r}]") for k, item in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(v)]
        return leaf(v, path)

    if not structured:
        return leaf(value)
    return Rows(walk(value, ""), n)
