"""``cv_results_`` from a study's trials, in ``GridSearchCV``'s layout.

Each trial stores its per-fold scores and times as user attributes
(``test_<metric>``, ``train_<metric>``, ``fit_time``, ``score_time``; see
:class:`skdl.tuning._objective.TrialObjective`). This module turns the counted
trials into one row each.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from optuna.trial import FrozenTrial, TrialState
from scipy.stats import rankdata

from skdl.tuning._spaces import decode_params

__all__ = ["best_index", "format_results", "refit_indices", "select_index", "top_indices"]


def format_results(trials: list[FrozenTrial], space: dict, metrics: list[str], n_splits: int,
                   return_train_score: bool, error_score) -> dict[str, Any]:
    """Build ``cv_results_`` (GridSearchCV's layout) from the counted trials.

    Complete trials have their scores; failed trials get ``error_score`` on every
    fold (NaN for ``"raise"``); pruned trials NaN. Ranks put NaN means last.
    """
    fill = np.nan if error_score == "raise" else float(error_score)
    n = len(trials)
    results: dict[str, Any] = {}

    def arrays(key: str, trial) -> np.ndarray:
        values = trial.user_attrs.get(key, [])
        if trial.state == TrialState.COMPLETE and len(values) == n_splits:
            return np.asarray(values, dtype=float)
        if trial.state == TrialState.FAIL and key.startswith(("test_", "train_")):
            return np.full(n_splits, fill)
        return np.full(n_splits, np.nan)

    def store(key: str, splits: bool, rank: bool) -> None:
        table = np.vstack([arrays(key, t) for t in trials]) if n else np.empty((0, n_splits))
        if splits:
            for i in range(n_splits):
                results[f"split{i}_{key}"] = table[:, i]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = table.mean(axis=1) if n else np.empty(0)
            results[f"mean_{key}"] = mean
            results[f"std_{key}"] = table.std(axis=1) if n else np.empty(0)
        if rank:
            if n and np.isnan(mean).all():
                results[f"rank_{key}"] = np.ones(n, dtype=np.int32)
            else:
                filled = np.where(np.isnan(mean), np.nanmin(mean) - 1, mean)
                results[f"rank_{key}"] = rankdata(-filled, method="min").astype(np.int32)

    for key in ("fit_time", "score_time"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            table = np.vstack([_times(t, key, n_splits) for t in trials])
            results[f"mean_{key}"] = np.nanmean(table, axis=1)
            results[f"std_{key}"] = np.nanstd(table, axis=1)
    params = [decode_params(t.params, space) for t in trials]
    for name in space:
        column = np.ma.MaskedArray(np.empty(n, dtype=object), mask=True)
        for i, p in enumerate(params):
            if name in p:
                column[i] = p[name]
        results[f"param_{name}"] = column
    results["params"] = params
    for metric in metrics:
        store(f"test_{metric}", splits=True, rank=True)
        if return_train_score:
            store(f"train_{metric}", splits=True, rank=False)
    results["trial_number"] = np.array([t.number for t in trials], dtype=int)
    results["state"] = np.array([t.state.name for t in trials], dtype=object)
    return results


def best_index(results: dict[str, Any], metric: str) -> int:
    """Row of the highest ``mean_test_<metric>`` (NaN rows never win)."""
    return top_indices(results, metric, 1)[0]


def top_indices(results: dict[str, Any], metric: str, k: int) -> list[int]:
    """Rows of the ``k`` highest ``mean_test_<metric>``, best first, ties in trial order.

    Only complete trials with a score are candidates (a failed trial's
    ``error_score`` may be a number); with none, the first row.
    """
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    complete = np.asarray(results.get("state", ["COMPLETE"] * len(means))) == "COMPLETE"
    keyed = np.where(np.isnan(means) | ~complete, -np.inf, means)
    order = np.argsort(-keyed, kind="stable")
    scored = [int(i) for i in order if np.isfinite(keyed[i])]
    return (scored or [int(order[0])])[:k]


def select_index(results: dict[str, Any], metric: str, defaults: int | None,
                 margin: float) -> int:
    """The row to refit: the best, unless the defaults' row is within ``margin`` SEs of it.

    With 20 trials on a few hundred rows the highest mean CV score is partly
    luck (the winner's curse): it beats the estimator's own configuration by a
    fold's noise and then scores below it on new data. As in the
    one-standard-error rule (Hastie, Tibshirani & Friedman, *The Elements of
    Statistical Learning*, 7.10), the defaults' row ``defaults`` is kept while
    ``mean_best - mean_defaults <= margin * SE``, where SE is the standard error
    of the best row's mean over its folds (``std(ddof=1) / sqrt(n_splits)``).
    ``margin=0`` or ``defaults=None`` (no complete defaults trial) gives the
    best row.
    """
    best = best_index(results, metric)
    if defaults is None or margin == 0 or defaults == best:
        return best
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    state = np.asarray(results.get("state", ["COMPLETE"] * len(means)))
    if state[defaults] != "COMPLETE" or not np.isfinite(means[defaults]):
        return best
    splits = sorted(k for k in results if k.startswith("split") and k.endswith(f"_test_{metric}"))
    folds = np.array([results[k][best] for k in splits], dtype=float)
    if len(folds) < 2 or not np.isfinite(folds).all():
        return best
    se = float(np.std(folds, ddof=1) / np.sqrt(len(folds)))
    return defaults if means[best] - means[defaults] <= margin * se else best


def refit_indices(results: dict[str, Any], metric: str, k: int, best: int) -> list[int]:
    """Rows a refit fits: ``[best]`` for one model, else the ``k`` highest scores."""
    return [int(best)] if k == 1 else top_indices(results, metric, k)


def _times(trial, key: str, n_splits: int) -> np.ndarray:
    values = list(trial.user_attrs.get(key, []))[:n_splits]
    return np.asarray(values + [np.nan] * (n_splits - len(values)), dtype=float)
