import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification, make_regression


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def binary_data():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def regression_data():
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    return X, y
