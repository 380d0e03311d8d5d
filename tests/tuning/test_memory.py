"""Between trials the search collects garbage and leaves Keras' session alone."""

import sys
import types

from sklearn.neighbors import KNeighborsClassifier

from skdl.tuning import OptunaSearchCV


def test_search_never_clears_the_keras_session(iris, monkeypatch):
    calls = []
    fake = types.ModuleType("keras")
    fake.backend = types.SimpleNamespace(clear_session=lambda *a, **k: calls.append(1))
    # a search between Keras fits must not reset Keras' seed generator and names
    monkeypatch.setitem(sys.modules, "keras", fake)
    X, y = iris
    OptunaSearchCV(KNeighborsClassifier(), {"n_neighbors": [3, 5, 7]}, n_trials=3, cv=2).fit(X, y)
    assert calls == []
