"""scikit-learn's own estimator checks on every public skdl estimator."""

import keras
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdl import (
    CNNClassifier,
    CNNRegressor,
    KerasClassifier,
    KerasRegressor,
    MLPClassifier,
    MLPRegressor,
)

FAST = dict(epochs=60, batch_size=16, random_state=0, learning_rate=0.01)
# convolutions cost more per epoch: fewer, larger steps that still pass the accuracy checks
FAST_CNN = dict(epochs=25, batch_size=32, random_state=0, learning_rate=0.02)


def small_builder(meta, units=16):
    return keras.Sequential(
        [
            keras.Input(meta["input_shape_"]),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"]),
        ]
    )


ESTIMATORS = [
    MLPClassifier(hidden_layer_sizes=(16,), patience=None, **FAST),
    MLPRegressor(hidden_layer_sizes=(16,), patience=None, **FAST),
    KerasClassifier(small_builder, optimizer="adam", **FAST),
    KerasRegressor(small_builder, optimizer="adam", scale_target=True, **FAST),
    # sklearn feeds flat tabular X without input_shape: each row is a (1, n_features, 1)
    # image (documented), which needs the 2x2 pooling off
    CNNClassifier(filters=(8,), pooling=None, dense_layer_sizes=(16,), patience=None, **FAST_CNN),
    CNNRegressor(filters=(8,), pooling=None, dense_layer_sizes=(16,), patience=None, **FAST_CNN),
]

# Each entry: why stochastic mini-batch training cannot satisfy the check.
_WEIGHTS = (
    "mini-batch SGD draws batches by rows, so a weight of 2 is not the same as a "
    "duplicated row, and zero-weight rows still change batch composition"
)
EXPECTED_FAILED = {
    "check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
    "check_sample_weight_equivalence_on_sparse_data": _WEIGHTS,  # sparse X: the same training
    "check_sample_weights_not_an_array": None,
}


def expected_failed_checks(estimator):
    return {k: v for k, v in EXPECTED_FAILED.items() if v}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
