"""The epoch loop and its callbacks, on a scripted fake network (no Keras)."""

import math

import numpy as np
import pytest

from skdl.exceptions import ConvergenceWarning, TrainingDivergedError, TrainingInterruptedWarning
from skdl.training import EpochData, run_epochs
from skdl.training import callbacks as cbs
from skdl.training.schedules import get_schedule


class FakeNetwork:
    """Plays back per-epoch losses; weights are the epoch number they were trained to."""

    def __init__(self, losses, val_losses=None, interrupt_at=None):
        self.losses = list(losses)
        self.val_losses = list(val_losses or [])
        self.interrupt_at = interrupt_at
        self.weights = 0
        self.lr = 0.1
        self.calls = []
        self.model = None

    def begin(self):
        self.calls.append("begin")

    def end(self):
        self.calls.append("end")

    def sync(self):
        self.calls.append("sync")

    def set_learning_rate(self, lr):
        self.lr = lr

    def learning_rate(self):
        return self.lr

    def train_epoch(self, X, y, w, index, batch_size, rng, shuffle=True):
        epoch = self.weights
        if epoch == self.interrupt_at:
            raise KeyboardInterrupt
        self.weights += 1
        return {"loss": self.losses[epoch]}

    def evaluate(self, X, y, w, batch_size=None, validation=False):
        return {"loss": self.val_losses[self.weights - 1]}

    def snapshot(self):
        return self.weights

    def restore(self, snap):
        self.weights = snap


def _data(validation=False):
    X = np.zeros((4, 1), np.float32)
    val = (X, X, np.ones(4, np.float32)) if validation else None
    return EpochData(X, X, np.ones(4, np.float32), np.arange(4), validation=val)


def _run(net, callbacks, epochs=None, validation=False):
    epochs = epochs or len(net.losses)
    return run_epochs(net, _data(validation), epochs=epochs, batch_size=2, rng=np.random.RandomState(0),
                      callbacks=callbacks)


def test_loop_logs_every_epoch_and_ends_the_network():
    net = FakeNetwork([3.0, 2.0, 1.0])
    run = _run(net, [])
    assert run.history == {"loss": [3.0, 2.0, 1.0], "learning_rate": [0.1] * 3}
    assert net.calls[0] == "begin" and net.calls[-1] == "end"
    assert run.stop_reason is None and not run.interrupted


def test_early_stopping_stops_after_patience_and_restores_best():
    net = FakeNetwork([1.0, 2.0, 2.0, 0.5], val_losses=[0.5, 0.9, 0.8, 0.1])
    stop = cbs.EarlyStopping("val_loss", patience=2, min_delta=0.0)
    run = _run(net, [stop], validation=True)
    assert len(run.history["loss"]) == 3 and run.stop_reason == "early_stopping"
    assert stop.best_epoch_ == 0 and net.weights == 1  # weights of epoch 0 restored


def test_early_stopping_direction_follows_the_metric():
    net = FakeNetwork([0.0] * 4)
    net.train_epoch = lambda *a, **k: {"loss": 0.0, "accuracy": [0.2, 0.5, 0.7, 0.9][len(run_logs)]}
    run_logs = []

    class Record(cbs.Callback):
        def on_epoch_end(self, run):
            run_logs.append(1)

    stop = cbs.EarlyStopping("accuracy", patience=1, min_delta=0.0, restore_best_weights=False)
    run = _run(net, [stop, Record()], epochs=4)
    assert run.stop_reason is None and stop.best_epoch_ == 3


def test_monitor_that_is_not_logged_is_an_error():
    with pytest.raises(ValueError, match="'val_auc', which is not logged.*'loss'"):
        _run(FakeNetwork([1.0]), [cbs.EarlyStopping("val_auc")])


def test_divergence_guard_raises_and_the_network_is_ended():
    net = FakeNetwork([1.0, math.nan])
    with pytest.raises(TrainingDivergedError, match="MLP diverged.*epoch 2"):
        _run(net, [cbs.DivergenceGuard("MLP")])
    assert net.calls[-1] == "end"


def test_lr_scheduler_sets_and_logs_the_rate():
    net = FakeNetwork([1.0] * 4)
    run = _run(net, [cbs.LRScheduler(get_schedule("step", drop=0.5, step_size=2), 4)])
    assert run.history["learning_rate"] == [0.1, 0.1, 0.05, 0.05]


def test_lr_scheduler_starts_from_the_given_rate_not_its_float32_copy():
    net = FakeNetwork([1.0] * 2)
    net.learning_rate = lambda: 0.10000000149011612  # what a float32 variable holds
    run = run_epochs(net, _data(), epochs=2, batch_size=2, rng=np.random.RandomState(0), learning_rate=0.1,
                     callbacks=[cbs.LRScheduler(get_schedule("step", drop=0.5, step_size=1), 2)])
    assert run.history["learning_rate"] == [0.1, 0.05]


def test_interrupt_ends_training_and_records_a_warning():
    net = FakeNetwork([1.0] * 5, interrupt_at=2)
    run = _run(net, [cbs.InterruptWarning("MLP")])
    assert run.interrupted and len(run.history["loss"]) == 2
    [(message, category)] = run.warnings
    assert category is TrainingInterruptedWarning and "interrupted at epoch 3" in message


def test_convergence_check_records_a_warning_only_when_every_epoch_ran():
    run = _run(FakeNetwork([3.0, 2.0, 1.0]), [cbs.EarlyStopping("loss", patience=5), cbs.ConvergenceCheck("M", "loss", 3)])
    [(message, category)] = run.warnings
    assert category is ConvergenceWarning and "ran all 3 epochs" in message
    run = _run(FakeNetwork([1.0, 2.0, 3.0]), [cbs.EarlyStopping("loss", patience=1), cbs.ConvergenceCheck("M", "loss", 3)])
    assert run.warnings == []


def test_epoch_hook_gets_epoch_and_logs_and_may_raise():
    seen = []

    class Pruner:
        def on_epoch_end(self, epoch, logs):
            seen.append((epoch, logs["loss"]))
            if epoch == 1:
                raise RuntimeError("pruned")

    with pytest.raises(RuntimeError, match="pruned"):
        _run(FakeNetwork([3.0, 2.0, 1.0]), [cbs.EpochHook(Pruner())])
    assert seen == [(0, 3.0), (1, 2.0)]


def test_epoch_logger_prints_one_line_per_epoch(capsys):
    _run(FakeNetwork([3.0, 2.0]), [cbs.EpochLogger(2)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2 - loss: 3 - learning_rate: 0.1")


def test_checkpoint_needs_a_keras_path(tmp_path):
    with pytest.raises(ValueError, match="ending in '.keras'"):
        cbs.Checkpoint(tmp_path / "model.h5")


def test_callback_names():
    assert cbs.callback_name(cbs.EarlyStopping) == "early_stopping"
    assert cbs.callback_name(cbs.EpochHook(object())) == "object"

    class ReduceLROnPlateau:
        pass

    assert cbs.callback_name(ReduceLROnPlateau) == "reduce_lr_on_plateau"
