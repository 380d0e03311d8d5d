"""Keras-free checks shared by the builders.

Every error names the parameter, the builder, the allowed values and what was
given, so a typo in ``model__activation`` reads like an sklearn error.
"""

from __future__ import annotations

from skdl.utils import did_you_mean
import math
from numbers import Integral, Real

from skdl.architectures._names import (
    ACTIVATIONS,
    AUGMENTATIONS,
    FLIP_MODES,
    PADDINGS,
    POOLINGS,
)


def _did_you_mean(value, choices):
    if not isinstance(value, str):
        return ""
    return did_you_mean(value, choices)


def _fmt_choices(choices):
    return "{" + ", ".join(repr(c) for c in choices) + "}"


def _is_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_choice(value, name, builder, choices, *, allow_none=False):
    """Return ``value`` if it is one of ``choices`` (or None when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value in choices:
        return value
    none = " or None" if allow_none else ""
    raise ValueError(
        f"The {name!r} parameter of {builder} must be one of "
        f"{_fmt_choices(choices)}{none}. Got {value!r} instead."
        f"{_did_you_mean(value, choices)}"
    )


def check_activation(value, builder, name="activation"):
    """Return an activation name from ACTIVATIONS or a callable."""
    if callable(value):
        return value
    if isinstance(value, str) and value in ACTIVATIONS:
        return value
    raise ValueError(
        f"The {name!r} parameter of {builder} must be one of "
        f"{_fmt_choices(ACTIVATIONS)} or a callable. Got {value!r} instead."
        f"{_did_you_mean(value, ACTIVATIONS)}"
    )


def check_non_negative(value, name, builder):
    """Return ``float(value)`` for a finite real >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"The {name!r} parameter of {builder} must be a float >= 0. "
            f"Got {value!r} instead."
        )
    return float(value)


def check_bool(value, name, builder):
    """Return ``bool(value)`` for a bool (or NumPy bool)."""
    if value is True or value is False or type(value).__name__ == "bool_":
        return bool(value)
    raise ValueError(
        f"The {name!r} parameter of {builder} must be a bool. Got {value!r} instead."
    )


def check_sizes(value, name, builder, *, allow_empty=True):
    """Return a tuple of positive ints from an int or a sequence of ints."""
    if _is_int(value):
        value = (value,)
    try:
        sizes = tuple(value)
    except TypeError:
        sizes = None
    if sizes is None or isinstance(value, str) or not all(_is_int(s) and s >= 1 for s in sizes):
        raise ValueError(
            f"The {name!r} parameter of {builder} must be a positive int or a "
            f"sequence of positive ints. Got {value!r} instead."
        )
    if not sizes and not allow_empty:
        raise ValueError(
            f"The {name!r} parameter of {builder} must not be empty. Got {value!r} instead."
        )
    return tuple(int(s) for s in sizes)


def check_dropout(value, n_layers, builder, *, layers_name="hidden_layer_sizes"):
    """Return one dropout rate per layer from a float or a per-layer sequence.

    With ``n_layers == 0`` a float is returned as a one-element tuple, so a
    builder can apply it once (e.g. after global pooling).
    """

    def rate(r):
        if isinstance(r, bool) or not isinstance(r, Real) or not 0 <= r < 1:
            raise ValueError(
                f"The 'dropout' parameter of {builder} must be a float in [0, 1) "
                f"or a sequence of such floats, one per layer of {layers_name!r}. "
                f"Got {value!r} instead."
            )
        return float(r)

    if isinstance(value, Real) and not isinstance(value, bool):
        return (rate(value),) * max(n_layers, 1)
    if isinstance(value, str):
        rate(value)  # raises with the generic message
    try:
        rates = tuple(value)
    except TypeError:
        rate(value)  # raises with the generic message
    if len(rates) != n_layers:
        raise ValueError(
            f"The 'dropout' parameter of {builder} has {len(rates)} values but "
            f"{layers_name!r} has {n_layers} layers; give one dropout rate per "
            f"layer or a single float. Got dropout={value!r}."
        )
    return tuple(rate(r) for r in rates)


def _check_pair(value, name, builder):
    if _is_int(value) and value >= 1:
        return (int(value), int(value))
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) == 2 and all(_is_int(v) and v >= 1 for v in pair):
        return (int(pair[0]), int(pair[1]))
    raise ValueError(
        f"The {name!r} parameter of {builder} must be a positive int, a "
        f"(height, width) pair of positive ints, or a sequence of those with one "
        f"entry per entry of 'filters'. Got {value!r} instead."
    )


def check_per_layer_pairs(value, n, name, builder):
    """Broadcast an int to ``n`` square pairs, or read one int/pair per layer.

    A sequence always means one entry per layer: ``(5, 3, 3)`` is three square
    kernels; a rectangular kernel for every layer is ``[(3, 5)] * n``.
    """
    if _is_int(value):
        return (_check_pair(value, name, builder),) * n
    try:
        entries = tuple(value)
    except TypeError:
        entries = None
    if entries is None or isinstance(value, str):
        _check_pair(value, name, builder)  # raises
    if len(entries) != n:
        raise ValueError(
            f"The {name!r} parameter of {builder} has {len(entries)} entries but "
            f"'filters' has {n}; give one int (used for every layer) or one entry "
            f"per entry of 'filters'. Got {value!r} instead."
        )
    return tuple(_check_pair(v, name, builder) for v in entries)


def check_augmentation(value, builder):
    """Normalise ``augmentation`` to a list of (name, value) pairs.

    Accepts None, a name, a sequence of names (default values from
    ``AUGMENTATIONS``) or a dict ``{name: value}``; order is kept.
    """
    if value is None:
        return []
    if isinstance(value, str):
        items = [(value, None)]
    elif isinstance(value, dict):
        items = list(value.items())
    else:
        try:
            items = [(v, None) for v in value]
        except TypeError:
            raise ValueError(
                f"The 'augmentation' parameter of {builder} must be None, a name, "
                f"a list of names or a dict {{name: value}} with names in "
                f"{_fmt_choices(AUGMENTATIONS)}. Got {value!r} instead."
            ) from None
    result = []
    for aug, arg in items:
        if not isinstance(aug, str) or aug not in AUGMENTATIONS:
            raise ValueError(
                f"Unknown augmentation {aug!r} in the 'augmentation' parameter of "
                f"{builder}; valid names are {_fmt_choices(AUGMENTATIONS)}."
                f"{_did_you_mean(aug, AUGMENTATIONS)}"
            )
        if arg is None:
            arg = AUGMENTATIONS[aug]
        if aug == "flip":
            if arg not in FLIP_MODES:
                raise ValueError(
                    f"The 'flip' augmentation of {builder} must be one of "
                    f"{_fmt_choices(FLIP_MODES)}. Got {arg!r} instead."
                    f"{_did_you_mean(arg, FLIP_MODES)}"
                )
        elif isinstance(arg, bool) or not isinstance(arg, Real) or not 0 < arg <= 1:
            raise ValueError(
                f"The {aug!r} augmentation of {builder} must be a factor in (0, 1]. "
                f"Got {arg!r} instead."
            )
        result.append((aug, arg))
    return result


# --- meta ---------------------------------------------------------------------


def check_meta(meta, builder):
    """Return ``(input_shape, n_outputs, output_activation)`` from ``meta``.

    ``input_shape_`` falls back to ``(n_features_in_,)``; see docs/design.md.
    """
    if not isinstance(meta, dict):
        raise TypeError(
            f"{builder} expects meta to be a dict (see docs/design.md, "
            f"'Contract: meta'). Got {type(meta).__name__} instead."
        )
    missing = [k for k in ("n_outputs_", "output_activation_") if k not in meta]
    if "input_shape_" not in meta and "n_features_in_" not in meta:
        missing.append("input_shape_")
    if missing:
        raise ValueError(
            f"{builder} needs meta keys {missing} (see docs/design.md, "
            f"'Contract: meta'). Got keys {sorted(meta)}."
        )
    shape = meta.get("input_shape_")
    if shape is None:
        shape = (meta["n_features_in_"],)
    try:
        shape = tuple(shape)
    except TypeError:
        shape = (shape,)
    if not shape or not all(_is_int(d) and d >= 1 for d in shape):
        raise ValueError(
            f"meta['input_shape_'] given to {builder} must be a tuple of positive "
            f"ints. Got {meta.get('input_shape_')!r} instead."
        )
    n_outputs = meta["n_outputs_"]
    if not _is_int(n_outputs) or n_outputs < 1:
        raise ValueError(
            f"meta['n_outputs_'] given to {builder} must be a positive int. "
            f"Got {n_outputs!r} instead."
        )
    return tuple(int(d) for d in shape), int(n_outputs), meta["output_activation_"]


def check_image_shape(shape, name):
    """Return ``(h, w, c)``; a 2-D shape ``(h, w)`` gets one channel."""
    if len(shape) == 3:
        return shape
    if len(shape) == 2:
        return (*shape, 1)
    raise ValueError(
        f"The {name!r} architecture needs images, i.e. meta['input_shape_'] == "
        f"(height, width, channels), but got input_shape_={shape}. Pass "
        f"input_shape=(h, w, c) to the estimator (e.g. input_shape=(8, 8, 1) for "
        f"64 pixel columns), or use a tabular architecture such as 'mlp'."
    )


# --- spatial sizes --------------------------------------------------------------
# A "plan" is the list of downsampling-relevant ops of a network, each
# (label, (kh, kw), (sh, sw), padding), in order. It lets a builder reject a too
# small image before Keras builds anything, and lets the registry record an
# honest min_input_shape computed from the defaults.


def _out_size(n, k, s, padding):
    if padding == "same":
        return math.ceil(n / s)
    return (n - k) // s + 1 if n >= k else 0


def plan_output_size(plan, hw):
    """Spatial (h, w) after every op of ``plan``; a 0 means the op cannot run."""
    h, w = hw
    for _, (kh, kw), (sh, sw), padding in plan:
        h, w = _out_size(h, kh, sh, padding), _out_size(w, kw, sw, padding)
        if h < 1 or w < 1:
            return (max(h, 0), max(w, 0))
    return (h, w)


def plan_min_size(plan, limit=4096):
    """Smallest (h, w) for which every op of ``plan`` gives a size >= 1."""
    result = []
    for axis in (0, 1):
        for n in range(1, limit + 1):
            size = n
            for _, kernel, strides, padding in plan:
                size = _out_size(size, kernel[axis], strides[axis], padding)
                if size < 1:
                    break
            else:
                result.append(n)
                break
        else:  # pragma: no cover - absurd hyperparameters
            result.append(limit)
    return tuple(result)


def check_min_size(plan, hw, name, input_shape):
    """Raise a clear ValueError when ``hw`` is too small for ``plan``."""
    out = plan_output_size(plan, hw)
    if out[0] >= 1 and out[1] >= 1:
        return
    min_h, min_w = plan_min_size(plan)
    raise ValueError(
        f"The {name!r} architecture needs images of at least {min_h}x{min_w} "
        f"(height x width) with these hyperparameters; got input_shape_="
        f"{tuple(input_shape)}. Use larger images, fewer conv blocks, smaller "
        f"kernels or strides, padding='same' or pooling=None."
    )
