"""A small GoogLeNet-style network ("inception")."""

from __future__ import annotations

from numbers import Integral

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

_BUILDER = "the 'inception' architecture"
_BRANCHES = ("1x1", "3x3 reduce", "3x3", "5x5 reduce", "5x5", "pool proj")


def _module_widths(entry):
    """One module's six widths from an int or a 6-tuple."""
    if isinstance(entry, Integral) and not isinstance(entry, bool) and entry >= 1:
        half = max(1, int(entry) // 2)
        return (int(entry), half, int(entry), half, int(entry), int(entry))
    try:
        widths = tuple(entry)
    except TypeError:
        widths = ()
    if len(widths) == 6:
        try:
            return check_sizes(widths, "filters", _BUILDER)
        except ValueError:
            pass
    raise ValueError(
        f"Each entry of the 'filters' parameter of {_BUILDER} must be a positive "
        f"int or a tuple of 6 positive ints {_BRANCHES}. Got {entry!r} instead."
    )


def _inception_config(*, stem_filters, filters, kernel_size, strides, **common):
    cfg = check_common(_BUILDER, **common)
    (cfg["stem_filters"],) = check_sizes(stem_filters, "stem_filters", _BUILDER)
    if isinstance(filters, Integral) and not isinstance(filters, bool):
        filters = (filters,)
    try:
        modules = tuple(filters)
    except TypeError:
        modules = None
    if not modules or isinstance(filters, str):
        raise ValueError(
            f"The 'filters' parameter of {_BUILDER} must be a non-empty sequence "
            f"with one entry per inception module. Got {filters!r} instead."
        )
    cfg["modules"] = [_module_widths(m) for m in modules]
    ((cfg["kernel_size"],)) = check_per_layer_pairs(kernel_size, 1, "kernel_size", _BUILDER)
    ((cfg["strides"],)) = check_per_layer_pairs(strides, 1, "strides", _BUILDER)
    plan = [("stem_conv", cfg["kernel_size"], cfg["strides"], cfg["padding"])]
    if cfg["pooling"] is not None:
        # 2x2 pooling after the stem and between modules (none after the last).
        plan += [(f"pool{i}", (2, 2), (2, 2), "valid") for i in range(len(modules))]
    return cfg, plan


def _inception_module(x, widths, *, cfg, new_initializer, name):
    layers = get_keras().layers
    n1, r3, n3, r5, n5, proj = widths

    def conv(y, filters, kernel, suffix):
        return conv_bn_act(
            y, filters, kernel, 1, "same",
            batch_norm=cfg["batch_norm"],
            activation=cfg["activation"],
            kernel_regularizer=regularizer(cfg["l1"], cfg["l2"]),
            kernel_initializer=new_initializer(),
            name=f"{name}_{suffix}",
        )

    b1 = conv(x, n1, 1, "1x1")
    b3 = conv(conv(x, r3, 1, "3x3_reduce"), n3, 3, "3x3")
    b5 = conv(conv(x, r5, 1, "5x5_reduce"), n5, 5, "5x5")
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = conv(bp, proj, 1, "pool_proj")
    return layers.Concatenate(axis=-1, name=f"{name}_concat")([b1, b3, b5, bp])


@image_preset("inception", _inception_config)
def build_inception(
    meta,
    *,
    stem_filters=32,
    filters=((16, 16, 24, 4, 8, 8), (24, 24, 32, 8, 16, 16)),
    kernel_size=3,
    strides=1,
    padding="same",
    pooling="max",
    batch_norm=False,
    global_pooling=True,
    dense_layer_sizes=(),
    dropout=0.4,
    l1=0.0,
    l2=0.0,
    activation="relu",
    augmentation=None,
    kernel_initializer="glorot_uniform",
):
    """Build a small GoogLeNet-style network of inception modules.

    A stem convolution, then inception modules: four parallel branches (1x1;
    1x1 then 3x3; 1x1 then 5x5; 3x3 max pool then 1x1 "pool projection")
    concatenated along the channels (Szegedy et al., 2015). 2x2 pooling follows
    the stem and each module but the last; the head is global average pooling
    and dropout (GoogLeNet used 40%) before the output. The defaults (two
    modules) need images of at least 4x4.

    Parameters
    ----------
    meta : dict
        Data description (docs/design.md) with image ``input_shape_``.
    stem_filters : int, default=32
        Filters of the stem convolution.
    filters : sequence, default=((16, 16, 24, 4, 8, 8), (24, 24, 32, 8, 16, 16))
        One entry per module: a tuple of six widths (1x1, 3x3 reduce, 3x3,
        5x5 reduce, 5x5, pool proj), or an int ``w`` for
        ``(w, w // 2, w, w // 2, w, w)``.
    kernel_size : int or (int, int), default=3
        Kernel of the stem convolution (module kernels are 1, 3 and 5).
    strides : int or (int, int), default=1
        Strides of the stem convolution.
    padding : {"same", "valid"}, default="same"
        Padding of the stem convolution (modules always use "same").
    pooling : {"max", "avg"} or None, default="max"
        2x2 downsampling pooling after the stem and between modules.
    batch_norm : bool, default=False
        BatchNormalization between each convolution and its activation.
    global_pooling : bool, default=True
        GlobalAveragePooling2D (GoogLeNet) rather than Flatten.
    dense_layer_sizes : int or sequence of int, default=()
        Units of dense layers before the output.
    dropout : float or sequence of float, default=0.4
        Dropout after each dense layer; with none, one rate applied to the
        pooled features.
    l1, l2 : float, default=0.0
        Kernel penalties on every Conv2D and Dense layer.
    activation : str or callable, default="relu"
        Hidden activation.
    augmentation : None, str, list of str or dict, default=None
        Training-only augmentation, see :func:`build_simple_cnn`.
    kernel_initializer : str or keras.initializers.Initializer, default="glorot_uniform"
        Initializer of every kernel.

    Returns
    -------
    model : keras.Model
        Uncompiled functional model.
    """
    cfg, plan = _inception_config(
        stem_filters=stem_filters, filters=filters, kernel_size=kernel_size,
        strides=strides, padding=padding, pooling=pooling, batch_norm=batch_norm,
        global_pooling=global_pooling, dense_layer_sizes=dense_layer_sizes,
        dropout=dropout, l1=l1, l2=l2, activation=activation,
        augmentation=augmentation,
    )
    shape, n_outputs, output_activation = check_image_meta(meta, "inception", plan)
    keras = get_keras()
    new_initializer = resolve_initializer(kernel_initializer, _BUILDER)
    inputs, x = image_input(shape)
    x = augmentation_layers(x, cfg["augmentation"])
    x = conv_bn_act(
        x, cfg["stem_filters"], cfg["kernel_size"], cfg["strides"], cfg["padding"],
        batch_norm=cfg["batch_norm"],
        activation=cfg["activation"],
        kernel_regularizer=regularizer(cfg["l1"], cfg["l2"]),
        kernel_initializer=new_initializer(),
        name="stem",
    )
    for i, widths in enumerate(cfg["modules"]):
        if cfg["pooling"] is not None:
            x = pool(x, cfg["pooling"], 2, 2, name=f"pool{i}")
        x = _inception_module(
            x, widths, cfg=cfg, new_initializer=new_initializer, name=f"inception{i + 1}"
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
    return keras.Model(inputs, outputs, name="inception")
