"""Training curves from a ``history_`` dict of per-epoch lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from skdl.reporting._utils import final_step, import_pyplot
from skdl.utils import greater_is_better

__all__ = ["HistoryDisplay", "compute_history", "get_history"]

_PREFIXES = ("val_", "eval_")


def get_history(obj: Any) -> dict[str, list[float]] | None:
    """Per-epoch logs of ``obj`` as a dict of lists, or None when it has none.

    Accepts a dict of lists, a DataFrame (one column per key), a fitted
    estimator with ``history_`` (skdl, or the final step of a Pipeline), a
    Keras ``History`` (``.history``), or sklearn's ``MLPClassifier`` /
    ``MLPRegressor`` (``loss_curve_`` becomes ``loss``, ``validation_scores_``
    becomes ``val_score``).

    Parameters
    ----------
    obj : object

    Returns
    -------
    history : dict of str to list of float, or None
    """
    if isinstance(obj, pd.DataFrame):
        return {str(k): [float(v) for v in obj[k]] for k in obj.columns}
    if isinstance(obj, Mapping):
        return {str(k): [float(v) for v in vals] for k, vals in obj.items() if np.ndim(vals) == 1}
    est = final_step(obj)
    hist = getattr(est, "history_", None)
    if hist is not None:
        return get_history(hist)
    if isinstance(getattr(est, "history", None), Mapping):  # keras.callbacks.History
        return get_history(est.history)
    loss = getattr(est, "loss_curve_", None)
    if loss is not None:
        out = {"loss": [float(v) for v in loss]}
        val = getattr(est, "validation_scores_", None)
        if val is not None and len(val) == len(loss):
            out["val_score"] = [float(v) for v in val]
        return out
    return None


@dataclass(frozen=True)
class HistoryCurves:
    """Training curves grouped into panels, as computed by :func:`compute_history`.

    Attributes
    ----------
    epochs : ndarray of int
        1-based epoch numbers.
    panels : dict of str to dict of str to ndarray
        ``{metric: {"train" | "val" | "eval": values}}``, ``loss`` first.
    learning_rate : ndarray or None
        The rate of each epoch, when recorded.
    monitor : str or None
        Key used to choose the best epoch (``val_loss`` when present); None
        when the history holds no validation or eval-set values.
    best_epoch : int or None
        1-based epoch where ``monitor`` is best, in the direction
        :func:`skdl.utils.greater_is_better` gives for its name.
    best_value : float or None
        ``monitor`` at ``best_epoch``.
    """

    epochs: np.ndarray = field(repr=False)
    panels: dict = field(repr=False)
    learning_rate: np.ndarray | None = field(repr=False)
    monitor: str | None
    best_epoch: int | None
    best_value: float | None


def compute_history(history: Mapping[str, Any], *, monitor: str | None = None) -> HistoryCurves:
    """Group a ``history_`` dict into panels and find the best epoch.

    Parameters
    ----------
    history : dict of str to list of float
        ``loss``, metric names, their ``val_`` / ``eval_`` versions and
        ``learning_rate``, one value per epoch (skdl's ``history_`` contract).
    monitor : str, default=None
        Key that defines the best epoch. Default: ``val_loss``, else the
        first other ``val_`` key, else ``eval_loss``, else the first other
        ``eval_`` key. A history of training values only gets no best epoch
        (the lowest training loss says nothing about generalisation); pass
        ``monitor="loss"`` to ask for one anyway.

    Returns
    -------
    HistoryCurves

    Examples
    --------
    >>> from skdl.reporting import compute_history
    >>> compute_history({"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]}).best_epoch
    2
    """
    history = get_history(history)
    if not history:
        raise ValueError("The history is empty: expected a dict of per-epoch lists such as {'loss': [...]}.")
    lengths = {k: len(v) for k, v in history.items()}
    n = max(lengths.values())
    panels: dict[str, dict[str, np.ndarray]] = {}
    lr = None
    for key, values in history.items():
        arr = np.asarray(values, dtype=float)
        if key in ("learning_rate", "lr"):
            lr = arr
            continue
        split, metric = "train", key
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                split, metric = prefix[:-1], key[len(prefix):]
        panels.setdefault(metric, {})[split] = arr
    order = sorted(panels, key=lambda m: (m != "loss", list(panels).index(m)))
    panels = {m: panels[m] for m in order}
    if monitor is None:
        val_keys = [k for k in history if k.startswith("val_")]
        eval_keys = [k for k in history if k.startswith("eval_")]
        candidates = ["val_loss", *val_keys, "eval_loss", *eval_keys]
        monitor = next((k for k in candidates if k in history), None)
    elif monitor not in history:
        raise ValueError(f"monitor={monitor!r} is not in the history; keys are {sorted(history)}.")
    best_epoch = best_value = None
    if monitor is not None:
        vals = np.asarray(history[monitor], dtype=float)
        if np.isfinite(vals).any():
            idx = int(np.nanargmax(vals) if greater_is_better(monitor) else np.nanargmin(vals))
            best_epoch, best_value = idx + 1, float(vals[idx])
    return HistoryCurves(np.arange(1, n + 1), panels, lr, monitor, best_epoch, best_value)


_SPLIT_STYLE = {
    "train": {"color": "tab:blue", "label": "train"},
    "val": {"color": "tab:orange", "label": "validation"},
    "eval": {"color": "tab:green", "label": "eval set", "linestyle": "--"},
}


class HistoryDisplay:
    """Learning curves: loss and each metric, train vs validation, best epoch marked.

    One panel per metric (loss first) with the training, ``val_`` and
    ``eval_`` curves; a vertical line and a marker at the best epoch; the
    learning rate on its own panel when recorded.

    Parameters
    ----------
    curves : HistoryCurves
        As returned by :func:`compute_history`.
    name : str, default=None
        Model name for the title.

    Attributes
    ----------
    axes_ : dict of str to matplotlib Axes
        Panel axes by metric (``"learning_rate"`` for the rate panel).
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        Curves by history key (``"loss"``, ``"val_accuracy"``, ...).
    best_lines_ : list of Line2D
        The best-epoch markers.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : score vs training-set size.

    Examples
    --------
    >>> from skdl.reporting import HistoryDisplay
    >>> history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.6, 0.7],
    ...            "accuracy": [0.6, 0.8, 0.9], "val_accuracy": [0.5, 0.7, 0.7]}
    >>> disp = HistoryDisplay.from_history(history)  # doctest: +SKIP
    >>> disp.curves.best_epoch  # doctest: +SKIP
    2
    """

    def __init__(self, curves: HistoryCurves, *, name: str | None = None):
        self.curves = curves
        self.name = name

    @classmethod
    def from_history(cls, history, *, monitor=None, name=None, **plot_kwargs):
        """Plot a ``history_`` dict (or DataFrame) of per-epoch values.

        Parameters
        ----------
        history : dict of str to list of float or DataFrame
        monitor : str, default=None
            Key defining the best epoch (see :func:`compute_history`).
        name : str, default=None
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        HistoryDisplay
        """
        return cls(compute_history(history, monitor=monitor), name=name).plot(**plot_kwargs)

    @classmethod
    def from_estimator(cls, estimator, *, monitor=None, name=None, **plot_kwargs):
        """Plot the ``history_`` of a fitted estimator (final step of a Pipeline).

        Parameters
        ----------
        estimator : fitted estimator
            With ``history_`` (or sklearn MLP's ``loss_curve_``).
        monitor, name, **plot_kwargs
            As in :meth:`from_history`; ``name`` defaults to the class name.

        Returns
        -------
        HistoryDisplay
        """
        history = get_history(estimator)
        if history is None:
            raise ValueError(
                f"{type(final_step(estimator)).__name__} has no training history "
                "(no history_ or loss_curve_ attribute). Is it fitted?"
            )
        return cls.from_history(history, monitor=monitor, name=name or type(final_step(estimator)).__name__,
                                **plot_kwargs)

    def plot(self, ax=None, *, figure=None, mark_best: bool = True, ncols: int = 3, **kwargs):
        """Draw one panel per metric, plus the learning rate when recorded.

        Parameters
        ----------
        ax : sequence of matplotlib Axes, default=None
            One axes per panel (metrics, then the learning rate); new axes
            in ``figure`` (or a new figure) when None.
        figure : matplotlib Figure, default=None
            Figure to fill with new axes when ``ax`` is None.
        mark_best : bool, default=True
            Mark the best epoch on every panel.
        ncols : int, default=3
            Panels per row.
        **kwargs
            Passed to ``ax.plot`` for every curve (e.g. ``linewidth``).

        Returns
        -------
        self
        """
        plt = import_pyplot(purpose="HistoryDisplay.plot")
        c = self.curves
        keys = list(c.panels) + (["learning_rate"] if c.learning_rate is not None else [])
        n = len(keys)
        ncols = min(ncols, n)
        nrows = int(np.ceil(n / ncols))
        if ax is not None:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) < n:
                raise ValueError(f"HistoryDisplay.plot needs {n} axes ({', '.join(keys)}). Got {len(axes)}.")
            figure = axes[0].figure
        else:
            if figure is None:
                figure = plt.figure(figsize=(4.6 * ncols, 3.6 * nrows + 0.5), layout="constrained")
            axes = figure.subplots(nrows, ncols, squeeze=False)
        from matplotlib.ticker import MaxNLocator

        self.figure_ = figure
        self.axes_, self.lines_, self.best_lines_ = {}, {}, []
        self.ax_ = np.ravel(axes)[0]
        for k, ax in enumerate(np.ravel(axes)):
            if k >= n:
                ax.set_visible(False)
                continue
            key = keys[k]
            self.axes_[key] = ax
            if key == "learning_rate":
                x = np.arange(1, len(c.learning_rate) + 1)
                (line,) = ax.plot(x, c.learning_rate, color="tab:purple", marker="." if len(x) < 40 else None)
                self.lines_["learning_rate"] = line
                positive = c.learning_rate[c.learning_rate > 0]
                if positive.size and positive.max() / positive.min() > 20:
                    ax.set_yscale("log")
                title = "learning rate"
                if np.ptp(c.learning_rate) == 0:
                    # a constant rate: say so instead of stretching float noise over the axis
                    value = float(c.learning_rate[0])
                    ax.set_ylim(0, 2 * value if value > 0 else 1)
                    title = f"learning rate (constant {value:.3g})"
                ax.set(title=title, xlabel="epoch", ylabel="learning rate")
            else:
                for split, values in c.panels[key].items():
                    hkey = key if split == "train" else f"{split}_{key}"
                    x = np.arange(1, len(values) + 1)
                    style = {"marker": "." if len(x) < 40 else None, **_SPLIT_STYLE[split], **kwargs}
                    (line,) = ax.plot(x, values, **style)
                    self.lines_[hkey] = line
                ax.set(title=key, xlabel="epoch", ylabel=key)
                ax.legend(fontsize="small", loc="best")
            if mark_best and c.best_epoch is not None:
                ax.axvline(c.best_epoch, color="grey", linestyle=":", linewidth=1)
                if key == self._monitor_panel():
                    (pt,) = ax.plot([c.best_epoch], [c.best_value], marker="*", markersize=13,
                                    color="crimson", linestyle="none",
                                    label=f"best epoch {c.best_epoch} ({c.monitor} = {c.best_value:.4g})")
                    self.best_lines_.append(pt)
                    ax.legend(fontsize="small", loc="best")
            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        title = "Training history" + (f" — {self.name}" if self.name else "")
        if c.best_epoch is not None:
            title += f" (best epoch {c.best_epoch} by {c.monitor})"
        elif not any(split != "train" for splits in c.panels.values() for split in splits):
            title += " (training data only: no validation curve)"
        figure.suptitle(title)
        return self

    def _monitor_panel(self):
        m = self.curves.monitor
        if m is None:
            return None
        for prefix in _PREFIXES:
            if m.startswith(prefix):
                return m[len(prefix):]
        return m
