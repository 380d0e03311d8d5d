"""Between trials the search frees what trials leave, and leaves Keras' session alone."""

import sys
import types

import pytest

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


def _count_collections(monkeypatch):
    from skdl.tuning import _parallel

    calls = []
    real = _parallel.gc.collect
    # the search's own collections only (the pool's sweeps are its own business)
    monkeypatch.setattr(_parallel, "gc", types.SimpleNamespace(collect=lambda *a: calls.append(a) or real(*a)))
    return calls


def test_finished_and_pruned_trials_give_their_networks_back_without_a_collection(
        tiny_classification, monkeypatch):
    import gc

    import optuna

    import skdl
    from skdl.training._pool import POOL

    X, y = tiny_classification
    calls = _count_collections(monkeypatch)
    est = skdl.MLPClassifier(hidden_layer_sizes=(5,), epochs=3, patience=None, random_state=0)

    class PruneAfterTheFirst(optuna.pruners.BasePruner):
        def prune(self, study, trial):  # trial 0 (the defaults) completes; the rest stop at epoch 1
            return trial.number > 0

    search = OptunaSearchCV(est, {"dropout": [0.0, 0.1]}, n_trials=3, cv=2, random_state=0,
                            refit=False, pruner=PruneAfterTheFirst())
    POOL.clear()
    hits = POOL.hits
    was_enabled = gc.isenabled()
    gc.disable()  # no automatic collection either: reference counting alone frees the networks
    try:
        search.fit(X, y)
    finally:
        if was_enabled:
            gc.enable()
    states = list(search.cv_results_["state"])
    assert "PRUNED" in states and "COMPLETE" in states
    assert calls == []
    assert POOL.hits > hits  # each fold after the first took the network the one before gave back


def test_a_failed_trial_is_collected(tiny_classification, monkeypatch):
    from sklearn.neighbors import KNeighborsClassifier

    X, y = tiny_classification
    calls = _count_collections(monkeypatch)
    # n_neighbors=500 is more than a fold's rows: both trials fail (and the search says so)
    search = OptunaSearchCV(KNeighborsClassifier(), {"n_neighbors": [500]}, n_trials=2, cv=2,
                            error_score=float("nan"), refit=False)
    with pytest.raises(ValueError, match="none completed"):
        search.fit(X, y)
    assert len(calls) == 2
