"""TrialEnsemble: the average of several estimators fitted on the same data.

``OptunaSearchCV(refit_ensemble=k)`` refits its ``k`` best trials and makes
their average the ``best_estimator_``. Averaging a few good networks lowers
the variance that picking one winner out of many noisy CV scores adds (the
winner's CV score is biased upwards; its neighbours are nearly as good).
"""

from __future__ import annotations

from copy import deepcopy

import numpy as np
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["TrialEnsemble"]


def _members_have(attr: str):
    def check(self) -> bool:
        return all(hasattr(m, attr) for m in self._members())

    return check


class TrialEnsemble(BaseEstimator):
    """Average the predictions of several estimators fitted on the same data.

    Classifiers average ``predict_proba`` (soft voting) and predict the class
    of the highest mean probability; regressors average ``predict``. Every
    member is fitted on all of ``X, y``: this is the ensemble
    :class:`OptunaSearchCV` builds from its best trials with
    ``refit_ensemble=k``, and it can be built by hand from any estimators of
    one task.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members, with unique names (the search names them
        ``"trial_<number>"``). ``fit`` fits a clone of each.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members, in the order of ``estimators``.
    named_estimators_ : dict
        The fitted members by name.
    classes_ : ndarray of shape (n_classes,)
        The class labels (classifiers only); the same for every member.
    n_features_in_ : int
        Number of features seen during ``fit`` (when the members record it).

    See Also
    --------
    sklearn.ensemble.VotingClassifier : the same averaging, with weights and hard voting.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skdl.tuning import TrialEnsemble
    >>> X, y = load_iris(return_X_y=True)
    >>> ens = TrialEnsemble([("lr", LogisticRegression(max_iter=500)),
    ...                      ("tree", DecisionTreeClassifier(random_state=0))]).fit(X, y)
    >>> ens.predict_proba(X[:1]).shape
    (1, 3)
    """

    def __init__(self, estimators):
        self.estimators = estimators

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        members = self._members()
        if members:
            sub = get_tags(members[0])
            tags.estimator_type = sub.estimator_type
            tags.classifier_tags = deepcopy(sub.classifier_tags)
            tags.regressor_tags = deepcopy(sub.regressor_tags)
            tags.input_tags = deepcopy(sub.input_tags)
            tags.target_tags = deepcopy(sub.target_tags)
        tags.non_deterministic = True
        return tags

    def _members(self) -> list:
        if hasattr(self, "estimators_"):
            return list(self.estimators_)
        try:
            return [est for _, est in self.estimators]
        except (TypeError, ValueError):
            return []

    def _check_estimators(self) -> list[str]:
        est = self.estimators
        if (not isinstance(est, (list, tuple)) or not est
                or not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in est)):
            raise ValueError(
                "estimators must be a non-empty list of (name, estimator) tuples. "
                f"Got {est!r} instead."
            )
        names = [name for name, _ in est]
        if len(set(names)) != len(names):
            raise ValueError(f"The names of estimators must be unique. Got {names}.")
        kinds = {is_classifier(e) for _, e in est}
        if len(kinds) > 1:
            raise ValueError(
                "estimators must be all classifiers or all regressors; got "
                + ", ".join(f"{n}: {type(e).__name__}" for n, e in est) + "."
            )
        return names

    def fit(self, X, y, **fit_params):
        """Fit a clone of every member on ``X, y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        **fit_params : dict
            Passed to every member's ``fit``.

        Returns
        -------
        self : TrialEnsemble
        """
        self._check_estimators()
        fitted = []
        for _, est in self.estimators:
            member = clone(est)
            member.fit(X, y, **fit_params)
            fitted.append(member)
        return self._set_fitted(fitted)

    def _set_fitted(self, fitted: list) -> TrialEnsemble:
        """Take ``fitted`` (fitted in the order of ``estimators``) as the members."""
        names = self._check_estimators()
        if len(fitted) != len(names):
            raise ValueError(f"Expected {len(names)} fitted members, got {len(fitted)}.")
        if is_classifier(fitted[0]):
            without = [n for n, m in zip(names, fitted) if not hasattr(m, "predict_proba")]
            if without:
                raise ValueError(
                    "A TrialEnsemble of classifiers averages predict_proba, which "
                    f"{', '.join(without)} lack(s)."
                )
            if any(isinstance(m.classes_, list) for m in fitted):
                raise ValueError(
                    "A TrialEnsemble averages single-output classifiers; these members "
                    "have one classes_ array per output."
                )
            classes = [np.asarray(m.classes_) for m in fitted]
            if any(c.shape != classes[0].shape or np.any(c != classes[0]) for c in classes[1:]):
                raise ValueError(
                    "The members of a TrialEnsemble must have the same classes_; got "
                    + "; ".join(f"{n}: {list(c)}" for n, c in zip(names, classes)) + "."
                )
            self.classes_ = classes[0]
        n_features = getattr(fitted[0], "n_features_in_", None)
        if n_features is not None:
            self.n_features_in_ = n_features
        names_in = getattr(fitted[0], "feature_names_in_", None)
        if names_in is not None:
            self.feature_names_in_ = names_in
        self.estimators_ = list(fitted)
        self.named_estimators_ = dict(zip(names, fitted))
        return self

    @available_if(_members_have("predict_proba"))
    def predict_proba(self, X):
        """Mean of the members' ``predict_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "estimators_")
        return np.mean([np.asarray(m.predict_proba(X), dtype=float) for m in self.estimators_], axis=0)

    def predict(self, X):
        """The class of the highest mean probability, or the mean prediction.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self, "estimators_")
        if hasattr(self, "classes_"):
            proba = self.predict_proba(X)
            return self.classes_[np.argmax(proba, axis=1)]
        preds = [np.asarray(m.predict(X), dtype=float) for m in self.estimators_]
        return np.mean(preds, axis=0)

    def score(self, X, y, sample_weight=None):
        """Accuracy (classifiers) or R² (regressors) of :meth:`predict`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        pred = self.predict(X)
        if hasattr(self, "classes_"):
            return float(accuracy_score(y, pred, sample_weight=sample_weight))
        return float(r2_score(y, pred, sample_weight=sample_weight))
