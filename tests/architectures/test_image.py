"""Image presets: shapes, size checks, shared hyperparameters, augmentation."""

import numpy as np
import pytest

from skdl.architectures import (
    AUGMENTATIONS,
    get_architecture,
    get_architecture_info,
    list_architectures,
)

keras = pytest.importorskip("keras")

PRESETS = ["alexnet", "inception", "lenet", "resnet", "simple_cnn", "vgg"]


def meta_for(shape, n_outputs=3, activation="softmax"):
    return {"input_shape_": shape, "n_features_in_": int(np.prod(shape)),
            "n_outputs_": n_outputs, "output_activation_": activation,
            "target_type_": "multiclass", "n_classes_": n_outputs}


def layers_of(model, cls):
    return [layer for layer in model.layers if isinstance(layer, cls)]


def test_presets_registered_as_image():
    assert set(PRESETS) <= set(list_architectures("image"))
    for name in PRESETS:
        assert get_architecture_info(name).input_kind == "image"


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("shape", [(32, 32, 3), (8, 8, 1)])
def test_default_presets_on_cifar_and_digits(name, shape):
    min_h, min_w = get_architecture_info(name).min_input_shape
    if shape[0] < min_h:
        with pytest.raises(ValueError, match=f"'{name}' architecture needs images of at least"):
            get_architecture(name)(meta_for(shape))
        return
    model = get_architecture(name)(meta_for(shape))
    assert model.output_shape == (None, 3)
    assert model.name == name


def test_alexnet_min_is_15_and_digits_fail_clearly():
    assert get_architecture_info("alexnet").min_input_shape == (15, 15)
    with pytest.raises(ValueError, match=r"at least 15x15 \(height x width\).*got input_shape_=\(8, 8, 1\)"):
        get_architecture("alexnet")(meta_for((8, 8, 1)))


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "resnet"])
def test_min_input_shape_is_tight(name):
    """One pixel less than min_input_shape in either axis is rejected early."""
    h, w = get_architecture_info(name).min_input_shape
    builder = get_architecture(name)
    for shape in [(h - 1, w, 1), (h, w - 1, 1)]:
        with pytest.raises(ValueError, match=rf"'{name}' architecture needs images of at least {h}x{w}"):
            builder(meta_for(shape))


def test_too_small_follows_hyperparameters():
    build = get_architecture("simple_cnn")
    with pytest.raises(ValueError, match=r"at least 8x8.*got input_shape_=\(4, 4, 1\)"):
        build(meta_for((4, 4, 1)), filters=(2, 2, 2))
    # without pooling three blocks fit a 4x4 image
    assert build(meta_for((4, 4, 1)), filters=(2, 2, 2), pooling=None).output_shape == (None, 3)
    with pytest.raises(ValueError, match=r"at least 5x5"):
        build(meta_for((4, 4, 1)), filters=(2,), kernel_size=5, padding="valid", pooling=None)
    with pytest.raises(ValueError, match=r"at least 8x2"):
        build(meta_for((4, 2, 1)), filters=(2,), kernel_size=[(8, 2)], padding="valid",
              pooling=None)
    with pytest.raises(ValueError, match=r"at least 9x3"):  # + a 2x2 pool
        build(meta_for((4, 2, 1)), filters=(2,), kernel_size=[(8, 2)], padding="valid")


def test_valid_lenet_on_32x32_matches_original_shapes():
    model = get_architecture("lenet")(meta_for((32, 32, 1), 10), padding="valid")
    assert model.get_layer("block2_pool").output.shape[1:] == (5, 5, 16)


@pytest.mark.parametrize("name", PRESETS)
def test_tabular_meta_is_rejected(name):
    with pytest.raises(ValueError, match=r"needs images.*input_shape_=\(64,\).*input_shape=\(h, w, c\)"):
        get_architecture(name)(meta_for((64,)))


def test_2d_input_gets_a_channel():
    model = get_architecture("simple_cnn")(meta_for((8, 8)), filters=(2,))
    assert model.input_shape == (None, 8, 8)
    assert model.get_layer("add_channel").output.shape[1:] == (8, 8, 1)


@pytest.mark.parametrize("name", PRESETS)
def test_batch_norm_and_regularizers(name):
    model = get_architecture(name)(meta_for((16, 16, 1)), batch_norm=True, l2=0.01)
    assert layers_of(model, keras.layers.BatchNormalization)
    conv = layers_of(model, keras.layers.Conv2D)
    assert conv and all(isinstance(c.kernel_regularizer, keras.regularizers.L1L2) for c in conv)
    assert len(model.losses) == len(conv) + len(layers_of(model, keras.layers.Dense))
    assert all(float(loss) > 0 for loss in model.losses)

    model = get_architecture(name)(meta_for((16, 16, 1)), batch_norm=False)
    assert not layers_of(model, keras.layers.BatchNormalization)
    assert model.losses == []


@pytest.mark.parametrize("name", PRESETS)
def test_head_options(name):
    build = get_architecture(name)
    model = build(meta_for((16, 16, 1)), global_pooling=True,
                  dense_layer_sizes=(5, 4), dropout=(0.1, 0.2))
    assert layers_of(model, keras.layers.GlobalAveragePooling2D)
    assert [d.units for d in layers_of(model, keras.layers.Dense)] == [5, 4, 3]
    assert [d.rate for d in layers_of(model, keras.layers.Dropout)] == [0.1, 0.2]
    model = build(meta_for((16, 16, 1)), global_pooling=False, dense_layer_sizes=(), dropout=0.3)
    assert layers_of(model, keras.layers.Flatten)
    assert [d.rate for d in layers_of(model, keras.layers.Dropout)] == [0.3]


def test_pooling_choices():
    build = get_architecture("simple_cnn")
    model = build(meta_for((8, 8, 1)), filters=(2, 2), pooling="avg")
    assert len(layers_of(model, keras.layers.AveragePooling2D)) == 2
    model = build(meta_for((8, 8, 1)), filters=(2, 2), pooling=None)
    assert not layers_of(model, keras.layers.MaxPooling2D)


def test_vgg_blocks_and_doubling_filters():
    model = get_architecture("vgg")(meta_for((8, 8, 1)), blocks=(1, 2), filters=4)
    conv = layers_of(model, keras.layers.Conv2D)
    assert [c.filters for c in conv] == [4, 8, 8]
    assert all(c.kernel_size == (3, 3) for c in conv)


def test_inception_module_concatenates_branches():
    model = get_architecture("inception")(meta_for((8, 8, 1)), stem_filters=4,
                                          filters=((2, 1, 3, 1, 4, 5), 6))
    assert model.get_layer("inception1_concat").output.shape[-1] == 2 + 3 + 4 + 5
    assert model.get_layer("inception2_concat").output.shape[-1] == 6 * 4


def test_resnet_shortcuts():
    model = get_architecture("resnet")(meta_for((8, 8, 1)), filters=(4, 8), blocks=(2, 1),
                                       strides=(1, 2))
    names = {layer.name for layer in model.layers}
    # identity shortcuts inside stage 1, projection when filters and size change
    assert "stage1_block1_proj_conv" not in names and "stage1_block2_proj_conv" not in names
    assert "stage2_block1_proj_conv" in names
    assert model.get_layer("stage2_block1_out").output.shape[1:] == (4, 4, 8)
    assert len(layers_of(model, keras.layers.Add)) == 3


@pytest.mark.parametrize(
    "name, kwargs, match",
    [
        ("simple_cnn", {"pooling": "maximum"}, r"'pooling' parameter of the 'simple_cnn' architecture must be one of \{'avg', 'max'\} or None\. Got 'maximum' instead\. Did you mean 'max'\?"),
        ("simple_cnn", {"padding": "vaild"}, r"'padding'.*Did you mean 'valid'"),
        ("lenet", {"activation": "tanhh"}, r"'activation'.*Did you mean 'tanh'"),
        ("simple_cnn", {"filters": (4, -1)}, r"'filters'.*positive int"),
        ("simple_cnn", {"kernel_size": (3, 3, 3)}, r"'kernel_size'.*3 entries but 'filters' has 2"),
        ("simple_cnn", {"strides": 0}, r"'strides'"),
        ("simple_cnn", {"dense_layer_sizes": (4,), "dropout": (0.1, 0.2)}, r"'dropout'.*2 values but 'dense_layer_sizes' has 1"),
        ("simple_cnn", {"global_pooling": 1}, r"'global_pooling'.*bool"),
        ("alexnet", {"filters": (4, 4)}, r"at least 3 conv layers"),
        ("vgg", {"blocks": (1, 1), "filters": (4, 4, 4)}, r"'filters'.*3 entries but 'blocks' has 2"),
        ("resnet", {"blocks": (1,)}, r"'blocks'.*1 entries but 'filters' has 3"),
        ("inception", {"filters": ((1, 2, 3),)}, r"6 positive ints"),
        ("inception", {"filters": ()}, r"non-empty"),
        ("vgg", {"l2": -1}, r"'l2'.*>= 0"),
        ("simple_cnn", {"kernel_initializer": "nope"}, r"'kernel_initializer'"),
    ],
)
def test_validation_errors(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        get_architecture(name)(meta_for((16, 16, 1)), **kwargs)


# --- augmentation ---------------------------------------------------------------


def test_unknown_augmentation_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown augmentation 'rotate'.*'contrast', 'flip'.*Did you mean 'rotation'\?"):
        get_architecture("simple_cnn")(meta_for((8, 8, 1)), augmentation=["rotate"])


@pytest.mark.parametrize(
    "augmentation, match",
    [({"flip": "sideways"}, r"'flip' augmentation.*'horizontal'"),
     ({"zoom": 2.0}, r"'zoom' augmentation.*\(0, 1\]"),
     (3, r"'augmentation' parameter")],
)
def test_bad_augmentation_values(augmentation, match):
    with pytest.raises(ValueError, match=match):
        get_architecture("simple_cnn")(meta_for((8, 8, 1)), augmentation=augmentation)


def test_augmentation_forms():
    build = get_architecture("simple_cnn")
    model = build(meta_for((8, 8, 1)), filters=(2,), augmentation="flip")
    assert model.get_layer("augment_flip").mode == "horizontal"
    model = build(meta_for((8, 8, 1)), filters=(2,), augmentation=list(AUGMENTATIONS))
    assert [layer.name for layer in model.layers[1:6]] == [f"augment_{n}" for n in AUGMENTATIONS]
    model = build(meta_for((8, 8, 1)), filters=(2,), augmentation={"rotation": 0.2, "flip": "vertical"})
    assert [layer.name for layer in model.layers[1:3]] == ["augment_rotation", "augment_flip"]


def test_augmentation_only_in_training():
    keras.utils.set_random_seed(0)
    build = get_architecture("simple_cnn")
    meta = meta_for((8, 8, 3))
    hp = {"filters": (4,), "dense_layer_sizes": (), "pooling": None}
    augmented = build(meta, augmentation={"flip": "horizontal_and_vertical", "rotation": 0.2,
                                          "zoom": 0.2, "translation": 0.2, "contrast": 0.5}, **hp)
    plain = build(meta, **hp)
    for layer in plain.layers:  # identical weights, layer by layer
        augmented.get_layer(layer.name).set_weights(layer.get_weights())
    X = np.random.default_rng(0).uniform(size=(4, 8, 8, 3)).astype("float32")

    infer = [keras.ops.convert_to_numpy(augmented(X, training=False)) for _ in range(2)]
    np.testing.assert_array_equal(infer[0], infer[1])
    np.testing.assert_allclose(infer[0], keras.ops.convert_to_numpy(plain(X, training=False)),
                               rtol=1e-6, atol=1e-6)
    train = keras.ops.convert_to_numpy(augmented(X, training=True))
    assert not np.allclose(train, infer[0])
