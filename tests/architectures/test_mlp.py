"""build_mlp: structure, regularizers, dropout per layer, validation errors."""

import numpy as np
import pytest

from skdl.architectures import build_mlp

keras = pytest.importorskip("keras")

META = {"input_shape_": (5,), "n_features_in_": 5, "n_outputs_": 3,
        "output_activation_": "softmax", "target_type_": "multiclass", "n_classes_": 3}


def _layers(model, cls):
    return [layer for layer in model.layers if isinstance(layer, cls)]


def test_structure_defaults():
    model = build_mlp(META, hidden_layer_sizes=(4, 3))
    dense = _layers(model, keras.layers.Dense)
    assert [d.units for d in dense] == [4, 3, 3]
    assert dense[0].activation.__name__ == "relu"
    assert dense[-1].activation.__name__ == "softmax"
    assert getattr(model, "optimizer", None) is None
    assert not _layers(model, keras.layers.Dropout)
    assert not _layers(model, keras.layers.BatchNormalization)
    assert model.losses == []
    assert all(d.kernel_regularizer is None and d.bias_regularizer is None for d in dense)


def test_no_hidden_layers_is_linear_model():
    meta = {**META, "n_outputs_": 1, "output_activation_": "sigmoid"}
    model = build_mlp(meta, hidden_layer_sizes=())
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]


def test_int_hidden_layer_sizes():
    model = build_mlp(META, hidden_layer_sizes=7)
    assert _layers(model, keras.layers.Dense)[0].units == 7


def test_multi_dim_input_is_flattened():
    model = build_mlp({**META, "input_shape_": (2, 3, 1)}, hidden_layer_sizes=(4,))
    assert isinstance(model.layers[1], keras.layers.Flatten)
    assert model.input_shape == (None, 2, 3, 1)


def test_input_shape_falls_back_to_n_features():
    meta = {k: v for k, v in META.items() if k != "input_shape_"}
    assert build_mlp(meta, hidden_layer_sizes=(2,)).input_shape == (None, 5)


def test_dropout_per_layer():
    model = build_mlp(META, hidden_layer_sizes=(4, 3, 2), dropout=(0.1, 0.0, 0.3))
    assert [d.rate for d in _layers(model, keras.layers.Dropout)] == [0.1, 0.3]
    model = build_mlp(META, hidden_layer_sizes=(4, 3), dropout=0.2)
    assert [d.rate for d in _layers(model, keras.layers.Dropout)] == [0.2, 0.2]


@pytest.mark.parametrize("param", ["l1", "l2", "bias_l1", "bias_l2"])
def test_regularizers_add_losses(param):
    model = build_mlp(META, hidden_layer_sizes=(4,), **{param: 0.1})
    if param.startswith("bias"):  # biases start at zero: make the penalty visible
        for layer in _layers(model, keras.layers.Dense):
            layer.bias.assign(np.ones(layer.bias.shape))
    # hidden layer and output layer both penalised, like sklearn's alpha
    assert len(model.losses) == 2
    assert all(float(loss) > 0 for loss in model.losses)
    attr = "bias_regularizer" if param.startswith("bias") else "kernel_regularizer"
    assert all(isinstance(getattr(d, attr), keras.regularizers.L1L2)
               for d in _layers(model, keras.layers.Dense))


def test_batch_norm_separates_activation():
    model = build_mlp(META, hidden_layer_sizes=(4, 3), batch_norm=True, activation="tanh")
    names = [layer.name for layer in model.layers]
    assert names[:4] == ["input", "hidden_1", "hidden_1_bn", "hidden_1_act"]
    assert len(_layers(model, keras.layers.BatchNormalization)) == 2
    assert model.get_layer("hidden_1").activation.__name__ == "linear"


def test_kernel_initializer_fresh_per_layer():
    model = build_mlp({**META, "input_shape_": (4,), "n_outputs_": 4},
                      hidden_layer_sizes=(4,),
                      kernel_initializer=keras.initializers.GlorotUniform())
    w1 = model.get_layer("hidden_1").kernel.numpy()
    w2 = model.get_layer("output").kernel.numpy()
    assert not np.allclose(w1, w2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"activation": "rleu"}, r"'activation' parameter of build_mlp must be one of .*'relu'.*Got 'rleu' instead\. Did you mean 'relu'\?"),
        ({"hidden_layer_sizes": (4, 0)}, r"'hidden_layer_sizes'.*positive int.*Got \(4, 0\)"),
        ({"hidden_layer_sizes": "10"}, "'hidden_layer_sizes'"),
        ({"dropout": 1.0}, r"'dropout'.*\[0, 1\).*Got 1.0"),
        ({"dropout": [0.1]}, r"'dropout' parameter of build_mlp has 1 values but 'hidden_layer_sizes' has 2 layers"),
        ({"l1": -0.1}, r"'l1'.*>= 0.*Got -0.1"),
        ({"l2": float("nan")}, r"'l2'"),
        ({"bias_l2": "a"}, r"'bias_l2'"),
        ({"batch_norm": "yes"}, r"'batch_norm'.*bool"),
        ({"kernel_initializer": "glorot_unifrom"}, r"'kernel_initializer'.*Got 'glorot_unifrom'"),
    ],
)
def test_validation_errors(kwargs, match):
    params = {"hidden_layer_sizes": (4, 3), **kwargs}
    with pytest.raises(ValueError, match=match):
        build_mlp(META, **params)


def test_meta_errors():
    with pytest.raises(ValueError, match="needs meta keys.*n_outputs_.*design.md"):
        build_mlp({"input_shape_": (3,), "output_activation_": "linear"})
    with pytest.raises(TypeError, match="meta to be a dict"):
        build_mlp([3])
