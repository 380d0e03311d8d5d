"""The fit loop's controls: LR schedules, early stopping, checkpoints, divergence,
callbacks, metrics, optimizers and losses."""

import math
import os
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skdl import MLPClassifier, MLPRegressor
from skdl.estimators._targets import REGRESSION_LOSSES
from skdl.exceptions import TrainingDivergedError
from skdl.training.optimizers import OPTIMIZER_NAMES
from skdl.training.schedules import StepDecay

keras = pytest.importorskip("keras")

SMALL = dict(hidden_layer_sizes=(4,), random_state=0, batch_size=16)


@pytest.fixture(scope="module")
def clf_data():
    rng = np.random.RandomState(0)
    X = rng.rand(64, 3).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.rand(64) > 0.6).astype(int)
    return X, y


@pytest.fixture(scope="module")
def reg_data():
    rng = np.random.RandomState(0)
    X = rng.rand(64, 3).astype(np.float32)
    return X, X.sum(axis=1) + 0.5


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class OptimizerRate(keras.callbacks.Callback):
    """Records the rate the optimizer holds at the end of every epoch."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(float(np.asarray(self.model.optimizer.learning_rate)))


# ------------------------------------------------------------------- schedules
B = 0.1
E = 6


def _halve_after_first(epoch, lr):
    return lr * 0.5 if epoch else lr


SCHEDULES = {
    "step": (dict(lr_schedule="step", lr_schedule__step_size=2), lambda t: B * 0.5 ** (t // 2)),
    "step_instance": (dict(lr_schedule=StepDecay(drop=0.1, step_size=3)), lambda t: B * 0.1 ** (t // 3)),
    "exponential": (dict(lr_schedule="exponential", lr_schedule__decay_rate=0.8), lambda t: B * 0.8**t),
    "time_based": (dict(lr_schedule="time_based", lr_schedule__decay_rate=0.5), lambda t: B / (1 + 0.5 * t)),
    "cosine": (dict(lr_schedule="cosine"), lambda t: B * (1 + math.cos(math.pi * t / E)) / 2),
    "cosine_min": (
        dict(lr_schedule="cosine", lr_schedule__min_lr=0.01, lr_schedule__t_max=4),
        lambda t: 0.01 + (B - 0.01) * (1 + math.cos(math.pi * min(t, 4) / 4)) / 2,
    ),
    "cosine_restarts": (
        dict(lr_schedule="cosine_restarts", lr_schedule__t_0=2, lr_schedule__t_mult=2),
        # cycles of 2 then 4 epochs: t_cur = 0, 1 | 0, 1, 2, 3
        lambda t: B * (1 + math.cos(math.pi * [0, 1, 0, 1, 2, 3][t] / [2, 2, 4, 4, 4, 4][t])) / 2,
    ),
    "warmup": (dict(lr_schedule="warmup", lr_schedule__warmup_epochs=3), lambda t: B * min(t + 1, 3) / 3),
    "keras_function": (dict(lr_schedule=_halve_after_first), lambda t: B * 0.5**t),
    # min_delta so large that only the first epoch improves: with patience=1 the
    # rate halves after every epoch from the second on (applied the epoch after)
    "plateau": (
        dict(
            lr_schedule="plateau",
            lr_schedule__monitor="loss",
            lr_schedule__factor=0.5,
            lr_schedule__patience=1,
            lr_schedule__min_delta=1e9,
        ),
        lambda t: B * 0.5 ** max(t - 1, 0),
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_learning_rate_per_epoch_follows_the_schedule(name, clf_data):
    X, y = clf_data
    params, formula = SCHEDULES[name]
    probe = OptimizerRate()
    clf = MLPClassifier(optimizer="sgd", learning_rate=B, epochs=E, patience=None, **SMALL, **params)
    clf.fit(X, y, callbacks=[probe])
    expected = [formula(t) for t in range(E)]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-6)
    # the optimizer really trained with that rate (float32 variable)
    np.testing.assert_allclose(probe.rates, expected, rtol=1e-6)


def test_schedule_options_without_schedule_or_unknown_are_errors(clf_data):
    X, y = clf_data
    with pytest.raises(ValueError, match="Unknown option 'stepsize'.*Did you mean 'step_size'"):
        MLPClassifier(lr_schedule="step", lr_schedule__stepsize=2, epochs=1, **SMALL).fit(X, y)


# ----------------------------------------------------- early stopping, checkpoint
def _overfitting_regression():
    rng = np.random.RandomState(1)
    X = rng.rand(100, 10).astype(np.float32)
    y = X[:, 0] + rng.normal(scale=1.0, size=100)
    return X, y


def test_early_stopping_restores_the_best_weights_and_checkpoints_them(tmp_path):
    X, y = _overfitting_regression()
    ckpt = tmp_path / "sub" / "best.keras"
    reg = MLPRegressor(
        hidden_layer_sizes=(64, 64), learning_rate=0.01, batch_size=16, epochs=60,
        early_stopping=True, validation_fraction=0.3, patience=5, min_delta=0.0,
        checkpoint=ckpt, random_state=0,
    ).fit(X, y)
    val = reg.history_["val_loss"]
    assert reg.best_epoch_ == int(np.argmin(val))
    assert reg.n_iter_ == reg.best_epoch_ + 1 + 5 < 60  # stopped by patience
    assert val[-1] > val[reg.best_epoch_]  # so restoring matters
    # recompute the validation rows exactly as fit drew them
    from skdl.estimators._data import split_validation

    y_enc = reg.target_encoder_.transform(y)
    _, val_idx = split_validation("MLPRegressor", len(X), 0.3, None, np.random.RandomState(0))
    assert len(val_idx) == 30
    got = reg.model_.evaluate(X[val_idx], y_enc[val_idx], verbose=0, return_dict=True)["loss"]
    np.testing.assert_allclose(got, val[reg.best_epoch_], rtol=1e-4)
    # the checkpoint is a loadable .keras file holding the best epoch's model
    assert os.listdir(ckpt.parent) == ["best.keras"]
    saved = keras.saving.load_model(ckpt)
    np.testing.assert_allclose(saved.predict(X, verbose=0), reg.model_.predict(X, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(
        reg.predict(X), saved.predict(X, verbose=0).ravel() * reg.target_encoder_.scale_[0] + reg.target_encoder_.mean_[0], rtol=1e-5
    )


def test_checkpoint_without_early_stopping_tracks_training_loss(tmp_path, reg_data):
    X, y = reg_data
    ckpt = tmp_path / "ck.keras"
    reg = MLPRegressor(epochs=4, checkpoint=str(ckpt), patience=None, learning_rate=0.01, **SMALL).fit(X, y)
    loss = reg.history_["loss"]
    saved = keras.saving.load_model(ckpt)
    if int(np.argmin(loss)) == len(loss) - 1:  # the last epoch was the best
        np.testing.assert_allclose(saved.predict(X, verbose=0), reg.model_.predict(X, verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="'checkpoint' parameter must be a path ending in '.keras'"):
        MLPRegressor(epochs=1, checkpoint=tmp_path / "ck.h5", **SMALL).fit(X, y)


# ------------------------------------------------------------------ divergence
@pytest.mark.parametrize(
    "params, scale",
    [(dict(optimizer="sgd", learning_rate=1e6), 1.0), (dict(), 1e30)],
    ids=["huge_lr", "huge_inputs"],
)
def test_divergence_raises_and_leaves_no_partial_checkpoint(tmp_path, reg_data, params, scale):
    X, y = reg_data
    ckpt = tmp_path / "ck.keras"
    reg = MLPRegressor(epochs=5, checkpoint=ckpt, patience=None, **SMALL, **params)
    with pytest.raises(TrainingDivergedError, match=r"diverged: the training loss became .* at epoch \d.*Lower the learning rate"):
        reg.fit(X * scale, y)
    assert not hasattr(reg, "model_") and not hasattr(reg, "history_")
    leftovers = os.listdir(tmp_path)
    assert leftovers in ([], ["ck.keras"]), leftovers  # no temporary files
    if leftovers:  # a checkpoint from before the divergence is complete and finite
        saved = keras.saving.load_model(ckpt)
        assert np.isfinite(saved.predict(X, verbose=0)).all()
    assert issubclass(TrainingDivergedError, ArithmeticError)


# ------------------------------------------------------------------- callbacks
class Recorder(keras.callbacks.Callback):
    """Keeps what it saw; every instance that trains registers itself."""

    trained = []

    def __init__(self, tag=None):
        super().__init__()
        self.tag = tag
        self.epochs = []
        self.calls = {}

    def _count(self, hook):
        self.calls[hook] = self.calls.get(hook, 0) + 1

    def on_train_begin(self, logs=None):
        Recorder.trained.append(self)
        self._count("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self._count("epoch_begin")

    def on_epoch_end(self, epoch, logs=None):
        self._count("epoch_end")
        self.epochs.append(epoch)

    def on_train_end(self, logs=None):
        self._count("train_end")


class BatchRecorder(Recorder):
    def on_train_batch_end(self, batch, logs=None):
        self._count("batch_end")


def test_callback_instances_are_copied_per_fit(clf_data):
    X, y = clf_data
    Recorder.trained = []
    mine = Recorder(tag="mine")
    est = MLPClassifier(epochs=2, patience=None, callbacks=[mine], **SMALL)
    first, second = clone(est), clone(est)
    first.fit(X, y)
    second.fit(X, y)
    first.fit(X, y)  # a refit gets a fresh copy too
    assert mine.epochs == [] and mine.calls == {}
    assert est.callbacks[0] is mine and first.get_params()["callbacks"][0].epochs == []
    used = Recorder.trained
    assert len(used) == 3 and len({id(cb) for cb in used}) == 3 and mine not in used
    for cb in used:
        assert cb.tag == "mine" and cb.epochs == [0, 1]
        assert cb.calls == {"train_begin": 1, "epoch_begin": 2, "epoch_end": 2, "train_end": 1}


def test_callback_classes_are_built_with_routed_options(clf_data):
    X, y = clf_data
    Recorder.trained = []
    MLPClassifier(epochs=2, patience=None, callbacks=[Recorder], callbacks__tag="routed", **SMALL).fit(X, y)
    (cb,) = Recorder.trained
    assert type(cb) is Recorder and cb.tag == "routed" and cb.epochs == [0, 1]


def test_fit_time_callbacks_are_used_as_given_and_may_stop_training(clf_data):
    X, y = clf_data
    seen = []

    class Plain:
        def on_epoch_end(self, epoch, logs):
            seen.append((epoch, sorted(logs)))

    MLPClassifier(epochs=2, patience=None, **SMALL).fit(X, y, callbacks=[Plain()])
    assert seen == [(0, ["accuracy", "learning_rate", "loss"]), (1, ["accuracy", "learning_rate", "loss"])]

    class Prune(Exception):
        pass

    class Pruner:
        def on_epoch_end(self, epoch, logs):
            raise Prune

    clf = MLPClassifier(epochs=3, **SMALL)
    with pytest.raises(Prune):
        clf.fit(X, y, callbacks=[Pruner()])
    assert not hasattr(clf, "model_")


def test_keras_early_stopping_callback_stops_the_loop(clf_data):
    X, y = clf_data
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    clf = MLPClassifier(epochs=10, patience=None, callbacks=[stop], **SMALL).fit(X, y)
    assert clf.n_iter_ == 2  # the first epoch sets the baseline, the second does not improve


def test_batch_level_callback_falls_back_to_the_keras_engine(clf_data):
    X, y = clf_data
    cb = BatchRecorder()
    probe = OptimizerRate()
    clf = MLPClassifier(
        epochs=3, patience=None, optimizer="sgd", learning_rate=0.1, lr_schedule="step",
        lr_schedule__step_size=1, **SMALL,
    ).fit(X, y, callbacks=[cb, probe])
    assert type(clf._network).__name__ == "KerasFitNetwork"
    # hooks fire exactly as in one model.fit of 3 epochs: 64 rows / 16 = 4 batches
    assert cb.calls == {"train_begin": 1, "epoch_begin": 3, "batch_end": 12, "epoch_end": 3, "train_end": 1}
    assert cb.epochs == [0, 1, 2]
    np.testing.assert_allclose(clf.history_["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(probe.rates, [0.1, 0.05, 0.025], rtol=1e-6)
    assert set(clf.history_) == {"loss", "accuracy", "learning_rate"}
    assert clf.predict(X).shape == (64,) and clf.score(X, y) > 0


# --------------------------------------------------------------------- metrics
def test_training_metrics_beyond_loss_are_logged(clf_data):
    X, y = clf_data
    X2, y2 = np.vstack([X] * 2), np.hstack([y] * 2)
    clf = MLPClassifier(epochs=2, patience=None, metrics=["accuracy", "auc"], early_stopping=True,
                        validation_fraction=0.3, **SMALL)
    clf.fit(X2, y2, eval_set=(X, y))
    assert set(clf.history_) == {
        "loss", "accuracy", "auc", "val_loss", "val_accuracy", "val_auc",
        "eval_loss", "eval_accuracy", "eval_auc", "learning_rate",
    }
    assert all(len(v) == 2 for v in clf.history_.values())
    assert all(0 <= v <= 1 for v in clf.history_["val_auc"])
    # a second, rebuilt network keeps the plain names (no "auc_1")
    clf.set_params(hidden_layer_sizes=(5,)).fit(X2, y2)
    assert "auc" in clf.history_ and not any(k.endswith("_1") for k in clf.history_)
    reg = MLPRegressor(epochs=1, metrics=["mae", "mse"], **SMALL).fit(X, y.astype(float))
    assert set(reg.history_) == {"loss", "mae", "mse", "learning_rate"}


# ------------------------------------------------------------------ optimizers
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_every_optimizer_by_name(name, clf_data):
    X, y = clf_data
    clf = MLPClassifier(optimizer=name, learning_rate=0.01, epochs=1, **SMALL).fit(X, y)
    assert type(clf.model_.optimizer).__name__.lower() == name
    assert np.isfinite(clf.history_["loss"]).all()
    np.testing.assert_allclose(clf.history_["learning_rate"], [0.01], rtol=1e-6)


def test_optimizer_options_are_routed(clf_data):
    X, y = clf_data
    clf = MLPClassifier(optimizer="sgd", optimizer__momentum=0.9, optimizer__nesterov=True,
                        optimizer__clipnorm=1.0, epochs=1, **SMALL).fit(X, y)
    opt = clf.model_.optimizer
    assert (opt.momentum, opt.nesterov, opt.clipnorm) == (0.9, True, 1.0)
    with pytest.raises(ValueError, match=r"Unknown option 'momentun' for optimizer SGD.*Valid options are \[.*'momentum', 'nesterov'.*Did you mean 'optimizer__momentum'"):
        MLPClassifier(optimizer="sgd", optimizer__momentun=0.9, epochs=1, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown option 'nesterov' for optimizer Adam.*'beta_1'"):
        MLPClassifier(optimizer="adam", optimizer__nesterov=True, epochs=1, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="'optimizer' parameter of MLPClassifier must be"):
        MLPClassifier(optimizer="adamm", epochs=1, **SMALL).fit(X, y)


# ---------------------------------------------------------------------- losses
# Long names are Keras aliases of the short ones; each distinct loss trains once.
_ALIASES = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "mean_absolute_percentage_error": "mape",
    "mean_squared_logarithmic_error": "msle",
}


def test_regression_loss_aliases_resolve_to_the_same_loss():
    assert set(_ALIASES) <= REGRESSION_LOSSES and set(_ALIASES.values()) <= REGRESSION_LOSSES
    for long, short in _ALIASES.items():
        assert keras.losses.get(long) is keras.losses.get(short)


@pytest.mark.parametrize("loss", sorted(REGRESSION_LOSSES - set(_ALIASES)))
def test_every_regression_loss_name(loss, reg_data):
    X, y = reg_data  # positive targets, so msle, poisson and mape are defined
    reg = MLPRegressor(loss=loss, epochs=2, patience=None, **SMALL).fit(X, y)
    assert np.isfinite(reg.history_["loss"]).all()
    assert np.isfinite(reg.predict(X)).all()


def test_loss_options_and_unknown_losses(reg_data):
    X, y = reg_data
    reg = MLPRegressor(loss="huber", loss__delta=0.25, epochs=1, **SMALL).fit(X, y)
    assert reg.model_.loss._fn_kwargs["delta"] == 0.25  # Keras keeps it out of get_config
    with pytest.raises(ValueError, match="'loss' parameter of MLPRegressor must be a Keras loss name"):
        MLPRegressor(loss="msqe", epochs=1, **SMALL).fit(X, y)


def test_loss_that_does_not_match_the_output_is_an_error(clf_data):
    X, y = clf_data
    y3 = np.arange(len(X)) % 3
    with pytest.raises(ValueError, match="loss='binary_crossentropy' needs one sigmoid output unit per label.*3 units for a multiclass target"):
        MLPClassifier(loss="binary_crossentropy", epochs=1, **SMALL).fit(X, y3)
    with pytest.raises(ValueError, match="loss='categorical_crossentropy' needs a softmax output with one unit per class.*1 unit"):
        MLPClassifier(loss="categorical_crossentropy", epochs=1, **SMALL).fit(X, y)
    # the matching forced losses train
    clf = MLPClassifier(loss="categorical_crossentropy", epochs=1, **SMALL).fit(X, y3)
    assert clf.predict_proba(X).shape == (len(X), 3)


# ------------------------------------------------- budgets in updates ("auto")
@pytest.mark.parametrize("rows, batch, expected", [
    (150, 32, 200),       # 5 updates an epoch: the 200-epoch ceiling
    (1600, 32, 200),      # 50 an epoch: exactly 10 000 updates
    (10_000, 32, 32),     # 313 an epoch
    (50_000, 32, 10),     # 1 563 an epoch: the 10-epoch floor
    (50_000, 200, 40),    # batch_size="auto" on 50 000 rows
])
def test_auto_epochs_give_at_most_the_budget_of_updates(rows, batch, expected):
    from skdl.estimators._data import AUTO_EPOCHS_RANGE, AUTO_UPDATES, auto_epochs

    assert (AUTO_UPDATES, AUTO_EPOCHS_RANGE) == (10_000, (10, 200))
    assert auto_epochs(rows, batch) == expected
    assert MLPClassifier().epochs == "auto" and MLPRegressor().epochs == "auto"


@pytest.mark.parametrize("batch_size, expected", [(16, 10), ("auto", 30)])
def test_epochs_auto_trains_for_the_budget_on_the_fits_own_rows(monkeypatch, clf_data, batch_size, expected):
    import skdl.estimators._data as data_module

    monkeypatch.setattr(data_module, "AUTO_UPDATES", 30)
    X, y = clf_data  # 64 rows: batch 16 makes 4 updates an epoch (8 epochs, raised to 10); "auto" is one batch
    clf = MLPClassifier(**{**SMALL, "batch_size": batch_size}, epochs="auto", patience=None).fit(X, y)
    assert clf.n_iter_ == expected
    assert clf.epochs == "auto"  # the parameter keeps what the user gave
    # the fit option is resolved the same way
    assert MLPClassifier(**SMALL, patience=None).fit(X, y, epochs="auto").n_iter_ == 10


def test_batch_size_auto_is_sklearns_rule_and_works_for_predict(clf_data):
    from skdl.estimators._data import resolve_batch_size

    assert resolve_batch_size("auto", 64, owner="X") == 64
    assert resolve_batch_size("auto", 5000, owner="X") == 200
    X, y = clf_data
    clf = MLPClassifier(**{**SMALL, "batch_size": "auto"}, epochs=2).fit(X, y)
    assert clf.predict_proba(X).shape == (64, 2)


@pytest.mark.parametrize("param, value", [("epochs", "aut"), ("batch_size", "Auto"), ("epochs", 0)])
def test_bad_epochs_or_batch_size_name_the_allowed_values(clf_data, param, value):
    X, y = clf_data
    with pytest.raises(ValueError, match=rf"'{param}' parameter of MLPClassifier must be an int in the range "
                                         rf"\[1, inf\) or a str among {{'auto'}}. Got {value!r}"):
        MLPClassifier(**{**SMALL, param: value}).fit(X, y)
    with pytest.raises(ValueError, match=r"'epochs' fit option of MLPClassifier must be an int >= 1 or 'auto'"):
        MLPClassifier(**SMALL).fit(X, y, epochs="many")


def test_a_fit_that_uses_its_whole_auto_budget_says_how_to_train_longer(monkeypatch, clf_data):
    import skdl.estimators._data as data_module

    monkeypatch.setattr(data_module, "AUTO_UPDATES", 30)
    X, y = clf_data
    with pytest.warns(ConvergenceWarning, match=r"ran all 10 epochs.*epochs='auto' gave this many.*set 'epochs' "
                                                r"to an int"):
        with warnings.catch_warnings():
            warnings.simplefilter("always", ConvergenceWarning)  # the module's autouse fixture ignores them
            MLPClassifier(**SMALL, patience=50).fit(X, y)
