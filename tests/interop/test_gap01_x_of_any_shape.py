"""Issue 14, gap 1: X of any shape, and multi-input models.

scikeras validates X with ``check_X_y(..., allow_nd=True, dtype=None)`` and
``check_array(X, allow_nd=True)`` (wrappers.py ``_validate_data``), so 3-D and
4-D arrays reach the builder unchanged; ``n_features_in_`` is ``X.shape[1]``
and ``X_shape_`` the full shape. Several inputs come from a
``feature_encoder`` that returns a list or dict of arrays.
"""

import numpy as np
import pytest
from sklearn.preprocessing import FunctionTransformer

from skdl import KerasClassifier, KerasRegressor


def test_gap01_x_of_any_shape_cnn(keras, mnist):
    (x_train, y_train), (x_test, _) = mnist
    X = x_train[:, :, :, None]  # (n, 28, 28, 1) uint8, as the scikeras tutorials use it
    seen = {}

    def build(meta):
        seen.update(meta)
        return keras.Sequential(
            [
                keras.Input(meta["X_shape_"][1:]),
                keras.layers.Rescaling(1 / 255),
                keras.layers.Conv2D(4, 3, activation="relu"),
                keras.layers.GlobalAveragePooling2D(),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )

    clf = KerasClassifier(build, loss="sparse_categorical_crossentropy", epochs=1, verbose=0).fit(X, y_train)

    assert tuple(seen["X_shape_"]) == X.shape
    assert seen["n_features_in_"] == 28  # X.shape[1], as check_array/sklearn define it
    assert clf.predict(x_test[:, :, :, None]).shape == (len(x_test),)
    assert clf.n_features_in_ == 28


def test_gap01_x_3d_sequences_lstm(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 5, 3).astype("float32")  # (samples, timesteps, features)
    y = (X[:, :, 0].mean(axis=1) > 0.5).astype(int)

    def build(meta):
        return keras.Sequential(
            [keras.Input(meta["X_shape_"][1:]), keras.layers.LSTM(4), keras.layers.Dense(1, activation="sigmoid")]
        )

    clf = KerasClassifier(build, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)

    assert clf.predict(X).shape == (60,)
    assert clf.predict_proba(X).shape == (60, 2)


def test_gap01_x_3d_conv1d_regressor(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 8, 2).astype("float32")
    y = X.sum(axis=(1, 2))

    def build(meta):
        return keras.Sequential(
            [
                keras.Input(meta["X_shape_"][1:]),
                keras.layers.Conv1D(3, 3, activation="relu"),
                keras.layers.Flatten(),
                keras.layers.Dense(1),
            ]
        )

    reg = KerasRegressor(build, loss="mse", epochs=1, verbose=0).fit(X, y)

    assert reg.predict(X).shape == (60,)


def test_gap01_wrong_trailing_shape_at_predict_is_a_clear_error(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(40, 4, 3).astype("float32")
    y = np.arange(40) % 2

    def build(meta):
        return keras.Sequential(
            [keras.Input(meta["X_shape_"][1:]), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")]
        )

    clf = KerasClassifier(build, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)

    # scikeras: "X has shape (4, 2), but this KerasClassifier is expecting X of shape (4, 3)"
    with pytest.raises(ValueError, match="shape"):
        clf.predict(X[:, :, :2])


def test_gap01_multi_input_list_through_feature_encoder(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3).astype("float32")
    y = (X[:, 0] + X[:, 2] > 1).astype(int)

    class TwoInputClassifier(KerasClassifier):
        @property
        def feature_encoder(self):
            return FunctionTransformer(func=lambda X: [X[:, :2], X[:, 2:]])

    def build():
        a, b = keras.Input((2,)), keras.Input((1,))
        x = keras.layers.Concatenate()([keras.layers.Dense(3)(a), keras.layers.Dense(3)(b)])
        return keras.Model([a, b], keras.layers.Dense(1, activation="sigmoid")(x))

    clf = TwoInputClassifier(build, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)

    assert clf.predict(X).shape == (60,)
    assert len(clf.model_.inputs) == 2


def test_gap01_multi_input_dict_through_feature_encoder(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = X.sum(axis=1)

    class DictInputRegressor(KerasRegressor):
        @property
        def feature_encoder(self):
            return FunctionTransformer(func=lambda X: {"first": X[:, :2], "second": X[:, 2:]})

    def build():
        a, b = keras.Input((2,), name="first"), keras.Input((1,), name="second")
        x = keras.layers.Concatenate()([a, b])
        return keras.Model({"first": a, "second": b}, keras.layers.Dense(1)(x))

    reg = DictInputRegressor(build, loss="mse", epochs=1, verbose=0).fit(X, y)

    assert reg.predict(X).shape == (60,)
