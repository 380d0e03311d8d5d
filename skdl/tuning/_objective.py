"""The trial objective: cross-validate the parameters one trial samples.

:class:`TrialObjective` is what ``study.optimize`` calls, in the search's own
process or in a worker (it is picklable). Per fold it clones the estimator,
sets the trial's parameters, fits on the fold's training part and scores the
test part; the first fold of a prunable trial reports every epoch to the trial
(see :mod:`skdl.tuning._pruning`). Scores and times are stored on the trial as
user attributes, from which :mod:`skdl.tuning._results` builds ``cv_results_``.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from numbers import Integral
from typing import Any

import numpy as np
import optuna
from optuna.trial import TrialState
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _num_samples

from skdl.architectures._shared import shared_mlp_graphs
from skdl.tuning._parallel import InterruptFlag, SurplusTrial, TrialFailed
from skdl.tuning._pruning import PRUNED_AT_EPOCH, EpochPruningCallback, accepts_epoch_callbacks
from skdl.tuning._spaces import LayerSpace, encode_params, sample_params
from skdl.tuning._storage import FAIL_REASON, STOP_REASON, SURPLUS, WORKER, is_counted, worker_tag

#: Trial user attributes: epochs each fold trained (``n_iter_``) and, with
#: early stopping, each fold's best epoch (``best_epoch_``, 0-based; NaN without).
FOLD_EPOCHS = "fold_epochs"
FOLD_BEST_EPOCH = "fold_best_epoch"

__all__ = [
    "TrialObjective",
    "enqueue_defaults",
    "final_accepts_callbacks",
    "fit_with_callbacks",
    "make_cv",
]

# User attributes summarising the warnings a trial's folds raised (see
# skdl.tuning._warnings, which reports them once per search).
N_WARNINGS = "fold_warnings"
FIRST_WARNING = "first_fold_warning"
FIRST_WARNING_CATEGORY = "first_fold_warning_category"
# User attributes of the trial that evaluates the estimator's own configuration.
DEFAULTS = "estimator_defaults"
DEFAULTS_OUTSIDE = "defaults_outside_space"


def enqueue_defaults(study: optuna.Study, estimator: Any, param_distributions: dict) -> dict | None:
    """Make the estimator's own configuration the first trial of a new study.

    The values the estimator has now for the space's parameters are enqueued
    (``study.enqueue_trial``), so a search never ends below its starting point.
    Parameters whose value lies outside the space are left to the sampler.
    Nothing is enqueued when the study already has trials (a resumed or shared
    study did this in its first run), for grid samplers (a grid is the set of
    candidates) or when no parameter lies inside the space.

    Returns
    -------
    outside : dict or None
        ``{parameter: why}`` for the parameters left to the sampler, or None when
        nothing was enqueued.
    """
    if study.get_trials(deepcopy=False):
        return None
    if isinstance(study.sampler, (optuna.samplers.GridSampler, optuna.samplers.BruteForceSampler)):
        return None
    stored, outside = encode_params(estimator.get_params(deep=True), param_distributions)
    if not stored:
        return None
    attrs: dict[str, Any] = {DEFAULTS: True}
    if outside:
        attrs[DEFAULTS_OUTSIDE] = "; ".join(f"{k}: {v}" for k, v in outside.items())
    study.enqueue_trial(stored, user_attrs=attrs)
    return outside


def final_accepts_callbacks(estimator: Any) -> bool:
    """Whether ``estimator`` (or the final step of a Pipeline) takes epoch callbacks."""
    if accepts_epoch_callbacks(estimator):
        return True
    return isinstance(estimator, Pipeline) and accepts_epoch_callbacks(estimator.steps[-1][1])


def _count(value) -> float:
    """An epoch count as a float; NaN for anything else (sklearn's per-class ``n_iter_`` arrays)."""
    if isinstance(value, (Integral, float, np.floating)) and not isinstance(value, bool):
        return float(value)
    return math.nan


def fit_with_callbacks(est, X, y, fit_params: dict, *, callbacks: list | None = None,
                       eval_set: tuple | None = None) -> None:
    """Fit ``est``, giving its epoch-wise final estimator ``callbacks`` and ``eval_set``.

    ``est`` is an estimator with the epoch-callback contract or a Pipeline ending
    in one (:func:`final_accepts_callbacks`); without callbacks and eval_set any
    estimator is fitted as is. ``fit_params`` use ``step__param`` names for a
    Pipeline.

    A Pipeline is fitted through its own API: its final step receives
    ``<step>__callbacks`` and ``<step>__eval_set`` as routed fit parameters of
    ``Pipeline.fit``. The rows of ``eval_set`` are raw input, so when there is an
    ``eval_set`` and the Pipeline transforms its input, ``pipeline[:-1]`` is fitted on the training rows (``fit_transform``),
    ``eval_set`` goes through ``pipeline[:-1].transform`` and the final step is
    fitted on the transformed rows, which is what ``Pipeline.fit`` does, without
    fitting the preprocessing twice.
    """
    extra: dict[str, Any] = {}
    if callbacks:
        extra["callbacks"] = callbacks
    if eval_set is not None:
        extra["eval_set"] = eval_set
    if not extra:
        est.fit(X, y, **fit_params)
        return
    if accepts_epoch_callbacks(est):
        est.fit(X, y, **extra, **fit_params)
        return
    name = est.steps[-1][0]
    prefix = f"{name}__"
    head = est[:-1]
    if eval_set is None or all(step is None or step == "passthrough" for _, step in head.steps):
        est.fit(X, y, **{prefix + k: v for k, v in extra.items()}, **fit_params)
        return
    head_params = {k: v for k, v in fit_params.items() if not k.startswith(prefix)}
    final_params = {k[len(prefix):]: v for k, v in fit_params.items() if k.startswith(prefix)}
    Xt = head.fit_transform(X, y, **head_params)
    if eval_set is not None:
        extra["eval_set"] = (head.transform(eval_set[0]), *eval_set[1:])
    est[-1].fit(Xt, y, **extra, **final_params)


def make_cv(cv, y, *, classifier: bool, random_state):
    """The search's splitter. An int (or None: 5) gives shuffled folds.

    Stratified for classifiers with binary or multiclass targets, seeded by
    ``random_state`` (``None``: 0, so a resumed study keeps its folds). Anything
    else goes through ``check_cv`` and is used as given.
    """
    if cv is not None and (not isinstance(cv, Integral) or isinstance(cv, bool)):
        return check_cv(cv, y, classifier=classifier)
    n_splits = 5 if cv is None else int(cv)
    seed = random_state
    if seed is None:
        seed = 0
    elif not isinstance(seed, Integral):
        seed = int(check_random_state(seed).randint(np.iinfo(np.int32).max))
    stratify = classifier and y is not None and type_of_target(y) in ("binary", "multiclass")
    splitter = StratifiedKFold if stratify else KFold
    return splitter(n_splits=n_splits, shuffle=True, random_state=seed)


def index_fit_params(fit_params: dict, n_samples: int, indices: np.ndarray) -> dict:
    """The fit parameters of one fold: per-sample array-likes indexed like ``X``."""
    out = {}
    for key, value in fit_params.items():
        if hasattr(value, "__len__") and not isinstance(value, (str, dict)):
            try:
                if _num_samples(value) == n_samples:
                    value = _safe_indexing(value, indices)
            except TypeError:
                pass
        out[key] = value
    return out


def _score(est, X, y, scorers: dict) -> dict[str, float]:
    return {name: float(scorer(est, X, y)) for name, scorer in scorers.items()}


def _safe_split_y(y, indices):
    return None if y is None else _safe_indexing(y, indices)


# Up to this many training rows per fold, a search builds hidden layers at the space's largest
# width and masks each trial's (skdl.architectures._shared): the wider matmuls cost less than a
# new trace. Above it, widths stay exact and only dropout and L2 are shared.
SHARED_WIDTH_MAX_ROWS = 10_000
# How a trial's width maps to its graph's (skdl.architectures._shared.Sharing.graph_width):
# "auto" is the space's largest width on JAX (compiles dominate), the next power of two elsewhere.
SHARED_WIDTHS = "auto"
# Up to this many training rows per fold every backend builds the space's largest width: on
# digits folds (958-1 198 rows) it beat powers of two on TensorFlow too (docs/design.md).
SHARED_MAX_WIDTH_ROWS = 2_000


def shared_width_mode(splits) -> str:
    """The ``widths`` of :func:`~skdl.architectures.shared_mlp_graphs` for folds of this size.

    ``"max"`` when every fold trains on at most ``SHARED_MAX_WIDTH_ROWS``
    rows (the epochs are short, so one graph per depth is cheapest on every
    backend), else ``SHARED_WIDTHS``.
    """
    rows = max((len(train) for train, _ in splits), default=0)
    return "max" if rows <= SHARED_MAX_WIDTH_ROWS else SHARED_WIDTHS


def shared_widths(param_distributions: dict, splits) -> int | None:
    """The ``max_units`` trials of this space share (None: exact widths; see SHARED_WIDTH_MAX_ROWS).

    The largest width any ``hidden_layer_sizes`` entry can draw (a
    :class:`~skdl.tuning.LayerSpace`'s upper bound, or the largest layer of a
    list of choices), when every fold trains on at most
    ``SHARED_WIDTH_MAX_ROWS`` rows.
    """
    if max((len(train) for train, _ in splits), default=0) > SHARED_WIDTH_MAX_ROWS:
        return None
    top = None
    for name, spec in param_distributions.items():
        if not name.split("__")[-1] == "hidden_layer_sizes":
            continue
        if isinstance(spec, LayerSpace):
            widths = [int(spec.units[1])]
        elif isinstance(spec, (list, tuple)):
            widths = [int(u) for choice in spec
                      for u in ((choice,) if isinstance(choice, (int, np.integer)) else choice)]
        else:
            return None  # a distribution this cannot bound: exact widths
        if widths:
            top = max(widths + ([top] if top else []))
    return top


class TrialObjective:
    """Cross-validate the parameters a trial samples. Picklable for workers.

    Parameters
    ----------
    estimator : estimator object
        The unfitted estimator; every fold fits a clone.
    param_distributions : dict
        The search space (see :func:`skdl.tuning.sample_params`).
    X, y : array-like
        All the search's data.
    splits : list of (train, test) index arrays
        The folds, the same for every trial.
    scorers : dict
        ``{metric name: scorer}``.
    refit_metric : str
        The metric whose mean over folds is the trial's value.
    fit_params : dict
        Passed to every fold's ``fit`` (per-sample arrays indexed with the fold).
    error_score : "raise" or float
        ``"raise"`` re-raises a failing fit; otherwise the trial is failed with
        its reason in the ``fail_reason`` user attribute.
    return_train_score : bool
        Also score each fold's training part.
    n_trials : int or None
        The search's budget: a trial beyond it (concurrent workers) is surplus.
    prune : bool
        Report fold 0's epochs to the trial (the final estimator takes callbacks).
    monitor_metric : str or None
        The Keras name of the score reported per epoch (see EpochPruningCallback).
    shared_widths : int, None or False, default=False
        Fit the folds inside :func:`skdl.architectures.shared_mlp_graphs`
        with this ``max_units`` (None: exact widths, shared dropout and L2);
        False: no sharing (see :func:`shared_widths`).
    """

    def __init__(self, *, estimator, param_distributions, X, y, splits, scorers,
                 refit_metric, fit_params, error_score, return_train_score, n_trials,
                 prune, monitor_metric, shared_widths=False):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.X = X
        self.y = y
        self.splits = splits
        self.scorers = scorers
        self.refit_metric = refit_metric
        self.fit_params = fit_params
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.n_trials = n_trials
        self.prune = prune
        self.monitor_metric = monitor_metric
        self.shared_widths = shared_widths
        self.width_mode = shared_width_mode(splits)
        self.interrupt_flag: InterruptFlag | None = None

    def _claim(self, trial: optuna.trial.Trial) -> None:
        """Fail this trial as surplus when earlier trials already fill n_trials."""
        if trial.user_attrs.get(DEFAULTS) and any(
            t.number < trial.number and t.user_attrs.get(DEFAULTS)
            for t in trial.study.get_trials(deepcopy=False)
        ):
            # two processes started one study at once and both enqueued the defaults
            trial.set_user_attr(SURPLUS, True)
            raise SurplusTrial(f"trial {trial.number} repeats the estimator's defaults")
        if self.n_trials is None:
            return
        ahead = sum(
            1
            for t in trial.study.get_trials(deepcopy=False)
            if t.number < trial.number and (t.state == TrialState.RUNNING or is_counted(t))
        )
        if ahead >= self.n_trials:
            trial.set_user_attr(SURPLUS, True)
            raise SurplusTrial(f"trial {trial.number} is beyond n_trials={self.n_trials}")

    def __call__(self, trial: optuna.trial.Trial) -> float:
        trial.set_user_attr(WORKER, worker_tag())
        self._claim(trial)
        params = sample_params(trial, self.param_distributions)
        record: dict[str, list] = {"fit_time": [], "score_time": [], FOLD_EPOCHS: [],
                                   FOLD_BEST_EPOCH: []}
        for name in self.scorers:
            record[f"test_{name}"] = []
            if self.return_train_score:
                record[f"train_{name}"] = []
        reporter = None
        caught: list[warnings.WarningMessage] = []
        try:
            for fold, (train, test) in enumerate(self.splits):
                if fold == 0 and self.prune:
                    reporter = EpochPruningCallback(trial, metric=self.monitor_metric)
                # The user's filters decide what is shown; what would be shown is
                # gathered and reported once per search instead of once per fold.
                with warnings.catch_warnings(record=True) as fold_caught:
                    try:
                        self._fold(fold, train, test, params, reporter if fold == 0 else None,
                                   record)
                    finally:
                        caught.extend(fold_caught)
                        self._store_warnings(trial, caught)
        except KeyboardInterrupt:
            trial.set_user_attr(STOP_REASON, "the search was stopped (Ctrl-C) while it ran")
            self._store(trial, record)
            raise
        except optuna.TrialPruned:
            if reporter is not None and reporter.last_step is not None:
                trial.set_user_attr(PRUNED_AT_EPOCH, reporter.last_step)
            self._store(trial, record)
            raise
        except Exception as exc:
            if self.error_score == "raise":
                raise
            reason = f"{type(exc).__name__}: {exc}"
            trial.set_user_attr(FAIL_REASON, reason[:2000])
            self._store(trial, record)
            raise TrialFailed(reason) from exc
        self._store(trial, record)
        return float(np.mean(record[f"test_{self.refit_metric}"]))

    def _fold(self, fold: int, train, test, params: dict, reporter, record: dict) -> None:
        """Fit and score one fold; append its scores and times to ``record``."""
        est = clone(self.estimator).set_params(**params)
        X_tr, y_tr = _safe_indexing(self.X, train), _safe_split_y(self.y, train)
        X_te, y_te = _safe_indexing(self.X, test), _safe_split_y(self.y, test)
        fit_params = index_fit_params(self.fit_params, _num_samples(self.X), train)
        start = time.perf_counter()
        sharing = (contextlib.nullcontext() if self.shared_widths is False
                   else shared_mlp_graphs(max_units=self.shared_widths, widths=self.width_mode))
        with sharing:
            if reporter is None:
                fit_with_callbacks(est, X_tr, y_tr, fit_params)
            else:
                fit_with_callbacks(est, X_tr, y_tr, fit_params, callbacks=[reporter],
                                   eval_set=(X_te, y_te))
        fit_time = time.perf_counter() - start
        self._check_interrupt()
        test_scores = _score(est, X_te, y_te, self.scorers)
        score_time = time.perf_counter() - start - fit_time
        bad = {k: v for k, v in test_scores.items() if not math.isfinite(v)}
        if bad:
            raise FloatingPointError(
                f"non-finite test score on fold {fold} ({bad}); the model "
                "probably diverged (NaN loss)"
            )
        record["fit_time"].append(fit_time)
        record["score_time"].append(score_time)
        final = est.steps[-1][1] if isinstance(est, Pipeline) else est
        # how long the fold trained, and its best epoch (early stopping): the refit reads them
        record[FOLD_EPOCHS].append(_count(getattr(final, "n_iter_", None)))
        record[FOLD_BEST_EPOCH].append(_count(getattr(final, "best_epoch_", None)))
        for name, value in test_scores.items():
            record[f"test_{name}"].append(value)
        if self.return_train_score:
            for name, value in _score(est, X_tr, y_tr, self.scorers).items():
                record[f"train_{name}"].append(value)

    def _check_interrupt(self) -> None:
        if self.interrupt_flag is not None and self.interrupt_flag.is_set:
            raise KeyboardInterrupt

    @staticmethod
    def _store_warnings(trial: optuna.trial.Trial, caught: list) -> None:
        if not caught:
            return
        first = caught[0]
        category = first.category
        trial.set_user_attr(N_WARNINGS, len(caught))
        trial.set_user_attr(FIRST_WARNING, f"{category.__name__}: {first.message}"[:1000])
        trial.set_user_attr(FIRST_WARNING_CATEGORY, f"{category.__module__}:{category.__qualname__}")

    @staticmethod
    def _store(trial: optuna.trial.Trial, record: dict) -> None:
        for key, values in record.items():
            trial.set_user_attr(key, [float(v) for v in values])
