"""scikeras 0.13 tutorial notebooks/MLPClassifier_MLPRegressor.md, only the import changed.

Sizes: hidden layers of 16 instead of 100; 5 epochs instead of 50 and 2
instead of 20 (the notebook itself cuts 200 to 20 "for notebook execution
time"). The subclasses keep the notebook's ``__init__`` exactly.
"""

from typing import Any, Dict, Iterable

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture
def get_clf_model(keras):
    seen = []

    def get_clf_model(hidden_layer_sizes: Iterable[int], meta: Dict[str, Any], compile_kwargs: Dict[str, Any]):
        seen.append(dict(meta=meta, compile_kwargs=compile_kwargs))
        model = keras.Sequential()
        inp = keras.layers.Input(shape=(meta["n_features_in_"],))
        model.add(inp)
        for hidden_layer_size in hidden_layer_sizes:
            layer = keras.layers.Dense(hidden_layer_size, activation="relu")
            model.add(layer)
        if meta["target_type_"] == "binary":
            n_output_units = 1
            output_activation = "sigmoid"
            loss = "binary_crossentropy"
        elif meta["target_type_"] == "multiclass":
            n_output_units = meta["n_classes_"]
            output_activation = "softmax"
            loss = "sparse_categorical_crossentropy"
        else:
            raise NotImplementedError(f"Unsupported task type: {meta['target_type_']}")
        out = keras.layers.Dense(n_output_units, activation=output_activation)
        model.add(out)
        model.compile(loss=loss, optimizer=compile_kwargs["optimizer"])
        return model

    get_clf_model.seen = seen
    return get_clf_model


@pytest.mark.parametrize("n_classes", [2, 3])
def test_mlp_tutorial_builder_function(get_clf_model, keras, n_classes):
    clf = KerasClassifier(
        model=get_clf_model,
        hidden_layer_sizes=(16,),
        optimizer="adam",
        optimizer__learning_rate=0.001,
        epochs=5,
        verbose=0,
    )
    X, y = make_classification(n_classes=n_classes, n_informative=4, random_state=0)

    # check that fit works
    clf.fit(X, y)
    # check score
    score = clf.score(X, y)

    assert 0.0 <= score <= 1.0
    (call,) = get_clf_model.seen
    assert call["meta"]["target_type_"] == ("binary" if n_classes == 2 else "multiclass")
    optimizer = call["compile_kwargs"]["optimizer"]
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert float(optimizer.learning_rate) == pytest.approx(0.001)
    # the builder compiled the model itself; SciKeras does not re-compile it
    assert clf.model_.optimizer is optimizer
    assert clf.model_.layers[-1].units == (1 if n_classes == 2 else n_classes)
    assert len(clf.history_["loss"]) == 5


@pytest.fixture
def MLPClassifier(keras):
    class MLPClassifier(KerasClassifier):
        def __init__(
            self,
            hidden_layer_sizes=(16,),
            optimizer="adam",
            optimizer__learning_rate=0.001,
            epochs=200,
            verbose=0,
            **kwargs,
        ):
            super().__init__(**kwargs)
            self.hidden_layer_sizes = hidden_layer_sizes
            self.optimizer = optimizer
            self.epochs = epochs
            self.verbose = verbose

        def _keras_build_fn(self, compile_kwargs: Dict[str, Any]):
            model = keras.Sequential()
            inp = keras.layers.Input(shape=(self.n_features_in_,))
            model.add(inp)
            for hidden_layer_size in self.hidden_layer_sizes:
                layer = keras.layers.Dense(hidden_layer_size, activation="relu")
                model.add(layer)
            if self.target_type_ == "binary":
                n_output_units = 1
                output_activation = "sigmoid"
                loss = "binary_crossentropy"
            elif self.target_type_ == "multiclass":
                n_output_units = self.n_classes_
                output_activation = "softmax"
                loss = "sparse_categorical_crossentropy"
            else:
                raise NotImplementedError(f"Unsupported task type: {self.target_type_}")
            out = keras.layers.Dense(n_output_units, activation=output_activation)
            model.add(out)
            model.compile(loss=loss, optimizer=compile_kwargs["optimizer"])
            return model

    return MLPClassifier


def test_mlp_tutorial_subclassed_classifier(MLPClassifier, keras):
    X, y = make_classification(random_state=0)
    clf = MLPClassifier(epochs=2)  # for notebook execution time

    score = clf.fit(X, y).score(X, y)

    assert 0.0 <= score <= 1.0
    assert len(clf.history_["loss"]) == 2
    assert [layer.units for layer in clf.model_.layers] == [16, 1]
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)


def test_mlp_tutorial_subclass_keeps_base_parameters(MLPClassifier):
    clf = MLPClassifier(epochs=2, batch_size=16, random_state=0)

    params = clf.get_params()
    assert params["epochs"] == 2 and params["batch_size"] == 16 and params["random_state"] == 0
    assert params["hidden_layer_sizes"] == (16,)
    assert params["optimizer"] == "adam"
    assert "loss" in params and "callbacks" in params  # base parameters are not lost
    cloned = clone(clf)
    assert cloned.get_params()["epochs"] == 2
    assert cloned.get_params()["batch_size"] == 16
    assert cloned.get_params()["random_state"] == 0


def test_mlp_tutorial_subclassed_regressor(keras):
    class MLPRegressor(KerasRegressor):
        def __init__(
            self,
            hidden_layer_sizes=(16,),
            optimizer="adam",
            optimizer__learning_rate=0.001,
            epochs=200,
            verbose=0,
            **kwargs,
        ):
            super().__init__(**kwargs)
            self.hidden_layer_sizes = hidden_layer_sizes
            self.optimizer = optimizer
            self.epochs = epochs
            self.verbose = verbose

        def _keras_build_fn(self, compile_kwargs: Dict[str, Any]):
            model = keras.Sequential()
            inp = keras.layers.Input(shape=(self.n_features_in_,))
            model.add(inp)
            for hidden_layer_size in self.hidden_layer_sizes:
                layer = keras.layers.Dense(hidden_layer_size, activation="relu")
                model.add(layer)
            out = keras.layers.Dense(1)
            model.add(out)
            model.compile(loss="mse", optimizer=compile_kwargs["optimizer"])
            return model

    reg = MLPRegressor(epochs=2)  # for notebook execution time

    # Define a simple linear relationship
    y = np.arange(100)
    X = (y / 2).reshape(-1, 1)

    # check score
    reg.fit(X, y)
    score = reg.score(X, y)

    assert np.isfinite(score)
    assert reg.predict(X).shape == (100,)
    assert len(reg.history_["loss"]) == 2
    assert [layer.units for layer in reg.model_.layers] == [16, 1]
