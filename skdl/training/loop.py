"""The epoch loop of one fit: train, evaluate, log, call the callbacks.

Everything a fit does besides training an epoch (schedules, early stopping,
checkpoints, logging, Keras callbacks, pruning) is a callback
(:mod:`skdl.training.callbacks`), so the loop itself is short and the same for
every estimator and engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["EpochData", "TrainingRun", "run_epochs"]


@dataclass(frozen=True)
class EpochData:
    """What one fit trains and evaluates on, as the network takes it.

    Attributes
    ----------
    X, y, w : ndarray
        Inputs, encoded targets and per-row weights of all rows given to fit.
        X may also be a list/dict of inputs that slices by rows, or sparse
        (:class:`~skdl.training._sparse.SparseRows`: the engines densify the
        rows of each batch or chunk they take).
    train_index : ndarray of int
        Rows trained on (the rest of X may be the validation split).
    validation : tuple of (X, y, w) or None
        Logged with a ``val_`` prefix every epoch; early stopping may watch it.
    eval_set : tuple of (X, y, w) or None
        Logged with an ``eval_`` prefix every epoch; never used for stopping.
    shuffle : bool
        Shuffle the training rows every epoch.
    validation_batch_size : int or None
        Rows per batch when evaluating ``validation`` (the Keras engine; the
        compiled engines evaluate in their own fixed-size buckets, with the same
        result). None: the engine's default.
    """

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    train_index: np.ndarray
    validation: tuple | None = None
    eval_set: tuple | None = None
    shuffle: bool = True
    validation_batch_size: int | None = None


class TrainingRun:
    """The state of one run of :func:`run_epochs`, as the callbacks see it.

    Attributes
    ----------
    network : skdl network
        The engine being trained.
    history : dict of str to list of float
        Logs of every epoch so far (a continued fit starts with the old ones).
    epoch : int
        Index in ``history`` of the current epoch.
    start_epoch : int
        Index of this run's first epoch.
    logs : dict
        The current epoch's logs (in ``on_epoch_end``).
    learning_rate : float or None
        Set by a schedule for the current epoch; else the network's rate is logged.
    epoch_seconds : float
        Wall time of the current epoch's training and evaluation.
    stop_reason : str or None
        Why training ended early (``"early_stopping"``, ``"converged"``, ``"callback"``).
    interrupted : bool
        Ctrl-C ended training.
    base_learning_rate : float or None
        The rate the run started from, as given (not rounded to the optimizer's float32).
    warnings : list of (str, Warning subclass)
        Warnings callbacks raise about the outcome (convergence, interruption),
        for the caller to issue once the fit's results are in place.
    """

    def __init__(self, network, history: dict[str, list[float]]):
        self.network = network
        self.history = history
        self.start_epoch = len(history.get("loss", []))
        self.epoch = self.start_epoch - 1
        self.logs: dict[str, float] = {}
        self.learning_rate: float | None = None
        self.epoch_seconds = 0.0
        self.stop_reason: str | None = None
        self.interrupted = False
        self.base_learning_rate: float | None = None
        self.warnings: list[tuple[str, type[Warning]]] = []

    def stop(self, reason: str) -> None:
        """End training after this epoch (the first reason given is kept)."""
        if self.stop_reason is None:
            self.stop_reason = reason


def run_epochs(network, data: EpochData, *, epochs: int, batch_size: int, rng: np.random.RandomState,
               callbacks: list[Any] = (), history: dict[str, list[float]] | None = None,
               learning_rate: float | None = None) -> TrainingRun:
    """Train ``network`` for up to ``epochs`` epochs on ``data``, calling ``callbacks``.

    Ctrl-C ends training after the current batch chunk with ``run.interrupted``
    set (the network keeps its weights); any other exception, a callback's
    included, ends the network's fit and propagates.

    Parameters
    ----------
    network : skdl network
    data : EpochData
    epochs : int
    batch_size : int
    rng : numpy RandomState
        Draws the batches.
    callbacks : list of Callback
        Called in list order (see :mod:`skdl.training.callbacks`).
    history : dict, default=None
        Logs of earlier epochs to continue (warm start); a new dict when None.
    learning_rate : float, default=None
        Rate to start from (a pooled network still holds the previous fit's);
        None keeps the network's.

    Returns
    -------
    run : TrainingRun
        ``run.history`` holds one entry per epoch for every logged value.
    """
    run = TrainingRun(network, {} if history is None else history)
    network.begin()
    if learning_rate is not None:
        network.set_learning_rate(learning_rate)
        run.base_learning_rate = float(learning_rate)
    try:
        for cb in callbacks:
            cb.on_train_begin(run)
        try:
            for i in range(epochs):
                run.epoch = run.start_epoch + i
                run.learning_rate = None
                t0 = time.perf_counter()
                for cb in callbacks:
                    cb.on_epoch_begin(run)
                logs = network.train_epoch(data.X, data.y, data.w, data.train_index, batch_size, rng,
                                           shuffle=data.shuffle)
                if data.validation is not None:
                    logs.update({f"val_{k}": v for k, v in network.evaluate(
                        *data.validation, batch_size=data.validation_batch_size, validation=True).items()})
                if data.eval_set is not None:
                    logs.update({f"eval_{k}": v for k, v in network.evaluate(*data.eval_set).items()})
                logs["learning_rate"] = run.learning_rate if run.learning_rate is not None else network.learning_rate()
                for k, v in logs.items():
                    run.history.setdefault(k, []).append(float(v))
                run.logs = logs
                run.epoch_seconds = time.perf_counter() - t0
                for cb in callbacks:
                    cb.on_epoch_end(run)
                if run.stop_reason is not None:
                    break
        except KeyboardInterrupt:
            run.interrupted = True
        for cb in callbacks:
            cb.on_train_end(run)
    finally:
        network.end()
    return run
