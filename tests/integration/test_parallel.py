"""Parallel folds and trials in processes: joblib/loky around skdl estimators, and the
thread budget of OptunaSearchCV's workers (memory over many fits is measured by
benchmarks/bench_rss_fits.py)."""

import os

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import StratifiedKFold, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

pytestmark = pytest.mark.slow

FAST = dict(hidden_layer_sizes=(8,), epochs=5, patience=None, learning_rate=0.05, random_state=0)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_cross_val_score_in_two_processes_matches_one(iris):
    from skdl import MLPClassifier

    X, y = iris
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**FAST))
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    serial = cross_val_score(pipe, X, y, cv=cv, n_jobs=1)
    parallel = cross_val_score(pipe, X, y, cv=cv, n_jobs=2)  # loky worker processes
    # a seeded fit gives the same network in any process
    np.testing.assert_allclose(parallel, serial)


def test_fitted_estimators_come_back_from_loky_workers(iris):
    from skdl import MLPClassifier

    X, y = iris
    out = cross_validate(make_pipeline(StandardScaler(), MLPClassifier(**FAST)), X, y, cv=2,
                         n_jobs=2, return_estimator=True)
    for est, score in zip(out["estimator"], out["test_score"]):
        assert est[-1].history_["loss"] and len(est[-1].history_["loss"]) == 5
        assert est.predict(X).shape == (len(X),)  # the network was pickled with its weights
        assert est.predict_proba(X).shape == (len(X), 3)
        assert 0.0 <= score <= 1.0


@pytest.mark.parametrize("n_jobs", [2])
def test_search_workers_share_the_cores(iris, n_jobs):
    """Each OptunaSearchCV worker gets cores // n_jobs threads: no oversubscription."""
    from optuna.distributions import FloatDistribution
    from sklearn.linear_model import LogisticRegression

    from _budget import blas_threads, inter_op_threads, intra_op_threads, worker_pid
    from skdl.tuning import OptunaSearchCV
    from skdl.tuning._parallel import n_cores

    X, y = iris
    search = OptunaSearchCV(
        LogisticRegression(max_iter=200), {"C": FloatDistribution(0.1, 10, log=True)},
        n_trials=4, cv=2, n_jobs=n_jobs, refit="intra", random_state=0,
        scoring={"intra": intra_op_threads, "inter": inter_op_threads, "blas": blas_threads,
                 "pid": worker_pid},
    ).fit(X, y)
    per_worker = max(1, n_cores() // n_jobs)
    res = search.cv_results_
    assert set(res["mean_test_intra"]) == {per_worker}
    assert set(res["mean_test_inter"]) == {1}
    assert max(res["mean_test_blas"]) <= per_worker
    assert os.getpid() not in set(res["mean_test_pid"])  # trials ran in worker processes
    assert len(set(res["mean_test_pid"])) <= n_jobs
    # TF's intra-op pools of all workers together fit in the cores (inter-op: 1 each)
    assert per_worker * n_jobs <= max(n_cores(), n_jobs)
