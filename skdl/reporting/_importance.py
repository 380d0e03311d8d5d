"""Search parameters as plain data: short names, kinds, and one importance ranking.

The importance chart, the slice plot, the parallel-coordinates plot and the
report's notes all read :func:`compute_param_importances`, so they rank the
parameters the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from skdl.reporting._utils import quiet_experimental

__all__ = ["FEW_TRIALS", "compute_param_importances", "short_param_names"]

#: Below this many complete trials the report says importances are rough.
FEW_TRIALS = 30
#: A conditional parameter set in fewer trials than this gets no importance (NaN):
#: on three or four points the evaluator returns noise that looks like a number.
MIN_CONDITIONAL_TRIALS = 5


def short_param_names(names) -> dict[str, str]:
    """Parameter names without the prefix they all share (a Pipeline step's ``model__``).

    The prefix is stripped only when every name carries it, so the short
    names stay distinct; ``optimizer__momentum`` next to ``optimizer`` in a
    bare estimator keeps its ``optimizer__``.

    Parameters
    ----------
    names : iterable of str

    Returns
    -------
    short : dict of str to str
        ``{full name: short name}`` in the order given.

    Examples
    --------
    >>> from skdl.reporting import short_param_names
    >>> short_param_names(["model__learning_rate", "model__optimizer__momentum"])
    {'model__learning_rate': 'learning_rate', 'model__optimizer__momentum': 'optimizer__momentum'}
    """
    names = [str(n) for n in names]
    short = list(names)
    while short and all("__" in s for s in short):
        heads = {s.split("__", 1)[0] for s in short}
        if len(heads) != 1:
            break
        short = [s.split("__", 1)[1] for s in short]
    return dict(zip(names, short))


def _complete_trials(study) -> list:
    return [t for t in study.get_trials(deepcopy=False)
            if getattr(t.state, "name", str(t.state)) == "COMPLETE" and t.value is not None]


def _kind(dist) -> str:
    name = type(dist).__name__
    if name == "CategoricalDistribution":
        return "categorical"
    log = bool(getattr(dist, "log", False))
    if name in ("IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution"):
        return "log-int" if log else "int"
    return "log" if log else "float"


def _union_distribution(dists):
    """One distribution covering every trial's (dynamic spaces give each trial its own range)."""
    import optuna.distributions as od

    first = dists[0]
    if isinstance(first, od.CategoricalDistribution):
        choices = []
        for d in dists:
            for c in d.choices:
                if c not in choices:
                    choices.append(c)
        return od.CategoricalDistribution(choices)
    low = min(d.low for d in dists)
    high = max(d.high for d in dists)
    if isinstance(first, od.IntDistribution):
        return od.IntDistribution(int(low), int(high), log=first.log)
    return od.FloatDistribution(float(low), float(high), log=first.log)


def _flat_study(study, trials):
    """An in-memory copy of the complete trials with one distribution per parameter.

    Optuna's evaluators refuse a parameter whose range changes from trial to
    trial (e.g. a layer's units bounded by the previous layer's); the union
    of the ranges describes every trial's value, so the copy can be ranked.
    """
    import optuna

    names = sorted({n for t in trials for n in t.params})
    union = {}
    for n in names:
        dists = [t.distributions[n] for t in trials if n in t.distributions]
        try:
            union[n] = _union_distribution(dists)
        except (TypeError, ValueError, AttributeError):  # mixed kinds: leave the parameter out
            continue
    flat = optuna.create_study(direction=study.direction)
    for t in trials:
        params = {n: v for n, v in t.params.items() if n in union}
        flat.add_trial(optuna.trial.create_trial(
            params=params, distributions={n: union[n] for n in params}, value=float(t.value)))
    return flat, union


def compute_param_importances(search: Any, *, evaluator=None) -> pd.DataFrame:
    """How much each parameter explains the objective, with its kind and how often it was set.

    One ranking for every search plot: the importance chart draws it, the
    slice and parallel-coordinates plots show the parameters in its order.
    Parameters set in every complete trial are ranked together; a
    conditional parameter (set in some trials only, e.g. ``momentum`` of the
    SGD trials) is ranked on the trials that set it, against the others, and
    flagged, because its number answers a narrower question.

    Parameters
    ----------
    search : optuna.Study or object with ``study_``
    evaluator : optuna importance evaluator, default=None
        Default ``optuna.importance.FanovaImportanceEvaluator(seed=0)``, so the
        same study always gives the same ranking.

    Returns
    -------
    frame : pandas.DataFrame
        Indexed by the full parameter name, most important first, with
        columns ``name`` (short name, see :func:`short_param_names`),
        ``importance`` (Optuna's normalised importance; NaN when it cannot
        be estimated, e.g. a conditional parameter set in fewer than
        ``MIN_CONDITIONAL_TRIALS`` trials),
        ``kind`` (``"float"``, ``"log"``, ``"int"``, ``"log-int"`` or
        ``"categorical"``), ``n_trials`` (complete trials that set it) and
        ``conditional`` (set in only some of them). ``frame.attrs`` holds
        ``n_complete`` and ``evaluator`` (its class name).

    Examples
    --------
    >>> import optuna  # doctest: +SKIP
    >>> study = optuna.create_study()  # doctest: +SKIP
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + 0.01 * t.suggest_float("y", 0, 1),
    ...                n_trials=20)  # doctest: +SKIP
    >>> compute_param_importances(study).index[0]  # doctest: +SKIP
    'x'
    """
    from skdl.reporting._search import _require_study

    study = _require_study(search, "parameter importances")
    trials = _complete_trials(study)
    names = sorted({n for t in trials for n in t.params})
    columns = ["name", "importance", "kind", "n_trials", "conditional"]
    if not names:
        frame = pd.DataFrame(columns=columns)
        frame.attrs.update(n_complete=len(trials), evaluator=None)
        return frame
    import optuna

    if evaluator is None:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
    counts = {n: sum(n in t.params for t in trials) for n in names}
    flat, union = _flat_study(study, trials)
    varying = [n for n in union if len({repr(t.params[n]) for t in trials if n in t.params}) > 1]
    always = [n for n in varying if counts[n] == len(trials)]
    importance = {n: (0.0 if n in union and n not in varying else math.nan) for n in names}

    def rank(params):
        with quiet_experimental():
            return optuna.importance.get_param_importances(flat, evaluator=evaluator, params=params)

    if always and len(trials) >= 2:
        try:
            importance.update(rank(always))
        except (ValueError, RuntimeError):  # too few trials for the evaluator
            pass
    for n in varying:
        if n in always or counts[n] < MIN_CONDITIONAL_TRIALS:
            continue
        try:
            importance[n] = float(rank(always + [n])[n])
        except (ValueError, RuntimeError):
            pass
    short = short_param_names(names)
    dists = {n: next(t.distributions[n] for t in trials if n in t.distributions) for n in names}
    frame = pd.DataFrame(
        {
            "name": [short[n] for n in names],
            "importance": [float(importance[n]) for n in names],
            "kind": [_kind(dists[n]) for n in names],
            "n_trials": [int(counts[n]) for n in names],
            "conditional": [counts[n] < len(trials) for n in names],
        },
        index=pd.Index(names, name="parameter"),
    )
    order = np.lexsort((np.arange(len(frame)), -frame["importance"].fillna(-1.0).to_numpy()))
    frame = frame.iloc[order]
    frame.attrs.update(n_complete=len(trials), evaluator=type(evaluator).__name__)
    return frame
