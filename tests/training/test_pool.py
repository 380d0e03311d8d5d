"""The network pool: reuse by key, eviction, and the memory sweep that keeps a search's RSS bounded."""

import gc

import numpy as np
import pytest

from skdl import MLPClassifier
from skdl.training import _pool
from skdl.training._pool import NetworkPool


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


class FakeNet:
    reusable = True

    def __init__(self, key):
        self.key = key


def test_acquire_returns_a_released_network_with_the_same_key_once():
    pool = NetworkPool(max_idle=4)
    a = FakeNet("a")
    pool.release(a)
    pool.release(a)  # releasing twice does not duplicate it
    assert len(pool) == 1
    assert pool.acquire("b") is None
    assert pool.acquire("a") is a
    assert pool.acquire("a") is None
    assert (pool.hits, pool.misses) == (1, 2)


def test_unreusable_networks_and_a_zero_size_pool_keep_nothing():
    net = FakeNet("a")
    net.reusable = False
    pool = NetworkPool(max_idle=4)
    pool.release(net)
    assert len(pool) == 0
    off = NetworkPool(max_idle=0)
    off.release(FakeNet("a"))
    assert len(off) == 0 and off.acquire("a") is None


def test_least_recently_released_is_evicted_and_a_sweep_follows_every_max_idle_evictions(monkeypatch):
    sweeps = []
    monkeypatch.setattr(_pool, "release_memory", lambda: sweeps.append(1))
    pool = NetworkPool(max_idle=2)
    nets = [FakeNet(k) for k in "abcdefg"]
    for net in nets[:2]:
        pool.release(net)
    assert pool.evicted == 0 and not sweeps
    pool.release(nets[2])  # evicts "a"
    assert pool.acquire("a") is None and pool.evicted == 1 and not sweeps
    pool.release(nets[3])  # second eviction: a sweep is due, run at the next fit's acquire
    assert pool.evicted == 2 and not sweeps
    pool.acquire("zzz")
    assert len(sweeps) == 1
    pool.acquire("zzz")
    assert len(sweeps) == 1  # once
    for net in nets[4:]:
        pool.release(net)
    assert pool.evicted == 5
    pool.acquire("zzz")
    assert len(sweeps) == 2
    pool.clear()
    assert len(pool) == 0 and len(sweeps) == 3


def test_release_memory_runs_on_the_current_backend():
    _pool.release_memory()  # gc, the backend's cache clear, malloc_trim: must not raise


def test_training_new_architectures_leaves_no_gradient_functions_behind(iris):
    """Tracing Keras' train step registered a tf.custom_gradient per graph, keeping it alive."""
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip(f"TensorFlow's gradient registry; backend is {keras.backend.backend()}")
    from skdl.training._fixes import tf_gradient_registry

    X, y = iris
    registry = tf_gradient_registry()
    MLPClassifier(hidden_layer_sizes=(5,), epochs=1, patience=None, random_state=0).fit(X, y)
    before = sum(k.startswith("CustomGradient-") for k in registry if isinstance(k, str))
    for width in (6, 7):
        MLPClassifier(hidden_layer_sizes=(width,), epochs=1, patience=None, random_state=0).fit(X, y)
    after = sum(k.startswith("CustomGradient-") for k in registry if isinstance(k, str))
    assert after == before


def test_a_network_keeps_working_after_a_sweep(iris):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(9,), epochs=3, patience=None, random_state=0).fit(X, y)
    expected = est.predict_proba(X)
    _pool.POOL.clear()
    _pool.release_memory()
    gc.collect()
    np.testing.assert_allclose(est.predict_proba(X), expected, rtol=1e-6)
    # and the next fit of that architecture still reuses a pooled network correctly
    refit = MLPClassifier(hidden_layer_sizes=(9,), epochs=3, patience=None, random_state=0).fit(X, y)
    np.testing.assert_allclose(refit.predict_proba(X), expected, rtol=1e-6)
