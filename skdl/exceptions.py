"""Errors and warnings raised by skdl.

They subclass scikit-learn's so that code catching sklearn's exceptions keeps
working with skdl estimators.
"""

from sklearn.exceptions import ConvergenceWarning, NotFittedError

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
