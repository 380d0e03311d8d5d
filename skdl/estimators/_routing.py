"""Routing of scikeras-style prefixed parameters (``model__units=64``).

One small pure function decides where each extra keyword goes, so every
estimator routes the same way and a scikeras user can switch by changing an
import.
"""

from __future__ import annotations

from skdl.utils import did_you_mean

#: prefix -> what it configures
ROUTES = {
    "model": "the architecture builder (keyword arguments)",
    "optimizer": "the Keras optimizer's options",
    "loss": "the Keras loss's options (loss__<param>, or per output loss__<index or key>__<param>)",
    "metrics": "options of metrics given as classes (metrics__<param>, metrics__<index or key>__<param>)",
    "compile": "model.compile keyword arguments",
    "fit": "training options (epochs, batch_size, shuffle, verbose, validation_split, validation_batch_size, "
           "callbacks; others go to model.fit on the Keras engine)",
    "predict": "model.predict options (batch_size, verbose, steps, callbacks)",
    "callbacks": "options for callbacks given as classes",
    "lr_schedule": "the learning-rate schedule's options",
}

#: routes only KerasClassifier/KerasRegressor take (scikeras' ``score__``)
KERAS_WRAPPER_ROUTES = {**ROUTES, "score": "keyword arguments of the scorer that score() calls"}


def route_params(params: dict, prefix: str) -> dict:
    """Return the entries of ``params`` that start with ``prefix + "__"``, prefix removed.

    Examples
    --------
    >>> route_params({"optimizer__momentum": 0.9, "model__units": 8}, "optimizer")
    {'momentum': 0.9}
    """
    head = prefix + "__"
    return {k[len(head) :]: v for k, v in params.items() if k.startswith(head)}


def check_routed_names(names, *, estimator_name: str, declared, allow_bare=(), routes=ROUTES):
    """Raise a ValueError for an extra keyword that no route accepts.

    Parameters
    ----------
    names : iterable of str
        The extra keyword names given to the estimator.
    estimator_name : str
        Used in the message.
    declared : iterable of str
        The estimator's declared parameters, offered as "did you mean" hints.
    allow_bare : iterable of str, default=()
        Un-prefixed names accepted anyway (a builder's own keyword arguments).
    routes : dict, default=ROUTES
        The prefixes the estimator takes.
    """
    allow_bare = set(allow_bare)
    for name in names:
        head, sep, _ = name.partition("__")
        if sep and head in routes:
            continue
        if not sep and name in allow_bare:
            continue
        candidates = list(declared) + [f"{p}__" for p in routes] + sorted(allow_bare)
        hint = did_you_mean(name, candidates)
        raise ValueError(
            f"{estimator_name} got an unexpected parameter {name!r}. Parameters are "
            f"either declared ({', '.join(sorted(declared))}) or routed with one of "
            f"the prefixes {', '.join(p + '__' for p in routes)}.{hint}"
        )
