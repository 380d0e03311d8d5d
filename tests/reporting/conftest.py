"""Small fitted sklearn models and their predictions, one per target type."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_multilabel_classification
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


class Case:
    def __init__(self, est, X, y, Xte, yte):
        self.est, self.X, self.y, self.Xte, self.yte = est, X, y, Xte, yte
        self.pred = est.predict(Xte)
        self.proba = est.predict_proba(Xte) if hasattr(est, "predict_proba") else None
        self.classes = getattr(est, "classes_", None)


@pytest.fixture(scope="module")
def binary():
    X, y = load_breast_cancer(return_X_y=True)
    y = np.where(y == 1, "benign", "malignant")  # string labels; positive = classes_[1]
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    est = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=500)).fit(Xtr, ytr)
    return Case(est, X, y, Xte, yte)


@pytest.fixture(scope="module")
def multiclass():
    X, y = load_iris(return_X_y=True)
    y = np.array(["setosa", "versicolor", "virginica"])[y]
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)
    est = LogisticRegression(C=0.05, max_iter=500).fit(Xtr, ytr)
    return Case(est, X, y, Xte, yte)


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=4, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, Y, test_size=0.5, random_state=0)
    est = OneVsRestClassifier(LogisticRegression(max_iter=500)).fit(Xtr, ytr)
    return Case(est, X, Y, Xte, yte)


@pytest.fixture(scope="module")
def regression():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    est = Ridge(alpha=0.1).fit(Xtr, ytr)
    return Case(est, X, y, Xte, yte)


@pytest.fixture(scope="module")
def history():
    e = np.arange(20)
    return {
        "loss": list(1 / (1 + 0.3 * e) + 0.1),
        "accuracy": list(1 - 0.5 / (1 + 0.3 * e)),
        "val_loss": list(1 / (1 + 0.3 * e) + 0.15 + 0.01 * np.maximum(e - 11, 0) ** 1.5),
        "val_accuracy": list(1 - 0.55 / (1 + 0.3 * e)),
        "eval_loss": list(1 / (1 + 0.3 * e) + 0.2),
        "learning_rate": list(1e-3 * 0.8**e),
    }
