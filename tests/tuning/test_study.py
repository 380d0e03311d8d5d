"""Public study opening (direction, fingerprint), trial counts and refit callbacks."""

import optuna
import pytest
from optuna.distributions import FloatDistribution
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skdl_tuning_fakes import EpochSGDClassifier

from skdl.tuning import (
    OptunaSearchCV,
    StudyMismatchError,
    get_storage,
    open_study,
    trial_counts,
)

SPACE = {"alpha": FloatDistribution(1e-5, 1e-2, log=True)}


def test_open_study_creates_then_resumes_with_the_same_fingerprint(tmp_path):
    storage = str(tmp_path / "s.db")
    mark = {"data": "iris", "cv": 3, "fixed": ("a=1",)}
    study = open_study(storage, "s", fingerprint=mark)
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    assert study.user_attrs["skdl_fingerprint"] == {"data": "iris", "cv": 3, "fixed": ["a=1"]}
    study.enqueue_trial({"x": 1.0})
    again = open_study(storage, "s", fingerprint=mark)  # tuples come back as lists: still equal
    assert again.study_name == "s" and len(again.trials) == 1
    # a new key is not a mismatch, and a study without a fingerprint adopts one
    open_study(storage, "s", fingerprint={**mark, "new": 1})
    open_study(storage, "plain")
    assert open_study(storage, "plain", fingerprint=mark).user_attrs["skdl_fingerprint"]["cv"] == 3


def test_open_study_names_every_changed_setting(tmp_path):
    storage = str(tmp_path / "s.log")
    open_study(storage, "s", fingerprint={"data": "iris", "cv": 3, "seed": 0},
               fingerprint_key="cli")
    with pytest.raises(StudyMismatchError, match=r"cv was 3, now 5; seed was 0, now 1") as info:
        open_study(storage, "s", fingerprint={"data": "iris", "cv": 5, "seed": 1},
                   fingerprint_key="cli")
    assert info.value.differences == {"cv": (3, 5), "seed": (0, 1)}
    assert info.value.study_name == "s" and isinstance(info.value, ValueError)


def test_open_study_refuses_minimising_and_existing_studies(tmp_path):
    storage = get_storage(str(tmp_path / "s.db"))
    optuna.create_study(storage=storage, study_name="min", direction="minimize")
    with pytest.raises(ValueError, match="'min' minimises"):
        open_study(storage, "min")
    open_study(storage, "max")
    with pytest.raises(ValueError, match="already exists.*load_if_exists=True"):
        open_study(storage, "max", load_if_exists=False)


def test_trial_counts_by_state(tiny_classification):
    X, y = tiny_classification
    storage = get_storage(None)
    study = open_study(storage, "c")
    space = {"fail": [None, "value"]}
    study.enqueue_trial({"fail": None})
    study.enqueue_trial({"fail": "value"})
    assert trial_counts(study) == {"counted": 0, "complete": 0, "pruned": 0, "failed": 0,
                                   "running": 0, "total": 2}  # two waiting trials
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), space, n_trials=2, cv=2,
                            storage=storage, study_name="c", load_if_exists=True)
    with pytest.warns(Warning, match="1 of 2 trials failed"):
        search.fit(X, y)
    assert trial_counts(search.study_) == {"counted": 2, "complete": 1, "pruned": 0, "failed": 1,
                                           "running": 0, "total": 2}
    assert trial_counts(search.study_.trials)["failed"] == 1


class _Epochs:
    def __init__(self):
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(epoch)


def test_refit_callbacks_see_the_refit_only(tiny_classification):
    X, y = tiny_classification
    bar = _Epochs()
    pipe = make_pipeline(StandardScaler(), EpochSGDClassifier(epochs=3))
    search = OptunaSearchCV(pipe, {"epochsgdclassifier__alpha": SPACE["alpha"]}, n_trials=2,
                            cv=2, random_state=0).fit(X, y, refit_callbacks=[bar])
    assert bar.seen == [0, 1, 2]  # three epochs of one fit: the refit, not the 4 fold fits
    assert search.best_estimator_[-1].history_["loss"]
    assert search.best_estimator_.score(X, y) > 0.7


def test_refit_best_after_a_refit_false_search(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=2, cv=2,
                            refit=False, random_state=0).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    bar = _Epochs()
    search.refit_best(X, y, callbacks=[bar])
    assert bar.seen == [0, 1] and search.refit_time_ > 0
    assert search.best_estimator_.alpha == search.best_params_["alpha"]
    assert search.predict(X).shape == (len(X),)


def test_refit_callbacks_errors(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=1, cv=2, refit=False)
    with pytest.raises(ValueError, match="refit=False"):
        search.fit(X, y, refit_callbacks=[_Epochs()])
    lr = OptunaSearchCV(LogisticRegression(), {"C": FloatDistribution(0.1, 1.0)}, n_trials=1,
                        cv=2)
    with pytest.raises(ValueError, match="LogisticRegression does not"):
        lr.fit(X, y, refit_callbacks=[_Epochs()])
    with pytest.raises(ValueError, match="must be a list"):
        search.set_params(refit=True).fit(X, y, refit_callbacks=_Epochs())
