"""KerasClassifier/KerasRegressor behaviour beyond the scikeras interop suite (tests/interop)."""

import pickle

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from skdl import KerasClassifier, KerasRegressor  # noqa: E402


def _build(meta, hidden=4):
    return keras.Sequential([
        keras.Input(meta["input_shape_"]),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"]),
    ])


# ------------------------------------------------------- fitted attributes (C5)
def test_x_dtype_is_the_given_one_for_dataframes_and_lists(regression_data):
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    reg = KerasRegressor(_build, random_state=0)

    assert reg.fit(pd.DataFrame(X.astype(np.float64)), y).X_dtype_ == np.float64
    assert reg.fit(np.rint(X).astype(int).tolist(), y).X_dtype_ == np.int64
    assert reg.fit(X.astype(np.float16), y).X_dtype_ == np.float16


def test_regressor_y_dtype_is_the_given_one_predictions_stay_float(regression_data):
    X, y = regression_data
    seen = {}

    def build(meta):
        seen.update(meta)
        return _build(meta)

    reg = KerasRegressor(build, random_state=0).fit(X, np.rint(y).astype(np.int64))

    assert reg.y_dtype_ == np.int64 and seen["y_dtype_"] == np.int64
    assert reg.predict(X[:3]).dtype == np.float64  # int y does not truncate predictions
    assert not hasattr(reg, "n_classes_")  # scikeras' regressor has none


def test_classifier_attributes_follow_the_given_y(binary_data):
    X, y = binary_data
    with pytest.warns(Warning, match="column"):
        clf = KerasClassifier(_build, random_state=0).fit(X, y.reshape(-1, 1))

    assert clf.y_ndim_ == 2  # as given, as in scikeras
    assert clf.target_type_ == "binary" and clf.n_classes_ == 2 and clf.n_outputs_expected_ == 1
    assert clf.X_shape_ == X.shape


def test_attributes_survive_pickling(binary_data):
    X, y = binary_data
    clf = KerasClassifier(_build, random_state=0).fit(X.astype(np.float32), y)

    back = pickle.loads(pickle.dumps(clf))

    assert (back.X_dtype_, back.target_type_, back.n_classes_) == (np.float32, "binary", 2)
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))


# --------------------------------------------------------------- initialize (C6)
def test_initialize_builds_without_training_then_continues(binary_data):
    X, y = binary_data
    clf = KerasClassifier(_build, random_state=0)
    assert not clf.initialized_

    assert clf.initialize(X, y) is clf
    assert clf.initialized_ and clf.current_epoch == 0 and not hasattr(clf, "history_")
    assert clf.predict_proba(X).shape == (len(X), 2)

    clf.partial_fit(X, y)  # continues from the initialized model
    assert clf.current_epoch == 1


def test_initialize_keeps_weights_untrained_and_forgets_an_earlier_history(binary_data):
    X, y = binary_data
    clf = KerasClassifier(_build, epochs=2, random_state=0).fit(X, y)

    clf.initialize(X, y)

    assert clf.current_epoch == 0 and not hasattr(clf, "history_") and not hasattr(clf, "n_iter_")
    fresh = KerasClassifier(_build, epochs=2, random_state=0).initialize(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), fresh.predict_proba(X), rtol=1e-5)


def test_initialize_validates_like_fit(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="requires y"):
        KerasClassifier(_build).initialize(X, None)
    with pytest.raises(ValueError, match="epochs"):
        KerasClassifier(_build, epochs=0).initialize(X, y)


# ------------------------------------------------------------ history names (C8)
def test_history_uses_keras_full_metric_names_val_and_eval_included(regression_data):
    X, y = regression_data
    reg = KerasRegressor(_build, metrics=["mae", "r2_score"], early_stopping=True, validation_fraction=0.25,
                         epochs=2, random_state=0)

    reg.fit(X, y, eval_set=(X[:20], y[:20]))

    for prefix in ("", "val_", "eval_"):
        assert len(reg.history_[f"{prefix}mean_absolute_error"]) == 2
        assert f"{prefix}mae" not in reg.history_
        assert f"{prefix}r2_score" in reg.history_
    assert {"loss", "val_loss", "learning_rate"} <= set(reg.history_)


def test_a_metric_name_stays_the_same_after_the_process_built_that_metric(binary_data):
    # Keras names a second AUC() "auc_1": the name skdl compiles and logs must stay "auc"
    from skdl.estimators._keras import _full_metric_name

    _full_metric_name.cache_clear()
    keras.metrics.AUC(), keras.metrics.AUC()
    X, y = binary_data
    clf = KerasClassifier(_build, loss="binary_crossentropy", metrics=["auc"], epochs=1, random_state=0).fit(X, y)

    assert "auc" in clf.history_


def test_history_names_of_a_builder_compiled_model_continue_across_partial_fits(regression_data):
    X, y = regression_data

    def build(meta):
        model = _build(meta)
        model.compile(loss="mse", metrics=["mae", "mean_squared_error"])
        return model

    reg = KerasRegressor(build, random_state=0)
    reg.partial_fit(X, y)
    reg.partial_fit(X, y)

    assert len(reg.history_["mean_absolute_error"]) == 2 == len(reg.history_["loss"])
    assert "mae" not in reg.history_


def test_a_metric_logged_under_both_names_is_not_merged(regression_data):
    X, y = regression_data

    def build(meta):
        model = _build(meta)
        model.compile(loss="mse", metrics=["mae", keras.metrics.MeanAbsoluteError()])
        return model

    reg = KerasRegressor(build, epochs=2, random_state=0).fit(X, y)

    assert len(reg.history_["mae"]) == 2 == len(reg.history_["mean_absolute_error"])


def test_skdl_own_estimators_keep_the_names_given(regression_data):
    from skdl import MLPRegressor

    X, y = regression_data
    reg = MLPRegressor(hidden_layer_sizes=(4,), metrics=["mae"], epochs=1, random_state=0).fit(X, y)

    assert "mae" in reg.history_ and "mean_absolute_error" not in reg.history_


# ---------------------------------------------------------------- scorer (C18)
def test_score_options_reach_the_scorer_with_sample_weight(binary_data, regression_data):
    X, y = binary_data
    clf = KerasClassifier(_build, random_state=0, score__normalize=False).fit(X, y)
    w = np.where(np.arange(len(y)) % 2, 1.0, 0.0)

    correct = clf.predict(X) == y
    assert clf.score(X, y) == pytest.approx(correct.sum())
    assert clf.score(X, y, sample_weight=w) == pytest.approx(correct[w == 1].sum())

    Xr, yr = regression_data
    Y = np.column_stack([yr, 10 * yr])
    reg = KerasRegressor(_build, random_state=0).fit(Xr, Y)
    pred = reg.predict(Xr)
    from sklearn.metrics import r2_score

    assert reg.score(Xr, Y) == pytest.approx(r2_score(Y, pred))
    reg.set_params(score__multioutput="variance_weighted")
    assert reg.score(Xr, Y) == pytest.approx(r2_score(Y, pred, multioutput="variance_weighted"))


def test_score_prefix_is_only_for_the_keras_wrappers(binary_data):
    from skdl import MLPClassifier

    X, y = binary_data
    with pytest.raises(ValueError, match="score__normalize"):
        MLPClassifier(hidden_layer_sizes=(4,), score__normalize=False).fit(X, y)


# ------------------------------------------------------------ subclassing (C17)
class _Sub(KerasClassifier):
    def __init__(self, hidden=4, optimizer__learning_rate=0.01, **kwargs):  # the second is never stored
        super().__init__(**kwargs)
        self.hidden = hidden

    def _keras_build_fn(self, meta):
        return keras.Sequential([
            keras.Input(meta["input_shape_"]),
            keras.layers.Dense(self.hidden, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])


def test_subclass_networks_are_pooled_by_their_parameters_and_the_estimator_is_freed(binary_data):
    import gc
    import weakref

    X, y = binary_data
    first = _Sub(hidden=2, random_state=0).fit(X, y)
    ref = weakref.ref(first)
    del first
    gc.collect()
    assert ref() is None  # the pooled network does not keep its estimator alive

    second = _Sub(hidden=3, random_state=0).fit(X, y)  # must not reuse the hidden=2 network
    assert [layer.units for layer in second.model_.layers] == [3, 1]


def test_subclass_parameter_never_stored_can_still_be_set(binary_data):
    X, y = binary_data
    clf = _Sub(epochs=2)
    assert "optimizer__learning_rate" not in clf.get_params()

    clf.set_params(optimizer__learning_rate=0.05, hidden=2)

    assert clf.get_params()["optimizer__learning_rate"] == 0.05
    clf.fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)
    assert [layer.units for layer in clf.model_.layers] == [2, 1]


def test_loss_class_is_encoded_for_like_its_name():
    # CategoricalCrossentropy given as a class (with a routed option) needs one-hot targets,
    # as loss="categorical_crossentropy" does; integer codes would not fit its output
    X = np.random.RandomState(0).rand(60, 3)
    y = np.arange(60) % 3

    def build():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])

    clf = KerasClassifier(build, loss=keras.losses.CategoricalCrossentropy, loss__label_smoothing=0.1,
                          epochs=1, verbose=0).fit(X, y)
    assert clf.model_.loss.get_config()["label_smoothing"] == pytest.approx(0.1)
    assert clf.predict_proba(X[:4]).shape == (4, 3)


def test_metric_options_shared_and_per_item_reach_the_compiled_metrics(binary_data):
    X, y = binary_data

    def build():
        return keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(1, activation="sigmoid")])

    clf = KerasClassifier(build, loss="binary_crossentropy", epochs=1, verbose=0,
                          metrics=[keras.metrics.BinaryAccuracy, "binary_accuracy", keras.metrics.AUC],
                          metrics__0__threshold=0.3, metrics__1__threshold=0.7, metrics__2__name="my_auc").fit(X, y)
    built = [m for m in clf.model_.metrics if hasattr(m, "metrics")][0].metrics  # Keras' CompileMetrics
    assert [(type(m).__name__, getattr(m, "threshold", None)) for m in built] == [
        ("BinaryAccuracy", pytest.approx(0.3)), ("BinaryAccuracy", pytest.approx(0.7)), ("AUC", None)]
    assert "my_auc" in clf.history_


# ------------------------------------- skdl-only names the builder takes (C17b)
def test_an_skdl_only_name_the_builder_takes_is_the_builders(binary_data):
    X, y = binary_data
    seen = []

    def build(meta, early_stopping, patience=None):
        seen.append((early_stopping, patience))
        return _build(meta)

    # patience=0 would be refused as skdl's; early_stopping=True would hold out rows and stop early
    clf = KerasClassifier(build, early_stopping=True, patience=0, epochs=3, random_state=0).fit(X, y)

    assert seen == [(True, 0)]
    assert "val_loss" not in clf.history_ and len(clf.history_["loss"]) == 3
    assert not hasattr(clf, "best_epoch_")
    assert clf.get_params()["early_stopping"] is True and clf.get_params()["patience"] == 0


def test_an_skdl_only_name_left_at_its_default_keeps_the_builders_default(binary_data):
    X, y = binary_data
    seen = []

    def build(meta, learning_rate=0.07):
        seen.append(learning_rate)
        return _build(meta)

    clf = KerasClassifier(build, random_state=0).fit(X, y)

    assert seen == [0.07]
    # skdl's learning_rate is off: the optimizer keeps its own default (rmsprop's 0.001)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.001)


def test_an_skdl_only_name_for_the_builder_survives_clone_and_set_params(binary_data):
    from sklearn.base import clone

    X, y = binary_data
    seen = []

    def build(meta, learning_rate):
        seen.append(learning_rate)
        model = _build(meta)
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=learning_rate * 2))
        return model

    clf = KerasClassifier(build, learning_rate=0.03, random_state=0)
    copy = clone(clf).fit(X, y)
    assert copy.get_params()["learning_rate"] == 0.03 and seen == [0.03]
    # the builder's rate is not overwritten by skdl's learning_rate
    assert float(copy.model_.optimizer.learning_rate) == pytest.approx(0.06)

    copy.set_params(learning_rate=0.2).fit(X, y)
    assert seen == [0.03, 0.2]


def test_a_builder_without_the_name_or_with_var_kwargs_leaves_it_to_skdl(binary_data):
    X, y = binary_data
    seen = {}

    def build(meta, **kwargs):
        seen.update(kwargs)
        return _build(meta)

    clf = KerasClassifier(build, learning_rate=0.02, random_state=0).fit(X, y)

    assert "learning_rate" not in seen and set(seen) == {"compile_kwargs", "params"}  # as before
    assert seen["params"]["learning_rate"] == 0.02
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="learning_rate"):  # skdl's own constraint still applies
        KerasClassifier(_build, learning_rate=-1.0).fit(X, y)


def test_a_var_kwargs_builder_gets_bare_keywords_without_a_warning(binary_data):
    import warnings

    from skdl.exceptions import SkdlWarning

    X, y = binary_data
    seen = {}

    def build(meta, **kwargs):
        seen.update(kwargs)
        return _build(meta, hidden=kwargs["hidden"])

    with warnings.catch_warnings():
        warnings.simplefilter("error", SkdlWarning)  # no "unexpected parameter 'hidden' ... ignored"
        KerasClassifier(build, hidden=3, random_state=0).fit(X, y)
    assert seen["hidden"] == 3


def test_scale_target_named_by_the_builder_does_not_scale(regression_data):
    X, y = regression_data
    seen = []

    def build(meta, scale_target):
        seen.append(scale_target)
        return _build(meta)

    reg = KerasRegressor(build, scale_target=True, loss="mse", random_state=0).fit(X, y * 100)

    assert seen == [True]
    assert not reg.target_encoder_.scale_target  # skdl's scaling is off
    np.testing.assert_array_equal(reg.target_encoder_.scale_, 1.0)


# ------------------------------------------------------ RandomState instances (C20)
def test_a_randomstate_instance_gives_one_seed_and_is_never_advanced(binary_data):
    X, y = binary_data
    rs = np.random.RandomState(5)
    before = rs.get_state()[1].copy()
    clf = KerasClassifier(_build, epochs=2, early_stopping=True, validation_fraction=0.3, random_state=rs)

    p1 = clf.fit(X, y).predict_proba(X)
    p2 = clf.fit(X, y).predict_proba(X)

    np.testing.assert_allclose(p1, p2, rtol=1e-5)  # weights, validation rows and batches alike
    np.testing.assert_array_equal(rs.get_state()[1], before)
    assert clf.get_params()["random_state"] is rs
    other = KerasClassifier(_build, epochs=2, early_stopping=True, validation_fraction=0.3,
                            random_state=np.random.RandomState(6)).fit(X, y)
    assert not np.allclose(other.predict_proba(X), p1)


def test_skdl_own_estimators_draw_from_a_randomstate_as_sklearn_does(binary_data):
    from skdl import MLPClassifier

    X, y = binary_data
    rs = np.random.RandomState(5)
    before = rs.get_state()[1].copy()
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=rs)

    p1 = clf.fit(X, y).predict_proba(X)
    assert not np.array_equal(rs.get_state()[1], before)  # consumed, as sklearn's estimators do
    assert not np.allclose(clf.fit(X, y).predict_proba(X), p1)
