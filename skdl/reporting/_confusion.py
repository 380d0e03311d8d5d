"""Confusion matrices: counts or normalised, multiclass or one 2x2 per label."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.utils.multiclass import unique_labels

from skdl.reporting._utils import final_step, import_pyplot, label_names, target_type

__all__ = ["ConfusionDisplay", "compute_confusion", "confusion_frame"]

_NORMALIZE = {
    None: "counts",
    "true": "normalised by true label (rows sum to 1)",
    "pred": "normalised by predicted label (columns sum to 1)",
    "all": "normalised over all samples",
}


def _check_normalize(normalize):
    if normalize not in _NORMALIZE:
        raise ValueError(
            f"The 'normalize' parameter must be one of {list(_NORMALIZE)}. Got {normalize!r} instead."
        )


def compute_confusion(y_true, y_pred, *, labels=None, normalize=None, sample_weight=None):
    """Confusion matrix (or one 2x2 matrix per label for multilabel targets).

    Parameters
    ----------
    y_true, y_pred : array-like
        True and predicted labels (indicator matrices for multilabel).
    labels : array-like, default=None
        Class labels in matrix order; default the sorted labels of both.
    normalize : {None, "true", "pred", "all"}, default=None
        As in :func:`sklearn.metrics.confusion_matrix`.
    sample_weight : array-like, default=None

    Returns
    -------
    cm : ndarray of shape (n_classes, n_classes) or (n_labels, 2, 2)
        ``confusion_matrix`` output, or for multilabel
        ``multilabel_confusion_matrix`` with each 2x2 matrix normalised the same way.
    labels : ndarray
    """
    _check_normalize(normalize)
    kind = target_type(y_true)
    sw = {"sample_weight": sample_weight}
    if kind == "multilabel-indicator":
        n = np.asarray(y_true).shape[1]
        labels = np.arange(n) if labels is None else np.asarray(labels)
        cm = metrics.multilabel_confusion_matrix(y_true, y_pred, **sw).astype(float)
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=2, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "all":
                cm = cm / cm.sum(axis=(1, 2), keepdims=True)
        cm = np.nan_to_num(cm) if normalize else cm.astype(int)
        return cm, labels
    labels = unique_labels(y_true, y_pred) if labels is None else np.asarray(labels)
    cm = metrics.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize, **sw)
    return cm, labels


def confusion_frame(y_true, y_pred, *, labels=None, target_names=None, normalize=None, sample_weight=None):
    """Confusion matrix as a DataFrame indexed by true and predicted label.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (binary or multiclass).
    labels : array-like, default=None
        Class labels in matrix order.
    target_names : sequence of str, default=None
        Display names of the classes.
    normalize : {None, "true", "pred", "all"}, default=None
        As in :func:`sklearn.metrics.confusion_matrix`.
    sample_weight : array-like, default=None

    Returns
    -------
    frame : pandas.DataFrame
        ``frame.loc[true, predicted]``; index named ``"true"``, columns ``"predicted"``.

    Examples
    --------
    >>> from skdl.reporting import confusion_frame
    >>> confusion_frame(["a", "b", "b"], ["a", "b", "a"]).loc["b", "a"]
    np.int64(1)
    """
    cm, labels = compute_confusion(y_true, y_pred, labels=labels, normalize=normalize, sample_weight=sample_weight)
    if cm.ndim == 3:
        raise ValueError("confusion_frame handles binary and multiclass targets; use compute_confusion for multilabel.")
    names = label_names(labels, target_names)
    frame = pd.DataFrame(cm, index=pd.Index(names, name="true"), columns=pd.Index(names, name="predicted"))
    return frame


class ConfusionDisplay:
    """Confusion matrix plot that stays readable from 2 to 100+ classes.

    Each matrix is drawn by sklearn's
    :class:`~sklearn.metrics.ConfusionMatrixDisplay`; this class picks the
    figure size, tick rotation, font size and whether cell values fit, and
    draws a grid of 2x2 matrices for multilabel targets.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (n_classes, n_classes) or (n_labels, 2, 2)
        As returned by :func:`compute_confusion`.
    display_labels : sequence of str
        Class (or label) names.
    normalize : {None, "true", "pred", "all"}, default=None
        How the matrix was normalised (used for the title and value format).
    name : str, default=None
        Model name for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The (first) axes.
    axes_ : list of Axes
        One per matrix.
    figure_ : matplotlib Figure
    im_ : matplotlib AxesImage
        Image of the (first) matrix.
    displays_ : list of sklearn ConfusionMatrixDisplay
        The sklearn displays that drew each matrix.

    Examples
    --------
    >>> from skdl.reporting import ConfusionDisplay
    >>> disp = ConfusionDisplay.from_predictions(["a", "b", "b"], ["a", "b", "a"])  # doctest: +SKIP
    """

    def __init__(self, confusion_matrix, *, display_labels, normalize=None, name=None):
        self.confusion_matrix = np.asarray(confusion_matrix)
        self.display_labels = [str(d) for d in display_labels]
        self.normalize = normalize
        self.name = name

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, labels=None, target_names=None, normalize=None,
                         sample_weight=None, name=None, ax=None, **plot_kwargs):
        """Compute the confusion matrix of predictions and plot it.

        Parameters
        ----------
        y_true, y_pred : array-like
            True and predicted labels (indicator matrices for multilabel).
        labels : array-like, default=None
            Class labels in matrix order.
        target_names : sequence of str, default=None
            Display names; default ``str(label)``.
        normalize : {None, "true", "pred", "all"}, default=None
        sample_weight : array-like, default=None
        name : str, default=None
            Model name for the title.
        ax : matplotlib Axes, default=None
            Axes to draw on (not for multilabel, which draws a grid).
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        ConfusionDisplay
        """
        cm, labels = compute_confusion(y_true, y_pred, labels=labels, normalize=normalize, sample_weight=sample_weight)
        disp = cls(cm, display_labels=label_names(labels, target_names), normalize=normalize, name=name)
        return disp.plot(ax=ax, **plot_kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, target_names=None, normalize=None, sample_weight=None,
                       name=None, ax=None, **plot_kwargs):
        """Predict ``X`` with a fitted classifier and plot the confusion matrix.

        Parameters
        ----------
        estimator : fitted classifier
        X, y : array-like
        target_names, normalize, sample_weight, name, ax, **plot_kwargs
            As in :meth:`from_predictions`; ``name`` defaults to the class name.

        Returns
        -------
        ConfusionDisplay
        """
        labels = getattr(estimator, "classes_", None)
        if labels is not None and (np.ndim(labels) != 1 or target_type(y) == "multilabel-indicator"):
            labels = None
        return cls.from_predictions(y, estimator.predict(X), labels=labels, target_names=target_names,
                                    normalize=normalize, sample_weight=sample_weight,
                                    name=name or type(final_step(estimator)).__name__, ax=ax, **plot_kwargs)

    def _title(self):
        what = _NORMALIZE[self.normalize]
        base = "Confusion matrix" + ("" if self.normalize is None else f", {what}")
        return f"{base}\n{self.name}" if self.name else base

    def plot(self, ax=None, *, cmap="Blues", include_values="auto", values_format=None, colorbar=True, **kwargs):
        """Draw the matrix (or one 2x2 matrix per label).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes for a single matrix; a new, suitably sized figure when None.
        cmap : str, default="Blues"
        include_values : bool or "auto", default="auto"
            Write the value in each cell; "auto" does so up to 25 classes.
        values_format : str, default=None
            Format of the cell values; default ``"d"`` for counts, ``".2f"``
            when normalised.
        colorbar : bool, default=True
        **kwargs
            Passed to matplotlib's ``imshow`` (sklearn's ``im_kw``), e.g. ``alpha``.

        Returns
        -------
        self
        """
        from sklearn.metrics import ConfusionMatrixDisplay

        plt = import_pyplot(purpose="ConfusionDisplay.plot")
        fmt = values_format or ("d" if self.normalize is None else ".2f")
        self.displays_ = []
        if self.confusion_matrix.ndim == 3:
            if ax is not None:
                raise ValueError("A multilabel confusion display draws one 2x2 matrix per label in its own "
                                 "figure; call plot() with ax=None.")
            n = len(self.confusion_matrix)
            ncols = min(n, 4)
            nrows = int(np.ceil(n / ncols))
            fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 3.0 * nrows + 0.6),
                                     layout="constrained", squeeze=False)
            for k, axk in enumerate(axes.ravel()):
                if k >= n:
                    axk.set_visible(False)
                    continue
                d = ConfusionMatrixDisplay(self.confusion_matrix[k], display_labels=["0", "1"])
                d.plot(ax=axk, cmap=cmap, values_format=fmt, colorbar=False, im_kw=kwargs or None)
                axk.set_title(f"label {self.display_labels[k]}")
                self.displays_.append(d)
            self.axes_ = [d.ax_ for d in self.displays_]
            fig.suptitle(self._title())
        else:
            n = len(self.display_labels)
            if include_values == "auto":
                include_values = n <= 25
            if ax is None:
                side = float(np.clip(3.0 + 0.45 * n, 5.0, 14.0))
                fig, ax = plt.subplots(figsize=(side + 1.0, side), layout="constrained")
            longest = max(len(s) for s in self.display_labels)
            rotation = "vertical" if (n > 8 or longest * n > 60) else "horizontal"
            d = ConfusionMatrixDisplay(self.confusion_matrix, display_labels=self.display_labels)
            d.plot(ax=ax, cmap=cmap, include_values=include_values, values_format=fmt,
                   colorbar=colorbar, xticks_rotation=rotation, im_kw=kwargs or None)
            if n > 40:  # label every step-th class so the labels stay legible
                step = int(np.ceil(n / 25))
                ticks = np.arange(0, n, step)
                ax.set_xticks(ticks, [self.display_labels[i] for i in ticks], fontsize=8)
                ax.set_yticks(ticks, [self.display_labels[i] for i in ticks], fontsize=8)
            elif n > 25:
                ax.tick_params(labelsize=7)
            ax.set_title(self._title())
            self.displays_.append(d)
            self.axes_ = [ax]
        first = self.displays_[0]
        self.ax_, self.figure_, self.im_ = first.ax_, first.figure_, first.im_
        self.text_ = first.text_
        return self
