"""What a search shows while it runs: the trial progress bar."""

from __future__ import annotations

import sys
from typing import Any

import optuna
from optuna.trial import TrialState

from skdl.tuning._storage import FAIL_REASON, count_trials

__all__ = ["SearchProgress"]


class SearchProgress:
    """tqdm bar over counted trials, with best score, pruned and failed counts.

    Parameters
    ----------
    total : int or None
        The search's ``n_trials``.
    verbose : int
        Nothing is shown (and tqdm is not imported) for ``verbose <= 0``.
    study : optuna.Study
        Read on every :meth:`update`, so trials of worker processes show too.
    """

    def __init__(self, total: int | None, verbose: int, study: optuna.Study) -> None:
        self.bar = None
        self.study = study
        if verbose > 0:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc="OptunaSearchCV", unit="trial", file=sys.stderr)
            self.update()

    def update(self, *args: Any) -> None:
        """Redraw from the study (usable as an Optuna ``optimize`` callback)."""
        if self.bar is None:
            return
        trials = self.study.get_trials(deepcopy=False)
        n_counted, _ = count_trials(trials)
        values = [t.value for t in trials if t.state == TrialState.COMPLETE]
        pruned = sum(t.state == TrialState.PRUNED for t in trials)
        failed = sum(t.state == TrialState.FAIL and FAIL_REASON in t.user_attrs for t in trials)
        self.bar.n = n_counted
        postfix = {"pruned": pruned, "failed": failed}
        if values:
            postfix = {"best": f"{max(values):.4g}", **postfix}
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        """Draw the final state and close the bar."""
        if self.bar is not None:
            self.update()
            self.bar.close()
