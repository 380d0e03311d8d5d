"""ROC / PR / cross-validated ROC: computed numbers equal sklearn's; plots show them."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import metrics
from sklearn.linear_model import LogisticRegression

from skdl.reporting import (
    CVRocDisplay,
    PrecisionRecallCurvesDisplay,
    RocCurvesDisplay,
    compute_cv_roc,
    compute_pr_curves,
    compute_roc_curves,
    select_curves,
)


def _legend(disp):
    return [t.get_text() for t in disp.legend_.get_texts()]


def test_roc_binary_string_labels(pyplot, binary):
    c = binary
    disp = RocCurvesDisplay.from_estimator(c.est, c.Xte, c.yte)
    (curve,) = disp.curves
    pos = c.yte == c.classes[1]
    expected = metrics.roc_auc_score(pos, c.proba[:, 1])
    assert curve.kind == "binary" and curve.name == c.classes[1]
    assert_allclose(curve.score, expected)
    fpr, tpr, _ = metrics.roc_curve(pos, c.proba[:, 1])
    assert_allclose(curve.x, fpr)
    assert_allclose(curve.y, tpr)
    assert f"AUC = {expected:0.2f}" in _legend(disp)[0]
    assert c.classes[1] in disp.ax_.get_xlabel()  # sklearn's "(Positive label: ...)"
    assert disp.chance_level_ is not None
    assert disp.figure_ is disp.ax_.figure


def test_roc_multiclass_matches_sklearn(pyplot, multiclass):
    c = multiclass
    curves = compute_roc_curves(c.yte, c.proba, labels=c.classes)
    by_name = {cv.name: cv for cv in curves}
    assert list(by_name) == ["setosa", "versicolor", "virginica", "micro-average", "macro-average"]
    for i, label in enumerate(c.classes):
        assert_allclose(by_name[label].score, metrics.roc_auc_score(c.yte == label, c.proba[:, i]))
    assert_allclose(by_name["macro-average"].score, metrics.roc_auc_score(c.yte, c.proba, multi_class="ovr"))
    assert_allclose(by_name["micro-average"].score,
                    metrics.roc_auc_score(c.yte, c.proba, multi_class="ovr", average="micro"))
    macro = by_name["macro-average"]
    # the drawn macro curve has exactly the area shown in the legend
    assert_allclose(np.trapezoid(macro.y, macro.x), macro.score)

    disp = RocCurvesDisplay.from_predictions(c.yte, c.proba, labels=c.classes, name="LR")
    texts = _legend(disp)
    for name, cv in by_name.items():
        assert f"{name} (AUC = {cv.score:0.2f})" in texts
    assert "Chance level (AUC = 0.5)" in texts
    assert set(disp.lines_) == set(by_name)
    assert "LR" in disp.ax_.get_title()


def test_roc_multilabel(pyplot, multilabel):
    c = multilabel
    disp = RocCurvesDisplay.from_estimator(c.est, c.Xte, c.yte, target_names=["a", "b", "c", "d"])
    s = disp.scores_
    assert_allclose(s["c"], metrics.roc_auc_score(c.yte[:, 2], c.proba[:, 2]))
    assert_allclose(s["macro-average"], metrics.roc_auc_score(c.yte, c.proba, average="macro"))
    assert_allclose(s["micro-average"], metrics.roc_auc_score(c.yte, c.proba, average="micro"))


def test_pr_curves_match_sklearn(pyplot, binary, multiclass, multilabel):
    b = binary
    (curve,) = compute_pr_curves(b.yte, b.proba, labels=b.classes)
    pos = b.yte == b.classes[1]
    assert_allclose(curve.score, metrics.average_precision_score(pos, b.proba[:, 1]))
    assert_allclose(curve.prevalence, pos.mean())

    m = multiclass
    Y = (m.yte[:, None] == m.classes).astype(int)
    disp = PrecisionRecallCurvesDisplay.from_predictions(m.yte, m.proba, labels=m.classes)
    s = disp.scores_
    assert_allclose(s["virginica"], metrics.average_precision_score(Y[:, 2], m.proba[:, 2]))
    assert_allclose(s["micro-average"], metrics.average_precision_score(Y, m.proba, average="micro"))
    assert_allclose(s["macro-average"], metrics.average_precision_score(Y, m.proba, average="macro"))
    texts = _legend(disp)
    assert f"macro-average (AP = {s['macro-average']:0.2f})" in texts
    assert disp.ax_.get_xlabel().startswith("Recall")

    ml = multilabel
    s = PrecisionRecallCurvesDisplay.from_estimator(ml.est, ml.Xte, ml.yte).scores_
    assert_allclose(s["macro-average"], metrics.average_precision_score(ml.yte, ml.proba, average="macro"))


def test_many_classes_show_best_and_worst(pyplot):
    rng = np.random.default_rng(0)
    n, k = 3000, 100
    y = rng.integers(0, k, n)
    S = rng.random((n, k)) + np.eye(k)[y] * rng.random(k)[y][:, None] * 2  # separability varies by class
    S /= S.sum(axis=1, keepdims=True)
    curves = compute_roc_curves(y, S)
    kept, note = select_curves(curves, 10)
    classes = [c for c in kept if c.kind == "class"]
    assert len(classes) == 10 and note == "5 best and 5 worst of 100 classes"
    scores = sorted((c.score for c in curves if c.kind == "class"), reverse=True)
    assert [c.score for c in classes] == scores[:5] + scores[-5:]
    disp = RocCurvesDisplay.from_predictions(y, S, max_classes=10)
    assert disp.legend_.get_title().get_text() == note
    assert len(disp.line_) == 12  # 10 classes + micro + macro
    # the legend sits outside the axes, so it covers no curve
    disp.figure_.canvas.draw()
    leg = disp.legend_.get_window_extent()
    assert leg.x0 >= disp.ax_.get_window_extent().x1
    all_disp = RocCurvesDisplay.from_predictions(y, S, max_classes=None)
    assert len(all_disp.line_) == 102


def test_cv_roc(pyplot, binary):
    from sklearn.model_selection import cross_validate

    from sklearn.preprocessing import StandardScaler

    c = binary
    X = StandardScaler().fit_transform(c.X[:, :6])  # scaled: lbfgs converges in a few steps
    res = cross_validate(LogisticRegression(), X, c.y, cv=4, return_estimator=True, return_indices=True)
    r = compute_cv_roc(res, X, c.y)
    aucs = []
    for est, test in zip(res["estimator"], res["indices"]["test"]):
        aucs.append(metrics.roc_auc_score(c.y[test] == est.classes_[1], est.predict_proba(X[test])[:, 1]))
    assert_allclose([f.score for f in r.folds], aucs)
    assert_allclose(r.mean_auc, np.mean(aucs))
    assert_allclose(r.std_auc, np.std(aucs))
    assert r.mean_tpr[0] == 0 and r.mean_tpr[-1] == 1
    disp = CVRocDisplay(r, name="LR").plot()
    assert f"Mean ROC (AUC = {np.mean(aucs):0.2f} ± {np.std(aucs):0.2f})" in _legend(disp)
    assert len(disp.fold_lines_) == 4
    disp2 = CVRocDisplay.from_estimator(LogisticRegression(), X, c.y, cv=3)
    assert len(disp2.cv_roc.folds) == 3
    with pytest.raises(ValueError, match="return_estimator=True"):
        compute_cv_roc({"test_score": [1]}, X, c.y)


def test_roc_needs_scores(pyplot, multiclass):
    from sklearn.linear_model import RidgeClassifier  # decision_function only: still works

    m = multiclass
    disp = RocCurvesDisplay.from_estimator(RidgeClassifier().fit(m.X, m.y), m.Xte, m.yte)
    assert len(disp.curves) == 5

    class NoScores:
        classes_ = m.classes

        def predict(self, X):
            return m.pred

    with pytest.raises(ValueError, match="neither predict_proba nor decision_function"):
        RocCurvesDisplay.from_estimator(NoScores(), m.Xte, m.yte)
