"""What the compiled engines share: static-shape batching, chunks, buckets, re-initialisation.

Every cross-validation fold and every search trial pays the fixed cost of one
fit, so the compiled engines are built to be reused (docs/design.md, "Engine"):

* one compiled call trains a chunk of many batches (``jax.lax.scan`` on JAX, a
  ``tf.range`` loop inside ``tf.function`` on TensorFlow), so Python and
  dispatch overhead are paid per epoch, not per batch;
* batches have a static shape: the last batch is filled with resampled rows of
  weight zero and the real rows are re-weighted so the loss equals Keras' mean
  over the partial batch, while the metrics and the logged loss count each
  real row once (:class:`~skdl.training._fixes.PaddedBatchAccounting`);
  evaluation and prediction pad to power-of-two buckets. On JAX this keeps XLA from recompiling for every fold size;
* :meth:`CompiledNetwork.reinitialize` draws fresh weights from the layers' own
  initializers and resets optimizer and metric state, so a network can be
  handed from one fit to the next without rebuilding or retracing anything
  (see :mod:`skdl.training._pool`).

:class:`CompiledNetwork` implements :class:`~skdl.training._network.BaseNetwork`
once; a backend's subclass (``_jax.JaxNetwork``, ``_tensorflow.TensorFlowNetwork``)
supplies only the compiled train chunk, evaluation and prediction batch, where
the weights live during a fit (``begin``/``sync``/``end``/``snapshot``/``restore``)
and the learning-rate variable.
"""

from __future__ import annotations

import abc
import math

import numpy as np

from skdl.training import _fixes
from skdl.training.runtime import get_keras
from skdl.training._network import BaseNetwork

# Largest number of values a single prediction bucket holds.
_CHUNK_VALUES = 1 << 24
_MIN_BUCKET = 64


class CompiledNetwork(BaseNetwork):
    """A compiled Keras model plus compiled train, evaluate and predict functions.

    Parameters
    ----------
    model : keras.Model
        A compiled model with a single input and a single output.
    sample : tuple of arrays
        ``(x, y, sample_weight)`` with a few rows, used to build the model's
        loss, metrics and optimizer state symbolically.
    key : hashable or None
        What shapes the graph; networks with equal keys are interchangeable.
        ``None`` means the network is never reused.
    """

    # Largest number of X values one compiled training call takes. Each chunk is
    # gathered with X[rows], copied to the device and, with asynchronous
    # dispatch, the next one is gathered while it trains, so a few chunks are
    # alive at once (docs/design.md, "Training chunks"). Subclasses set theirs.
    train_chunk_values = 1 << 21

    def __init__(self, model, sample, key=None):
        self.model = model
        self.key = key
        self.backend = get_keras().backend.backend()
        x, y, w = sample
        _fixes.symbolic_build(model, (x, y, w))
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        self._opt_initial = [np.array(v.numpy()) for v in model.optimizer.variables]
        model.reset_metrics()
        self._metrics_initial = [np.array(v.numpy()) for v in model.metrics_variables]
        lr = _fixes.optimizer_learning_rate(model.optimizer)
        # None when the rate is a Keras schedule rather than a variable
        self._lr_index = next((i for i, v in enumerate(model.optimizer.variables) if v is lr), None)
        self._initializers = self._collect_initializers()
        self.reusable = key is not None and self._initializers is not None
        self._fns = {}

    # ------------------------------------------------------------ backend part
    @abc.abstractmethod
    def _run_chunk(self, xs, ys, ws, wm, ms):
        """Train on ``steps`` batches stacked as (steps, batch, ...); the metrics' logs.

        ``ws`` are the loss weights (the partial batch's real rows rescaled),
        ``wm`` the metric weights (the rows' own, zero on padding) and ``ms``
        the real-row mask; the step is traced inside
        :class:`~skdl.training._fixes.PaddedBatchAccounting`.
        """

    @abc.abstractmethod
    def _eval_batch(self, xb, yb, wb, wm, mb):
        """Logs of one test step on a bucket, added to the metrics' running state.

        Weights as in :meth:`_run_chunk`; :meth:`_reset_eval_metrics` starts a new evaluation.
        """

    @abc.abstractmethod
    def _reset_eval_metrics(self):
        """Start an evaluation: the metric state back to its initial values."""

    @abc.abstractmethod
    def _predict_batch(self, xb):
        """Outputs of the model on one bucket."""

    @abc.abstractmethod
    def _reset_train_metrics(self):
        """Put the metric state back to its initial values before an epoch."""

    @abc.abstractmethod
    def _assign_learning_rate(self, lr):
        """Set the learning-rate variable (``self._lr_index`` is not None)."""

    @abc.abstractmethod
    def _learning_rate_value(self) -> float:
        """The learning-rate variable's value (``self._lr_index`` is not None)."""

    @abc.abstractmethod
    def _iterations(self):
        """The optimizer's step count, where a Keras schedule is evaluated."""

    def _drop_state(self):
        """Forget any fit-only copy of the variables (after re-initialisation)."""

    # ------------------------------------------------------------------ state
    def _collect_initializers(self):
        """Map every variable to a way of drawing it again, or None if one is unknown."""
        plan = []
        for layer in _fixes.iter_layers(self.model):
            for gen in _fixes.seed_generators(layer):
                plan.append((gen.state, "seed"))
            own = _fixes.own_variables(layer)
            if own is None:
                return None
            for var in own:
                init = getattr(layer, f"{var.name}_initializer", None)
                if init is None:
                    return None
                plan.append((var, init))
        covered = {id(v) for v, _ in plan}
        if any(id(v) not in covered for v in self.model.variables):
            return None
        return plan

    def reinitialize(self, seed=None):
        """Draw fresh weights and reset optimizer and metric state, in place.

        Parameters
        ----------
        seed : int or None
            The same seed gives the same weights, whatever the network was used
            for before.
        """
        rng = np.random.RandomState(seed)
        plan = self._initializers
        if plan is None:
            raise RuntimeError("this network cannot be re-initialised in place")
        for var, init in plan:
            if init == "seed":
                var.assign(np.array([rng.randint(1, 2**30), 0], dtype=var.dtype))
                continue
            draw_seed = int(rng.randint(1, 2**31 - 1))
            if hasattr(init, "seed"):
                old = init.seed
                init.seed = draw_seed
                try:
                    value = init(var.shape, dtype=var.dtype)
                finally:
                    init.seed = old
            else:
                value = init(var.shape, dtype=var.dtype)
            var.assign(value)
        for var, value in zip(self.model.optimizer.variables, self._opt_initial):
            var.assign(value)
        self._drop_state()

    # ---------------------------------------------------------- learning rate
    def set_learning_rate(self, lr: float):
        """Set the optimizer's learning rate (does nothing when it is a Keras schedule)."""
        if self._lr_index is not None:
            self._assign_learning_rate(lr)

    def learning_rate(self) -> float:
        """The current learning rate; a Keras schedule is evaluated at the current step."""
        if self._lr_index is not None:
            return self._learning_rate_value()
        sched = _fixes.optimizer_learning_rate(self.model.optimizer)
        try:
            return float(np.asarray(sched(self._iterations())))
        except Exception:  # an exotic callable: record nothing sensible rather than fail
            return float("nan")

    # ---------------------------------------------------------------- training
    def train_epoch(self, X, y, w, index, batch_size, rng, shuffle=True):
        """Train one epoch on rows ``index`` of X, y, w; returns the epoch's logs."""
        n = len(index)
        bs = int(min(batch_size, n))
        order = rng.permutation(index) if shuffle else np.asarray(index)
        n_steps = math.ceil(n / bs)
        pad = n_steps * bs - n
        weights = w[order].astype(np.float32, copy=True)
        metric_weights, mask = weights, np.ones(n, np.float32)
        if pad:
            fill = rng.choice(index, size=pad, replace=True)
            order = np.concatenate([order, fill])
            n_last = bs - pad
            zeros = np.zeros(pad, np.float32)
            metric_weights = np.concatenate([weights, zeros])
            mask = np.concatenate([mask, zeros])
            # the last batch's real rows carry bs / n_last each in the loss, so its
            # mean over the padded batch equals Keras' mean over the partial batch;
            # the metrics count each real row once (PaddedBatchAccounting)
            weights[-n_last:] *= bs / n_last
            weights = np.concatenate([weights, zeros])
        row_values = max(1, int(np.prod(X.shape[1:])))
        chunk_steps = max(1, min(n_steps, self.train_chunk_values // (bs * row_values)))
        self._reset_train_metrics()
        logs = None
        for start in range(0, n_steps, chunk_steps):
            stop = min(n_steps, start + chunk_steps)
            rows = order[start * bs : stop * bs]
            steps = stop - start
            xs = X[rows].reshape((steps, bs) + X.shape[1:])
            ys = y[rows].reshape((steps, bs) + y.shape[1:])
            part = slice(start * bs, stop * bs)
            logs = self._run_chunk(
                xs, ys, weights[part].reshape(steps, bs),
                metric_weights[part].reshape(steps, bs), mask[part].reshape(steps, bs),
            )
        return as_logs(logs)

    # -------------------------------------------------------------- evaluation
    def evaluate(self, X, y, w, batch_size=None, validation=False):
        """Loss and compiled metrics on (X, y, w), as Keras' evaluate computes them.

        In fixed-size buckets whatever ``batch_size`` (the mean over the rows
        does not depend on it); no callback has test hooks here (those fits run
        on the Keras engine).
        """
        n = len(X)
        if n == 0:
            return {}
        self._reset_eval_metrics()
        logs = None
        for start, stop, size in buckets(n, X.shape[1:]):
            xb, yb, wb = X[start:stop], y[start:stop], w[start:stop].astype(np.float32)
            real = stop - start
            wm, mb = wb, np.ones(real, np.float32)
            if size > real:
                zeros = np.zeros(size - real, np.float32)
                xb = pad_rows(xb, size)
                yb = pad_rows(yb, size)
                wm, mb = np.concatenate([wb, zeros]), np.concatenate([mb, zeros])
                wb = np.concatenate([wb * (size / real), zeros])
            # the metric state runs over all buckets, as over Keras' batches
            logs = self._eval_batch(xb, yb, wb, wm, mb)
        return as_logs(logs)

    # -------------------------------------------------------------- prediction
    def predict(self, X):
        """Model outputs for X as a float NumPy array, in fixed-size buckets."""
        n = len(X)
        outs = []
        for start, stop, size in buckets(n, X.shape[1:]):
            xb = X[start:stop]
            if size > stop - start:
                xb = pad_rows(xb, size)
            outs.append(np.asarray(self._predict_batch(xb))[: stop - start])
        if not outs:
            return np.zeros((0,) + tuple(self.model.outputs[0].shape[1:]), np.float32)
        return np.concatenate(outs, axis=0)


def as_logs(logs) -> dict:
    """Keras logs (tensors) as a dict of Python floats."""
    return {str(k): float(np.asarray(v)) for k, v in dict(logs).items()}


def buckets(n, row_shape):
    """Split n rows into (start, stop, padded_size) with few distinct sizes."""
    row_values = max(1, int(np.prod(row_shape)))
    max_rows = max(_MIN_BUCKET, 1 << int(math.log2(max(1, _CHUNK_VALUES // row_values))))
    out = []
    start = 0
    while start < n:
        stop = min(n, start + max_rows)
        real = stop - start
        size = max(_MIN_BUCKET, 1 << math.ceil(math.log2(real)))
        out.append((start, stop, min(size, max_rows) if real <= max_rows else real))
        start = stop
    return out


def pad_rows(a, size):
    """``a`` with its last row repeated up to ``size`` rows."""
    pad = size - len(a)
    return np.concatenate([a, np.repeat(a[-1:], pad, axis=0)], axis=0)
