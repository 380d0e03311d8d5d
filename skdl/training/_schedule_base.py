"""The base class of epoch-level learning-rate schedules and their option checks.

See :mod:`skdl.training.schedules` for the schedules themselves.
"""

import inspect
import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

from skdl.utils import did_you_mean

__all__ = ["EpochSchedule", "is_keras_lr_schedule"]


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------
def _check_real(owner, name, value, low=None, high=None, *, low_open=False, high_open=False):
    """Return ``value`` as a float, or raise a ValueError naming the range."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        ok = False
    else:
        number = float(value)
        ok = not (
            (low is not None and (number < low or (low_open and number == low)))
            or (high is not None and (number > high or (high_open and number == high)))
        )
    if not ok:
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        lo = "-inf" if low is None else repr(float(low))
        hi = "inf" if high is None else repr(float(high))
        raise ValueError(
            f"The {name!r} parameter of {owner} must be a float in the range "
            f"{left}{lo}, {hi}{right}. Got {value!r} instead."
        )
    return number


def _check_int(owner, name, value, low, *, allow_none=False):
    """Return ``value`` as an int >= ``low`` (or None), else raise ValueError."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        extra = " or None" if allow_none else ""
        raise ValueError(
            f"The {name!r} parameter of {owner} must be an int in the range "
            f"[{low}, inf){extra}. Got {value!r} instead."
        )
    return int(value)


def _check_options(owner, name, value, options):
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(
            f"The {name!r} parameter of {owner} must be one of {{{listed}}}. "
            f"Got {value!r} instead."
        )
    return value


def _did_you_mean(word, candidates):
    return did_you_mean(word, candidates)


# --------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------
class EpochSchedule:
    """Base class of the epoch-level learning-rate schedules.

    A subclass stores its options as attributes of the same name in
    ``__init__`` (validating them there) and implements :meth:`_rate`, the
    rate for one epoch given ``self.base_lr_`` and ``self.epochs_``. Stateful
    schedules also override :meth:`start` (calling ``super().start``) and
    :meth:`on_epoch_end`.

    Attributes
    ----------
    base_lr_ : float
        The optimizer's learning rate passed to the last :meth:`start`.
    epochs_ : int
        The number of epochs of the current fit.
    """

    def start(self, base_lr: float, epochs: int) -> None:
        """Reset all state for a new fit.

        Parameters
        ----------
        base_lr : float
            The optimizer's configured learning rate, > 0.
        epochs : int
            The number of epochs the fit will run, >= 1.
        """
        owner = type(self).__name__
        self.base_lr_ = _check_real(f"{owner}.start", "base_lr", base_lr, 0.0, None, low_open=True)
        self.epochs_ = _check_int(f"{owner}.start", "epochs", epochs, 1)

    def __call__(self, epoch: int) -> float:
        """Learning rate for the 0-based ``epoch``, asked before it trains."""
        if getattr(self, "base_lr_", None) is None:
            raise RuntimeError(
                f"{type(self).__name__} has not been started; call "
                "start(base_lr, epochs) at the beginning of each fit."
            )
        epoch = _check_int(type(self).__name__, "epoch", epoch, 0)
        return float(self._rate(epoch))

    def _rate(self, epoch: int) -> float:
        raise NotImplementedError

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Hook called after each epoch with its logs; a no-op by default."""

    # -- configuration ------------------------------------------------------
    @classmethod
    def _option_names(cls) -> list[str]:
        params = inspect.signature(cls.__init__).parameters
        return [
            p.name
            for p in params.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]

    def get_config(self) -> dict:
        """The constructor options of this schedule, as plain data."""
        return {name: getattr(self, name) for name in self._option_names()}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "EpochSchedule":
        """Build a schedule from the output of :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._option_names())
        return f"{type(self).__name__}({args})"


def is_keras_lr_schedule(obj):
    # Checked by name so that this module never imports Keras or TensorFlow.
    return any(
        klass.__name__ == "LearningRateSchedule"
        and klass.__module__.split(".")[0] in ("keras", "tf_keras", "tensorflow")
        for klass in type(obj).__mro__
    )
