"""Search quality: shuffled folds for an integer cv, the estimator's defaults as trial 0."""

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution, IntDistribution
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from skdl_tuning_fakes import EpochSGDClassifier

from skdl.tuning import Choice, Conditional, LayerSpace, OptunaSearchCV, default_space, get_storage
from skdl.tuning._objective import make_cv
from skdl.tuning._spaces import decode_params, encode_params


def _folds(cv, X, y):
    return [tuple(test) for _, test in cv.split(X, y)]


def test_integer_cv_gives_shuffled_stratified_seeded_folds(iris):
    X, y = iris  # sorted by class
    cv = make_cv(3, y, classifier=True, random_state=7)
    assert isinstance(cv, StratifiedKFold) and cv.shuffle and cv.random_state == 7
    folds = _folds(cv, X, y)
    assert folds != _folds(KFold(3), X, y) and folds != _folds(StratifiedKFold(3), X, y)
    for test in folds:  # stratified: every class in every test fold, 16 or 17 of each
        assert set(np.bincount(y[list(test)])) <= {16, 17}
    assert folds == _folds(make_cv(3, y, classifier=True, random_state=7), X, y)
    assert folds != _folds(make_cv(3, y, classifier=True, random_state=8), X, y)
    assert make_cv(None, y, classifier=True, random_state=None).get_n_splits() == 5
    assert make_cv(None, y, classifier=True, random_state=None).random_state == 0
    reg = make_cv(4, y.astype(float) + 0.5, classifier=False, random_state=1)
    assert type(reg) is KFold and reg.shuffle and reg.n_splits == 4
    given = KFold(3)
    assert make_cv(given, y, classifier=True, random_state=0) is given


def test_search_uses_the_shuffled_folds_and_explicit_splitters_as_given(iris):
    X, y = iris
    grid = {"n_neighbors": [1, 9, 30]}
    for cv, theirs in [(3, StratifiedKFold(3, shuffle=True, random_state=5)),
                       (KFold(3), KFold(3))]:
        ours = OptunaSearchCV(KNeighborsClassifier(), grid, n_trials=3, cv=cv, random_state=5,
                              sampler=optuna.samplers.GridSampler(grid, seed=0)).fit(X, y)
        ref = GridSearchCV(KNeighborsClassifier(), grid, cv=theirs).fit(X, y)
        ours_by = dict(zip([p["n_neighbors"] for p in ours.cv_results_["params"]],
                           ours.cv_results_["split0_test_score"]))
        for p, s in zip(ref.cv_results_["params"], ref.cv_results_["split0_test_score"]):
            assert ours_by[p["n_neighbors"]] == pytest.approx(s)
    # on class-sorted rows unshuffled KFold(3) tests on classes never trained on
    assert ref.best_score_ == 0.0 and ours.best_score_ == 0.0


def test_trial_0_is_the_estimators_configuration(tiny_classification):
    X, y = tiny_classification
    est = EpochSGDClassifier(epochs=3, alpha=3e-4, noise=0.0)
    space = {"noise": [0.0, 0.5, 1.0], "alpha": FloatDistribution(1e-5, 1e-2, log=True)}
    search = OptunaSearchCV(est, space, n_trials=4, cv=2, random_state=0).fit(X, y)
    res = search.cv_results_
    assert res["trial_number"][0] == 0
    assert res["params"][0] == {"noise": 0.0, "alpha": 3e-4}
    trial0 = search.study_.trials[0]
    assert trial0.user_attrs["estimator_defaults"] is True
    assert "defaults_outside_space" not in trial0.user_attrs
    assert search.best_score_ >= res["mean_test_score"][0]
    assert search.n_trials_ == 4  # trial 0 is one of the n_trials


def test_values_outside_the_space_are_sampled_and_said(tiny_classification, capsys):
    X, y = tiny_classification
    est = EpochSGDClassifier(epochs=2, alpha=0.5, noise=0.0)  # alpha outside the range
    space = {"noise": [0.0, 1.0], "alpha": FloatDistribution(1e-5, 1e-2, log=True)}
    search = OptunaSearchCV(est, space, n_trials=2, cv=2, random_state=0, verbose=1).fit(X, y)
    trial0 = search.study_.trials[0]
    assert trial0.params["noise"] == 0.0 and 1e-5 <= trial0.params["alpha"] <= 1e-2
    assert trial0.user_attrs["defaults_outside_space"] == "alpha: 0.5 is not a number in [1e-05, 0.01]"
    err = capsys.readouterr().err
    assert "trial 0 is the estimator's configuration except for alpha (0.5 is not a number" in err
    # nothing inside the space: nothing enqueued
    none = OptunaSearchCV(EpochSGDClassifier(epochs=2, noise=0.3), {"noise": [0.0, 1.0]},
                          n_trials=1, cv=2).fit(X, y)
    assert "estimator_defaults" not in none.study_.trials[0].user_attrs


def test_defaults_are_enqueued_once(tiny_classification, tmp_path):
    X, y = tiny_classification
    space = {"alpha": FloatDistribution(1e-5, 1e-2, log=True)}
    kwargs = dict(cv=2, refit=False, storage=str(tmp_path / "s.log"), study_name="s",
                  load_if_exists=True)
    OptunaSearchCV(EpochSGDClassifier(epochs=2), space, n_trials=2, **kwargs).fit(X, y)
    again = OptunaSearchCV(EpochSGDClassifier(epochs=2), space, n_trials=4, **kwargs).fit(X, y)
    flagged = [t.number for t in again.study_.trials if t.user_attrs.get("estimator_defaults")]
    assert flagged == [0]
    # two processes enqueueing at once: the second copy is surplus, not counted
    storage = get_storage(None)
    study = optuna.create_study(storage=storage, direction="maximize")
    for _ in range(2):
        study.enqueue_trial({"alpha": 1e-4}, user_attrs={"estimator_defaults": True})
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), space, n_trials=3, cv=2, refit=False,
                            storage=storage, study_name=study.study_name,
                            load_if_exists=True).fit(X, y)
    states = [t.state.name for t in search.study_.trials]
    assert states[:2] == ["COMPLETE", "FAIL"] and search.n_trials_ == 3
    assert search.study_.trials[1].user_attrs["skdl_surplus"] is True


def test_grid_samplers_get_no_extra_trial(iris):
    X, y = iris
    grid = {"n_neighbors": [1, 5]}  # the default 5 is a grid point: still only two trials
    search = OptunaSearchCV(KNeighborsClassifier(), grid, n_trials=5, cv=2,
                            sampler=optuna.samplers.GridSampler(grid, seed=0)).fit(X, y)
    assert search.n_trials_ == 2
    assert not any("estimator_defaults" in t.user_attrs for t in search.study_.trials)


@pytest.mark.parametrize(
    ("values", "space"),
    [
        ({"h": (64, 32), "act": "relu"},
         {"h": LayerSpace((1, 3), (16, 128), order="non-increasing"), "act": ["relu", "tanh"]}),
        ({"h": (16,), "k": 3}, {"h": Choice([(16,), (32, 16)]), "k": IntDistribution(1, 9, step=2)}),
        ({"opt": "sgd", "opt__momentum": 0.9},
         {"opt": ["adam", "sgd"], "opt__momentum": Conditional(FloatDistribution(0.0, 0.99),
                                                              on="opt", values=["sgd"])}),
        ({"opt": "adam", "opt__momentum": 0.9},
         {"opt": ["adam", "sgd"], "opt__momentum": Conditional(FloatDistribution(0.0, 0.99),
                                                              on="opt", values=["sgd"])}),
    ],
)
def test_encode_is_the_inverse_of_decode(values, space):
    stored, outside = encode_params(values, space)
    assert outside == {}
    decoded = decode_params(stored, space)
    assert decoded == {k: v for k, v in values.items() if k in decoded}
    if values.get("opt") == "adam":
        assert "opt__momentum" not in stored  # inactive: nothing stored


def test_encode_says_why_a_value_is_outside():
    space = {"h": LayerSpace((1, 2), (16, 128), order="non-increasing"), "k": [1, 2],
             "b": [True, False], "r": FloatDistribution(0.0, 1.0)}
    _, outside = encode_params({"h": (32, 64), "k": 1.5, "b": 1, "r": True}, space)
    assert outside["h"] == "(32, 64): layer 1 has 64 units, outside [16, 32], order='non-increasing'"
    assert outside["k"] == "1.5 is not one of [1, 2]"
    assert outside["b"] == "1 is not one of [True, False]"
    assert outside["r"] == "True is not a number in [0, 1]"
    _, missing = encode_params({}, {"x": [1]})
    assert missing == {"x": "not a parameter of the estimator"}


def test_the_default_space_holds_the_mlp_estimators_own_defaults():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skdl import MLPClassifier, MLPRegressor

    for est in (MLPClassifier(), make_pipeline(StandardScaler(), MLPRegressor())):
        space = default_space(est)
        values = {k: v for k, v in est.get_params().items() if k in space}
        _, outside = encode_params(values, space)
        assert outside == {}  # so trial 0 is exactly the configuration the user started from


# --------------------------------------------------- keeping the defaults (defaults_margin)
def _results(means, best_folds, best, state=None):
    """A cv_results_-shaped dict whose row ``best`` has the folds ``best_folds``."""
    n = len(means)
    res = {"mean_test_score": np.array(means, dtype=float),
           "state": np.array(state or ["COMPLETE"] * n),
           "rank_test_score": np.zeros(n, dtype=int)}
    for k, fold in enumerate(best_folds):
        col = np.array(means, dtype=float)
        col[best] = fold
        res[f"split{k}_test_score"] = col
    return res


def test_select_index_keeps_the_defaults_within_margin_standard_errors():
    from skdl.tuning._results import select_index

    # trial 1 beats trial 0 by 0.03; its folds 0.80/0.83/0.86 give SE = 0.03 / sqrt(3) = 0.0173
    res = _results([0.80, 0.83, 0.70], [0.80, 0.83, 0.86], best=1)
    assert select_index(res, "score", defaults=0, margin=0.0) == 1  # 0: the highest, as GridSearchCV
    assert select_index(res, "score", defaults=0, margin=1.0) == 1  # 0.03 > 1 SE
    assert select_index(res, "score", defaults=0, margin=1.7) == 1  # 0.03 > 1.7 * 0.01732 = 0.0294
    assert select_index(res, "score", defaults=0, margin=1.75) == 0  # 0.03 <= 0.0303
    assert select_index(res, "score", defaults=0, margin=2.0) == 0
    assert select_index(res, "score", defaults=None, margin=2.0) == 1  # no defaults trial
    assert select_index(res, "score", defaults=2, margin=2.0) == 1  # another trial is not kept
    # a failed or pruned defaults row is never kept
    failed = _results([0.80, 0.83, 0.70], [0.80, 0.83, 0.86], best=1,
                      state=["FAIL", "COMPLETE", "COMPLETE"])
    assert select_index(failed, "score", defaults=0, margin=5.0) == 1
    pruned = _results([np.nan, 0.83, 0.70], [0.80, 0.83, 0.86], best=1)
    assert select_index(pruned, "score", defaults=0, margin=5.0) == 1
    # identical folds: SE 0, so only a tie keeps the defaults
    flat = _results([0.82, 0.83], [0.83, 0.83, 0.83], best=1)
    assert select_index(flat, "score", defaults=0, margin=100.0) == 1


def test_search_refits_the_defaults_unless_the_best_beats_them_clearly(tiny_classification):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = tiny_classification
    est = EpochSGDClassifier(epochs=3, alpha=3e-4, noise=0.5)  # poor defaults: half the labels random
    space = {"noise": [0.0, 0.5], "alpha": FloatDistribution(1e-5, 1e-2, log=True)}

    def search(**kw):
        return OptunaSearchCV(est, space, n_trials=5, cv=3, random_state=0, **kw).fit(X, y)

    plain, keep = search(defaults_margin=0), search(defaults_margin=1e6)
    means = plain.cv_results_["mean_test_score"]
    top = int(np.argmax(means))
    assert top != 0 and means[top] > means[0]  # the search found better than the defaults
    assert np.allclose(means, keep.cv_results_["mean_test_score"])  # the same trials
    assert plain.best_index_ == top and plain.best_score_ == means[top]
    # a huge margin keeps trial 0 and refits exactly the estimator's configuration
    assert keep.best_index_ == 0 and keep.best_trial_.number == 0
    assert keep.best_score_ == pytest.approx(means[0])
    assert keep.best_params_ == {"noise": 0.5, "alpha": 3e-4}
    assert keep.best_estimator_.noise == 0.5 and keep.best_estimator_.alpha == 3e-4
    # the default margin (1 SE) lets a clear winner through
    assert search().best_index_ == top
    # an ensemble refits the k highest scores whatever the margin
    ens = search(defaults_margin=1e6, refit_ensemble=2)
    assert ens.best_index_ == top and ens.ensemble_indices_[0] == top
    with pytest.raises(InvalidParameterError, match=r"'defaults_margin' parameter of "
                       r"OptunaSearchCV must be a float in the range \[0.0, inf\). Got -1 instead"):
        search(defaults_margin=-1)
