"""Keras-side training pieces: learning-rate schedules, optimizers by name, the engine.

Importing this package is cheap: the schedules are plain Python, and Keras is
imported only when a network is built.
"""

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

__all__ = [
    "ConstantLR",
    "CosineAnnealing",
    "CosineAnnealingWarmRestarts",
    "EpochSchedule",
    "ExponentialDecay",
    "FunctionSchedule",
    "InverseTimeDecay",
    "LinearWarmup",
    "ReduceLROnPlateau",
    "StepDecay",
    "get_schedule",
]
