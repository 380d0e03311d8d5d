"""What a fitted search does with its best estimator: predict, score, its attributes."""

from __future__ import annotations

from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["BestEstimatorMixin"]


def _estimator_has(attr: str):
    def check(self) -> bool:
        if hasattr(self, "best_estimator_"):
            getattr(self.best_estimator_, attr)
        else:
            getattr(self.estimator, attr)
        return True

    return check


class BestEstimatorMixin:
    """Delegate prediction and scoring to ``best_estimator_``, as sklearn's searches do.

    Methods exist when the estimator (or, once fitted, the best estimator) has
    them. ``score`` uses the search's ``refit`` scorer.
    """

    @property
    def classes_(self):
        """Class labels of the best estimator."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self):
        """Number of features seen by the best estimator."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.n_features_in_

    def _check_refitted(self, method: str) -> None:
        check_is_fitted(self)
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(
                f"This OptunaSearchCV was fitted with refit=False; {method} is "
                "available only after refitting on the best parameters."
            )

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Call ``predict`` on the best estimator."""
        self._check_refitted("predict")
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Call ``predict_proba`` on the best estimator."""
        self._check_refitted("predict_proba")
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Call ``predict_log_proba`` on the best estimator."""
        self._check_refitted("predict_log_proba")
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Call ``decision_function`` on the best estimator."""
        self._check_refitted("decision_function")
        return self.best_estimator_.decision_function(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X):
        """Call ``transform`` on the best estimator."""
        self._check_refitted("transform")
        return self.best_estimator_.transform(X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X):
        """Call ``inverse_transform`` on the best estimator."""
        self._check_refitted("inverse_transform")
        return self.best_estimator_.inverse_transform(X)

    @available_if(_estimator_has("score"))
    def score(self, X, y=None):
        """Score the best estimator with the ``refit`` scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        self._check_refitted("score")
        scorer = self.scorer_[self.refit_metric_] if self.multimetric_ else self.scorer_
        return scorer(self.best_estimator_, X, y)

    def trials_dataframe(self, **kwargs):
        """Return ``study_.trials_dataframe(**kwargs)``: every trial of the study.

        Returns
        -------
        df : pandas.DataFrame
        """
        check_is_fitted(self)
        return self.study_.trials_dataframe(**kwargs)
