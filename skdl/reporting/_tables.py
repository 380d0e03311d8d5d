"""Metric tables as pandas objects: classification, regression, cross-validation.

Every number comes from a :mod:`sklearn.metrics` function called on the same
predictions; this module only arranges them. :func:`format_table` prints a
table the way :func:`sklearn.metrics.classification_report` prints its text.
"""

from __future__ import annotations

import warnings

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.utils.multiclass import unique_labels

from skdl.reporting._utils import (
    binarize,
    check_scores,
    infer_classes,
    label_names,
    target_type,
)

__all__ = [
    "classification_report_frame",
    "classification_summary",
    "cv_fold_scores",
    "cv_summary",
    "format_table",
    "regression_report_frame",
]

_PRF = ["precision", "recall", "f1-score", "support"]
ROC_AUC = "roc-auc"
AVG_PREC = "avg precision"


def _classes_for(y_true, y_pred, labels, kind):
    if labels is not None:
        return np.asarray(labels)
    if kind == "multilabel-indicator":
        return infer_classes(y_true, kind=kind)
    return unique_labels(y_true, y_pred)


def _per_class_score(func, Y, S):
    """``func(Y[:, i], S[:, i])`` for each column; NaN where undefined."""
    out = []
    for i in range(Y.shape[1]):
        y = Y[:, i]
        out.append(float(func(y, S[:, i])) if 0 < y.sum() < len(y) else np.nan)
    return np.array(out)


def _score_averages(func, Y, S, support):
    """macro, weighted and micro averages of a ranking metric over columns."""
    per_class = _per_class_score(func, Y, S)
    ok = ~np.isnan(per_class)
    macro = float(per_class[ok].mean()) if ok.any() else np.nan
    w = np.asarray(support, dtype=float)[ok]
    weighted = float(np.average(per_class[ok], weights=w)) if w.sum() > 0 else np.nan
    micro = float(func(Y.ravel(), S.ravel()))
    return per_class, {"macro": macro, "weighted": weighted, "micro": micro}


def classification_report_frame(
    y_true,
    y_pred,
    y_score=None,
    *,
    labels=None,
    target_names: Sequence[str] | None = None,
    sample_weight=None,
    zero_division: Any = "warn",
) -> pd.DataFrame:
    """Per-class precision, recall, F1 and support, with ranking scores.

    The rows and the first four columns are those of
    :func:`sklearn.metrics.classification_report` (``output_dict=True``): one
    row per class, indexed by its label, then ``accuracy`` (or ``micro avg``),
    ``macro avg``, ``weighted avg`` and, for multilabel targets, ``samples avg``.
    With ``y_score``, two columns are added: one-vs-rest ``roc-auc`` and
    ``avg precision`` per class, averaged the same way in the average rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        True labels, or an indicator matrix for multilabel targets.
    y_pred : array-like of the same shape as ``y_true``
        Predicted labels.
    y_score : array-like of shape (n_samples, n_classes), default=None
        Probabilities or decision values, one column per class in the order
        of ``labels`` (a 1-D array of positive-class scores for binary).
    labels : array-like, default=None
        Class labels in column order. Default: the sorted labels present in
        ``y_true`` and ``y_pred`` (``0..n_labels-1`` for multilabel).
    target_names : sequence of str, default=None
        Display names for ``labels``; default ``str(label)``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights for precision, recall and F1.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Passed to :func:`sklearn.metrics.precision_recall_fscore_support`.

    Returns
    -------
    frame : pandas.DataFrame
        Index: class names then the average rows; columns ``precision``,
        ``recall``, ``f1-score``, ``support`` and, with scores, ``roc-auc`` and
        ``avg precision``. The ``accuracy`` row holds the accuracy in
        ``f1-score`` and NaN in ``precision`` and ``recall``.

    See Also
    --------
    classification_summary : accuracy, log loss, ROC-AUC and AP as one Series.
    format_table : print the frame like sklearn's text report.

    Examples
    --------
    >>> from skdl.reporting import classification_report_frame
    >>> frame = classification_report_frame(["a", "b", "b"], ["a", "b", "a"])
    >>> frame.loc["b", "recall"]
    np.float64(0.5)
    """
    kind = target_type(y_true)
    classes = _classes_for(y_true, y_pred, labels, kind)
    names = label_names(classes, target_names)
    p, r, f1, s = metrics.precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=classes,
        average=None,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    rows = {n: [p[i], r[i], f1[i], s[i]] for i, n in enumerate(names)}
    if kind == "multilabel-indicator":
        averages = ["micro", "macro", "weighted", "samples"]
    else:
        averages = ["micro", "macro", "weighted"]
    present = unique_labels(y_true, y_pred) if kind != "multilabel-indicator" else classes
    micro_is_accuracy = kind != "multilabel-indicator" and set(present.tolist()) <= set(
        classes.tolist()
    )
    for average in averages:
        ap, ar, af, _ = metrics.precision_recall_fscore_support(
            y_true,
            y_pred,
            labels=classes,
            average=average,
            sample_weight=sample_weight,
            zero_division=zero_division,
        )
        if average == "micro" and micro_is_accuracy:
            rows["accuracy"] = [np.nan, np.nan, af, np.sum(s)]
        else:
            rows[f"{average} avg"] = [ap, ar, af, np.sum(s)]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=_PRF, dtype=float)
    if sample_weight is None:
        frame["support"] = frame["support"].astype(int)

    if y_score is not None:
        S = check_scores(y_score, len(classes), kind)
        Y = binarize(y_true, classes, kind)
        support = Y.sum(axis=0)
        auc, auc_avg = _score_averages(metrics.roc_auc_score, Y, S, support)
        ap_, ap_avg = _score_averages(metrics.average_precision_score, Y, S, support)
        frame[ROC_AUC] = np.nan
        frame[AVG_PREC] = np.nan
        frame.loc[names, ROC_AUC] = auc
        frame.loc[names, AVG_PREC] = ap_
        for average in ("macro", "weighted", "micro"):
            row = f"{average} avg"
            if row in frame.index:
                frame.loc[row, ROC_AUC] = auc_avg[average]
                frame.loc[row, AVG_PREC] = ap_avg[average]
        if "samples avg" in frame.index:
            for col, func in ((ROC_AUC, metrics.roc_auc_score), (AVG_PREC, metrics.average_precision_score)):
                try:
                    with warnings.catch_warnings():  # samples with every label or none
                        warnings.simplefilter("ignore")
                        frame.loc["samples avg", col] = float(func(Y, S, average="samples"))
                except ValueError:
                    pass
    frame.index.name = None
    return frame


def classification_summary(
    y_true,
    y_pred,
    y_score=None,
    *,
    labels=None,
    is_proba: bool = True,
    sample_weight=None,
) -> pd.Series:
    """Whole-sample classification scores as a Series.

    Parameters
    ----------
    y_true, y_pred : array-like
        True and predicted labels (indicator matrices for multilabel).
    y_score : array-like of shape (n_samples, n_classes), default=None
        Probabilities or decision values, one column per class in the order
        of ``labels`` (a 1-D array of positive-class scores for binary).
    labels : array-like, default=None
        Class labels in column order; default the sorted labels of
        ``y_true`` and ``y_pred``.
    is_proba : bool, default=True
        Whether ``y_score`` holds probabilities; the log loss is computed
        only then.
    sample_weight : array-like, default=None
        Sample weights, passed to every metric.

    Returns
    -------
    summary : pandas.Series
        ``accuracy`` and ``balanced accuracy`` (``hamming loss`` for
        multilabel); with scores, ``log loss`` (binary and multiclass
        probabilities) and ``roc-auc`` and ``avg precision``: one value for a
        binary target (positive class ``labels[1]``), else one-vs-rest
        ``macro``, ``weighted`` and ``micro`` averages, e.g.
        ``"roc-auc (macro)"``.

    Examples
    --------
    >>> from skdl.reporting import classification_summary
    >>> classification_summary([0, 1, 1, 0], [0, 1, 0, 0], [0.1, 0.9, 0.4, 0.3])["roc-auc"]
    np.float64(1.0)
    """
    kind = target_type(y_true)
    classes = _classes_for(y_true, y_pred, labels, kind)
    sw = {"sample_weight": sample_weight}
    out: dict[str, float] = {"accuracy": metrics.accuracy_score(y_true, y_pred, **sw)}
    if kind == "multilabel-indicator":
        out["hamming loss"] = metrics.hamming_loss(y_true, y_pred, **sw)
    else:
        out["balanced accuracy"] = metrics.balanced_accuracy_score(y_true, y_pred, **sw)
    if y_score is not None:
        S = check_scores(y_score, len(classes), kind)
        Y = binarize(y_true, classes, kind)
        if is_proba and kind != "multilabel-indicator":
            out["log loss"] = metrics.log_loss(y_true, S, labels=classes, **sw)
        if kind == "binary":
            out[ROC_AUC] = metrics.roc_auc_score(Y[:, 1], S[:, 1], **sw)
            out[AVG_PREC] = metrics.average_precision_score(Y[:, 1], S[:, 1], **sw)
        else:
            for name, func in ((ROC_AUC, metrics.roc_auc_score), (AVG_PREC, metrics.average_precision_score)):
                for average in ("macro", "weighted", "micro"):
                    if sample_weight is None:
                        _, avg = _score_averages(func, Y, S, Y.sum(axis=0))
                        value = avg[average]
                    else:
                        value = func(Y, S, average=average, **sw)
                    out[f"{name} ({average})"] = value
    return pd.Series({k: float(v) for k, v in out.items()}, name="score")


_REGRESSION_ROWS = ["MAE", "MSE", "RMSE", "R²", "MAPE", "explained variance", "max error"]


def regression_report_frame(
    y_true,
    y_pred,
    *,
    sample_weight=None,
    target_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Regression metrics, one column per output.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights (not used by ``max error``, which sklearn does not weight).
    target_names : sequence of str, default=None
        Output names; default ``"score"`` for one output, else ``"y0", "y1", ...``.

    Returns
    -------
    frame : pandas.DataFrame
        Index ``MAE, MSE, RMSE, R², MAPE, explained variance, max error``.
        With several outputs a last column ``uniform average`` holds sklearn's
        ``multioutput="uniform_average"`` values (``max error``: the largest
        over outputs).

    Examples
    --------
    >>> from skdl.reporting import regression_report_frame
    >>> regression_report_frame([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]).loc["MAE", "score"]
    np.float64(0.3333333333333333)
    """
    yt = np.asarray(y_true, dtype=float)
    yp = np.asarray(y_pred, dtype=float)
    single = yt.ndim == 1
    yt2 = yt.reshape(len(yt), -1)
    yp2 = yp.reshape(len(yp), -1)
    if yt2.shape != yp2.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape. Got {yt.shape} and {yp.shape}."
        )
    n_out = yt2.shape[1]
    if target_names is None:
        target_names = ["score"] if single else [f"y{i}" for i in range(n_out)]
    target_names = [str(n) for n in target_names]
    if len(target_names) != n_out:
        raise ValueError(f"target_names must have {n_out} names, got {len(target_names)}.")
    sw = {"sample_weight": sample_weight}
    funcs = {
        "MAE": metrics.mean_absolute_error,
        "MSE": metrics.mean_squared_error,
        "RMSE": metrics.root_mean_squared_error,
        "R²": metrics.r2_score,
        "MAPE": metrics.mean_absolute_percentage_error,
        "explained variance": metrics.explained_variance_score,
    }
    data = {}
    for row, func in funcs.items():
        values = list(np.atleast_1d(func(yt2, yp2, multioutput="raw_values", **sw)))
        if not single:
            values.append(func(yt2, yp2, multioutput="uniform_average", **sw))
        data[row] = values
    max_errors = [metrics.max_error(yt2[:, j], yp2[:, j]) for j in range(n_out)]
    data["max error"] = max_errors + ([] if single else [max(max_errors)])
    columns = target_names + ([] if single else ["uniform average"])
    frame = pd.DataFrame.from_dict(data, orient="index", columns=columns, dtype=float)
    return frame.loc[_REGRESSION_ROWS]


def _is_cross_validate(d: Mapping) -> bool:
    return any(str(k).startswith("test_") for k in d) and "params" not in d


def _fold_summary(d: Mapping) -> pd.DataFrame:
    rows = {}
    for key, values in d.items():
        if key in ("estimator", "indices"):
            continue
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1:
            continue
        rows[str(key)] = {
            "mean": arr.mean(),
            "std": arr.std(),
            "min": arr.min(),
            "max": arr.max(),
            "n_folds": len(arr),
        }
    order = sorted(rows, key=lambda k: (not k.startswith("test_"), not k.startswith("train_"), k))
    frame = pd.DataFrame.from_dict({k: rows[k] for k in order}, orient="index")
    frame["n_folds"] = frame["n_folds"].astype(int)
    return frame


def _search_summary(cv: Mapping, n_top: int | None) -> pd.DataFrame:
    df = pd.DataFrame({k: v for k, v in cv.items() if k != "params"})
    rank_cols = [c for c in df.columns if c.startswith("rank_test_")]
    rank = "rank_test_score" if "rank_test_score" in rank_cols else (rank_cols[0] if rank_cols else None)
    keep = [c for c in df.columns if c.startswith("param_")]
    keep = [rank] * (rank is not None) + keep
    keep += [c for c in df.columns if c.startswith(("mean_test_", "std_test_", "mean_train_", "std_train_"))]
    keep += [c for c in ("mean_fit_time",) if c in df.columns]
    from skdl.reporting._importance import short_param_names

    short = short_param_names([c[len("param_"):] for c in df.columns if c.startswith("param_")])
    out = df[keep].rename(columns=lambda c: short[c[len("param_"):]] if c.startswith("param_") else c)
    for c in out.columns:  # masked param_ arrays: unset conditional parameters become None
        if out[c].dtype == object:
            out[c] = [None if v is np.ma.masked else v for v in out[c]]
    if rank is not None:
        out = out.rename(columns={rank: "rank"}).sort_values("rank", kind="stable")
    out.index.name = "candidate"
    return out.head(n_top) if n_top else out


def cv_summary(results: Any, *, n_top: int | None = None) -> pd.DataFrame:
    """Mean and standard deviation of each score over cross-validation folds.

    Parameters
    ----------
    results : dict or object with ``cv_results_``
        One of

        * the dict returned by :func:`sklearn.model_selection.cross_validate`
          (keys ``test_<score>``, ``train_<score>``, ``fit_time``, ...);
        * a mapping ``{model name: cross_validate output}`` to compare models;
        * a search's ``cv_results_`` (keys ``params``, ``mean_test_<score>``,
          ``rank_test_<score>``, ...) or the search itself.
    n_top : int, default=None
        For search results, keep the ``n_top`` best-ranked candidates.

    Returns
    -------
    frame : pandas.DataFrame
        For ``cross_validate`` output: one row per score with columns
        ``mean, std, min, max, n_folds`` (std is NumPy's population std, as in
        sklearn's ``std_test_*``). For a comparison: one row per model with
        ``<score> mean`` and ``<score> std`` columns. For search results: one
        row per candidate sorted by ``rank``, with its parameters and the
        ``mean_test_*`` / ``std_test_*`` columns.

    Examples
    --------
    >>> from skdl.reporting import cv_summary
    >>> cv_summary({"test_score": [0.8, 0.9], "fit_time": [0.1, 0.1]}).loc["test_score", "mean"]
    np.float64(0.85)
    """
    if hasattr(results, "cv_results_"):
        results = results.cv_results_
    if not isinstance(results, Mapping):
        raise TypeError(
            "cv_summary expects cross_validate output, a search's cv_results_ or "
            f"a dict of model name -> cross_validate output. Got {type(results).__name__}."
        )
    if "params" in results:
        return _search_summary(results, n_top)
    if _is_cross_validate(results):
        return _fold_summary(results)
    if results and all(isinstance(v, Mapping) for v in results.values()):
        rows = {}
        for name, cv in results.items():
            fs = _fold_summary(cv)
            rows[str(name)] = {
                f"{k} {stat}": fs.loc[k, stat] for k in fs.index for stat in ("mean", "std")
            }
        return pd.DataFrame.from_dict(rows, orient="index")
    raise ValueError(
        "cv_summary could not recognise the results: expected keys 'test_<score>' "
        "(cross_validate) or 'params' (cv_results_). Got keys "
        f"{sorted(map(str, results))[:8]}."
    )


def cv_fold_scores(results: Any) -> pd.DataFrame:
    """The score of every cross-validation fold, one row per fold.

    Parameters
    ----------
    results : dict or object with ``cv_results_``
        :func:`sklearn.model_selection.cross_validate` output, or a search's
        ``cv_results_`` (or the search): then the folds of the best-ranked
        candidate (``split<i>_test_<score>`` and ``split<i>_train_<score>``),
        or, given the search, of its ``best_index_``, the candidate it refitted
        (which a refit callable or ``OptunaSearchCV(defaults_margin=...)`` may
        choose below rank 1).

    Returns
    -------
    frame : pandas.DataFrame
        Index ``fold`` (1, 2, ...), one column per score (``test_score``,
        ``train_accuracy``, ``fit_time``...). Empty when the results hold no
        per-fold values. For a search, ``frame.attrs["candidate"]`` is the
        candidate's index in ``cv_results_`` and ``frame.attrs["rank"]`` its rank.

    Examples
    --------
    >>> from skdl.reporting import cv_fold_scores
    >>> cv_fold_scores({"test_score": [0.8, 0.9], "fit_time": [0.1, 0.2]}).loc[2, "test_score"]
    np.float64(0.9)
    """
    chosen = getattr(results, "best_index_", None)
    if hasattr(results, "cv_results_"):
        results = results.cv_results_
    if not isinstance(results, Mapping):
        raise TypeError(f"cv_fold_scores expects cross_validate output or cv_results_. Got {type(results).__name__}.")
    if "params" in results:
        import re

        ranks = [k for k in results if str(k).startswith("rank_test_")]
        rank_key = "rank_test_score" if "rank_test_score" in ranks else (ranks[0] if ranks else None)
        if rank_key is None:
            return pd.DataFrame()
        best = int(np.argmin(np.asarray(results[rank_key]))) if chosen is None else int(chosen)
        columns: dict[str, dict[int, float]] = {}
        for key, values in results.items():
            m = re.fullmatch(r"split(\d+)_((?:test|train)_.+)", str(key))
            if m:
                columns.setdefault(m.group(2), {})[int(m.group(1)) + 1] = float(np.asarray(values)[best])
        order = sorted(columns, key=lambda k: (not k.startswith("test_"), k))
        frame = pd.DataFrame({k: pd.Series(columns[k]) for k in order})
        frame.attrs["candidate"] = best
        frame.attrs["rank"] = int(np.asarray(results[rank_key])[best])
    else:
        data = {}
        for key, values in results.items():
            if key in ("estimator", "indices"):
                continue
            try:
                arr = np.asarray(values, dtype=float)
            except (TypeError, ValueError):
                continue
            if arr.ndim == 1:
                data[str(key)] = arr
        order = sorted(data, key=lambda k: (not k.startswith("test_"), not k.startswith("train_"), k))
        frame = pd.DataFrame({k: data[k] for k in order})
        frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.index.name = "fold"
    return frame


def _fmt(value, digits: int, width: int) -> str:
    if isinstance(value, (int, np.integer)):
        return f"{value:>{width}d}"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return " " * width
    if isinstance(value, (float, np.floating)):
        return f"{value:>{width}.{digits}f}"
    return f"{str(value):>{width}s}"


def format_table(table: pd.DataFrame | pd.Series, digits: int = 2) -> str:
    """Text of a report table, laid out like sklearn's ``classification_report``.

    A frame from :func:`classification_report_frame` without score columns
    prints exactly as :func:`sklearn.metrics.classification_report` does; score
    columns are appended to the right. Other tables get the same right-aligned
    layout (a Series prints as one ``name value`` line per entry).

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        A table returned by this module.
    digits : int, default=2
        Digits after the decimal point.

    Returns
    -------
    text : str
    """
    if isinstance(table, pd.Series):
        width = max(len(str(k)) for k in table.index)
        return "".join(f"{str(k):>{width}s} {_fmt(v, digits, 9)}\n" for k, v in table.items())
    headers = [str(c) for c in table.columns]
    col_w = [max(9, len(h)) for h in headers]
    longest = "weighted avg" if "precision" in table.columns else ""
    width = max([len(str(i)) for i in table.index] + [len(longest), digits])
    is_report = "precision" in table.columns
    lines = [f"{'':>{width}s} " + "".join(f" {h:>{w}}" for h, w in zip(headers, col_w))]
    if is_report:
        lines.append("")
    average_rows = ("accuracy", "micro avg", "macro avg", "weighted avg", "samples avg")
    first_avg = True
    for name, row in table.iterrows():
        if is_report and name in average_rows and first_avg:
            lines.append("")
            first_avg = False
        cells = []
        for value, w, col in zip(row.tolist(), col_w, headers):
            if col == "support" or col in ("n_folds", "rank"):
                value = int(value) if float(value).is_integer() else value
            cells.append(" " + _fmt(value, digits, w))
        lines.append(f"{str(name):>{width}s} " + "".join(cells))
    return "\n".join(line.rstrip() for line in lines) + "\n"
