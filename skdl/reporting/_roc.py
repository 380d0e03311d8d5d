"""ROC curves: per class with averages, and cross-validated with a std band."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import RocCurveDisplay
from sklearn.utils import _safe_indexing

from skdl.reporting._curves import Curve, _CurvesDisplay, compute_roc_curves
from skdl.reporting._utils import estimator_scores, final_step, get_ax, import_pyplot, legend_outside

__all__ = ["CVRocDisplay", "RocCurvesDisplay", "compute_cv_roc", "compute_roc_curves"]


class RocCurvesDisplay(_CurvesDisplay):
    """ROC curves of a binary, multiclass or multilabel classifier.

    A binary target gives one curve (drawn by sklearn's
    :class:`~sklearn.metrics.RocCurveDisplay`). Multiclass (one-vs-rest) and
    multilabel targets give one curve per class, named by its label, plus the
    micro- and macro-average curves, with the AUC of each in the legend and
    the chance diagonal. With many classes only the best and worst separated
    ones are drawn (see ``max_classes`` in :meth:`plot`).

    Use :meth:`from_estimator` or :meth:`from_predictions` to build one.

    Parameters
    ----------
    curves : list of Curve
        As returned by :func:`compute_roc_curves`.
    name : str, default=None
        Model name, shown in the title (binary: in the legend).
    pos_label : label, default=None
        Positive class of a binary target, shown on the axes.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    line_ : list of matplotlib Line2D
        One per drawn curve.
    lines_ : dict of str to Line2D
        Drawn curves by name (class label, ``"micro-average"``, ``"macro-average"``).
    chance_level_ : matplotlib Line2D or None
    legend_ : matplotlib Legend

    See Also
    --------
    compute_roc_curves : the numbers behind the plot.
    sklearn.metrics.RocCurveDisplay : the binary display used for drawing.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdl.reporting import RocCurvesDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> disp = RocCurvesDisplay.from_estimator(clf, X, y)  # doctest: +SKIP
    >>> round(disp.scores_["macro-average"], 3)  # doctest: +SKIP
    0.997
    """

    _metric = "AUC"
    _compute_curves = staticmethod(compute_roc_curves)

    def _sk_display_for(self, curves, names):
        return RocCurveDisplay(
            fpr=[c.x for c in curves],
            tpr=[c.y for c in curves],
            roc_auc=[c.score for c in curves],
            name=names,
            pos_label=self.pos_label,
        )

    def _draw_chance(self, ax, curves):
        (line,) = ax.plot((0, 1), (0, 1), color="k", linestyle="--", linewidth=1,
                          label="Chance level (AUC = 0.5)")
        return line

    def _title(self, name):
        is_binary = any(c.kind == "binary" for c in self.curves)
        base = "ROC curve" if is_binary else "One-vs-rest ROC curves"
        return f"{base} — {name}" if name else base


@dataclass(frozen=True)
class CVRoc:
    """Per-fold ROC curves and their mean, as computed by :func:`compute_cv_roc`.

    Attributes
    ----------
    folds : list of Curve
        One ROC per fold (for a multiclass target, the fold's micro-average).
    mean_fpr, mean_tpr, std_tpr : ndarray
        Mean TPR of the folds (and its std) interpolated on ``mean_fpr``.
    mean_auc, std_auc : float
        Mean and standard deviation (NumPy's, ``ddof=0``) of the fold AUCs.
    """

    folds: list = field(repr=False)
    mean_fpr: np.ndarray = field(repr=False)
    mean_tpr: np.ndarray = field(repr=False)
    std_tpr: np.ndarray = field(repr=False)
    mean_auc: float
    std_auc: float


def compute_cv_roc(cv_results, X, y, *, pos_label=None, n_points: int = 101) -> CVRoc:
    """ROC curve of each cross-validation fold, their mean and spread.

    Parameters
    ----------
    cv_results : dict
        Output of :func:`sklearn.model_selection.cross_validate` called with
        ``return_estimator=True`` and ``return_indices=True``.
    X, y : array-like
        The data given to ``cross_validate``.
    pos_label : label, default=None
        Positive class of a binary target; default ``classes_[1]``.
    n_points : int, default=101
        Number of FPR values the mean curve is evaluated at.

    Returns
    -------
    CVRoc
        ``folds[i].score`` is ``roc_auc_score`` on fold ``i``'s test samples
        (micro-average for multiclass); ``mean_auc`` is their mean.
    """
    if "estimator" not in cv_results or "indices" not in cv_results:
        raise ValueError(
            "cv_results must come from cross_validate(..., return_estimator=True, "
            f"return_indices=True). Got keys {sorted(cv_results)}."
        )
    folds = []
    for est, test in zip(cv_results["estimator"], cv_results["indices"]["test"]):
        Xt, yt = _safe_indexing(X, test), _safe_indexing(y, test)
        scores, _ = estimator_scores(est, Xt, n_outputs=len(est.classes_))
        curves = compute_roc_curves(yt, scores, labels=est.classes_, pos_label=pos_label)
        curve = curves[0] if curves[0].kind == "binary" else next(c for c in curves if c.kind == "micro")
        folds.append(Curve(f"fold {len(folds)}", curve.kind, curve.x, curve.y, curve.score))
    grid = np.linspace(0, 1, n_points)
    tprs = []
    for c in folds:
        tpr = np.interp(grid, c.x, c.y)
        tpr[0] = 0.0
        tprs.append(tpr)
    tprs = np.array(tprs)
    mean_tpr = tprs.mean(axis=0)
    mean_tpr[-1] = 1.0
    aucs = np.array([c.score for c in folds])
    return CVRoc(folds, grid, mean_tpr, tprs.std(axis=0), float(aucs.mean()), float(aucs.std()))


class CVRocDisplay:
    """Cross-validated ROC: the fold curves, their mean and a ±1 std band.

    Parameters
    ----------
    cv_roc : CVRoc
        As returned by :func:`compute_cv_roc`.
    name : str, default=None
        Model name for the title.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    fold_lines_ : list of Line2D
    mean_line_ : Line2D
    band_ : matplotlib PolyCollection
    chance_level_ : Line2D

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdl.reporting import CVRocDisplay
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> disp = CVRocDisplay.from_estimator(LogisticRegression(max_iter=5000), X, y, cv=3)  # doctest: +SKIP
    """

    def __init__(self, cv_roc: CVRoc, *, name: str | None = None):
        self.cv_roc = cv_roc
        self.name = name

    @classmethod
    def from_cv_results(cls, cv_results, X, y, *, pos_label=None, name=None, ax=None):
        """Plot the ROC of each fold of a ``cross_validate`` run.

        Parameters
        ----------
        cv_results : dict
            ``cross_validate(..., return_estimator=True, return_indices=True)`` output.
        X, y : array-like
            The data given to ``cross_validate``.
        pos_label : label, default=None
            Positive class of a binary target.
        name : str, default=None
            Model name for the title.
        ax : matplotlib Axes, default=None

        Returns
        -------
        CVRocDisplay
        """
        if name is None and cv_results.get("estimator"):
            name = type(final_step(cv_results["estimator"][0])).__name__
        return cls(compute_cv_roc(cv_results, X, y, pos_label=pos_label), name=name).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, cv=5, pos_label=None, name=None, ax=None):
        """Cross-validate an unfitted estimator and plot the fold ROCs.

        Parameters
        ----------
        estimator : classifier
            Cloned and fitted on each training fold.
        X, y : array-like
        cv : int or cross-validation generator, default=5
            Passed to :func:`sklearn.model_selection.cross_validate`.
        pos_label, name, ax
            As in :meth:`from_cv_results`.

        Returns
        -------
        CVRocDisplay
        """
        from sklearn.model_selection import cross_validate

        res = cross_validate(estimator, X, y, cv=cv, return_estimator=True, return_indices=True)
        return cls.from_cv_results(res, X, y, pos_label=pos_label, name=name or type(final_step(estimator)).__name__, ax=ax)

    def plot(self, ax=None, *, show_folds: bool = True, **kwargs):
        """Draw fold curves, the mean curve, the ±1 std band and the chance line.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        show_folds : bool, default=True
            Draw the individual fold curves.
        **kwargs
            Passed to matplotlib's ``plot`` for the mean curve.

        Returns
        -------
        self
        """
        import_pyplot(purpose="CVRocDisplay.plot")
        r = self.cv_roc
        fig, ax = get_ax(ax, figsize=(6.0, 6.0))
        self.ax_, self.figure_ = ax, fig
        self.fold_lines_ = []
        if show_folds:
            for c in r.folds:
                (line,) = ax.plot(c.x, c.y, linewidth=1, alpha=0.45,
                                  label=f"{c.name} (AUC = {c.score:0.2f})")
                self.fold_lines_.append(line)
        micro = r.folds and r.folds[0].kind == "micro"
        mean_style = {"color": "navy", "linewidth": 2.5,
                      "label": f"Mean ROC (AUC = {r.mean_auc:0.2f} ± {r.std_auc:0.2f})", **kwargs}
        (self.mean_line_,) = ax.plot(r.mean_fpr, r.mean_tpr, **mean_style)
        self.band_ = ax.fill_between(
            r.mean_fpr, np.clip(r.mean_tpr - r.std_tpr, 0, 1), np.clip(r.mean_tpr + r.std_tpr, 0, 1),
            color="grey", alpha=0.25, label="± 1 std. dev.",
        )
        (self.chance_level_,) = ax.plot((0, 1), (0, 1), "k--", linewidth=1, label="Chance level (AUC = 0.5)")
        ax.set(xlabel="False Positive Rate", ylabel="True Positive Rate",
               xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), aspect="equal")
        title = f"Cross-validated ROC ({len(r.folds)} folds{', micro-average' if micro else ''})"
        ax.set_title(f"{title}\n{self.name}" if self.name else title)
        _, labels = ax.get_legend_handles_labels()
        self.legend_ = legend_outside(ax, n_entries=len(labels), max_inside=9)
        return self
