"""Sparse X for the engines: a CSR matrix that gives dense batches, never a dense copy of itself.

A network takes dense tensors, and a scipy sparse matrix is usually sparse
because its dense form would not fit in memory (a 1 000 000 x 100 000 TF-IDF
matrix is 400 GB as float32). :class:`SparseRows` keeps the matrix as CSR
(cheap row slicing) and densifies only the rows an engine asks for: the
compiled engines index X by rows per training chunk and per evaluation or
prediction bucket (:mod:`skdl.training._compiled`, at most a few MB of values
each), and the Keras engine gets a :func:`dense_batches` ``PyDataset`` that
densifies one batch at a time.
"""

from __future__ import annotations

import numpy as np

from skdl.training.runtime import get_keras

__all__ = ["SparseRows", "batch_rows", "dense_batches", "is_sparse_rows", "take_rows"]

#: Largest number of values one prediction or evaluation batch of the Keras engine densifies
#: when no batch size is given (the compiled engines' bucket limit, 64 MB of float32).
_BATCH_VALUES = 1 << 24


class SparseRows:
    """A 2-D scipy sparse matrix that slices by rows into dense float32 arrays.

    ``rows[index]`` (an int array or a slice, as the engines index X) is a
    dense ``ndarray`` of those rows; :meth:`take` keeps them sparse (the
    validation split). ``shape``, ``ndim``, ``dtype`` and ``len`` are the
    matrix's, as the engines read them from a dense X.

    Parameters
    ----------
    matrix : scipy sparse matrix or array of shape (n_samples, n_features)
        Converted to CSR with float32 values (a format change: the values and
        the implicit zeros stay as they are; CSR float32 input is not copied).
    """

    __slots__ = ("matrix",)

    def __init__(self, matrix):
        matrix = matrix.tocsr()  # the same object when it is CSR already
        if matrix.dtype != np.float32:
            matrix = matrix.astype(np.float32)
        self.matrix = matrix

    @property
    def shape(self):
        return tuple(int(d) for d in self.matrix.shape)

    @property
    def ndim(self):
        return 2

    @property
    def dtype(self):
        return np.dtype(np.float32)

    def __len__(self):
        return int(self.matrix.shape[0])

    def __getitem__(self, index):
        """The rows ``index`` as a dense float32 array of shape (n_rows, n_features) (one row for an int)."""
        if isinstance(index, (int, np.integer)):
            return self.matrix[[int(index)]].toarray()[0]
        return self.matrix[index].toarray()

    def take(self, index):
        """The rows ``index`` as another :class:`SparseRows` (no dense copy)."""
        return SparseRows(self.matrix[np.asarray(index)])

    def __repr__(self):
        return f"SparseRows(shape={self.shape}, nnz={self.matrix.nnz})"


def is_sparse_rows(X) -> bool:
    """Whether X is a :class:`SparseRows` (the engines then densify it per batch)."""
    return isinstance(X, SparseRows)


def take_rows(X, index):
    """Rows ``index`` of X, staying sparse for a :class:`SparseRows` (``X[index]`` otherwise)."""
    return X.take(index) if isinstance(X, SparseRows) else X[index]


def batch_rows(X, batch_size=None) -> int:
    """Rows per batch for the Keras engine's evaluation and prediction of sparse X.

    ``batch_size`` when given, else 1024 rows (the Keras engine's default for
    dense X) but never more than :data:`_BATCH_VALUES` values at once.
    """
    if batch_size:
        return int(batch_size)
    row_values = max(1, int(np.prod(X.shape[1:])))
    return int(max(1, min(1024, _BATCH_VALUES // row_values)))


_BATCHES_CLASS = None


def dense_batches(X, y=None, w=None, *, batch_size, order=None):
    """A ``keras.utils.PyDataset`` over rows ``order`` of sparse X, densified one batch at a time.

    Parameters
    ----------
    X : SparseRows
    y, w : ndarray or None, default=None
        Targets and sample weights; a batch is ``x`` alone when ``y`` is None
        (prediction), else ``(x, y, w)``.
    batch_size : int
        Rows per batch (the last batch may have fewer).
    order : ndarray of int or None, default=None
        The rows, in the order they are served (a shuffled epoch); None: all
        rows in order.

    Returns
    -------
    keras.utils.PyDataset
    """
    global _BATCHES_CLASS
    if _BATCHES_CLASS is None:
        keras = get_keras()

        class DenseBatches(keras.utils.PyDataset):
            def __init__(self, X, y, w, order, batch_size):
                super().__init__()
                self.X, self.y, self.w = X, y, w
                self.order = order
                self.batch_size = int(batch_size)

            def __len__(self):
                return max(1, -(-len(self.order) // self.batch_size))

            def __getitem__(self, i):
                rows = self.order[i * self.batch_size: (i + 1) * self.batch_size]
                x = self.X[rows]
                if self.y is None:
                    return x
                return x, self.y[rows], self.w[rows]

        _BATCHES_CLASS = DenseBatches
    order = np.arange(len(X)) if order is None else np.asarray(order)
    return _BATCHES_CLASS(X, y, w, order, max(1, int(batch_size)))
