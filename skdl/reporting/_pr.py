"""Precision-recall curves per class, with the micro-average and macro AP."""

from __future__ import annotations

from sklearn.metrics import PrecisionRecallDisplay

from skdl.reporting._curves import _CurvesDisplay, compute_pr_curves

__all__ = ["PrecisionRecallCurvesDisplay", "compute_pr_curves"]


class PrecisionRecallCurvesDisplay(_CurvesDisplay):
    """Precision-recall curves of a binary, multiclass or multilabel classifier.

    A binary target gives one curve (drawn by sklearn's
    :class:`~sklearn.metrics.PrecisionRecallDisplay`) with its average
    precision (AP) and the prevalence as chance level. Multiclass and
    multilabel targets give one curve per class named by its label, the
    micro-average curve, and the macro AP as a legend entry (a mean of APs has
    no single curve). The chance level drawn is the micro prevalence.

    Parameters
    ----------
    curves : list of Curve
        As returned by :func:`compute_pr_curves`.
    name : str, default=None
        Model name, shown in the title (binary: in the legend).
    pos_label : label, default=None
        Positive class of a binary target, shown on the axes.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    line_ : list of Line2D
    lines_ : dict of str to Line2D
    chance_level_ : Line2D or None
    legend_ : matplotlib Legend

    See Also
    --------
    compute_pr_curves : the numbers behind the plot.
    RocCurvesDisplay : the same for ROC curves.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdl.reporting import PrecisionRecallCurvesDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> disp = PrecisionRecallCurvesDisplay.from_estimator(clf, X, y)  # doctest: +SKIP
    """

    _legend_loc = "lower left"  # PR curves drop at the right end
    _metric = "AP"
    _compute_curves = staticmethod(compute_pr_curves)

    def _sk_display_for(self, curves, names):
        return PrecisionRecallDisplay(
            precision=[c.y for c in curves],
            recall=[c.x for c in curves],
            average_precision=[c.score for c in curves],
            name=names,
            pos_label=self.pos_label,
            prevalence_pos_label=[c.prevalence for c in curves],
        )

    def _draw_chance(self, ax, curves):
        micro = [c for c in curves if c.kind == "micro"]
        if not micro:
            return None
        p = micro[0].prevalence
        (line,) = ax.plot((0, 1), (p, p), color="k", linestyle="--", linewidth=1,
                          label=f"Chance level (AP = {p:0.2f})")
        return line

    def _title(self, name):
        is_binary = any(c.kind == "binary" for c in self.curves)
        base = "Precision-recall curve" if is_binary else "Precision-recall curves per class"
        return f"{base} — {name}" if name else base
