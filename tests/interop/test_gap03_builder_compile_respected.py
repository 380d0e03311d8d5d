"""Issue 14, gap 3: a model the builder (or the user) compiled is not recompiled.

Reference: scikeras/wrappers.py ``_ensure_compiled_model`` (compile only when
``not self.model_.compiled``), ``_check_model_compatibility`` (a ``loss=``
that differs from the compiled loss is a ValueError, an equal one is fine),
``_check_model_param`` (a ``keras.Model`` instance is used as it is: "For
pre-built models, this will just be a reference to the passed Model instance").
"""

import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor


def test_gap03_builder_compiled_softmax2_sparse_for_binary_y(binary, keras):
    X, y = binary

    def build():
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        return model

    clf = KerasClassifier(build, epochs=1, verbose=0).fit(X, y)

    assert clf.model_.loss == "sparse_categorical_crossentropy"
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert set(np.unique(clf.predict(X))) <= {0, 1}


def test_gap03_loss_param_does_not_replace_builder_optimizer(binary, keras):
    X, y = binary

    def build():
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1))
        return model

    clf = KerasClassifier(build, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)

    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.1)


def test_gap03_loss_param_conflicting_with_compiled_loss_raises(binary, keras):
    X, y = binary

    def build():
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy")
        return model

    # scikeras: "loss=mse but model compiled with binary_crossentropy. Data may not match loss function!"
    with pytest.raises(ValueError, match="compiled"):
        KerasClassifier(build, loss="mse", epochs=1, verbose=0).fit(X, y)


def test_gap03_prebuilt_compiled_model_is_not_recompiled(binary, keras):
    X, y = binary
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1))

    clf = KerasClassifier(model, epochs=1, verbose=0).fit(X, y)

    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.1)


def test_gap03_prebuilt_model_is_model_(binary, keras):
    X, y = binary
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")

    clf = KerasClassifier(model, epochs=1, verbose=0).fit(X, y)

    assert clf.model_ is model


def test_gap03_prebuilt_model_keeps_its_trained_weights(regression, keras):
    X, y = regression
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, y, epochs=2, verbose=0)
    expected = model.predict(X, verbose=0).ravel()

    reg = KerasRegressor(model).initialize(X, y)

    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5, atol=1e-5)


def test_gap03_uncompiled_builder_is_compiled_with_constructor_params(regression, keras):
    X, y = regression

    def build():
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])

    reg = KerasRegressor(build, loss="mae", optimizer="sgd", epochs=1, verbose=0).fit(X, y)

    assert isinstance(reg.model_.optimizer, keras.optimizers.SGD)
    assert "loss" in reg.history_
