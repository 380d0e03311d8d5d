"""Plain convolutional presets: "simple_cnn", "lenet", "alexnet" and "vgg".

All four are stacks of conv blocks followed by a dense head, so they share one
keras-side builder (:func:`_build_conv_stack`); each preset only describes its
blocks. Defaults are scaled down so that 8x8 digits or 32x32 CIFAR images
train in seconds on a CPU.
"""

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

# ---------------------------------------------------------------------------
# A "stack" is a list of blocks; each block is (convs, pool) with
# convs = [(filters, (kh, kw), (sh, sw)), ...] and pool = (size, stride) or None.


def _stack_plan(blocks, padding, pooling):
    plan = []
    for b, (convs, pool_spec) in enumerate(blocks, start=1):
        for c, (_, kernel, strides) in enumerate(convs, start=1):
            plan.append((f"block{b}_conv{c}", kernel, strides, padding))
        if pool_spec is not None and pooling is not None:
            size, stride = pool_spec
            plan.append((f"block{b}_pool", (size, size), (stride, stride), "valid"))
    return plan


def _build_conv_stack(meta, name, cfg, plan, kernel_initializer):
    shape, n_outputs, output_activation = check_image_meta(meta, name, plan)
    keras = get_keras()
    new_initializer = resolve_initializer(kernel_initializer, f"the {name!r} architecture")
    inputs, x = image_input(shape)
    x = augmentation_layers(x, cfg["augmentation"])
    for b, (convs, pool_spec) in enumerate(cfg["blocks"], start=1):
        for c, (filters, kernel, strides) in enumerate(convs, start=1):
            x = conv_bn_act(
                x,
                filters,
                kernel,
                strides,
                cfg["padding"],
                batch_norm=cfg["batch_norm"],
                activation=cfg["activation"],
                kernel_regularizer=regularizer(cfg["l1"], cfg["l2"]),
                kernel_initializer=new_initializer(),
                name=f"block{b}_{c}" if len(convs) > 1 else f"block{b}",
            )
        if pool_spec is not None and cfg["pooling"] is not None:
            x = pool(x, cfg["pooling"], pool_spec[0], pool_spec[1], name=f"block{b}_pool")
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
    return keras.Model(inputs, outputs, name=name)


def _one_conv_per_block_config(builder, *, filters, kernel_size, strides, **common):
    """Config of simple_cnn and lenet: each block is one conv + a 2x2 pool."""
    cfg = check_common(builder, **common)
    filters = check_sizes(filters, "filters", builder, allow_empty=False)
    kernels = check_per_layer_pairs(kernel_size, len(filters), "kernel_size", builder)
    strides = check_per_layer_pairs(strides, len(filters), "strides", builder)
    cfg["blocks"] = [
        ([(f, k, s)], (2, 2)) for f, k, s in zip(filters, kernels, strides)
    ]
    return cfg, _stack_plan(cfg["blocks"], cfg["padding"], cfg["pooling"])


# --- simple_cnn -----------------------------------------------------------------


def _simple_cnn_config(**hparams):
    return _one_conv_per_block_config("the 'simple_cnn' architecture", **hparams)


@image_preset("simple_cnn", _simple_cnn_config)
def build_simple_cnn(
    meta,
    *,
    filters=(32, 64),
    kernel_size=3,
    strides=1,
    padding="same",
    pooling="max",
    batch_norm=False,
    global_pooling=False,
    dense_layer_sizes=(64,),
    dropout=0.0,
    l1=0.0,
    l2=0.0,
    activation="relu",
    augmentation=None,
    kernel_initializer="glorot_uniform",
):
    """Build a small CNN: one conv per block, each followed by 2x2 pooling.

    Block ``i`` is ``Conv2D(filters[i], kernel_size)`` [+ BatchNormalization]
    + activation + 2x2 pooling, then Flatten (or global average pooling), the
    dense layers with dropout, and the output layer described by ``meta``.

    Parameters
    ----------
    meta : dict
        Data description (docs/design.md); ``input_shape_`` must be
        ``(height, width, channels)`` (``(height, width)`` gets one channel).
    filters : int or sequence of int, default=(32, 64)
        Filters of each conv block; its length is the number of blocks.
    kernel_size : int or sequence, default=3
        One int for every block, or one entry (int or ``(h, w)`` pair) per
        block.
    strides : int or sequence, default=1
        Convolution strides, same form as ``kernel_size``.
    padding : {"same", "valid"}, default="same"
        Convolution padding.
    pooling : {"max", "avg"} or None, default="max"
        2x2 pooling after each block; ``None`` disables it.
    batch_norm : bool, default=False
        BatchNormalization between each convolution and its activation.
    global_pooling : bool, default=False
        GlobalAveragePooling2D instead of Flatten before the dense layers.
    dense_layer_sizes : int or sequence of int, default=(64,)
        Units of the dense layers before the output.
    dropout : float or sequence of float, default=0.0
        Dropout after each dense layer (one rate, or one per dense layer);
        with no dense layers a single rate is applied to the features.
    l1, l2 : float, default=0.0
        Kernel penalties on every Conv2D and Dense layer (output included).
    activation : str or callable, default="relu"
        Hidden activation, one of ``ACTIVATIONS`` or a callable.
    augmentation : None, str, list of str or dict, default=None
        Random augmentation layers applied right after the input, active only
        in training; names in ``AUGMENTATIONS`` (``flip``, ``rotation``,
        ``zoom``, ``translation``, ``contrast``), a dict gives their values.
    kernel_initializer : str or keras.initializers.Initializer, default="glorot_uniform"
        Initializer of every kernel.

    Returns
    -------
    model : keras.Model
        Uncompiled functional model.

    Raises
    ------
    ValueError
        For invalid hyperparameters, tabular ``meta``, or an image smaller
        than these hyperparameters support (checked before building).

    Examples
    --------
    >>> from skdl.architectures import build_simple_cnn
    >>> meta = {"input_shape_": (8, 8, 1), "n_outputs_": 10,
    ...         "output_activation_": "softmax"}
    >>> build_simple_cnn(meta, filters=(4, 8)).output_shape
    (None, 10)
    """
    cfg, plan = _simple_cnn_config(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        pooling=pooling, batch_norm=batch_norm, global_pooling=global_pooling,
        dense_layer_sizes=dense_layer_sizes, dropout=dropout, l1=l1, l2=l2,
        activation=activation, augmentation=augmentation,
    )
    return _build_conv_stack(meta, "simple_cnn", cfg, plan, kernel_initializer)


# --- lenet ----------------------------------------------------------------------


def _lenet_config(**hparams):
    return _one_conv_per_block_config("the 'lenet' architecture", **hparams)


@image_preset("lenet", _lenet_config)
def build_lenet(
    meta,
    *,
    filters=(6, 16),
    kernel_size=5,
    strides=1,
    padding="same",
    pooling="avg",
    batch_norm=False,
    global_pooling=False,
    dense_layer_sizes=(120, 84),
    dropout=0.0,
    l1=0.0,
    l2=0.0,
    activation="tanh",
    augmentation=None,
    kernel_initializer="glorot_uniform",
):
    """Build a LeNet-5 style network.

    Two 5x5 convolutions with 6 and 16 filters, each followed by 2x2 average
    pooling, then dense layers of 120 and 84 units, as in LeCun et al. (1998).
    ``padding="same"`` (the original used "valid" on 32x32 inputs) lets it run
    on 8x8 digits; pass ``padding="valid"`` for the original shapes.

    Parameters
    ----------
    meta : dict
        Data description (docs/design.md) with image ``input_shape_``.
    filters : int or sequence of int, default=(6, 16)
        Filters of each conv block.
    kernel_size : int or sequence, default=5
        Kernel size, one int for every block or one entry per block.
    strides : int or sequence, default=1
        Convolution strides, same form as ``kernel_size``.
    padding : {"same", "valid"}, default="same"
        Convolution padding.
    pooling : {"max", "avg"} or None, default="avg"
        2x2 pooling after each block.
    batch_norm : bool, default=False
        BatchNormalization between each convolution and its activation.
    global_pooling : bool, default=False
        GlobalAveragePooling2D instead of Flatten.
    dense_layer_sizes : int or sequence of int, default=(120, 84)
        Units of the dense layers before the output.
    dropout : float or sequence of float, default=0.0
        Dropout after each dense layer.
    l1, l2 : float, default=0.0
        Kernel penalties on every Conv2D and Dense layer.
    activation : str or callable, default="tanh"
        Hidden activation (LeNet used a scaled tanh).
    augmentation : None, str, list of str or dict, default=None
        Training-only augmentation, see :func:`build_simple_cnn`.
    kernel_initializer : str or keras.initializers.Initializer, default="glorot_uniform"
        Initializer of every kernel.

    Returns
    -------
    model : keras.Model
        Uncompiled functional model.

    See Also
    --------
    build_simple_cnn : The same block structure with ReLU and max pooling.
    """
    cfg, plan = _lenet_config(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        pooling=pooling, batch_norm=batch_norm, global_pooling=global_pooling,
        dense_layer_sizes=dense_layer_sizes, dropout=dropout, l1=l1, l2=l2,
        activation=activation, augmentation=augmentation,
    )
    return _build_conv_stack(meta, "lenet", cfg, plan, kernel_initializer)


# --- alexnet --------------------------------------------------------------------


def _alexnet_config(*, filters, kernel_size, strides, **common):
    builder = "the 'alexnet' architecture"
    cfg = check_common(builder, **common)
    filters = check_sizes(filters, "filters", builder)
    if len(filters) < 3:
        raise ValueError(
            f"The 'filters' parameter of {builder} needs at least 3 conv layers "
            f"(pooling follows the first, the second and the last). Got "
            f"{filters!r} instead."
        )
    kernels = check_per_layer_pairs(kernel_size, len(filters), "kernel_size", builder)
    strides = check_per_layer_pairs(strides, len(filters), "strides", builder)
    last = len(filters) - 1
    # Overlapping 3x3/2 max pooling, AlexNet's choice, after convs 1, 2 and last.
    cfg["blocks"] = [
        ([(f, k, s)], (3, 2) if i in (0, 1, last) else None)
        for i, (f, k, s) in enumerate(zip(filters, kernels, strides))
    ]
    return cfg, _stack_plan(cfg["blocks"], cfg["padding"], cfg["pooling"])


@image_preset("alexnet", _alexnet_config)
def build_alexnet(
    meta,
    *,
    filters=(32, 64, 96, 96, 64),
    kernel_size=(5, 3, 3, 3, 3),
    strides=1,
    padding="same",
    pooling="max",
    batch_norm=True,
    global_pooling=False,
    dense_layer_sizes=(128, 128),
    dropout=0.5,
    l1=0.0,
    l2=0.0,
    activation="relu",
    augmentation=None,
    kernel_initializer="glorot_uniform",
):
    """Build an AlexNet-style network scaled down for small images.

    Five convolutions (AlexNet: 96, 256, 384, 384, 256 filters, 11x11 stride 4
    first) with overlapping 3x3 stride-2 pooling after the first, second and
    last, then two dropout-regularised dense layers (AlexNet: 4096 units).
    The defaults keep that shape with about a quarter of the width, 5x5
    stride-1 first kernels and batch normalization (in place of AlexNet's local
    response normalization), so 32x32 images work; the three overlapping pools
    need images of at least 15x15 (8x8 digits give a clear error).

    Parameters
    ----------
    meta : dict
        Data description (docs/design.md) with image ``input_shape_``.
    filters : sequence of int, default=(32, 64, 96, 96, 64)
        Filters of each convolution (at least 3).
    kernel_size : int or sequence, default=(5, 3, 3, 3, 3)
        One int for every convolution, or one entry per convolution.
    strides : int or sequence, default=1
        Convolution strides, same form as ``kernel_size``.
    padding : {"same", "valid"}, default="same"
        Convolution padding.
    pooling : {"max", "avg"} or None, default="max"
        Overlapping 3x3 stride-2 pooling after convolutions 1, 2 and last.
    batch_norm : bool, default=True
        BatchNormalization between each convolution and its activation.
    global_pooling : bool, default=False
        GlobalAveragePooling2D instead of Flatten.
    dense_layer_sizes : int or sequence of int, default=(128, 128)
        Units of the dense layers before the output.
    dropout : float or sequence of float, default=0.5
        Dropout after each dense layer.
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
    cfg, plan = _alexnet_config(
        filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        pooling=pooling, batch_norm=batch_norm, global_pooling=global_pooling,
        dense_layer_sizes=dense_layer_sizes, dropout=dropout, l1=l1, l2=l2,
        activation=activation, augmentation=augmentation,
    )
    return _build_conv_stack(meta, "alexnet", cfg, plan, kernel_initializer)


# --- vgg ------------------------------------------------------------------------


def _vgg_config(*, blocks, filters, kernel_size, strides, **common):
    builder = "the 'vgg' architecture"
    cfg = check_common(builder, **common)
    blocks = check_sizes(blocks, "blocks", builder, allow_empty=False)
    if isinstance(filters, int) and not isinstance(filters, bool) and filters >= 1:
        filters = tuple(filters * 2**i for i in range(len(blocks)))
    filters = check_sizes(filters, "filters", builder)
    if len(filters) != len(blocks):
        raise ValueError(
            f"The 'filters' parameter of {builder} has {len(filters)} entries but "
            f"'blocks' has {len(blocks)}; give one int (doubled at each block) or "
            f"one entry per block. Got filters={filters!r}, blocks={blocks!r}."
        )
    kernels = check_per_layer_pairs(kernel_size, len(filters), "kernel_size", builder)
    strides = check_per_layer_pairs(strides, len(filters), "strides", builder)
    # Strides apply to the first conv of a block; VGG itself uses 1 everywhere.
    cfg["blocks"] = [
        ([(f, k, s if c == 0 else (1, 1)) for c in range(n)], (2, 2))
        for n, f, k, s in zip(blocks, filters, kernels, strides)
    ]
    return cfg, _stack_plan(cfg["blocks"], cfg["padding"], cfg["pooling"])


@image_preset("vgg", _vgg_config)
def build_vgg(
    meta,
    *,
    blocks=(2, 2, 3),
    filters=16,
    kernel_size=3,
    strides=1,
    padding="same",
    pooling="max",
    batch_norm=False,
    global_pooling=False,
    dense_layer_sizes=(64,),
    dropout=0.5,
    l1=0.0,
    l2=0.0,
    activation="relu",
    augmentation=None,
    kernel_initializer="glorot_uniform",
):
    """Build a VGG-style network: blocks of stacked 3x3 convolutions.

    Block ``i`` holds ``blocks[i]`` convolutions with ``filters[i]`` filters,
    followed by 2x2 pooling. VGG16 is ``blocks=(2, 2, 3, 3, 3)``,
    ``filters=64`` (doubling: 64, 128, 256, 512, 512 with the last capped),
    dense (4096, 4096); the defaults are a three-block, narrow version that
    needs images of at least 8x8.

    Parameters
    ----------
    meta : dict
        Data description (docs/design.md) with image ``input_shape_``.
    blocks : int or sequence of int, default=(2, 2, 3)
        Number of convolutions in each block.
    filters : int or sequence of int, default=16
        Filters of the first block, doubled at each following block, or one
        entry per block.
    kernel_size : int or sequence, default=3
        One int for every block, or one entry per block.
    strides : int or sequence, default=1
        Strides of the first convolution of each block (the others use 1).
    padding : {"same", "valid"}, default="same"
        Convolution padding.
    pooling : {"max", "avg"} or None, default="max"
        2x2 pooling after each block.
    batch_norm : bool, default=False
        BatchNormalization between each convolution and its activation.
    global_pooling : bool, default=False
        GlobalAveragePooling2D instead of Flatten.
    dense_layer_sizes : int or sequence of int, default=(64,)
        Units of the dense layers before the output.
    dropout : float or sequence of float, default=0.5
        Dropout after each dense layer.
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
    cfg, plan = _vgg_config(
        blocks=blocks, filters=filters, kernel_size=kernel_size, strides=strides,
        padding=padding, pooling=pooling, batch_norm=batch_norm,
        global_pooling=global_pooling, dense_layer_sizes=dense_layer_sizes,
        dropout=dropout, l1=l1, l2=l2, activation=activation,
        augmentation=augmentation,
    )
    return _build_conv_stack(meta, "vgg", cfg, plan, kernel_initializer)
