"""Every advertised activation name works in Keras as a plain string."""

import numpy as np
import pytest

from skdl.architectures import ACTIVATIONS

keras = pytest.importorskip("keras")


def test_activations_sorted_unique():
    assert list(ACTIVATIONS) == sorted(set(ACTIVATIONS))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_resolves_in_dense(name):
    assert callable(keras.activations.get(name))
    layer = keras.layers.Dense(2, activation=name)
    out = layer(np.ones((1, 3), dtype="float32"))
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(out)))


def test_leaky_relu_string_is_leaky():
    f = keras.activations.get("leaky_relu")
    out = keras.ops.convert_to_numpy(f(np.array([-1.0, 1.0], dtype="float32")))
    assert out[0] < 0 and out[1] == 1
