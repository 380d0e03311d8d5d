"""Per-epoch reporting to an Optuna trial, as a plain fit-time callback.

skdl estimators call ``on_epoch_end(epoch, logs)`` on every object passed in
``fit(..., callbacks=[...])`` and let exceptions raised there propagate out of
``fit`` (docs/design.md). :class:`EpochPruningCallback` reports one value per
epoch to the trial and raises ``optuna.TrialPruned`` when the pruner says so, so
the estimator never imports Optuna and the trial never becomes an estimator
parameter.

How steps are numbered
----------------------
``step`` is the number of epochs trained so far (1, 2, ..., ``epochs``), and only
the **first cross-validation fold** reports. Reasons:

* Pruners compare trials at equal steps. Every trial's fold 0 trains on the same
  rows and is evaluated on the same rows, so "fold 0 after ``k`` epochs" means
  the same thing in every trial, also when ``epochs`` itself is tuned (a trial
  with more epochs simply reports more steps). Numbering across folds
  (``fold * epochs + epoch``) breaks as soon as ``epochs`` differs between
  trials, and Optuna ignores a second report of the same step, so a running mean
  over folds cannot be reported per epoch either.
* ``step`` as "epochs trained" is the resource of ``SuccessiveHalvingPruner`` and
  ``HyperbandPruner`` (``min_resource``/``max_resource`` are in epochs).
* The saving comes from stopping a bad trial early: a trial pruned during fold 0
  costs less than one fold instead of ``n_splits`` folds.

The reported value is "greater is better", in the study's direction. Which
way a logged metric improves is decided by :func:`skdl.utils.greater_is_better`
(the rule early stopping and the reports use): ``eval_accuracy`` is reported as
is, ``eval_loss`` or ``eval_mean_squared_error`` negated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import optuna

from skdl.utils import greater_is_better

__all__ = ["EpochPruningCallback", "accepts_epoch_callbacks"]

PRUNED_AT_EPOCH = "pruned_at_epoch"
EPOCHS_REACHED = "epochs_reached"


class EpochPruningCallback:
    """Report a per-epoch validation score to an Optuna trial and prune.

    Pass it to an skdl estimator's ``fit`` together with ``eval_set``; it works
    with any estimator that calls ``on_epoch_end(epoch, logs)`` on its fit-time
    callbacks (``_skdl_epoch_callbacks = True``).

    Parameters
    ----------
    trial : optuna.trial.Trial
        The trial to report to.
    monitor : str, default="auto"
        The logs key to report. Its direction comes from
        :func:`skdl.utils.greater_is_better` (a loss or error is negated, so the
        reported value always rises as the model improves); a leading ``-``
        forces negation and a leading ``+`` forces the value as is. ``"auto"``
        uses ``eval_<metric>`` when ``metric`` is given and found in the logs
        (for a scikit-learn ``neg_<name>`` scorer, ``eval_<name>``), else
        ``eval_loss`` (``val_loss``, ``loss`` as fallbacks).
    metric : str, default=None
        Name of the score being optimised (e.g. ``"accuracy"``,
        ``"neg_mean_absolute_error"``), used by ``monitor="auto"``.
    step_offset : int, default=0
        Added to the step (the number of epochs trained).

    Attributes
    ----------
    last_step : int or None
        The last step reported.
    monitor_ : str or None
        The logs key actually used (with ``-`` when negated).

    Examples
    --------
    >>> import optuna
    >>> from skdl.tuning import EpochPruningCallback
    >>> def objective(trial):  # doctest: +SKIP
    ...     est = skdl.MLPClassifier(learning_rate=trial.suggest_float("lr", 1e-4, 1e-1, log=True))
    ...     est.fit(X, y, eval_set=(X_val, y_val),
    ...             callbacks=[EpochPruningCallback(trial, metric="accuracy")])
    ...     return est.score(X_val, y_val)
    """

    def __init__(
        self,
        trial: optuna.trial.Trial,
        monitor: str = "auto",
        metric: str | None = None,
        step_offset: int = 0,
    ) -> None:
        self.trial = trial
        self.monitor = monitor
        self.metric = metric
        self.step_offset = step_offset
        self.last_step: int | None = None
        self.monitor_: str | None = None

    def _resolve(self, logs: Mapping[str, Any]) -> str:
        """The logs key to report, with ``-`` when it is negated."""
        if self.monitor != "auto":
            key = self.monitor.lstrip("+-")
            if key not in logs:
                raise KeyError(
                    f"EpochPruningCallback: monitor {self.monitor!r} is not in the epoch "
                    f"logs; available keys are {sorted(logs)}."
                )
            if self.monitor.startswith("-"):
                return "-" + key
            return key if self.monitor.startswith("+") else _signed(key)
        candidates = []
        if self.metric:
            candidates.append(f"eval_{self.metric}")
            if self.metric.startswith("neg_"):
                candidates.append(f"eval_{self.metric[4:]}")
        for key in (*candidates, "eval_loss", "val_loss", "loss"):
            if key in logs:
                return _signed(key)
        raise KeyError(
            f"EpochPruningCallback: no eval_loss, val_loss or loss in the epoch logs "
            f"(keys: {sorted(logs)}); pass eval_set to fit."
        )

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Report the epoch's value; raise ``optuna.TrialPruned`` to stop training.

        Parameters
        ----------
        epoch : int
            0-based epoch index, as Keras passes it.
        logs : dict
            The epoch's logs.
        """
        logs = logs or {}
        if self.monitor_ is None:
            self.monitor_ = self._resolve(logs)
        key = self.monitor_.lstrip("-")
        value = float(logs[key])
        if self.monitor_.startswith("-"):
            value = -value
        step = self.step_offset + int(epoch) + 1
        self.last_step = step
        if not math.isfinite(value):
            # Divergence is the estimator's (or the search's) to report as a
            # failure; a NaN must not reach the pruner's statistics.
            return
        self.trial.report(value, step)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"Trial was pruned at epoch {step} ({self.monitor_}={value:.6g}).")


def _signed(key: str) -> str:
    """``key``, or ``-key`` when lower values of that metric are better."""
    return key if greater_is_better(key) else "-" + key


def accepts_epoch_callbacks(estimator: Any) -> bool:
    """Whether ``estimator.fit`` takes ``callbacks=`` and ``eval_set=`` (skdl contract)."""
    return bool(getattr(type(estimator), "_skdl_epoch_callbacks", False))
