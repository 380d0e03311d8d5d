"""The compiled engine on TensorFlow: a ``tf.range`` loop over Keras' train step in one ``tf.function``.

The weights live in the Keras variables throughout, so ``begin``, ``sync`` and
``end`` have nothing to do. Two TensorFlow-only concerns live here too: the
log filter that drops TensorFlow's retracing warning about this engine's own
per-network functions, and forgetting the gradient functions a trace leaves
in TensorFlow's global registry (:func:`skdl.training._fixes.forget_custom_gradients`).
Everything else is :class:`skdl.training._compiled.CompiledNetwork`'s.
"""

from __future__ import annotations

import logging


from skdl.training import _fixes
from skdl.training._compiled import CompiledNetwork


class TensorFlowNetwork(CompiledNetwork):
    """:class:`~skdl.training._compiled.CompiledNetwork` on the TensorFlow backend.

    Parameters
    ----------
    model : keras.Model
        A compiled model with a single input and a single output.
    sample : tuple of arrays
        ``(x, y, sample_weight)`` with a few rows.
    key : hashable or None
        The pool key; None means never reused.
    """

    # TensorFlow pays more per call than JAX: its 1M x 100 fit took 15 s at 2^24
    # values per call and 6 s at 2^21, peak RSS 1.77x -> 1.36x of X (docs/design.md).
    train_chunk_values = 1 << 21

    # ------------------------------------------------------------------ state
    @staticmethod
    def configure_threads(n_threads: int) -> None:
        """Size TensorFlow's intra- and inter-op pools (a no-op once TF has started them)."""
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(n_threads))
            tf.config.threading.set_inter_op_parallelism_threads(max(1, int(n_threads) // 2))
        except RuntimeError:  # TF already initialised its thread pools (the env vars did it)
            pass

    # ---------------------------------------------------------- learning rate
    def _assign_learning_rate(self, lr):
        self.model.optimizer.learning_rate.assign(lr)

    def _learning_rate_value(self):
        return float(self.model.optimizer.learning_rate.numpy())

    def _iterations(self):
        return self.model.optimizer.iterations

    # ---------------------------------------------------------------- compiled
    def _reset_train_metrics(self):
        self.model.reset_metrics()

    def _run_chunk(self, xs, ys, ws, wm, ms):
        fn = self._fns.get("train")
        if fn is None:
            fn = self._fns["train"] = self._make_train(xs, ys)
        registry = _fixes.tf_gradient_registry()
        before = len(registry)
        logs = fn(xs, ys, ws, wm, ms)
        if len(registry) > before:  # this call traced the train step
            _fixes.forget_custom_gradients(registry, before)
        return logs

    def _make_train(self, xs, ys):
        import tensorflow as tf

        install_tf_log_filter()
        model = self.model

        def spec(a):
            return tf.TensorSpec([None, None, *a.shape[2:]], tf.as_dtype(a.dtype))

        weights = tf.TensorSpec([None, None], tf.float32)

        @tf.function(input_signature=[spec(xs), spec(ys), weights, weights, weights], reduce_retracing=True)
        def run(xs, ys, ws, wm, ms):
            with _fixes.PaddedBatchAccounting(model) as accounting:
                for i in tf.range(tf.shape(xs)[0]):
                    accounting.set(wm[i], ms[i])
                    model.train_step((xs[i], ys[i], ws[i]))
                return model.get_metrics_result()

        return run

    def _reset_eval_metrics(self):
        self.model.reset_metrics()

    def _eval_batch(self, xb, yb, wb, wm, mb):
        import tensorflow as tf

        fn = self._fns.get("eval")
        if fn is None:
            model = self.model
            install_tf_log_filter()

            @tf.function(reduce_retracing=True)
            def run(x, y, w, wm, m):
                with _fixes.PaddedBatchAccounting(model) as accounting:
                    accounting.set(wm, m)
                    model.test_step((x, y, w))
                    return model.get_metrics_result()

            fn = self._fns["eval"] = run
        return fn(xb, yb, wb, wm, mb)

    def _predict_batch(self, xb):
        import tensorflow as tf

        fn = self._fns.get("predict")
        if fn is None:
            model = self.model
            install_tf_log_filter()
            fn = self._fns["predict"] = tf.function(
                lambda x: model(x, training=False), reduce_retracing=True
            )
        return fn(xb).numpy()


class OwnRetracingFilter:
    """Drop TensorFlow's retracing warning about this engine's own functions only.

    Each network owns its tf.functions, so a search that builds many networks
    trips TensorFlow's "frequent retracing" heuristic although nothing is traced
    twice; warnings about the user's own functions still pass.
    """

    _marker = f"function {TensorFlowNetwork.__qualname__}._"

    def filter(self, record):
        msg = record.getMessage()
        return not ("retracing" in msg and self._marker in msg)


_FILTER_INSTALLED = False


def install_tf_log_filter():
    """Add :class:`OwnRetracingFilter` to the ``tensorflow`` logger, once per process."""
    global _FILTER_INSTALLED
    if _FILTER_INSTALLED:
        return
    logging.getLogger("tensorflow").addFilter(OwnRetracingFilter())
    _FILTER_INSTALLED = True
