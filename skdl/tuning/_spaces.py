"""Search spaces as plain data.

A search space is a dict ``{parameter name: spec}``. A spec is one of

* an Optuna distribution (``FloatDistribution``, ``IntDistribution``,
  ``CategoricalDistribution``);
* a list of values, like ``GridSearchCV``'s ``param_grid`` (same as :class:`Choice`);
* a :class:`Choice`, :class:`LayerSpace` or :class:`Conditional` from this module.

Every spec is plain, picklable data, so a space can be sent to worker processes.
Sampling goes through :func:`sample_params`; the parameters of a finished trial
are turned back into estimator values by :func:`decode_params`, which replays the
same logic against the values stored in the trial (so a tuple choice stored as the
string ``"(64, 32)"`` comes back as the tuple ``(64, 32)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

__all__ = [
    "BaseSpace",
    "Choice",
    "Conditional",
    "LayerSpace",
    "decode_params",
    "default_space",
    "sample_params",
]

# Returned by a spec that does not apply to this trial (an inactive Conditional):
# the parameter is then not set, so the estimator keeps its own value.
_INACTIVE = object()

_STORABLE = (type(None), bool, int, float, str)

# The estimators' minimum validation split for early stopping
# (skdl.estimators._data.MIN_VALIDATION_ROWS; a test keeps the two equal).
MIN_VALIDATION_ROWS = 30


class BaseSpace:
    """Base class of skdl's search-space specs.

    A space draws its value through the public ``suggest_*`` methods of an Optuna
    trial, so the same code both samples (with a live trial) and decodes (with the
    stored parameters of a finished trial).

    Subclasses implement ``suggest(trial, name, context)`` and return the value to
    give the estimator; ``context`` maps the names sampled earlier in the space to
    their values.
    """

    def suggest(self, trial: Any, name: str, context: Mapping[str, Any]) -> Any:
        """Draw the value of parameter ``name`` from ``trial``.

        Parameters
        ----------
        trial : optuna.trial.Trial
            The trial to draw from (or a replay of a finished trial's params).
        name : str
            The estimator parameter, used as the prefix of the stored names.
        context : mapping
            Values of the parameters sampled before this one.

        Returns
        -------
        value : object
            The value for the estimator parameter.
        """
        raise NotImplementedError

    def validate(self, name: str, earlier: Sequence[str]) -> None:
        """Raise ``ValueError`` if the spec cannot be used for ``name``.

        Parameters
        ----------
        name : str
            The parameter this spec is for.
        earlier : sequence of str
            Names of the parameters that come before it in the space.
        """


@dataclass(frozen=True)
class Choice(BaseSpace):
    """A categorical choice among any values, tuples included.

    Optuna's ``CategoricalDistribution`` can only store ``None``, bool, int, float
    and str. Other values (tuples such as ``hidden_layer_sizes=(64, 32)``, lists,
    objects) are stored as their ``repr`` and mapped back when decoding.

    Parameters
    ----------
    choices : sequence
        The values to choose from.

    Examples
    --------
    >>> from skdl.tuning import Choice
    >>> space = {"hidden_layer_sizes": Choice([(32,), (64, 32)])}
    """

    choices: tuple

    def __init__(self, choices: Sequence[Any]) -> None:
        object.__setattr__(self, "choices", tuple(choices))

    def _keys(self) -> list:
        if all(isinstance(c, _STORABLE) for c in self.choices):
            return list(self.choices)
        keys = [repr(c) for c in self.choices]
        if len(set(keys)) != len(keys):  # reprs collide (e.g. objects): use positions
            keys = [f"choice_{i}" for i in range(len(self.choices))]
        return keys

    def suggest(self, trial: Any, name: str, context: Mapping[str, Any]) -> Any:
        keys = self._keys()
        key = trial.suggest_categorical(name, keys)
        return self.choices[keys.index(key)]

    def validate(self, name: str, earlier: Sequence[str]) -> None:
        if not self.choices:
            raise ValueError(f"The Choice for {name!r} has no choices.")

    @property
    def grid(self) -> list:
        """The stored keys, for building an ``optuna.samplers.GridSampler`` grid."""
        return self._keys()


@dataclass(frozen=True)
class LayerSpace(BaseSpace):
    """Depth and width of a stack of layers, e.g. ``hidden_layer_sizes``.

    The number of layers is drawn from ``n_layers`` and the units of each layer
    from ``units`` (log-scaled by default). The value is a tuple of ints, one per
    layer. Stored parameters are ``<name>.n_layers`` and ``<name>.units_<i>``.

    Parameters
    ----------
    n_layers : tuple of (int, int), default=(1, 3)
        Smallest and largest number of layers, both included. The smallest may be
        0 (an empty tuple, e.g. no dense layers after convolutions).
    units : tuple of (int, int), default=(16, 256)
        Smallest and largest number of units per layer, both included.
    log : bool, default=True
        Draw units on a log scale.
    order : {None, "non-increasing", "non-decreasing"}, default=None
        Constrain each layer's units relative to the previous layer (funnel or
        widening shape). The range of layer ``i`` then depends on layer ``i-1``.

    Examples
    --------
    >>> from skdl.tuning import LayerSpace
    >>> space = {"hidden_layer_sizes": LayerSpace((1, 3), (16, 128), order="non-increasing")}
    """

    n_layers: tuple = (1, 3)
    units: tuple = (16, 256)
    log: bool = True
    order: str | None = None

    def suggest(self, trial: Any, name: str, context: Mapping[str, Any]) -> tuple:
        lo_n, hi_n = self.n_layers
        n = trial.suggest_int(f"{name}.n_layers", lo_n, hi_n) if lo_n != hi_n else lo_n
        lo, hi = self.units
        sizes: list[int] = []
        for i in range(n):
            low, high = lo, hi
            if sizes and self.order == "non-increasing":
                high = sizes[-1]
            elif sizes and self.order == "non-decreasing":
                low = sizes[-1]
            if low == high:
                sizes.append(low)
            else:
                sizes.append(trial.suggest_int(f"{name}.units_{i}", low, high, log=self.log))
        return tuple(sizes)

    def validate(self, name: str, earlier: Sequence[str]) -> None:
        lo_n, hi_n = self.n_layers
        lo, hi = self.units
        if not (0 <= lo_n <= hi_n):
            raise ValueError(
                f"LayerSpace for {name!r}: n_layers must be (low, high) with "
                f"0 <= low <= high. Got {self.n_layers!r} instead."
            )
        if not (1 <= lo <= hi):
            raise ValueError(
                f"LayerSpace for {name!r}: units must be (low, high) with "
                f"1 <= low <= high. Got {self.units!r} instead."
            )
        if self.order not in (None, "non-increasing", "non-decreasing"):
            raise ValueError(
                f"LayerSpace for {name!r}: order must be one of None, "
                f"'non-increasing', 'non-decreasing'. Got {self.order!r} instead."
            )


@dataclass(frozen=True)
class Conditional(BaseSpace):
    """A parameter searched only when an earlier parameter has given values.

    When inactive, the parameter is not set, so the estimator keeps its own value,
    and nothing is stored in the trial.

    Parameters
    ----------
    space : spec
        Any spec accepted in a search space (Optuna distribution, list, skdl space).
    on : str
        Name of an earlier parameter of the same space.
    values : sequence
        The values of ``on`` for which this parameter is searched.

    Examples
    --------
    >>> from optuna.distributions import FloatDistribution
    >>> from skdl.tuning import Conditional
    >>> space = {
    ...     "optimizer": ["adam", "sgd"],
    ...     "optimizer__momentum": Conditional(FloatDistribution(0.0, 0.99),
    ...                                        on="optimizer", values=["sgd"]),
    ... }
    """

    space: Any
    on: str
    values: tuple

    def __init__(self, space: Any, on: str, values: Sequence[Any]) -> None:
        object.__setattr__(self, "space", space)
        object.__setattr__(self, "on", on)
        values = (values,) if isinstance(values, str) else tuple(values)
        object.__setattr__(self, "values", values)

    def suggest(self, trial: Any, name: str, context: Mapping[str, Any]) -> Any:
        if self.on not in context or context[self.on] not in self.values:
            return _INACTIVE
        return _suggest(trial, name, self.space, context)

    def validate(self, name: str, earlier: Sequence[str]) -> None:
        if self.on not in earlier:
            raise ValueError(
                f"Conditional parameter {name!r} depends on {self.on!r}, which must "
                f"come earlier in the search space. Earlier parameters: {list(earlier)}."
            )
        _validate_spec(name, self.space, earlier)


def _suggest(trial: Any, name: str, spec: Any, context: Mapping[str, Any]) -> Any:
    """Draw ``name`` from ``spec`` using only the public ``suggest_*`` methods."""
    if isinstance(spec, BaseSpace):
        return spec.suggest(trial, name, context)
    if isinstance(spec, FloatDistribution):
        return trial.suggest_float(name, spec.low, spec.high, step=spec.step, log=spec.log)
    if isinstance(spec, IntDistribution):
        return trial.suggest_int(name, spec.low, spec.high, step=spec.step, log=spec.log)
    if isinstance(spec, CategoricalDistribution):
        return Choice(spec.choices).suggest(trial, name, context)
    if isinstance(spec, (list, tuple)):
        return Choice(spec).suggest(trial, name, context)
    raise TypeError(f"Unsupported search-space spec for {name!r}: {spec!r}")


def _validate_spec(name: str, spec: Any, earlier: Sequence[str]) -> None:
    if isinstance(spec, BaseSpace):
        spec.validate(name, earlier)
    elif isinstance(spec, (FloatDistribution, IntDistribution, CategoricalDistribution)):
        pass
    elif isinstance(spec, (list, tuple)):
        if len(spec) == 0:
            raise ValueError(f"The list of values for {name!r} is empty.")
    elif isinstance(spec, BaseDistribution):
        raise ValueError(
            f"The search space entry {name!r} is a {type(spec).__name__}; supported "
            "Optuna distributions are FloatDistribution, IntDistribution and "
            "CategoricalDistribution."
        )
    else:
        raise ValueError(
            f"The search space entry {name!r} must be an Optuna distribution, a list of "
            "values, or a skdl.tuning Choice, LayerSpace or Conditional. "
            f"Got {spec!r} instead."
        )


def validate_space(param_distributions: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` if any entry of the space is not usable."""
    if not isinstance(param_distributions, Mapping):
        raise ValueError(
            "param_distributions must be a dict {parameter name: spec}. "
            f"Got {type(param_distributions).__name__} instead."
        )
    earlier: list[str] = []
    for name, spec in param_distributions.items():
        _validate_spec(name, spec, earlier)
        earlier.append(name)


def sample_params(trial: Any, param_distributions: Mapping[str, Any]) -> dict:
    """Sample estimator parameters for ``trial`` from a search space.

    Parameters
    ----------
    trial : optuna.trial.Trial
        The trial to sample with.
    param_distributions : dict
        The search space, ``{parameter name: spec}``. Entries are sampled in order.

    Returns
    -------
    params : dict
        Values to pass to ``estimator.set_params``; inactive conditional
        parameters are left out.
    """
    params: dict = {}
    for name, spec in param_distributions.items():
        value = _suggest(trial, name, spec, params)
        if value is not _INACTIVE:
            params[name] = value
    return params


class _Replay:
    """Stands in for a trial, answering ``suggest_*`` from stored params."""

    def __init__(self, stored: Mapping[str, Any]) -> None:
        self._stored = stored

    def _get(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._stored[name]

    suggest_float = suggest_int = suggest_categorical = _get


def decode_params(stored: Mapping[str, Any], param_distributions: Mapping[str, Any]) -> dict:
    """Turn a finished trial's stored params back into estimator parameters.

    Parameters
    ----------
    stored : dict
        ``FrozenTrial.params``.
    param_distributions : dict
        The search space the trial was sampled from.

    Returns
    -------
    params : dict
        Values for ``estimator.set_params``. Entries missing from ``stored`` (a
        space changed between runs of a study) are left out.
    """
    replay = _Replay(stored)
    params: dict = {}
    for name, spec in param_distributions.items():
        try:
            value = _suggest(replay, name, spec, params)
        except (KeyError, ValueError):
            continue
        if value is not _INACTIVE:
            params[name] = value
    return params


_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    """Equal as estimator values: no bool/number confusion, 1 == 1.0, (1,) != [1]."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Real) and isinstance(b, Real):
        return a == b
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # arrays and other values without a plain ==
        return a is b


def _in_range(value: Any, low: float, high: float, step: float | None, integral: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, Integral if integral else Real):
        return False
    if not low <= value <= high:
        return False
    if step is None:
        return True
    k = (value - low) / step
    return abs(k - round(k)) < 1e-8


def _encode_spec(name: str, spec: Any, value: Any, context: Mapping[str, Any]) -> dict:
    """Stored params (``trial.params`` form) giving ``value``; ValueError if outside ``spec``."""
    if isinstance(spec, Conditional):
        if spec.on not in context or context[spec.on] not in spec.values:
            return {}  # inactive: nothing stored, the estimator keeps its value
        return _encode_spec(name, spec.space, value, context)
    if value is _MISSING:
        raise ValueError("not a parameter of the estimator")
    if isinstance(spec, (FloatDistribution, IntDistribution)):
        integral = isinstance(spec, IntDistribution)
        if not _in_range(value, spec.low, spec.high, spec.step, integral):
            kind = "an int" if integral else "a number"
            raise ValueError(f"{value!r} is not {kind} in [{spec.low:g}, {spec.high:g}]")
        return {name: int(value) if integral else float(value)}
    if isinstance(spec, LayerSpace):
        return _encode_layers(name, spec, value)
    if isinstance(spec, CategoricalDistribution):
        spec = Choice(spec.choices)
    elif isinstance(spec, (list, tuple)):
        spec = Choice(spec)
    if isinstance(spec, Choice):
        for key, choice in zip(spec._keys(), spec.choices):
            if _same(choice, value):
                return {name: key}
        raise ValueError(f"{value!r} is not one of {list(spec.choices)!r}")
    raise ValueError(f"{type(spec).__name__} specs cannot be encoded")


def _encode_layers(name: str, spec: LayerSpace, value: Any) -> dict:
    if not isinstance(value, (tuple, list)) or not all(
        isinstance(u, Integral) and not isinstance(u, bool) for u in value
    ):
        raise ValueError(f"{value!r} is not a tuple of layer widths")
    lo_n, hi_n = spec.n_layers
    lo, hi = spec.units
    if not lo_n <= len(value) <= hi_n:
        raise ValueError(f"{value!r} has {len(value)} layers, outside {spec.n_layers!r}")
    stored: dict = {}
    if lo_n != hi_n:
        stored[f"{name}.n_layers"] = len(value)
    for i, units in enumerate(value):
        low, high = lo, hi
        if i and spec.order == "non-increasing":
            high = value[i - 1]
        elif i and spec.order == "non-decreasing":
            low = value[i - 1]
        if not low <= units <= high:
            shape = f", order={spec.order!r}" if spec.order else ""
            raise ValueError(f"{value!r}: layer {i} has {units} units, outside [{low}, {high}]"
                             f"{shape}")
        if low != high:
            stored[f"{name}.units_{i}"] = int(units)
    return stored


def encode_params(values: Mapping[str, Any], param_distributions: Mapping[str, Any],
                  ) -> tuple[dict, dict[str, str]]:
    """Turn estimator values into stored params, for ``study.enqueue_trial``.

    The inverse of :func:`decode_params` for the values that lie inside the space.

    Parameters
    ----------
    values : dict
        Estimator parameter values, e.g. ``estimator.get_params()``.
    param_distributions : dict
        The search space.

    Returns
    -------
    stored : dict
        ``{stored name: value}`` as a trial would store them.
    outside : dict
        ``{parameter name: why}`` for the parameters whose value is not in the
        space (left out of ``stored``; a sampler fills them in).
    """
    stored: dict = {}
    outside: dict[str, str] = {}
    context: dict = {}
    for name, spec in param_distributions.items():
        value = values.get(name, _MISSING)
        try:
            part = _encode_spec(name, spec, value, context)
        except ValueError as exc:
            outside[name] = str(exc)
            continue
        stored.update(part)
        if part or not isinstance(spec, Conditional):
            context[name] = value
    return stored, outside


def _final_step(estimator: Any) -> tuple[str, Any]:
    """Return (prefix, final estimator) for a Pipeline, ('', estimator) otherwise."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        name, last = steps[-1]
        inner_prefix, inner = _final_step(last)
        return f"{name}__{inner_prefix}", inner
    return "", estimator


def default_space(estimator: Any, *, n_samples: int | None = None) -> dict:
    """A sensible search space for skdl's MLP and CNN estimators.

    The estimator is recognised by its parameters (``get_params``), so any
    estimator with the same parameter names gets the same space. For a Pipeline
    the names are prefixed with the final step's name.

    Parameters
    ----------
    estimator : estimator or Pipeline
        An skdl MLP estimator (``hidden_layer_sizes``, ``activation``, ...) or CNN
        estimator (``filters``, ``kernel_size``, ``dense_layer_sizes``, ...).

    Returns
    -------
    space : dict
        ``{parameter name: spec}``, usable as ``param_distributions`` of
        :class:`OptunaSearchCV`. Only parameters the estimator has are included.
    n_samples : int, default=None
        Rows each trial trains on (for a search with ``cv=k`` on ``n`` rows,
        about ``n * (k - 1) / k``). When given, batch sizes are capped so that
        every epoch has at least 8 weight updates (``batch_size`` is left out
        below 128 rows, where the estimator's own batch size stays), data
        under 1000 rows gets at most 2 hidden layers, and ``early_stopping``
        (``[False, True]``) is searched when the estimator's
        ``validation_fraction`` of ``n_samples`` is at least 30 rows.

    Raises
    ------
    ValueError
        If the estimator has neither MLP nor CNN parameters.

    Examples
    --------
    >>> from skdl.tuning import default_space
    >>> class Net:  # stands in for skdl.MLPClassifier
    ...     def get_params(self, deep=True):
    ...         return dict(hidden_layer_sizes=(100,), dropout=0.0, learning_rate=1e-3)
    >>> sorted(default_space(Net()))
    ['dropout', 'hidden_layer_sizes', 'learning_rate']
    """
    if n_samples is not None and (isinstance(n_samples, bool) or not isinstance(n_samples, Integral)
                                  or n_samples < 1):
        raise ValueError(f"default_space: n_samples must be a positive int or None; got {n_samples!r}.")
    prefix, final = _final_step(estimator)
    try:
        params = final.get_params(deep=False)
        keys = set(params)
    except Exception as exc:  # not an estimator at all
        raise ValueError(
            f"default_space needs an estimator with get_params; got {estimator!r}."
        ) from exc
    name = type(final).__name__
    if "hidden_layer_sizes" in keys:
        kind = "mlp"
    elif "filters" in keys or name.startswith("CNN"):
        kind = "cnn"
    else:
        raise ValueError(
            f"default_space knows skdl's MLP estimators (parameter 'hidden_layer_sizes') "
            f"and CNN estimators (parameter 'filters'); {name} has neither. "
            f"Its parameters are {sorted(keys)}."
        )
    space: dict = {}
    max_depth = 2 if n_samples is not None and n_samples < 1000 else 3
    if kind == "mlp":
        space["hidden_layer_sizes"] = LayerSpace((1, max_depth), (16, 256), order="non-increasing")
        space["activation"] = ["relu", "elu", "tanh"]
    else:
        space["filters"] = LayerSpace((1, 3), (8, 128), order="non-decreasing")
        space["kernel_size"] = [3, 5]
        space["dense_layer_sizes"] = LayerSpace((0, 2), (16, 256), order="non-increasing")
    space["dropout"] = FloatDistribution(0.0, 0.5)
    # L2 includes "off" (the estimators' default), so trial 0 -- the estimator's
    # own configuration -- lies inside the space; L1 is left out: on small
    # tabular sets penalties up to 1e-2 mostly made networks worse (issue 13).
    space["l2"] = [0.0, 1e-5, 1e-4, 1e-3, 1e-2]
    # Adam and RMSprop around their default rate; rates above 1e-2 won noisy CV
    # folds and then gave unstable refits, SGD with low momentum mostly failed.
    space["optimizer"] = ["adam", "rmsprop"]
    space["learning_rate"] = FloatDistribution(3e-4, 1e-2, log=True)
    batches = [16, 32, 64, 128, 256]
    if n_samples is not None:
        batches = [b for b in batches if b * 8 <= n_samples]
    if batches:
        space["batch_size"] = batches
    # How long to train is chosen by the cross-validation too: to convergence of
    # the training loss (the estimators' default) or stopped on a validation split
    # of each fold's training part. Neither wins on every set (docs/tuning.md), and
    # the split needs enough rows to mean something.
    fraction = params.get("validation_fraction", 0.1) if "early_stopping" in keys else None
    if (n_samples is not None and isinstance(fraction, Real)
            and math.ceil(fraction * n_samples) >= MIN_VALIDATION_ROWS):
        space["early_stopping"] = [False, True]
    out: dict = {}
    for key, spec in space.items():
        base = key.split("__")[0]
        if base not in keys:
            continue
        if isinstance(spec, Conditional):
            spec = Conditional(spec.space, on=prefix + spec.on, values=spec.values)
        out[prefix + key] = spec
    return out

