"""Errors and warnings raised by skdl.

They subclass scikit-learn's so that code catching sklearn's exceptions keeps
working with skdl estimators.
"""

import importlib


def __getattr__(name):
    # scikit-learn's own classes are re-exported on first use, so importing skdl's
    # errors (the CLI does, before it has read its arguments) does not import sklearn.
    if name in ("ConvergenceWarning", "NotFittedError"):
        return getattr(importlib.import_module("sklearn.exceptions"), name)
    raise AttributeError(f"module 'skdl.exceptions' has no attribute {name!r}")


__all__ = [
    "ConvergenceWarning",
    "ModelFileError",
    "NotFittedError",
    "SkdlError",
    "SkdlWarning",
    "TrainingDivergedError",
    "TrainingInterruptedWarning",
]


class SkdlError(Exception):
    """Base class for errors raised by skdl itself."""


class SkdlWarning(UserWarning):
    """Base class for warnings raised by skdl itself."""


class ModelFileError(SkdlError, ValueError):
    """A file given to :func:`skdl.load` is not a readable skdl model file."""


class TrainingDivergedError(SkdlError, ArithmeticError):
    """Training produced a NaN or infinite loss and was stopped."""


class TrainingInterruptedWarning(SkdlWarning):
    """Training was interrupted by the user (Ctrl-C); the model is usable."""
