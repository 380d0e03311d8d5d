"""``trials.csv``: every trial of a study, with why it ended the way it did.

Optuna's ``trials_dataframe`` with the names said the way docs/cli.md says
them: scores measured by cross-validation on the training split are ``cv_*``
("test" is kept for the held-out rows), and a ``reason`` column tells why a
trial was pruned, failed or did not count.
"""

from __future__ import annotations

__all__ = ["trial_reason", "trials_frame"]

from skdl.tuning import TRIAL_ATTRS

FAIL_REASON = TRIAL_ATTRS["fail_reason"]
STOP_REASON = TRIAL_ATTRS["stop_reason"]
PRUNED_AT_EPOCH = TRIAL_ATTRS["pruned_at_epoch"]
SURPLUS = TRIAL_ATTRS["surplus"]
# Folded into ``reason``, so not repeated as their own columns.
_FOLDED = (FAIL_REASON, STOP_REASON, PRUNED_AT_EPOCH, SURPLUS)
_RENAMES = {"value": "cv_score", "user_attrs_fit_time": "fold_fit_seconds",
            "user_attrs_score_time": "fold_score_seconds", "user_attrs_skdl_worker": "worker",
            "user_attrs_fold_epochs": "fold_epochs", "user_attrs_fold_best_epoch": "fold_best_epoch"}


def trial_reason(trial) -> str:
    """Why a finished trial is not simply complete (``""`` when it is).

    * pruned: ``"pruned at epoch N (below the median of earlier trials)"``;
    * failed because of its parameters: the error the fit raised;
    * failed for another reason (it carries no ``fail_reason``): the search was
      interrupted (Ctrl-C) while it ran, or its worker process stopped; it does
      not count toward ``--trials`` and a resumed search runs it again;
    * surplus: started by a worker after the study already held ``--trials``.
    """
    from optuna.trial import TrialState

    attrs = trial.user_attrs
    if trial.state == TrialState.PRUNED:
        epoch = attrs.get(PRUNED_AT_EPOCH)
        where = f" at epoch {int(epoch) + 1}" if isinstance(epoch, (int, float)) else ""
        return f"pruned{where} (its first-fold score fell below the median of earlier trials)"
    if trial.state == TrialState.FAIL:
        if attrs.get(FAIL_REASON):
            return f"failed: {attrs[FAIL_REASON]}"
        if attrs.get(SURPLUS):
            return "not run: the study already held --trials trials when a worker started it"
        if attrs.get(STOP_REASON):
            return f"interrupted: {attrs[STOP_REASON]}; not counted, a resumed search runs it again"
        return ("interrupted: the search was stopped (Ctrl-C) or its worker process ended while "
                "it ran; not counted, a resumed search runs it again")
    if trial.state == TrialState.RUNNING:
        return "running"
    if trial.state == TrialState.WAITING:
        return "waiting"
    return ""


def trials_frame(study):
    """The study's trials as a DataFrame, one row per trial (see the module docstring)."""
    import pandas as pd

    frame = study.trials_dataframe()
    if frame.empty:
        return pd.DataFrame(columns=["number", "state", "cv_score", "reason"])
    by_number = {t.number: t for t in study.get_trials(deepcopy=False)}
    frame = frame.drop(columns=[f"user_attrs_{k}" for k in _FOLDED if f"user_attrs_{k}" in frame])
    renames = dict(_RENAMES)
    for column in frame.columns:
        for kind, new in (("test", "cv_fold"), ("train", "train_fold")):
            prefix = f"user_attrs_{kind}_"
            if column.startswith(prefix):  # per-fold lists of the search's scorers
                renames[column] = f"{new}_{column[len(prefix):]}"
    frame = frame.rename(columns=renames)
    frame["reason"] = [trial_reason(by_number[n]) for n in frame["number"]]
    if "duration" in frame:
        frame["duration"] = frame["duration"].dt.total_seconds().round(2)
        frame = frame.rename(columns={"duration": "duration_seconds"})
    first = [c for c in ("number", "state", "cv_score", "reason") if c in frame]
    return frame[first + [c for c in frame.columns if c not in first]]
