"""Small callback objects that drive one fit's epoch loop, in skorch's manner.

:func:`skdl.training.loop.run_epochs` calls every callback's hooks with the
:class:`~skdl.training.loop.TrainingRun` (the network, the history, the epoch,
its logs) in list order:

=================== =====================================================
``on_train_begin``  once, before the first epoch
``on_epoch_begin``  before each epoch (a schedule sets the rate here)
``on_epoch_end``    after each epoch, with ``run.logs`` complete; a
                    callback ends training with ``run.stop(reason)`` and
                    may raise (the exception leaves ``fit``)
``on_train_end``    once, after the last epoch or a stop or Ctrl-C, while
                    the network still holds the fit's state
=================== =====================================================

Each callback has a ``name``; an estimator's ``callbacks__<name>__<param>``
options go to the callback of that name (see the estimator guide). The
estimator assembles the list for every fit from its parameters, in this
order: the divergence guard, the learning-rate schedule, early stopping (or
the "converged" stop on the training loss), the checkpoint, the user's
callbacks (Keras callbacks and plain ``on_epoch_end(epoch, logs)`` objects
through adapters), the epoch logger, the convergence check and the
interruption warning (the last two record warnings in ``run.warnings``, which
the estimator issues once the fit's results are set).
"""

from __future__ import annotations

import math
import os
import re
import sys

from skdl.exceptions import ConvergenceWarning, TrainingDivergedError, TrainingInterruptedWarning
from skdl.utils import greater_is_better
from skdl.utils import atomic_path

__all__ = [
    "Callback",
    "Checkpoint",
    "ConvergenceCheck",
    "DivergenceGuard",
    "EarlyStopping",
    "EpochHook",
    "EpochLogger",
    "InterruptWarning",
    "KerasCallback",
    "LRScheduler",
    "callback_name",
]


def callback_name(obj) -> str:
    """The routing name of a callback class or object: its class name in snake_case.

    >>> callback_name(EarlyStopping)
    'early_stopping'
    """
    cls = obj if isinstance(obj, type) else type(obj)
    own = getattr(obj, "name", None)
    if isinstance(own, str) and own:
        return own
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", cls.__name__).lower()


class Callback:
    """Base class: every hook does nothing. Subclasses override what they need."""

    name: str | None = None

    def on_train_begin(self, run) -> None:
        """Called once before the first epoch."""

    def on_epoch_begin(self, run) -> None:
        """Called before each epoch (``run.epoch`` is the epoch about to run)."""

    def on_epoch_end(self, run) -> None:
        """Called after each epoch with ``run.logs``; ``run.stop(reason)`` ends training."""

    def on_train_end(self, run) -> None:
        """Called once at the end, also after a stop or an interruption."""


class _Best:
    """The best value of a monitored log so far, with Keras' min_delta rule."""

    def __init__(self, monitor: str, min_delta: float, mode: str = "auto"):
        self.monitor = monitor
        self.min_delta = float(min_delta)
        self.greater = greater_is_better(monitor) if mode == "auto" else mode == "max"
        self.value = None

    def update(self, logs) -> bool:
        """Whether ``logs[monitor]`` improves on the best (and remember it if so)."""
        value = logs.get(self.monitor)
        if value is None:
            raise ValueError(
                f"The 'monitor' parameter names {self.monitor!r}, which is not logged. "
                f"Logged values are {sorted(logs)}."
            )
        if self.value is None:
            better = True
        elif self.greater:
            better = value > self.value + self.min_delta
        else:
            better = value < self.value - self.min_delta
        if better:
            self.value = value
        return better


class LRScheduler(Callback):
    """Set the learning rate from an epoch-level schedule (:mod:`skdl.training.schedules`).

    Parameters
    ----------
    schedule : EpochSchedule
        Started at the network's learning rate when training begins.
    epochs : int
        Epochs of this fit, passed to ``schedule.start``.
    """

    name = "lr_schedule"

    def __init__(self, schedule, epochs: int):
        self.schedule = schedule
        self.epochs = epochs

    def on_train_begin(self, run):
        base = run.base_learning_rate
        self.schedule.start(run.network.learning_rate() if base is None else base, self.epochs)

    def on_epoch_begin(self, run):
        lr = self.schedule(run.epoch - run.start_epoch)
        if lr is not None:
            run.network.set_learning_rate(lr)
            run.learning_rate = lr

    def on_epoch_end(self, run):
        self.schedule.on_epoch_end(run.epoch - run.start_epoch, run.logs)


class DivergenceGuard(Callback):
    """Raise :class:`~skdl.exceptions.TrainingDivergedError` when the loss is not finite.

    Parameters
    ----------
    owner : str, default="The estimator"
        Named in the message.
    """

    name = "divergence_guard"

    def __init__(self, owner: str = "The estimator"):
        self.owner = owner

    def on_epoch_end(self, run):
        loss = run.logs.get("loss", 0.0)
        if not math.isfinite(loss):
            raise TrainingDivergedError(
                f"{self.owner} diverged: the training loss became {loss} at epoch "
                f"{run.epoch + 1} (learning rate {run.logs['learning_rate']:.3g}). Lower the "
                "learning rate, scale the inputs, or add gradient clipping (optimizer__clipnorm=1.0)."
            )


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : str, default="val_loss"
        A key of the epoch logs; its direction comes from
        :func:`skdl.utils.greater_is_better` unless ``mode`` says otherwise.
    patience : int or None, default=10
        ``None`` never stops (the best epoch is still tracked).
    min_delta : float, default=1e-4
    restore_best_weights : bool, default=True
        Put back the weights of the best epoch when training ends.
    mode : {"auto", "min", "max"}, default="auto"
    reason : str, default="early_stopping"
        Recorded as ``run.stop_reason``.

    Attributes
    ----------
    best_epoch_ : int or None
        Index in the history of the best epoch.
    best_value_ : float or None
    """

    name = "early_stopping"

    def __init__(self, monitor="val_loss", patience=10, min_delta=1e-4, restore_best_weights=True,
                 mode="auto", reason="early_stopping"):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights
        self.mode = mode
        self.reason = reason

    def on_train_begin(self, run):
        self._best = _Best(self.monitor, self.min_delta, self.mode)
        self._wait = 0
        self._snapshot = None
        self.best_epoch_ = None
        self.best_value_ = None

    def on_epoch_end(self, run):
        if self._best.update(run.logs):
            self.best_epoch_, self.best_value_, self._wait = run.epoch, self._best.value, 0
            if self.restore_best_weights:
                self._snapshot = run.network.snapshot()
        else:
            self._wait += 1
        if self.patience is not None and self._wait >= self.patience:
            run.stop(self.reason)

    def on_train_end(self, run):
        if self.restore_best_weights and self._snapshot is not None:
            run.network.restore(self._snapshot)
        self._snapshot = None


class Checkpoint(Callback):
    """Write the model to a ``.keras`` file, atomically, whenever ``monitor`` improves.

    Parameters
    ----------
    path : str or path-like
        Must end in ``.keras``; a reader never sees a half-written file.
    monitor : str, default="loss"
    min_delta : float, default=0.0
    """

    name = "checkpoint"

    def __init__(self, path, monitor="loss", min_delta=0.0):
        path = os.fspath(path)
        if not path.endswith(".keras"):
            raise ValueError(f"The 'checkpoint' parameter must be a path ending in '.keras'; got {path!r}.")
        self.path = path
        self.monitor = monitor
        self.min_delta = min_delta

    def on_train_begin(self, run):
        self._best = _Best(self.monitor, self.min_delta)

    def on_epoch_end(self, run):
        if self._best.update(run.logs):
            run.network.sync()
            with atomic_path(self.path, suffix=".keras") as tmp:
                run.network.model.save(tmp)


class EpochLogger(Callback):
    """Print one line per epoch with its logged values and wall time.

    For example ``epoch 3/20 - loss: 0.41 - accuracy: 0.88 - learning_rate: 0.001 - 0.02s``.

    Parameters
    ----------
    total : int
        The last epoch number shown.
    stream : file-like, default=None
        ``sys.stdout`` when None.
    """

    name = "epoch_logger"

    def __init__(self, total: int, stream=None):
        self.total = total
        self.stream = stream

    def on_epoch_end(self, run):
        parts = [f"epoch {run.epoch + 1}/{self.total}"]
        parts += [f"{k}: {v:.4g}" for k, v in run.logs.items()]
        parts.append(f"{run.epoch_seconds:.2f}s")
        print(" - ".join(parts), file=self.stream or sys.stdout, flush=True)


class ConvergenceCheck(Callback):
    """Record a ConvergenceWarning (``run.warnings``) when every epoch ran and ``monitor`` still improved.

    The estimator issues it after the fit's results are set, so a warnings
    filter set to "error" still leaves a fitted model.

    Parameters
    ----------
    owner : str
        Named in the message.
    monitor : str
    epochs : int
    auto : bool, default=False
        ``epochs`` came from ``epochs="auto"`` (a budget in weight updates),
        which the message then says.
    """

    name = "convergence_check"

    def __init__(self, owner: str, monitor: str, epochs: int, auto: bool = False):
        self.owner = owner
        self.monitor = monitor
        self.epochs = epochs
        self.auto = auto

    def on_train_end(self, run):
        if run.stop_reason is None and not run.interrupted:
            if self.auto:
                advice = ("epochs='auto' gave this many for the training rows (at most 10 000 weight "
                          "updates); set 'epochs' to an int to train longer, or raise 'patience'.")
            else:
                advice = "increase 'epochs' or 'patience'."
            run.warnings.append((
                f"{self.owner}: training ran all {self.epochs} epochs and the monitored "
                f"{self.monitor!r} was still improving; {advice}",
                ConvergenceWarning,
            ))


class InterruptWarning(Callback):
    """Record a TrainingInterruptedWarning (``run.warnings``) after Ctrl-C ended training."""

    name = "interrupt_warning"

    def __init__(self, owner: str):
        self.owner = owner

    def on_train_end(self, run):
        if run.interrupted:
            run.warnings.append((
                f"Training of {self.owner} was interrupted at epoch {run.epoch + 1}; the "
                "model keeps the weights it had (the best ones with early stopping).",
                TrainingInterruptedWarning,
            ))


class EpochHook(Callback):
    """Adapter for a plain object with ``on_epoch_end(epoch, logs)`` (e.g. a pruning callback).

    An exception it raises (``optuna.TrialPruned``) leaves ``fit``.
    """

    def __init__(self, inner):
        self.inner = inner
        self.name = callback_name(inner)

    def on_epoch_end(self, run):
        hook = getattr(self.inner, "on_epoch_end", None)
        if hook is not None:
            hook(run.epoch, run.logs)


class KerasCallback(Callback):
    """Adapter running a ``keras.callbacks.Callback`` at epoch level.

    The network's state is written into the Keras variables before the
    callback runs and read back after it, so a callback may look at or change
    weights and the learning rate; ``model.stop_training = True`` ends
    training. Batch-level hooks need the Keras engine (the estimator picks it).
    """

    def __init__(self, inner):
        self.inner = inner
        self.name = callback_name(inner)

    def on_train_begin(self, run):
        from skdl.training.runtime import overrides_hook

        self._acts_at_epoch_begin = overrides_hook(self.inner, ("on_epoch_begin",))
        self.inner.set_model(run.network.model)
        self.inner.on_train_begin()

    def on_epoch_begin(self, run):
        if not self._acts_at_epoch_begin:
            return
        # e.g. keras.callbacks.LearningRateScheduler sets the rate here: on JAX the
        # fit's state must be written out first and read back after
        net = run.network
        net.sync()
        self.inner.on_epoch_begin(run.epoch)
        net.begin()

    def on_epoch_end(self, run):
        net = run.network
        net.sync()
        self.inner.on_epoch_end(run.epoch, run.logs)
        net.begin()  # the callback may have changed weights or the learning rate
        model = net.model
        if getattr(model, "stop_training", False):
            model.stop_training = False
            run.stop("callback")

    def on_train_end(self, run):
        run.network.sync()
        self.inner.on_train_end()
        run.network.begin()
