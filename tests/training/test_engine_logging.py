"""TensorFlow's retracing warning: silenced for skdl's own per-network functions only."""

import logging

from skdl.training._tensorflow import OwnRetracingFilter


def _record(message):
    return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)


def test_retracing_warnings_about_engine_functions_are_dropped():
    f = OwnRetracingFilter()
    for fn in ("TensorFlowNetwork._make_train.<locals>.run",
               "TensorFlowNetwork._predict_batch.<locals>.<lambda>",
               "TensorFlowNetwork._eval_batch.<locals>.run"):
        msg = f"5 out of the last 13 calls to <function {fn} at 0x7f> triggered tf.function retracing."
        assert not f.filter(_record(msg))


def test_other_warnings_pass():
    f = OwnRetracingFilter()
    assert f.filter(_record("5 out of the last 5 calls to <function my_step at 0x7f> triggered "
                            "tf.function retracing."))
    assert f.filter(_record("TensorFlowNetwork._predict_batch: some other message"))
    assert f.filter(_record("5 out of the last 5 calls to <function MyNetwork._step at 0x7f> "
                            "triggered tf.function retracing."))
