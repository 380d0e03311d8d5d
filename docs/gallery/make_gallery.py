"""Draw every skdl.reporting plot from sklearn's bundled datasets.

Run from the repository root::

    python docs/gallery/make_gallery.py

It writes small PNGs (dpi 80) next to this script and ``report.html`` to the
temporary directory (it embeds every figure, so it is not committed). Models are small sklearn ones so the script
runs in well under a minute; the training history is sklearn's MLP
``loss_curve_`` / ``validation_scores_`` plus a hand-made Keras-style one.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdl.reporting import (  # noqa: E402
    ConfusionDisplay,
    CVRocDisplay,
    HistoryDisplay,
    PrecisionRecallCurvesDisplay,
    RegressionDisplay,
    RocCurvesDisplay,
    SearchDisplay,
    make_report,
)

OUT = Path(__file__).resolve().parent
DPI = 80


def save(display, name):
    display.figure_.savefig(OUT / name, dpi=DPI, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(display.figure_)
    print("wrote", name)


def keras_like_history(n_epochs=40, seed=0):
    """A history_ dict shaped like skdl's: loss, accuracy, val_*, learning_rate."""
    rng = np.random.default_rng(seed)
    e = np.arange(n_epochs)
    noise = rng.normal(0, 0.01, (4, n_epochs))
    return {
        "loss": list(0.2 + 1.6 / (1 + 0.25 * e) + noise[0]),
        "accuracy": list(0.97 - 0.6 / (1 + 0.25 * e) + noise[1]),
        "val_loss": list(0.35 + 1.6 / (1 + 0.25 * e) + 0.002 * np.maximum(e - 18, 0) ** 2 + noise[2]),
        "val_accuracy": list(0.9 - 0.6 / (1 + 0.25 * e) - 0.001 * np.maximum(e - 18, 0) + noise[3]),
        "learning_rate": list(np.where(e < 25, 1e-3, 1e-4)),
    }


def study_for(X, y):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    Xtr, Xva, ytr, yva = train_test_split(X, y, random_state=0)

    def objective(trial):
        alpha = trial.suggest_float("alpha", 1e-5, 1e-1, log=True)
        units = trial.suggest_int("units", 8, 64)
        lr = trial.suggest_float("learning_rate_init", 1e-4, 1e-1, log=True)
        clf = MLPClassifier((units,), alpha=alpha, learning_rate_init=lr, random_state=0)
        for epoch in range(8):
            clf.partial_fit(Xtr, ytr, classes=np.unique(y))
            score = clf.score(Xva, yva)
            trial.report(score, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return score

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=25)
    return study


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    # Binary: Sonar-like rock-vs-mine is not bundled; breast cancer plays its part.
    X, y = load_breast_cancer(return_X_y=True)
    y = np.array(["malignant", "benign"])[y]
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    binary = make_pipeline(StandardScaler(), LogisticRegression(C=0.02, max_iter=1000)).fit(Xtr, ytr)
    save(RocCurvesDisplay.from_estimator(binary, Xte, yte, name="LogisticRegression"), "roc_binary.png")
    save(PrecisionRecallCurvesDisplay.from_estimator(binary, Xte, yte, name="LogisticRegression"), "pr_binary.png")
    save(CVRocDisplay.from_estimator(make_pipeline(StandardScaler(), LogisticRegression(C=0.02)), X, y, cv=5),
         "cv_roc.png")

    # Multiclass with string labels: iris.
    Xi, yi = load_iris(return_X_y=True)
    yi = np.array(["setosa", "versicolor", "virginica"])[yi]
    Xtr, Xte, ytr, yte = train_test_split(Xi, yi, test_size=0.5, random_state=0, stratify=yi)
    iris = LogisticRegression(C=0.05, max_iter=1000).fit(Xtr, ytr)
    save(RocCurvesDisplay.from_estimator(iris, Xte, yte), "roc_multiclass.png")
    save(PrecisionRecallCurvesDisplay.from_estimator(iris, Xte, yte), "pr_multiclass.png")
    save(ConfusionDisplay.from_estimator(iris, Xte, yte), "confusion.png")
    save(ConfusionDisplay.from_estimator(iris, Xte, yte, normalize="true"), "confusion_normalized.png")

    # 10 classes: optdigits 8x8 with an sklearn MLP (its loss curve is the history).
    Xd, yd = load_digits(return_X_y=True)
    Xd_tr, Xd_te, yd_tr, yd_te = train_test_split(Xd, yd, test_size=0.3, random_state=0, stratify=yd)
    digits = make_pipeline(
        StandardScaler(), MLPClassifier((32,), max_iter=80, early_stopping=True, random_state=0)
    ).fit(Xd_tr, yd_tr)
    save(RocCurvesDisplay.from_estimator(digits, Xd_te, yd_te), "roc_10_classes.png")
    save(HistoryDisplay.from_estimator(digits), "history_sklearn_mlp.png")
    save(HistoryDisplay.from_history(keras_like_history(), name="MLP (hand-made history)"), "history.png")

    # 100 classes (CIFAR-100 sized): synthetic scores of varying quality.
    rng = np.random.default_rng(0)
    n, k = 5000, 100
    y100 = rng.integers(0, k, n)
    quality = rng.uniform(0.2, 3.0, k)
    scores = rng.random((n, k)) + np.eye(k)[y100] * quality[y100][:, None]
    scores /= scores.sum(axis=1, keepdims=True)
    save(RocCurvesDisplay.from_predictions(y100, scores, name="100 classes"), "roc_100_classes.png")
    save(ConfusionDisplay.from_predictions(y100, scores.argmax(axis=1), normalize="true", name="100 classes"),
         "confusion_100_classes.png")

    # Multilabel: one 2x2 confusion matrix per label, ROC per label.
    from sklearn.datasets import make_multilabel_classification
    from sklearn.multiclass import OneVsRestClassifier

    Xm, Ym = make_multilabel_classification(n_samples=600, n_features=12, n_classes=5, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(Xm, Ym, test_size=0.5, random_state=0)
    ml = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(Xtr, ytr)
    names = ["sports", "politics", "science", "art", "travel"]
    save(RocCurvesDisplay.from_estimator(ml, Xte, yte, target_names=names), "roc_multilabel.png")
    save(ConfusionDisplay.from_estimator(ml, Xte, yte, target_names=names), "confusion_multilabel.png")

    # Regression: diabetes.
    Xr, yr = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(Xr, yr, test_size=0.3, random_state=0)
    ridge = Ridge(alpha=0.1).fit(Xtr, ytr)
    save(RegressionDisplay.from_estimator(ridge, Xte, yte), "regression.png")

    # Search plots from an Optuna study tuning an sklearn MLP on digits.
    study = study_for(StandardScaler().fit_transform(Xd), yd)
    disp = SearchDisplay(study)
    for kind in disp.available_kinds():
        save(disp.plot(kind=kind), f"search_{kind}.png")

    # The HTML report and its JSON twin (not committed: the page embeds every figure).
    out = tempfile.gettempdir()
    report = make_report(digits, Xd_te, yd_te, search=study, title="optdigits MLP evaluation report",
                         path=os.path.join(out, "skdl_gallery_report.html"),
                         json_path=os.path.join(out, "skdl_gallery_report.json"))
    print(report)


if __name__ == "__main__":
    main()
