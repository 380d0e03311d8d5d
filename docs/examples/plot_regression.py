"""Diabetes with an MLP regressor: a regression report and a
predicted-vs-true plot.

Run::

    python docs/examples/plot_regression.py [OUT_DIR]

Writes ``diabetes_regression.png`` (predicted vs true values and residuals on
the test set) and ``diabetes_history.png`` (training curves) to OUT_DIR
(default: a new temporary directory). ``SKDL_EXAMPLE_FAST=1`` shrinks the
budgets (used by the test suite).
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

from sklearn.datasets import load_diabetes  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdl import MLPRegressor  # noqa: E402
from skdl.reporting import (  # noqa: E402
    HistoryDisplay,
    RegressionDisplay,
    format_table,
    regression_report_frame,
)

FAST = os.environ.get("SKDL_EXAMPLE_FAST") == "1"


def main(out_dir=None):
    out_dir = out_dir or tempfile.mkdtemp(prefix="skdl-diabetes-")
    os.makedirs(out_dir, exist_ok=True)

    X, y = load_diabetes(return_X_y=True, as_frame=True)  # y: disease progression, 25..346
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

    # scale_target=True (the default) standardises y inside the estimator, so the
    # default learning rate suits a target in the hundreds; predictions come back
    # in the original units. Early stopping holds out 10% of the training rows
    # (33 here: enough for a validation score) and restores the best weights.
    reg = MLPRegressor(
        hidden_layer_sizes=(32, 16),
        dropout=0.1,
        l2=1e-3,
        learning_rate=0.001,
        epochs=40 if FAST else 200,
        early_stopping=True,
        patience=10,
        random_state=0,
    )
    pipe = make_pipeline(StandardScaler(), reg).fit(X_train, y_train)
    print(f"{reg.n_iter_} epochs trained, best epoch {reg.best_epoch_ + 1}")

    y_pred = pipe.predict(X_test)
    print("Test set:")
    print(format_table(regression_report_frame(y_test, y_pred), digits=3))

    errors = RegressionDisplay.from_predictions(y_test, y_pred, name="MLP on diabetes")
    errors.figure_.savefig(os.path.join(out_dir, "diabetes_regression.png"), dpi=100,
                           bbox_inches="tight")
    history = HistoryDisplay.from_estimator(reg, name="MLP on diabetes")
    history.figure_.savefig(os.path.join(out_dir, "diabetes_history.png"), dpi=100,
                            bbox_inches="tight")
    print(f"Plots written to {out_dir}")
    return out_dir


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
