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
