"""skdl.training.runtime: thread budget, seeding, the quiet import."""

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from skdl.training import runtime


def test_thread_budget_env_shares_the_cores_and_sets_skdl_num_threads():
    env = runtime.thread_budget_env(2, environ={"XLA_FLAGS": "--foo"})
    per = max(1, runtime.n_cores() // 2)
    assert env["SKDL_NUM_THREADS"] == env["OMP_NUM_THREADS"] == str(per)
    assert env["TF_NUM_INTEROP_THREADS"] == "1"
    assert env["XLA_FLAGS"].startswith("--foo ") and f"intra_op_parallelism_threads={per}" in env["XLA_FLAGS"]


def test_a_smaller_budget_already_set_holds_in_the_workers():
    per = max(1, runtime.n_cores() // 2)
    env = runtime.thread_budget_env(2, environ={"SKDL_NUM_THREADS": "1"})
    assert env["SKDL_NUM_THREADS"] == env["TF_NUM_INTRAOP_THREADS"] == "1"
    assert env["OMP_NUM_THREADS"] == str(per)  # BLAS keeps the worker's share
    env = runtime.thread_budget_env(2, environ={"SKDL_NUM_THREADS": "64"})
    assert env["SKDL_NUM_THREADS"] == str(per)  # a larger one is capped at the share


def test_a_fit_in_a_worker_really_uses_the_thread_budget():
    pytest.importorskip("tensorflow")
    code = (
        "import numpy as np\n"
        "from skdl import MLPClassifier\n"
        "MLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(np.eye(4), [0, 1, 0, 1])\n"
        "import tensorflow as tf\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads())\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "SKDL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "1"


def test_seeded_restores_python_numpy_and_keras_state():
    keras = pytest.importorskip("keras")
    from keras.src.backend.common import global_state

    keras.utils.set_random_seed(7)
    py, npy = random.getstate(), np.random.get_state()
    with runtime.seeded(123):
        a = random.random()
        assert global_state.get_global_attribute("global_random_seed") == 123
    with runtime.seeded(123):
        assert random.random() == a  # Python's random is seeded too (Keras draws seeds from it)
    assert global_state.get_global_attribute("global_random_seed") == 7
    assert random.getstate() == py
    assert np.array_equal(np.random.get_state()[1], npy[1])


def test_seeded_none_changes_nothing():
    state = random.getstate()
    with runtime.seeded(None):
        pass
    assert random.getstate() == state


def test_without_startup_noise_keeps_other_lines():
    text = ("I0000 port.cc:153] oneDNN custom operations are on. You may see...\n"
            "real problem\n\n"
            "W0000 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n")
    assert runtime.without_startup_noise(text) == "real problem\n"
