"""scikeras 0.13 docs, quickstart.rst, with only the import changed.

Sizes: 120 rows instead of 1000; the grid search keeps the documented keys
with two values each (the documented 18 candidates x 3 folds would take a
minute).
"""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier


@pytest.fixture
def get_model(keras):
    calls = []

    def get_model(hidden_layer_dim, meta):
        # note that meta is a special argument that will be
        # handed a dict containing input metadata
        n_features_in_ = meta["n_features_in_"]
        X_shape_ = meta["X_shape_"]
        n_classes_ = meta["n_classes_"]
        calls.append(dict(hidden_layer_dim=hidden_layer_dim, meta=dict(meta)))

        model = keras.models.Sequential()
        model.add(keras.layers.Dense(n_features_in_, input_shape=X_shape_[1:]))
        model.add(keras.layers.Activation("relu"))
        model.add(keras.layers.Dense(hidden_layer_dim))
        model.add(keras.layers.Activation("relu"))
        model.add(keras.layers.Dense(n_classes_))
        model.add(keras.layers.Activation("softmax"))
        return model

    get_model.calls = calls
    return get_model


def test_quickstart_training_a_model(binary, get_model):
    X, y = binary
    clf = KerasClassifier(get_model, loss="sparse_categorical_crossentropy", hidden_layer_dim=100)

    clf.fit(X, y)
    y_proba = clf.predict_proba(X)

    assert y_proba.shape == (len(X), 2)
    np.testing.assert_allclose(y_proba.sum(axis=1), 1.0, rtol=1e-5)
    (call,) = get_model.calls
    assert call["hidden_layer_dim"] == 100
    assert call["meta"]["n_features_in_"] == 20
    assert tuple(call["meta"]["X_shape_"]) == (len(X), 20)
    assert call["meta"]["n_classes_"] == 2
    # the wrapper compiled the uncompiled model with the given loss and its default optimizer
    assert clf.model_.layers[-2].units == 2
    assert type(clf.model_.optimizer).__name__ == "RMSprop"
    np.testing.assert_array_equal(clf.classes_, [0, 1])


def test_quickstart_in_a_pipeline(binary, get_model):
    X, y = binary
    clf = KerasClassifier(get_model, loss="sparse_categorical_crossentropy", hidden_layer_dim=100)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])

    pipe.fit(X, y)
    y_proba = pipe.predict_proba(X)

    assert y_proba.shape == (len(X), 2)
    assert hasattr(pipe.named_steps["clf"], "model_")


def test_quickstart_grid_search(binary, get_model):
    X, y = binary
    clf = KerasClassifier(
        get_model, loss="sparse_categorical_crossentropy", hidden_layer_dim=100, verbose=0
    )
    params = {
        "hidden_layer_dim": [5, 7],
        "loss": ["sparse_categorical_crossentropy"],
        "optimizer": ["adam", "sgd"],
        "optimizer__learning_rate": [0.001],
    }
    gs = GridSearchCV(clf, params, refit=False, cv=2, scoring="accuracy")

    gs.fit(X, y)

    assert set(gs.best_params_) == set(params)
    assert len(gs.cv_results_["params"]) == 4
    assert np.all(np.isfinite(gs.cv_results_["mean_test_score"]))
    # every candidate's hidden_layer_dim reached the builder
    seen = {c["hidden_layer_dim"] for c in get_model.calls}
    assert seen == {5, 7}
