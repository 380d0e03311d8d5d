"""save/load and pickling: identical predictions, a readable file, clear errors."""

import doctest
import json
import os
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skdl
from skdl import (
    CNNClassifier,
    CNNRegressor,
    KerasClassifier,
    KerasRegressor,
    MLPClassifier,
    MLPRegressor,
    load,
)
from skdl.architectures import register_architecture, unregister_architecture
from skdl.exceptions import ModelFileError, SkdlError, SkdlWarning

keras = pytest.importorskip("keras")


def dense_builder(meta, units=8):
    return keras.Sequential(
        [
            keras.Input(meta["input_shape_"]),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"]),
        ]
    )


def build_registered(meta, width=4):
    """A custom architecture registered by name for these tests."""
    inputs = keras.Input(meta["input_shape_"])
    x = keras.layers.Dense(width, activation="tanh", name="custom_hidden")(inputs)
    outputs = keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"])(x)
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.rand(48, 16).astype(np.float32)
    y_cls = np.array(["a", "b", "c"])[(X[:, 0] * 3).astype(int)]
    y_reg = X[:, :2].sum(axis=1) * 10
    return X, y_cls, y_reg


@pytest.fixture(scope="module")
def registered():
    register_architecture("test_persist_custom", build_registered)
    yield "test_persist_custom"
    unregister_architecture("test_persist_custom")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


COMMON = dict(epochs=2, random_state=0, batch_size=16)


def _estimators(registered):
    return [
        MLPClassifier(hidden_layer_sizes=(8,), metrics=["accuracy"], **COMMON),
        MLPRegressor(hidden_layer_sizes=(8,), optimizer="sgd", optimizer__momentum=0.9, **COMMON),
        KerasClassifier(dense_builder, units=6, **COMMON),
        KerasRegressor(registered, model__width=3, **COMMON),
        CNNClassifier(input_shape=(4, 4, 1), filters=(4,), dense_layer_sizes=(), **COMMON),
        CNNRegressor(input_shape=(4, 4, 1), filters=(4,), batch_norm=True, dense_layer_sizes=(), **COMMON),
    ]


def _outputs(est, X):
    out = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(X))
    return out


@pytest.fixture(scope="module")
def fitted(data, registered):
    X, y_cls, y_reg = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return [
            est.fit(X, y_cls if hasattr(est, "class_weight") else y_reg)
            for est in _estimators(registered)
        ]


@pytest.mark.parametrize("i", range(6), ids=["mlp_clf", "mlp_reg", "keras_clf", "keras_reg_custom", "cnn_clf", "cnn_reg"])
def test_save_load_round_trip(fitted, data, tmp_path, i):
    X = data[0]
    est = fitted[i]
    path = tmp_path / "model.skdl"
    est.save(path)
    loaded = load(path)
    assert type(loaded) is type(est)
    assert loaded.get_params().keys() == est.get_params().keys()
    for a, b in zip(_outputs(est, X), _outputs(loaded, X)):
        np.testing.assert_array_equal(a, b)
    assert loaded.history_ == est.history_
    for attr in ("n_features_in_", "n_iter_", "n_outputs_"):
        assert getattr(loaded, attr) == getattr(est, attr)
    if hasattr(est, "classes_"):
        np.testing.assert_array_equal(loaded.classes_, est.classes_)
    # pickle and joblib keep working and agree with the file
    for clone_ in (pickle.loads(pickle.dumps(est)), joblib.load(_joblib_dump(est, tmp_path))):
        for a, b in zip(_outputs(est, X), _outputs(clone_, X)):
            np.testing.assert_array_equal(a, b)


def _joblib_dump(est, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    return path


def test_file_layout_and_manifest(fitted, tmp_path):
    est = fitted[4]
    path = tmp_path / "cnn.skdl"
    est.save(str(path))
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["estimator.pkl", "manifest.json", "model.keras"]
        manifest = json.loads(zf.read("manifest.json"))
        zf.extract("model.keras", tmp_path)
    assert manifest["format"] == "skdl.estimator" and manifest["format_version"] == 2
    assert manifest["class"] == "skdl.estimators._cnn.CNNClassifier"
    assert manifest["skdl_version"] == skdl.__version__
    assert manifest["keras_version"] == keras.__version__
    assert manifest["backend"] == keras.backend.backend()
    # the network opens in plain Keras, with the fitted weights
    model = keras.saving.load_model(tmp_path / "model.keras")
    X = np.random.RandomState(1).rand(5, 4, 4, 1).astype(np.float32)
    np.testing.assert_allclose(model.predict(X, verbose=0), est.model_.predict(X, verbose=0), rtol=1e-6)
    # written through a temporary file, which is gone
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_loaded_estimator_keeps_training(fitted, data, tmp_path):
    X, _, y_reg = data
    est = fitted[1]  # sgd with momentum: optimizer state matters
    est.save(tmp_path / "m.skdl")
    loaded = load(tmp_path / "m.skdl")
    twin = pickle.loads(pickle.dumps(est))
    loaded.partial_fit(X, y_reg)
    twin.partial_fit(X, y_reg)
    assert loaded.n_iter_ == est.n_iter_ + 1
    np.testing.assert_allclose(loaded.predict(X), twin.predict(X), rtol=1e-5)


def test_unfitted_save_is_not_fitted_error(tmp_path):
    with pytest.raises(NotFittedError):
        MLPClassifier().save(tmp_path / "x.skdl")
    assert not os.listdir(tmp_path)


def test_foreign_and_corrupted_files(fitted, tmp_path):
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    with pytest.raises(ModelFileError, match="not a readable skdl model file"):
        load(not_zip)

    keras_file = tmp_path / "plain.keras"
    fitted[0].model_.save(keras_file)
    with pytest.raises(ModelFileError, match="no manifest.json.*plain Keras model.*keras.saving.load_model"):
        load(keras_file)

    good = tmp_path / "good.skdl"
    fitted[0].save(good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.skdl"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        load(truncated)

    missing = tmp_path / "missing.skdl"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(missing, "w") as dst:
        dst.writestr("manifest.json", src.read("manifest.json"))
    with pytest.raises(ModelFileError, match=r"incomplete.*\['model.keras', 'estimator.pkl'\]"):
        load(missing)

    garbled = tmp_path / "garbled.skdl"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(garbled, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, b"\x00garbage" if name == "estimator.pkl" else src.read(name))
    with pytest.raises(ModelFileError, match="Could not restore the estimator"):
        load(garbled)

    future = tmp_path / "future.skdl"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(future, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "manifest.json":
                body = json.dumps({**json.loads(body), "format_version": 99})
            dst.writestr(name, body)
    with pytest.raises(ModelFileError, match="Upgrade skdl"):
        load(future)

    old = tmp_path / "old.skdl"  # format 1 held the target as private attributes
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(old, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "manifest.json":
                body = json.dumps({**json.loads(body), "format_version": 1})
            dst.writestr(name, body)
    with pytest.raises(ModelFileError, match="file format 1.*refit the model and save it again"):
        load(old)

    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nowhere.skdl")
    assert issubclass(ModelFileError, SkdlError) and issubclass(ModelFileError, ValueError)


def test_weights_of_another_architecture_are_refused(fitted, tmp_path):
    good = tmp_path / "good.skdl"
    fitted[0].save(good)
    other = tmp_path / "other.skdl"
    fitted[4].save(other)
    swapped = tmp_path / "swapped.skdl"
    with zipfile.ZipFile(good) as a, zipfile.ZipFile(other) as b, zipfile.ZipFile(swapped, "w") as dst:
        dst.writestr("manifest.json", a.read("manifest.json"))
        dst.writestr("estimator.pkl", a.read("estimator.pkl"))
        dst.writestr("model.keras", b.read("model.keras"))
    with pytest.raises(ModelFileError, match="Could not restore the network"):
        load(swapped)


def test_unregistered_custom_architecture_says_what_to_do(fitted, tmp_path, registered):
    path = tmp_path / "custom.skdl"
    fitted[3].save(path)
    unregister_architecture(registered)
    try:
        with pytest.raises(ModelFileError, match="register"):
            load(path)
    finally:
        register_architecture(registered, build_registered)


def test_version_mismatch_warns(fitted, tmp_path):
    good = tmp_path / "good.skdl"
    fitted[0].save(good)
    old = tmp_path / "old.skdl"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(old, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "manifest.json":
                body = json.dumps({**json.loads(body), "skdl_version": "0.0.1"})
            dst.writestr(name, body)
    with pytest.warns(SkdlWarning, match="saved with skdl 0.0.1; this is skdl"):
        load(old)


def test_docstring_examples():
    import skdl.estimators._persistence as module

    failures, tried = doctest.testmod(module)
    assert tried >= 2 and failures == 0
