"""Hyperparameter search for skdl (and any scikit-learn) estimators with Optuna.

* :class:`OptunaSearchCV` - a scikit-learn search meta-estimator running an
  Optuna study, with per-epoch pruning for skdl's Keras estimators, persistent
  and shared storages, resume, and worker processes.
* Search spaces as plain data: Optuna distributions, lists, :class:`Choice`
  (tuples and other values), :class:`LayerSpace` (depth and width),
  :class:`Conditional`, and :func:`default_space` for skdl's MLP/CNN estimators.
* :func:`get_storage` - one function normalising every ``storage=`` value;
  :func:`open_study` - create or resume a study, checking it is the same search
  (direction, fingerprint; :class:`StudyMismatchError`); :func:`trial_counts`,
  :func:`count_trials` and :func:`is_counted` - the search's trial accounting.
* :class:`EpochPruningCallback` - the fit-time callback that reports epochs.
* :class:`TrialEnsemble` - the average of several fitted estimators, the
  ``best_estimator_`` of ``OptunaSearchCV(refit_ensemble=k)``.

``import skdl.tuning`` imports Optuna but not Keras or TensorFlow.
"""

from skdl.tuning._ensemble import TrialEnsemble
from skdl.tuning._pruning import PRUNED_AT_EPOCH, EpochPruningCallback
from skdl.tuning._search import OptunaSearchCV
from skdl.tuning._spaces import (
    BaseSpace,
    Choice,
    Conditional,
    LayerSpace,
    decode_params,
    default_space,
    sample_params,
)
from skdl.tuning._storage import (
    FAIL_REASON,
    STOP_REASON,
    SURPLUS,
    WORKER,
    StudyMismatchError,
    count_trials,
    get_storage,
    is_counted,
    open_study,
    trial_counts,
)

#: The user attributes skdl records on a trial, by meaning: ``fail_reason``
#: (the error of a trial that failed because of its parameters; counted),
#: ``stop_reason`` (why a trial stopped without counting: Ctrl-C, or its worker
#: process ended), ``pruned_at_epoch``, ``worker`` (``host:pid``) and
#: ``surplus`` (started after the study already held ``n_trials``).
TRIAL_ATTRS = {
    "fail_reason": FAIL_REASON,
    "stop_reason": STOP_REASON,
    "pruned_at_epoch": PRUNED_AT_EPOCH,
    "worker": WORKER,
    "surplus": SURPLUS,
}

__all__ = sorted(
    [
        "TRIAL_ATTRS",
        "BaseSpace",
        "Choice",
        "Conditional",
        "EpochPruningCallback",
        "LayerSpace",
        "OptunaSearchCV",
        "decode_params",
        "default_space",
        "count_trials",
        "get_storage",
        "is_counted",
        "sample_params",
        "open_study",
        "StudyMismatchError",
        "TrialEnsemble",
        "trial_counts",
    ]
)
