"""Importance chart, slice plot and parallel coordinates of a search: data, then drawing.

``compute_slice`` and ``compute_parallel_coordinates`` return plain data
(arrays, tick positions and labels) built on :func:`compute_param_importances`,
so all three plots show the same parameters in the same order under the same
short names; the ``draw_*`` functions only draw.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from skdl.reporting._importance import FEW_TRIALS, _complete_trials, compute_param_importances

__all__ = ["ParamAxis", "compute_parallel_coordinates", "compute_slice"]

#: Panels of the slice plot and axes of the parallel-coordinates plot (besides the objective).
SLICE_MAX_PARAMS = 6
PARALLEL_MAX_PARAMS = 8
_NOT_SET = -0.14  # parallel coordinates: where trials that did not set a conditional parameter pass


@dataclass(frozen=True)
class ParamAxis:
    """One parameter as a plot axis.

    Attributes
    ----------
    name : str
        Full parameter name (``model__learning_rate``).
    label : str
        Short name shown on the plot (``learning_rate``).
    kind : str
        ``"float"``, ``"log"``, ``"int"``, ``"log-int"``, ``"categorical"`` or
        ``"objective"``.
    importance : float
        From :func:`compute_param_importances` (NaN when unknown).
    n_trials : int
        Complete trials that set it.
    conditional : bool
        Set in only some complete trials.
    categories : tuple
        The values of a categorical parameter in axis order (empty otherwise).
    ticks : ndarray
        Tick positions (parallel coordinates: in [0, 1]; slice: in data units).
    ticklabels : list of str
    """

    name: str
    label: str
    kind: str
    importance: float
    n_trials: int
    conditional: bool
    categories: tuple = ()
    ticks: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    ticklabels: list = field(default_factory=list, repr=False)


def _fmt_value(v: float, kind: str) -> str:
    if kind in ("int", "log-int"):
        return str(int(round(v)))
    if v == 0:
        return "0"
    a = abs(v)
    if a < 1e-3 or a >= 1e5:
        mant, exp = f"{v:.2e}".split("e")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    return f"{v:.3g}"


def _category_label(c, width: int = 14) -> str:
    text = "None" if c is None else str(c)
    return text if len(text) <= width else text[: width - 1] + "…"


def _categories(values, dist) -> tuple:
    """The categories trials used, in the distribution's order."""
    seen = {repr(v) for v in values}
    choices = list(getattr(dist, "choices", []))
    ordered = [c for c in choices if repr(c) in seen]
    for v in values:  # values a changed distribution no longer lists
        if repr(v) not in {repr(c) for c in ordered}:
            ordered.append(v)
    return tuple(ordered)


def _numeric_ticks(lo: float, hi: float, kind: str) -> np.ndarray:
    """Round tick values inside [lo, hi] (log kinds: in log10 units)."""
    from matplotlib.ticker import MaxNLocator

    if hi <= lo:
        return np.array([lo])
    if kind in ("log", "log-int"):
        # decades when the range spans several, else 1-2-5 or 1-3 steps: round values, even in log space
        for mantissas in ((1.0,), (1.0, 2.0, 5.0), (1.0, 3.0)):
            values = np.array([m * 10.0**e for e in range(math.floor(lo) - 1, math.ceil(hi) + 2) for m in mantissas])
            inside = np.log10(values)
            inside = inside[(inside >= lo - 1e-9) & (inside <= hi + 1e-9)]
            if kind == "log-int":
                inside = inside[np.isclose(10**inside, np.round(10**inside))]
            if (len(inside) >= 3 and mantissas == (1.0,)) or 3 <= len(inside) <= 6 \
                    or (mantissas == (1.0, 3.0) and len(inside) >= 2):
                if len(inside) > 6:
                    inside = inside[:: int(math.ceil(len(inside) / 5))]
                return inside
        return np.array([lo, hi])
    ticks = MaxNLocator(nbins=5, integer=kind == "int").tick_values(lo, hi)
    ticks = ticks[(ticks >= lo - 1e-9 * abs(hi - lo)) & (ticks <= hi + 1e-9 * abs(hi - lo))]
    return ticks if len(ticks) >= 2 else np.array([lo, hi])


def _trials_and_ranking(search, max_params, ranking=None):
    from skdl.reporting._search import _maximize, _require_study

    study = _require_study(search, "search parameter plots")
    maximize = _maximize(study)
    trials = _complete_trials(study)
    if ranking is None:
        ranking = compute_param_importances(study)
    varying = [n for n in ranking.index if len({repr(t.params.get(n)) for t in trials if n in t.params}) > 1]
    chosen = varying[:max_params] if max_params else varying
    return study, maximize, trials, ranking, chosen


@dataclass(frozen=True)
class SliceData:
    """What :func:`compute_slice` returns.

    Attributes
    ----------
    params : list of ParamAxis
        The panels, most important first (``ticks`` in data units, category
        index for categorical parameters).
    x : list of ndarray
        Per panel, the value of each trial that set the parameter (category
        index for categorical ones).
    y : list of ndarray
        Per panel, those trials' objective values.
    numbers : list of ndarray
        Per panel, those trials' numbers.
    n_complete : int
    n_params : int
        Parameters that vary over the complete trials (panels are the first
        ``len(params)`` of them by importance).
    maximize : bool
    """

    params: list
    x: list = field(repr=False)
    y: list = field(repr=False)
    numbers: list = field(repr=False)
    n_complete: int = 0
    n_params: int = 0
    maximize: bool = True


def compute_slice(search: Any, *, max_params: int | None = SLICE_MAX_PARAMS, ranking=None) -> SliceData:
    """Objective against each parameter, for the most important parameters.

    Parameters
    ----------
    search : optuna.Study or object with ``study_``
    max_params : int or None, default=6
        Panels drawn, most important first (:func:`compute_param_importances`);
        None for every parameter that varies.
    ranking : DataFrame, default=None
        :func:`compute_param_importances` of the same study, when already
        computed (it fits a random forest).

    Returns
    -------
    SliceData
    """
    _, maximize, trials, ranking, chosen = _trials_and_ranking(search, max_params, ranking)
    params, xs, ys, numbers = [], [], [], []
    for name in chosen:
        row = ranking.loc[name]
        used = [t for t in trials if name in t.params]
        raw = [t.params[name] for t in used]
        dist = next(t.distributions[name] for t in used)
        cats: tuple = ()
        if row["kind"] == "categorical":
            cats = _categories(raw, dist)
            index = {repr(c): i for i, c in enumerate(cats)}
            x = np.array([index[repr(v)] for v in raw], dtype=float)
            ticks, labels = np.arange(len(cats), dtype=float), [_category_label(c) for c in cats]
        else:
            x = np.asarray(raw, dtype=float)
            ticks, labels = np.zeros(0), []  # matplotlib's own locators (log axes for log kinds)
        params.append(ParamAxis(name, row["name"], row["kind"], float(row["importance"]), int(row["n_trials"]),
                                bool(row["conditional"]), cats, ticks, labels))
        xs.append(x)
        ys.append(np.array([float(t.value) for t in used]))
        numbers.append(np.array([t.number for t in used]))
    n_varying = sum(len({repr(t.params.get(n)) for t in trials if n in t.params}) > 1 for n in ranking.index)
    return SliceData(params, xs, ys, numbers, len(trials), n_varying, maximize)


@dataclass(frozen=True)
class ParallelData:
    """What :func:`compute_parallel_coordinates` returns.

    Attributes
    ----------
    axes : list of ParamAxis
        The objective (kind ``"objective"``) then the parameters, most
        important first; ``ticks`` are positions in [0, 1].
    positions : ndarray of shape (n_trials, n_axes)
        Each complete trial's place on each axis, in [0, 1]; NaN where a
        conditional parameter was not set.
    values : ndarray of shape (n_trials,)
        Objective values.
    numbers : ndarray of shape (n_trials,)
        Trial numbers.
    best : int
        Row of the best trial.
    n_params : int
        Parameters that vary (axes show at most ``max_params`` of them).
    maximize : bool
    """

    axes: list
    positions: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    numbers: np.ndarray = field(repr=False)
    best: int = 0
    n_params: int = 0
    maximize: bool = True


def _axis_positions(raw: list, kind: str, dist) -> tuple[np.ndarray, np.ndarray, list, tuple]:
    """Positions in [0, 1] of the values (None for "not set"), tick positions and labels."""
    present = [v for v in raw if v is not _MISSING]
    if kind == "categorical":
        cats = _categories(present, dist)
        index = {repr(c): i for i, c in enumerate(cats)}
        span = max(len(cats) - 1, 1)
        where = (lambda i: 0.5) if len(cats) == 1 else (lambda i: i / span)
        pos = np.array([np.nan if v is _MISSING else where(index[repr(v)]) for v in raw])
        ticks = np.array([where(i) for i in range(len(cats))])
        return pos, ticks, [_category_label(c) for c in cats], cats
    logged = kind in ("log", "log-int")
    vals = np.array([np.nan if v is _MISSING else float(v) for v in raw])
    t = np.log10(vals) if logged else vals
    lo, hi = np.nanmin(t), np.nanmax(t)
    if hi <= lo:
        label = _fmt_value(10**lo if logged else lo, kind)
        return np.where(np.isnan(t), np.nan, 0.5), np.array([0.5]), [label], ()
    pos = (t - lo) / (hi - lo)
    tick_t = _numeric_ticks(lo, hi, kind)
    labels = [_fmt_value(10**v if logged else v, kind) for v in tick_t]
    if logged and all(float(v).is_integer() for v in tick_t):
        labels = [f"1e{int(v)}" if not 0 <= v <= 3 else _fmt_value(10**v, kind) for v in tick_t]
    return pos, (tick_t - lo) / (hi - lo), labels, ()


_MISSING = object()


def compute_parallel_coordinates(search: Any, *, max_params: int | None = PARALLEL_MAX_PARAMS, ranking=None) -> ParallelData:
    """Each complete trial as a line through the objective and the most important parameters.

    Parameters
    ----------
    search : optuna.Study or object with ``study_``
    max_params : int or None, default=8
        Parameter axes, most important first (:func:`compute_param_importances`);
        None for every parameter that varies.
    ranking : DataFrame, default=None
        :func:`compute_param_importances` of the same study, when already computed.

    Returns
    -------
    ParallelData
    """
    _, maximize, trials, ranking, chosen = _trials_and_ranking(search, max_params, ranking)
    values = np.array([float(t.value) for t in trials])
    n_trials = len(trials)
    obj_ticks = _numeric_ticks(values.min(), values.max(), "float")
    span = values.max() - values.min()
    obj_pos = (values - values.min()) / span if span > 0 else np.full(n_trials, 0.5)
    obj_tick_pos = (obj_ticks - values.min()) / span if span > 0 else np.array([0.5])
    axes = [ParamAxis("objective", "objective value", "objective", math.nan, n_trials, False, (),
                      obj_tick_pos, [_fmt_value(v, "float") for v in (obj_ticks if span > 0 else values[:1])])]
    columns = [obj_pos]
    for name in chosen:
        row = ranking.loc[name]
        raw = [t.params.get(name, _MISSING) for t in trials]
        dist = next(t.distributions[name] for t in trials if name in t.distributions)
        pos, ticks, labels, cats = _axis_positions(raw, row["kind"], dist)
        axes.append(ParamAxis(name, row["name"], row["kind"], float(row["importance"]), int(row["n_trials"]),
                              bool(row["conditional"]), cats, ticks, labels))
        columns.append(pos)
    best = int(np.argmax(values) if maximize else np.argmin(values))
    n_varying = sum(len({repr(t.params.get(n)) for t in trials if n in t.params}) > 1 for n in ranking.index)
    return ParallelData(axes, np.column_stack(columns), values, np.array([t.number for t in trials]), best,
                        n_varying, maximize)


# -- drawing ---------------------------------------------------------------

def _few_trials_note(n_complete: int) -> str:
    if n_complete >= FEW_TRIALS:
        return ""
    return (f"Only {n_complete} complete trials (fewer than {FEW_TRIALS}): "
            "importances and trends are rough.")


def _wrap(label: str, width: int = 15) -> str:
    """Break a parameter name at '.', '__' or '_' so it fits above a narrow axis."""
    parts = label.replace("__", "__\u0000").replace(".", ".\u0000").split("\u0000")
    lines, line = [], ""
    for part in parts:
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = ""
        line += part
    lines.append(line)
    return "\n".join(textwrap.fill(s, width, break_on_hyphens=False) if len(s) > width + 4 else s
                     for s in lines)


def draw_importances(frame: pd.DataFrame, *, ax=None, name: str | None = None, **kwargs):
    """Horizontal bars of :func:`compute_param_importances`, conditional parameters hatched."""
    from skdl.reporting._utils import get_ax

    n = len(frame)
    fig, ax = get_ax(ax, figsize=(8.0, 1.4 + 0.34 * max(n, 1)))
    imp = frame["importance"].to_numpy(dtype=float)
    y = np.arange(n)[::-1]
    shown = np.nan_to_num(imp, nan=0.0)
    style = {"color": "tab:blue", **kwargs}
    bars = ax.barh(y, shown, height=0.65, **style)
    n_complete = frame.attrs.get("n_complete", 0)
    labels = []
    for bar, (_, row), value in zip(bars, frame.iterrows(), imp):
        label = row["name"]
        if row["conditional"]:
            bar.set_hatch("///")
            bar.set_facecolor("#9ecae1")
            bar.set_edgecolor("tab:blue")
            label += f"  ({row['n_trials']} of {n_complete} trials)"
        labels.append(label)
        text = "not estimated" if np.isnan(value) else ("<0.01" if value < 0.005 else f"{value:.2f}")
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {text}", va="center", fontsize=8)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, max(1e-9, float(np.nanmax(shown)) if n else 1.0) * 1.18)
    ax.set_xlabel("importance (share of the objective's variance)")
    evaluator = frame.attrs.get("evaluator") or ""
    evaluator = {"Fanova": "fANOVA", "PedAnova": "PED-ANOVA", "MeanDecreaseImpurity": "MDI"}.get(
        evaluator.replace("ImportanceEvaluator", ""), evaluator.replace("ImportanceEvaluator", ""))
    title = "Parameter importances" + (f" ({evaluator}, {n_complete} complete trials)" if evaluator else "")
    ax.set_title((f"{name}: " if name else "") + title)
    notes = []
    if frame["conditional"].any():
        notes.append("Hatched: conditional parameter, set in only some trials and ranked on those trials.")
    if _few_trials_note(n_complete):
        notes.append(_few_trials_note(n_complete))
    if notes:
        ax.annotate("\n".join(notes), xy=(0, 0), xycoords="axes fraction", xytext=(0, -38),
                    textcoords="offset points", va="top", fontsize=8, color="0.3")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig, ax, bars


def draw_slice(data: SliceData, *, axes=None, name: str | None = None, **kwargs):
    """One scatter panel per parameter, points coloured by trial number."""
    from matplotlib.ticker import MaxNLocator, NullFormatter

    from skdl.reporting._utils import import_pyplot

    plt = import_pyplot(purpose="the slice plot")
    n = len(data.params)
    ncols = min(n, 3)
    nrows = int(math.ceil(n / ncols))
    if axes is None:
        fig, grid = plt.subplots(nrows, ncols, figsize=(4.6 * ncols + 1.2, 3.5 * nrows + 1.0),
                                 squeeze=False, sharey=True, layout="constrained")
        axes = list(grid.ravel())
    else:
        axes = list(np.ravel(axes))
        if len(axes) < n:
            raise ValueError(f"The slice plot needs {n} axes, one per parameter. Got {len(axes)}.")
        fig = axes[0].figure
    all_numbers = np.concatenate(data.numbers) if n else np.zeros(0)
    vmax = max(float(all_numbers.max()) if all_numbers.size else 1.0, 1.0)
    style = {"s": 28, "cmap": "viridis", "edgecolors": "0.25", "linewidths": 0.4, **kwargs}
    scatter = None
    rng = np.random.default_rng(0)  # jitter of categorical values, the same on every page
    for k, ax in enumerate(axes):
        if k >= n:
            ax.set_visible(False)
            continue
        p = data.params[k]
        x = data.x[k]
        if p.kind == "categorical":
            x = x + rng.uniform(-0.12, 0.12, len(x))
        scatter = ax.scatter(x, data.y[k], c=data.numbers[k], vmin=0, vmax=vmax, **style)
        if p.kind == "categorical":
            ax.set_xticks(p.ticks, p.ticklabels, rotation=20 if max(map(len, p.ticklabels)) > 6 else 0)
            ax.set_xlim(-0.5, len(p.ticks) - 0.5)
        elif p.kind in ("log", "log-int"):
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels collide
        elif p.kind == "int":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        title = p.label
        if p.conditional:
            title += f"\n(set in {p.n_trials} of {data.n_complete} trials)"
        if not np.isnan(p.importance):
            title += (", " if p.conditional else "\n") + f"importance {p.importance:.2f}"
        ax.set_title(title, fontsize=10)
        if k % ncols == 0:
            ax.set_ylabel("objective value")
        ax.grid(alpha=0.3)
    if scatter is not None:
        bar = fig.colorbar(scatter, ax=axes[:n], shrink=0.9, pad=0.01)
        bar.set_label("trial")
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    head = f"Objective vs the {n} most important of {data.n_params} parameters" if n < data.n_params \
        else "Objective vs each parameter"
    note = _few_trials_note(data.n_complete)
    fig.suptitle((f"{name}: " if name else "") + head + (f"\n{note}" if note else ""), fontsize=12)
    return fig, axes[:n], scatter


def draw_parallel(data: ParallelData, *, ax=None, name: str | None = None, cmap: str = "viridis", **kwargs):
    """Parallel coordinates on one Axes: a vertical scale per column, a line per trial."""
    from matplotlib.colors import Normalize

    from skdl.reporting._utils import get_ax, import_pyplot

    plt = import_pyplot(purpose="the parallel-coordinates plot")
    k = len(data.axes)
    fig, ax = get_ax(ax, figsize=(max(8.0, 1.55 * k + 1.8), 5.6))
    norm = Normalize(float(data.values.min()), float(data.values.max()))
    colors = plt.get_cmap(cmap)
    any_missing = bool(np.isnan(data.positions).any())
    pos = np.where(np.isnan(data.positions), _NOT_SET, data.positions)
    order = np.argsort(data.values if data.maximize else -data.values)  # best drawn last, on top
    x = np.arange(k)
    style = {"linewidth": 1.2, "alpha": 0.75, **kwargs}
    lines = []
    for i in order:
        if i == data.best:
            continue
        (line,) = ax.plot(x, pos[i], color=colors(norm(data.values[i])), **style)
        lines.append(line)
    (best,) = ax.plot(x, pos[data.best], color="crimson", linewidth=2.6, zorder=5,
                      label=f"best trial (#{data.numbers[data.best]})")
    lines.append(best)
    n_lines = 1
    for j, axis in enumerate(data.axes):
        low = _NOT_SET if axis.conditional else 0.0
        ax.plot([j, j], [low, 1.0], color="0.2", linewidth=1.0, zorder=3)
        for t, label in zip(axis.ticks, axis.ticklabels):
            ax.plot([j - 0.03, j], [t, t], color="0.2", linewidth=1.0, zorder=3)
            ax.text(j - 0.05, t, label, ha="right", va="center", fontsize=8, zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        if axis.conditional:
            ax.text(j - 0.05, _NOT_SET, "not set", ha="right", va="center", fontsize=7, color="0.35",
                    style="italic", zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        head = _wrap(axis.label) + ("*" if axis.conditional else "")
        n_lines = max(n_lines, head.count("\n") + 1)
        ax.text(j, 1.04, head, ha="center", va="bottom", fontsize=9,
                fontweight="bold" if axis.kind == "objective" else "normal")
    ax.set_xlim(-0.6, k - 0.6)
    ax.set_ylim((_NOT_SET - 0.06) if any_missing else -0.05, 1.07 + 0.055 * n_lines)
    ax.set_axis_off()
    sm = plt.cm.ScalarMappable(norm=norm, cmap=colors)
    bar = fig.colorbar(sm, ax=ax, fraction=0.025, pad=0.01)
    bar.set_label("objective value")
    shown = k - 1
    head = (f"Parallel coordinates: the {shown} most important of {data.n_params} parameters"
            if shown < data.n_params else "Parallel coordinates")
    ax.set_title((f"{name}: " if name else "") + head, pad=8)
    notes = []
    if any(a.conditional for a in data.axes):
        notes.append("* conditional: set in only some trials; the others pass through 'not set'.")
    note = _few_trials_note(len(data.values))
    if note:
        notes.append(note)
    ax.legend(handles=[best], loc="upper left", bbox_to_anchor=(0.0, -0.01), fontsize=8, frameon=False,
              title="   ".join(notes) or None, title_fontsize=8, alignment="left")
    return fig, ax, lines
