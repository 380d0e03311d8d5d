"""Epoch-level learning-rate schedules: formulas, state, copies and errors."""

import copy
import functools
import pickle
import warnings

import numpy as np
import pytest

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

EPOCHS = 40


def rates(schedule, base_lr=0.1, epochs=EPOCHS):
    schedule.start(base_lr, epochs)
    return np.array([schedule(epoch) for epoch in range(epochs)])


def run_plateau(schedule, values, base_lr=1.0, key="val_loss"):
    """Drive a plateau schedule with one monitored value per epoch."""
    schedule.start(base_lr, len(values))
    used = []
    for epoch, value in enumerate(values):
        used.append(schedule(epoch))
        schedule.on_epoch_end(epoch, {"loss": 1.0, key: value})
    return np.array(used)


def halve_every_third(epoch, lr):
    """Module-level (so picklable) Keras-style schedule function."""
    return lr * 0.5 if epoch and epoch % 3 == 0 else lr


t = np.arange(EPOCHS)


# --------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------
@pytest.mark.parametrize("base_lr", [0.1, 3e-4])
def test_constant(base_lr):
    np.testing.assert_allclose(rates(ConstantLR(), base_lr), np.full(EPOCHS, base_lr))


@pytest.mark.parametrize("drop, step_size", [(0.5, 10), (0.1, 1), (0.9, 7), (1.0, 3)])
def test_step_decay(drop, step_size):
    expected = 0.1 * drop ** np.floor(t / step_size)
    np.testing.assert_allclose(rates(StepDecay(drop=drop, step_size=step_size)), expected)


@pytest.mark.parametrize("decay_rate", [0.9, 0.5, 0.99, 1.0])
def test_exponential_decay(decay_rate):
    expected = 0.1 * decay_rate**t
    np.testing.assert_allclose(rates(ExponentialDecay(decay_rate=decay_rate)), expected)


def test_exponential_decay_matches_course_exp_form():
    k = 0.1  # the course writes lr0 * exp(-k t)
    np.testing.assert_allclose(
        rates(ExponentialDecay(decay_rate=np.exp(-k))), 0.1 * np.exp(-k * t)
    )


@pytest.mark.parametrize("decay_rate", [0.01, 0.5, 0.0])
def test_inverse_time_decay(decay_rate):
    expected = 0.1 / (1 + decay_rate * t)
    np.testing.assert_allclose(rates(InverseTimeDecay(decay_rate=decay_rate)), expected)


@pytest.mark.parametrize(
    "min_lr, t_max", [(0.0, None), (0.01, None), (0.0, 10), (1e-3, 25)]
)
def test_cosine_annealing(min_lr, t_max):
    period = EPOCHS if t_max is None else t_max
    expected = min_lr + (0.1 - min_lr) * (1 + np.cos(np.pi * np.minimum(t, period) / period)) / 2
    got = rates(CosineAnnealing(min_lr=min_lr, t_max=t_max))
    np.testing.assert_allclose(got, expected)
    assert got[0] == pytest.approx(0.1)
    if t_max is not None:  # held at min_lr once the half cosine is over
        np.testing.assert_allclose(got[period:], min_lr)


def test_cosine_annealing_t_max_follows_epochs_of_each_fit():
    schedule = CosineAnnealing()
    short, long = rates(schedule, epochs=10), rates(schedule, epochs=40)
    assert short[5] == pytest.approx(0.05)
    assert long[20] == pytest.approx(0.05)


def sgdr_expected(t_0, t_mult, min_lr, base_lr=0.1, epochs=EPOCHS):
    """SGDR written independently: restart epochs from the cycle lengths."""
    lengths = [t_0]
    while sum(lengths) < epochs:
        lengths.append(lengths[-1] * t_mult)
    t_cur = np.concatenate([np.arange(n) for n in lengths])[:epochs]
    period = np.concatenate([np.full(n, n) for n in lengths])[:epochs]
    return min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * t_cur / period)) / 2


@pytest.mark.parametrize(
    "t_0, t_mult, min_lr", [(10, 1, 0.0), (7, 1, 0.01), (5, 2, 0.0), (3, 3, 1e-3), (1, 2, 0.0)]
)
def test_warm_restarts_formula(t_0, t_mult, min_lr):
    got = rates(CosineAnnealingWarmRestarts(t_0=t_0, t_mult=t_mult, min_lr=min_lr))
    np.testing.assert_allclose(got, sgdr_expected(t_0, t_mult, min_lr))


@pytest.mark.parametrize(
    "t_mult, restarts", [(1, [0, 10, 20, 30]), (2, [0, 10, 30])]
)
def test_warm_restarts_restart_at_the_right_epochs(t_mult, restarts):
    got = rates(CosineAnnealingWarmRestarts(t_0=10, t_mult=t_mult))
    at_base = np.flatnonzero(np.isclose(got, 0.1))
    np.testing.assert_array_equal(at_base, restarts)
    # the rate only ever goes up at a restart
    rises = np.flatnonzero(np.diff(got) > 0) + 1
    np.testing.assert_array_equal(rises, restarts[1:])


def test_warm_restarts_long_horizon_t_mult_2():
    schedule = CosineAnnealingWarmRestarts(t_0=1, t_mult=2)
    schedule.start(1.0, 10)
    for restart in [0, 1, 3, 7, 15, 31, 63, 1023]:
        assert schedule(restart) == pytest.approx(1.0)


# --------------------------------------------------------------------------
# warm-up
# --------------------------------------------------------------------------
@pytest.mark.parametrize("warmup_epochs, start_factor", [(5, 0.0), (4, 0.2), (1, 0.0)])
def test_warmup_ramps_linearly_then_constant(warmup_epochs, start_factor):
    got = rates(LinearWarmup(warmup_epochs=warmup_epochs, start_factor=start_factor))
    w = np.arange(warmup_epochs)
    ramp = 0.1 * (start_factor + (1 - start_factor) * (w + 1) / warmup_epochs)
    np.testing.assert_allclose(got[:warmup_epochs], ramp)
    np.testing.assert_allclose(got[warmup_epochs:], 0.1)
    assert np.all(got > 0)  # no epoch wasted at rate 0
    if warmup_epochs > 1:
        assert np.allclose(np.diff(got[:warmup_epochs]), np.diff(ramp)[0])


@pytest.mark.parametrize(
    "after, expected_after",
    [
        ("cosine", lambda r: 0.1 * (1 + np.cos(np.pi * r / 35)) / 2),
        (StepDecay(drop=0.5, step_size=4), lambda r: 0.1 * 0.5 ** (r // 4)),
        ("exponential", lambda r: 0.1 * 0.9**r),
    ],
)
def test_warmup_then_follows_next_schedule_on_remaining_epochs(after, expected_after):
    got = rates(LinearWarmup(warmup_epochs=5, after=after))
    np.testing.assert_allclose(got[5:], expected_after(np.arange(EPOCHS - 5)))


def test_warmup_cosine_alias_and_after_options():
    schedule = get_schedule("warmup_cosine", warmup_epochs=3, after__min_lr=0.01)
    assert isinstance(schedule, LinearWarmup)
    assert isinstance(schedule._after, CosineAnnealing)
    got = rates(schedule, epochs=13)
    np.testing.assert_allclose(got[:3], 0.1 * np.arange(1, 4) / 3)
    r = np.arange(10)
    np.testing.assert_allclose(got[3:], 0.01 + 0.09 * (1 + np.cos(np.pi * r / 10)) / 2)


def test_warmup_longer_than_fit_only_ramps():
    got = rates(LinearWarmup(warmup_epochs=10, after="cosine"), epochs=4)
    np.testing.assert_allclose(got, 0.1 * np.arange(1, 5) / 10)


def test_warmup_forwards_logs_to_plateau_after_warmup_only():
    schedule = LinearWarmup(
        warmup_epochs=3, after=ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)
    )
    schedule.start(1.0, 10)
    used = []
    for epoch in range(7):
        used.append(schedule(epoch))
        schedule.on_epoch_end(epoch, {"loss": 5.0})  # flat from the start
    # warm-up epochs are not counted; after it: best, bad -> halve, bad -> halve
    np.testing.assert_allclose(used, [1 / 3, 2 / 3, 1.0, 1.0, 1.0, 0.5, 0.25])


def test_warmup_does_not_modify_the_given_after_schedule():
    after = StepDecay(step_size=2)
    schedule = LinearWarmup(after=after)
    rates(schedule)
    assert not hasattr(after, "base_lr_")


# --------------------------------------------------------------------------
# reduce on plateau
# --------------------------------------------------------------------------
def test_plateau_reduces_after_patience_bad_epochs():
    values = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    got = run_plateau(ReduceLROnPlateau(patience=2, factor=0.5), values)
    # epochs 3, 4 are bad -> reduced for epoch 5; 5, 6 bad -> reduced for 7
    np.testing.assert_allclose(got, [1, 1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25])


def test_plateau_patience_zero_reduces_after_every_bad_epoch():
    got = run_plateau(ReduceLROnPlateau(patience=0, factor=0.5), [1.0, 1.0, 1.0, 0.5])
    np.testing.assert_allclose(got, [1, 1, 0.5, 0.25])


def test_plateau_min_delta():
    # improvements of 0.01 do not count when min_delta is 0.05
    values = [1.0, 0.99, 0.98, 0.97, 0.96]
    got = run_plateau(ReduceLROnPlateau(patience=2, factor=0.5, min_delta=0.05), values)
    np.testing.assert_allclose(got, [1, 1, 1, 0.5, 0.5])
    got = run_plateau(ReduceLROnPlateau(patience=2, factor=0.5, min_delta=0.0), values)
    np.testing.assert_allclose(got, np.ones(5))


def test_plateau_cooldown():
    values = [1.0] * 10
    got = run_plateau(ReduceLROnPlateau(patience=1, factor=0.5, cooldown=2), values)
    # reduce after epoch 1; epochs 2, 3 cool down; epoch 4 is bad -> reduce
    np.testing.assert_allclose(got, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125])


def test_plateau_min_lr():
    got = run_plateau(ReduceLROnPlateau(patience=0, factor=0.1, min_lr=0.005), [1.0] * 6)
    np.testing.assert_allclose(got, [1, 1, 0.1, 0.01, 0.005, 0.005])


@pytest.mark.parametrize(
    "monitor, mode, resolved",
    [
        ("val_loss", "auto", "min"),
        ("val_accuracy", "auto", "max"),
        ("eval_auc", "auto", "max"),
        ("val_mean_squared_error", "auto", "min"),
        ("val_loss", "max", "max"),
        ("val_accuracy", "min", "min"),
    ],
)
def test_plateau_mode(monitor, mode, resolved):
    rising = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    got = run_plateau(ReduceLROnPlateau(monitor=monitor, mode=mode, patience=1, factor=0.5), rising, key=monitor)
    if resolved == "max":  # rising is improving: never reduced
        np.testing.assert_allclose(got, np.ones(6))
    else:  # rising is getting worse every epoch
        np.testing.assert_allclose(got, [1, 1, 0.5, 0.25, 0.125, 0.0625])


def test_plateau_falls_back_to_loss_with_one_warning():
    schedule = ReduceLROnPlateau(monitor="val_accuracy", patience=1, factor=0.5)
    with pytest.warns(UserWarning, match=r"'val_accuracy'.*not in the epoch logs.*'loss'") as record:
        schedule.start(1.0, 5)
        used = []
        for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7, 0.8]):
            used.append(schedule(epoch))
            schedule.on_epoch_end(epoch, {"loss": loss})
    assert len(record) == 1
    assert record[0].category.__name__ == "SkdlWarning"
    # minimised even though val_accuracy would be maximised
    np.testing.assert_allclose(used, [1, 1, 1, 0.5, 0.25])
    assert schedule.monitor_used_ == "loss"
    with pytest.warns(UserWarning):  # warned again in the next fit
        run_plateau(schedule, [1.0], key="loss")


def test_plateau_ignores_logs_without_monitor_or_loss():
    schedule = ReduceLROnPlateau(patience=0)
    schedule.start(1.0, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schedule.on_epoch_end(0, {})
        schedule.on_epoch_end(1, {"accuracy": 0.3})
    assert schedule(2) == 1.0


def test_plateau_nan_is_a_bad_epoch():
    got = run_plateau(ReduceLROnPlateau(patience=1, factor=0.5), [1.0, float("nan"), 1.0])
    np.testing.assert_allclose(got, [1, 1, 0.5])


# --------------------------------------------------------------------------
# callables
# --------------------------------------------------------------------------
def test_callable_keras_style_gets_previous_rate():
    got = rates(get_schedule(halve_every_third), base_lr=0.8, epochs=10)
    np.testing.assert_allclose(got, [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1])


def test_callable_course_time_based_decay():
    decay = 0.1  # the course's Keras callback compounds the division

    def course(epoch, lr):
        return lr * 1 / (1 + decay * epoch)

    got = rates(get_schedule(course), epochs=6)
    np.testing.assert_allclose(got, 0.1 / np.cumprod(1 + decay * np.arange(6)))


def test_callable_is_idempotent_and_order_independent():
    schedule = get_schedule(halve_every_third)
    schedule.start(0.8, 10)
    assert schedule(9) == pytest.approx(0.1)
    assert schedule(3) == schedule(3) == pytest.approx(0.4)


def test_callable_one_argument():
    got = rates(get_schedule(lambda epoch: 0.1 / (epoch + 1)), epochs=4)
    np.testing.assert_allclose(got, [0.1, 0.05, 0.1 / 3, 0.025])


def test_callable_bad_return():
    schedule = get_schedule(lambda epoch, lr: None)
    schedule.start(0.1, 3)
    with pytest.raises(ValueError, match=r"must return a finite float >= 0.*epoch 0"):
        schedule(0)


# --------------------------------------------------------------------------
# state, copies, pickling
# --------------------------------------------------------------------------
ALL_SCHEDULES = [
    ConstantLR(),
    StepDecay(drop=0.3, step_size=4),
    ExponentialDecay(decay_rate=0.8),
    InverseTimeDecay(decay_rate=0.2),
    CosineAnnealing(min_lr=0.001, t_max=30),
    CosineAnnealingWarmRestarts(t_0=4, t_mult=2, min_lr=0.001),
    LinearWarmup(warmup_epochs=3, after=CosineAnnealing(min_lr=0.01)),
    LinearWarmup(warmup_epochs=2, after="plateau"),
    ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1),
    FunctionSchedule(halve_every_third),
]
IDS = [type(s).__name__ for s in ALL_SCHEDULES]


def fit_once(schedule, epochs=20, base_lr=0.1):
    """Simulate a fit with a stagnating validation loss."""
    schedule.start(base_lr, epochs)
    used = []
    for epoch in range(epochs):
        used.append(schedule(epoch))
        schedule.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 1.0 + 0 * epoch})
    return used


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=IDS)
def test_start_resets_state(schedule):
    schedule = copy.deepcopy(schedule)
    first = fit_once(schedule)
    fit_once(schedule, epochs=7, base_lr=3.0)  # a different fit in between
    assert fit_once(schedule) == first


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=IDS)
def test_pickle_and_deepcopy_round_trip(schedule):
    schedule = copy.deepcopy(schedule)
    expected = fit_once(copy.deepcopy(schedule))
    for restored in (pickle.loads(pickle.dumps(schedule)), copy.deepcopy(schedule)):
        assert type(restored) is type(schedule)
        assert repr(restored) == repr(schedule)
        assert fit_once(restored) == expected
    # mid-fit state survives too
    schedule.start(0.1, 20)
    for epoch in range(10):
        schedule(epoch)
        schedule.on_epoch_end(epoch, {"loss": 1.0, "val_loss": 1.0})
    restored = pickle.loads(pickle.dumps(schedule))
    assert [restored(e) for e in range(10, 20)] == [schedule(e) for e in range(10, 20)]


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=IDS)
def test_get_config_round_trip(schedule):
    config = schedule.get_config()
    rebuilt = type(schedule).from_config(config)
    assert fit_once(rebuilt) == fit_once(copy.deepcopy(schedule))


def test_repr_shows_options():
    assert repr(StepDecay(drop=0.5, step_size=10)) == "StepDecay(drop=0.5, step_size=10)"
    assert repr(LinearWarmup(after=StepDecay())) == (
        "LinearWarmup(warmup_epochs=5, after=StepDecay(drop=0.5, step_size=10), start_factor=0.0)"
    )


def test_call_before_start_raises():
    with pytest.raises(RuntimeError, match=r"call start\(base_lr, epochs\)"):
        StepDecay()(0)


def test_rates_are_python_floats():
    schedule = CosineAnnealing()
    schedule.start(np.float32(0.1), np.int64(10))
    assert type(schedule(np.int64(3))) is float


@pytest.mark.parametrize(
    "base_lr, epochs, match",
    [
        (0.0, 10, r"'base_lr' parameter of StepDecay.start must be a float in the range \(0.0, inf\). Got 0.0"),
        (float("nan"), 10, r"'base_lr'.*Got nan"),
        (0.1, 0, r"'epochs' parameter of StepDecay.start must be an int in the range \[1, inf\). Got 0"),
    ],
)
def test_start_validates(base_lr, epochs, match):
    with pytest.raises(ValueError, match=match):
        StepDecay().start(base_lr, epochs)


# --------------------------------------------------------------------------
# get_schedule
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec, cls",
    [
        (None, ConstantLR),
        ("constant", ConstantLR),
        ("step", StepDecay),
        ("step_decay", StepDecay),
        ("exponential", ExponentialDecay),
        ("inverse_time", InverseTimeDecay),
        ("time_based", InverseTimeDecay),
        ("cosine", CosineAnnealing),
        ("cosine_annealing", CosineAnnealing),
        ("Cosine-Restarts", CosineAnnealingWarmRestarts),
        ("sgdr", CosineAnnealingWarmRestarts),
        ("warmup", LinearWarmup),
        ("warmup_cosine", LinearWarmup),
        ("plateau", ReduceLROnPlateau),
        ("reduce_on_plateau", ReduceLROnPlateau),
        (StepDecay, StepDecay),
    ],
)
def test_get_schedule_names(spec, cls):
    schedule = get_schedule(spec)
    assert type(schedule) is cls
    assert isinstance(schedule, EpochSchedule)


def test_get_schedule_forwards_options():
    schedule = get_schedule("cosine", t_max=50, min_lr=1e-5)
    assert (schedule.t_max, schedule.min_lr) == (50, 1e-5)
    assert get_schedule("sgdr", t_0=5, t_mult=2).get_config() == {"t_0": 5, "t_mult": 2, "min_lr": 0.0}


def test_get_schedule_instance_is_a_deep_copy():
    user = ReduceLROnPlateau(patience=1)
    got = get_schedule(user)
    assert got is not user and repr(got) == repr(user)
    fit_once(got)
    assert not hasattr(user, "lr_")  # the user's object was never started


def test_get_schedule_instance_with_option_overrides():
    user = StepDecay(drop=0.5, step_size=10)
    got = get_schedule(user, step_size=3)
    assert (got.drop, got.step_size) == (0.5, 3)
    assert user.step_size == 10
    warm = get_schedule(LinearWarmup(after=CosineAnnealing(t_max=9)), warmup_epochs=2)
    assert repr(warm) == "LinearWarmup(warmup_epochs=2, after=CosineAnnealing(min_lr=0.0, t_max=9), start_factor=0.0)"


def test_get_schedule_wraps_callables():
    schedule = get_schedule(functools.partial(halve_every_third))
    assert isinstance(schedule, FunctionSchedule)


def test_unknown_name_lists_names_and_suggests():
    with pytest.raises(ValueError, match=r"Unknown learning-rate schedule 'cosin'\. Valid names: 'constant', 'cosine'.*'warmup_cosine'\. Did you mean 'cosine'\?"):
        get_schedule("cosin")
    with pytest.raises(ValueError, match=r"Unknown learning-rate schedule 'zzz'\. Valid names: [^?]*$"):
        get_schedule("zzz")


def test_unknown_option_names_schedule_and_options():
    with pytest.raises(ValueError, match=r"Unknown option 'stepsize' for the 'step' learning-rate schedule \(StepDecay\)\. Valid options: 'drop', 'step_size'\. Did you mean 'step_size'\?"):
        get_schedule("step", stepsize=10)
    with pytest.raises(ValueError, match=r"Unknown option 'patience'.*ConstantLR.*Valid options: none"):
        get_schedule(None, patience=3)
    with pytest.raises(ValueError, match=r"Unknown option 'min_lr'.*LinearWarmup.*Did you mean 'after__min_lr'\?"):
        get_schedule("warmup_cosine", min_lr=0.01)
    with pytest.raises(ValueError, match=r"Unknown option 'tmax'.*CosineAnnealing.*Did you mean 't_max'"):
        get_schedule("warmup", after="cosine", after__tmax=3)


@pytest.mark.parametrize(
    "spec, params, match",
    [
        ("step", {"drop": -0.5}, r"'drop' parameter of StepDecay must be a float in the range \(0.0, 1.0\]\. Got -0.5 instead"),
        ("step", {"step_size": 0}, r"'step_size' parameter of StepDecay must be an int in the range \[1, inf\)\. Got 0 instead"),
        ("step", {"step_size": 2.5}, r"'step_size'.*Got 2.5 instead"),
        ("exponential", {"decay_rate": 1.5}, r"'decay_rate' parameter of ExponentialDecay.*\(0.0, 1.0\]\. Got 1.5"),
        ("time_based", {"decay_rate": -1}, r"'decay_rate' parameter of InverseTimeDecay.*\[0.0, inf\)\. Got -1"),
        ("cosine", {"t_max": 0}, r"'t_max' parameter of CosineAnnealing must be an int in the range \[1, inf\) or None\. Got 0"),
        ("cosine", {"min_lr": -1e-3}, r"'min_lr' parameter of CosineAnnealing.*Got -0.001"),
        ("sgdr", {"t_mult": 0}, r"'t_mult' parameter of CosineAnnealingWarmRestarts.*\[1, inf\)\. Got 0"),
        ("sgdr", {"t_0": True}, r"'t_0' parameter.*Got True"),
        ("warmup", {"start_factor": 2.0}, r"'start_factor' parameter of LinearWarmup.*\[0.0, 1.0\]\. Got 2.0"),
        ("warmup", {"warmup_epochs": 0}, r"'warmup_epochs' parameter of LinearWarmup.*Got 0"),
        ("warmup", {"after": "nope"}, r"Unknown learning-rate schedule 'nope'"),
        ("plateau", {"factor": 1.0}, r"'factor' parameter of ReduceLROnPlateau must be a float in the range \(0.0, 1.0\)\. Got 1.0"),
        ("plateau", {"patience": -1}, r"'patience' parameter of ReduceLROnPlateau.*Got -1"),
        ("plateau", {"mode": "maximize"}, r"'mode' parameter of ReduceLROnPlateau must be one of \{'auto', 'min', 'max'\}\. Got 'maximize'"),
        ("plateau", {"monitor": ""}, r"'monitor' parameter of ReduceLROnPlateau must be a non-empty str"),
    ],
)
def test_invalid_values(spec, params, match):
    with pytest.raises(ValueError, match=match):
        get_schedule(spec, **params)


def test_callable_with_options_raises():
    with pytest.raises(ValueError, match=r"takes no options.*functools.partial"):
        get_schedule(halve_every_third, drop=0.5)


class LearningRateSchedule:
    """Stand-in named like keras.optimizers.schedules.LearningRateSchedule."""

    def __call__(self, step):
        return 0.1


LearningRateSchedule.__module__ = "keras.src.optimizers.schedules.learning_rate_schedule"


class CosineDecay(LearningRateSchedule):
    pass


def test_keras_learning_rate_schedule_is_rejected():
    with pytest.raises(TypeError, match=r"CosineDecay is a Keras LearningRateSchedule.*every optimizer step.*optimizer.s learning_rate"):
        get_schedule(CosineDecay())


@pytest.mark.slow  # imports Keras (seconds): checks the name test matches the real class
def test_real_keras_learning_rate_schedule_is_rejected():
    keras = pytest.importorskip("keras")
    with pytest.raises(TypeError, match=r"Keras LearningRateSchedule"):
        get_schedule(keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9))


@pytest.mark.parametrize("spec", [3, 0.1, ["step"]])
def test_unsupported_type(spec):
    with pytest.raises(TypeError, match=r"must be None, a name such as 'cosine', an EpochSchedule or a function"):
        get_schedule(spec)


def test_module_does_not_import_keras_or_sklearn():
    # Loads the file on its own, so the check holds whatever the package
    # __init__ imports: the fit loop and tests can use schedules cheaply.
    import subprocess
    import sys

    import skdl.training.schedules as module

    code = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('schedules', {module.__file__!r}); "
        "spec.loader.exec_module(importlib.util.module_from_spec(spec)); "
        "bad = [m for m in ('keras', 'tensorflow', 'sklearn', 'jax') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
