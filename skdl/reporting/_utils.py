"""Helpers shared by the reporting modules: late imports, scores, labels.

Nothing here imports matplotlib, Keras or Optuna at module level; the plotting
and study helpers import them on call, through :func:`skdl.utils.import_optional`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.utils.multiclass import type_of_target

from skdl.utils import import_optional

CLASSIFICATION_TARGETS = ("binary", "multiclass", "multilabel-indicator")
REGRESSION_TARGETS = ("continuous", "continuous-multioutput")


def import_pyplot(purpose: str = "plotting"):
    """Return ``matplotlib.pyplot``, or raise an ImportError saying what to install."""
    return import_optional("matplotlib.pyplot", purpose=purpose)


def get_ax(ax=None, *, figsize=None):
    """Return ``(figure, ax)``, creating a new figure when ``ax`` is None."""
    if ax is not None:
        return ax.figure, ax
    plt = import_pyplot()
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def ensemble_members(estimator: Any) -> dict | None:
    """The fitted members of an averaging ensemble by name, else None.

    Duck-typed on ``named_estimators_`` (``skdl.tuning.TrialEnsemble``,
    sklearn's ``VotingClassifier``/``VotingRegressor``), so reporting needs
    no import of the classes.
    """
    members = getattr(estimator, "named_estimators_", None)
    if isinstance(members, Mapping) and members:
        return dict(members)
    return None


def final_step(estimator: Any) -> Any:
    """The last step of a Pipeline (recursively), else the estimator itself."""
    steps = getattr(estimator, "steps", None)
    if steps:
        return final_step(steps[-1][1])
    return estimator


def target_type(y) -> str:
    """sklearn's ``type_of_target``, with 'multiclass-multioutput' rejected."""
    kind = type_of_target(y)
    if kind not in CLASSIFICATION_TARGETS + REGRESSION_TARGETS:
        raise ValueError(
            "skdl.reporting handles targets of type "
            f"{sorted(CLASSIFICATION_TARGETS + REGRESSION_TARGETS)}. Got {kind!r}."
        )
    return kind


def estimator_scores(estimator: Any, X, *, n_outputs: int | None = None):
    """Continuous scores of a fitted classifier, one column per class.

    Uses ``predict_proba`` when available, else ``decision_function``.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_classes) or None
        For a binary problem two columns (``[1 - p, p]``), so that column ``i``
        always belongs to ``classes_[i]``. ``None`` when the estimator has
        neither method.
    is_proba : bool
        Whether ``scores`` are probabilities (needed for the log loss).
    """
    for method, is_proba in (("predict_proba", True), ("decision_function", False)):
        if not hasattr(estimator, method):
            continue
        try:
            scores = getattr(estimator, method)(X)
        except (AttributeError, NotImplementedError):
            continue
        if isinstance(scores, list):
            # multilabel trees / MultiOutputClassifier: one (n, 2) array per label
            scores = np.column_stack([np.asarray(s)[:, -1] for s in scores])
        scores = np.asarray(scores, dtype=float)
        if scores.ndim == 1:
            scores = scores[:, None]
        if scores.shape[1] == 1 and n_outputs in (None, 2):
            pos = scores[:, 0]
            neg = 1.0 - pos if is_proba else -pos
            scores = np.column_stack([neg, pos])
        return scores, is_proba
    return None, False


def check_scores(y_score, n_classes: int, kind: str):
    """Bring ``y_score`` to shape (n_samples, n_classes) (binary: 1-D accepted)."""
    y_score = np.asarray(y_score, dtype=float)
    if y_score.ndim == 1:
        if kind != "binary":
            raise ValueError(
                f"y_score must have one column per class for a {kind} target "
                f"({n_classes} columns). Got a 1-D array instead."
            )
        # probabilities keep summing to one; other scores just change sign
        is_proba = y_score.min() >= 0 and y_score.max() <= 1
        neg = 1.0 - y_score if is_proba else -y_score
        y_score = np.column_stack([neg, y_score])
    if kind == "binary" and y_score.shape[1] == 1:
        return check_scores(y_score[:, 0], n_classes, kind)
    if y_score.shape[1] != n_classes:
        raise ValueError(
            f"y_score must have {n_classes} columns (one per class), "
            f"got shape {y_score.shape} instead."
        )
    return y_score


def binarize(y_true, classes, kind: str) -> np.ndarray:
    """One indicator column per class (for multilabel, ``y_true`` itself)."""
    if kind == "multilabel-indicator":
        return np.asarray(y_true).astype(int)
    y_true = np.asarray(y_true)
    return np.column_stack([(y_true == c).astype(int) for c in classes])


def infer_classes(y_true, classes=None, kind: str | None = None) -> np.ndarray:
    """Class labels: given, else the sorted unique labels (multilabel: 0..n-1)."""
    if classes is not None:
        return np.asarray(classes)
    kind = kind or target_type(y_true)
    if kind == "multilabel-indicator":
        return np.arange(np.asarray(y_true).shape[1])
    return np.unique(np.asarray(y_true))


def label_names(classes, target_names=None) -> list[str]:
    """Display names for classes: ``target_names`` if given, else ``str(label)``."""
    if target_names is not None:
        names = [str(n) for n in target_names]
        if len(names) != len(classes):
            raise ValueError(
                f"target_names must have one name per class ({len(classes)}). "
                f"Got {len(names)} names instead."
            )
        return names
    return [str(c) for c in classes]


def quiet_experimental():
    """Context manager that silences Optuna's ExperimentalWarning (plots)."""
    ctx = warnings.catch_warnings()

    class _Ctx:
        def __enter__(self):
            ctx.__enter__()
            warnings.filterwarnings("ignore", message=".*experimental.*")
            warnings.filterwarnings("ignore", category=UserWarning, module="optuna")
            return self

        def __exit__(self, *exc):
            return ctx.__exit__(*exc)

    return _Ctx()


def legend_outside(
    ax, *, n_entries: int, title: str | None = None, max_inside: int = 6, inside_loc: str = "lower right"
):
    """Legend inside (at ``inside_loc``) for few entries, else outside to the right."""
    if n_entries <= max_inside:
        return ax.legend(loc=inside_loc, title=title, fontsize="small")
    ncol = 1 if n_entries <= 25 else 2
    return ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize="small" if n_entries <= 15 else "x-small",
        title=title,
        ncol=ncol,
    )


def class_colors(n: int):
    """``n`` distinguishable colours (tab10, tab20, then a continuous map)."""
    plt = import_pyplot()
    if n <= 10:
        cmap = plt.get_cmap("tab10")
        return [cmap(i) for i in range(n)]
    if n <= 20:
        cmap = plt.get_cmap("tab20")
        return [cmap(i) for i in range(n)]
    cmap = plt.get_cmap("turbo")
    return [cmap(x) for x in np.linspace(0.05, 0.95, n)]
