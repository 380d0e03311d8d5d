"""CNNClassifier and CNNRegressor: input shapes, preset knobs, digits accuracy, presets."""

import doctest
import time
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import CNNClassifier, CNNRegressor, MLPClassifier, MLPRegressor
from skdl.architectures import get_architecture_info, list_architectures

keras = pytest.importorskip("keras")

# A network small enough that a fit costs mostly its (pooled) compilation.
TINY = dict(filters=(4,), dense_layer_sizes=(), epochs=1, random_state=0, patience=None)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


@pytest.fixture(scope="module")
def small_images():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 8, 8, 1).astype(np.float32)
    y = (X[:, :4].mean(axis=(1, 2, 3)) > X[:, 4:].mean(axis=(1, 2, 3))).astype(int)
    return X, y


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# ------------------------------------------------------------------ input shapes
def test_flat_4d_and_3d_inputs_give_the_same_network(digits):
    X, y = digits
    X, y = X[:80], y[:80]
    flat = CNNClassifier(input_shape=(8, 8, 1), **TINY).fit(X, y)
    four = CNNClassifier(**TINY).fit(X.reshape(-1, 8, 8, 1), y)
    three = CNNClassifier(input_shape=(8, 8), **TINY).fit(X.reshape(-1, 8, 8), y)
    assert flat.input_shape_ == four.input_shape_ == three.input_shape_ == (8, 8, 1)
    assert flat.model_.input_shape == (None, 8, 8, 1)
    assert flat.n_features_in_ == 64 and four.n_features_in_ == 8
    # same seed, same images: the same model whatever the layout of X
    np.testing.assert_allclose(flat.predict_proba(X), four.predict_proba(X.reshape(-1, 8, 8, 1)), rtol=1e-5)
    np.testing.assert_allclose(flat.predict_proba(X), three.predict_proba(X.reshape(-1, 8, 8)), rtol=1e-5)


def test_flat_width_must_match_input_shape(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"input_shape.*\(8, 8, 2\).*128 values.*X has 64 columns"):
        CNNClassifier(input_shape=(8, 8, 2), **TINY).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match=r"input_shape.*\(4, 4, 1\) but X holds images of shape \(8, 8, 1\)"):
        CNNClassifier(input_shape=(4, 4, 1), **TINY).fit(X[:40].reshape(-1, 8, 8, 1), y[:40])
    with pytest.raises(ValueError, match="'input_shape' parameter of CNNRegressor must be None or a tuple"):
        CNNRegressor(input_shape=(8, 0, 1), **TINY).fit(X[:40], y[:40])


def test_predict_checks_image_shape(small_images):
    X, y = small_images
    clf = CNNClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match=r"images of shape \(8, 7, 1\) but CNNClassifier was fitted on images of shape \(8, 8, 1\)"):
        clf.predict(X[:, :, :7])


def test_flat_X_without_input_shape_is_one_row_images():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 6)
    y = X[:, 0] + X[:, 1]
    reg = CNNRegressor(pooling=None, **TINY).fit(X, y)
    assert reg.input_shape_ == (1, 6, 1)
    assert reg.predict(X).shape == (40,)
    # with the preset's 2x2 pooling such images are too small: say why and what to do
    with pytest.raises(ValueError, match=r"at least 2x2.*X was 2-D and input_shape=None.*input_shape=\(height, width, channels\)"):
        CNNRegressor(**TINY).fit(X, y)


@pytest.mark.parametrize("Est, other", [(MLPClassifier, "CNNClassifier"), (MLPRegressor, "CNNRegressor")])
@pytest.mark.parametrize("shape", [(10, 8, 8), (10, 8, 8, 1)])
def test_mlp_rejects_images_with_a_hint(Est, other, shape):
    X = np.zeros(shape)
    y = np.arange(10) % 2
    msg = rf"{Est.__name__} expects 2-D X.*got X of shape \({shape[0]}, 8, 8.*Use {other} for images.*reshape"
    with pytest.raises(ValueError, match=msg):
        Est(epochs=1).fit(X, y)


# -------------------------------------------------------------- preset knobs
def test_knobs_default_to_the_preset(small_images):
    X, y = small_images
    clf = CNNClassifier(architecture="lenet", dense_layer_sizes=(8,), epochs=1, random_state=0).fit(X, y)
    convs = [layer for layer in clf.model_.layers if isinstance(layer, keras.layers.Conv2D)]
    pools = [layer for layer in clf.model_.layers if isinstance(layer, keras.layers.AveragePooling2D)]
    assert [c.filters for c in convs] == [6, 16]  # LeNet's, not simple_cnn's
    assert convs[0].kernel_size == (5, 5) and len(pools) == 2
    acts = [layer.activation.__name__ for layer in clf.model_.layers if isinstance(layer, keras.layers.Activation)]
    assert acts and set(acts) == {"tanh"}
    assert [layer.units for layer in clf.model_.layers if isinstance(layer, keras.layers.Dense)] == [8, 1]


def test_set_knobs_reach_the_builder(small_images):
    X, y = small_images
    clf = CNNClassifier(
        filters=[3, 5], kernel_size=(3, 1), pooling=None, batch_norm=True, global_pooling=True,
        dense_layer_sizes=(7,), dropout=0.25, l2=1e-3, activation="elu", augmentation="flip",
        epochs=1, random_state=0,
    ).fit(X, y)
    layers = clf.model_.layers
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [3, 5] and convs[1].kernel_size == (1, 1)
    assert not any(isinstance(layer, keras.layers.MaxPooling2D) for layer in layers)
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers)
    assert any(isinstance(layer, keras.layers.GlobalAveragePooling2D) for layer in layers)
    assert any(isinstance(layer, keras.layers.RandomFlip) for layer in layers)
    assert [d.rate for d in layers if isinstance(d, keras.layers.Dropout)] == [0.25]
    assert convs[0].kernel_regularizer is not None


def test_routed_builder_keywords(small_images):
    X, y = small_images
    clf = CNNClassifier(architecture="vgg", model__blocks=(1,), filters=4, dense_layer_sizes=(), **{
        k: v for k, v in TINY.items() if k not in ("filters", "dense_layer_sizes")}).fit(X, y)
    assert len([layer for layer in clf.model_.layers if isinstance(layer, keras.layers.Conv2D)]) == 1


def test_knob_the_preset_does_not_take_is_an_error(small_images):
    X, y = small_images
    with pytest.raises(ValueError, match=r"'padding' parameter of CNNClassifier is set to 'valid'.*'resnet' does not take it.*Leave padding=None"):
        CNNClassifier(architecture="resnet", padding="valid", epochs=1).fit(X, y)

    def tiny_builder(meta, filters=2):
        inputs = keras.Input(meta["input_shape_"])
        x = keras.layers.Conv2D(filters, 3)(inputs)
        x = keras.layers.Flatten()(x)
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"])(x))

    with pytest.raises(ValueError, match=r"'dropout'.*'tiny_builder' does not take it.*\['filters'\]"):
        CNNClassifier(architecture=tiny_builder, dropout=0.5, epochs=1).fit(X, y)
    clf = CNNClassifier(architecture=tiny_builder, filters=3, epochs=1, random_state=0).fit(X, y)
    assert clf.model_.layers[1].filters == 3


def test_tabular_architecture_is_refused(small_images):
    X, y = small_images
    with pytest.raises(ValueError, match="tabular architecture 'mlp'.*MLPClassifier"):
        CNNClassifier(architecture="mlp", epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="Unknown architecture 'simple_cn'.*Did you mean 'simple_cnn'"):
        CNNClassifier(architecture="simple_cn", epochs=1).fit(X, y)


def test_clone_and_params_round_trip():
    clf = CNNClassifier(architecture="vgg", filters=8, pooling=None, model__blocks=(1, 1), optimizer__momentum=0.5)
    params = clf.get_params()
    assert params["pooling"] is None and params["model__blocks"] == (1, 1)
    twin = clone(clf)
    assert twin.get_params() == params
    assert CNNClassifier().get_params()["pooling"] == "auto"
    assert CNNClassifier().epochs == 50 and CNNClassifier().patience == 10


def test_regressor_multioutput_on_images(small_images):
    X, _ = small_images
    Y = np.column_stack([X.mean(axis=(1, 2, 3)), X.std(axis=(1, 2, 3))])
    reg = CNNRegressor(**TINY).fit(X, Y)
    assert reg.predict(X).shape == (60, 2)


# ------------------------------------------------------------------ accuracy
DIGITS_CNN = dict(
    architecture="simple_cnn",
    input_shape=(8, 8, 1),
    filters=(32, 64),
    dense_layer_sizes=(64,),
    dropout=0.3,
    learning_rate=0.005,
    batch_size=64,
    epochs=30,
    lr_schedule="cosine",
    patience=None,
    random_state=0,
)


def test_simple_cnn_reaches_98_percent_on_digits():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), CNNClassifier(**DIGITS_CNN))
    t0 = time.perf_counter()
    scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    seconds = time.perf_counter() - t0
    print(f"digits 5-fold CV accuracy {scores.mean():.4f} {scores.round(4)} in {seconds:.1f}s")
    assert scores.mean() >= 0.98


@pytest.mark.parametrize("name", sorted(set(list_architectures("image"))))
def test_every_preset_trains_on_its_minimum_size(name):
    h, w = get_architecture_info(name).min_input_shape
    rng = np.random.RandomState(0)
    X = rng.rand(12, h, w, 3).astype(np.float32)
    y = np.arange(12) % 3
    clf = CNNClassifier(architecture=name, epochs=2, batch_size=8, random_state=0, patience=None).fit(X, y)
    assert clf.n_iter_ == 2 and np.isfinite(clf.history_["loss"]).all()
    assert clf.predict_proba(X).shape == (12, 3)


def test_docstring_examples():
    import skdl.estimators._cnn as module

    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried >= 2 and failures == 0
