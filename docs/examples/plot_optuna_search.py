"""An Optuna search with pruning on digits, then a full HTML report.

``OptunaSearchCV`` cross-validates each trial; with a pruner, the first fold
reports its validation accuracy after every epoch and trials that fall below
the median of earlier trials are stopped. The best pipeline is refit on the
training data and ``make_report`` writes one self-contained HTML page with the
test-set evaluation and the search plots.

Run::

    python docs/examples/plot_optuna_search.py [OUT_DIR]

Writes ``search_report.html`` and ``search_intermediate.png`` (per-epoch
values of every trial, pruned trials in red) to OUT_DIR (default: a new
temporary directory). ``SKDL_EXAMPLE_FAST=1`` shrinks the budgets (used by the
test suite).
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

import optuna  # noqa: E402
from optuna.distributions import FloatDistribution  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdl import MLPClassifier  # noqa: E402
from skdl.reporting import SearchDisplay, make_report  # noqa: E402
from skdl.tuning import LayerSpace, OptunaSearchCV  # noqa: E402

FAST = os.environ.get("SKDL_EXAMPLE_FAST") == "1"


def main(out_dir=None):
    out_dir = out_dir or tempfile.mkdtemp(prefix="skdl-search-")
    os.makedirs(out_dir, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    X, y = load_digits(return_X_y=True)
    if FAST:
        X, y = X[:900], y[:900]
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(epochs=8 if FAST else 20, patience=None, random_state=0),
    )
    # A small space; skdl.tuning.default_space(pipe) gives a larger one.
    space = {
        "mlpclassifier__hidden_layer_sizes": LayerSpace((1, 2), (16, 128), log=True,
                                                        order="non-increasing"),
        "mlpclassifier__learning_rate": FloatDistribution(1e-4, 1e-1, log=True),
        "mlpclassifier__dropout": FloatDistribution(0.0, 0.4),
    }
    search = OptunaSearchCV(
        pipe,
        space,
        n_trials=6 if FAST else 25,
        cv=3,
        random_state=0,
        # the first trials always finish; no trial is judged on its first 3 epochs
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=3),
    )
    search.fit(X_train, y_train)

    states = search.trials_dataframe()["state"].value_counts().to_dict()
    print(f"trials: {states}")
    print(f"best CV accuracy {search.best_score_:.3f} with {search.best_params_}")
    print(f"test accuracy of the refit pipeline: {search.score(X_test, y_test):.3f}")

    intermediate = SearchDisplay.from_search(search, kind="intermediate")
    intermediate.figure_.savefig(os.path.join(out_dir, "search_intermediate.png"), dpi=100,
                                 bbox_inches="tight")
    report = make_report(search.best_estimator_, X_test, y_test, search=search,
                         cv_results=search.cv_results_, title="Digits MLP search",
                         path=os.path.join(out_dir, "search_report.html"))
    print(f"Report written to {report.path}")
    return out_dir


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
