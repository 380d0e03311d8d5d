"""Keras building blocks shared by the builders.

Keras is imported inside each function (never at module import), so that
``import skdl.architectures`` stays free of TensorFlow/JAX.
"""

from __future__ import annotations

from skdl.utils import import_optional


def get_keras():
    """Import Keras, or raise an ImportError saying what to install."""
    return import_optional("keras", purpose="building networks")


def regularizer(l1, l2):
    """``keras.regularizers.L1L2`` when a penalty is nonzero, else ``None``."""
    if not l1 and not l2:
        return None
    return get_keras().regularizers.L1L2(l1=l1, l2=l2)


def resolve_initializer(value, builder):
    """Validate ``kernel_initializer``; return a function giving one per layer.

    Each layer gets its own initializer: Keras warns (and returns identical
    values) when one unseeded initializer instance is called several times.
    """
    keras = get_keras()
    try:
        initializer = keras.initializers.get(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"The 'kernel_initializer' parameter of {builder} must be a name or "
            f"instance of a keras initializer (e.g. 'glorot_uniform', 'he_normal'). "
            f"Got {value!r} instead."
        ) from exc
    if isinstance(value, str) or initializer is None:
        return lambda: value
    return lambda: initializer.__class__.from_config(initializer.get_config())


def augmentation_layers(x, augmentation):
    """Apply the normalised ``augmentation`` pairs; active only in training."""
    layers = get_keras().layers
    for name, arg in augmentation:
        if name == "flip":
            layer = layers.RandomFlip(arg, name="augment_flip")
        elif name == "rotation":
            layer = layers.RandomRotation(arg, name="augment_rotation")
        elif name == "zoom":
            layer = layers.RandomZoom(arg, name="augment_zoom")
        elif name == "translation":
            layer = layers.RandomTranslation(arg, arg, name="augment_translation")
        elif name == "contrast":
            layer = layers.RandomContrast(arg, name="augment_contrast")
        else:  # pragma: no cover - check_augmentation rejects it first
            raise ValueError(name)
        x = layer(x)
    return x


def image_input(shape):
    """``keras.Input`` for an (h, w, c) image plus a channel axis for (h, w)."""
    keras = get_keras()
    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    if len(shape) == 2:
        x = keras.layers.Reshape((*shape, 1), name="add_channel")(x)
    return inputs, x


def conv_bn_act(
    x,
    filters,
    kernel_size,
    strides,
    padding,
    *,
    batch_norm,
    activation,
    kernel_regularizer,
    kernel_initializer,
    name,
):
    """Conv2D [+ BatchNormalization] + activation.

    With batch norm the activation is a separate layer after it (and the
    convolution has no bias, which BN's beta makes redundant).
    """
    layers = get_keras().layers
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=not batch_norm,
        kernel_regularizer=kernel_regularizer,
        kernel_initializer=kernel_initializer,
        name=f"{name}_conv",
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_act")(x)
    return x


def pool(x, pooling, size, strides, name, padding="valid"):
    """Max or average 2-D pooling (``pooling`` is "max" or "avg")."""
    layers = get_keras().layers
    cls = layers.MaxPooling2D if pooling == "max" else layers.AveragePooling2D
    return cls(pool_size=size, strides=strides, padding=padding, name=name)(x)


def dense_block(
    x,
    units,
    *,
    activation,
    dropout,
    batch_norm,
    kernel_regularizer,
    bias_regularizer=None,
    kernel_initializer="glorot_uniform",
    name,
):
    """Dense [+ BatchNormalization + Activation] [+ Dropout]."""
    layers = get_keras().layers
    x = layers.Dense(
        units,
        activation=None if batch_norm else activation,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        kernel_initializer=kernel_initializer,
        name=name,
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        x = layers.Activation(activation, name=f"{name}_act")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


def output_layer(x, n_outputs, output_activation, *, kernel_regularizer=None,
                 bias_regularizer=None, kernel_initializer="glorot_uniform"):
    """The output Dense layer described by meta."""
    return get_keras().layers.Dense(
        n_outputs,
        activation=output_activation,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        kernel_initializer=kernel_initializer,
        name="output",
    )(x)


def image_head(
    x,
    *,
    global_pooling,
    dense_layer_sizes,
    dropout,
    activation,
    batch_norm,
    kernel_regularizer,
    new_initializer,
    n_outputs,
    output_activation,
):
    """Flatten or global average pooling, dense layers, dropout, output.

    ``dropout`` holds one rate per dense layer; with no dense layers it holds a
    single rate applied to the pooled features (GoogLeNet-style).
    ``new_initializer()`` gives a fresh kernel initializer per layer.
    """
    layers = get_keras().layers
    if global_pooling:
        x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    else:
        x = layers.Flatten(name="flatten")(x)
    if not dense_layer_sizes and dropout[0] > 0:
        x = layers.Dropout(dropout[0], name="features_dropout")(x)
    for i, (units, rate) in enumerate(zip(dense_layer_sizes, dropout), start=1):
        x = dense_block(
            x,
            units,
            activation=activation,
            dropout=rate,
            batch_norm=False,
            kernel_regularizer=kernel_regularizer,
            kernel_initializer=new_initializer(),
            name=f"dense_{i}",
        )
    return output_layer(
        x,
        n_outputs,
        output_activation,
        kernel_regularizer=kernel_regularizer,
        kernel_initializer=new_initializer(),
    )
