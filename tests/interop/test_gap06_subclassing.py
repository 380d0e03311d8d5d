"""Issue 14, gap 6: subclassing in scikeras' style.

Reference: scikeras/wrappers.py ``_check_model_param`` (``model=None`` ->
``self._keras_build_fn``; a class with ``_keras_build_fn`` given a ``model``
function is a ValueError), ``_build_keras_model`` (the build function gets the extra keyword
arguments given to the base ``__init__`` and ``model__`` ones, plus ``meta``,
``compile_kwargs``, ``params``; a subclass's own ``__init__`` parameters are
read as attributes, as the MLPClassifier tutorial does), ``_get_param_names``
(parameters are every
public attribute without a trailing underscore, so a subclass ``__init__(self,
hidden=..., **kwargs)`` that calls ``super().__init__(**kwargs)`` keeps every
base parameter).
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture
def Sub(keras):
    class Sub(KerasClassifier):
        def __init__(self, hidden=4, **kwargs):
            super().__init__(**kwargs)
            self.hidden = hidden

        def _keras_build_fn(self, meta):
            return keras.Sequential(
                [
                    keras.Input((meta["n_features_in_"],)),
                    keras.layers.Dense(self.hidden, activation="relu"),
                    keras.layers.Dense(1, activation="sigmoid"),
                ]
            )

    return Sub


def test_gap06_keras_build_fn_is_called(binary, Sub):
    X, y = binary
    clf = Sub(hidden=3, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)

    assert [layer.units for layer in clf.model_.layers] == [3, 1]
    assert clf.predict(X).shape == (len(X),)


def test_gap06_subclass_get_params_keeps_base_parameters(Sub):
    clf = Sub(hidden=5, epochs=3, batch_size=16, random_state=0, loss="binary_crossentropy")

    params = clf.get_params()
    assert params["hidden"] == 5
    assert params["epochs"] == 3 and params["batch_size"] == 16 and params["random_state"] == 0
    assert params["loss"] == "binary_crossentropy"
    assert {"optimizer", "callbacks", "metrics", "warm_start", "verbose"} <= set(params)


def test_gap06_clone_keeps_base_parameters(Sub):
    clf = Sub(hidden=5, epochs=3, batch_size=16, random_state=0)

    cloned = clone(clf)

    params = cloned.get_params()
    assert params["epochs"] == 3 and params["batch_size"] == 16 and params["random_state"] == 0
    assert params == clf.get_params()


def test_gap06_search_trains_with_the_given_parameters(binary, Sub):
    X, y = binary
    clf = Sub(epochs=3, batch_size=16, random_state=0, loss="binary_crossentropy", verbose=0)
    gs = GridSearchCV(clf, {"hidden": [2, 3]}, cv=2).fit(X, y)

    best = gs.best_estimator_
    assert len(best.history_["loss"]) == 3  # not the default epochs
    assert best.get_params()["batch_size"] == 16
    assert [layer.units for layer in best.model_.layers][0] == gs.best_params_["hidden"]


def test_gap06_keras_build_fn_and_model_function_conflict(binary, Sub, dense_builder):
    X, y = binary
    # scikeras: "This class cannot implement ``_keras_build_fn`` if using the `model` parameter"
    with pytest.raises(ValueError, match="_keras_build_fn"):
        Sub(model=dense_builder, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)


def test_gap06_no_model_and_no_keras_build_fn_is_a_clear_error(binary):
    X, y = binary
    with pytest.raises(ValueError, match="_keras_build_fn"):
        KerasClassifier(loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)


def test_gap06_regressor_subclass_reads_fitted_attributes_in_build_fn(regression, keras):
    X, y = regression
    seen = {}

    class Reg(KerasRegressor):
        def __init__(self, width=3, **kwargs):
            super().__init__(**kwargs)
            self.width = width

        def _keras_build_fn(self, compile_kwargs):
            seen.update(n_features_in_=self.n_features_in_, target_type_=self.target_type_)
            model = keras.Sequential(
                [keras.Input((self.n_features_in_,)), keras.layers.Dense(self.width), keras.layers.Dense(1)]
            )
            model.compile(loss="mse", optimizer=compile_kwargs["optimizer"])
            return model

    reg = Reg(width=2, epochs=1, verbose=0).fit(X, y)

    assert seen == {"n_features_in_": 6, "target_type_": "continuous"}
    assert reg.predict(X).shape == (len(X),)
