"""Confusion, history and regression displays: computed data and what is drawn."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import metrics
from sklearn.neural_network import MLPClassifier

from skdl.reporting import (
    ConfusionDisplay,
    HistoryDisplay,
    RegressionDisplay,
    compute_confusion,
    compute_history,
    confusion_frame,
    get_history,
)


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matches_sklearn(pyplot, multiclass, normalize):
    c = multiclass
    frame = confusion_frame(c.yte, c.pred, normalize=normalize)
    expected = metrics.confusion_matrix(c.yte, c.pred, normalize=normalize)
    assert_allclose(frame.to_numpy(), expected)
    assert list(frame.index) == ["setosa", "versicolor", "virginica"]
    disp = ConfusionDisplay.from_estimator(c.est, c.Xte, c.yte, normalize=normalize)
    assert_allclose(disp.im_.get_array(), expected)
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["setosa", "versicolor", "virginica"]
    assert disp.text_ is not None  # values written in the cells


def test_confusion_binary_and_bad_normalize(pyplot, binary):
    c = binary
    disp = ConfusionDisplay.from_predictions(c.yte, c.pred)
    assert_array_equal(disp.confusion_matrix, metrics.confusion_matrix(c.yte, c.pred))
    with pytest.raises(ValueError, match="'normalize' parameter must be one of"):
        confusion_frame(c.yte, c.pred, normalize="rows")


def test_confusion_multilabel(pyplot, multilabel):
    c = multilabel
    cm, labels = compute_confusion(c.yte, c.pred)
    assert_array_equal(cm, metrics.multilabel_confusion_matrix(c.yte, c.pred))
    disp = ConfusionDisplay.from_estimator(c.est, c.Xte, c.yte, target_names=["a", "b", "c", "d"])
    assert len(disp.axes_) == 4
    assert disp.axes_[3].get_title() == "label d"
    cm_true, _ = compute_confusion(c.yte, c.pred, normalize="true")
    assert_allclose(cm_true.sum(axis=2), 1.0)


def test_confusion_100_classes_stays_readable(pyplot):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 100, 2000)
    p = np.where(rng.random(2000) < 0.6, y, rng.integers(0, 100, 2000))
    disp = ConfusionDisplay.from_predictions(y, p, normalize="true")
    assert disp.text_ is None  # no values in 10 000 cells
    labels = [t for t in disp.ax_.get_xticklabels() if t.get_visible()]
    assert 10 <= len(labels) <= 25
    assert min(t.get_fontsize() for t in labels) >= 7


def test_compute_history(history):
    h = compute_history(history)
    assert list(h.panels) == ["loss", "accuracy"]
    assert set(h.panels["loss"]) == {"train", "val", "eval"}
    assert h.monitor == "val_loss"
    assert h.best_epoch == int(np.argmin(history["val_loss"])) + 1
    assert_allclose(h.best_value, min(history["val_loss"]))
    assert_allclose(h.learning_rate, history["learning_rate"])
    assert compute_history(history, monitor="val_accuracy").best_epoch == 20  # higher is better
    # Training values alone choose no best epoch (unless asked to).
    train_only = compute_history({"loss": [3.0, 2.0, 2.5]})
    assert train_only.best_epoch is None and train_only.monitor is None
    assert compute_history({"loss": [3.0, 2.0, 2.5]}, monitor="loss").best_epoch == 2
    with pytest.raises(ValueError, match="not in the history"):
        compute_history(history, monitor="val_auc")
    with pytest.raises(ValueError, match="empty"):
        compute_history({})


def test_history_display(pyplot, history):
    disp = HistoryDisplay.from_history(pd.DataFrame(history), name="net")
    assert set(disp.axes_) == {"loss", "accuracy", "learning_rate"}
    assert set(disp.lines_) == set(history)
    assert_allclose(disp.lines_["val_loss"].get_ydata(), history["val_loss"])
    assert_allclose(disp.lines_["loss"].get_xdata(), np.arange(1, 21))  # epochs are 1-based
    best = disp.curves.best_epoch
    (marker,) = disp.best_lines_
    assert marker.get_xdata()[0] == best
    assert f"best epoch {best}" in disp.figure_._suptitle.get_text()
    assert disp.axes_["learning_rate"].get_yscale() == "log"
    assert disp.axes_["loss"].get_xlabel() == "epoch"


def test_history_from_sklearn_mlp_and_pipeline(pyplot, multiclass):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    c = multiclass
    est = make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=30, early_stopping=True, random_state=0))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(c.X, c.y)
    h = get_history(est)
    mlp = est[-1]
    assert h["loss"] == list(mlp.loss_curve_) and h["val_score"] == list(mlp.validation_scores_)
    disp = HistoryDisplay.from_estimator(est)
    assert disp.curves.monitor == "val_score"
    assert disp.curves.best_epoch == int(np.argmax(mlp.validation_scores_)) + 1
    with pytest.raises(ValueError, match="no training history"):
        HistoryDisplay.from_estimator(c.est)


@pytest.mark.parametrize("multioutput", [False, True])
def test_regression_display(pyplot, regression, multioutput):
    c = regression
    yt, yp = c.yte, c.pred
    if multioutput:
        yt, yp = np.column_stack([yt, yt / 2]), np.column_stack([yp, yp / 2 + 3])
    disp = RegressionDisplay.from_predictions(yt, yp, name="Ridge")
    assert_allclose(disp.r2_, metrics.r2_score(yt.ravel(), yp.ravel()))
    assert_allclose(disp.rmse_, metrics.root_mean_squared_error(yt.ravel(), yp.ravel()))
    title = disp.figure_._suptitle.get_text()
    assert f"R² = {disp.r2_:.3f}" in title
    assert len(disp.axes_) == 2
    assert disp.axes_[1].get_ylabel().startswith("Residuals")
    assert RegressionDisplay.from_estimator(c.est, c.Xte, c.yte).figure_ is not None
