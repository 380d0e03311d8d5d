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

import json
import os
import datetime
import socket
from collections.abc import Iterable
from typing import Any

import optuna
from optuna.storages import BaseStorage, InMemoryStorage, JournalStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

__all__ = [
    "StudyMismatchError",
    "count_trials",
    "get_storage",
    "is_counted",
    "open_study",
    "trial_counts",
]

#: Trial user attributes skdl records (public: see :data:`TRIAL_ATTRS`).
FAIL_REASON = "fail_reason"  # failed because of its parameters: the error
STOP_REASON = "stop_reason"  # stopped without counting: Ctrl-C, or its worker process ended
WORKER = "skdl_worker"  # host:pid of the process that ran it
SURPLUS = "skdl_surplus"  # started after the study already held n_trials

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


# Seconds after which a running trial that never got its worker tag counts as dead.
UNTAGGED_GRACE = 5.0


def fail_dead_local_trials(study: optuna.Study) -> list[int]:
    """Fail running trials whose worker process on this machine no longer exists.

    A process killed with SIGKILL leaves its trial ``RUNNING`` forever when the
    storage has no heartbeat. Trials record ``host:pid`` of their worker, so
    trials started on this host by a process that is gone are failed here (they
    do not count toward ``n_trials`` and will be run again). Trials of other
    hosts are left to the heartbeat. A running trial with no tag at all whose
    start is more than ``UNTAGGED_GRACE`` seconds ago is failed too: a worker
    tags its trial milliseconds after creating it, so such a trial's worker was
    killed in between and the trial would otherwise hold a place forever.

    Returns
    -------
    numbers : list of int
        Numbers of the trials that were failed.
    """
    host = socket.gethostname()
    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        tag = t.user_attrs.get(WORKER)
        if tag is None:
            start = t.datetime_start
            if start is None or (datetime.datetime.now() - start).total_seconds() < UNTAGGED_GRACE:
                continue
            tag = "unknown (killed before it tagged its trial)"
        else:
            if not isinstance(tag, str) or ":" not in tag:
                continue
            t_host, _, pid = tag.rpartition(":")
            if t_host != host or not pid.isdigit() or _pid_alive(int(pid)):
                continue
        try:
            # Storage API (BaseStorage.set_trial_user_attr) through the study's
            # storage: a finished trial's attributes cannot be set by number otherwise.
            study._storage.set_trial_user_attr(t._trial_id, STOP_REASON, f"its worker process {tag} ended")
            study.tell(t.number, state=TrialState.FAIL)
            failed.append(t.number)
        except (RuntimeError, ValueError):
            pass  # another process got there first
    return failed


class StudyMismatchError(ValueError):
    """An existing study was started with other settings than the ones given now.

    Raised by :func:`open_study` when a stored fingerprint differs from the one
    passed: the study's trials would not be comparable with new ones.

    Attributes
    ----------
    study_name : str
        The study.
    differences : dict
        ``{key: (stored value, given value)}`` for every key whose values differ,
        in the order of the given fingerprint.
    """

    def __init__(self, message: str, *, study_name: str, differences: dict[str, tuple]) -> None:
        super().__init__(message)
        self.study_name = study_name
        self.differences = differences


FINGERPRINT = "skdl_fingerprint"


def _jsonable(value: Any) -> Any:
    """``value`` as a storage gives it back (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value, default=repr))


def open_study(
    storage: None | str | os.PathLike | BaseStorage,
    study_name: str | None,
    *,
    fingerprint: dict | None = None,
    load_if_exists: bool = True,
    sampler: optuna.samplers.BaseSampler | None = None,
    pruner: optuna.pruners.BasePruner | None = None,
    fingerprint_key: str = FINGERPRINT,
) -> optuna.Study:
    """Create a maximising study, or load one and check it is the same search.

    A resumed or shared study only makes sense when its trials were run on the
    same data with the same fixed settings. ``fingerprint`` records those
    settings: it is stored in the study's user attributes when the study is
    created (or when an existing study has none yet), and compared with the
    stored one when the study is loaded. Two processes creating the same study
    at once are handled (the second one loads it).

    Parameters
    ----------
    storage : None, str, path-like or optuna.storages.BaseStorage
        Anything :func:`get_storage` accepts.
    study_name : str or None
        The study's name (``None``: a new study with a generated name).
    fingerprint : dict, default=None
        JSON-serialisable ``{setting: value}`` that must not change between runs
        of the study (e.g. a data description, ``cv``, ``scoring``, fixed
        parameters). ``None`` checks nothing.
    load_if_exists : bool, default=True
        Load an existing study of that name; ``False`` raises instead.
    sampler, pruner : optional
        Given to the study (``None``: Optuna's defaults).
    fingerprint_key : str, default="skdl_fingerprint"
        The user attribute holding the fingerprint.

    Returns
    -------
    study : optuna.Study

    Raises
    ------
    ValueError
        If the study exists and ``load_if_exists`` is False, or it minimises
        (skdl's searches maximise scikit-learn scores).
    StudyMismatchError
        If the stored fingerprint has a key whose value differs from the given
        one (keys present on one side only are not compared, so a fingerprint
        can grow new keys). ``differences`` lists them.

    Examples
    --------
    >>> from skdl.tuning import open_study, trial_counts
    >>> study = open_study(None, "demo", fingerprint={"data": "iris", "cv": 5})
    >>> trial_counts(study)["counted"]
    0
    """
    storage = get_storage(storage)
    try:
        study = optuna.create_study(storage=storage, study_name=study_name, sampler=sampler,
                                    pruner=pruner, direction="maximize")
        created = True
    except optuna.exceptions.DuplicatedStudyError as exc:
        if not load_if_exists:
            raise ValueError(
                f"A study named {study_name!r} already exists in the storage. Pass "
                "load_if_exists=True to continue it, or choose another study_name."
            ) from exc
        study = optuna.load_study(study_name=study_name, storage=storage, sampler=sampler,
                                  pruner=pruner)
        created = False
    if len(study.directions) != 1 or study.direction != optuna.study.StudyDirection.MAXIMIZE:
        raise ValueError(
            f"The existing study {study.study_name!r} minimises; skdl's searches maximise "
            "scikit-learn scores (greater is better). Use another study_name."
        )
    if fingerprint is None:
        return study
    given = _jsonable(fingerprint)
    stored = None if created else study.user_attrs.get(fingerprint_key)
    if stored is None:
        study.set_user_attr(fingerprint_key, given)
        return study
    differences = {k: (stored[k], given[k]) for k in given
                   if isinstance(stored, dict) and k in stored and stored[k] != given[k]}
    if differences:
        said = "; ".join(f"{k} was {old!r}, now {new!r}" for k, (old, new) in differences.items())
        raise StudyMismatchError(
            f"The study {study.study_name!r} was started with other settings ({said}); its "
            "trials would not be comparable with new ones. Use another study_name, or the "
            "original settings.",
            study_name=study.study_name, differences=differences,
        )
    return study


def trial_counts(trials: optuna.Study | Iterable[FrozenTrial]) -> dict[str, int]:
    """Count a study's trials by state, the way a search counts them.

    Parameters
    ----------
    trials : optuna.Study or iterable of optuna.trial.FrozenTrial

    Returns
    -------
    counts : dict
        ``counted`` (toward ``n_trials``, :func:`is_counted`), of which
        ``complete``, ``pruned`` and ``failed`` (failed because of their
        parameters); ``running``; ``total`` (every trial, also the uncounted
        ones: interrupted, lost with a killed worker, surplus, waiting).
    """
    if isinstance(trials, optuna.Study):
        trials = trials.get_trials(deepcopy=False)
    counts = dict.fromkeys(("counted", "complete", "pruned", "failed", "running", "total"), 0)
    for t in trials:
        counts["total"] += 1
        if t.state == TrialState.RUNNING:
            counts["running"] += 1
        elif is_counted(t):
            counts["counted"] += 1
            key = {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned"}.get(t.state, "failed")
            counts[key] += 1
    return counts


def copy_to_memory(study: optuna.Study, storage: BaseStorage) -> optuna.Study:
    """A copy of ``study`` (stored in ``storage``) in a new ``InMemoryStorage``."""
    memory = InMemoryStorage()
    optuna.copy_study(from_study_name=study.study_name, from_storage=storage, to_storage=memory)
    return optuna.load_study(study_name=study.study_name, storage=memory, sampler=study.sampler,
                             pruner=study.pruner)
