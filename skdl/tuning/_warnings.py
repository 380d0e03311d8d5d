"""One warning per search for what its folds warned about (ConvergenceWarning etc.).

A 20-trial, 3-fold search of a network trained for a few epochs would otherwise
print 60 ``ConvergenceWarning``s. Each trial stores how many warnings its folds
raised and the first one (user attributes, so worker processes report theirs
too; see :class:`skdl.tuning._objective.TrialObjective`); ``fit`` then emits one
warning with the count and the first message.
"""

from __future__ import annotations

import sys
import warnings

from optuna.trial import FrozenTrial

from skdl.tuning._objective import FIRST_WARNING, FIRST_WARNING_CATEGORY, N_WARNINGS

__all__ = ["warn_fold_warnings"]


def _category(path: str | None) -> type[Warning]:
    """The warning class stored as ``module:qualname``, if its module is imported."""
    if path and ":" in path:
        module, _, name = path.partition(":")
        obj = sys.modules.get(module)
        for part in name.split("."):
            obj = getattr(obj, part, None)
        if isinstance(obj, type) and issubclass(obj, Warning):
            return obj
    return UserWarning


def warn_fold_warnings(trials: list[FrozenTrial], *, stacklevel: int) -> None:
    """Emit one warning summarising the fold warnings of ``trials`` (nothing if none).

    The warning has the category of the first warning gathered (a
    ``ConvergenceWarning`` stays a ``ConvergenceWarning``, so filters on it work),
    the total count, the number of trials, and the first message.
    """
    warned = [t for t in trials if t.user_attrs.get(N_WARNINGS)]
    if not warned:
        return
    total = sum(int(t.user_attrs[N_WARNINGS]) for t in warned)
    first = min(warned, key=lambda t: t.number)
    noun = "warning" if total == 1 else "warnings"
    message = (
        f"The cross-validation fits of {len(warned)} of {len(trials)} trials raised {total} "
        f"{noun} (shown once here; each trial's count is its user attribute "
        f"{N_WARNINGS!r}). The first, in trial {first.number}: {first.user_attrs[FIRST_WARNING]}"
    )
    category = _category(first.user_attrs.get(FIRST_WARNING_CATEGORY))
    warnings.warn(message, category, stacklevel=stacklevel + 1)
