"""Every use of a private Keras/TensorFlow API in skdl, each with its reason.

Written against Keras 3.15.1, TensorFlow 2.21 and JAX 0.10. Each function says
what breaks if the private API changes, what it falls back to, and which public
API would let it go.
"""

from __future__ import annotations

_MISSING = object()


def _seed_modules():
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    return global_state, seed_generator, rng_utils


def set_keras_global_seed(keras, seed: int) -> None:
    """Seed Keras' global generator directly, on every backend.

    ``keras.utils.set_random_seed`` imports TensorFlow whenever it is installed
    (2 s on JAX), and on TensorFlow its ``tf.random.set_seed`` empties TF's cache
    of prepared functions, so every pooled network's train step was rebuilt at
    its next call (0.155 s of a 0.157 s fit, benchmarks/bench_fixed_cost.py).
    Keras layers and initializers draw from Keras' own seed generator, which is
    what is reset here.

    Private: ``keras.src.backend.common.global_state`` and the attribute names
    ``rng_utils.GLOBAL_RANDOM_SEED`` / ``seed_generator.GLOBAL_SEED_GENERATOR``
    (Keras 3.0-3.15). If they move, the public ``keras.utils.set_random_seed``
    is used (correct, slower on TensorFlow). A public "seed Keras only" call
    would let this go.
    """
    try:
        global_state, seed_generator, rng_utils = _seed_modules()
        global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
        global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    except (ImportError, AttributeError):
        keras.utils.set_random_seed(seed)
        return
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


def get_keras_global_seed_state():
    """The user's Keras global seed and seed generator, for :func:`restore_keras_global_seed_state`.

    Same private names as :func:`set_keras_global_seed` (Keras 3.0-3.15);
    returns None where they are missing (nothing is then restored). A public
    getter of Keras' global seed would let this go.
    """
    try:
        global_state, seed_generator, rng_utils = _seed_modules()
        return (
            global_state.get_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, _MISSING),
            global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, _MISSING),
        )
    except (ImportError, AttributeError):
        return None


def restore_keras_global_seed_state(state) -> None:
    """Put back what :func:`get_keras_global_seed_state` returned."""
    if state is None:
        return
    global_state, seed_generator, rng_utils = _seed_modules()
    for name, value in zip((rng_utils.GLOBAL_RANDOM_SEED, seed_generator.GLOBAL_SEED_GENERATOR), state):
        global_state.set_global_attribute(name, None if value is _MISSING else value)
