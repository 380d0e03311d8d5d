"""Keras optimizers by name, with their options as flat, tunable parameters.

``make_optimizer("sgd", 0.01, momentum=0.9, nesterov=True)`` builds
``keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)``. The
estimators route ``optimizer__momentum=0.9`` here, so a search can tune any
option of any optimizer.
"""

from __future__ import annotations

import inspect

from skdl.training.runtime import get_keras
from skdl.utils import did_you_mean

# Keras-free list, so estimators can validate names without importing Keras.
OPTIMIZER_NAMES = (
    "adadelta",
    "adafactor",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "ftrl",
    "lamb",
    "lion",
    "nadam",
    "rmsprop",
    "sgd",
)
_CLASS_NAMES = {
    "adadelta": "Adadelta",
    "adafactor": "Adafactor",
    "adagrad": "Adagrad",
    "adam": "Adam",
    "adamax": "Adamax",
    "adamw": "AdamW",
    "ftrl": "Ftrl",
    "lamb": "Lamb",
    "lion": "Lion",
    "nadam": "Nadam",
    "rmsprop": "RMSprop",
    "sgd": "SGD",
}
# Options that are not hyperparameters of the update rule.
_NOT_OPTIONS = {"self", "learning_rate", "name", "kwargs"}


def optimizer_class(spec):
    """Return the Keras optimizer class for a name or a class."""
    keras = get_keras()
    if isinstance(spec, str):
        key = spec.lower()
        if key not in _CLASS_NAMES:
            hint = did_you_mean(key, OPTIMIZER_NAMES)
            raise ValueError(
                f"The 'optimizer' parameter must be one of {sorted(OPTIMIZER_NAMES)}, "
                f"a keras Optimizer class or instance. Got {spec!r} instead.{hint}"
            )
        return getattr(keras.optimizers, _CLASS_NAMES[key])
    if isinstance(spec, type) and issubclass(spec, keras.optimizers.Optimizer):
        return spec
    raise TypeError(
        f"The 'optimizer' parameter must be a name in {sorted(OPTIMIZER_NAMES)}, "
        f"a keras Optimizer class or instance. Got {spec!r} instead."
    )


def optimizer_options(cls) -> list[str]:
    """Names of the options an optimizer class accepts (besides learning_rate)."""
    params = inspect.signature(cls.__init__).parameters
    return sorted(p for p in params if p not in _NOT_OPTIONS)


def make_optimizer(spec, learning_rate: float | None = None, **options):
    """Build a fresh Keras optimizer.

    Parameters
    ----------
    spec : str, keras Optimizer class or instance
        ``"adam"``, ``"sgd"``, ... (see ``OPTIMIZER_NAMES``), a class, or an
        instance (which is re-created from its config, so fits never share state).
    learning_rate : float or keras LearningRateSchedule, default=None
        Overrides the optimizer's own default when given.
    **options
        Constructor options, e.g. ``momentum=0.9``. An unknown option raises a
        ``ValueError`` listing the optimizer's valid options.

    Returns
    -------
    optimizer : keras.optimizers.Optimizer
    """
    keras = get_keras()
    if isinstance(spec, keras.optimizers.Optimizer):
        config = spec.get_config()
        cls = type(spec)
        config.update(options)
        if learning_rate is not None:
            config["learning_rate"] = learning_rate
        return cls.from_config(config)
    cls = optimizer_class(spec)
    valid = optimizer_options(cls)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        bad = unknown[0]
        hint = did_you_mean(f"optimizer__{bad}", [f"optimizer__{v}" for v in valid])
        raise ValueError(
            f"Unknown option {bad!r} for optimizer {cls.__name__} "
            f"(given as 'optimizer__{bad}'). Valid options are {valid}.{hint}"
        )
    kwargs = dict(options)
    if learning_rate is not None:
        kwargs["learning_rate"] = (
            float(learning_rate) if isinstance(learning_rate, (int, float)) else learning_rate
        )
    return cls(**kwargs)


def optimizer_signature(spec, options: dict) -> tuple:
    """Hashable description of everything in an optimizer that shapes the graph.

    The learning rate is left out: it lives in a variable that skdl sets at the
    start of every fit (and every epoch under an epoch schedule), so fits that
    differ only in learning rate share one graph.
    """
    if isinstance(spec, str):
        name = spec.lower()
    elif isinstance(spec, type):
        name = f"{spec.__module__}.{spec.__qualname__}"
    else:
        return None  # an instance: its config is the user's; do not share graphs
    return (name, tuple(sorted((k, repr(v)) for k, v in options.items())))
