"""Test-only estimators for skdl.tuning (importable by worker and child processes).

``EpochSGDClassifier`` follows skdl's per-epoch contract (docs/design.md) without
Keras: one ``partial_fit`` per epoch, ``eval_set`` scored after every epoch, and
``on_epoch_end(epoch, logs)`` called on each fit-time callback, whose exceptions
propagate out of ``fit``.
"""

import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss

from skdl.exceptions import TrainingDivergedError


class EpochSGDClassifier(ClassifierMixin, BaseEstimator):
    """SGD logistic regression trained epoch by epoch.

    Parameters
    ----------
    epochs : int
        Number of epochs.
    alpha : float
        L2 penalty.
    noise : float
        Fraction of training labels replaced by random ones (1.0: a useless model,
        to build spaces with bad trials).
    diverge : bool
        Raise ``TrainingDivergedError`` (an ArithmeticError) at epoch 2, as a
        Keras estimator does on a NaN loss.
    fail : {None, "value", "keyboard"}
        Raise ValueError / KeyboardInterrupt in fit.
    sleep : float
        Seconds to sleep per epoch (to make a search slow enough to kill).
    random_state : int
    """

    _skdl_epoch_callbacks = True

    def __init__(self, epochs=4, alpha=1e-4, noise=0.0, diverge=False, fail=None,
                 sleep=0.0, random_state=0):
        self.epochs = epochs
        self.alpha = alpha
        self.noise = noise
        self.diverge = diverge
        self.fail = fail
        self.sleep = sleep
        self.random_state = random_state

    def fit(self, X, y, eval_set=None, callbacks=None):
        if self.fail == "value":
            raise ValueError("this configuration always fails")
        if self.fail == "keyboard":
            raise KeyboardInterrupt
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        rng = np.random.RandomState(self.random_state)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        y_used = y.copy()
        n_noisy = int(round(self.noise * len(y)))
        if n_noisy:
            idx = rng.choice(len(y), n_noisy, replace=False)
            y_used[idx] = rng.choice(self.classes_, n_noisy)
        self.model_ = SGDClassifier(loss="log_loss", alpha=self.alpha, learning_rate="constant",
                                    eta0=0.05, random_state=self.random_state)
        self.history_ = {}
        self.eval_shapes_ = []
        for epoch in range(self.epochs):
            if self.sleep:
                time.sleep(self.sleep)
            self.model_.partial_fit(X, y_used, classes=self.classes_)
            if self.diverge and epoch >= 1:
                raise TrainingDivergedError(f"loss became NaN at epoch {epoch + 1}")
            logs = {"loss": log_loss(y, self.model_.predict_proba(X), labels=self.classes_),
                    "learning_rate": 0.05}
            if eval_set is not None:
                Xe, ye = np.asarray(eval_set[0], dtype=float), np.asarray(eval_set[1])
                self.eval_shapes_.append(Xe.shape)
                proba = self.model_.predict_proba(Xe)
                logs["eval_loss"] = log_loss(ye, proba, labels=self.classes_)
                logs["eval_accuracy"] = accuracy_score(ye, self.classes_[proba.argmax(1)])
            for key, value in logs.items():
                self.history_.setdefault(key, []).append(float(value))
            for cb in callbacks or []:
                cb.on_epoch_end(epoch, logs)
        return self

    def predict(self, X):
        return self.model_.predict(np.asarray(X, dtype=float))

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(X, dtype=float))


class NaNScoreClassifier(ClassifierMixin, BaseEstimator):
    """Predicts NaN probabilities when ``bad`` (a diverged model that does not raise)."""

    def __init__(self, bad=False):
        self.bad = bad

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        p = np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))
        return p * np.nan if self.bad else p

    def score(self, X, y):
        return float("nan") if self.bad else 0.5


class FakeMLP(BaseEstimator):
    """Parameters of skdl's MLP estimators, for default_space."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", dropout=0.0, l1=0.0,
                 l2=0.0, optimizer="adam", learning_rate=1e-3, batch_size=32, epochs=10,
                 early_stopping=False, validation_fraction=0.1):
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs


class FakeCNN(BaseEstimator):
    """Parameters of skdl's CNN estimators, for default_space."""

    def __init__(self, filters=(32,), kernel_size=3, dense_layer_sizes=(), dropout=0.0,
                 l1=0.0, l2=0.0, optimizer="adam", learning_rate=1e-3, batch_size=32):
        self.filters = filters
        self.kernel_size = kernel_size
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size


class WarningClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; ``fit`` warns like an unconverged model."""

    def __init__(self, c=1.0, n_warnings=1):
        self.c = c
        self.n_warnings = n_warnings

    def fit(self, X, y):
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        self.classes_, counts = np.unique(y, return_counts=True)
        self.n_features_in_ = np.asarray(X).shape[1]
        for i in range(self.n_warnings):
            # distinct messages: the default filter shows each one
            warnings.warn(f"not converged (c={self.c}, warning {i})", ConvergenceWarning)
        self.majority_ = self.classes_[counts.argmax()]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)
