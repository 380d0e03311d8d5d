"""Issue 14, gap 7: fitted attributes, meta keys, initialize, current_epoch, history_ names.

Reference: scikeras/wrappers.py ``_validate_data`` (``X_dtype_``, ``X_shape_``,
``n_features_in_ = X.shape[1]``, ``target_type_``, ``y_dtype_``, ``y_ndim_``; X
and y keep their dtype: ``check_array(dtype=None)`` unless not numeric),
``_initialize`` (encoder metadata: ``classes_``, ``n_classes_``, ``n_outputs_``,
``n_outputs_expected_``; ``target_encoder_``, ``feature_encoder_``),
``_get_metadata`` (``meta`` is every public attribute ending in one ``_``),
``initialize``, ``current_epoch`` (``len(history_["loss"])``), ``initialized_``,
``_get_compile_kwargs`` and ``_fit_keras_model`` (metric names given as strings
are compiled with ``keras.metrics.get``, so Keras logs full names; history keys
other than ``loss`` and ``val_*`` of a model compiled elsewhere go through
``scikeras.utils.metric_name``: "mae" -> "mean_absolute_error").
"""

import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor

CLASSIFIER_META_KEYS = {
    "target_type_",
    "y_dtype_",
    "y_ndim_",
    "X_dtype_",
    "X_shape_",
    "n_features_in_",
    "target_encoder_",
    "classes_",
    "n_classes_",
    "n_outputs_",
    "n_outputs_expected_",
    "feature_encoder_",
}
REGRESSOR_META_KEYS = CLASSIFIER_META_KEYS - {"classes_", "n_classes_"}


@pytest.fixture
def meta_recorder(keras):
    seen = {}

    def build(meta):
        seen.clear()
        seen.update(meta)
        n_out = meta["n_classes_"] if meta["target_type_"] == "multiclass" else 1
        act = {"binary": "sigmoid", "multiclass": "softmax"}.get(meta["target_type_"], None)
        return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(n_out, activation=act)])

    build.seen = seen
    return build


def test_gap07_classifier_meta_keys(multiclass, meta_recorder):
    X, y = multiclass
    KerasClassifier(meta_recorder, loss="sparse_categorical_crossentropy", epochs=1, verbose=0).fit(X, y)

    assert CLASSIFIER_META_KEYS <= set(meta_recorder.seen)
    meta = meta_recorder.seen
    assert meta["target_type_"] == "multiclass" and meta["n_classes_"] == 3
    assert meta["n_outputs_expected_"] == 1
    assert meta["y_ndim_"] == 1 and meta["y_dtype_"] == np.int64


def test_gap07_meta_n_outputs_is_target_columns(multiclass, meta_recorder):
    """scikeras: meta["n_outputs_"] is 1 for any single-column classification target
    (ClassifierLabelEncoder.n_outputs_), not the number of output units."""
    X, y = multiclass
    KerasClassifier(meta_recorder, loss="sparse_categorical_crossentropy", epochs=1, verbose=0).fit(X, y)

    assert meta_recorder.seen["n_outputs_"] == 1


def test_gap07_regressor_meta_keys(regression, meta_recorder):
    X, y = regression
    KerasRegressor(meta_recorder, loss="mse", epochs=1, verbose=0).fit(X, y)

    assert REGRESSOR_META_KEYS <= set(meta_recorder.seen)
    assert meta_recorder.seen["target_type_"] == "continuous"


def test_gap07_classifier_fitted_attributes(multiclass, meta_recorder):
    X, y = multiclass
    labels = np.array(["a", "b", "c"])[y]
    clf = KerasClassifier(meta_recorder, loss="sparse_categorical_crossentropy", epochs=1, verbose=0).fit(X, labels)

    assert clf.target_type_ == "multiclass"
    assert clf.n_classes_ == 3
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert clf.X_dtype_ == np.float32
    assert clf.X_shape_ == X.shape
    assert clf.y_dtype_ == labels.dtype
    assert clf.y_ndim_ == 1
    assert clf.n_outputs_ == 1
    assert clf.n_outputs_expected_ == 1
    assert clf.n_features_in_ == 8
    assert clf.initialized_ is True
    assert hasattr(clf.target_encoder_, "inverse_transform")
    assert hasattr(clf.feature_encoder_, "transform")


def test_gap07_regressor_fitted_attributes(housing, meta_recorder):
    X, y = housing
    reg = KerasRegressor(meta_recorder, loss="mse", epochs=1, verbose=0).fit(X, y)

    assert reg.target_type_ == "continuous"
    assert reg.X_dtype_ == np.float64 and reg.X_shape_ == (300, 8)
    assert reg.y_dtype_ == np.float64 and reg.y_ndim_ == 1
    assert reg.n_outputs_ == 1 and reg.n_outputs_expected_ == 1
    assert reg.n_features_in_ == 8


def test_gap07_x_dtype_is_kept(keras, mnist):
    (x_train, y_train), _ = mnist
    X = x_train.reshape(len(x_train), -1)  # uint8 pixels
    seen = {}

    def build(meta):
        seen["X_dtype_"] = meta["X_dtype_"]
        return keras.Sequential([keras.Input((784,)), keras.layers.Rescaling(1 / 255), keras.layers.Dense(10, activation="softmax")])

    clf = KerasClassifier(build, loss="sparse_categorical_crossentropy", epochs=1, verbose=0).fit(X, y_train)

    assert clf.X_dtype_ == np.uint8 and seen["X_dtype_"] == np.uint8
    assert clf.y_dtype_ == np.uint8


def test_gap07_initialize_then_predict_without_fit(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", verbose=0)

    returned = clf.initialize(X, y)

    assert returned is clf and clf.initialized_
    assert clf.predict(X).shape == (len(X),)
    assert clf.current_epoch == 0
    np.testing.assert_array_equal(clf.classes_, [0, 1])


def test_gap07_current_epoch(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=2, verbose=0)
    assert clf.current_epoch == 0

    clf.fit(X, y)
    assert clf.current_epoch == 2
    clf.partial_fit(X, y)
    assert clf.current_epoch == 3
    clf.fit(X, y)  # fit starts over
    assert clf.current_epoch == 2


def test_gap07_history_full_metric_names(regression, dense_builder):
    X, y = regression
    reg = KerasRegressor(
        dense_builder, loss="mse", metrics=["mae", "mse"], validation_split=0.2, epochs=2, verbose=0
    ).fit(X, y)

    # the wrapper compiles "mae" as keras.metrics.get("mae"), so Keras logs the full names
    expected = {
        "loss",
        "mean_absolute_error",
        "mean_squared_error",
        "val_loss",
        "val_mean_absolute_error",
        "val_mean_squared_error",
    }
    assert expected <= set(reg.history_)
    assert not {"mae", "mse", "val_mae", "val_mse"} & set(reg.history_)
    assert all(len(reg.history_[k]) == 2 for k in expected)


def test_gap07_history_names_of_a_model_compiled_by_the_builder(regression, keras):
    X, y = regression

    def build():
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
        model.compile(loss="mse", metrics=["mae"])
        return model

    reg = KerasRegressor(build, epochs=2, verbose=0).fit(X, y)

    # Keras logs "mae"; scikeras renames the training key with scikeras.utils.metric_name
    assert len(reg.history_["mean_absolute_error"]) == 2
    assert "mae" not in reg.history_


def test_gap07_history_keeps_unknown_and_class_metric_names(binary, dense_builder, keras):
    X, y = binary
    clf = KerasClassifier(
        dense_builder, loss="binary_crossentropy", metrics=["acc", keras.metrics.BinaryAccuracy()], epochs=1, verbose=0
    ).fit(X, y)

    assert {"loss", "acc", "binary_accuracy"} <= set(clf.history_)


def test_gap07_partial_fit_extends_history(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=1, verbose=0)

    clf.partial_fit(X, y)
    clf.partial_fit(X, y)

    assert len(clf.history_["loss"]) == 2
    with pytest.raises(TypeError, match="epochs"):
        clf.partial_fit(X, y, epochs=3)  # scikeras: partial_fit always trains for 1 epoch
