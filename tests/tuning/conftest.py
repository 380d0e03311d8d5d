"""Fixtures for skdl.tuning tests: tiny data and the test-only epoch-wise estimator."""

import os
import sys

import pytest

# The fakes live in a module of their own so that worker processes (spawn) and
# child processes can import them by name.
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(scope="module")
def tiny_classification():
    """120 samples, 6 features, 2 classes: fast and clearly learnable."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=120, n_features=6, n_informative=4,
                               n_redundant=0, class_sep=1.5, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


@pytest.fixture
def child_env():
    """Environment for child Python processes that import skdl and the fakes."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO, HERE, env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env
