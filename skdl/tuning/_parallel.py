"""Running trials: the optimise loop, worker processes and their thread budget.

Each worker is a separate process (multiprocessing ``spawn``: no inherited Keras
or TensorFlow state) that loads the study from a shared storage and runs the same
loop as the sequential search. Trials are claimed through the storage, so workers
never duplicate a trial and the study ends at ``n_trials`` counted trials (see
:mod:`skdl.tuning._storage` for what counts).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue as queue_module
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import optuna
from optuna.samplers import GridSampler

from skdl.training.runtime import n_cores  # noqa: F401  (the search sizes n_jobs with it)
from skdl.training.runtime import thread_budget_env as thread_env
from skdl.tuning._storage import count_trials, fail_dead_local_trials


class TrialFailed(Exception):
    """Raised by the objective after recording why a trial failed (caught by Optuna)."""


class SurplusTrial(Exception):
    """Raised when a concurrent worker already claimed the last trial slot."""


CATCH = (TrialFailed, SurplusTrial)


def release_trial_memory(state: optuna.trial.TrialState | None = None) -> None:
    """Free what a trial left behind; a garbage collection only when it failed.

    A finished trial's fold estimators are freed by reference counting once
    the objective drops them, and their networks go straight back to skdl's
    pool, which bounds and sweeps its own memory (docs/design.md). A pruned
    fit gives its network back as the pruning exception leaves ``fit``. A
    failed trial (``state`` FAIL, or None when the exception ended the
    search) may hold a fitted estimator in its traceback's reference cycle,
    so only then does a full collection run, giving that network back before
    the next trial asks for one. A full collection walks every object the
    backend has imported (0.2-0.4 s); run after every trial it cost 10-17 %
    of the 20-trial digits search of benchmarks/bench_search.py.

    ``keras.backend.clear_session()`` is deliberately not called: it resets
    Keras' global seed generator and name counters under the user's feet, and
    without it RSS levels off the same (40 trials of new architectures on
    TensorFlow: +0.24 MB per trial with it, -0.04 without).
    """
    if state not in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED):
        gc.collect()


class InterruptFlag:
    """Remember a Ctrl-C even when the estimator swallows ``KeyboardInterrupt``.

    skdl estimators end training on Ctrl-C with a usable model (STYLE habit 8);
    inside a search the same Ctrl-C must stop the search. The SIGINT handler sets
    the flag and then behaves as before (raises ``KeyboardInterrupt``); the
    objective checks the flag after every fold.
    """

    def __init__(self) -> None:
        self.is_set = False
        self._previous: Any = None

    def __enter__(self) -> InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if previous is signal.SIG_IGN:  # Ctrl-C is ignored here (nohup, a worker): keep it so
                return self
            self._previous = previous
            signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        self.is_set = True
        previous = self._previous
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def optimize_loop(
    study: optuna.Study,
    objective: Callable[[optuna.trial.Trial], float],
    *,
    n_trials: int | None,
    deadline: float | None,
    callbacks: Sequence[Callable] = (),
) -> None:
    """Run trials one by one until ``n_trials`` counted trials exist or time is up.

    Before each trial, running trials of other workers are counted as claimed, so
    concurrent workers stop together; the objective re-checks after ``ask`` (see
    ``_Objective``) to close the race between two workers asking at once.
    """
    heartbeat = _heartbeat_of(study)
    while True:
        if deadline is not None and time.time() >= deadline:
            return
        if n_trials is not None:
            fail_dead_local_trials(study)
            if heartbeat is not None:
                # a worker lost on another machine: Optuna fails its trial only
                # inside optimize(), so do it here too before counting
                optuna.storages.fail_stale_trials(study)
            n_counted, n_running = count_trials(study.get_trials(deepcopy=False))
            if n_counted >= n_trials:
                return
            if n_counted + n_running >= n_trials:
                if heartbeat is None:
                    return  # without a heartbeat a running trial is taken as alive
                # another worker holds the last trials: wait until they finish,
                # or until the heartbeat says their worker is gone
                time.sleep(min(5.0, max(0.5, heartbeat / 2)))
                continue
        if isinstance(study.sampler, GridSampler) and study.sampler.is_exhausted(study):
            return  # every grid point has been tried
        states = []
        try:
            study.optimize(objective, n_trials=1, catch=CATCH,
                           callbacks=[*callbacks, lambda _, trial: states.append(trial.state)])
        finally:
            release_trial_memory(states[-1] if states else None)


def _heartbeat_of(study: optuna.Study) -> float | None:
    """The storage's heartbeat interval in seconds, or None where it has none."""
    storage = study._storage
    getter = getattr(storage, "get_heartbeat_interval", None)
    if getter is None:
        return None
    try:
        return getter()
    except (AttributeError, NotImplementedError):
        return None


@contextlib.contextmanager
def _temporary_env(env: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _worker_main(job_bytes: bytes, index: int, results: Any) -> None:
    """Entry point of a worker process."""
    try:
        from threadpoolctl import threadpool_limits

        job = pickle.loads(job_bytes)
        threadpool_limits(int(os.environ.get("OMP_NUM_THREADS", "1")))
        optuna.logging.set_verbosity(job["optuna_verbosity"])
        sampler = job["sampler"]
        if index > 0 and job["reseed"]:
            sampler.reseed_rng()  # a copied seeded sampler would repeat worker 0's draws
        study = optuna.load_study(
            study_name=job["study_name"], storage=job["storage"], sampler=sampler,
            pruner=job["pruner"],
        )
        objective = job["objective"]
        with InterruptFlag() as flag:
            objective.interrupt_flag = flag
            optimize_loop(study, objective, n_trials=job["n_trials"], deadline=job["deadline"])
        results.put((index, "done", None))
    except KeyboardInterrupt:
        results.put((index, "interrupted", None))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent to re-raise
        try:
            payload = pickle.dumps(exc)
        except Exception:
            payload = pickle.dumps(RuntimeError(repr(exc)))
        results.put((index, "error", (payload, traceback.format_exc())))


def run_workers(
    *,
    n_workers: int,
    job: dict,
    study: optuna.Study,
    poll: Callable[[], None] | None = None,
    poll_interval: float = 0.5,
) -> None:
    """Run the search in ``n_workers`` spawned processes and wait for them.

    Parameters
    ----------
    n_workers : int
        Number of processes.
    job : dict
        Picklable description of the work (objective, storage, study name,
        sampler, pruner, n_trials, deadline, reseed, optuna_verbosity).
    study : optuna.Study
        The parent's handle on the study, to clean up after killed workers.
    poll : callable, default=None
        Called every ``poll_interval`` seconds (progress display).

    Raises
    ------
    Exception
        The first error a worker raised (``error_score="raise"``); the other
        workers are stopped.
    KeyboardInterrupt
        On Ctrl-C; workers are stopped and their running trials failed.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    job_bytes = pickle.dumps(job)
    procs = [
        ctx.Process(target=_worker_main, args=(job_bytes, i, results), daemon=True)
        for i in range(n_workers)
    ]
    with _temporary_env(thread_env(n_workers)):
        for p in procs:
            p.start()
    finished: set[int] = set()
    error: tuple | None = None
    try:
        while len(finished) < n_workers and error is None:
            try:
                index, status, payload = results.get(timeout=poll_interval)
                finished.add(index)
                if status == "error":
                    error = payload
                elif status == "interrupted":
                    raise KeyboardInterrupt
            except queue_module.Empty:
                dead = [i for i, p in enumerate(procs) if not p.is_alive() and i not in finished]
                for i in dead:
                    # exited without reporting (killed, or crashed in C code)
                    if procs[i].exitcode not in (0, None):
                        finished.add(i)
            if poll is not None:
                poll()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=30)
        fail_dead_local_trials(study)
        results.close()
    if error is not None:
        exc = pickle.loads(error[0])
        raise exc from RuntimeError(f"raised in a worker process:\n{error[1]}")
