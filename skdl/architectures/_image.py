"""What the image presets share: hyperparameter checks and registration.

Each preset has a keras-free ``config`` function that validates its
hyperparameters and returns ``(config, plan)``; the plan (see
``_validation.plan_min_size``) gives both the too-small-image check done before
building and the ``min_input_shape`` recorded in the registry, computed from the
builder's own defaults so the two can never disagree.
"""

from __future__ import annotations

import inspect

from skdl.architectures._names import PADDINGS, POOLINGS
from skdl.architectures._registry import register_architecture
from skdl.architectures._validation import (
    check_activation,
    check_augmentation,
    check_bool,
    check_choice,
    check_dropout,
    check_image_shape,
    check_meta,
    check_min_size,
    check_non_negative,
    check_sizes,
    plan_min_size,
)


def check_common(
    builder,
    *,
    padding="same",
    pooling,
    batch_norm,
    global_pooling,
    dense_layer_sizes,
    dropout,
    l1,
    l2,
    activation,
    augmentation,
):
    """Validate the hyperparameters every image preset shares; return a dict."""
    dense = check_sizes(dense_layer_sizes, "dense_layer_sizes", builder)
    return {
        "padding": check_choice(padding, "padding", builder, PADDINGS),
        "pooling": check_choice(pooling, "pooling", builder, POOLINGS, allow_none=True),
        "batch_norm": check_bool(batch_norm, "batch_norm", builder),
        "global_pooling": check_bool(global_pooling, "global_pooling", builder),
        "dense_layer_sizes": dense,
        "dropout": check_dropout(dropout, len(dense), builder, layers_name="dense_layer_sizes"),
        "l1": check_non_negative(l1, "l1", builder),
        "l2": check_non_negative(l2, "l2", builder),
        "activation": check_activation(activation, builder),
        "augmentation": check_augmentation(augmentation, builder),
    }


def check_image_meta(meta, name, plan):
    """Return (input_shape, n_outputs, output_activation) for an image preset.

    Raises a clear ValueError for tabular meta or a too small image, before
    any Keras layer is built.
    """
    shape, n_outputs, output_activation = check_meta(meta, f"the {name!r} architecture")
    hwc = check_image_shape(shape, name)
    check_min_size(plan, hwc[:2], name, shape)
    return shape, n_outputs, output_activation


def image_preset(name, config):
    """Register an image builder; ``min_input_shape`` comes from its defaults."""

    def decorator(builder):
        defaults = {
            key: param.default
            for key, param in inspect.signature(builder).parameters.items()
            if param.kind is inspect.Parameter.KEYWORD_ONLY
            and key != "kernel_initializer"
        }
        _, plan = config(**defaults)
        return register_architecture(
            name, builder, input_kind="image", min_input_shape=plan_min_size(plan)
        )

    return decorator
