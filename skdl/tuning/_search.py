"""OptunaSearchCV: a scikit-learn search meta-estimator driven by an Optuna study.

The trials themselves are :class:`skdl.tuning._objective.TrialObjective`;
``cv_results_`` is built in :mod:`skdl.tuning._results`; running them (one
process or workers) is :mod:`skdl.tuning._parallel`.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
import warnings
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
import optuna
from optuna.pruners import BasePruner, NopPruner
from optuna.samplers import BaseSampler, TPESampler
from optuna.storages import BaseStorage, InMemoryStorage
from optuna.trial import TrialState
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state, get_tags, indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skdl.exceptions import TrainingInterruptedWarning
from skdl.tuning._delegation import BestEstimatorMixin
from skdl.tuning._ensemble import TrialEnsemble
from skdl.tuning._objective import (
    DEFAULTS,
    DEFAULTS_OUTSIDE,
    FOLD_BEST_EPOCH,
    TrialObjective,
    enqueue_defaults,
    final_accepts_callbacks,
    fit_with_callbacks,
    make_cv,
    shared_widths,
)
from skdl.tuning._parallel import InterruptFlag, n_cores, optimize_loop, run_workers
from skdl.tuning._progress import SearchProgress
from skdl.tuning._results import format_results, refit_indices, select_index
from skdl.tuning._spaces import validate_space
from skdl.tuning._storage import (
    FAIL_REASON,
    copy_to_memory,
    fail_dead_local_trials,
    get_storage,
    is_counted,
    open_study,
)
from skdl.tuning._warnings import warn_fold_warnings
from skdl.utils import did_you_mean

__all__ = ["OptunaSearchCV", "fold_length_params"]


def fold_length_params(estimator, params: dict, trial, n_splits: int) -> dict:
    """``params`` for a refit that trains as long as the trial's folds found best.

    For an early-stopping trial of an estimator with ``early_stopping`` and
    ``epochs`` (the final step of a Pipeline), the refit gets
    ``early_stopping=False`` and ``epochs`` = 1 + the median of the folds'
    best epochs (0-based, the trial's ``fold_best_epoch`` user attribute).
    Anything else (no early stopping, a trial without a best epoch per fold)
    is returned unchanged.
    """
    params = dict(params)
    est = clone(estimator).set_params(**params)
    prefix = ""
    if isinstance(est, Pipeline):
        prefix, est = f"{est.steps[-1][0]}__", est.steps[-1][1]
    own = est.get_params(deep=False)
    if own.get("early_stopping") is not True or "epochs" not in own:
        return params
    best = [] if trial is None else trial.user_attrs.get(FOLD_BEST_EPOCH, [])
    best = [b for b in best if isinstance(b, (int, float)) and math.isfinite(b)]
    if len(best) != n_splits:  # a study written before skdl recorded them
        return params
    params[f"{prefix}early_stopping"] = False
    params[f"{prefix}epochs"] = max(1, int(round(float(np.median(best)))) + 1)
    return params


class OptunaSearchCV(BestEstimatorMixin, MetaEstimatorMixin, BaseEstimator):
    """Hyperparameter search with cross-validation, driven by an Optuna study.

    Each trial samples parameters from ``param_distributions``, sets them on a
    clone of ``estimator`` and cross-validates it. Trial 0 of a new study is the
    estimator's own configuration (its current values of the space's parameters
    that lie inside the space; the sampler draws the others), so the best score
    is never below that of the starting point. For skdl's Keras estimators
    (and Pipelines ending in one) the validation score of the first fold is
    reported after every epoch, so ``pruner`` can stop bad trials early. The study
    can live in a persistent ``storage``, to resume an interrupted search or to
    share one search between processes and machines.

    Parameters
    ----------
    estimator : estimator object
        The estimator or Pipeline to tune (``step__param`` names for Pipelines).
    param_distributions : dict
        ``{parameter name: spec}`` where a spec is an Optuna distribution, a list of
        values, or a :class:`Choice`, :class:`LayerSpace` or :class:`Conditional`.
        See :func:`default_space` for skdl's MLP and CNN estimators.
    n_trials : int or None, default=10
        Number of counted trials the study should hold when ``fit`` ends, trials
        of earlier runs of the same study included. Counted are complete, pruned
        and failed-because-of-their-parameters trials; trials interrupted or lost
        with a killed worker are not counted (they are run again).
    timeout : float or None, default=None
        Stop starting new trials after this many seconds.
    cv : int, cross-validation generator or iterable, default=None
        An int (``None``: 5) gives **shuffled** folds, stratified for classifiers
        (``StratifiedKFold``/``KFold(n, shuffle=True)``), seeded by
        ``random_state`` (``None``: seed 0, so a resumed study keeps its folds).
        This deliberately differs from ``GridSearchCV``, whose integer ``cv`` does
        not shuffle: on rows sorted by class, unshuffled folds make the scores,
        and so the winning trial, noise. A splitter or an iterable of splits is
        used as given; splits must be the same for every trial, so do not pass a
        shuffling splitter without a fixed ``random_state``.
    scoring : str, callable, list, tuple, dict or None, default=None
        As in ``GridSearchCV``. With several metrics, ``refit`` names the one the
        study optimises.
    refit : bool or str, default=True
        Refit the best parameters on all data (``best_estimator_``). With several
        metrics, the name of the metric to optimise and to choose the best trial by.
        ``fit(..., refit_callbacks=[...])`` gives callbacks to the refit only;
        with ``refit=False``, :meth:`refit_best` refits later.
    sampler : optuna.samplers.BaseSampler, default=None
        ``None`` uses ``TPESampler(seed=random_state, multivariate=True)`` with
        ``n_trials // 4`` random start-up trials (3 to 10) instead of Optuna's 10,
        so a 20-trial search spends 5 trials (after trial 0, the estimator's own
        configuration) exploring and the rest on the model of the results.
    pruner : optuna.pruners.BasePruner, default=None
        ``None`` means no pruning. Pruning applies to estimators with
        ``_skdl_epoch_callbacks`` (or Pipelines ending in one).
    storage : None, str, path-like or optuna.storages.BaseStorage, default=None
        Where the study lives, see :func:`get_storage`: ``None`` (memory), a
        database URL, a ``.db`` file (SQLite) or a ``.log``/``.jsonl`` file
        (journal).
    study_name : str, default=None
        Name of the study in the storage; needed to resume or share a study.
    heartbeat_interval : int, default=None
        Seconds between heartbeats of running trials, for database URLs: a
        trial whose worker stops beating for ``grace_period`` seconds (a worker
        lost on another machine) is marked failed and its place in
        ``n_trials`` is run again. Ignored for storage objects (configure
        those with :func:`get_storage`).
    grace_period : int, default=None
        Seconds without a heartbeat before a running trial counts as failed
        (Optuna's default: twice ``heartbeat_interval``).
    load_if_exists : bool, default=False
        Continue an existing study of that name instead of raising.
    n_jobs : int, default=None
        Number of worker processes running trials (``-1``: all cores). Each worker
        gets its share of the cores as thread budget. With ``storage=None`` a
        temporary journal file is shared by the workers.
    random_state : int, RandomState instance or None, default=None
        Seed of the default sampler and of the folds of an integer ``cv``.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar over trials with the best score
        so far and the numbers of pruned and failed trials; 2 also shows Optuna's
        log lines. Whatever the verbosity, the warnings the folds raise (e.g.
        ``ConvergenceWarning``) are gathered and reported by one warning at the
        end of ``fit`` (count and first message), not once per fold.
    error_score : "raise" or float, default=np.nan
        Score given to every fold of a trial whose fit fails (the trial is recorded
        as failed with its ``fail_reason`` user attribute). ``"raise"`` re-raises.
    return_train_score : bool, default=False
        Also score the training part of each fold.
    share_graphs : bool, default=True
        Let trials of :class:`~skdl.MLPClassifier`/:class:`~skdl.MLPRegressor`
        share compiled graphs: dropout and L2 become runtime values and, on up
        to ``SHARED_WIDTH_MAX_ROWS`` (10 000) training rows, hidden layers are
        built wider (at the space's largest width up to 2 000 rows per fold
        and on JAX, else at the next power of two) with the trial's units
        drawn and the others zero, so trials that differ in width, dropout,
        L2 or learning rate reuse one trace (:mod:`skdl.architectures._shared`).
        The networks compute what the trial's exact widths compute (dropout
        masks are drawn differently). Configurations it cannot express (batch norm, L1,
        activation(0) != 0, other builders) build as usual; the refit always
        builds the exact network. ``False`` builds every trial exactly.
    refit_ensemble : int, default=1
        With ``k > 1``, the refit fits the ``k`` best complete trials (by the
        ``refit`` metric; fewer if fewer completed) on all data and
        ``best_estimator_`` is their :class:`TrialEnsemble`, which averages the
        members' ``predict_proba`` (classifiers) or ``predict`` (regressors).
        The refit then costs ``k`` fits. Averaging the close runners-up lowers
        the variance that picking one winner among noisy CV scores adds; see
        docs/tuning.md for when it helped. ``best_params_`` stays the best
        trial's.

    refit_length : {"folds", "own"}, default="folds"
        How long the refit of an early-stopping trial trains. ``"folds"``
        trains it on all rows, without early stopping, for the median of its
        folds' best epochs (recorded per trial as the ``fold_best_epoch`` user
        attribute): the training length cross-validation chose, instead of a
        new decision on the refit's small validation split (which once stopped
        a refit at its first epoch; docs/tuning.md has the measurements). Its
        history then has training values only. ``"own"`` fits the trial's
        parameters as they are: the refit holds out its ``validation_fraction``,
        stops on it again and keeps that validation curve. Trials without
        early stopping, or estimators without ``early_stopping``/``epochs``
        parameters, refit as they are either way.
    defaults_margin : float, default=1.0
        Keep trial 0, the estimator's own configuration, unless the best
        trial's mean CV score beats it by more than ``defaults_margin``
        standard errors (of the best trial's mean over its folds), as in the
        one-standard-error rule. The highest of 20 noisy CV means is partly
        luck; on the quality panel the plain winner often scored below the
        defaults on new data (docs/tuning.md has the measurements). ``0``
        refits the highest score, as ``GridSearchCV`` does. Applies when the
        defaults were enqueued in full (not for grid samplers, or when some of
        their values lie outside the space) and to single refits: with
        ``refit_ensemble > 1`` the ``k`` highest scores are refit and
        ``best_index_`` is the highest.

    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        One entry per counted trial, in trial order, in ``GridSearchCV``'s format
        (``mean_fit_time``, ``param_<name>``, ``params``, ``split<i>_test_<m>``,
        ``mean_test_<m>``, ``std_test_<m>``, ``rank_test_<m>``, ...), plus
        ``trial_number`` and ``state``. Pruned trials have NaN scores.
    best_index_ : int
        Index in ``cv_results_`` of the trial the search chose: the highest
        mean score, or the defaults' trial when ``defaults_margin`` kept it.
    best_params_ : dict
        Parameters of the best trial, as given to the estimator.
    best_score_ : float
        Mean cross-validated score of the chosen trial (of the ``refit``
        metric), ``cv_results_["mean_test_<metric>"][best_index_]``.
    best_estimator_ : estimator
        The estimator refit on all data with ``best_params_`` (if ``refit``), or
        with ``refit_ensemble > 1`` the :class:`TrialEnsemble` of the best trials.
    ensemble_indices_ : list of int
        Indices in ``cv_results_`` of the trials the refit fitted, best first
        (``[best_index_]`` unless ``refit_ensemble > 1``).
    refit_params_ : list of dict
        The parameters each refitted estimator was given, in the order of
        ``ensemble_indices_``: the trial's, plus ``early_stopping=False`` and
        ``epochs`` when ``refit_length="folds"`` set its training length.
    best_trial_ : optuna.trial.FrozenTrial
        The best trial.
    refit_time_ : float
        Seconds spent refitting.
    scorer_ : callable or dict
        The scorer(s) used.
    multimetric_ : bool
        Whether several metrics were used.
    n_splits_ : int
        Number of cross-validation folds.
    n_trials_ : int
        Number of counted trials in the study.
    study_ : optuna.Study
        The study.
    interrupted_ : bool
        Whether the search was stopped by Ctrl-C.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : exhaustive search with the same results format.
    skdl.tuning.default_space : a search space for skdl's MLP and CNN estimators.

    Notes
    -----
    Ctrl-C stops the search and keeps every finished trial in the storage. If at
    least one trial completed, ``fit`` finishes with those (best parameters, refit)
    and warns how to resume; otherwise ``KeyboardInterrupt`` is raised again.

    Examples
    --------
    >>> from optuna.distributions import FloatDistribution
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdl.tuning import OptunaSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = OptunaSearchCV(LogisticRegression(max_iter=200),
    ...                         {"C": FloatDistribution(1e-2, 1e2, log=True)},
    ...                         n_trials=3, cv=3, random_state=0).fit(X, y)
    >>> sorted(search.best_params_)
    ['C']
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "param_distributions": [dict],
        "n_trials": [Interval(Integral, 1, None, closed="left"), None],
        "timeout": [Interval(Real, 0, None, closed="neither"), None],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, list, tuple, dict, None],
        "refit": ["boolean", str],
        "sampler": [BaseSampler, None],
        "pruner": [BasePruner, None],
        "storage": [None, str, os.PathLike, BaseStorage],
        "study_name": [str, None],
        "load_if_exists": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "error_score": [StrOptions({"raise"}), Real],
        "return_train_score": ["boolean"],
        "heartbeat_interval": [Interval(Integral, 1, None, closed="left"), None],
        "grace_period": [Interval(Integral, 1, None, closed="left"), None],
        "share_graphs": ["boolean"],
        "refit_ensemble": [Interval(Integral, 1, None, closed="left")],
        "refit_length": [StrOptions({"own", "folds"})],
        "defaults_margin": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_trials=10,
        timeout=None,
        cv=None,
        scoring=None,
        refit=True,
        sampler=None,
        pruner=None,
        storage=None,
        study_name=None,
        load_if_exists=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        error_score=np.nan,
        return_train_score=False,
        heartbeat_interval=None,
        grace_period=None,
        share_graphs=True,
        refit_ensemble=1,
        refit_length="folds",
        defaults_margin=1.0,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_trials = n_trials
        self.timeout = timeout
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.sampler = sampler
        self.pruner = pruner
        self.storage = storage
        self.study_name = study_name
        self.load_if_exists = load_if_exists
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period
        self.share_graphs = share_graphs
        self.refit_ensemble = refit_ensemble
        self.refit_length = refit_length
        self.defaults_margin = defaults_margin

    # -- tags -----------------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = deepcopy(sub.classifier_tags)
        tags.regressor_tags = deepcopy(sub.regressor_tags)
        tags.input_tags.pairwise = sub.input_tags.pairwise
        tags.input_tags.sparse = sub.input_tags.sparse
        tags.non_deterministic = True
        return tags

    # -- fit ----------------------------------------------------------------

    def _scorers(self) -> tuple[dict, bool, str]:
        scoring = self.scoring
        if scoring is None or isinstance(scoring, str) or callable(scoring):
            return {"score": check_scoring(self.estimator, scoring)}, False, "score"
        if isinstance(scoring, (list, tuple)):
            if not scoring or not all(isinstance(s, str) for s in scoring):
                raise ValueError(
                    "A list of scorings must be a non-empty list of scorer names. "
                    f"Got {scoring!r} instead."
                )
            scorers = {name: check_scoring(self.estimator, name) for name in scoring}
        else:
            if not scoring:
                raise ValueError("The 'scoring' dict must not be empty.")
            scorers = {name: check_scoring(self.estimator, s) for name, s in scoring.items()}
        if not isinstance(self.refit, str) or self.refit not in scorers:
            raise ValueError(
                "With several metrics, 'refit' must name the metric the study optimises, "
                f"one of {sorted(scorers)}. Got refit={self.refit!r} instead."
            )
        return scorers, True, self.refit

    def _check_param_names(self) -> None:
        valid = set(self.estimator.get_params(deep=True))
        for name in self.param_distributions:
            parts = name.split("__")
            if any("__".join(parts[:i]) in valid for i in range(1, len(parts) + 1)):
                continue
            raise ValueError(
                f"Invalid parameter {name!r} in param_distributions for estimator "
                f"{type(self.estimator).__name__}.{did_you_mean(name, sorted(valid))} "
                f"Valid parameters are: {sorted(valid)}."
            )

    def _monitor_metric(self, refit_metric: str) -> str | None:
        scoring = self.scoring
        if isinstance(scoring, dict):
            scoring = scoring[refit_metric]
        elif isinstance(scoring, (list, tuple)):
            scoring = refit_metric
        if scoring is None:
            return "accuracy" if is_classifier(self.estimator) else None
        return scoring if isinstance(scoring, str) else None

    def _cv(self, y):
        """The splitter: an int (or None) gives shuffled folds seeded by random_state."""
        return make_cv(self.cv, y, classifier=is_classifier(self.estimator),
                       random_state=self.random_state)

    def _n_jobs(self) -> int:
        n_jobs = self.n_jobs or 1
        return max(1, n_cores() + 1 + n_jobs) if n_jobs < 0 else n_jobs

    def _sampler(self, n_jobs: int) -> BaseSampler:
        if self.sampler is not None:
            return deepcopy(self.sampler)  # keep the user's object (and its RNG) untouched
        seed = None
        if self.random_state is not None:
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # Few random start-up trials (Optuna's default of 10 is half a 20-trial
        # budget) and a multivariate model, which learns that parameters interact
        # (learning rate with batch size and optimizer) instead of treating each alone.
        n_startup = 10 if self.n_trials is None else max(3, min(10, self.n_trials // 4))
        return TPESampler(seed=seed, constant_liar=n_jobs > 1, n_startup_trials=n_startup,
                          multivariate=True)

    def _storage(self, n_jobs: int) -> tuple[BaseStorage, str | None]:
        """The study's storage, and the temporary directory holding it (or None)."""
        if self.storage is None and n_jobs > 1:
            tmpdir = tempfile.mkdtemp(prefix="skdl-search-")
            return get_storage(os.path.join(tmpdir, "study.log")), tmpdir
        storage = get_storage(
            self.storage, heartbeat_interval=self.heartbeat_interval, grace_period=self.grace_period,
        )
        if n_jobs > 1 and isinstance(storage, InMemoryStorage):
            raise ValueError(
                "n_jobs > 1 runs trials in separate processes, which cannot share an "
                "InMemoryStorage. Pass storage=None (a temporary journal file is used), "
                "a '.db'/'.log' path or a database URL."
            )
        return storage, None

    def fit(self, X, y=None, *, groups=None, refit_callbacks=None, **fit_params):
        """Run the study, then refit the best parameters on all data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Group labels for group-aware ``cv`` splitters.
        refit_callbacks : list, default=None
            Fit-time callbacks for the refit only (not for the trials), e.g. a
            progress bar over the refit's epochs: objects with
            ``on_epoch_end(epoch, logs)`` or Keras callbacks, given as
            ``callbacks=`` to the final estimator's ``fit`` (see
            :meth:`refit_best`). Needs ``refit`` and an estimator with epoch
            callbacks (skdl's Keras estimators or a Pipeline ending in one).
        **fit_params : dict
            Passed to the estimator's ``fit`` (array-likes of length n_samples are
            split with the folds). For a Pipeline use ``step__param`` names.

        Returns
        -------
        self : OptunaSearchCV
        """
        self._validate_params()
        if refit_callbacks is not None:
            if not self.refit:
                raise ValueError(
                    "refit_callbacks are given to the refit, but refit=False. Pass refit=True, "
                    "or call refit_best(X, y, callbacks=...) after fit."
                )
            self._check_callbacks(refit_callbacks, "refit_callbacks")
        if self.n_trials is None and self.timeout is None:
            raise ValueError(
                "OptunaSearchCV needs n_trials or timeout (or both) to know when to stop; "
                "both are None."
            )
        validate_space(self.param_distributions)
        self._check_param_names()
        X, y, groups = indexable(X, y, groups)
        splits = list(self._cv(y).split(X, y, groups))
        scorers, multimetric, refit_metric = self._scorers()
        n_jobs = self._n_jobs()
        sampler = self._sampler(n_jobs)
        pruner = self.pruner if self.pruner is not None else NopPruner()
        storage, tmpdir = self._storage(n_jobs)
        objective = TrialObjective(
            estimator=self.estimator, param_distributions=self.param_distributions,
            X=X, y=y, splits=splits, scorers=scorers, refit_metric=refit_metric,
            fit_params=fit_params, error_score=self.error_score,
            return_train_score=self.return_train_score, n_trials=self.n_trials,
            prune=not isinstance(pruner, NopPruner) and final_accepts_callbacks(self.estimator),
            monitor_metric=self._monitor_metric(refit_metric),
            shared_widths=shared_widths(self.param_distributions, splits) if self.share_graphs else False,
        )
        optuna_verbosity = optuna.logging.INFO if self.verbose > 1 else optuna.logging.ERROR
        old_verbosity = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna_verbosity)
        study = None
        try:
            study = self._open(storage, sampler, pruner)
            done_before = {t.number for t in study.get_trials(deepcopy=False)
                           if t.state.is_finished()}
            self.interrupted_ = self._optimize(study, storage, objective, n_jobs, optuna_verbosity)
        finally:
            optuna.logging.set_verbosity(old_verbosity)
            if tmpdir is not None:
                if study is not None:
                    study = copy_to_memory(study, storage)
                shutil.rmtree(tmpdir, ignore_errors=True)

        self.study_ = study
        self.scorer_ = scorers if multimetric else scorers["score"]
        self.multimetric_ = multimetric
        self.refit_metric_ = refit_metric
        self.n_splits_ = len(splits)
        all_trials = study.get_trials(deepcopy=True)
        trials = [t for t in all_trials if is_counted(t)]
        self.n_trials_ = len(trials)
        warn_fold_warnings([t for t in all_trials if t.state.is_finished()
                            and t.number not in done_before], stacklevel=2)
        if self.interrupted_:
            self._warn_interrupted(trials)
        self._finish(trials, list(scorers), refit_metric)
        if self.refit:
            self._refit(X, y, fit_params, refit_callbacks)
        return self

    def refit_best(self, X, y=None, *, callbacks=None, **fit_params):
        """Fit the best parameters on ``X, y``: ``best_estimator_`` and ``refit_time_``.

        ``fit`` calls this when ``refit`` is true. Call it yourself after a
        ``refit=False`` search to decide on the refit afterwards (e.g. not after an
        interrupted search) or to refit on other rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        callbacks : list, default=None
            Fit-time callbacks for this fit (objects with
            ``on_epoch_end(epoch, logs)`` or Keras callbacks), given as
            ``callbacks=`` to the final estimator (``<step>__callbacks`` of a
            Pipeline). They are not stored in the fitted estimator, so it pickles
            without them.
        **fit_params : dict
            Passed to the estimator's ``fit`` (``step__param`` for a Pipeline).

        Returns
        -------
        self : OptunaSearchCV

        Raises
        ------
        ValueError
            If ``callbacks`` are given and the estimator takes no epoch callbacks.
        """
        check_is_fitted(self, "best_params_")
        if callbacks is not None:
            self._check_callbacks(callbacks, "callbacks")
        X, y = indexable(X, y)
        self._refit(X, y, fit_params, callbacks)
        return self

    def _check_callbacks(self, callbacks, name: str) -> None:
        if not isinstance(callbacks, (list, tuple)):
            raise ValueError(f"{name} must be a list of callbacks. Got {callbacks!r} instead.")
        if callbacks and not final_accepts_callbacks(self.estimator):
            raise ValueError(
                f"{name} need an estimator whose fit takes epoch callbacks (skdl's Keras "
                "estimators, or a Pipeline ending in one); "
                f"{type(self.estimator).__name__} does not."
            )

    def _refit(self, X, y, fit_params: dict, callbacks) -> None:
        indices = refit_indices(self.cv_results_, self.refit_metric_, self.refit_ensemble,
                                self.best_index_)
        trials = {t.number: t for t in self.study_.get_trials(deepcopy=False)}
        params = [self._refit_params(i, trials) for i in indices]
        members = []
        start = time.perf_counter()
        for p in params:
            est = clone(self.estimator).set_params(**p)
            fit_with_callbacks(est, X, y, fit_params, callbacks=list(callbacks or ()))
            members.append(est)
        if len(members) == 1:
            best = members[0]
        else:
            names = [f"trial_{int(self.cv_results_['trial_number'][i])}" for i in indices]
            unfitted = [clone(self.estimator).set_params(**p) for p in params]
            best = TrialEnsemble(list(zip(names, unfitted)))._set_fitted(members)
        self.refit_time_ = time.perf_counter() - start
        self.ensemble_indices_ = indices
        self.refit_params_ = params
        self.best_estimator_ = best

    def _refit_params(self, index: int, trials: dict) -> dict:
        """The parameters to refit row ``index`` of ``cv_results_`` with (see ``refit_length``)."""
        params = dict(self.cv_results_["params"][index])
        if self.refit_length == "own":
            return params
        trial = trials.get(int(self.cv_results_["trial_number"][index]))
        return fold_length_params(self.estimator, params, trial, self.n_splits_)

    def _open(self, storage: BaseStorage, sampler: BaseSampler, pruner: BasePruner) -> optuna.Study:
        """Open the study, clean up after dead local workers, enqueue the defaults."""
        study = open_study(storage, self.study_name, sampler=sampler, pruner=pruner,
                           load_if_exists=self.load_if_exists)
        fail_dead_local_trials(study)
        outside = enqueue_defaults(study, self.estimator, self.param_distributions)
        if outside and self.verbose > 0:
            print("OptunaSearchCV: trial 0 is the estimator's configuration except for "
                  + "; ".join(f"{k} ({v})" for k, v in outside.items())
                  + ", which the sampler draws.", file=sys.stderr, flush=True)
        return study

    def _optimize(self, study: optuna.Study, storage: BaseStorage, objective: TrialObjective,
                  n_jobs: int, optuna_verbosity: int) -> bool:
        """Run trials until the budget is spent; return whether Ctrl-C stopped them."""
        deadline = None if self.timeout is None else time.time() + self.timeout
        progress = SearchProgress(self.n_trials, self.verbose, study)
        try:
            if n_jobs == 1:
                with InterruptFlag() as flag:
                    objective.interrupt_flag = flag
                    optimize_loop(study, objective, n_trials=self.n_trials,
                                  deadline=deadline, callbacks=[progress.update])
            else:
                job = {
                    "objective": objective, "storage": storage,
                    "study_name": study.study_name, "sampler": study.sampler,
                    "pruner": study.pruner, "n_trials": self.n_trials, "deadline": deadline,
                    "optuna_verbosity": optuna_verbosity,
                    # copies of one seeded sampler would repeat each other's draws
                    "reseed": True,
                }
                run_workers(n_workers=n_jobs, job=job, study=study, poll=progress.update)
        except KeyboardInterrupt:
            return True
        finally:
            objective.interrupt_flag = None
            progress.close()
        return False

    def _warn_interrupted(self, trials: list) -> None:
        how = (
            f"fit again with study_name={self.study_.study_name!r}, the same storage "
            "and load_if_exists=True"
            if self.storage is not None
            else "pass storage= and study_name= to make a search resumable"
        )
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        msg = (
            f"The search was interrupted after {len(trials)} counted trials "
            f"({len(complete)} complete). To resume it, {how}."
        )
        warnings.warn(msg, TrainingInterruptedWarning, stacklevel=3)
        if not complete:
            raise KeyboardInterrupt(msg)

    def _finish(self, trials: list, metrics: list[str], refit_metric: str) -> None:
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        failed = [t for t in trials if t.state == TrialState.FAIL]
        if not complete:
            if failed:
                reasons = "\n".join(
                    f"  trial {t.number}: {t.user_attrs.get(FAIL_REASON)}" for t in failed[:5]
                )
                raise ValueError(
                    f"All {len(trials)} trials failed or were pruned; none completed. "
                    f"{len(failed)} failed; the first reasons:\n{reasons}"
                )
            raise ValueError(
                f"No trial completed ({len(trials)} counted trials, all pruned). "
                "Increase n_trials or use a less aggressive pruner."
            )
        if failed:
            reasons = "; ".join(
                f"trial {t.number}: {t.user_attrs.get(FAIL_REASON)}" for t in failed[:3]
            )
            warnings.warn(
                f"{len(failed)} of {len(trials)} trials failed and got "
                f"error_score={self.error_score!r}. First reasons: {reasons}",
                FitFailedWarning,
                stacklevel=3,
            )
        self.cv_results_ = format_results(
            trials, self.param_distributions, metrics, self.n_splits_,
            self.return_train_score, self.error_score,
        )
        defaults = next((i for i, t in enumerate(trials) if t.user_attrs.get(DEFAULTS)
                         and not t.user_attrs.get(DEFAULTS_OUTSIDE)), None)
        # an ensemble averages the k best trials' noise away itself: its first member is the best
        margin = self.defaults_margin if self.refit_ensemble == 1 else 0.0
        self.best_index_ = select_index(self.cv_results_, refit_metric, defaults, margin)
        self.best_score_ = float(self.cv_results_[f"mean_test_{refit_metric}"][self.best_index_])
        self.best_params_ = self.cv_results_["params"][self.best_index_]
        number = int(self.cv_results_["trial_number"][self.best_index_])
        self.best_trial_ = next(t for t in trials if t.number == number)
