"""The compiled engine on JAX: ``jax.lax.scan`` over Keras' stateless train step.

During a fit the weights live in a functional state, the tuple
``(trainable, non_trainable, optimizer, metrics)`` of JAX arrays that
``model.train_step`` takes and returns; the Keras variables are written only
when the estimator needs them (:meth:`JaxNetwork.sync`: callbacks,
checkpoints, the end of the fit). Everything else (batching, chunks, buckets,
re-initialisation) is :class:`skdl.training._compiled.CompiledNetwork`'s.
"""

from __future__ import annotations

from skdl.training import _fixes
from skdl.training._compiled import CompiledNetwork


class JaxNetwork(CompiledNetwork):
    """:class:`~skdl.training._compiled.CompiledNetwork` on the JAX backend.

    Parameters
    ----------
    model : keras.Model
        A compiled model with a single input and a single output.
    sample : tuple of arrays
        ``(x, y, sample_weight)`` with a few rows.
    key : hashable or None
        The pool key; None means never reused.
    """

    # 2^19 values (2 MB) per compiled call: on 1 000 000 x 100 float32 the fit's
    # peak RSS was 1.78x the size of X against 2.55x at 2^24, and warm fits of
    # 33 333 x 100 got faster (the chunk stays in cache); docs/design.md.
    train_chunk_values = 1 << 19

    def __init__(self, model, sample, key=None):
        super().__init__(model, sample, key=key)
        self._state = None  # (trainable, non_trainable, optimizer, metrics) during a fit

    # ------------------------------------------------------------------ state
    def begin(self):
        """Take the variables' values as the functional state."""
        m = self.model
        self._state = (
            [v.value for v in m.trainable_variables],
            [v.value for v in m.non_trainable_variables],
            [v.value for v in m.optimizer.variables],
            [v.value for v in m.metrics_variables],
        )

    def sync(self):
        """Write the functional state back into the Keras variables."""
        if self._state is None:
            return
        m = self.model
        tv, ntv, ov, _ = self._state
        for var, val in zip(m.trainable_variables, tv):
            var.assign(val)
        for var, val in zip(m.non_trainable_variables, ntv):
            var.assign(val)
        for var, val in zip(m.optimizer.variables, ov):
            var.assign(val)

    def end(self):
        """Write the state back and drop it.

        Between fits the Keras variables are the truth: Keras' own
        ``model_.fit``/``evaluate`` donate and replace the arrays a kept state
        would hold.
        """
        self.sync()
        self._state = None

    def _drop_state(self):
        self._state = None

    def _ensure_state(self):
        if self._state is None:
            self.begin()

    def snapshot(self):
        """The current weights; cheap to keep, JAX arrays are immutable."""
        self._ensure_state()
        return (list(self._state[0]), list(self._state[1]))

    def restore(self, snap):
        """Put back weights taken by :meth:`snapshot`."""
        self._ensure_state()
        self._state = (snap[0], snap[1], self._state[2], self._state[3])

    def _weights(self):
        """(trainable, non-trainable) values: the fit's state, else the variables'."""
        if self._state is not None:
            return self._state[0], self._state[1]
        m = self.model
        return [v.value for v in m.trainable_variables], [v.value for v in m.non_trainable_variables]

    # ---------------------------------------------------------- learning rate
    def _assign_learning_rate(self, lr):
        import jax.numpy as jnp

        self._ensure_state()
        ov = list(self._state[2])
        ov[self._lr_index] = jnp.asarray(lr, dtype=ov[self._lr_index].dtype)
        self._state = (self._state[0], self._state[1], ov, self._state[3])

    def _learning_rate_value(self):
        self._ensure_state()
        return float(self._state[2][self._lr_index])

    def _iterations(self):
        self._ensure_state()
        return self._state[2][0]  # the optimizer's first variable is its step count

    # ---------------------------------------------------------------- compiled
    def _reset_train_metrics(self):
        import jax.numpy as jnp

        self._ensure_state()
        mv = [jnp.asarray(v) for v in self._metrics_initial]
        self._state = (self._state[0], self._state[1], self._state[2], mv)

    def _run_chunk(self, xs, ys, ws, wm, ms):
        fn = self._fns.get("train")
        if fn is None:
            fn = self._fns["train"] = self._make_train()
        self._state, logs = fn(self._state, xs, ys, ws, wm, ms)
        return logs

    def _make_train(self):
        import jax

        model = self.model

        def run(state, xs, ys, ws, wm, ms):
            with _fixes.PaddedBatchAccounting(model) as accounting:

                def body(st, batch):
                    x, y, w, w_metric, mask = batch
                    accounting.set(w_metric, mask)
                    logs, st = model.train_step(st, (x, y, w))
                    return st, logs

                state, logs = jax.lax.scan(body, tuple(state), (xs, ys, ws, wm, ms))
            return state, jax.tree_util.tree_map(lambda a: a[-1], logs)

        return jax.jit(run)

    def _reset_eval_metrics(self):
        import jax.numpy as jnp

        self._eval_metrics = [jnp.asarray(v) for v in self._metrics_initial]

    def _eval_batch(self, xb, yb, wb, wm, mb):
        import jax

        fn = self._fns.get("eval")
        if fn is None:
            model = self.model

            def run(tv, ntv, mv, x, y, w, w_metric, mask):
                with _fixes.PaddedBatchAccounting(model) as accounting:
                    accounting.set(w_metric, mask)
                    logs, (_, _, mv) = model.test_step((tv, ntv, mv), (x, y, w))
                return logs, mv

            fn = self._fns["eval"] = jax.jit(run)
        logs, self._eval_metrics = fn(*self._weights(), self._eval_metrics, xb, yb, wb, wm, mb)
        return logs

    def _predict_batch(self, xb):
        import jax

        fn = self._fns.get("predict")
        if fn is None:
            model = self.model

            def run(tv, ntv, x):
                return model.stateless_call(tv, ntv, x, training=False)[0]

            fn = self._fns["predict"] = jax.jit(run)
        return fn(*self._weights(), xb)
