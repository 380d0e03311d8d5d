"""scikeras 0.13 docs, migration.rst ("Migrating from keras.wrappers.scikit_learn").

Each section's code with only the import changed. The doc's ``get_model`` is
elided (``...``); here it is a small binary classifier compiled as the doc
shows (``loss="mse", metrics=["mae"]``).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture
def get_model(keras):
    def get_model():
        model = keras.Sequential(
            [keras.Input((20,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")]
        )
        model.compile(loss="mse", metrics=["mae"])
        return model

    return get_model


def test_migration_fit_returns_self_and_history_keys(binary, get_model):
    X, y = binary
    clf = KerasClassifier(get_model, epochs=2, verbose=0)

    returned = clf.fit(X, y)
    hist = returned.history_

    assert returned is clf
    assert isinstance(hist, dict)
    # SciKeras normalizes the names of the keys: metrics=["mae"] -> "mean_absolute_error"
    losses = hist["mean_absolute_error"]
    assert len(losses) == 2
    assert len(hist["loss"]) == 2
    assert "mae" not in hist


def test_migration_fit_resets_history_partial_fit_extends(binary, get_model):
    X, y = binary
    clf = KerasClassifier(get_model, epochs=2, verbose=0)

    clf.fit(X, y)
    clf.fit(X, y)
    assert len(clf.history_["loss"]) == 2  # fit resets
    clf.partial_fit(X, y)
    assert len(clf.history_["loss"]) == 3  # partial_fit extends


def test_migration_score_is_r2_for_regressors(regression, dense_builder):
    X, y = regression
    reg = KerasRegressor(dense_builder, loss="mse", epochs=2, verbose=0).fit(X, y)

    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)), rel=1e-5)


def test_migration_categorical_crossentropy_one_hot_encodes(multiclass, dense_builder):
    X, y = multiclass
    clf = KerasClassifier(dense_builder, loss="categorical_crossentropy", epochs=1, verbose=0)

    clf.fit(X, y)  # integer labels reach the 3-unit softmax one-hot encoded

    assert clf.predict_proba(X).shape == (len(X), 3)
    assert set(np.unique(clf.predict(X))) <= {0, 1, 2}


def test_migration_fit_kwargs_batch_size(binary, dense_builder, recorder_cls):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", callbacks=[recorder_cls()], epochs=1, verbose=0)

    clf.fit(X, y, batch_size=32)  # the keras.wrappers way, still supported

    assert recorder_cls.count("train_batch") == int(np.ceil(len(X) / 32))


def test_migration_batch_size_in_constructor(binary, dense_builder, recorder_cls):
    X, y = binary
    clf = KerasClassifier(
        dense_builder, loss="binary_crossentropy", batch_size=32, callbacks=[recorder_cls()], epochs=1,
        verbose=0,
    )

    clf.fit(X, y)

    assert recorder_cls.count("train_batch") == int(np.ceil(len(X) / 32))


def test_migration_separate_fit_and_predict_batch_size(binary, dense_builder, recorder_cls):
    X, y = binary
    clf = KerasClassifier(
        dense_builder,
        loss="binary_crossentropy",
        fit__batch_size=32,
        predict__batch_size=10000,
        callbacks=[recorder_cls()],
        epochs=1,
        verbose=0,
    )

    clf.fit(X, y)
    clf.predict(X)

    assert recorder_cls.count("train_batch") == int(np.ceil(len(X) / 32))
    assert recorder_cls.count("predict_batch") == 1


def test_migration_set_params_on_live_instance(binary, dense_builder, recorder_cls):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", callbacks=[recorder_cls()], epochs=1, verbose=0)

    clf.set_params(fit__batch_size=32, predict__batch_size=10000)
    clf.fit(X, y)
    clf.predict(X)

    assert clf.get_params()["fit__batch_size"] == 32
    assert clf.get_params()["predict__batch_size"] == 10000
    assert recorder_cls.count("train_batch") == int(np.ceil(len(X) / 32))
    assert recorder_cls.count("predict_batch") == 1


def test_migration_build_fn_keyword_still_works(binary, get_model):
    X, y = binary
    clf = KerasClassifier(build_fn=get_model, verbose=0)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)

    assert clf.predict(X).shape == (len(X),)
    # scikeras warns that build_fn will be renamed to model
    assert any("build_fn" in str(w.message) for w in caught)


def test_migration_model_keyword_and_positional(binary, get_model):
    X, y = binary
    for clf in (KerasClassifier(model=get_model, verbose=0), KerasClassifier(get_model, verbose=0)):
        clf.fit(X, y)
        assert clf.get_params()["model"] is get_model
        assert clf.predict(X).shape == (len(X),)


@pytest.fixture
def my_param_model(keras):
    seen = []

    def get_model(my_param):
        seen.append(my_param)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy")
        return model

    get_model.seen = seen
    return get_model


@pytest.mark.parametrize("option", ["bare", "routed"])
def test_migration_declared_builder_parameters_are_tunable(binary, my_param_model, option):
    X, y = binary
    if option == "bare":
        clf = KerasClassifier(my_param_model, my_param=123, verbose=0)  # option 1
        key = "my_param"
    else:
        clf = KerasClassifier(my_param_model, model__my_param=123, verbose=0)  # option 2
        key = "model__my_param"

    clf.fit(X, y)
    assert my_param_model.seen == [123]
    assert clf.get_params()[key] == 123
    clf.set_params(**{key: 7}).fit(X, y)
    assert my_param_model.seen == [123, 7]


def test_migration_builder_defaults_need_no_change(binary, keras):
    X, y = binary
    seen = []

    def get_model(my_param=123):
        seen.append(my_param)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy")
        return model

    KerasClassifier(get_model, verbose=0).fit(X, y)

    assert seen == [123]


def test_migration_numpy_dataframe_and_list_inputs(binary, dense_builder):
    X, y = binary
    for X_in, y_in in (
        (X, y),
        (pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]), pd.Series(y)),
        (X.tolist(), y.tolist()),
    ):
        clf = KerasClassifier(dense_builder, loss="binary_crossentropy", verbose=0).fit(X_in, y_in)
        assert clf.predict(X_in).shape == (len(X),)
