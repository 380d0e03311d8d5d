"""scikeras 0.13 tutorial notebooks/Basic_Usage.md, with only the import changed.

Sizes: 120 rows instead of 1000, hidden layers of 16 instead of 100, 3 epochs
instead of 20 in the callback section, a 1x2x1 grid with cv=2 and n_jobs=1
instead of 5 folds on all cores. The callback section's threshold is -1 (stop
after the first epoch) so that the test can tell that the callback ran. The
builders are module-level functions, as in the notebook, so that pickle works.
"""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_moons, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(120, 20, n_informative=10, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def data_regr():
    X_regr, y_regr = make_regression(120, 20, n_informative=10, random_state=0)
    return X_regr, y_regr


SEEN = []  # (hidden_layer_sizes, dropout, n_classes_) of every get_clf call


def get_clf(meta, hidden_layer_sizes, dropout):
    import keras

    n_features_in_ = meta["n_features_in_"]
    n_classes_ = meta["n_classes_"]
    SEEN.append((tuple(hidden_layer_sizes), dropout, n_classes_))
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(n_features_in_,)))
    for hidden_layer_size in hidden_layer_sizes:
        model.add(keras.layers.Dense(hidden_layer_size, activation="relu"))
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


def get_reg(meta, hidden_layer_sizes, dropout):
    import keras

    n_features_in_ = meta["n_features_in_"]
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(n_features_in_,)))
    for hidden_layer_size in hidden_layer_sizes:
        model.add(keras.layers.Dense(hidden_layer_size, activation="relu"))
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(1))
    return model


@pytest.fixture(autouse=True)
def _clear_seen():
    SEEN.clear()
    yield


@pytest.fixture
def reg(keras, data_regr):
    X_regr, y_regr = data_regr
    reg = KerasRegressor(
        model=get_reg,
        loss="mse",
        metrics=[keras.metrics.R2Score],
        hidden_layer_sizes=(16,),
        dropout=0.5,
        verbose=0,
    )
    reg.fit(X_regr, y_regr)
    return reg


def test_basic_usage_classifier(data):
    X, y = data
    clf = KerasClassifier(model=get_clf, loss="binary_crossentropy", hidden_layer_sizes=(16,), dropout=0.5, verbose=0)

    clf.fit(X, y)
    y_pred = clf.predict(X[:5])
    y_proba = clf.predict_proba(X[:5])

    assert SEEN == [((16,), 0.5, 2)]
    assert y_pred.shape == (5,) and set(np.unique(y_pred)) <= {0, 1}
    assert y_proba.shape == (5, 2)
    np.testing.assert_allclose(y_proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(y_pred, clf.classes_[np.argmax(y_proba, axis=1)])


def test_basic_usage_regressor_with_metric_class(reg, data_regr):
    X_regr, y_regr = data_regr
    y_pred = reg.predict(X_regr[:5])

    assert y_pred.shape == (5,)
    # metrics=[keras.metrics.R2Score] (a class) is compiled and logged
    assert len(reg.history_["r2_score"]) == 1


def test_basic_usage_pickle_whole_model(reg, data_regr):
    X_regr, _ = data_regr
    bytes_model = pickle.dumps(reg)
    new_reg = pickle.loads(bytes_model)

    np.testing.assert_allclose(new_reg.predict(X_regr[:5]), reg.predict(X_regr[:5]), rtol=1e-5)  # still trained


def test_basic_usage_keras_save_then_initialize(reg, data_regr, keras, tmp_path):
    X_regr, y_regr = data_regr
    # Save to disk
    pred_old = reg.predict(X_regr)
    reg.model_.save(tmp_path / "my_model.keras")  # saves just the Keras model

    # Load the model back into memory
    new_reg_model = keras.saving.load_model(tmp_path / "my_model.keras")
    # Now we need to instantiate a new SciKeras object
    # since we only saved the Keras model
    reg_new = KerasRegressor(new_reg_model)
    # use initialize to avoid re-fitting
    reg_new.initialize(X_regr, y_regr)
    pred_new = reg_new.predict(X_regr)
    np.testing.assert_allclose(pred_old, pred_new, rtol=1e-5, atol=1e-5)


def test_basic_usage_pipeline(data):
    X, y = data
    clf = KerasClassifier(model=get_clf, loss="binary_crossentropy", hidden_layer_sizes=(16,), dropout=0.5, verbose=0)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])

    y_proba = pipe.fit(X, y).predict(X)

    assert y_proba.shape == (len(X),)


@pytest.fixture
def moons():
    X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    return X, y


def test_basic_usage_callbacks(moons, keras):
    X, y = moons

    class MaxValLoss(keras.callbacks.Callback):
        def __init__(self, monitor: str, threashold: float):
            self.monitor = monitor
            self.threashold = threashold

        def on_epoch_end(self, epoch, logs=None):
            if logs[self.monitor] > self.threashold:
                print("Threashold reached; stopping training")
                self.model.stop_training = True

    kwargs = dict(
        model=get_clf,
        loss="binary_crossentropy",
        dropout=0.5,
        hidden_layer_sizes=(16,),
        metrics=["binary_accuracy"],
        fit__validation_split=0.2,
        epochs=3,
        verbose=False,
        random_state=0,
    )

    # First test without the callback
    clf = KerasClassifier(**kwargs)
    clf.fit(X, y)
    assert len(clf.history_["loss"]) == 3
    assert len(clf.history_["val_binary_accuracy"]) == 3  # fit__validation_split reached model.fit

    # Test with the callback
    cb = MaxValLoss(monitor="val_binary_accuracy", threashold=-1.0)
    clf = KerasClassifier(**kwargs, callbacks=[cb])
    clf.fit(X, y)
    assert len(clf.history_["loss"]) == 1


def test_basic_usage_grid_search(moons):
    X, y = moons
    clf = KerasClassifier(
        model=get_clf,
        loss="binary_crossentropy",
        optimizer="adam",
        optimizer__learning_rate=0.1,
        model__hidden_layer_sizes=(16,),
        model__dropout=0.5,
        verbose=False,
    )
    params = {
        "optimizer__learning_rate": [0.1],
        "model__hidden_layer_sizes": [(8,), (4, 4)],
        "model__dropout": [0.5],
    }
    gs = GridSearchCV(clf, params, scoring="accuracy", cv=2, n_jobs=1, verbose=False)

    gs.fit(X, y)

    assert set(gs.best_params_) == set(params)
    assert len(gs.cv_results_["params"]) == 2
    assert {s[:2] for s in SEEN} == {((8,), 0.5), ((4, 4), 0.5)}
    assert 0.0 <= gs.best_score_ <= 1.0
