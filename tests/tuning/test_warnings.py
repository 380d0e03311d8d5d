"""A quiet Python route: fold warnings gathered into one warning per search."""

import warnings

import pytest
from optuna.distributions import FloatDistribution
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier
from skdl_tuning_fakes import WarningClassifier

from skdl.tuning import OptunaSearchCV

SPACE = {"c": FloatDistribution(0.1, 10.0)}


def _fit(search, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        search.fit(X, y)
    return caught


def test_fold_warnings_become_one_warning_per_search(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(WarningClassifier(n_warnings=2), SPACE, n_trials=3, cv=2,
                            random_state=0)
    caught = _fit(search, X, y)
    # 3 trials x 2 folds x 2 warnings gathered into one; the refit warns as a normal fit
    summary = [w for w in caught if "trials raised" in str(w.message)]
    assert len(summary) == 1 and summary[0].category is ConvergenceWarning
    msg = str(summary[0].message)
    assert "3 of 3 trials raised 12 warnings" in msg
    assert "The first, in trial 0: ConvergenceWarning: not converged" in msg
    assert summary[0].filename == __file__  # points at the caller's fit
    assert len(caught) == 1 + 2  # the summary and the refit's two warnings
    assert [t.user_attrs["fold_warnings"] for t in search.study_.trials] == [4, 4, 4]


def test_user_filters_still_decide(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(WarningClassifier(), SPACE, n_trials=2, cv=2, refit=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert caught == []
    assert "fold_warnings" not in search.study_.trials[0].user_attrs
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a warning as error fails the trial
        with pytest.raises(ValueError, match="(?s)All 2 trials failed.*ConvergenceWarning"):
            OptunaSearchCV(WarningClassifier(), SPACE, n_trials=2, cv=2).fit(X, y)


def test_no_warning_without_fold_warnings(iris):
    X, y = iris
    search = OptunaSearchCV(KNeighborsClassifier(), {"n_neighbors": [3, 5]}, n_trials=2, cv=2)
    assert _fit(search, X, y) == []


def test_a_resumed_search_reports_only_its_own_trials(tiny_classification, tmp_path):
    X, y = tiny_classification
    kwargs = dict(cv=2, refit=False, storage=str(tmp_path / "s.log"), study_name="s",
                  load_if_exists=True, random_state=0)
    _fit(OptunaSearchCV(WarningClassifier(), SPACE, n_trials=2, **kwargs), X, y)
    caught = _fit(OptunaSearchCV(WarningClassifier(), SPACE, n_trials=3, **kwargs), X, y)
    assert len(caught) == 1 and "1 of 1 trials raised 2 warnings" in str(caught[0].message)
    assert _fit(OptunaSearchCV(WarningClassifier(), SPACE, n_trials=3, **kwargs), X, y) == []


def test_worker_processes_report_their_warnings(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(WarningClassifier(), SPACE, n_trials=2, cv=2, n_jobs=2,
                            refit=False, random_state=0)
    caught = _fit(search, X, y)
    assert len(caught) == 1 and "2 of 2 trials raised 4 warnings" in str(caught[0].message)
    assert caught[0].category is ConvergenceWarning


def test_default_is_silent_and_verbose_one_shows_trials_and_best(tiny_classification, capfd):
    X, y = tiny_classification
    kwargs = dict(n_trials=3, cv=2, refit=False, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        OptunaSearchCV(WarningClassifier(), SPACE, **kwargs).fit(X, y)
        out, err = capfd.readouterr()
        assert out == "" and err == ""
        assert len(caught) == 1  # the one summary, nothing per fold
        OptunaSearchCV(WarningClassifier(), SPACE, verbose=1, **kwargs).fit(X, y)
    out, err = capfd.readouterr()
    assert out == ""
    assert "OptunaSearchCV" in err and "3/3" in err and "best=" in err
