"""scikit-learn's scorer names, known without importing scikit-learn.

``import sklearn`` alone takes over a second, and the CLI checks ``--scoring``
before it loads anything heavy, so a typo is reported at once. The list is
scikit-learn 1.9.1's ``sklearn.metrics.get_scorer_names()``
(tests/cli check that it still is); with another installed version the CLI
asks scikit-learn itself.
"""

from __future__ import annotations

__all__ = ["SCORER_NAMES", "SCORERS_OF_SKLEARN", "scorer_names"]

#: The scikit-learn version the list below was taken from.
SCORERS_OF_SKLEARN = "1.9.1"

SCORER_NAMES = (
    'accuracy', 'adjusted_mutual_info_score', 'adjusted_rand_score', 'average_precision',
    'balanced_accuracy', 'completeness_score', 'd2_absolute_error_score', 'd2_brier_score',
    'd2_log_loss_score', 'explained_variance', 'f1', 'f1_macro', 'f1_micro', 'f1_samples',
    'f1_weighted', 'fowlkes_mallows_score', 'homogeneity_score', 'jaccard', 'jaccard_macro',
    'jaccard_micro', 'jaccard_samples', 'jaccard_weighted', 'matthews_corrcoef',
    'mutual_info_score', 'neg_brier_score', 'neg_log_loss', 'neg_max_error',
    'neg_mean_absolute_error', 'neg_mean_absolute_percentage_error', 'neg_mean_gamma_deviance',
    'neg_mean_poisson_deviance', 'neg_mean_squared_error', 'neg_mean_squared_log_error',
    'neg_median_absolute_error', 'neg_negative_likelihood_ratio', 'neg_root_mean_squared_error',
    'neg_root_mean_squared_log_error', 'normalized_mutual_info_score',
    'positive_likelihood_ratio', 'precision', 'precision_macro', 'precision_micro',
    'precision_samples', 'precision_weighted', 'r2', 'rand_score', 'recall', 'recall_macro',
    'recall_micro', 'recall_samples', 'recall_weighted', 'roc_auc', 'roc_auc_ovo',
    'roc_auc_ovo_weighted', 'roc_auc_ovr', 'roc_auc_ovr_weighted', 'top_k_accuracy',
    'v_measure_score',
)


def scorer_names() -> tuple[str, ...]:
    """Valid scorer names: the list above when its scikit-learn is installed, else scikit-learn's own."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover - skdl needs scikit-learn
        installed = None
    if installed == SCORERS_OF_SKLEARN:
        return SCORER_NAMES
    from sklearn.metrics import get_scorer_names

    return tuple(get_scorer_names())
