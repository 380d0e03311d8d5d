"""Lazy access to Keras, the active backend, thread budget and seeding.

Keras is imported the first time a network is built, never at ``import skdl``.
skdl honours ``KERAS_BACKEND`` and never switches a user's backend.
"""

from __future__ import annotations

import contextlib
import os
import random

import numpy as np

_THREADS_CONFIGURED = False


def get_keras():
    """Import and return the ``keras`` module (quietly)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from skdl.utils import import_optional

    keras = import_optional("keras", purpose="building and training networks")
    _configure_threads_once()
    return keras


def backend_name() -> str:
    """Name of the active Keras backend ("tensorflow", "jax", "torch", ...)."""
    return get_keras().backend.backend()


def _configure_threads_once():
    """Give TensorFlow a thread budget that fits the machine (once per process).

    The budget comes from ``SKDL_NUM_THREADS`` when set (parallel workers set it
    so their threads add up to the number of cores), else TensorFlow's default.
    """
    global _THREADS_CONFIGURED
    if _THREADS_CONFIGURED:
        return
    _THREADS_CONFIGURED = True
    n = os.environ.get("SKDL_NUM_THREADS")
    if not n:
        return
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(n))
            tf.config.threading.set_inter_op_parallelism_threads(max(1, int(n) // 2))
        except RuntimeError:  # TF already initialised its thread pools
            pass


def _set_keras_seed(keras, seed: int) -> None:
    """Seed Keras' global generator directly, on every backend.

    ``keras.utils.set_random_seed`` imports TensorFlow whenever it is installed
    (2 s on JAX), and on TensorFlow its ``tf.random.set_seed`` empties TF's cache
    of prepared functions, so every pooled network's train step was rebuilt at
    its next call (0.155 s of a 0.157 s fit, measured by benchmarks/bench_fixed_cost.py).
    Keras layers and initializers draw from Keras' own seed generator, which is
    what is reset here.
    """
    try:
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils import rng_utils

        global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
        global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    except ImportError:  # private layout changed: fall back to the public call
        keras.utils.set_random_seed(seed)
        return
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


@contextlib.contextmanager
def seeded(seed: int | None):
    """Seed Python, NumPy and Keras for the block, then restore Python's and NumPy's state.

    With ``seed=None`` nothing is seeded, so fits are random as usual.
    """
    if seed is None:
        yield
        return
    keras = get_keras()
    py_state = random.getstate()
    np_state = np.random.get_state()
    _set_keras_seed(keras, int(seed))
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
