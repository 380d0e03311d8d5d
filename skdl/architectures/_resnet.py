"""A small residual network ("resnet")."""

from __future__ import annotations

from skdl.architectures._image import check_common, check_image_meta, image_preset
from skdl.architectures._layers import (
    augmentation_layers,
    conv_bn_act,
    get_keras,
    image_head,
    image_input,
    pool,
    regularizer,
    resolve_initializer,
)
from skdl.architectures._validation import check_per_layer_pairs, check_sizes

_BUILDER = "the 'resnet' architecture"


def _resnet_config(*, filters, blocks, kernel_size, strides, **common):
    cfg = check_common(_BUILDER, **common)
    filters = check_sizes(filters, "filters", _BUILDER, allow_empty=False)
    blocks = check_sizes(blocks, "blocks", _BUILDER, allow_empty=False)
    if len(blocks) != len(filters):
        raise ValueError(
            f"The 'blocks' parameter of {_BUILDER} has {len(blocks)} entries but "
            f"'filters' has {len(filters)}; give one number of residual blocks "
            f"per stage. Got blocks={blocks!r}, filters={filters!r}."
        )
    kernels = check_per_layer_pairs(kernel_size, len(filters), "kernel_size", _BUILDER)
    strides = check_per_layer_pairs(strides, len(filters), "strides", _BUILDER)
    cfg["stages"] = list(zip(filters, blocks, kernels, strides))
    plan = [("stem_conv", (3, 3), (1, 1), "same")]
    if cfg["pooling"] is not None:
        plan.append(("stem_pool", (2, 2), (2, 2), "valid"))
    for s, (_, _, kernel, stride) in enumerate(cfg["stages"], start=1):
        # Residual blocks pad "same" so the shortcut and the main path agree.
        plan.append((f"stage{s}_downsample", kernel, stride, "same"))
    return cfg, plan


def _basic_block(x, filters, kernel, strides, *, cfg, new_initializer, name):
    layers = get_keras().layers
    common = dict(
        batch_norm=cfg["batch_norm"],
        kernel_regularizer=regularizer(cfg["l1"], cfg["l2"]),
    )
    y = conv_bn_act(
        x, filters, kernel, strides, "same", activation=cfg["activation"],
        kernel_initializer=new_initializer(), name=f"{name}_1", **common,
    )
    y = conv_bn_act(
        y, filters, kernel, 1, "same", activation=None,
        kernel_initializer=new_initializer(), name=f"{name}_2", **common,
    )
    shortcut = x
    if strides != (1, 1) or x.shape[-1] != filters:
        # Projection shortcut (ResNet option B): 1x1 conv to the new shape.
        shortcut = conv_bn_act(
            x, filters, 1, strides, "same", activation=None,
            kernel_initializer=new_initializer(), name=f"{name}_proj", **common,
        )
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation(cfg["activation"], name=f"{name}_out")(y)


@image_preset("resnet", _resnet_config)
def build_resnet(
    meta,
    *,
    filters=(16, 32, 64),
    blocks=(1, 1, 1),
    kernel_size=3,
    strides=(1, 2, 2),
    pooling=None,
    batch_norm=True,
    global_pooling=True,
    dense_layer_sizes=(),
    dropout=0.0,
    l1=0.0,
    l2=0.0,
    activation="relu",
    augmentation=None,
    kernel_initializer="he_normal",
):
    """Build a small residual network of basic blocks (He et al., 2016).

    A 3x3 stem convolution with ``filters[0]`` filters, then one stage per
    entry of ``filters``: ``blocks[i]`` basic blocks (two convolutions with
    batch normalization, plus a shortcut), the first with ``strides[i]``.
    The shortcut is the identity, or a 1x1 convolution + BN when the shape
    changes. Global average pooling and the output follow. The defaults are a
    CIFAR-style ResNet-8; every convolution pads "same", so any image size
    works (a 2x2 stem pooling, ``pooling="max"``, needs at least 2x2).

    Parameters
    ----------
    meta : dict
        Data description (docs/design.md) with image ``input_shape_``.
    filters : int or sequence of int, default=(16, 32, 64)
        Filters of each stage.
    blocks : int or sequence of int, default=(1, 1, 1)
        Residual blocks per stage (``(3, 3, 3)`` is ResNet-20).
    kernel_size : int or sequence, default=3
        Kernel of the block convolutions, one int or one entry per stage.
    strides : int or sequence, default=(1, 2, 2)
        Strides of the first block of each stage.
    pooling : {"max", "avg"} or None, default=None
        2x2 pooling after the stem (useful for larger images).
    batch_norm : bool, default=True
        BatchNormalization after every convolution.
    global_pooling : bool, default=True
        GlobalAveragePooling2D rather than Flatten.
    dense_layer_sizes : int or sequence of int, default=()
        Units of dense layers before the output.
    dropout : float or sequence of float, default=0.0
        Dropout after each dense layer (or on the pooled features).
    l1, l2 : float, default=0.0
        Kernel penalties on every Conv2D and Dense layer.
    activation : str or callable, default="relu"
        Hidden activation.
    augmentation : None, str, list of str or dict, default=None
        Training-only augmentation, see :func:`build_simple_cnn`.
    kernel_initializer : str or keras.initializers.Initializer, default="he_normal"
        Initializer of every kernel.

    Returns
    -------
    model : keras.Model
        Uncompiled functional model.

    Notes
    -----
    There is no ``padding`` parameter: the residual addition needs "same".
    """
    cfg, plan = _resnet_config(
        filters=filters, blocks=blocks, kernel_size=kernel_size, strides=strides,
        pooling=pooling, batch_norm=batch_norm, global_pooling=global_pooling,
        dense_layer_sizes=dense_layer_sizes, dropout=dropout, l1=l1, l2=l2,
        activation=activation, augmentation=augmentation,
    )
    shape, n_outputs, output_activation = check_image_meta(meta, "resnet", plan)
    keras = get_keras()
    new_initializer = resolve_initializer(kernel_initializer, _BUILDER)
    inputs, x = image_input(shape)
    x = augmentation_layers(x, cfg["augmentation"])
    x = conv_bn_act(
        x, cfg["stages"][0][0], 3, 1, "same",
        batch_norm=cfg["batch_norm"],
        activation=cfg["activation"],
        kernel_regularizer=regularizer(cfg["l1"], cfg["l2"]),
        kernel_initializer=new_initializer(),
        name="stem",
    )
    if cfg["pooling"] is not None:
        x = pool(x, cfg["pooling"], 2, 2, name="stem_pool")
    for s, (stage_filters, n_blocks, kernel, stride) in enumerate(cfg["stages"], start=1):
        for b in range(1, n_blocks + 1):
            x = _basic_block(
                x, stage_filters, kernel, stride if b == 1 else (1, 1),
                cfg=cfg, new_initializer=new_initializer, name=f"stage{s}_block{b}",
            )
    outputs = image_head(
        x,
        global_pooling=cfg["global_pooling"],
        dense_layer_sizes=cfg["dense_layer_sizes"],
        dropout=cfg["dropout"],
        activation=cfg["activation"],
        batch_norm=cfg["batch_norm"],
        kernel_regularizer=regularizer(cfg["l1"], cfg["l2"]),
        new_initializer=new_initializer,
        n_outputs=n_outputs,
        output_activation=output_activation,
    )
    return keras.Model(inputs, outputs, name="resnet")
