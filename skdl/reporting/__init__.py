"""Evaluation reports for fitted estimators: tables, plots and an HTML page.

Works on any fitted scikit-learn estimator (``predict``, ``predict_proba`` /
``decision_function``, ``classes_``), on a ``history_`` dict of per-epoch
lists, on ``cross_validate`` output or a search's ``cv_results_``, and on an
Optuna study (or any object with ``study_``). It never imports
``skdl.estimators`` or ``skdl.tuning``, and importing it does not import
matplotlib, Keras or Optuna: they are imported when a plot is drawn.

Tables are pandas objects whose numbers come from :mod:`sklearn.metrics`;
each Display computes its data in a ``compute_*`` function and only draws in
``plot``.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.linear_model import LogisticRegression
>>> from skdl.reporting import classification_report_frame, format_table
>>> X, y = load_iris(return_X_y=True)
>>> clf = LogisticRegression(max_iter=500).fit(X, y)
>>> frame = classification_report_frame(y, clf.predict(X), clf.predict_proba(X))
>>> print(format_table(frame))  # doctest: +SKIP
"""

from skdl.reporting._confusion import ConfusionDisplay, compute_confusion, confusion_frame
from skdl.reporting._curves import Curve, compute_pr_curves, compute_roc_curves, select_curves
from skdl.reporting._history import HistoryDisplay, compute_history, get_history
from skdl.reporting._importance import compute_param_importances, short_param_names
from skdl.reporting._pr import PrecisionRecallCurvesDisplay
from skdl.reporting._regression import RegressionDisplay
from skdl.reporting._report import Report, make_report
from skdl.reporting._roc import CVRocDisplay, RocCurvesDisplay, compute_cv_roc
from skdl.reporting._search import (
    SearchDisplay,
    compute_intermediate_values,
    compute_optimization_history,
    get_study,
    search_overview,
    search_trials_frame,
)
from skdl.reporting._search_plots import compute_parallel_coordinates, compute_slice
from skdl.reporting._study_report import make_study_report
from skdl.reporting._tables import (
    classification_report_frame,
    classification_summary,
    cv_fold_scores,
    cv_summary,
    format_table,
    regression_report_frame,
)

__all__ = [
    "CVRocDisplay",
    "ConfusionDisplay",
    "Curve",
    "HistoryDisplay",
    "PrecisionRecallCurvesDisplay",
    "RegressionDisplay",
    "Report",
    "RocCurvesDisplay",
    "SearchDisplay",
    "classification_report_frame",
    "classification_summary",
    "compute_confusion",
    "compute_cv_roc",
    "compute_history",
    "compute_intermediate_values",
    "compute_optimization_history",
    "compute_parallel_coordinates",
    "compute_param_importances",
    "compute_pr_curves",
    "compute_roc_curves",
    "compute_slice",
    "confusion_frame",
    "cv_fold_scores",
    "cv_summary",
    "format_table",
    "get_history",
    "get_study",
    "make_report",
    "make_study_report",
    "regression_report_frame",
    "search_overview",
    "search_trials_frame",
    "select_curves",
    "short_param_names",
]
