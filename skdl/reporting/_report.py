"""``make_report``: one evaluation report as HTML, Markdown, JSON and console text.

The search section (shared with :func:`make_study_report`) is built in ``_study_report``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from skdl.reporting._tables import (
    classification_report_frame,
    classification_summary,
    cv_fold_scores,
    cv_summary,
    format_table,
    regression_report_frame,
)
from skdl.reporting._utils import (
    ensemble_members,
    estimator_scores,
    final_step,
    target_type,
)

__all__ = ["Report", "make_report"]


@dataclass
class Section:
    """One titled part of a report: table keys, figure keys, optional text."""

    title: str
    tables: list = field(default_factory=list)  # (key, caption)
    figures: list = field(default_factory=list)  # (key, caption)
    text: str = ""
    note: str = ""


class Report:
    """An evaluation report: tables (DataFrames), figures (PNG bytes), sections.

    Built by :func:`make_report`. The same numbers are available as
    DataFrames (:attr:`tables`), JSON (:meth:`to_json`), Markdown
    (:meth:`to_markdown`), console text (``str(report)``) and the HTML page
    at :attr:`path`.

    Attributes
    ----------
    title : str
    subtitle : str
    task : str
        ``"binary"``, ``"multiclass"``, ``"multilabel-indicator"``,
        ``"continuous"`` or ``"continuous-multioutput"``.
    tables : dict of str to DataFrame or Series
        E.g. ``"classification_report"``, ``"classification_summary"``,
        ``"confusion_matrix"``, ``"regression_report"``, ``"cv_summary"``,
        ``"search_trials"``, ``"hyperparameters"``, ``"model"``.
    figures : dict of str to bytes
        PNG images, e.g. ``"roc"``, ``"precision_recall"``, ``"history"``.
    sections : list of Section
    figure_sizes : dict of str to (int, int)
        Width and height in pixels of each figure; the page lets figures
        wider than :data:`WIDE_FIGURE_PX` span its whole width.
    path : str or None
        Where the HTML page was written.
    json_path : str or None
        Where the JSON twin was written (:meth:`to_json` with a path, or
        ``json_path=`` of :func:`make_report` / :meth:`save`). Only then
        does the page's footer name it.
    """

    def __init__(self, *, title: str, subtitle: str = "", task: str = ""):
        self.title = title
        self.subtitle = subtitle
        self.task = task
        self.created = _dt.datetime.now().isoformat(timespec="seconds")
        self.tables: dict[str, pd.DataFrame | pd.Series] = {}
        self.figures: dict[str, bytes] = {}
        self.sections: list[Section] = []
        self.figure_sizes: dict[str, tuple[int, int]] = {}
        self.path: str | None = None
        self.json_path: str | None = None

    # -- building ------------------------------------------------------
    def _section(self, title: str, note: str = "") -> Section:
        section = Section(title, note=note)
        self.sections.append(section)
        return section

    def _table(self, section: Section, key: str, caption: str, table) -> None:
        self.tables[key] = table
        section.tables.append((key, caption))

    def _figure(self, section: Section, key: str, caption: str, figure, dpi: int) -> None:
        from skdl.reporting._html import figure_to_png

        png = figure_to_png(figure, dpi=dpi)
        self.figures[key] = png
        self.figure_sizes[key] = _png_size(png)
        section.figures.append((key, caption))

    # -- output --------------------------------------------------------
    def to_html(self) -> str:
        """The self-contained HTML page.

        Returns
        -------
        html : str
        """
        from skdl.reporting._html import render_html

        return render_html(self)

    def save(self, path: str | os.PathLike, *, json_path: str | os.PathLike | None = None) -> str:
        """Write the HTML page to ``path`` (and its JSON twin to ``json_path``).

        Both files are written atomically and honour the umask. The JSON
        file is written first, so the page's footer can name it.

        Parameters
        ----------
        path : str or path-like
        json_path : str or path-like, default=None
            Also write :meth:`to_json` there; the footer then says so.

        Returns
        -------
        path : str
        """
        from skdl.utils import atomic_write_text

        path = os.fspath(path)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if json_path is not None:
            self.to_json(json_path)
        atomic_write_text(path, self.to_html())
        self.path = path
        return path

    def to_markdown(self) -> str:
        """The report as Markdown (tables in full, figures listed by caption).

        Returns
        -------
        markdown : str
        """
        from skdl.reporting._html import render_markdown

        return render_markdown(self)

    def to_dict(self) -> dict[str, Any]:
        """The report's numbers as plain JSON-ready Python objects.

        Returns
        -------
        data : dict
            ``{"title", "task", "created", "tables": {key: {row: {column: value}}},
            "figures": [keys]}``; NaN becomes None.
        """
        tables = {}
        for key, table in self.tables.items():
            if isinstance(table, pd.Series):
                tables[key] = {str(k): _plain(v) for k, v in table.items()}
            else:
                tables[key] = {
                    str(idx): {str(c): _plain(v) for c, v in row.items()} for idx, row in table.iterrows()
                }
        return {"title": self.title, "task": self.task, "created": self.created,
                "tables": tables, "figures": list(self.figures)}

    def to_json(self, path: str | os.PathLike | None = None, *, indent: int = 2) -> str:
        """The report's numbers as JSON, optionally written to ``path``.

        Parameters
        ----------
        path : str or path-like, default=None
            Where to write it (atomically); remembered in :attr:`json_path`,
            so an HTML page rendered afterwards names its JSON twin.
        indent : int, default=2

        Returns
        -------
        text : str
        """
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        if path is not None:
            from skdl.utils import atomic_write_text

            path = os.fspath(path)
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            atomic_write_text(path, text)
            self.json_path = path
        return text

    def __str__(self) -> str:
        lines = [self.title, "=" * len(self.title), self.subtitle, ""]
        for key in ("model", "classification_summary", "classification_report", "regression_report",
                    "history_summary", "cv_summary", "search_overview"):
            if key in self.tables:
                lines += [f"[{key.replace('_', ' ')}]", format_table(self.tables[key], digits=4)]
        if self.path:
            lines.append(f"HTML report: {self.path}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Report {self.title!r}: {len(self.tables)} tables, {len(self.figures)} figures, path={self.path!r}>"

    def _repr_html_(self) -> str:  # notebooks show the page inline
        return self.to_html()


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if v is None or isinstance(v, (int, str)):
        return v
    return str(v)


def _model_tables(estimator) -> tuple[pd.Series, str]:
    """A summary Series (estimator, parameter count...) and Keras summary text."""
    est = final_step(estimator)
    info: dict[str, Any] = {"estimator": type(est).__name__}
    if est is not estimator:
        info["pipeline"] = " → ".join(type(s).__name__ for _, s in estimator.steps)
    text = ""
    model = getattr(est, "model_", None)
    if model is not None and hasattr(model, "summary"):
        lines: list[str] = []
        try:
            model.summary(print_fn=lambda line, *a, **k: lines.append(str(line)))
        except TypeError:  # older print_fn signature
            model.summary(print_fn=lines.append)
        text = "\n".join(lines)
        layers = getattr(model, "layers", None)
        if layers is not None:
            info["layers"] = len(layers)
    if model is not None and hasattr(model, "count_params"):
        try:
            info["parameters"] = int(model.count_params())
        except ValueError:  # an unbuilt Keras model
            pass
    elif hasattr(est, "coefs_"):  # sklearn's MLP
        sizes = [est.coefs_[0].shape[0]] + [c.shape[1] for c in est.coefs_]
        info["layer sizes"] = " → ".join(map(str, sizes))
        info["parameters"] = int(sum(c.size for c in est.coefs_) + sum(b.size for b in est.intercepts_))
    elif hasattr(est, "coef_"):
        info["parameters"] = int(np.size(est.coef_) + np.size(getattr(est, "intercept_", 0)))
    for attr in ("n_features_in_", "n_iter_", "best_epoch_"):
        value = getattr(est, attr, None)
        if value is not None and np.ndim(value) == 0:
            info[attr.rstrip("_")] = value
    return pd.Series(info, name="value", dtype=object), text


def _hyperparameters(estimator) -> pd.DataFrame:
    params = final_step(estimator).get_params(deep=False)
    rows = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else repr(v)) for k, v in params.items()}
    return pd.DataFrame({"value": pd.Series(rows, dtype=object)}).rename_axis("parameter")


def _history_summary(curves) -> pd.DataFrame:
    rows = {}
    for metric, splits in curves.panels.items():
        for split, values in splits.items():
            key = metric if split == "train" else f"{split}_{metric}"
            row = {"final": float(values[-1])}
            if curves.best_epoch is not None and curves.best_epoch <= len(values):
                row[f"at best epoch ({curves.best_epoch})"] = float(values[curves.best_epoch - 1])
            rows[key] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def make_report(
    estimator,
    X_test,
    y_test,
    *,
    search=None,
    cv_results=None,
    path: str | os.PathLike | None = None,
    json_path: str | os.PathLike | None = None,
    title: str | None = None,
    target_names=None,
    max_classes: int = 10,
    dpi: int = 90,
) -> Report:
    """Evaluate a fitted estimator on test data: one report, as HTML, JSON, Markdown or text.

    The page holds the model summary (Keras layers and parameter count when
    the estimator has ``model_``), the hyperparameters, the training curves
    from ``history_``, the metric tables and plots for the task (ROC and
    precision-recall curves and confusion matrices for classification,
    predicted-vs-true and residuals for regression), a cross-validation
    summary and, with a search, its best trials and search plots. Figures are
    embedded as PNG, so the file opens offline.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        Any sklearn-compatible classifier or regressor. For a Pipeline, the
        final step supplies the model summary, hyperparameters and history.
    X_test, y_test : array-like
        Held-out data to evaluate on.
    search : OptunaSearchCV, optuna.Study or sklearn search, default=None
        Adds the search section (best trials, optimisation history,
        importances, parallel coordinates, slice, intermediate values).
    cv_results : dict, default=None
        ``cross_validate`` output or a search's ``cv_results_``; adds a
        cross-validation section: the summary (or the ranked candidates) and
        the score of each fold (of the best candidate).
    path : str, path-like or None, default=None
        Where to write the HTML page; None writes nothing (use
        :meth:`Report.save` or :meth:`Report.to_html`).
    json_path : str, path-like or None, default=None
        Where to write the same numbers as JSON (:meth:`Report.to_json`).
        The page's footer names the JSON file only when one is written.
    title : str, default=None
        Page title; default ``"<EstimatorName> evaluation report"``.
    target_names : sequence of str, default=None
        Display names of the classes (default ``str(label)``).
    max_classes : int, default=10
        Largest number of per-class ROC/PR curves drawn (the best and worst
        separated classes are kept beyond that).
    dpi : int, default=90
        Resolution of the embedded figures.

    Returns
    -------
    report : Report
        With ``.path``, ``.tables``, ``.figures``, ``.to_markdown()``,
        ``.to_json()`` / ``.to_dict()`` and a console summary via ``str()``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdl.reporting import make_report
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> report = make_report(clf, X, y, path="iris_report.html",
    ...                      json_path="iris_report.json")  # doctest: +SKIP
    >>> report.tables["classification_summary"]["accuracy"]  # doctest: +SKIP
    0.973...
    """
    from skdl.reporting._confusion import ConfusionDisplay, confusion_frame
    from skdl.reporting._history import HistoryDisplay, compute_history, get_history
    from skdl.reporting._pr import PrecisionRecallCurvesDisplay
    from skdl.reporting._regression import RegressionDisplay
    from skdl.reporting._roc import RocCurvesDisplay
    from skdl.reporting._search import get_study
    from skdl.reporting._utils import import_pyplot

    import_pyplot(purpose="make_report")  # fail early with the install hint
    est = final_step(estimator)
    name = type(est).__name__
    # Integer targets (diabetes) look "multiclass" to type_of_target: ask the estimator first.
    from sklearn.base import is_classifier as _is_classifier, is_regressor

    try:
        regressor, classifier = is_regressor(estimator), _is_classifier(estimator)
    except (AttributeError, TypeError):  # duck-typed estimator without sklearn tags
        regressor, classifier = False, False
    is_classifier = not regressor and (classifier or hasattr(est, "classes_"))
    if is_classifier:
        kind = target_type(y_test)
    else:
        kind = "continuous-multioutput" if np.ndim(y_test) == 2 and np.shape(y_test)[1] > 1 else "continuous"
    n_test = len(y_test)
    report = Report(
        title=title or f"{name} evaluation report",
        subtitle=f"{'classification' if is_classifier else 'regression'} ({kind}), {n_test} test samples",
        task=kind,
    )

    # Model. An ensemble is described by its first (best) member, and says so.
    members = ensemble_members(estimator)
    lead = next(iter(members.values())) if members else estimator
    info, summary_text = _model_tables(lead)
    ensemble_note = ""
    if members:
        first = next(iter(members))
        info = pd.concat([pd.Series({"ensemble": f"{name}, the mean of {len(members)}: "
                                                 + ", ".join(members)}, dtype=object), info])
        info.name = "value"
        ensemble_note = (f"The ensemble averages {len(members)} members; the summary, "
                         f"hyperparameters and training history shown are those of {first}.")
    sec = report._section("Model", note=ensemble_note)
    report._table(sec, "model", "Summary", info)
    sec.text = summary_text
    report._table(sec, "hyperparameters", "Hyperparameters", _hyperparameters(lead))

    # Training history
    history = get_history(lead)
    if history:
        curves = compute_history(history)
        note = _history_note(curves) + (f" Member {first} of the ensemble." if members else "")
        sec = report._section("Training history", note=note)
        caption = "Last and best-epoch values" if curves.best_epoch else "Last values"
        report._table(sec, "history_summary", caption, _history_summary(curves))
        report._figure(sec, "history", "Loss and metrics per epoch", HistoryDisplay(curves, name=name).plot().figure_, dpi)

    # Test-set evaluation
    sec = report._section("Test-set evaluation")
    y_pred = estimator.predict(X_test)
    if is_classifier:
        classes = getattr(estimator, "classes_", None)
        if classes is not None and (np.ndim(classes) != 1 or kind == "multilabel-indicator"):
            classes = None
        n_out = len(classes) if classes is not None else None
        scores, is_proba = estimator_scores(estimator, X_test, n_outputs=n_out)
        if classes is None and kind == "multilabel-indicator":
            classes = np.arange(np.asarray(y_test).shape[1])
        if scores is not None and classes is not None and scores.shape[1] != len(classes):
            scores = None  # cannot tell which column belongs to which class
        report._table(sec, "classification_summary", "Scores",
                      classification_summary(y_test, y_pred, scores, labels=classes, is_proba=is_proba))
        report._table(sec, "classification_report", "Per-class report",
                      classification_report_frame(y_test, y_pred, scores, labels=classes, target_names=target_names))
        n_classes = len(classes) if classes is not None else len(np.unique(y_test))
        if kind != "multilabel-indicator" and n_classes <= 30:
            report._table(sec, "confusion_matrix", "Confusion matrix (rows: true, columns: predicted)",
                          confusion_frame(y_test, y_pred, labels=classes, target_names=target_names))
        figs = report._section("Classification plots")
        disp = ConfusionDisplay.from_predictions(y_test, y_pred, labels=classes, target_names=target_names, name=name)
        report._figure(figs, "confusion_matrix", "Confusion matrix (counts)", disp.figure_, dpi)
        if kind != "multilabel-indicator":
            disp = ConfusionDisplay.from_predictions(y_test, y_pred, labels=classes, target_names=target_names,
                                                     normalize="true", name=name)
            report._figure(figs, "confusion_matrix_normalized", "Confusion matrix normalised by true label",
                           disp.figure_, dpi)
        if scores is not None:
            kw = {"labels": classes, "target_names": target_names, "name": name}
            roc = RocCurvesDisplay.from_predictions(y_test, scores, max_classes=max_classes, **kw)
            report._figure(figs, "roc", "ROC curves", roc.figure_, dpi)
            pr = PrecisionRecallCurvesDisplay.from_predictions(y_test, scores, max_classes=max_classes, **kw)
            report._figure(figs, "precision_recall", "Precision-recall curves", pr.figure_, dpi)
    else:
        report._table(sec, "regression_report", "Regression metrics", regression_report_frame(y_test, y_pred))
        figs = report._section("Regression plots")
        disp = RegressionDisplay.from_predictions(y_test, y_pred, name=name)
        report._figure(figs, "regression", "Predicted vs true values and residuals", disp.figure_, dpi)

    # Cross-validation
    if cv_results is not None:
        sec = report._section("Cross-validation")
        results = getattr(cv_results, "cv_results_", cv_results)
        is_search = isinstance(results, dict) and "params" in results
        report._table(sec, "cv_summary", "Candidates, best mean score first" if is_search else "Scores over folds",
                      cv_summary(cv_results, n_top=10))
        folds = cv_fold_scores(cv_results)
        if len(folds):
            caption = "Scores of each fold"
            if is_search:
                candidate, rank = folds.attrs.get("candidate"), folds.attrs.get("rank")
                caption += (f" of the best candidate (candidate {candidate})" if rank == 1 else
                            f" of the refitted candidate (candidate {candidate}, rank {rank})")
            report._table(sec, "cv_folds", caption, folds)

    # Search
    if search is not None:
        from skdl.reporting._study_report import _add_search_section

        sec = _add_search_section(report, search, n_top=10, dpi=dpi)
        if get_study(search) is None and cv_results is None and hasattr(search, "cv_results_"):
            report._table(sec, "cv_summary", "Candidates (cv_results_)", cv_summary(search, n_top=10))
    if path is not None:
        report.save(path, json_path=json_path)
    elif json_path is not None:
        report.to_json(json_path)
    return report


def _history_note(curves) -> str:
    if curves.best_epoch is not None:
        split = "validation split" if curves.monitor.startswith("val_") else (
            "eval set" if curves.monitor.startswith("eval_") else "training data")
        return f"Best epoch {curves.best_epoch} by {curves.monitor} (on the {split})."
    return ("Only training values were recorded (no validation split or eval set), so no best epoch is "
            "chosen: the lowest training loss says nothing about unseen data. Fit with "
            "early_stopping=True (it holds out validation_fraction of the training rows) for a "
            "validation curve.")
