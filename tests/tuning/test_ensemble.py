"""TrialEnsemble averages its members; OptunaSearchCV(refit_ensemble=k) refits the k best trials."""

import pickle

import numpy as np
import optuna
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks
from skdl_tuning_fakes import EpochSGDClassifier

from skdl.tuning import OptunaSearchCV, TrialEnsemble

GRID = {"n_neighbors": [1, 4, 9, 30]}  # distinct scores on iris


def _grid_search(estimator, grid, **kwargs):
    return OptunaSearchCV(estimator, grid, n_trials=len(next(iter(grid.values()))),
                          sampler=optuna.samplers.GridSampler(grid, seed=0), cv=3, **kwargs)


@parametrize_with_checks([
    TrialEnsemble([("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(random_state=0))]),
    TrialEnsemble([("ridge", Ridge()), ("tree", DecisionTreeRegressor(random_state=0))]),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_averages_probabilities_and_predictions(iris):
    X, y = iris
    members = [("lr", LogisticRegression(max_iter=500)), ("knn", KNeighborsClassifier(9))]
    ens = TrialEnsemble(members).fit(X, y)
    fitted = [clone(e).fit(X, y) for _, e in members]
    mean = (fitted[0].predict_proba(X) + fitted[1].predict_proba(X)) / 2
    np.testing.assert_allclose(ens.predict_proba(X), mean)
    np.testing.assert_array_equal(ens.predict(X), ens.classes_[mean.argmax(1)])
    assert ens.score(X, y) == pytest.approx(np.mean(ens.predict(X) == y))
    assert is_classifier(ens) and list(ens.named_estimators_) == ["lr", "knn"]
    assert ens.n_features_in_ == 4

    Xr, yr = make_regression(60, 3, noise=1.0, random_state=0)
    reg = TrialEnsemble([("a", Ridge(alpha=1.0)), ("b", Ridge(alpha=100.0))]).fit(Xr, yr)
    expected = (Ridge(alpha=1.0).fit(Xr, yr).predict(Xr) + Ridge(alpha=100.0).fit(Xr, yr).predict(Xr)) / 2
    np.testing.assert_allclose(reg.predict(Xr), expected)
    assert is_regressor(reg) and not hasattr(reg, "predict_proba")


@pytest.mark.parametrize("estimators, match", [
    ([], "non-empty list of"),
    ([LogisticRegression()], "non-empty list of"),
    ([("a", LogisticRegression()), ("a", Ridge())], "unique"),
    ([("a", LogisticRegression()), ("b", Ridge())], "all classifiers or all regressors"),
])
def test_bad_members_are_clear_errors(iris, estimators, match):
    with pytest.raises(ValueError, match=match):
        TrialEnsemble(estimators).fit(*iris)


def test_classifiers_without_predict_proba_are_a_clear_error(iris):
    with pytest.raises(ValueError, match="averages predict_proba, which b lack"):
        TrialEnsemble([("a", LogisticRegression(max_iter=500)), ("b", SVC())]).fit(*iris)


def test_search_refits_the_k_best_trials(iris):
    X, y = iris
    single = _grid_search(KNeighborsClassifier(), GRID).fit(X, y)
    search = _grid_search(KNeighborsClassifier(), GRID, refit_ensemble=3).fit(X, y)
    means = search.cv_results_["mean_test_score"]
    order = sorted(range(len(means)), key=lambda i: (-means[i], i))
    assert search.ensemble_indices_ == order[:3] and search.ensemble_indices_[0] == search.best_index_
    assert single.ensemble_indices_ == [single.best_index_]
    assert search.best_params_ == single.best_params_  # the best trial is still the best trial

    ens = search.best_estimator_
    assert isinstance(ens, TrialEnsemble)
    numbers = [int(search.cv_results_["trial_number"][i]) for i in order[:3]]
    assert list(ens.named_estimators_) == [f"trial_{n}" for n in numbers]
    for i, member in zip(order[:3], ens.estimators_):
        assert member.n_neighbors == search.cv_results_["params"][i]["n_neighbors"]
    mean = np.mean([m.predict_proba(X) for m in ens.estimators_], axis=0)
    np.testing.assert_allclose(search.predict_proba(X), mean)
    assert search.score(X, y) == pytest.approx(np.mean(search.predict(X) == y))
    assert pickle.loads(pickle.dumps(search)).predict(X).tolist() == search.predict(X).tolist()


def test_ensemble_takes_only_complete_trials(iris):
    """A failed trial's numeric error_score never puts it into the ensemble."""
    X, y = iris
    grid = {"n_neighbors": [1, 4, 1000]}  # 1000 > rows of a fold: the fit fails
    with pytest.warns(Warning):
        search = _grid_search(KNeighborsClassifier(), grid, refit_ensemble=3, error_score=0.0).fit(X, y)
    states = search.cv_results_["state"]
    assert sorted(states[i] for i in range(3)) == ["COMPLETE", "COMPLETE", "FAIL"]
    assert len(search.ensemble_indices_) == 2
    assert all(states[i] == "COMPLETE" for i in search.ensemble_indices_)


def test_refit_callbacks_reach_every_member(iris):
    X, y = iris
    seen = []

    class Count:
        def on_epoch_end(self, epoch, logs=None):
            seen.append(epoch)

    grid = {"alpha": [1e-4, 1e-3, 1e-2]}
    search = _grid_search(EpochSGDClassifier(epochs=3), grid, refit_ensemble=2)
    search.fit(X, y, refit_callbacks=[Count()])
    assert len(search.best_estimator_.estimators_) == 2
    assert len(seen) == 2 * 3  # 3 epochs per member


def test_refit_ensemble_is_validated(iris):
    with pytest.raises(InvalidParameterError, match="refit_ensemble"):
        _grid_search(KNeighborsClassifier(), GRID, refit_ensemble=0).fit(*iris)
