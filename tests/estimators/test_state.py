"""Determinism, persistence, clone, warm start and partial_fit."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from skdl import MLPClassifier, MLPRegressor

FAST = dict(hidden_layer_sizes=(8,), epochs=4, patience=None, random_state=0)


def test_same_seed_same_predictions(iris):
    X, y = iris
    a = MLPClassifier(dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    b = MLPClassifier(dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_same_seed_same_result_whether_or_not_a_graph_is_reused(iris):
    from skdl.training._pool import POOL

    X, y = iris
    POOL.clear()
    fresh = MLPClassifier(**FAST).fit(X, y).predict_proba(X)  # built, then released
    hits = POOL.hits
    reused = MLPClassifier(**FAST).fit(X, y).predict_proba(X)
    assert POOL.hits == hits + 1
    np.testing.assert_array_equal(fresh, reused)


def test_different_seeds_differ(iris):
    X, y = iris
    a = MLPClassifier(**{**FAST, "random_state": 0}).fit(X, y).predict_proba(X)
    b = MLPClassifier(**{**FAST, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.allclose(a, b)


def test_seeding_restores_global_numpy_state(iris):
    X, y = iris
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    MLPClassifier(**FAST).fit(X, y)
    assert np.random.rand() == expected


@pytest.mark.parametrize("dump,load", [(pickle.dumps, pickle.loads), (None, None)])
def test_pickle_and_joblib_round_trip(iris, tmp_path, dump, load):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    if dump is None:
        joblib.dump(clf, tmp_path / "m.joblib")
        back = joblib.load(tmp_path / "m.joblib")
    else:
        back = load(dump(clf))
    np.testing.assert_array_equal(back.predict_proba(X), expected)
    assert back.history_ == clf.history_


def test_two_fitted_estimators_never_share_a_network(iris):
    X, y = iris
    a = MLPClassifier(**FAST).fit(X, y)
    pa = a.predict_proba(X)
    b = MLPClassifier(**{**FAST, "random_state": 5}).fit(X, y)
    assert a.model_ is not b.model_
    np.testing.assert_array_equal(a.predict_proba(X), pa)


def test_clone_keeps_every_parameter_and_trains_configured_epochs(iris):
    X, y = iris
    est = MLPClassifier(epochs=7, batch_size=16, optimizer="sgd", optimizer__momentum=0.9,
                        hidden_layer_sizes=(5,), patience=None, random_state=3)
    c = clone(est)
    assert c.get_params() == est.get_params()
    assert c.optimizer__momentum == 0.9
    c.fit(X, y)
    assert c.n_iter_ == 7
    assert c.model_.optimizer.momentum == 0.9


def test_set_params_accepts_routed_params():
    est = MLPClassifier().set_params(optimizer__beta_1=0.8, lr_schedule__step_size=3)
    assert est.get_params()["optimizer__beta_1"] == 0.8
    assert clone(est).get_params()["lr_schedule__step_size"] == 3


def test_warm_start_continues_training(iris):
    X, y = iris
    clf = MLPClassifier(warm_start=True, **FAST).fit(X, y)
    first = clf.history_["loss"][-1]
    model = clf.model_
    clf.fit(X, y)
    assert clf.n_iter_ == 8
    assert clf.model_ is model
    assert len(clf.history_["loss"]) == 8
    assert clf.history_["loss"][-1] < first


def test_partial_fit_trains_one_epoch_each_call(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    assert clf.n_iter_ == 1
    assert list(clf.classes_) == [0, 1, 2]
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2


def test_regressor_pickle_round_trip(regression_data):
    X, y = regression_data
    reg = MLPRegressor(**FAST).fit(X, y)
    back = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))


def test_a_reused_graph_takes_the_new_learning_rate(iris):
    """The learning rate lives in a variable of the pooled graph: each fit must set its own."""
    X, y = iris
    base = dict(hidden_layer_sizes=(8,), epochs=3, patience=None, random_state=0)
    slow_first = MLPClassifier(learning_rate=1e-5, **base).fit(X, y)
    del slow_first
    fast = MLPClassifier(learning_rate=0.05, **base).fit(X, y)
    slow = MLPClassifier(learning_rate=1e-5, **base).fit(X, y)
    assert fast.history_["learning_rate"][0] == pytest.approx(0.05)
    assert fast.history_["loss"][-1] < slow.history_["loss"][-1] - 0.1


def test_random_state_instance_is_accepted_and_reproducible(iris):
    X, y = iris
    base = dict(hidden_layer_sizes=(8,), epochs=3, patience=None)
    a = MLPClassifier(random_state=np.random.RandomState(7), **base).fit(X, y).predict_proba(X)
    b = MLPClassifier(random_state=np.random.RandomState(7), **base).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
