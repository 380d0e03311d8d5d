"""Issue 14, gap 2: constructor parameters and defaults of scikeras 0.13.

Reference: ``BaseWrapper.__init__`` and ``KerasClassifier.__init__`` in
scikeras/wrappers.py (defaults), ``BaseWrapper._fit_kwargs`` (what reaches
``model.fit``), ``_check_model_param`` (``build_fn`` alias).
"""

import warnings

import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor

SCIKERAS_DEFAULTS = {
    "model": None,
    "build_fn": None,
    "warm_start": False,
    "random_state": None,
    "optimizer": "rmsprop",
    "loss": None,
    "metrics": None,
    "batch_size": None,
    "validation_batch_size": None,
    "callbacks": None,
    "validation_split": 0.0,
    "shuffle": True,
    "run_eagerly": False,
    "epochs": 1,
}


@pytest.mark.parametrize("Estimator", [KerasClassifier, KerasRegressor])
def test_gap02_defaults_match_scikeras(Estimator):
    params = Estimator().get_params()

    expected = dict(SCIKERAS_DEFAULTS)
    if Estimator is KerasClassifier:
        expected["class_weight"] = None
    got = {k: params.get(k, "<missing>") for k in expected}
    assert got == expected


@pytest.mark.parametrize("Estimator", [KerasClassifier, KerasRegressor])
def test_gap02_default_verbose_is_1(Estimator):
    assert Estimator().get_params()["verbose"] == 1


def test_gap02_default_epochs_is_1(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", verbose=0).fit(X, y)

    assert clf.get_params()["epochs"] == 1
    assert len(clf.history_["loss"]) == 1


def test_gap02_build_fn_alias(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(build_fn=dense_builder, loss="binary_crossentropy", epochs=1, verbose=0)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)

    assert clf.get_params()["build_fn"] is dense_builder
    assert clf.predict(X).shape == (len(X),)
    assert any("build_fn" in str(w.message) for w in caught)  # deprecated alias of model


def test_gap02_validation_split(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(
        dense_builder, loss="binary_crossentropy", metrics=["accuracy"], validation_split=0.25, epochs=2, verbose=0
    ).fit(X, y)

    assert len(clf.history_["val_loss"]) == 2
    assert len(clf.history_["val_accuracy"]) == 2


def test_gap02_shuffle_false_reaches_model_fit(keras):
    """With shuffle=False, batch_size=1 SGD visits rows in order: same weights as plain Keras."""
    rng = np.random.RandomState(0)
    X = rng.rand(20, 2).astype("float32")
    y = (X @ np.array([1.0, -2.0])).astype("float32")

    def build():
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
        model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.1))
        return model

    reg = KerasRegressor(build, batch_size=1, shuffle=False, epochs=1, verbose=0).fit(X, y)

    reference = build()
    reference.fit(X, y, batch_size=1, shuffle=False, epochs=1, verbose=0)
    np.testing.assert_allclose(reg.model_.get_weights()[0], reference.get_weights()[0], rtol=1e-5)
    assert reg.get_params()["shuffle"] is False


def test_gap02_validation_batch_size(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(
        dense_builder, loss="binary_crossentropy", validation_split=0.25, validation_batch_size=7, epochs=1, verbose=0
    ).fit(X, y)

    assert clf.get_params()["validation_batch_size"] == 7
    assert len(clf.history_["val_loss"]) == 1


def test_gap02_run_eagerly(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", run_eagerly=True, epochs=1, verbose=0).fit(X, y)

    assert clf.model_.run_eagerly is True


def test_gap02_batch_size_none_uses_keras_default(binary, dense_builder, recorder_cls):
    X, y = binary
    clf = KerasClassifier(
        dense_builder, loss="binary_crossentropy", batch_size=None, callbacks=[recorder_cls()], epochs=1, verbose=0
    ).fit(X, y)

    assert clf.get_params()["batch_size"] is None
    assert recorder_cls.count("train_batch") == int(np.ceil(len(X) / 32))  # Keras' default of 32


def test_gap02_builder_parameter_named_learning_rate_reaches_builder(binary, keras):
    """scikeras has no ``learning_rate`` parameter: ``learning_rate=`` is a user keyword for the builder."""
    X, y = binary
    seen = {}

    def build(learning_rate, meta):
        seen["learning_rate"] = learning_rate
        model = keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
        return model

    clf = KerasClassifier(build, learning_rate=0.03, epochs=1, verbose=0).fit(X, y)

    assert seen == {"learning_rate": 0.03}
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.03)
