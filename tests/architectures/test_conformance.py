"""Every registered builder honours the meta contract (docs/design.md).

Parametrized over ``list_architectures()`` at collection time, so a builder a
user registers before the tests run is checked the same way as the presets.
Each builder is built at the smallest input it claims to support.
"""

import numpy as np
import pytest

from skdl.architectures import get_architecture, get_architecture_info, list_architectures

keras = pytest.importorskip("keras")

# target type -> (n_outputs_, output_activation_, n_classes_, loss)
TARGETS = {
    "binary": (1, "sigmoid", 2, "binary_crossentropy"),
    "multiclass": (3, "softmax", 3, "categorical_crossentropy"),
    "multilabel-indicator": (4, "sigmoid", None, "binary_crossentropy"),
    "continuous-multioutput": (2, "linear", None, "mse"),
}


def smallest_input_shape(name, channels):
    info = get_architecture_info(name)
    if info.input_kind == "image":
        return (*(info.min_input_shape or (1, 1)), channels)
    return info.min_input_shape or (5,)


def make_meta(input_shape, target_type):
    n_outputs, activation, n_classes, _ = TARGETS[target_type]
    return {
        "n_features_in_": int(np.prod(input_shape)),
        "input_shape_": tuple(input_shape),
        "target_type_": target_type,
        "n_classes_": n_classes,
        "n_outputs_": n_outputs,
        "output_activation_": activation,
    }


def random_targets(rng, target_type, n):
    n_outputs = TARGETS[target_type][0]
    if target_type == "multiclass":
        return np.eye(n_outputs, dtype="float32")[rng.integers(0, n_outputs, n)]
    if target_type == "continuous-multioutput":
        return rng.normal(size=(n, n_outputs)).astype("float32")
    return rng.integers(0, 2, (n, n_outputs)).astype("float32")


def check_builder(name, target_type):
    """The conformance check; usable on any registered name."""
    keras.utils.set_random_seed(0)
    channels = 3 if target_type in ("multiclass", "continuous-multioutput") else 1
    input_shape = smallest_input_shape(name, channels)
    meta = make_meta(input_shape, target_type)

    model = get_architecture(name)(meta)

    assert isinstance(model, keras.Model)
    assert getattr(model, "optimizer", None) is None, "builders must not compile"
    assert tuple(model.input_shape) == (None, *input_shape)
    assert tuple(model.output_shape) == (None, meta["n_outputs_"])
    last = model.layers[-1]
    assert last.get_config()["activation"] == meta["output_activation_"]

    loss = TARGETS[target_type][3]
    # Eager mode: a single step does not pay for tracing a graph.
    model.compile(optimizer="sgd", loss=loss, run_eagerly=True)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, *input_shape)).astype("float32")
    y = random_targets(rng, target_type, 4)
    logs = model.train_on_batch(X, y, return_dict=True)
    assert np.isfinite(logs["loss"])
    out = keras.ops.convert_to_numpy(model(X, training=False))
    assert out.shape == (4, meta["n_outputs_"])
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("target_type", list(TARGETS))
@pytest.mark.parametrize("name", list_architectures())
def test_builder_conformance(name, target_type):
    check_builder(name, target_type)


def test_documented_user_builder_conforms():
    """The example in docs/architectures.md registers and passes the check."""
    from skdl.architectures import register_architecture, unregister_architecture

    @register_architecture("wide_and_deep", input_kind="tabular")
    def build_wide_and_deep(meta, *, units=64, activation="relu"):
        inputs = keras.Input(shape=meta["input_shape_"])
        deep = keras.layers.Dense(units, activation=activation)(inputs)
        both = keras.layers.Concatenate()([inputs, deep])
        outputs = keras.layers.Dense(meta["n_outputs_"],
                                     activation=meta["output_activation_"])(both)
        return keras.Model(inputs, outputs)

    try:
        check_builder("wide_and_deep", "multiclass")
    finally:
        unregister_architecture("wide_and_deep")
