"""The training engine: a compiled Keras model and the compiled functions around it.

Every cross-validation fold and every search trial pays the fixed cost of one
fit, so the engine is built to be reused (see docs/design.md, "Engine"):

* one compiled call trains a chunk of many batches (``jax.lax.scan`` on JAX, a
  ``tf.range`` loop inside ``tf.function`` on TensorFlow), so Python and
  dispatch overhead are paid per epoch, not per batch;
* batches have a static shape: the last batch is filled with resampled rows of
  weight zero and the real rows are re-weighted so the loss equals Keras' mean
  over the partial batch; prediction pads to power-of-two buckets. On JAX this
  keeps XLA from recompiling for every fold size;
* :meth:`Network.reinitialize` draws fresh weights from the layers' own
  initializers and resets optimizer and metric state, so a network can be
  handed from one fit to the next without rebuilding or retracing anything
  (see :mod:`skdl.training._pool`).

Backends other than JAX and TensorFlow (and models with several inputs or
outputs) use :class:`KerasFitNetwork`, which drives ``model.fit`` one epoch at a
time: slower, but the same interface and the same results contract.
"""

from __future__ import annotations

import math
import tempfile
import os

import numpy as np

from skdl.training.runtime import get_keras

# Largest number of values a single prediction bucket holds.
_CHUNK_VALUES = 1 << 24
# Largest number of X values one compiled training call takes, per backend. Each
# chunk is gathered with X[rows], copied to the device and, with asynchronous
# dispatch, the next one is gathered while it trains, so a few chunks are alive
# at once. Measured on 1 000 000 x 100 float32 (docs/design.md, "Training
# chunks"): 2^24 values (64 MB) made a fit's peak RSS 2.55x the size of X on JAX;
# 2^19 (2 MB) 1.78x, and warm fits of 33 333 x 100 got faster too (the chunk
# stays in cache). TensorFlow pays more per call, so it takes 2^21.
_TRAIN_CHUNK_VALUES = {"jax": 1 << 19, "tensorflow": 1 << 21}
_MIN_BUCKET = 64


class _OwnRetracingFilter:
    """Drop TensorFlow's retracing warning about skdl's own engine functions only.

    Each network owns its tf.functions, so a search that builds many networks
    trips TensorFlow's "frequent retracing" heuristic although nothing is traced
    twice; warnings about the user's own functions still pass.
    """

    def filter(self, record):
        msg = record.getMessage()
        return not ("retracing" in msg and "function Network._" in msg)


_FILTER_INSTALLED = False


def _install_tf_log_filter():
    global _FILTER_INSTALLED
    if _FILTER_INSTALLED:
        return
    import logging

    logging.getLogger("tensorflow").addFilter(_OwnRetracingFilter())
    _FILTER_INSTALLED = True


def _as_logs(logs) -> dict:
    return {str(k): float(np.asarray(v)) for k, v in dict(logs).items()}


class Network:
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

    fast = True

    def __init__(self, model, sample, key=None):
        self.model = model
        self.key = key
        keras = get_keras()
        self.backend = keras.backend.backend()
        x, y, w = sample
        model._symbolic_build(data_batch=(x, y, w))
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        self._opt_initial = [np.array(v.numpy()) for v in model.optimizer.variables]
        model.reset_metrics()
        self._metrics_initial = [np.array(v.numpy()) for v in model.metrics_variables]
        lr = getattr(model.optimizer, "_learning_rate", None)
        self._lr_index = None
        for i, v in enumerate(model.optimizer.variables):
            if v is lr:
                self._lr_index = i
        self._initializers = self._collect_initializers()
        self.reusable = key is not None and self._initializers is not None
        self._state = None  # JAX: (trainable, non_trainable, optimizer, metrics)
        self._fns = {}
        self._x_dtype = np.dtype(x.dtype)

    # ------------------------------------------------------------------ state
    def _collect_initializers(self):
        """Map every variable to a way of drawing it again, or None if one is unknown."""
        plan = []
        for layer in self.model._flatten_layers(include_self=True, recursive=True):
            for gen in getattr(layer, "_seed_generators", ()):
                plan.append((gen.state, "seed"))
            own = list(layer._trainable_variables) + list(layer._non_trainable_variables)
            for var in own:
                name = var.name
                init = getattr(layer, f"{name}_initializer", None)
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
        keras = get_keras()
        rng = np.random.RandomState(seed)
        plan = self._initializers
        if plan is None:
            raise RuntimeError("this network cannot be re-initialised in place")
        for var, init in plan:
            if init == "seed":
                value = np.array([rng.randint(1, 2**30), 0], dtype=var.dtype)
                var.assign(value)
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
        keras.backend  # noqa: B018 (keep import side effects explicit)
        self._state = None

    def begin(self):
        """Start a fit: on JAX, take the variables' values as the functional state."""
        if self.backend == "jax":
            m = self.model
            self._state = (
                [v.value for v in m.trainable_variables],
                [v.value for v in m.non_trainable_variables],
                [v.value for v in m.optimizer.variables],
                [v.value for v in m.metrics_variables],
            )

    def sync(self):
        """Write the functional state back into the Keras variables (JAX)."""
        if self.backend == "jax" and self._state is not None:
            m = self.model
            tv, ntv, ov, mv = self._state
            for var, val in zip(m.trainable_variables, tv):
                var.assign(val)
            for var, val in zip(m.non_trainable_variables, ntv):
                var.assign(val)
            for var, val in zip(m.optimizer.variables, ov):
                var.assign(val)

    def snapshot(self):
        """Current weights, cheap to keep (JAX arrays are immutable)."""
        if self.backend == "jax":
            self._ensure_state()
            return (list(self._state[0]), list(self._state[1]))
        return [np.array(v.numpy()) for v in self.model.weights]

    def restore(self, snap):
        """Put back weights taken by :meth:`snapshot`."""
        if self.backend == "jax":
            self._ensure_state()
            self._state = (snap[0], snap[1], self._state[2], self._state[3])
        else:
            for var, val in zip(self.model.weights, snap):
                var.assign(val)

    def _ensure_state(self):
        if self._state is None:
            self.begin()

    # ---------------------------------------------------------- learning rate
    @property
    def has_lr_variable(self):
        return self._lr_index is not None

    def set_learning_rate(self, lr: float):
        if self._lr_index is None:
            return
        if self.backend == "jax":
            self._ensure_state()
            import jax.numpy as jnp

            ov = list(self._state[2])
            ov[self._lr_index] = jnp.asarray(lr, dtype=ov[self._lr_index].dtype)
            self._state = (self._state[0], self._state[1], ov, self._state[3])
        else:
            self.model.optimizer.learning_rate.assign(lr)

    def learning_rate(self) -> float:
        opt = self.model.optimizer
        if self._lr_index is not None:
            if self.backend == "jax":
                self._ensure_state()
                return float(self._state[2][self._lr_index])
            return float(opt.learning_rate.numpy())
        # a Keras LearningRateSchedule: evaluate it at the current step
        sched = opt._learning_rate
        if self.backend == "jax":
            self._ensure_state()
            it = self._state[2][0]
        else:
            it = opt.iterations
        try:
            return float(np.asarray(sched(it)))
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
        if pad:
            fill = rng.choice(index, size=pad, replace=True)
            order = np.concatenate([order, fill])
            n_last = bs - pad
            # the last batch's real rows carry bs / n_last each, so the mean loss
            # over the padded batch equals Keras' mean over the partial batch
            weights[-n_last:] *= bs / n_last
            weights = np.concatenate([weights, np.zeros(pad, np.float32)])
        row_values = max(1, int(np.prod(X.shape[1:])))
        chunk_values = _TRAIN_CHUNK_VALUES.get(self.backend, 1 << 21)
        chunk_steps = max(1, min(n_steps, chunk_values // (bs * row_values)))
        self._reset_train_metrics()
        logs = None
        for start in range(0, n_steps, chunk_steps):
            stop = min(n_steps, start + chunk_steps)
            rows = order[start * bs : stop * bs]
            steps = stop - start
            xs = X[rows].reshape((steps, bs) + X.shape[1:])
            ys = y[rows].reshape((steps, bs) + y.shape[1:])
            ws = weights[start * bs : stop * bs].reshape(steps, bs)
            logs = self._run_chunk(xs, ys, ws)
        return _as_logs(logs)

    def _reset_train_metrics(self):
        if self.backend == "jax":
            self._ensure_state()
            import jax.numpy as jnp

            mv = [jnp.asarray(v) for v in self._metrics_initial]
            self._state = (self._state[0], self._state[1], self._state[2], mv)
        else:
            self.model.reset_metrics()

    def _run_chunk(self, xs, ys, ws):
        if self.backend == "jax":
            fn = self._fns.get("train")
            if fn is None:
                fn = self._fns["train"] = self._make_jax_train()
            self._state, logs = fn(self._state, xs, ys, ws)
            return logs
        fn = self._fns.get("train")
        if fn is None:
            fn = self._fns["train"] = self._make_tf_train(xs, ys)
        registry = _tf_gradient_registry()
        before = len(registry)
        logs = fn(xs, ys, ws)
        if len(registry) > before:  # this call traced the train step
            _forget_custom_gradients(registry, before)
        return logs

    def _make_jax_train(self):
        import jax

        model = self.model

        def run(state, xs, ys, ws):
            def body(st, batch):
                logs, st = model.train_step(st, batch)
                return st, logs

            state, logs = jax.lax.scan(body, tuple(state), (xs, ys, ws))
            return state, jax.tree_util.tree_map(lambda a: a[-1], logs)

        return jax.jit(run)

    def _make_tf_train(self, xs, ys):
        import tensorflow as tf

        _install_tf_log_filter()
        model = self.model

        def spec(a):
            return tf.TensorSpec([None, None, *a.shape[2:]], tf.as_dtype(a.dtype))

        @tf.function(
            input_signature=[spec(xs), spec(ys), tf.TensorSpec([None, None], tf.float32)],
            reduce_retracing=True,
        )
        def run(xs, ys, ws):
            for i in tf.range(tf.shape(xs)[0]):
                model.train_step((xs[i], ys[i], ws[i]))
            return model.get_metrics_result()

        return run

    # -------------------------------------------------------------- evaluation
    def evaluate(self, X, y, w):
        """Loss and compiled metrics on (X, y, w), as Keras' evaluate computes them."""
        n = len(X)
        if n == 0:
            return {}
        totals, weight_sum = {}, 0.0
        for start, stop, size in _buckets(n, X.shape[1:]):
            xb, yb, wb = X[start:stop], y[start:stop], w[start:stop].astype(np.float32)
            real = stop - start
            if size > real:
                xb = _pad_rows(xb, size)
                yb = _pad_rows(yb, size)
                wb = np.concatenate([wb * (size / real), np.zeros(size - real, np.float32)])
            logs = _as_logs(self._eval_batch(xb, yb, wb))
            for k, v in logs.items():
                totals[k] = totals.get(k, 0.0) + v * real
            weight_sum += real
        return {k: v / weight_sum for k, v in totals.items()}

    def _eval_batch(self, xb, yb, wb):
        if self.backend == "jax":
            import jax
            import jax.numpy as jnp

            fn = self._fns.get("eval")
            if fn is None:
                model = self.model

                def run(tv, ntv, mv, x, y, w):
                    logs, _ = model.test_step((tv, ntv, mv), (x, y, w))
                    return logs

                fn = self._fns["eval"] = jax.jit(run)
            mv = [jnp.asarray(v) for v in self._metrics_initial]
            return fn(*self._weights(), mv, xb, yb, wb)
        import tensorflow as tf

        fn = self._fns.get("eval")
        if fn is None:
            model = self.model

            _install_tf_log_filter()

            @tf.function(reduce_retracing=True)
            def run(x, y, w):
                model.test_step((x, y, w))
                return model.get_metrics_result()

            fn = self._fns["eval"] = run
        self.model.reset_metrics()
        return fn(xb, yb, wb)

    # -------------------------------------------------------------- prediction
    def predict(self, X):
        """Model outputs for X as a float NumPy array, in fixed-size buckets."""
        n = len(X)
        outs = []
        for start, stop, size in _buckets(n, X.shape[1:]):
            xb = X[start:stop]
            if size > stop - start:
                xb = _pad_rows(xb, size)
            outs.append(np.asarray(self._predict_batch(xb))[: stop - start])
        if not outs:
            return np.zeros((0,) + tuple(self.model.outputs[0].shape[1:]), np.float32)
        return np.concatenate(outs, axis=0)

    def _predict_batch(self, xb):
        if self.backend == "jax":
            import jax

            fn = self._fns.get("predict")
            if fn is None:
                model = self.model

                def run(tv, ntv, x):
                    return model.stateless_call(tv, ntv, x, training=False)[0]

                fn = self._fns["predict"] = jax.jit(run)
            return fn(*self._weights(), xb)
        import tensorflow as tf

        fn = self._fns.get("predict")
        if fn is None:
            model = self.model
            _install_tf_log_filter()
            fn = self._fns["predict"] = tf.function(
                lambda x: model(x, training=False), reduce_retracing=True
            )
        return fn(xb).numpy()

    def end(self):
        """Finish a fit: make the Keras variables hold the trained weights."""
        self.sync()
        # Between fits the Keras variables are the truth: on JAX, Keras' own
        # model_.fit/evaluate donate and replace the arrays a kept state would hold.
        self._state = None

    def _weights(self):
        """(trainable, non-trainable) values: the fit's state, else the variables' (JAX)."""
        if self._state is not None:
            return self._state[0], self._state[1]
        m = self.model
        return [v.value for v in m.trainable_variables], [v.value for v in m.non_trainable_variables]


class KerasFitNetwork(Network):
    """The same interface driven by ``model.fit``/``predict`` one epoch at a time.

    Used on backends without a compiled loop here (torch), for models with
    several inputs or outputs, and when a user callback needs batch-level hooks.
    """

    fast = False

    def __init__(self, model, sample, key=None, callbacks=(), fit_kwargs=None):
        self.model = model
        self.key = None
        self.reusable = False
        self.backend = get_keras().backend.backend()
        # model.fit runs one epoch per call, so it only gets the batch hooks; the
        # estimator's loop calls train/epoch hooks once per fit and per epoch.
        self._callbacks = [_batch_hooks_only(cb) for cb in callbacks]
        self._fit_kwargs = dict(fit_kwargs or {})
        self._state = None
        x, y, w = sample
        model._symbolic_build(data_batch=(x, y, w))
        lr = getattr(model.optimizer, "_learning_rate", None)
        self._lr_index = 0 if lr is not None and hasattr(lr, "assign") else None
        self._epoch = 0

    def reinitialize(self, seed=None):  # a fresh model each fit: nothing to do
        self._epoch = 0

    def begin(self):
        pass

    def sync(self):
        pass

    def snapshot(self):
        return [np.array(v.numpy()) for v in self.model.weights]

    def restore(self, snap):
        for var, val in zip(self.model.weights, snap):
            var.assign(val)

    def set_learning_rate(self, lr):
        if self._lr_index is not None:
            self.model.optimizer.learning_rate.assign(lr)

    def learning_rate(self):
        opt = self.model.optimizer
        if self._lr_index is not None:
            return float(np.asarray(opt.learning_rate))
        try:
            return float(np.asarray(opt._learning_rate(opt.iterations)))
        except Exception:
            return float("nan")

    def train_epoch(self, X, y, w, index, batch_size, rng, shuffle=True):
        idx = np.sort(np.asarray(index))
        hist = self.model.fit(
            X[idx],
            y[idx],
            sample_weight=w[idx],
            batch_size=int(min(batch_size, len(idx))),
            epochs=self._epoch + 1,
            initial_epoch=self._epoch,
            verbose=0,
            shuffle=shuffle,
            callbacks=self._callbacks,
            **self._fit_kwargs,
        )
        self._epoch += 1
        return {k: float(v[-1]) for k, v in hist.history.items()}

    def evaluate(self, X, y, w):
        return {
            k: float(v)
            for k, v in self.model.evaluate(
                X, y, sample_weight=w, verbose=0, return_dict=True, batch_size=1024
            ).items()
        }

    def predict(self, X):
        return np.asarray(self.model.predict(X, verbose=0, batch_size=1024))

    def end(self):
        pass


_BATCH_HOOK_CLASS = None


def _tf_gradient_registry() -> dict:
    """TensorFlow's global table of registered gradient functions (empty if unreachable)."""
    try:
        from tensorflow.python.framework import ops

        registry = ops.gradient_registry._registry
    except (ImportError, AttributeError):  # pragma: no cover - a TF without it
        return {}
    return registry if isinstance(registry, dict) else {}


def _forget_custom_gradients(registry: dict, start: int):
    """Drop the ``CustomGradient-N`` entries added to ``registry`` after its first ``start``.

    Tracing Keras' train step in a ``tf.function`` goes through
    ``tf.custom_gradient`` in graph mode (the distribution strategy's
    ``all_reduce`` of the gradients), which registers a gradient function in
    TensorFlow's process-wide registry under a fresh name and never removes it.
    That function closes over the traced graph, so every traced train step --
    one per architecture in a search -- stayed in memory for good (+3 to 4 MB
    per new architecture, benchmarks/bench_rss_fits.py). The gradient was
    already taken while tracing, and a retrace registers a new name, so the
    entries are dead once the trace is done.
    """
    for name in list(registry)[start:]:
        if isinstance(name, str) and name.startswith("CustomGradient-"):
            registry.pop(name, None)


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


def _buckets(n, row_shape):
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


def _pad_rows(a, size):
    pad = size - len(a)
    return np.concatenate([a, np.repeat(a[-1:], pad, axis=0)], axis=0)


def model_to_bytes(model) -> bytes:
    """Serialise a Keras model in the native ``.keras`` format."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        with open(path, "rb") as fh:
            return fh.read()


def model_from_bytes(data: bytes, custom_objects=None):
    """Inverse of :func:`model_to_bytes`."""
    keras = get_keras()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as fh:
            fh.write(data)
        return keras.saving.load_model(path, custom_objects=custom_objects, compile=True)
