"""Storages: one normalising function, resume after a kill, sharing between processes."""

import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.storages import InMemoryStorage, JournalStorage, RDBStorage
from optuna.trial import TrialState
from skdl_tuning_fakes import EpochSGDClassifier

from skdl.tuning import OptunaSearchCV, get_storage
from skdl.tuning._storage import UNTAGGED_GRACE, WORKER, fail_dead_local_trials, is_counted

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "search_script.py")
SPACE = {"alpha": FloatDistribution(1e-5, 1e-1, log=True)}


@pytest.fixture(params=["journal.log", "study.db", "sqlite-url"])
def storage_spec(request, tmp_path):
    if request.param == "sqlite-url":
        return f"sqlite:///{tmp_path / 'url.db'}"
    return str(tmp_path / request.param)


def test_get_storage_conformance(storage_spec):
    """Every persistent spec keeps a told trial for a later, separate get_storage."""
    storage = get_storage(storage_spec)
    assert isinstance(storage, (RDBStorage, JournalStorage))
    study = optuna.create_study(storage=storage, study_name="s", direction="maximize")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    again = optuna.load_study(study_name="s", storage=get_storage(storage_spec))
    assert [t.params for t in again.trials] == [t.params for t in study.trials]


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_get_storage_other_values(tmp_path):
    assert isinstance(get_storage(None), InMemoryStorage)
    memory = InMemoryStorage()
    assert get_storage(memory) is memory
    assert isinstance(get_storage(tmp_path / "p.jsonl"), JournalStorage)  # path-like
    hb = get_storage(str(tmp_path / "hb.db"), heartbeat_interval=5)
    assert hb.heartbeat_interval == 5
    with pytest.raises(ValueError, match=r"journal storage has no heartbeat"):
        get_storage(str(tmp_path / "x.log"), heartbeat_interval=5)
    with pytest.raises(ValueError, match=r"must be a database URL .* Got 'study.txt'"):
        get_storage("study.txt")


def _counted(storage_spec):
    study = optuna.load_study(study_name="shared", storage=get_storage(storage_spec))
    return [t for t in study.trials if is_counted(t)], study


def test_resume_continues_to_n_trials_in_total(tiny_classification, tmp_path):
    X, y = tiny_classification
    storage = str(tmp_path / "resume.db")
    kwargs = dict(cv=2, storage=storage, study_name="shared", random_state=0)
    first = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=3, **kwargs).fit(X, y)
    assert first.n_trials_ == 3
    with pytest.raises(ValueError, match="already exists.*load_if_exists=True"):
        OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=5, **kwargs).fit(X, y)
    second = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=5,
                            load_if_exists=True, **kwargs).fit(X, y)
    assert second.n_trials_ == 5 and len(second.cv_results_["params"]) == 5
    assert second.best_score_ >= first.best_score_
    # n_trials already reached: nothing new is run, results are still there
    third = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=4,
                           load_if_exists=True, **kwargs).fit(X, y)
    assert len(third.study_.trials) == 5


def test_killed_search_resumes_without_losing_trials(tiny_classification, tmp_path, child_env):
    X, y = tiny_classification
    storage = str(tmp_path / "killed.db")
    proc = subprocess.Popen([sys.executable, SCRIPT, storage, "8", "0.15", "0"], env=child_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 90
        finished = []
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
            try:
                finished, _ = _counted(storage)
            except KeyError:  # the child has not created the study yet
                continue
            if len(finished) >= 3:
                break
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    before, study = _counted(storage)
    assert 3 <= len(before) < 8
    if [t for t in study.trials if t.state == TrialState.RUNNING and WORKER not in t.user_attrs]:
        # the kill came between the trial's creation and its worker tag: such a
        # trial is failed once it is UNTAGGED_GRACE seconds old (see the test below)
        time.sleep(UNTAGGED_GRACE + 0.5)
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=8, cv=2,
                            storage=storage, study_name="shared", load_if_exists=True,
                            random_state=1).fit(X, y)
    after, study = _counted(storage)
    assert search.n_trials_ == 8 and len(after) == 8
    kept = {t.number: (t.params, t.value) for t in after}
    for t in before:
        assert kept[t.number] == (t.params, t.value)
    # the trial the kill left RUNNING was failed (not counted) rather than left hanging
    assert not [t for t in study.trials if t.state == TrialState.RUNNING]


def test_two_processes_share_one_study(tmp_path, child_env):
    # the journal file here; SQLite is shared by the killed/resumed processes below
    storage = str(tmp_path / "shared.log")
    # create the study first so both processes load it
    optuna.create_study(storage=get_storage(storage), study_name="shared", direction="maximize")
    procs = [
        subprocess.Popen([sys.executable, SCRIPT, storage, "6", "0.1", str(seed)], env=child_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for seed in (0, 1)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
    counted, study = _counted(storage)
    assert len(counted) == 6
    assert len({t.number for t in counted}) == 6
    assert len({t.params["alpha"] for t in counted}) == 6  # no duplicated candidate
    assert not [t for t in study.trials if t.state == TrialState.RUNNING]


def test_n_jobs_runs_trials_in_worker_processes(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=4, cv=2, n_jobs=2,
                            random_state=0).fit(X, y)
    assert search.n_trials_ == 4 and len(search.cv_results_["params"]) == 4
    workers = {t.user_attrs["skdl_worker"] for t in search.study_.trials}
    assert f":{os.getpid()}" not in "".join(workers)  # trials ran in other processes
    assert isinstance(search.study_._storage, InMemoryStorage)  # temp journal copied back
    assert search.predict(X).shape == (len(X),)


def test_n_jobs_rejects_in_memory_storage(tiny_classification):
    X, y = tiny_classification
    search = OptunaSearchCV(EpochSGDClassifier(epochs=2), SPACE, n_trials=2, n_jobs=2,
                            storage=InMemoryStorage())
    with pytest.raises(ValueError, match="cannot share an InMemoryStorage"):
        search.fit(X, y)


def test_a_running_trial_without_worker_tag_is_failed_after_the_grace(tmp_path, monkeypatch):
    """A worker killed between creating its trial and tagging it leaves no tag."""
    import skdl.tuning._storage as storage_mod

    study = optuna.create_study(storage=get_storage(str(tmp_path / "ghost.db")), study_name="g")
    ghost = study.ask()  # RUNNING, never tagged
    assert fail_dead_local_trials(study) == []  # young: its worker may be tagging it right now
    assert study.trials[ghost.number].state == TrialState.RUNNING
    monkeypatch.setattr(storage_mod, "UNTAGGED_GRACE", 0.0)
    assert fail_dead_local_trials(study) == [ghost.number]
    t = study.trials[ghost.number]
    assert t.state == TrialState.FAIL and not is_counted(t)
