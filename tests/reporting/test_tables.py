"""Tables agree with sklearn.metrics, cell by cell."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn import metrics
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.linear_model import LogisticRegression

from skdl.reporting import (
    classification_report_frame,
    classification_summary,
    cv_summary,
    format_table,
    regression_report_frame,
)


def _assert_matches_sklearn_dict(frame, sk):
    for row, values in sk.items():
        if row == "accuracy":
            assert_allclose(frame.loc["accuracy", "f1-score"], values)
            continue
        for col, v in values.items():
            assert_allclose(frame.loc[str(row), col], v, err_msg=f"{row}/{col}")


@pytest.mark.parametrize("case", ["binary", "multiclass", "multilabel"])
def test_report_frame_matches_sklearn_classification_report(case, request):
    c = request.getfixturevalue(case)
    frame = classification_report_frame(c.yte, c.pred)
    sk = metrics.classification_report(c.yte, c.pred, output_dict=True, zero_division=0)
    _assert_matches_sklearn_dict(frame, sk)
    # and its text is sklearn's text, character for character
    assert format_table(frame) == metrics.classification_report(c.yte, c.pred, zero_division=0)
    assert format_table(frame, digits=4) == metrics.classification_report(c.yte, c.pred, digits=4, zero_division=0)


def test_report_frame_rows_are_class_labels(multiclass):
    frame = classification_report_frame(multiclass.yte, multiclass.pred, multiclass.proba)
    assert list(frame.index[:3]) == ["setosa", "versicolor", "virginica"]
    assert list(frame.index[3:]) == ["accuracy", "macro avg", "weighted avg"]
    assert np.isnan(frame.loc["accuracy", "precision"])


def test_score_columns_multiclass(multiclass):
    c = multiclass
    frame = classification_report_frame(c.yte, c.pred, c.proba)
    for i, label in enumerate(c.classes):
        y = (c.yte == label).astype(int)
        assert_allclose(frame.loc[label, "roc-auc"], metrics.roc_auc_score(y, c.proba[:, i]))
        assert_allclose(frame.loc[label, "avg precision"], metrics.average_precision_score(y, c.proba[:, i]))
    for avg in ("macro", "weighted"):
        assert_allclose(frame.loc[f"{avg} avg", "roc-auc"],
                        metrics.roc_auc_score(c.yte, c.proba, multi_class="ovr", average=avg))
    Y = (c.yte[:, None] == c.classes).astype(int)
    assert_allclose(frame.loc["macro avg", "avg precision"], metrics.average_precision_score(Y, c.proba, average="macro"))
    assert_allclose(frame.loc["weighted avg", "avg precision"],
                    metrics.average_precision_score(Y, c.proba, average="weighted"))


def test_score_columns_multilabel(multilabel):
    c = multilabel
    frame = classification_report_frame(c.yte, c.pred, c.proba)
    for avg in ("micro", "macro", "weighted", "samples"):
        assert_allclose(frame.loc[f"{avg} avg", "roc-auc"], metrics.roc_auc_score(c.yte, c.proba, average=avg))
        assert_allclose(frame.loc[f"{avg} avg", "avg precision"],
                        metrics.average_precision_score(c.yte, c.proba, average=avg))
    assert_allclose(frame.loc["2", "roc-auc"], metrics.roc_auc_score(c.yte[:, 2], c.proba[:, 2]))


def test_summary_binary(binary):
    c = binary
    s = classification_summary(c.yte, c.pred, c.proba)
    pos = c.yte == c.classes[1]
    assert_allclose(s["accuracy"], metrics.accuracy_score(c.yte, c.pred))
    assert_allclose(s["balanced accuracy"], metrics.balanced_accuracy_score(c.yte, c.pred))
    assert_allclose(s["log loss"], metrics.log_loss(c.yte, c.proba))
    assert_allclose(s["roc-auc"], metrics.roc_auc_score(pos, c.proba[:, 1]))
    assert_allclose(s["avg precision"], metrics.average_precision_score(pos, c.proba[:, 1]))
    # a 1-D positive-class score gives the same numbers
    s1 = classification_summary(c.yte, c.pred, c.proba[:, 1])
    pd.testing.assert_series_equal(s, s1)


def test_summary_multiclass(multiclass):
    c = multiclass
    s = classification_summary(c.yte, c.pred, c.proba)
    assert_allclose(s["log loss"], metrics.log_loss(c.yte, c.proba))
    for avg in ("macro", "weighted", "micro"):
        assert_allclose(s[f"roc-auc ({avg})"], metrics.roc_auc_score(c.yte, c.proba, multi_class="ovr", average=avg))
    Y = (c.yte[:, None] == c.classes).astype(int)
    assert_allclose(s["avg precision (micro)"], metrics.average_precision_score(Y, c.proba, average="micro"))


def test_summary_multilabel_and_weights(multilabel, multiclass):
    c = multilabel
    s = classification_summary(c.yte, c.pred, c.proba)
    assert_allclose(s["hamming loss"], metrics.hamming_loss(c.yte, c.pred))
    assert_allclose(s["roc-auc (micro)"], metrics.roc_auc_score(c.yte, c.proba, average="micro"))
    assert "log loss" not in s
    w = np.linspace(0.5, 2, len(multiclass.yte))
    m = multiclass
    sw = classification_summary(m.yte, m.pred, m.proba, sample_weight=w)
    assert_allclose(sw["accuracy"], metrics.accuracy_score(m.yte, m.pred, sample_weight=w))
    assert_allclose(sw["log loss"], metrics.log_loss(m.yte, m.proba, sample_weight=w))


def test_decision_function_scores_skip_log_loss(binary):
    c = binary
    d = c.est.decision_function(c.Xte)
    s = classification_summary(c.yte, c.pred, d, is_proba=False)
    assert "log loss" not in s
    assert_allclose(s["roc-auc"], metrics.roc_auc_score(c.yte == c.classes[1], d))


def test_bad_scores_shape(multiclass):
    with pytest.raises(ValueError, match="3 columns"):
        classification_report_frame(multiclass.yte, multiclass.pred, multiclass.proba[:, :2])


@pytest.mark.parametrize("multioutput", [False, True])
def test_regression_report_matches_sklearn(regression, multioutput):
    yt, yp = regression.yte, regression.pred
    if multioutput:
        yt, yp = np.column_stack([yt, yt * 2 + 1]), np.column_stack([yp, yp * 1.8 + 5])
    frame = regression_report_frame(yt, yp)
    col = "score" if not multioutput else "y1"
    j = 0 if not multioutput else 1
    t, p = (yt, yp) if not multioutput else (yt[:, j], yp[:, j])
    expected = {
        "MAE": metrics.mean_absolute_error(t, p),
        "MSE": metrics.mean_squared_error(t, p),
        "RMSE": metrics.root_mean_squared_error(t, p),
        "R²": metrics.r2_score(t, p),
        "MAPE": metrics.mean_absolute_percentage_error(t, p),
        "explained variance": metrics.explained_variance_score(t, p),
        "max error": metrics.max_error(t, p),
    }
    for row, v in expected.items():
        assert_allclose(frame.loc[row, col], v, err_msg=row)
    if multioutput:
        assert_allclose(frame.loc["R²", "uniform average"], metrics.r2_score(yt, yp))
        assert "max error" in format_table(frame)


def test_cv_summary_from_cross_validate(binary):
    c = binary
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(c.X[:, :5])
    res = cross_validate(LogisticRegression(), X, c.y, cv=3, scoring=["accuracy", "roc_auc"],
                         return_train_score=True)
    frame = cv_summary(res)
    assert list(frame.index[:2]) == ["test_accuracy", "test_roc_auc"]
    assert_allclose(frame.loc["test_roc_auc", "mean"], res["test_roc_auc"].mean())
    assert_allclose(frame.loc["test_roc_auc", "std"], res["test_roc_auc"].std())
    assert frame.loc["train_accuracy", "n_folds"] == 3
    both = cv_summary({"lr": res, "lr again": res})
    assert_allclose(both.loc["lr again", "test_accuracy mean"], res["test_accuracy"].mean())


def test_cv_summary_from_search(multiclass):
    c = multiclass
    search = GridSearchCV(LogisticRegression(max_iter=200), {"C": [0.01, 0.1, 1.0]}, cv=2).fit(c.Xte, c.yte)
    frame = cv_summary(search)
    assert frame["rank"].tolist() == sorted(search.cv_results_["rank_test_score"])
    best = frame.iloc[0]
    assert best["C"] == search.best_params_["C"]
    assert_allclose(best["mean_test_score"], search.best_score_)
    assert len(cv_summary(search.cv_results_, n_top=2)) == 2
    with pytest.raises(ValueError, match="test_<score>"):
        cv_summary({"foo": [1]})
    with pytest.raises(TypeError, match="cross_validate"):
        cv_summary([1, 2])
