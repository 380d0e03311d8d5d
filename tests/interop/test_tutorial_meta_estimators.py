"""scikeras 0.13 tutorial notebooks/Meta_Estimators.md, with only the import changed.

Sizes: hidden layer of 16 instead of 100; AdaBoost and Bagging with
``n_estimators=3`` instead of 50 and 10, and Bagging with ``n_jobs=1`` instead
of ``-1`` (on a shared 2-core machine every worker process would import Keras).
``epochs=10`` instead of the default 1, so that the first boosted estimator is
reliably better than chance (AdaBoost refuses a first estimator that is not).
"""

from typing import Any, Dict, Iterable

import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier

from skdl import KerasClassifier


@pytest.fixture
def clf(keras):
    def get_clf_model(hidden_layer_sizes: Iterable[int], meta: Dict[str, Any], compile_kwargs: Dict[str, Any]):
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

    return KerasClassifier(
        model=get_clf_model,
        hidden_layer_sizes=(16,),
        optimizer="adam",
        optimizer__learning_rate=0.001,
        verbose=0,
        random_state=0,
        epochs=10,
    )


@pytest.fixture
def moons():
    return make_moons(random_state=0)


def test_meta_estimators_adaboost(clf, moons):
    X, y = moons
    adaboost = AdaBoostClassifier(estimator=clf, n_estimators=3, random_state=0)

    single_score = clf.fit(X, y).score(X, y)
    adaboost_score = adaboost.fit(X, y).score(X, y)

    assert 0.0 <= single_score <= 1.0 and 0.0 <= adaboost_score <= 1.0
    # each sub-estimator is composed of a Keras Model with its own individual weights
    assert len(adaboost.estimators_) >= 2
    w0 = adaboost.estimators_[0].model_.get_weights()[0][0, :5]
    w1 = adaboost.estimators_[1].model_.get_weights()[0][0, :5]
    assert adaboost.estimators_[0].model_ is not adaboost.estimators_[1].model_
    assert not np.allclose(w0, w1)


def test_meta_estimators_bagging(clf, moons):
    X, y = moons
    bagging = BaggingClassifier(estimator=clf, n_estimators=3, random_state=0, n_jobs=1)

    bagging_score = bagging.fit(X, y).score(X, y)

    assert 0.0 <= bagging_score <= 1.0
    models = [est.model_ for est in bagging.estimators_]
    assert len({id(m) for m in models}) == 3
