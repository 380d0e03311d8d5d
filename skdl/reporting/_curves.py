"""Per-class ranking curves (ROC, precision-recall): computed data and drawing base.

The compute functions return plain :class:`Curve` records whose ``score`` is
the value sklearn's ``roc_auc_score`` / ``average_precision_score`` gives on the
same data. The display base draws them through sklearn's own
``RocCurveDisplay`` / ``PrecisionRecallDisplay`` and then arranges the legend.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn import metrics

from skdl.reporting._utils import (
    binarize,
    check_scores,
    class_colors,
    estimator_scores,
    final_step,
    import_pyplot,
    infer_classes,
    label_names,
    legend_outside,
    target_type,
)

MICRO = "micro-average"
MACRO = "macro-average"


@dataclass(frozen=True)
class Curve:
    """One curve of a ROC or precision-recall plot.

    Attributes
    ----------
    name : str
        Legend name: the class label as text, ``"micro-average"`` or
        ``"macro-average"``.
    kind : {"binary", "class", "micro", "macro"}
        What the curve summarises.
    x, y : ndarray
        Abscissae and ordinates (ROC: FPR, TPR; PR: recall, precision).
    score : float
        ROC-AUC or average precision, as computed by sklearn.
    prevalence : float or None
        Fraction of positives (the chance level of a PR curve).
    """

    name: str
    kind: str
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    score: float
    prevalence: float | None = None


def _prepare(y_true, y_score, labels, target_names, pos_label):
    kind = target_type(y_true)
    classes = infer_classes(y_true, labels, kind)
    if kind == "binary" and len(classes) != 2:
        raise ValueError(f"A binary target needs 2 labels, got {list(classes)}.")
    S = check_scores(y_score, len(classes), kind)
    Y = binarize(y_true, classes, kind)
    names = label_names(classes, target_names)
    if kind == "binary" and pos_label is not None:
        matches = [i for i, c in enumerate(classes) if c == pos_label]
        if not matches:
            raise ValueError(
                f"pos_label={pos_label!r} is not a class label; labels are {list(classes)}."
            )
        pos = matches[0]
    else:
        pos = 1
    return kind, classes, names, Y, S, pos


def _left_right(x, y, grid):
    """Values of a polyline with vertical jumps just left and right of ``grid``.

    ``x`` is non-decreasing and may repeat (a vertical segment); left of such
    an ``x`` the curve takes its first ``y``, right of it its last one.
    """
    n = len(x)
    jl = np.clip(np.searchsorted(x, grid, side="left"), 0, n - 1)
    prev = np.maximum(jl - 1, 0)
    span = x[jl] - x[prev]
    t = np.divide(grid - x[prev], span, out=np.zeros_like(grid, dtype=float), where=span > 0)
    left = np.where(x[jl] == grid, y[jl], y[prev] + t * (y[jl] - y[prev]))
    jr = np.clip(np.searchsorted(x, grid, side="right") - 1, 0, n - 1)
    right = np.where(x[jr] == grid, y[jr], left)
    return left, right


def macro_roc(curves: list[Curve]) -> tuple[np.ndarray, np.ndarray]:
    """Average of per-class ROC curves whose area is the mean of their AUCs.

    Each curve is evaluated on the union of all FPR values, keeping both ends
    of vertical jumps, so the trapezoidal area of the average curve equals the
    mean of the per-class areas (sklearn's macro one-vs-rest ROC-AUC).
    """
    grid = np.unique(np.concatenate([c.x for c in curves]))
    lefts, rights = zip(*(_left_right(c.x, c.y, grid) for c in curves))
    left, right = np.mean(lefts, axis=0), np.mean(rights, axis=0)
    return np.repeat(grid, 2), np.column_stack([left, right]).ravel()


def _defined(y) -> bool:
    return 0 < y.sum() < len(y)


def compute_roc_curves(
    y_true,
    y_score,
    *,
    labels=None,
    target_names=None,
    pos_label=None,
    sample_weight=None,
    drop_intermediate: bool = True,
) -> list[Curve]:
    """ROC curves: one for a binary target, else one per class plus averages.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        True labels or a multilabel indicator matrix.
    y_score : array-like of shape (n_samples, n_classes) or (n_samples,)
        Scores, one column per class in the order of ``labels`` (binary: the
        positive-class column, or both).
    labels : array-like, default=None
        Class labels in column order; default the sorted labels of ``y_true``.
    target_names : sequence of str, default=None
        Display names of the classes.
    pos_label : label, default=None
        Positive class of a binary target; default ``labels[1]``.
    sample_weight : array-like, default=None
        Sample weights.
    drop_intermediate : bool, default=True
        Passed to :func:`sklearn.metrics.roc_curve`.

    Returns
    -------
    curves : list of Curve
        Binary: one curve (kind ``"binary"``) with ``score ==
        roc_auc_score(y_true == pos_label, score)``. Otherwise one curve per
        class with a defined ROC (kind ``"class"``, one-vs-rest), then
        ``"micro-average"`` (ravelled indicators; ``score ==
        roc_auc_score(Y, S, average="micro")``) and ``"macro-average"``
        (``score`` is the mean per-class AUC, sklearn's ``average="macro"``).
    """
    kind, classes, names, Y, S, pos = _prepare(y_true, y_score, labels, target_names, pos_label)
    sw = {"sample_weight": sample_weight}
    if kind == "binary":
        fpr, tpr, _ = metrics.roc_curve(Y[:, pos], S[:, pos], drop_intermediate=drop_intermediate, **sw)
        auc = metrics.roc_auc_score(Y[:, pos], S[:, pos], **sw)
        return [Curve(names[pos], "binary", fpr, tpr, float(auc))]
    curves = []
    for i, name in enumerate(names):
        if not _defined(Y[:, i]):
            warnings.warn(f"Class {name!r} has no positive or no negative sample; its ROC is skipped.")
            continue
        fpr, tpr, _ = metrics.roc_curve(Y[:, i], S[:, i], drop_intermediate=drop_intermediate, **sw)
        curves.append(Curve(name, "class", fpr, tpr, float(metrics.auc(fpr, tpr))))
    fpr, tpr, _ = metrics.roc_curve(Y.ravel(), S.ravel(), drop_intermediate=drop_intermediate,
                                    sample_weight=None if sample_weight is None else np.repeat(sample_weight, Y.shape[1]))
    micro = Curve(MICRO, "micro", fpr, tpr, float(metrics.auc(fpr, tpr)))
    mx, my = macro_roc(curves)
    macro = Curve(MACRO, "macro", mx, my, float(np.mean([c.score for c in curves])))
    return [*curves, micro, macro]


def compute_pr_curves(
    y_true,
    y_score,
    *,
    labels=None,
    target_names=None,
    pos_label=None,
    sample_weight=None,
    drop_intermediate: bool = False,
) -> list[Curve]:
    """Precision-recall curves: one for a binary target, else per class plus averages.

    Parameters
    ----------
    y_true, y_score, labels, target_names, pos_label, sample_weight
        As in :func:`compute_roc_curves`.
    drop_intermediate : bool, default=False
        Passed to :func:`sklearn.metrics.precision_recall_curve`.

    Returns
    -------
    curves : list of Curve
        ``x`` is recall and ``y`` precision. Binary: one curve whose ``score``
        is ``average_precision_score``. Otherwise one per class, the
        ``"micro-average"`` curve (``average="micro"``) and a
        ``"macro-average"`` record with empty arrays: the macro AP is the mean
        of per-class APs and has no single curve.
    """
    kind, classes, names, Y, S, pos = _prepare(y_true, y_score, labels, target_names, pos_label)
    sw = {"sample_weight": sample_weight}

    def one(y, s, name, curve_kind, weights=None):
        w = {"sample_weight": weights}
        p, r, _ = metrics.precision_recall_curve(y, s, drop_intermediate=drop_intermediate, **w)
        ap = metrics.average_precision_score(y, s, **w)
        prev = float(np.average(y, weights=weights))
        return Curve(name, curve_kind, r, p, float(ap), prev)

    if kind == "binary":
        return [one(Y[:, pos], S[:, pos], names[pos], "binary", sample_weight)]
    curves = []
    for i, name in enumerate(names):
        if Y[:, i].sum() == 0:
            warnings.warn(f"Class {name!r} has no positive sample; its precision-recall curve is skipped.")
            continue
        curves.append(one(Y[:, i], S[:, i], name, "class", sample_weight))
    rw = None if sample_weight is None else np.repeat(sample_weight, Y.shape[1])
    micro = one(Y.ravel(), S.ravel(), MICRO, "micro", rw)
    empty = np.array([])
    macro = Curve(MACRO, "macro", empty, empty, float(np.mean([c.score for c in curves])))
    return [*curves, micro, macro]


def select_curves(curves: list[Curve], max_classes: int | None) -> tuple[list[Curve], str | None]:
    """Keep every curve, or the best and worst classes when there are many.

    Parameters
    ----------
    curves : list of Curve
    max_classes : int or None
        Largest number of class curves to draw; ``None`` keeps them all.

    Returns
    -------
    kept : list of Curve
        Class curves (sorted by decreasing score when a subset is kept), then
        the averages.
    note : str or None
        Legend title describing the subset, e.g. ``"5 best and 5 worst of 100 classes"``.
    """
    classes = [c for c in curves if c.kind == "class"]
    others = [c for c in curves if c.kind != "class"]
    if max_classes is None or len(classes) <= max_classes:
        return [*classes, *others], None
    ranked = sorted(classes, key=lambda c: -c.score)
    n_best = (max_classes + 1) // 2
    n_worst = max_classes - n_best
    kept = ranked[:n_best] + (ranked[-n_worst:] if n_worst else [])
    note = f"{n_best} best and {n_worst} worst of {len(classes)} classes"
    return [*kept, *others], note


_AVG_STYLE = {
    "micro": {"color": "deeppink", "linestyle": ":", "linewidth": 3},
    "macro": {"color": "navy", "linestyle": ":", "linewidth": 3},
}


class _CurvesDisplay:
    """Shared drawing of per-class curves through a sklearn curve display."""

    _legend_loc = "lower right"  # where few legend entries cover no curve
    _metric = ""  # legend abbreviation of the score ("AUC", "AP")
    _compute_curves = None  # staticmethod set by subclasses

    def __init__(self, *, curves: list[Curve], name: str | None = None, pos_label=None):
        self.curves = list(curves)
        self.name = name
        self.pos_label = pos_label

    @property
    def scores_(self) -> dict[str, float]:
        """``{curve name: score}`` for every curve."""
        return {c.name: c.score for c in self.curves}

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_score,
        *,
        labels=None,
        target_names=None,
        pos_label=None,
        sample_weight=None,
        name: str | None = None,
        ax=None,
        **plot_kwargs,
    ):
        """Compute the curves from scores and plot them.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
            True labels or a multilabel indicator matrix.
        y_score : array-like of shape (n_samples, n_classes) or (n_samples,)
            Scores, one column per class in the order of ``labels``.
        labels : array-like, default=None
            Class labels in column order; default the sorted labels of ``y_true``.
        target_names : sequence of str, default=None
            Display names of the classes.
        pos_label : label, default=None
            Positive class of a binary target; default ``labels[1]``.
        sample_weight : array-like, default=None
            Sample weights.
        name : str, default=None
            Model name shown in the title.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **plot_kwargs
            Passed to :meth:`plot` (``max_classes``, ``plot_chance_level``, ...).

        Returns
        -------
        display
        """
        curves = cls._compute_curves(
            y_true, y_score, labels=labels, target_names=target_names,
            pos_label=pos_label, sample_weight=sample_weight,
        )
        kind = target_type(y_true)
        if kind == "binary" and pos_label is None:
            pos_label = infer_classes(y_true, labels, kind)[1]
        display = cls(curves=curves, name=name, pos_label=pos_label if kind == "binary" else None)
        return display.plot(ax=ax, **plot_kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        target_names=None,
        pos_label=None,
        sample_weight=None,
        name: str | None = None,
        ax=None,
        **plot_kwargs,
    ):
        """Score ``X`` with a fitted classifier and plot its curves.

        Scores come from ``predict_proba``, else ``decision_function``; class
        labels from ``estimator.classes_``.

        Parameters
        ----------
        estimator : fitted classifier
            Any sklearn-compatible classifier (or a Pipeline ending in one).
        X : array-like
            Input samples.
        y : array-like
            True labels (indicator matrix for multilabel).
        target_names, pos_label, sample_weight, name, ax, **plot_kwargs
            As in :meth:`from_predictions`; ``name`` defaults to the
            estimator's class name.

        Returns
        -------
        display
        """
        scores, _ = estimator_scores(estimator, X, n_outputs=len(getattr(estimator, "classes_", [])) or None)
        if scores is None:
            raise ValueError(
                f"{type(estimator).__name__} has neither predict_proba nor "
                "decision_function, so no curve can be drawn."
            )
        labels = getattr(estimator, "classes_", None)
        if labels is not None and np.ndim(labels) != 1:
            labels = None  # multioutput classifiers keep one classes_ array per output
        if labels is not None and target_type(y) == "multilabel-indicator":
            labels = np.arange(np.asarray(y).shape[1]) if len(labels) != scores.shape[1] else labels
        return cls.from_predictions(
            y, scores, labels=labels, target_names=target_names, pos_label=pos_label,
            sample_weight=sample_weight, name=name or type(final_step(estimator)).__name__, ax=ax, **plot_kwargs,
        )

    # -- drawing ---------------------------------------------------------
    def _label(self, curve: Curve) -> str:
        return f"{curve.name} ({self._metric} = {curve.score:0.2f})"

    def plot(
        self,
        ax=None,
        *,
        name: str | None = None,
        max_classes: int | None = 10,
        plot_chance_level: bool = True,
        despine: bool = False,
        **kwargs,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        name : str, default=None
            Model name for the title; default the ``name`` given at construction.
        max_classes : int or None, default=10
            With more classes than this, draw only the ``max_classes // 2``
            best and worst separated classes (by score) plus the averages,
            and say so in the legend title. ``None`` draws every class.
        plot_chance_level : bool, default=True
            Draw the chance level (ROC diagonal, PR prevalence).
        despine : bool, default=False
            Remove the top and right spines.
        **kwargs
            Passed to matplotlib's ``plot`` for every curve (e.g. ``linewidth``).

        Returns
        -------
        self
            With ``ax_``, ``figure_``, ``line_`` (list of Line2D, one per drawn
            curve), ``lines_`` (``{curve name: Line2D}``), ``chance_level_``
            and ``legend_``.
        """
        plt = import_pyplot(purpose=f"{type(self).__name__}.plot")
        shown, note = select_curves(self.curves, max_classes)
        drawable = [c for c in shown if c.x.size]
        n_entries = len(shown) + int(plot_chance_level)
        if ax is None:
            wide = n_entries > 6
            fig, ax = plt.subplots(figsize=(9.5 if wide else 6.0, 6.0), layout="constrained")
        self.ax_, self.figure_ = ax, ax.figure
        n_classes = sum(c.kind == "class" for c in drawable)
        colors = iter(class_colors(max(n_classes, 1)))
        curve_kwargs = []
        for c in drawable:
            style = dict(_AVG_STYLE.get(c.kind, {}))
            if c.kind == "class":
                style.update(color=next(colors), linestyle="-", linewidth=1.5, alpha=0.9)
            elif c.kind == "binary":
                style.update(linestyle="-", linewidth=2)
            style.update(kwargs)
            curve_kwargs.append(style)
        single = len(drawable) == 1
        # sklearn writes the legend labels "name (AUC = 0.93)" from these lists
        names = [self._curve_name(c, name) for c in drawable]
        sk = self._sk_display_for(drawable, names[0] if single else names)
        sk.plot(
            ax=ax,
            curve_kwargs=curve_kwargs[0] if single else curve_kwargs,
            plot_chance_level=plot_chance_level and single,
            despine=despine,
        )
        self._sk_display_ = sk
        self.line_ = sk.line_ if isinstance(sk.line_, list) else [sk.line_]
        self.lines_ = dict(zip([c.name for c in drawable], self.line_))
        self.chance_level_ = sk.chance_level_
        for c in shown:
            if not c.x.size:  # an average with no curve: a legend entry only
                ax.plot([], [], " ", label=self._label(c))
        if plot_chance_level and not single:
            self.chance_level_ = self._draw_chance(ax, drawable)
        _, labels = ax.get_legend_handles_labels()
        self.legend_ = legend_outside(ax, n_entries=len(labels), title=note, inside_loc=self._legend_loc)
        title = self._title(name or self.name)
        ax.set_title(title)
        return self

    def _curve_name(self, curve: Curve, name: str | None) -> str | None:
        if curve.kind == "binary":
            return name or self.name
        return curve.name

    def _sk_display_for(self, curves, names):  # pragma: no cover - overridden
        raise NotImplementedError

    def _draw_chance(self, ax, curves):  # pragma: no cover - overridden
        raise NotImplementedError

    def _title(self, name):
        return name or ""
