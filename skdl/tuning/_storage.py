"""Where studies live: one normalising function and the trial accounting.

:func:`get_storage` turns every accepted ``storage=`` value into an Optuna
``BaseStorage``. The rest of this module decides which trials count toward a
search's ``n_trials`` and cleans up trials left running by dead processes.

Which trials count
------------------
A trial counts toward ``n_trials`` when it says something about its parameters:

* ``COMPLETE`` trials;
* ``PRUNED`` trials (the pruner judged them);
* ``FAIL`` trials that failed *because of their parameters* (the estimator raised
  or diverged); they carry the user attribute ``fail_reason``.

``FAIL`` trials without ``fail_reason`` failed for reasons outside the candidate:
interrupted by Ctrl-C, their worker process was killed (failed later by the
heartbeat or by the dead-process check below), or they were surplus trials of a
concurrent worker. They do not count, so a resumed search runs them again.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from typing import Any

import optuna
from optuna.storages import BaseStorage, InMemoryStorage, JournalStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

__all__ = ["count_trials", "get_storage", "is_counted"]

FAIL_REASON = "fail_reason"
WORKER = "skdl_worker"
SURPLUS = "skdl_surplus"

_JOURNAL_SUFFIXES = (".log", ".jsonl", ".journal")
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def get_storage(
    storage: None | str | os.PathLike | BaseStorage,
    *,
    heartbeat_interval: int | None = None,
    grace_period: int | None = None,
) -> BaseStorage:
    """Normalise a ``storage=`` value into an Optuna storage.

    Parameters
    ----------
    storage : None, str, path-like or optuna.storages.BaseStorage
        * ``None``: a new ``InMemoryStorage`` (nothing persists).
        * A database URL (``sqlite:///x.db``, ``postgresql://...``,
          ``mysql://...``): an ``RDBStorage``.
        * A file path ending in ``.db``, ``.sqlite`` or ``.sqlite3``: a SQLite
          ``RDBStorage`` on that file.
        * A file path ending in ``.log``, ``.jsonl`` or ``.journal``: a
          ``JournalStorage`` with a ``JournalFileBackend`` (safe for several
          processes on one machine; no database needed).
        * A storage object: returned as is.
    heartbeat_interval : int, default=None
        Seconds between heartbeats of running trials (RDB storages only). With it,
        trials of a killed worker are failed after ``grace_period`` and do not
        block the study (across machines there is no other way to tell a dead
        worker from a slow one).
    grace_period : int, default=None
        Seconds without heartbeat after which a running trial is failed; Optuna's
        default is twice ``heartbeat_interval``.

    Returns
    -------
    storage : optuna.storages.BaseStorage

    Raises
    ------
    ValueError
        If a string is neither a URL nor a path with a known suffix.

    Examples
    --------
    >>> from skdl.tuning import get_storage
    >>> type(get_storage(None)).__name__
    'InMemoryStorage'
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if not isinstance(storage, str):
        raise ValueError(
            "The 'storage' parameter must be None, a database URL, a path ending in "
            f"{_SQLITE_SUFFIXES + _JOURNAL_SUFFIXES} or an optuna storage. "
            f"Got {storage!r} instead."
        )
    heartbeat = {}
    if heartbeat_interval is not None:
        heartbeat = {"heartbeat_interval": heartbeat_interval, "grace_period": grace_period}
    if "://" in storage:
        kwargs: dict[str, Any] = {}
        if storage.startswith("sqlite"):
            kwargs["engine_kwargs"] = _SQLITE_ENGINE_KWARGS
        return RDBStorage(storage, **kwargs, **heartbeat)
    lower = storage.lower()
    if lower.endswith(_SQLITE_SUFFIXES):
        url = "sqlite:///" + os.path.abspath(storage)
        return RDBStorage(url, engine_kwargs=_SQLITE_ENGINE_KWARGS, **heartbeat)
    if lower.endswith(_JOURNAL_SUFFIXES):
        if heartbeat:
            raise ValueError(
                "heartbeat_interval needs an RDB storage (a database URL or a .db "
                f"file); Optuna's journal storage has no heartbeat. Got {storage!r}."
            )
        return JournalStorage(JournalFileBackend(os.path.abspath(storage)))
    raise ValueError(
        "The 'storage' parameter must be a database URL (e.g. 'sqlite:///study.db', "
        f"'postgresql://...') or a file path ending in one of "
        f"{_SQLITE_SUFFIXES + _JOURNAL_SUFFIXES}. Got {storage!r} instead."
    )


# Several processes writing one SQLite file wait for the lock instead of failing
# at once with "database is locked".
_SQLITE_ENGINE_KWARGS = {"connect_args": {"timeout": 60}}


def worker_tag() -> str:
    """``host:pid`` of this process, stored on each trial it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_counted(trial: FrozenTrial) -> bool:
    """Whether a finished trial counts toward a search's ``n_trials``.

    Complete and pruned trials count; so does a trial that failed because of
    its parameters (the estimator raised or diverged; it carries the user
    attribute ``fail_reason``). A trial that failed for a reason outside the
    candidate (Ctrl-C, its worker was killed and failed by the heartbeat, a
    concurrent worker's surplus trial) does not count, so a resumed search runs
    it again.

    Parameters
    ----------
    trial : optuna.trial.FrozenTrial

    Returns
    -------
    counted : bool
    """
    if trial.state in (TrialState.COMPLETE, TrialState.PRUNED):
        return True
    return trial.state == TrialState.FAIL and FAIL_REASON in trial.user_attrs


def count_trials(trials: Iterable[FrozenTrial]) -> tuple[int, int]:
    """Count a study's trials the way a search does.

    Parameters
    ----------
    trials : iterable of optuna.trial.FrozenTrial
        E.g. ``study.get_trials(deepcopy=False)``.

    Returns
    -------
    n_counted, n_running : int
        Finished trials that count toward ``n_trials`` (:func:`is_counted`) and
        trials still running.
    """
    n_counted = n_running = 0
    for t in trials:
        if t.state == TrialState.RUNNING:
            n_running += 1
        elif is_counted(t):
            n_counted += 1
    return n_counted, n_running


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def fail_dead_local_trials(study: optuna.Study) -> list[int]:
    """Fail running trials whose worker process on this machine no longer exists.

    A process killed with SIGKILL leaves its trial ``RUNNING`` forever when the
    storage has no heartbeat. Trials record ``host:pid`` of their worker, so
    trials started on this host by a process that is gone are failed here (they
    do not count toward ``n_trials`` and will be run again). Trials of other
    hosts are left to the heartbeat.

    Returns
    -------
    numbers : list of int
        Numbers of the trials that were failed.
    """
    host = socket.gethostname()
    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        tag = t.user_attrs.get(WORKER)
        if not isinstance(tag, str) or ":" not in tag:
            continue
        t_host, _, pid = tag.rpartition(":")
        if t_host != host or not pid.isdigit() or _pid_alive(int(pid)):
            continue
        try:
            study.tell(t.number, state=TrialState.FAIL)
            failed.append(t.number)
        except (RuntimeError, ValueError):
            pass  # another process got there first
    return failed


def load_or_create_study(
    storage: BaseStorage,
    study_name: str | None,
    *,
    sampler: optuna.samplers.BaseSampler | None,
    pruner: optuna.pruners.BasePruner | None,
    load_if_exists: bool,
) -> optuna.Study:
    """Create the study (maximising) or load it when ``load_if_exists``.

    Raises
    ------
    ValueError
        If the study exists and ``load_if_exists`` is False, or an existing study
        does not maximise.
    """
    try:
        study = optuna.create_study(
            storage=storage,
            study_name=study_name,
            sampler=sampler,
            pruner=pruner,
            direction="maximize",
            load_if_exists=load_if_exists,
        )
    except optuna.exceptions.DuplicatedStudyError as exc:
        raise ValueError(
            f"A study named {study_name!r} already exists in the storage. Pass "
            "load_if_exists=True to continue it, or choose another study_name."
        ) from exc
    if study.direction != optuna.study.StudyDirection.MAXIMIZE:
        raise ValueError(
            f"The existing study {study_name!r} minimises; OptunaSearchCV maximises "
            "scikit-learn scores (greater is better). Use another study_name."
        )
    return study
