"""KerasClassifier/KerasRegressor's scikeras fit, predict and callback options: what tests/interop does not pin down.

The interop suite checks that scikeras code runs and gives scikeras' result;
these check skdl's side of the same options: the validation rows, the errors
for bad values, one code path for the held-out rows, and that skdl's own
estimators keep their behaviour (copied callbacks, the compiled engine).
"""

import warnings

import keras
import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor, MLPClassifier


def build(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1, activation="sigmoid")])


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 3).astype("float32")
    return X, (X[:, 0] > 0.5).astype(int)


def test_skdl_estimators_still_copy_callback_instances(data):
    X, y = data

    class Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    given = Count()
    MLPClassifier(hidden_layer_sizes=(4,), epochs=2, callbacks=given).fit(X, y)  # one callback, no list
    assert given.epochs == 0  # skdl's own estimators train with a copy (fits never share state)
    KerasClassifier(build, loss="binary_crossentropy", epochs=2, callbacks=given).fit(X, y)
    assert given.epochs == 2  # scikeras: the given instance is called


def test_nested_callback_arguments_must_be_given(data):
    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy", callbacks=keras.callbacks.LearningRateScheduler,
                          callbacks__schedule__coef=0.2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TypeError):  # LearningRateScheduler() without its schedule, as in scikeras
            clf.fit(X, y)
    assert any("no 'callbacks__schedule' is given" in str(w.message) for w in caught)
    with pytest.raises(ValueError, match="no 'callbacks__schedule' is given"):
        MLPClassifier(hidden_layer_sizes=(4,), callbacks=keras.callbacks.LearningRateScheduler,
                      callbacks__schedule__coef=0.2).fit(X, y)
