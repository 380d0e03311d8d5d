"""The Keras engine: :class:`~skdl.training._network.BaseNetwork` driven by ``model.fit``.

Used on backends without a compiled loop here (torch), for models with several
inputs or outputs, with ``fit__`` options, and when a Keras callback needs
batch-level hooks. ``model.fit`` runs one epoch per :meth:`KerasFitNetwork.train_epoch`
call, so the estimator's own epoch loop (schedules, early stopping,
checkpoints) is the same on every engine; slower than the compiled engines
(``fit``/``predict`` set-up costs every epoch), never pooled.
"""

from __future__ import annotations

import numpy as np

from skdl.training import _fixes
from skdl.training.runtime import get_keras
from skdl.training._network import BaseNetwork
from skdl.training._sparse import batch_rows, dense_batches, is_sparse_rows


class KerasFitNetwork(BaseNetwork):
    """The network interface driven by ``model.fit``/``evaluate``/``predict``.

    Parameters
    ----------
    model : keras.Model
        A compiled model (any number of inputs and outputs).
    sample : tuple of arrays
        ``(x, y, sample_weight)`` with a few rows, used to build the model.
    callbacks : sequence of keras.callbacks.Callback, default=()
        ``model.fit`` gets only their batch hooks: the estimator's loop calls
        the train and epoch hooks once per fit and per epoch.
    fit_kwargs : dict or None, default=None
        Extra ``model.fit`` options, passed on every epoch.
    """

    key = None
    reusable = False

    def __init__(self, model, sample, callbacks=(), fit_kwargs=None):
        self.model = model
        self.backend = get_keras().backend.backend()
        self._callbacks = [_batch_hooks_only(cb) for cb in callbacks]
        self._test_callbacks = list(callbacks)
        self._fit_kwargs = dict(fit_kwargs or {})
        x, y, w = sample
        _fixes.symbolic_build(model, (x, y, w))
        lr = _fixes.optimizer_learning_rate(model.optimizer)
        self._lr_is_variable = lr is not None and hasattr(lr, "assign")
        self._epoch = 0

    def reinitialize(self, seed=None):
        """Restart the epoch count (a Keras-engine network is built fresh for each fit)."""
        self._epoch = 0

    def set_learning_rate(self, lr):
        """Set the optimizer's learning rate (does nothing when it is a Keras schedule)."""
        if self._lr_is_variable:
            self.model.optimizer.learning_rate.assign(lr)

    def learning_rate(self):
        """The current learning rate; a Keras schedule is evaluated at the current step."""
        opt = self.model.optimizer
        if self._lr_is_variable:
            return float(np.asarray(opt.learning_rate))
        try:
            return float(np.asarray(_fixes.optimizer_learning_rate(opt)(opt.iterations)))
        except Exception:  # an exotic callable: record nothing sensible rather than fail
            return float("nan")

    def train_epoch(self, X, y, w, index, batch_size, rng, shuffle=True):
        """One ``model.fit`` epoch on rows ``index`` (shuffled by Keras); its logs.

        Sparse X (:class:`~skdl.training._sparse.SparseRows`) goes to
        ``model.fit`` as a ``PyDataset`` that densifies one batch at a time; its
        rows are shuffled here, with ``rng``.
        """
        idx = np.sort(np.asarray(index))
        batch_size = int(min(batch_size, len(idx)))
        if is_sparse_rows(X):
            order = rng.permutation(idx) if shuffle else idx
            data = dict(x=dense_batches(X, y, w, batch_size=batch_size, order=order), shuffle=False)
        else:
            data = dict(x=X[idx], y=y[idx], sample_weight=w[idx], batch_size=batch_size, shuffle=shuffle)
        hist = self.model.fit(
            **data,
            epochs=self._epoch + 1,
            initial_epoch=self._epoch,
            verbose=0,
            callbacks=self._callbacks,
            **self._fit_kwargs,
        )
        self._epoch += 1
        return {k: float(v[-1]) for k, v in hist.history.items()}

    def evaluate(self, X, y, w, batch_size=None, validation=False):
        """``model.evaluate`` on (X, y, w) as a dict of floats (1024 rows per batch by default).

        For the validation set the callbacks' test hooks run, as in ``model.fit``.
        """
        data = (dict(x=dense_batches(X, y, w, batch_size=batch_rows(X, batch_size))) if is_sparse_rows(X)
                else dict(x=X, y=y, sample_weight=w, batch_size=batch_size or 1024))
        logs = self.model.evaluate(**data, verbose=0, return_dict=True,
                                   callbacks=self._test_callbacks if validation else None)
        return {k: float(v) for k, v in logs.items()}

    def predict(self, X):
        """``model.predict`` on X as a NumPy array (sparse X densified one batch at a time)."""
        if is_sparse_rows(X):
            return np.asarray(self.model.predict(dense_batches(X, batch_size=batch_rows(X)), verbose=0))
        return np.asarray(self.model.predict(X, verbose=0, batch_size=1024))


_BATCH_HOOK_CLASS = None


def _batch_hooks_only(callback):
    """Wrap a Keras callback so that ``model.fit`` reaches only its batch hooks."""
    global _BATCH_HOOK_CLASS
    if _BATCH_HOOK_CLASS is None:
        keras = get_keras()

        class BatchHooks(keras.callbacks.Callback):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def set_params(self, params):
                super().set_params(params)
                self.inner.set_params(params)

            def set_model(self, model):
                super().set_model(model)
                self.inner.set_model(model)

            def on_train_batch_begin(self, batch, logs=None):
                self.inner.on_train_batch_begin(batch, logs)

            def on_train_batch_end(self, batch, logs=None):
                self.inner.on_train_batch_end(batch, logs)

        _BATCH_HOOK_CLASS = BatchHooks
    return _BATCH_HOOK_CLASS(callback)
