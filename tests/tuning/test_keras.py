"""skdl's own Keras estimators under OptunaSearchCV and under scikit-learn's searches."""

import warnings

import numpy as np
import optuna
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.tuning import OptunaSearchCV, default_space, sample_params

try:
    from skdl import MLPClassifier
except Exception as exc:  # estimators not importable (Keras backend missing)
    pytest.skip(f"skdl.MLPClassifier is not importable: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=80, n_features=6, n_informative=4, n_redundant=0,
                               class_sep=2.0, random_state=0)
    return X.astype("float32"), y


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning for 5-epoch fits
        yield


def _pipe(**kw):
    return make_pipeline(StandardScaler(),
                         MLPClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=0, **kw))


def test_optuna_search_prunes_mlp_per_epoch(data):
    X, y = data
    # epochs is tuned: a step is "epochs trained on fold 0", comparable across trials.
    # The pruner prunes every trial that reaches epoch 3 (accuracy is below 2), so
    # the 5-epoch trial is pruned at epoch 3 and the 2-epoch trial completes.
    space = {"mlpclassifier__epochs": [2, 5]}
    sampler = optuna.samplers.GridSampler(space, seed=0)
    pruner = optuna.pruners.ThresholdPruner(lower=2.0, n_warmup_steps=3)
    search = OptunaSearchCV(_pipe(learning_rate=0.05), space, n_trials=2, cv=2,
                            sampler=sampler, pruner=pruner, random_state=0).fit(X, y)
    trials = {t.params["mlpclassifier__epochs"]: t for t in search.study_.trials}
    done, pruned = trials[2], trials[5]
    assert done.state == optuna.trial.TrialState.COMPLETE
    assert sorted(done.intermediate_values) == [1, 2]  # fold 0's eval_accuracy per epoch
    assert all(0.0 <= v <= 1.0 for v in done.intermediate_values.values())
    assert pruned.state == optuna.trial.TrialState.PRUNED
    assert pruned.user_attrs["pruned_at_epoch"] == 3
    assert sorted(pruned.intermediate_values) == [1, 2, 3]
    assert search.best_params_ == {"mlpclassifier__epochs": 2}
    assert search.best_estimator_[-1].history_["loss"]  # refit on all data
    assert search.predict(X).shape == (len(X),)


def test_default_space_params_fit_the_real_estimator(data):
    X, y = data
    est = MLPClassifier(epochs=1, random_state=0)
    space = default_space(est)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(8):  # until the sgd branch (with its conditional momentum) shows up
        params = sample_params(study.ask(), space)
        if params["optimizer"] == "sgd":
            break
    params["batch_size"] = 32
    est.set_params(**params).fit(X, y)
    assert est.predict(X).shape == (len(X),)


def test_sklearn_grid_and_randomized_search(data):
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    X, y = data
    grid = GridSearchCV(_pipe(), {"mlpclassifier__hidden_layer_sizes": [(4,), (8,)]},
                        cv=2).fit(X, y)
    assert grid.best_params_["mlpclassifier__hidden_layer_sizes"] in [(4,), (8,)]
    rand = RandomizedSearchCV(_pipe(), {"mlpclassifier__learning_rate": [1e-3, 1e-2]}, n_iter=2,
                              cv=2, random_state=0).fit(X, y)
    assert len(rand.cv_results_["params"]) == 2


def test_sklearn_halving_search_with_epochs_as_resource(data):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    X, y = data
    search = HalvingRandomSearchCV(
        _pipe(), {"mlpclassifier__learning_rate": [1e-4, 1e-2]},
        resource="mlpclassifier__epochs", min_resources=2, max_resources=4, factor=2,
        n_candidates=2, cv=2, random_state=0,
    ).fit(X, y)
    assert list(search.n_resources_) == [2, 4]
    assert search.best_estimator_[-1].epochs == 4
    assert np.isfinite(search.best_score_)


def _length_search(data, refit_length, early_stopping=(True,)):
    X, y = data
    grid = {"mlpclassifier__early_stopping": list(early_stopping)}
    est = make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(8,), epochs=12, patience=2, validation_fraction=0.4,
        learning_rate=0.05, random_state=0))
    return OptunaSearchCV(est, grid, n_trials=len(early_stopping), cv=2, random_state=0,
                          sampler=optuna.samplers.GridSampler(grid, seed=0),
                          refit_length=refit_length).fit(X, y)


def test_trials_record_each_folds_epochs_and_best_epoch(data):
    search = _length_search(data, "own", early_stopping=(True, False))
    for trial in search.study_.trials:
        epochs, best = trial.user_attrs["fold_epochs"], trial.user_attrs["fold_best_epoch"]
        assert len(epochs) == len(best) == 2 and all(1 <= e <= 12 for e in epochs)
        if trial.params["mlpclassifier__early_stopping"]:
            assert all(0 <= b < e for b, e in zip(best, epochs))
        else:
            assert all(np.isnan(best))


def test_refit_length_folds_trains_the_folds_median_best_epoch_on_all_rows(data):
    own = _length_search(data, "own")
    assert own.refit_params_ == [own.best_params_]
    assert own.best_estimator_[-1].early_stopping  # stopped again on its own split

    folds = _length_search(data, "folds")
    best = folds.best_trial_.user_attrs["fold_best_epoch"]
    expected = int(round(float(np.median(best)))) + 1
    assert folds.refit_params_ == [{"mlpclassifier__early_stopping": False,
                                    "mlpclassifier__epochs": expected}]
    final = folds.best_estimator_[-1]
    assert not final.early_stopping and final.n_iter_ == expected
    assert folds.best_params_ == {"mlpclassifier__early_stopping": True}  # the trial's, as searched


def test_refit_length_folds_leaves_trials_without_early_stopping_alone(data):
    search = _length_search(data, "folds", early_stopping=(False,))
    assert search.refit_params_ == [search.best_params_]


def test_fold_length_params_needs_a_best_epoch_per_fold():
    from types import SimpleNamespace

    from skdl.tuning._search import fold_length_params

    est = _pipe(early_stopping=True)
    params = {"mlpclassifier__learning_rate": 0.01}
    assert fold_length_params(est, params, SimpleNamespace(user_attrs={}), 3) == params  # older study
    partial = SimpleNamespace(user_attrs={"fold_best_epoch": [4, float("nan"), 6]})
    assert fold_length_params(est, params, partial, 3) == params
    full = SimpleNamespace(user_attrs={"fold_best_epoch": [4, 9, 6]})
    assert fold_length_params(est, params, full, 3) == {
        **params, "mlpclassifier__early_stopping": False, "mlpclassifier__epochs": 7}
    assert fold_length_params(_pipe(), params, full, 3) == params  # no early stopping
