"""Keras-side training: the epoch loop, its callbacks, engines, schedules, optimizers, runtime.

What the estimators use, and what users may use directly:

* :func:`run_epochs` (:mod:`skdl.training.loop`): one fit's epoch loop;
* :mod:`skdl.training.callbacks`: early stopping, checkpoints, schedules,
  logging, the divergence guard... as small callback objects;
* :func:`make_network`, :func:`own_network`, :func:`release_network`: the
  compiled engine for the active backend, handed out by the network pool;
* :mod:`skdl.training.runtime`: quiet Keras import, thread budget, seeding,
  memory release;
* epoch-level learning-rate schedules and optimizers by name.

Importing this package is cheap (the schedules are plain Python; the rest loads
on first use), and Keras is imported only when a network is built.
"""

import importlib

from skdl.training.schedules import (
    ConstantLR,
    CosineAnnealing,
    CosineAnnealingWarmRestarts,
    EpochSchedule,
    ExponentialDecay,
    FunctionSchedule,
    InverseTimeDecay,
    LinearWarmup,
    ReduceLROnPlateau,
    StepDecay,
    get_schedule,
)

_LAZY = {
    "callbacks": "skdl.training.callbacks",
    "runtime": "skdl.training.runtime",
    "EpochData": "skdl.training.loop",
    "TrainingRun": "skdl.training.loop",
    "run_epochs": "skdl.training.loop",
    "make_network": "skdl.training._network",
    "own_network": "skdl.training._pool",
    "release_network": "skdl.training._pool",
    "freeze": "skdl.training._pool",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skdl.training' has no attribute {name!r}")
    mod = importlib.import_module(module)
    if module.endswith("." + name):
        return mod
    return getattr(mod, {"own_network": "own", "release_network": "release"}.get(name, name))


__all__ = [
    "ConstantLR",
    "CosineAnnealing",
    "CosineAnnealingWarmRestarts",
    "EpochData",
    "EpochSchedule",
    "ExponentialDecay",
    "FunctionSchedule",
    "InverseTimeDecay",
    "LinearWarmup",
    "ReduceLROnPlateau",
    "StepDecay",
    "TrainingRun",
    "callbacks",
    "freeze",
    "get_schedule",
    "make_network",
    "own_network",
    "release_network",
    "run_epochs",
    "runtime",
]
