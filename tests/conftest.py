"""Shared test configuration: quiet Keras, seeded tests, closed figures."""

import os
import random

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_global_rngs():
    """Every test starts from the same NumPy and Python random state."""
    random.seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def pyplot():
    """matplotlib.pyplot with every figure closed after the test."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")
