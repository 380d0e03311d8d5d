"""The architecture registry: builders by name.

A builder is a plain function ``builder(meta, **hyperparameters) -> keras.Model``
(see docs/design.md, "Contract: meta"). Registering it under a name lets
estimators accept ``architecture="name"`` and lets the shared conformance test
in tests/architectures check it. The registry itself never imports Keras.
"""

from __future__ import annotations

from skdl.utils import did_you_mean
from dataclasses import dataclass
from numbers import Integral

from skdl.architectures._names import INPUT_KINDS

__all__ = [
    "ArchitectureInfo",
    "get_architecture",
    "get_architecture_info",
    "list_architectures",
    "register_architecture",
    "unregister_architecture",
]


@dataclass(frozen=True)
class ArchitectureInfo:
    """What the registry knows about one builder.

    Attributes
    ----------
    name : str
        Registered name (for an unregistered callable, its ``__name__``).
    builder : callable
        ``builder(meta, **hyperparameters) -> keras.Model``.
    input_kind : {"tabular", "image"} or None
        Kind of input the builder expects; ``None`` for an unregistered
        callable, whose expectations are unknown.
    min_input_shape : tuple of int or None
        Smallest sample shape the builder supports with its default
        hyperparameters: ``(height, width)`` for image builders, ``None`` when
        there is no minimum.
    """

    name: str
    builder: object
    input_kind: str | None
    min_input_shape: tuple | None


_REGISTRY: dict[str, ArchitectureInfo] = {}


def _did_you_mean(name, choices):
    return did_you_mean(name, choices)


def _check_min_input_shape(name, input_kind, min_input_shape):
    if min_input_shape is None:
        return None
    expected = 2 if input_kind == "image" else 1
    what = "(height, width)" if input_kind == "image" else "(n_features,)"
    try:
        shape = tuple(min_input_shape)
    except TypeError:
        shape = None
    if (
        shape is None
        or len(shape) != expected
        or not all(isinstance(d, Integral) and not isinstance(d, bool) and d >= 1 for d in shape)
    ):
        raise ValueError(
            f"The 'min_input_shape' of architecture {name!r} (input_kind="
            f"{input_kind!r}) must be None or a tuple {what} of positive ints. "
            f"Got {min_input_shape!r} instead."
        )
    return tuple(int(d) for d in shape)


def register_architecture(
    name,
    builder=None,
    *,
    input_kind="tabular",
    min_input_shape=None,
    overwrite=False,
):
    """Register an architecture builder under a name.

    Usable as a call, ``register_architecture("wide", build_wide)``, or as a
    decorator, ``@register_architecture("wide")``.

    Parameters
    ----------
    name : str
        Name estimators accept as ``architecture=name``.
    builder : callable, default=None
        ``builder(meta, **hyperparameters) -> keras.Model`` returning an
        uncompiled model whose output layer follows ``meta`` (see
        docs/design.md). When ``None``, a decorator is returned.
    input_kind : {"tabular", "image"}, default="tabular"
        Kind of input the builder expects: ``"tabular"`` for
        ``meta["input_shape_"] == (n_features,)``, ``"image"`` for
        ``(height, width, channels)``.
    min_input_shape : tuple of int, default=None
        Smallest supported sample shape with the default hyperparameters:
        ``(height, width)`` for image builders, ``(n_features,)`` for tabular
        ones. ``None`` means no minimum.
    overwrite : bool, default=False
        Replace an existing registration of the same name. Without it,
        registering a taken name raises ``ValueError``.

    Returns
    -------
    builder or decorator : callable
        The builder itself (so the decorator leaves the function unchanged),
        or a decorator when ``builder`` is ``None``.

    See Also
    --------
    get_architecture : Resolve a name (or callable) to its builder.
    list_architectures : Sorted registered names.

    Examples
    --------
    >>> from skdl.architectures import register_architecture, unregister_architecture
    >>> @register_architecture("my_linear")
    ... def build_my_linear(meta):
    ...     import keras
    ...     inputs = keras.Input(shape=meta["input_shape_"])
    ...     outputs = keras.layers.Dense(
    ...         meta["n_outputs_"], activation=meta["output_activation_"])(inputs)
    ...     return keras.Model(inputs, outputs)
    >>> unregister_architecture("my_linear")
    """
    if not isinstance(name, str) or not name:
        hint = (
            " To use it as a decorator, give the name: "
            "@register_architecture('my_net')."
            if callable(name)
            else ""
        )
        raise TypeError(
            f"The 'name' parameter of register_architecture must be a non-empty "
            f"str. Got {name!r} instead.{hint}"
        )
    if input_kind not in INPUT_KINDS:
        raise ValueError(
            f"The 'input_kind' parameter of register_architecture must be one of "
            f"{set(INPUT_KINDS)}. Got {input_kind!r} instead."
            f"{_did_you_mean(input_kind, INPUT_KINDS)}"
        )
    min_shape = _check_min_input_shape(name, input_kind, min_input_shape)

    def decorator(func):
        if not callable(func):
            raise TypeError(
                f"The builder registered as {name!r} must be callable as "
                f"builder(meta, **hyperparameters). Got {func!r} instead."
            )
        if name in _REGISTRY and not overwrite:
            raise ValueError(
                f"An architecture named {name!r} is already registered "
                f"({_REGISTRY[name].builder!r}). Pass overwrite=True to replace "
                f"it, or choose another name."
            )
        _REGISTRY[name] = ArchitectureInfo(
            name=name, builder=func, input_kind=input_kind, min_input_shape=min_shape
        )
        return func

    if builder is None:
        return decorator
    return decorator(builder)


def unregister_architecture(name):
    """Remove a registered architecture.

    Parameters
    ----------
    name : str
        A registered name.

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    """
    _lookup(name)
    del _REGISTRY[name]


def _lookup(name):
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        pass
    raise ValueError(
        f"Unknown architecture {name!r}. Registered architectures are "
        f"{list_architectures()}; pass one of those names or a callable "
        f"builder(meta, **hyperparameters).{_did_you_mean(name, _REGISTRY)}"
    )


def get_architecture(name_or_callable):
    """Return the builder for a registered name; a callable passes through.

    Parameters
    ----------
    name_or_callable : str or callable
        A registered name, or a builder ``builder(meta, **hyperparameters)``.

    Returns
    -------
    builder : callable

    Raises
    ------
    ValueError
        If a name is not registered; the message lists the registered names
        and suggests the closest one.
    TypeError
        If ``name_or_callable`` is neither a str nor callable.

    Examples
    --------
    >>> from skdl.architectures import get_architecture
    >>> get_architecture("mlp").__name__
    'build_mlp'
    """
    if callable(name_or_callable):
        return name_or_callable
    if not isinstance(name_or_callable, str):
        raise TypeError(
            f"An architecture must be a registered name (one of "
            f"{list_architectures()}) or a callable builder. Got "
            f"{name_or_callable!r} of type {type(name_or_callable).__name__} instead."
        )
    return _lookup(name_or_callable).builder


def get_architecture_info(name_or_callable):
    """Return what the registry knows about an architecture.

    Parameters
    ----------
    name_or_callable : str or callable
        A registered name or builder. An unregistered callable gives an
        :class:`ArchitectureInfo` with ``input_kind=None`` (unknown).

    Returns
    -------
    info : ArchitectureInfo
        ``name``, ``builder``, ``input_kind`` and ``min_input_shape``.

    Examples
    --------
    >>> from skdl.architectures import get_architecture_info
    >>> get_architecture_info("mlp").input_kind
    'tabular'
    """
    if callable(name_or_callable):
        for info in _REGISTRY.values():
            if info.builder is name_or_callable:
                return info
        return ArchitectureInfo(
            name=getattr(name_or_callable, "__name__", repr(name_or_callable)),
            builder=name_or_callable,
            input_kind=None,
            min_input_shape=None,
        )
    get_architecture(name_or_callable)  # raises the helpful errors
    return _REGISTRY[name_or_callable]


def list_architectures(input_kind=None):
    """Return the registered architecture names, sorted.

    Parameters
    ----------
    input_kind : {"tabular", "image"}, default=None
        Only names registered with this input kind; ``None`` lists all.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from skdl.architectures import list_architectures
    >>> "mlp" in list_architectures()
    True
    """
    if input_kind is not None and input_kind not in INPUT_KINDS:
        raise ValueError(
            f"The 'input_kind' parameter of list_architectures must be one of "
            f"{set(INPUT_KINDS)} or None. Got {input_kind!r} instead."
        )
    return sorted(
        name
        for name, info in _REGISTRY.items()
        if input_kind is None or info.input_kind == input_kind
    )
