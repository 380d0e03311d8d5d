"""Names accepted by the architecture builders, as plain data.

This module imports nothing heavy, so estimators, tuning search spaces and the
CLI can list the valid choices without importing Keras.
"""

# Every name resolves with ``keras.activations.get`` in Keras 3 and works as a
# plain string in ``Dense(activation=...)``; tests/architectures checks both.
ACTIVATIONS = (
    "elu",
    "exponential",
    "gelu",
    "hard_sigmoid",
    "leaky_relu",
    "linear",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "softsign",
    "swish",
    "tanh",
)

#: Pooling used by the image presets; ``None`` means no pooling.
POOLINGS = ("avg", "max")

#: Convolution padding modes.
PADDINGS = ("same", "valid")

#: Kinds of input a registered architecture expects.
INPUT_KINDS = ("image", "tabular")

#: Augmentation name -> value used when only the name is given (a list of names).
#: ``flip`` takes a mode, the others a factor in (0, 1].
AUGMENTATIONS = {
    "contrast": 0.1,
    "flip": "horizontal",
    "rotation": 0.1,
    "translation": 0.1,
    "zoom": 0.1,
}

#: Modes accepted by the ``flip`` augmentation.
FLIP_MODES = ("horizontal", "horizontal_and_vertical", "vertical")
