"""Which way a metric improves: one rule for early stopping, pruning and reports.

Names are the ones Keras writes into a history (``loss``, ``accuracy``,
``val_auc_1``, ``eval_cosine_similarity``, ...) and the ones scikit-learn's
scorers and ``cv_results_`` use (``neg_log_loss``, ``mean_test_r2``, ...).
"""

from __future__ import annotations

import re

__all__ = ["greater_is_better", "metric_direction"]

# Keras 3 metric and loss names (functions, classes in snake_case, and the short
# aliases Keras accepts in ``compile(metrics=...)``), by direction.
_HIGHER = frozenset(
    {
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "balanced_accuracy",
        "auc", "roc_auc", "pr_auc", "average_precision", "precision", "recall", "f1", "f1_score",
        "fbeta_score", "f_beta_score", "precision_at_recall", "recall_at_precision",
        "sensitivity_at_specificity", "specificity_at_sensitivity", "true_positives", "true_negatives",
        "iou", "mean_iou", "binary_iou", "one_hot_iou", "one_hot_mean_iou", "r2", "r2_score",
        "cosine_similarity", "concordance_correlation", "pearson_correlation", "explained_variance",
        "jaccard", "matthews_corrcoef", "score", "d2_absolute_error_score", "d2_log_loss_score",
        "d2_brier_score", "top_k_accuracy", "adjusted_rand_score", "rand_score", "mutual_info_score",
        "adjusted_mutual_info_score", "normalized_mutual_info_score", "homogeneity_score",
        "completeness_score", "v_measure_score", "fowlkes_mallows_score", "positive_likelihood_ratio",
    }
)
_LOWER = frozenset(
    {
        "loss", "false_positives", "false_negatives", "mean_squared_error", "mse",
        "root_mean_squared_error", "rmse", "mean_absolute_error", "mae", "mean_absolute_percentage_error",
        "mape", "mean_squared_logarithmic_error", "msle", "log_cosh_error", "logcosh", "log_cosh",
        "poisson", "kl_divergence", "kld", "kullback_leibler_divergence", "hinge", "squared_hinge",
        "categorical_hinge", "binary_crossentropy", "categorical_crossentropy",
        "sparse_categorical_crossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy",
        "sparse_categorical_focal_crossentropy", "ctc", "dice", "tversky", "huber", "huber_loss",
        "circle", "log_loss", "brier_score_loss", "max_error", "median_absolute_error",
        "mean_poisson_deviance", "mean_gamma_deviance", "mean_tweedie_deviance", "mean_pinball_loss",
        "hamming_loss", "zero_one_loss", "error", "negative_likelihood_ratio",
    }
)
_PREFIXES = ("mean_test_", "std_test_", "mean_train_", "std_train_", "val_", "eval_", "test_", "train_", "split")
_LOWER_TOKENS = ("loss", "error", "crossentropy", "cross_entropy", "brier", "divergence", "hinge", "deviance", "poisson", "cosh")
_HIGHER_TOKENS = ("accuracy", "auc", "precision", "recall", "iou", "similarity", "correlation", "score", "f1", "jaccard")


def _base_name(name: str) -> tuple[str, bool]:
    """The metric's own name and whether sklearn's ``neg_`` sign is on it."""
    key = str(name).strip().lower()
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
                if prefix == "split":  # split0_test_accuracy
                    key = re.sub(r"^\d+_(test|train)_", "", key)
                changed = True
    key = re.sub(r"_\d+$", "", key)  # Keras' de-duplicated names: auc_1
    negated = key.startswith("neg_")
    return (key[4:] if negated else key), negated


def metric_direction(name: str) -> bool | None:
    """``True`` (greater is better), ``False`` (lower is better) or ``None`` (unknown name).

    See :func:`greater_is_better`, which gives unknown names a default.
    """
    key, negated = _base_name(name)
    if key in _HIGHER:
        better = True
    elif key in _LOWER:
        better = False
    elif any(tok in key for tok in _LOWER_TOKENS):
        better = False
    elif any(tok in key for tok in _HIGHER_TOKENS):
        better = True
    else:
        return None
    # sklearn's neg_* scorers negate a lower-is-better metric: the score rises.
    return (not better) if negated else better


def greater_is_better(name: str) -> bool:
    """Whether larger values of the metric ``name`` are better.

    Prefixes Keras and scikit-learn add (``val_``, ``eval_``, ``mean_test_``,
    ``split0_test_``...) and Keras' ``_1`` suffixes are ignored; sklearn's
    ``neg_`` scorers are greater-is-better. A name neither Keras nor
    scikit-learn defines is treated as a loss (lower is better), as Keras'
    ``EarlyStopping(mode="auto")`` does.

    Parameters
    ----------
    name : str
        A history key, a Keras metric or loss name, or a scikit-learn scorer
        or ``cv_results_`` key.

    Returns
    -------
    bool

    Examples
    --------
    >>> greater_is_better("val_cosine_similarity"), greater_is_better("val_poisson")
    (True, False)
    >>> greater_is_better("neg_mean_squared_error")
    True
    """
    direction = metric_direction(name)
    return False if direction is None else direction
