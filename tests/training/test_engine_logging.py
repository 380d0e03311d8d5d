"""TensorFlow's retracing warning: silenced for skdl's own per-network functions only."""

import logging

from skdl.training._engine import _OwnRetracingFilter


def _record(message):
    return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)


def test_retracing_warnings_about_engine_functions_are_dropped():
    f = _OwnRetracingFilter()
    for fn in ("Network._make_tf_train.<locals>.run", "Network._predict_batch.<locals>.<lambda>",
               "Network._eval_batch.<locals>.run"):
        msg = f"5 out of the last 13 calls to <function {fn} at 0x7f> triggered tf.function retracing."
        assert not f.filter(_record(msg))


def test_other_warnings_pass():
    f = _OwnRetracingFilter()
    assert f.filter(_record("5 out of the last 5 calls to <function my_step at 0x7f> triggered "
                            "tf.function retracing."))
    assert f.filter(_record("Network._predict_batch: some other message"))
