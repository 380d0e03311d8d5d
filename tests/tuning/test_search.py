"""OptunaSearchCV behaves like GridSearchCV, scores several metrics, prunes, survives failures."""

import re
import warnings

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import FloatDistribution, IntDistribution
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from skdl_tuning_fakes import EpochSGDClassifier, NaNScoreClassifier

from skdl.exceptions import TrainingInterruptedWarning
from skdl.tuning import OptunaSearchCV, get_storage

GRID = {"n_neighbors": [1, 4, 9, 30]}  # distinct scores on iris: no ties to break
SHUFFLED_3 = StratifiedKFold(3, shuffle=True, random_state=0)


def _grid_search(estimator, grid, **kwargs):
    return OptunaSearchCV(estimator, grid, n_trials=len(next(iter(grid.values()))),
                          sampler=optuna.samplers.GridSampler(grid, seed=0), **kwargs)


def _by_params(results, metric="score"):
    return {tuple(sorted(p.items())): s
            for p, s in zip(results["params"], results[f"mean_test_{metric}"])}


def test_matches_grid_search_cv(iris):
    X, y = iris
    est = KNeighborsClassifier()
    search = _grid_search(est, GRID, cv=3, return_train_score=True).fit(X, y)
    # an integer cv shuffles (seed 0 without random_state), unlike GridSearchCV's
    grid = GridSearchCV(est, GRID, cv=SHUFFLED_3, return_train_score=True).fit(X, y)

    assert search.best_params_ == grid.best_params_
    assert search.best_score_ == pytest.approx(grid.best_score_)
    ours, theirs = _by_params(search.cv_results_), _by_params(grid.cv_results_)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == pytest.approx(theirs[key])
    # the same columns as GridSearchCV (plus trial_number and state)
    assert set(grid.cv_results_) <= set(search.cv_results_)
    df = pd.DataFrame(search.cv_results_)
    assert len(df) == 4 and (df["state"] == "COMPLETE").all()
    assert search.cv_results_["params"][search.best_index_] == search.best_params_
    assert search.cv_results_["rank_test_score"][search.best_index_] == 1
    np.testing.assert_array_equal(search.predict(X), grid.predict(X))
    np.testing.assert_allclose(search.predict_proba(X), grid.predict_proba(X))
    assert search.score(X, y) == pytest.approx(grid.score(X, y))
    assert search.n_trials_ == 4 and search.n_splits_ == 3
    assert list(search.classes_) == [0, 1, 2]
    assert len(search.trials_dataframe()) == 4
    assert search.refit_time_ > 0


def test_multimetric_refit_names_the_optimised_metric(iris):
    X, y = iris
    est = KNeighborsClassifier()
    scoring = ["accuracy", "f1_macro"]
    search = _grid_search(est, GRID, cv=3, scoring=scoring, refit="f1_macro").fit(X, y)
    grid = GridSearchCV(est, GRID, cv=SHUFFLED_3, scoring=scoring, refit="f1_macro").fit(X, y)
    for metric in scoring:
        assert f"rank_test_{metric}" in search.cv_results_
        ours, theirs = _by_params(search.cv_results_, metric), _by_params(grid.cv_results_, metric)
        for key in ours:
            assert ours[key] == pytest.approx(theirs[key])
    assert search.best_score_ == pytest.approx(grid.best_score_)
    assert search.best_params_ == grid.best_params_
    assert search.multimetric_ and set(search.scorer_) == set(scoring)
    assert search.score(X, y) == pytest.approx(grid.score(X, y))


def test_multimetric_needs_refit_metric(iris):
    X, y = iris
    search = OptunaSearchCV(KNeighborsClassifier(), GRID, n_trials=1,
                            scoring={"acc": "accuracy", "f1": "f1_macro"}, refit=True)
    with pytest.raises(ValueError, match=r"'refit' must name the metric.*\['acc', 'f1'\]"):
        search.fit(X, y)


def test_refit_false_has_no_best_estimator(iris):
    X, y = iris
    search = _grid_search(KNeighborsClassifier(), GRID, cv=3, refit=False).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    assert search.best_params_
    with pytest.raises(AttributeError, match="refit=False"):
        search.predict(X)


def test_meta_estimator_checks():
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    )

    search = OptunaSearchCV(LogisticRegression(), {"C": FloatDistribution(0.1, 1.0)}, n_trials=2)
    name = type(search).__name__
    check_no_attributes_set_in_init(name, search)
    check_get_params_invariance(name, search)
    check_set_params(name, search)
    check_parameters_default_constructible(name, search)
    cloned = clone(search)
    assert cloned.get_params(deep=False).keys() == search.get_params(deep=False).keys()
    assert cloned.set_params(estimator__C=3.0).estimator.C == 3.0


def test_parameters_validated_in_fit(iris):
    X, y = iris
    search = OptunaSearchCV(KNeighborsClassifier(), GRID, n_trials=0)  # __init__ only stores
    with pytest.raises(InvalidParameterError, match="n_trials"):
        search.fit(X, y)
    with pytest.raises(ValueError, match="needs n_trials or timeout"):
        OptunaSearchCV(KNeighborsClassifier(), GRID, n_trials=None).fit(X, y)
    with pytest.raises(ValueError, match=r"Invalid parameter 'n_neighbor'.*Did you mean 'n_neighbors'\?"):
        OptunaSearchCV(KNeighborsClassifier(), {"n_neighbor": [1]}, n_trials=1).fit(X, y)
    with pytest.raises(ValueError, match="must be an Optuna distribution"):
        OptunaSearchCV(LogisticRegression(), {"C": 1.0}, n_trials=1).fit(X, y)


def test_pipeline_step_params_and_eval_set(tiny_classification):
    X, y = tiny_classification
    pipe = make_pipeline(StandardScaler(), EpochSGDClassifier(epochs=3))
    space = {"epochsgdclassifier__alpha": FloatDistribution(1e-5, 1e-1, log=True)}
    search = OptunaSearchCV(pipe, space, n_trials=3, cv=3, random_state=0,
                            pruner=optuna.pruners.MedianPruner(n_startup_trials=5)).fit(X, y)
    assert set(search.best_params_) == {"epochsgdclassifier__alpha"}
    # fold 0 was fitted with the scaled validation part as eval_set: intermediate values
    trial = search.study_.trials[0]
    assert sorted(trial.intermediate_values) == [1, 2, 3]
    assert search.best_estimator_.score(X, y) > 0.7


def test_pruning_stops_bad_trials(tiny_classification):
    X, y = tiny_classification
    est = EpochSGDClassifier(epochs=6)
    space = {"noise": [0.0, 1.0], "alpha": FloatDistribution(1e-5, 1e-3, log=True)}
    # the first trials (random) include both kinds; then a good one is the baseline
    study_pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    sampler = optuna.samplers.RandomSampler(seed=1)
    search = OptunaSearchCV(est, space, n_trials=10, cv=3, sampler=sampler,
                            pruner=study_pruner).fit(X, y)
    states = search.cv_results_["state"]
    pruned = [t for t in search.study_.trials if t.state == optuna.trial.TrialState.PRUNED]
    assert pruned, "no trial was pruned"
    for t in pruned:
        assert t.params["noise"] == 1.0
        assert 1 <= t.user_attrs["pruned_at_epoch"] < 6
        assert max(t.intermediate_values) == t.user_attrs["pruned_at_epoch"]
    assert np.isnan(search.cv_results_["mean_test_score"][states == "PRUNED"]).all()
    assert search.best_params_["noise"] == 0.0
    assert search.n_trials_ == 10  # pruned trials count toward n_trials


def test_diverging_trial_is_failed_and_search_goes_on(tiny_classification):
    X, y = tiny_classification
    space = {"diverge": [False, True]}
    sampler = optuna.samplers.GridSampler(space, seed=0)
    search = OptunaSearchCV(EpochSGDClassifier(epochs=3), space, n_trials=2, cv=2,
                            sampler=sampler)
    with pytest.warns(FitFailedWarning, match="1 of 2 trials failed"):
        search.fit(X, y)
    failed = [t for t in search.study_.trials if t.state == optuna.trial.TrialState.FAIL]
    assert len(failed) == 1
    assert failed[0].user_attrs["fail_reason"].startswith("TrainingDivergedError: loss became NaN")
    assert search.best_params_ == {"diverge": False}
    idx = list(search.cv_results_["state"]).index("FAIL")
    assert np.isnan(search.cv_results_["split0_test_score"][idx])
    assert search.cv_results_["rank_test_score"][idx] == 2


def test_nan_scores_are_failures_with_error_score(tiny_classification):
    X, y = tiny_classification
    space = {"bad": [False, True]}
    search = OptunaSearchCV(NaNScoreClassifier(), space, n_trials=2, cv=2,
                            error_score=-99.0,
                            sampler=optuna.samplers.GridSampler(space, seed=0))
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    idx = list(search.cv_results_["state"]).index("FAIL")
    assert search.cv_results_["mean_test_score"][idx] == -99.0
    assert "non-finite test score" in search.study_.trials[
        search.cv_results_["trial_number"][idx]].user_attrs["fail_reason"]


def test_error_score_raise(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), {"fail": ["value"]}, n_trials=2,
                            cv=2, error_score="raise")
    with pytest.raises(ValueError, match="always fails"):
        search.fit(X, y)


def test_all_trials_failing_gives_one_clear_error(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), {"fail": ["value"]}, n_trials=3, cv=2)
    with pytest.raises(ValueError, match=re.compile(
            r"All 3 trials failed.*trial 0: ValueError: this configuration always fails",
            re.S)):
        search.fit(X, y)


def test_keyboard_interrupt_keeps_finished_trials(tiny_classification, tmp_path):
    X, y = tiny_classification
    space = {"fail": [None, "keyboard"]}
    storage = str(tmp_path / "s.log")
    # trial 0 completes, trial 1 is interrupted by Ctrl-C
    study = optuna.create_study(storage=get_storage(storage), study_name="s",
                                direction="maximize")
    study.enqueue_trial({"fail": None})
    study.enqueue_trial({"fail": "keyboard"})
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), space, n_trials=4, cv=2,
                            storage=storage, study_name="s", load_if_exists=True)
    with pytest.warns(TrainingInterruptedWarning, match="load_if_exists=True"):
        search.fit(X, y)
    assert search.interrupted_
    assert search.n_trials_ == 1 and search.best_params_ == {"fail": None}
    assert hasattr(search, "best_estimator_")
    states = [t.state for t in optuna.load_study(study_name="s", storage=get_storage(storage)).trials]
    assert states == [optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL]


def test_keyboard_interrupt_before_any_trial_reraises(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), {"fail": ["keyboard"]}, n_trials=2,
                            cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingInterruptedWarning)
        with pytest.raises(KeyboardInterrupt):
            search.fit(X, y)


def test_verbose_zero_prints_nothing_and_verbose_one_shows_progress(iris, capfd):
    X, y = iris
    _grid_search(KNeighborsClassifier(), GRID, cv=2).fit(X, y)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    _grid_search(KNeighborsClassifier(), GRID, cv=2, verbose=1).fit(X, y)
    out, err = capfd.readouterr()
    assert "4/4" in err and "best=" in err and "pruned=0" in err and "failed=0" in err


def test_timeout_alone_stops(iris):
    X, y = iris
    search = OptunaSearchCV(KNeighborsClassifier(), {"n_neighbors": IntDistribution(1, 30)},
                            n_trials=None, timeout=1.0, cv=2, random_state=0).fit(X, y)
    assert search.n_trials_ >= 1


def test_fold_epochs_are_recorded_only_when_they_are_one_number(iris):
    """sklearn's LogisticRegression has a per-class n_iter_ array: recorded as NaN, no crash."""
    X, y = iris
    grid = {"C": [1.0]}
    search = _grid_search(LogisticRegression(max_iter=300), grid, cv=3).fit(X, y)
    trial = search.study_.trials[0]
    assert np.isnan(trial.user_attrs["fold_epochs"]).all()
    assert np.isnan(trial.user_attrs["fold_best_epoch"]).all()
    from sklearn.linear_model import SGDClassifier

    search = _grid_search(SGDClassifier(max_iter=4, tol=None, random_state=0), {"alpha": [1e-4]},
                          cv=3).fit(X, y)
    assert search.study_.trials[0].user_attrs["fold_epochs"] == [4.0, 4.0, 4.0]  # an int n_iter_
