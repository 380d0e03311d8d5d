"""Epoch-level learning-rate schedules.

An estimator's training loop asks a schedule for the learning rate at the start
of every epoch and records it in ``history_["learning_rate"]``::

    schedule = get_schedule(spec, **routed_params)  # a fresh copy per fit
    schedule.start(base_lr, epochs)
    for epoch in range(epochs):
        optimizer.learning_rate = schedule(epoch)
        logs = train_one_epoch()
        schedule.on_epoch_end(epoch, logs)

The schedules are plain Python (no Keras, no scikit-learn), deterministic,
picklable and deep-copyable, and ``start`` resets every piece of state, so one
object can serve many fits. Keras ``LearningRateSchedule`` objects, which work
per optimizer *step*, are not handled here: they go straight to the optimizer.

See ``docs/schedules.md`` for the formulas and when to use each schedule.
"""

import copy
import inspect
import math
import warnings
from collections.abc import Mapping

from skdl.utils import greater_is_better

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


from skdl.training._schedule_base import (  # noqa: E402  (re-exported)
    EpochSchedule,
    is_keras_lr_schedule,
    _check_int,
    _check_options,
    _check_real,
    _did_you_mean,
)


# --------------------------------------------------------------------------
# stateless closed-form schedules
# --------------------------------------------------------------------------
class ConstantLR(EpochSchedule):
    """Keep the base learning rate for every epoch: :math:`\\eta_t = \\eta_0`."""

    def _rate(self, epoch):
        return self.base_lr_


class StepDecay(EpochSchedule):
    """Multiply the rate by ``drop`` every ``step_size`` epochs.

    :math:`\\eta_t = \\eta_0 \\cdot drop^{\\lfloor t / step\\_size \\rfloor}`

    Parameters
    ----------
    drop : float, default=0.5
        Factor applied at each step, in (0, 1].
    step_size : int, default=10
        Number of epochs between two drops, >= 1.
    """

    def __init__(self, drop=0.5, step_size=10):
        self.drop = _check_real("StepDecay", "drop", drop, 0.0, 1.0, low_open=True)
        self.step_size = _check_int("StepDecay", "step_size", step_size, 1)

    def _rate(self, epoch):
        return self.base_lr_ * self.drop ** (epoch // self.step_size)


class ExponentialDecay(EpochSchedule):
    """Multiply the rate by ``decay_rate`` every epoch.

    :math:`\\eta_t = \\eta_0 \\cdot decay\\_rate^{t}`; the course's
    :math:`\\eta_0 e^{-kt}` is ``decay_rate = exp(-k)``.

    Parameters
    ----------
    decay_rate : float, default=0.9
        Per-epoch factor, in (0, 1].
    """

    def __init__(self, decay_rate=0.9):
        self.decay_rate = _check_real(
            "ExponentialDecay", "decay_rate", decay_rate, 0.0, 1.0, low_open=True
        )

    def _rate(self, epoch):
        return self.base_lr_ * self.decay_rate**epoch


class InverseTimeDecay(EpochSchedule):
    """Time-based decay: :math:`\\eta_t = \\eta_0 / (1 + decay\\_rate \\cdot t)`.

    Parameters
    ----------
    decay_rate : float, default=0.01
        How fast the rate falls, >= 0 (0 keeps it constant).
    """

    def __init__(self, decay_rate=0.01):
        self.decay_rate = _check_real("InverseTimeDecay", "decay_rate", decay_rate, 0.0, None)

    def _rate(self, epoch):
        return self.base_lr_ / (1.0 + self.decay_rate * epoch)


def _cosine(base_lr, min_lr, t_cur, period):
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * t_cur / period)) / 2.0


class CosineAnnealing(EpochSchedule):
    """Half a cosine from the base rate down to ``min_lr`` over ``t_max`` epochs.

    :math:`\\eta_t = \\eta_{min} + \\tfrac12(\\eta_0 - \\eta_{min})(1 + \\cos(\\pi\\,\\min(t, T_{max}) / T_{max}))`

    Parameters
    ----------
    min_lr : float, default=0.0
        Rate reached at epoch ``t_max`` and kept afterwards, >= 0.
    t_max : int or None, default=None
        Length of the half cosine in epochs; ``None`` means the number of
        epochs of the fit, so the last epoch trains just above ``min_lr``.
    """

    def __init__(self, min_lr=0.0, t_max=None):
        self.min_lr = _check_real("CosineAnnealing", "min_lr", min_lr, 0.0, None)
        self.t_max = _check_int("CosineAnnealing", "t_max", t_max, 1, allow_none=True)

    def _rate(self, epoch):
        t_max = self.epochs_ if self.t_max is None else self.t_max
        return _cosine(self.base_lr_, self.min_lr, min(epoch, t_max), t_max)


class CosineAnnealingWarmRestarts(EpochSchedule):
    """Cosine annealing restarted from the base rate (SGDR).

    Cycle :math:`i` lasts :math:`T_i = t_0 \\cdot t\\_mult^{i}` epochs; inside
    it, with :math:`T_{cur}` epochs since the last restart,
    :math:`\\eta_t = \\eta_{min} + \\tfrac12(\\eta_0 - \\eta_{min})(1 + \\cos(\\pi T_{cur} / T_i))`.
    (Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
    Restarts", ICLR 2017.)

    Parameters
    ----------
    t_0 : int, default=10
        Length of the first cycle in epochs, >= 1.
    t_mult : int, default=1
        Factor by which each cycle is longer than the previous one, >= 1.
    min_lr : float, default=0.0
        Rate approached at the end of every cycle, >= 0.
    """

    def __init__(self, t_0=10, t_mult=1, min_lr=0.0):
        owner = "CosineAnnealingWarmRestarts"
        self.t_0 = _check_int(owner, "t_0", t_0, 1)
        self.t_mult = _check_int(owner, "t_mult", t_mult, 1)
        self.min_lr = _check_real(owner, "min_lr", min_lr, 0.0, None)

    def _cycle_position(self, epoch):
        """(epochs since the last restart, length of the current cycle)."""
        if self.t_mult == 1:
            return epoch % self.t_0, self.t_0
        # Integer walk rather than a logarithm: exact at the restart epochs,
        # and cycles grow geometrically so this loops O(log epoch) times.
        t_cur, period = epoch, self.t_0
        while t_cur >= period:
            t_cur -= period
            period *= self.t_mult
        return t_cur, period

    def _rate(self, epoch):
        t_cur, period = self._cycle_position(epoch)
        return _cosine(self.base_lr_, self.min_lr, t_cur, period)


class FunctionSchedule(EpochSchedule):
    """Wrap a Keras ``LearningRateScheduler``-style function.

    ``func(epoch, lr) -> new_lr`` receives the 0-based epoch and the rate of
    the previous epoch (the base rate for epoch 0), exactly as
    ``keras.callbacks.LearningRateScheduler`` calls it; a one-argument
    ``func(epoch)`` is accepted too. Rates are computed in epoch order and
    cached, so asking for the same epoch twice never compounds a decay.

    Parameters
    ----------
    func : callable
        The schedule function. The wrapper pickles only if ``func`` does (a
        module-level function does, a lambda does not).
    """

    def __init__(self, func):
        if not callable(func):
            raise TypeError(f"FunctionSchedule needs a callable; got {func!r}.")
        self.func = func

    def _n_args(self):
        try:
            params = inspect.signature(self.func).parameters.values()
        except (TypeError, ValueError):  # builtins without a signature
            return 2
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            return 2
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return 1 if len(positional) == 1 else 2

    def start(self, base_lr, epochs):
        super().start(base_lr, epochs)
        self._rates = []

    def _rate(self, epoch):
        n_args = self._n_args()
        while len(self._rates) <= epoch:
            e = len(self._rates)
            previous = self._rates[-1] if self._rates else self.base_lr_
            value = self.func(e) if n_args == 1 else self.func(e, previous)
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"The learning-rate function {self.func!r} must return a finite "
                    f"float >= 0. Got {value!r} at epoch {e}."
                )
            self._rates.append(value)
        return self._rates[epoch]


# --------------------------------------------------------------------------
# composite and stateful schedules
# --------------------------------------------------------------------------
class LinearWarmup(EpochSchedule):
    """Ramp the rate up linearly, then hand over to another schedule.

    For :math:`t < W` (``warmup_epochs``) the rate is
    :math:`\\eta_t = \\eta_0\\,(s + (1 - s)\\,(t + 1) / W)` with
    :math:`s` = ``start_factor``, so the last warm-up epoch trains at the full
    base rate and no epoch is spent at rate 0. From epoch :math:`W` on, the
    ``after`` schedule runs as if the fit started there: it is started with
    the base rate and the remaining ``epochs - W`` epochs, and sees epoch
    ``t - W``.

    Parameters
    ----------
    warmup_epochs : int, default=5
        Length of the ramp in epochs, >= 1.
    after : str, EpochSchedule or callable, default="constant"
        The schedule that follows, anything :func:`get_schedule` accepts. It
        is copied, never modified.
    start_factor : float, default=0.0
        Fraction of the base rate the ramp starts from, in [0, 1].
    """

    def __init__(self, warmup_epochs=5, after="constant", start_factor=0.0):
        self.warmup_epochs = _check_int("LinearWarmup", "warmup_epochs", warmup_epochs, 1)
        self.after = after
        self.start_factor = _check_real("LinearWarmup", "start_factor", start_factor, 0.0, 1.0)
        # Resolve now so that a bad `after` fails at construction, not mid-fit.
        self._after = get_schedule(after)

    def start(self, base_lr, epochs):
        super().start(base_lr, epochs)
        self._after.start(self.base_lr_, max(self.epochs_ - self.warmup_epochs, 1))

    def _rate(self, epoch):
        if epoch < self.warmup_epochs:
            s = self.start_factor
            return self.base_lr_ * (s + (1.0 - s) * (epoch + 1) / self.warmup_epochs)
        return self._after(epoch - self.warmup_epochs)

    def on_epoch_end(self, epoch, logs):
        # The following schedule only sees the epochs it governs, so a plateau
        # does not count the (expectedly noisy) warm-up epochs as bad ones.
        if epoch >= self.warmup_epochs:
            self._after.on_epoch_end(epoch - self.warmup_epochs, logs)

    def get_config(self):
        config = super().get_config()
        if isinstance(config["after"], EpochSchedule):
            after = config["after"]
            config["after"] = {"class_name": type(after).__name__, "config": after.get_config()}
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        after = config.get("after")
        if isinstance(after, Mapping):
            after_cls = _CLASSES[after["class_name"]]
            config["after"] = after_cls.from_config(after["config"])
        return cls(**config)


# Metric names (after stripping a val_/eval_ prefix) that improve upwards.


class ReduceLROnPlateau(EpochSchedule):
    """Multiply the rate by ``factor`` when a monitored metric stops improving.

    The rules of ``keras.callbacks.ReduceLROnPlateau``: an epoch improves when
    the metric beats the best so far by more than ``min_delta``; after
    ``patience`` epochs in a row without improvement the rate becomes
    :math:`\\max(\\eta \\cdot factor, \\eta_{min})`, then the next ``cooldown``
    epochs are not counted as bad (Keras counts the last of them). The
    reduction applies from the next epoch.

    Parameters
    ----------
    monitor : str, default="val_loss"
        Key of the epoch logs to watch. When it is missing (no validation
        data), ``"loss"`` is used instead, minimised, with one warning per fit.
    factor : float, default=0.1
        Factor applied at each reduction, in (0, 1).
    patience : int, default=10
        Epochs without improvement before a reduction, >= 0.
    min_delta : float, default=1e-4
        Smallest change that counts as an improvement, >= 0.
    cooldown : int, default=0
        Epochs after a reduction during which no bad epochs are counted, >= 0.
    min_lr : float, default=0.0
        Lower bound on the rate, >= 0.
    mode : {"auto", "min", "max"}, default="auto"
        Whether the metric should go down or up; ``"auto"`` picks ``"max"``
        for accuracy-, AUC-, precision-, recall-, F1- and score-like names and
        ``"min"`` otherwise.
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        mode="auto",
    ):
        owner = "ReduceLROnPlateau"
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(
                f"The 'monitor' parameter of {owner} must be a non-empty str. "
                f"Got {monitor!r} instead."
            )
        self.monitor = monitor
        self.factor = _check_real(
            owner, "factor", factor, 0.0, 1.0, low_open=True, high_open=True
        )
        self.patience = _check_int(owner, "patience", patience, 0)
        self.min_delta = _check_real(owner, "min_delta", min_delta, 0.0, None)
        self.cooldown = _check_int(owner, "cooldown", cooldown, 0)
        self.min_lr = _check_real(owner, "min_lr", min_lr, 0.0, None)
        self.mode = _check_options(owner, "mode", mode, ("auto", "min", "max"))

    @staticmethod
    def _auto_mode(key):
        name = key.lower()
        for prefix in ("val_", "eval_"):
            if name.startswith(prefix):
                name = name[len(prefix):]
        return "max" if greater_is_better(name) else "min"

    def start(self, base_lr, epochs):
        super().start(base_lr, epochs)
        self.lr_ = self.base_lr_
        self.wait_ = 0
        self.cooldown_counter_ = 0
        self.best_ = None
        self.monitor_used_ = None
        self.n_reductions_ = 0

    def _rate(self, epoch):
        return self.lr_

    def _resolve_monitor(self, logs):
        """The key to watch and its mode; falls back to 'loss' once per fit."""
        if self.monitor in logs:
            mode = self._auto_mode(self.monitor) if self.mode == "auto" else self.mode
            return self.monitor, mode
        if "loss" not in logs:
            return None, None
        if self.monitor_used_ != "loss":
            from skdl.exceptions import SkdlWarning  # late: keeps this module sklearn-free

            warnings.warn(
                f"ReduceLROnPlateau monitors {self.monitor!r}, which is not in the "
                f"epoch logs (available: {sorted(logs)}); reducing on 'loss' "
                "(minimised) instead. Pass monitor='loss' or enable validation "
                "(e.g. validation_fraction=0.1) to silence this.",
                SkdlWarning,
                stacklevel=2,
            )
        return "loss", "min"

    def on_epoch_end(self, epoch, logs):
        if getattr(self, "lr_", None) is None:
            raise RuntimeError(
                "ReduceLROnPlateau has not been started; call start(base_lr, epochs) first."
            )
        key, mode = self._resolve_monitor(logs or {})
        if key is None:
            return
        self.monitor_used_ = key
        current = float(logs[key])

        # Unlike Keras, which decrements before checking and so ignores one
        # epoch fewer than asked, exactly `cooldown` epochs go uncounted.
        cooling = self.cooldown_counter_ > 0
        if cooling:
            self.cooldown_counter_ -= 1
            self.wait_ = 0
        if self.best_ is None:
            improved = not math.isnan(current)
        elif mode == "min":
            improved = current < self.best_ - self.min_delta
        else:
            improved = current > self.best_ + self.min_delta
        if improved:
            self.best_ = current
            self.wait_ = 0
        elif not cooling:
            self.wait_ += 1
            if self.wait_ >= self.patience and self.lr_ > self.min_lr:
                self.lr_ = max(self.lr_ * self.factor, self.min_lr)
                self.n_reductions_ += 1
                self.cooldown_counter_ = self.cooldown
                self.wait_ = 0


# --------------------------------------------------------------------------
# factory
# --------------------------------------------------------------------------
_CLASSES = {
    cls.__name__: cls
    for cls in (
        ConstantLR,
        StepDecay,
        ExponentialDecay,
        InverseTimeDecay,
        CosineAnnealing,
        CosineAnnealingWarmRestarts,
        FunctionSchedule,
        LinearWarmup,
        ReduceLROnPlateau,
    )
}

# accepted name -> (class, fixed options implied by the name)
_NAMES = {
    "constant": (ConstantLR, {}),
    "step": (StepDecay, {}),
    "step_decay": (StepDecay, {}),
    "exponential": (ExponentialDecay, {}),
    "inverse_time": (InverseTimeDecay, {}),
    "time_based": (InverseTimeDecay, {}),
    "cosine": (CosineAnnealing, {}),
    "cosine_annealing": (CosineAnnealing, {}),
    "cosine_restarts": (CosineAnnealingWarmRestarts, {}),
    "sgdr": (CosineAnnealingWarmRestarts, {}),
    "warmup": (LinearWarmup, {}),
    "warmup_cosine": (LinearWarmup, {"after": "cosine"}),
    "plateau": (ReduceLROnPlateau, {}),
    "reduce_on_plateau": (ReduceLROnPlateau, {}),
}


def _normalize_name(name):
    return name.strip().lower().replace("-", "_")


def _build(cls, params, label):
    """Instantiate ``cls`` from ``params``, with typo-aware option errors."""
    options = cls._option_names()
    for key in params:
        if key in options or (cls is LinearWarmup and key.startswith("after__")):
            continue
        valid = ", ".join(repr(o) for o in options) or "none"
        candidates = list(options)
        hint = ""
        if cls is LinearWarmup:
            hint = " Options of the following schedule go as 'after__<option>'."
            after = params.get("after", "constant")
            if isinstance(after, str):
                after_cls = _NAMES.get(_normalize_name(after), (None,))[0]
            else:
                after_cls = after if isinstance(after, type) else type(after)
            if isinstance(after_cls, type) and issubclass(after_cls, EpochSchedule):
                candidates += [f"after__{o}" for o in after_cls._option_names()]
                if key in after_cls._option_names():
                    candidates = [f"after__{key}"]
        raise ValueError(
            f"Unknown option {key!r} for the {label} learning-rate schedule "
            f"({cls.__name__}). Valid options: {valid}.{_did_you_mean(key, candidates)}{hint}"
        )
    if cls is LinearWarmup:
        after_params = {k[len("after__"):]: v for k, v in params.items() if k.startswith("after__")}
        params = {k: v for k, v in params.items() if not k.startswith("after__")}
        if after_params:
            params["after"] = get_schedule(params.get("after", "constant"), **after_params)
    return cls(**params)


def get_schedule(spec=None, **params) -> EpochSchedule:
    """Turn a schedule specification into a fresh :class:`EpochSchedule`.

    Parameters
    ----------
    spec : None, str, EpochSchedule, EpochSchedule subclass or callable, default=None
        * ``None`` or ``"constant"``: keep the base rate.
        * a name: ``"step"``/``"step_decay"``, ``"exponential"``,
          ``"inverse_time"``/``"time_based"``, ``"cosine"``/``"cosine_annealing"``,
          ``"cosine_restarts"``/``"sgdr"``, ``"warmup"``, ``"warmup_cosine"``,
          ``"plateau"``/``"reduce_on_plateau"`` (case and ``-``/``_``
          insensitive).
        * an :class:`EpochSchedule`: returned as a deep copy (with ``params``
          overriding its options), so a fit never mutates the user's object.
        * a function ``f(epoch, lr) -> new_lr`` as for
          ``keras.callbacks.LearningRateScheduler``: wrapped in
          :class:`FunctionSchedule`.
    **params
        Options of the schedule, e.g. ``step_size=10`` for ``"step"``. For
        ``"warmup"``, options of the following schedule are given as
        ``after__<option>``; ``"warmup_cosine"`` also takes them that way.

    Returns
    -------
    schedule : EpochSchedule
        A new object, not yet started.

    Raises
    ------
    ValueError
        Unknown name, unknown option or out-of-range value.
    TypeError
        ``spec`` is a Keras ``LearningRateSchedule`` (per-step; give it to the
        optimizer instead) or of an unsupported type.

    Examples
    --------
    >>> schedule = get_schedule("step", drop=0.5, step_size=2)
    >>> schedule.start(0.1, epochs=6)
    >>> [schedule(epoch) for epoch in range(6)]
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    """
    if spec is None:
        spec = "constant"
    if isinstance(spec, str):
        key = _normalize_name(spec)
        if key not in _NAMES:
            names = ", ".join(repr(n) for n in sorted(_NAMES))
            raise ValueError(
                f"Unknown learning-rate schedule {spec!r}. Valid names: {names}."
                f"{_did_you_mean(key, _NAMES)}"
            )
        cls, fixed = _NAMES[key]
        return _build(cls, {**fixed, **params}, repr(key))
    if isinstance(spec, EpochSchedule):
        if not params:
            return copy.deepcopy(spec)
        cls = type(spec)
        config = copy.deepcopy(spec.get_config())
        if cls is LinearWarmup and isinstance(config["after"], Mapping):
            config["after"] = copy.deepcopy(spec.after)
        return _build(cls, {**config, **params}, repr(cls.__name__))
    if isinstance(spec, type) and issubclass(spec, EpochSchedule):
        return _build(spec, params, repr(spec.__name__))
    if is_keras_lr_schedule(spec):
        raise TypeError(
            f"{type(spec).__name__} is a Keras LearningRateSchedule, which updates "
            "the rate every optimizer step; get_schedule only handles epoch-level "
            "schedules. Pass it as the optimizer's learning_rate instead (e.g. "
            "optimizer__learning_rate=...), or use an epoch-level schedule name."
        )
    if callable(spec):
        if params:
            raise ValueError(
                f"A learning-rate function takes no options; got {sorted(params)} "
                f"for {spec!r}. Bind them in the function (e.g. functools.partial)."
            )
        return FunctionSchedule(spec)
    raise TypeError(
        "A learning-rate schedule must be None, a name such as 'cosine', an "
        "EpochSchedule or a function f(epoch, lr) -> lr. Got "
        f"{spec!r} of type {type(spec).__name__} instead."
    )
