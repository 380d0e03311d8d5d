"""One search, several worker processes, a real PostgreSQL server, one worker killed.

The server is started by the ``postgres_url`` fixture (conftest.py, _postgres.py).
Two processes work on one study, as on two machines:

* worker A: ``OptunaSearchCV(storage=..., n_jobs=2)`` - two worker processes on
  this machine;
* worker B: one process that records another host name on its trials (as a
  worker on a second machine does) and is killed with SIGKILL in the middle of
  a trial.

Both use Optuna's heartbeat (``skdl.tuning.get_storage(url, heartbeat_interval=,
grace_period=)``). B's trial cannot be recognised as dead by a local process
check (another host), so only the heartbeat can fail it; A must then re-use its
budget and finish the study at exactly ``N_TRIALS`` counted trials, without
losing a trial finished before the kill. ``skdl report`` then reports the study.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_SCRIPT = os.path.join(HERE, "pg_worker.py")
N_TRIALS = 10
REMOTE_HOST = "skdl-test-other-machine"
WAIT_KILL = 150  # seconds until B has a running trial (imports and first compile included)
WAIT_DONE = 180  # seconds until A finishes after the kill

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _backend_env(env):
    # JAX imports and compiles several times faster than TensorFlow, which
    # matters with four Keras processes on a small CI machine.
    if "KERAS_BACKEND" not in env:
        import importlib.util

        if importlib.util.find_spec("jax") is not None:
            env["KERAS_BACKEND"] = "jax"
    return env


def _trials(url, study_name):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        return optuna.load_study(study_name=study_name, storage=url).get_trials(deepcopy=False)
    except KeyError:  # not created yet
        return []


def _tail(proc):
    out, _ = proc.communicate(timeout=30)
    return "\n".join((out or "").splitlines()[-25:])


def test_workers_share_a_postgres_study_and_survive_a_killed_worker(
    postgres_url, child_env, tmp_path
):
    from optuna.trial import TrialState

    from skdl.tuning._parallel import thread_env
    from skdl.tuning._storage import FAIL_REASON, WORKER, is_counted

    study_name = f"shared-{uuid.uuid4().hex[:8]}"
    env = _backend_env(dict(child_env))
    # A shares 2 of the cores between its two workers itself; B takes one thread.
    env_b = {**env, **thread_env(os.cpu_count() or 1)}
    common = [sys.executable, WORKER_SCRIPT, postgres_url, study_name, str(N_TRIALS),
              "--score-sleep", "1.0"]
    a = subprocess.Popen(common + ["--n-jobs", "2", "--seed", "1"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    b = subprocess.Popen(common + ["--hostname", REMOTE_HOST, "--seed", "2"], env=env_b,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    b_tag = f"{REMOTE_HOST}:{b.pid}"
    try:
        # Kill B while it runs a trial, once the study holds a finished trial.
        deadline = time.monotonic() + WAIT_KILL
        while True:
            trials = _trials(postgres_url, study_name)
            b_running = [t for t in trials if t.state == TrialState.RUNNING
                         and t.user_attrs.get(WORKER) == b_tag]
            complete = [t for t in trials if t.state == TrialState.COMPLETE]
            if b_running and complete:
                break
            assert b.poll() is None, f"worker B exited early:\n{_tail(b)}"
            assert a.poll() is None, f"worker A exited early:\n{_tail(a)}"
            assert time.monotonic() < deadline, (
                f"no running trial of worker B after {WAIT_KILL}s; trials: "
                f"{[(t.number, t.state.name, t.user_attrs.get(WORKER)) for t in trials]}"
            )
            time.sleep(0.2)
        b.send_signal(signal.SIGKILL)
        b.wait(timeout=30)
        killed = b_running[0].number
        before = {t.number: t.value for t in _trials(postgres_url, study_name)
                  if t.state == TrialState.COMPLETE}
        assert before

        a.wait(timeout=WAIT_DONE)
        out_a = _tail(a)
        assert a.returncode == 0, f"worker A failed:\n{out_a}"
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)

    trials = _trials(postgres_url, study_name)
    by_number = {t.number: t for t in trials}
    assert len(by_number) == len(trials), "a trial number appears twice"

    # The killed worker's trial was failed by the heartbeat, not counted, and its
    # budget went to worker A: the study holds exactly N_TRIALS counted trials.
    lost = by_number[killed]
    assert lost.state == TrialState.FAIL, (
        f"trial {killed} of the killed worker is {lost.state.name}, not FAIL: the "
        "heartbeat did not fail it before the other workers stopped"
    )
    assert FAIL_REASON not in lost.user_attrs and not is_counted(lost)
    assert not [t.number for t in trials if t.state == TrialState.RUNNING]
    counted = [t for t in trials if is_counted(t)]
    assert len(counted) == N_TRIALS, (
        f"{len(counted)} counted trials, expected {N_TRIALS}: "
        f"{[(t.number, t.state.name) for t in trials]}"
    )
    assert all(t.state == TrialState.COMPLETE for t in counted)
    # Nothing finished before the kill was lost or changed.
    for number, value in before.items():
        assert by_number[number].state == TrialState.COMPLETE
        assert by_number[number].value == value
    # Worker A really ran its trials in two processes on this machine.
    a_workers = {t.user_attrs[WORKER] for t in counted if t.user_attrs[WORKER] != b_tag}
    assert len(a_workers) == 2, a_workers
    assert f"{N_TRIALS} counted trials" in out_a

    # skdl report reads the study from the server and reports its best trial.
    best = max(counted, key=lambda t: t.value)
    html = tmp_path / "study.html"
    proc = subprocess.run(
        [sys.executable, "-m", "skdl", "report", "--storage", postgres_url, "--study",
         study_name, "-o", str(html)],
        env=child_env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert html.stat().st_size > 1000
    match = re.search(r"best value\s+([0-9.]+)", proc.stdout)
    assert match, proc.stdout
    assert float(match.group(1)) == pytest.approx(best.value, abs=1e-3)
    match = re.search(r"best trial\s+(\d+)", proc.stdout)
    assert match and by_number[int(match.group(1))].value == best.value, proc.stdout
