"""Iris with an MLP: a Pipeline, cross-validation, a classification report,
a confusion matrix and ROC curves.

Run::

    python docs/examples/plot_iris_mlp.py [OUT_DIR]

Writes ``iris_confusion.png`` and ``iris_roc.png`` to OUT_DIR (default: a new
temporary directory, printed at the end). ``SKDL_EXAMPLE_FAST=1`` shrinks the
budgets (used by the test suite).
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")  # write files; no window

from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import cross_validate, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdl import MLPClassifier  # noqa: E402
from skdl.reporting import (  # noqa: E402
    ConfusionDisplay,
    RocCurvesDisplay,
    classification_report_frame,
    cv_summary,
    format_table,
)

FAST = os.environ.get("SKDL_EXAMPLE_FAST") == "1"


def main(out_dir=None):
    out_dir = out_dir or tempfile.mkdtemp(prefix="skdl-iris-")
    os.makedirs(out_dir, exist_ok=True)

    iris = load_iris(as_frame=True)
    X, y = iris.data, iris.target_names[iris.target]  # string labels: 'setosa', ...
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )

    # A scaler and a small network; patience=None trains exactly `epochs` epochs.
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(16,), learning_rate=0.03, epochs=20 if FAST else 60,
                      patience=None, random_state=0),
    )

    # 5-fold stratified cross-validation on the training part.
    cv = cross_validate(pipe, X_train, y_train, cv=3 if FAST else 5,
                        scoring=["accuracy", "f1_macro"])
    print("Cross-validation on the training set:")
    print(format_table(cv_summary(cv), digits=3))

    # Fit on the whole training part and evaluate on the held-out test part.
    pipe.fit(X_train, y_train)
    y_pred = pipe.predict(X_test)
    proba = pipe.predict_proba(X_test)  # columns in the order of pipe.classes_
    print("\nTest set:")
    print(format_table(classification_report_frame(y_test, y_pred, proba, labels=pipe.classes_)))

    confusion = ConfusionDisplay.from_estimator(pipe, X_test, y_test, name="MLP on iris")
    confusion.figure_.savefig(os.path.join(out_dir, "iris_confusion.png"), dpi=100,
                              bbox_inches="tight")
    roc = RocCurvesDisplay.from_estimator(pipe, X_test, y_test, name="MLP on iris")
    roc.figure_.savefig(os.path.join(out_dir, "iris_roc.png"), dpi=100, bbox_inches="tight")

    print(f"\nPlots written to {out_dir}")
    return out_dir


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
