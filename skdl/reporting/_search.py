"""Hyperparameter-search tables and plots for an Optuna study or a sklearn search.

Works on an ``optuna.Study``, on any object with a ``study_`` attribute (such
as skdl's ``OptunaSearchCV``) and, for the history plot and trials table, on
any search with ``cv_results_`` (``GridSearchCV``...). Optuna is imported only
when a study's plots are drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from skdl.reporting._tables import cv_summary
from skdl.reporting._importance import short_param_names
from skdl.reporting._utils import get_ax, import_pyplot

__all__ = [
    "SearchDisplay",
    "compute_intermediate_values",
    "compute_optimization_history",
    "get_study",
    "search_overview",
    "search_trials_frame",
]

SEARCH_KINDS = ("history", "importances", "parallel", "slice", "intermediate")


def get_study(search: Any):
    """The Optuna study behind ``search``, or None.

    Parameters
    ----------
    search : optuna.Study, object with ``study_``, or anything else

    Returns
    -------
    study : optuna.Study or None
    """
    if search is None:
        return None
    study = getattr(search, "study_", None)
    if study is not None:
        return study
    if hasattr(search, "trials") and hasattr(search, "directions"):
        return search
    return None


def _state(trial) -> str:
    return getattr(trial.state, "name", str(trial.state))


def _maximize(study) -> bool:
    if len(study.directions) != 1:
        raise ValueError("skdl.reporting handles single-objective studies; this study has "
                         f"{len(study.directions)} objectives.")
    return study.direction.name == "MAXIMIZE"


def compute_optimization_history(search: Any) -> pd.DataFrame:
    """Objective value of each trial and the best value so far.

    Parameters
    ----------
    search : optuna.Study, object with ``study_``, or a search with ``cv_results_``
        For a plain sklearn search the "trials" are its candidates in order
        and the value is ``mean_test_score`` (the first ``mean_test_*``).

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``number``, ``state`` (``COMPLETE``, ``PRUNED``, ``FAIL``...),
        ``value`` (NaN unless complete) and ``best_value`` (running best over
        complete trials, following the study direction).

    Examples
    --------
    >>> import optuna  # doctest: +SKIP
    >>> study = optuna.create_study()  # doctest: +SKIP
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)  # doctest: +SKIP
    >>> compute_optimization_history(study)["best_value"].iloc[-1] == study.best_value  # doctest: +SKIP
    True
    """
    study = get_study(search)
    if study is not None:
        maximize = _maximize(study)
        rows = [
            {"number": t.number, "state": _state(t),
             "value": float(t.value) if _state(t) == "COMPLETE" and t.value is not None else np.nan}
            for t in study.trials
        ]
        frame = pd.DataFrame(rows, columns=["number", "state", "value"])
    else:
        cv = getattr(search, "cv_results_", search)
        if not isinstance(cv, dict) or "params" not in cv:
            raise TypeError(
                "Expected an Optuna study, an object with study_, or a search with cv_results_. "
                f"Got {type(search).__name__}."
            )
        key = "mean_test_score" if "mean_test_score" in cv else next(k for k in cv if k.startswith("mean_test_"))
        values = np.asarray(cv[key], dtype=float)
        frame = pd.DataFrame({"number": np.arange(len(values)), "state": "COMPLETE", "value": values})
        maximize = True  # sklearn scores are "greater is better"
    running = frame["value"].cummax() if maximize else frame["value"].cummin()
    frame["best_value"] = running.ffill()
    return frame


def compute_intermediate_values(search: Any) -> dict[int, dict[str, Any]]:
    """Per-step values reported by each trial (what pruning looked at).

    Parameters
    ----------
    search : optuna.Study or object with ``study_``

    Returns
    -------
    values : dict of int to dict
        ``{trial number: {"steps": ndarray, "values": ndarray, "state": str}}``
        for trials that reported at least one intermediate value.
    """
    study = _require_study(search, "intermediate values")
    out = {}
    for t in study.trials:
        if t.intermediate_values:
            steps = np.array(sorted(t.intermediate_values))
            out[t.number] = {
                "steps": steps,
                "values": np.array([t.intermediate_values[s] for s in steps], dtype=float),
                "state": _state(t),
            }
    return out


def _require_study(search, what):
    study = get_study(search)
    if study is None:
        raise ValueError(f"{what} need an Optuna study (an optuna.Study or an object with study_); "
                         f"got {type(search).__name__}.")
    return study


def search_trials_frame(search: Any, *, n_top: int | None = 10) -> pd.DataFrame:
    """The best trials of a search, best first.

    Parameters
    ----------
    search : optuna.Study, object with ``study_``, or a search with ``cv_results_``
    n_top : int or None, default=10
        Number of rows; None for all complete trials.

    Returns
    -------
    frame : pandas.DataFrame
        For a study: complete trials sorted by value (study direction), with
        ``number``, ``value``, one column per parameter under its short name
        (:func:`short_param_names`: no shared ``model__`` prefix; a
        conditional parameter is None where a trial did not set it),
        ``duration (s)``, and any ``user_attrs`` that are numbers (e.g.
        per-fold scores). For a sklearn search: :func:`cv_summary` of its
        ``cv_results_``.
    """
    study = get_study(search)
    if study is None:
        return cv_summary(getattr(search, "cv_results_", search), n_top=n_top)
    maximize = _maximize(study)
    done = [t for t in study.trials if _state(t) == "COMPLETE" and t.value is not None]
    short = short_param_names(sorted({n for t in done for n in t.params}))
    rows = []
    for t in done:
        row = {"number": t.number, "value": float(t.value), **{short[k]: v for k, v in t.params.items()}}
        if t.datetime_start and t.datetime_complete:
            row["duration (s)"] = (t.datetime_complete - t.datetime_start).total_seconds()
        for k, v in t.user_attrs.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                row[k] = v
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    params = list(dict.fromkeys(short[k] for t in done for k in t.params))
    rest = [k for k in dict.fromkeys(k for row in rows for k in row) if k not in params and k not in ("number", "value")]
    columns = ["number", "value", *params, *rest]  # a conditional parameter stays with the others
    # A column with gaps (a conditional parameter) keeps its values as objects,
    # so integers stay integers and an unset parameter stays None, not NaN.
    frame = pd.DataFrame({
        c: pd.Series([row.get(c) for row in rows], dtype=None if all(c in row for row in rows) else object)
        for c in columns
    })
    frame = frame.sort_values("value", ascending=not maximize, kind="stable").reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")
    return frame.head(n_top) if n_top else frame


def search_overview(search: Any) -> pd.Series:
    """Counts of trials by state, the best value and the best trial number.

    Parameters
    ----------
    search : optuna.Study, object with ``study_``, or a search with ``cv_results_``

    Returns
    -------
    overview : pandas.Series
    """
    hist = compute_optimization_history(search)
    out = {"trials": len(hist)}
    for state, count in hist["state"].value_counts().items():
        out[f"{state.lower()} trials"] = int(count)
    if hist["value"].notna().any():
        study = get_study(search)
        maximize = True if study is None else _maximize(study)
        idx = hist["value"].idxmax() if maximize else hist["value"].idxmin()
        out["best value"] = float(hist.loc[idx, "value"])
        out["best trial"] = int(hist.loc[idx, "number"])
    return pd.Series(out, dtype=object)


class SearchDisplay:
    """Plots of a hyperparameter search, one kind at a time.

    ``kind`` is one of

    * ``"history"``: objective of each trial (pruned and failed trials marked
      on the x axis) and the best value so far;
    * ``"intermediate"``: the per-step values each trial reported, pruned
      trials in red;
    * ``"importances"``: :func:`compute_param_importances` as bars,
      conditional parameters (set in some trials only) hatched;
    * ``"slice"``: objective against each of the six most important
      parameters, points coloured by trial number;
    * ``"parallel"``: parallel coordinates through the objective and the
      eight most important parameters.

    The last three share one importance ranking and show short parameter
    names (without a Pipeline step's ``model__`` prefix). With fewer than 30
    complete trials their figures say the ranking is rough. Only
    ``"history"`` works without a study (plain sklearn searches).

    Each kind is computed by a function that returns plain data
    (:func:`compute_optimization_history`, :func:`compute_intermediate_values`,
    :func:`compute_param_importances`, :func:`compute_slice`,
    :func:`compute_parallel_coordinates`), kept in :attr:`data_`, then drawn.

    Parameters
    ----------
    search : optuna.Study, object with ``study_``, or a search with ``cv_results_``
    name : str, default=None
        Title prefix.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The (first) axes of the last plot.
    axes_ : list of matplotlib Axes
        Every axes of the last plot (the slice plot has one per parameter).
    figure_ : matplotlib Figure
    data_ : object
        What the compute function of the last plot returned.

    Examples
    --------
    >>> from skdl.reporting import SearchDisplay
    >>> disp = SearchDisplay.from_search(study, kind="history")  # doctest: +SKIP
    """

    def __init__(self, search: Any, *, name: str | None = None):
        self.search = search
        self.name = name

    @classmethod
    def from_search(cls, search, *, kind: str = "history", name=None, ax=None, **kwargs):
        """Plot one kind of search plot.

        Parameters
        ----------
        search : optuna.Study, object with ``study_``, or a search with ``cv_results_``
        kind : {"history", "importances", "parallel", "slice", "intermediate"}, default="history"
        name : str, default=None
        ax : matplotlib Axes, default=None
            See :meth:`plot`.
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        SearchDisplay
        """
        return cls(search, name=name).plot(ax, kind=kind, **kwargs)

    def available_kinds(self) -> list[str]:
        """Kinds that can be drawn for this search (by trial counts and states).

        Returns
        -------
        kinds : list of str
        """
        study = get_study(self.search)
        if study is None:
            return ["history"]
        complete = [t for t in study.trials if _state(t) == "COMPLETE"]
        kinds = ["history"] if complete else []
        varying = {k for t in complete for k in t.params}
        varying = {k for k in varying if len({repr(t.params.get(k)) for t in complete}) > 1}
        if len(complete) >= 2 and varying:
            kinds += ["importances", "parallel", "slice"]
        if any(t.intermediate_values for t in study.trials):
            kinds.append("intermediate")
        return kinds

    def plot(self, ax=None, *, kind: str = "history", max_params: int | None = None, **kwargs):
        """Draw one kind of plot.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None. The slice plot takes a
            sequence of axes, one per panel.
        kind : {"history", "importances", "parallel", "slice", "intermediate"}, default="history"
        max_params : int or None, default=None
            Parameters shown by ``"slice"`` (default 6) and ``"parallel"``
            (default 8), most important first.
        **kwargs
            Passed to matplotlib: ``ax.plot`` for the history's points and
            the intermediate and parallel lines, ``ax.barh`` for the
            importances, ``ax.scatter`` for the slice points.

        Returns
        -------
        self
        """
        if kind not in SEARCH_KINDS:
            raise ValueError(f"The 'kind' parameter must be one of {list(SEARCH_KINDS)}. Got {kind!r} instead.")
        import_pyplot(purpose=f"SearchDisplay.plot(kind={kind!r})")  # the install hint, first
        from skdl.reporting import _search_plots as sp
        if kind == "history":
            self.data_ = compute_optimization_history(self.search)
            self._plot_history(self.data_, ax, **kwargs)
        elif kind == "intermediate":
            self.data_ = compute_intermediate_values(self.search)
            self._plot_intermediate(self.data_, ax, **kwargs)
        elif kind == "importances":
            self.data_ = self._ranking()
            self.figure_, self.ax_, self.bars_ = sp.draw_importances(self.data_, ax=ax, name=self.name, **kwargs)
            self.axes_ = [self.ax_]
        elif kind == "slice":
            limit = sp.SLICE_MAX_PARAMS if max_params is None else max_params
            self.data_ = sp.compute_slice(self.search, max_params=limit, ranking=self._ranking())
            self.figure_, self.axes_, _ = sp.draw_slice(self.data_, axes=ax, name=self.name, **kwargs)
            self.ax_ = self.axes_[0] if self.axes_ else None
        else:
            limit = sp.PARALLEL_MAX_PARAMS if max_params is None else max_params
            self.data_ = sp.compute_parallel_coordinates(self.search, max_params=limit, ranking=self._ranking())
            self.figure_, self.ax_, self.lines_ = sp.draw_parallel(self.data_, ax=ax, name=self.name, **kwargs)
            self.axes_ = [self.ax_]
        return self

    def _ranking(self):
        """:func:`compute_param_importances`, computed once per display (it fits a forest)."""
        from skdl.reporting._importance import compute_param_importances

        study = _require_study(self.search, "parameter importances")
        key = (id(study), len(study.trials))
        if getattr(self, "_ranking_key", None) != key:
            self._ranking_cache, self._ranking_key = compute_param_importances(study), key
        return self._ranking_cache

    def _plot_history(self, hist, ax, **kwargs):
        from matplotlib.ticker import MaxNLocator

        fig, ax = get_ax(ax, figsize=(8.0, 4.6))
        self.ax_, self.figure_, self.axes_ = ax, fig, [ax]
        done = hist[hist["state"] == "COMPLETE"]
        style = {"color": "tab:blue", "alpha": 0.7, **kwargs}
        ax.plot(done["number"], done["value"], "o", label="objective value", **style)
        ax.plot(hist["number"], hist["best_value"], "-", color="tab:red", linewidth=2, label="best value")
        # Pruned and failed trials have no objective: mark them on a strip at the bottom.
        strip = ax.get_xaxis_transform()
        for state, marker, color in (("PRUNED", "x", "tab:orange"), ("FAIL", "v", "black")):
            part = hist[hist["state"] == state]
            if len(part):
                ax.plot(part["number"], np.full(len(part), 0.03), marker, color=color, linestyle="none",
                        transform=strip, label=f"{state.lower()} trial ({len(part)})")
        study = get_study(self.search)
        ax.set(xlabel="trial" if study is not None else "candidate", ylabel="objective value")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title((f"{self.name}: " if self.name else "") + "Optimisation history")
        ax.legend(fontsize="small", loc="best")
        ax.grid(alpha=0.3)

    def _plot_intermediate(self, values, ax, **kwargs):
        from matplotlib.ticker import MaxNLocator

        fig, ax = get_ax(ax, figsize=(8.0, 4.6))
        self.ax_, self.figure_, self.axes_ = ax, fig, [ax]
        seen = set()
        for number, v in values.items():
            pruned = v["state"] == "PRUNED"
            key = "pruned" if pruned else ("complete" if v["state"] == "COMPLETE" else v["state"].lower())
            style = {"marker": "." if len(v["steps"]) < 30 else None, "linewidth": 1,
                     "color": "tab:red" if pruned else "tab:blue", "alpha": 0.45 if pruned else 0.8, **kwargs}
            ax.plot(v["steps"], v["values"], label=None if key in seen else f"{key} trials", **style)
            if pruned:
                ax.plot(v["steps"][-1:], v["values"][-1:], "x", color="tab:red")
            seen.add(key)
        ax.set(xlabel="step (epoch)", ylabel="intermediate value")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title((f"{self.name}: " if self.name else "") + "Intermediate values (pruned trials in red)")
        if seen:
            ax.legend(fontsize="small", loc="best")
        ax.grid(alpha=0.3)
