"""The data contract: inputs, labels, probabilities, weights and fitted attributes."""

import numpy as np
import pandas as pd
import pytest

from skdl import MLPClassifier, MLPRegressor

FAST = dict(hidden_layer_sizes=(8,), epochs=3, patience=None, random_state=0)


@pytest.mark.parametrize("labels", [["a", "b", "c"], [10, 20, 30], [True, False, True]])
def test_original_labels_round_trip(iris, labels):
    X, y = iris
    if len(set(labels)) == 2:
        y = y % 2
        mapping = np.array([True, False])
    else:
        mapping = np.array(labels)
    y_lab = mapping[y]
    clf = MLPClassifier(**FAST).fit(X, y_lab)
    assert set(clf.classes_.tolist()) == set(np.unique(y_lab).tolist())
    pred = clf.predict(X)
    assert set(pred.tolist()) <= set(clf.classes_.tolist())
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_binary_predict_proba_has_two_columns(binary_data):
    X, y = binary_data
    clf = MLPClassifier(**FAST).fit(X, y)
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.model_.outputs[0].shape[-1] == 1  # one sigmoid unit
    assert clf.n_outputs_ == 1


def test_multilabel_indicator(binary_data):
    X, _ = binary_data
    rng = np.random.RandomState(0)
    Y = (rng.rand(len(X), 3) > 0.5).astype(int)
    clf = MLPClassifier(**FAST).fit(X, Y)
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape
    assert set(np.unique(clf.predict(X))) <= {0, 1}


def test_dataframe_records_and_checks_feature_names(iris):
    X, y = iris
    df = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = MLPClassifier(**FAST).fit(df, pd.Series(y))
    assert list(clf.feature_names_in_) == ["sl", "sw", "pl", "pw"]
    assert clf.n_features_in_ == 4
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df.rename(columns={"sl": "x"}))


def test_lists_and_float64_accepted(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X.astype(np.float64).tolist(), y.tolist())
    assert clf.predict(X[:5].tolist()).shape == (5,)


def test_sample_weight_changes_the_fit(binary_data):
    X, y = binary_data
    w = np.where(y == 1, 10.0, 0.1)
    a = MLPClassifier(**FAST).fit(X, y)
    b = MLPClassifier(**FAST).fit(X, y, sample_weight=w)
    assert b.predict_proba(X)[:, 1].mean() > a.predict_proba(X)[:, 1].mean()


def test_class_weight_balanced_and_dict(binary_data):
    X, y = binary_data
    keep = np.r_[np.where(y == 0)[0], np.where(y == 1)[0][:10]]
    Xi, yi = X[keep], y[keep]
    plain = MLPClassifier(**FAST).fit(Xi, yi)
    balanced = MLPClassifier(class_weight="balanced", **FAST).fit(Xi, yi)
    heavy = MLPClassifier(class_weight={1: 20.0}, **FAST).fit(Xi, yi)
    p = plain.predict_proba(Xi)[:, 1].mean()
    assert balanced.predict_proba(Xi)[:, 1].mean() > p
    assert heavy.predict_proba(Xi)[:, 1].mean() > p
    with pytest.raises(ValueError, match="class_weight"):
        MLPClassifier(class_weight={7: 1.0}, **FAST).fit(Xi, yi)


def test_fitted_attributes(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X, y)
    assert clf.n_iter_ == 3
    assert set(clf.history_) >= {"loss", "accuracy", "learning_rate"}
    assert all(isinstance(v, list) and len(v) == 3 for v in clf.history_.values())
    assert all(isinstance(x, float) for x in clf.history_["loss"])
    import keras

    assert isinstance(clf.model_, keras.Model)


def test_regressor_shapes_and_multioutput(regression_data):
    X, y = regression_data
    reg = MLPRegressor(**FAST).fit(X, y)
    assert reg.predict(X).shape == (len(X),)
    Y = np.column_stack([y, -y])
    reg2 = MLPRegressor(**FAST).fit(X, Y)
    assert reg2.predict(X).shape == (len(X), 2)
    assert reg2.n_outputs_ == 2


def test_regressor_target_scaling_maps_back(regression_data):
    X, y = regression_data
    y_big = y * 1000 + 5e4
    reg = MLPRegressor(hidden_layer_sizes=(16,), epochs=40, learning_rate=0.01, patience=None, random_state=0)
    reg.fit(X, y_big)
    pred = reg.predict(X)
    # predictions live on the scale of y, not of the standardised target
    assert abs(pred.mean() - y_big.mean()) < 0.2 * y_big.std()
    assert reg.score(X, y_big) > 0.5


def test_early_stopping_split_is_stratified_and_inside_training_data(binary_data):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=400, n_features=6, random_state=1)
    clf = MLPClassifier(early_stopping=True, validation_fraction=0.2, hidden_layer_sizes=(8,),
                        epochs=30, patience=3, random_state=0)
    clf.fit(X, y)
    assert "val_loss" in clf.history_ and "val_accuracy" in clf.history_
    assert 0 <= clf.best_epoch_ < clf.n_iter_
    best = clf.history_["val_loss"][clf.best_epoch_]
    assert best <= min(clf.history_["val_loss"]) + clf.min_delta


def test_early_stopping_with_too_few_samples_warns_and_uses_all(iris):
    from skdl.exceptions import SkdlWarning

    X, y = iris
    clf = MLPClassifier(early_stopping=True, **FAST)
    with pytest.warns(SkdlWarning, match="validation"):
        clf.fit(X[::3], y[::3])
    assert "val_loss" not in clf.history_


def test_eval_set_is_logged_every_epoch(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X[::2], y[::2], eval_set=(X[1::2], y[1::2]))
    assert len(clf.history_["eval_loss"]) == 3
    assert 0.0 <= clf.history_["eval_accuracy"][-1] <= 1.0


def test_fit_callbacks_see_each_epoch_and_can_stop_training(iris):
    X, y = iris
    seen = []

    class Stop(Exception):
        pass

    class Recorder:
        def on_epoch_end(self, epoch, logs):
            seen.append((epoch, dict(logs)))
            if epoch == 1:
                raise Stop

    with pytest.raises(Stop):
        MLPClassifier(**FAST).fit(X, y, callbacks=[Recorder()])
    assert [e for e, _ in seen] == [0, 1]
    assert "loss" in seen[0][1]
