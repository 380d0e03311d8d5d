"""Choosing the engine and handing networks out through the pool (interim; replaced by the engine split)."""

from __future__ import annotations

import weakref

_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")


def _wants_keras_engine(engine, keras_callbacks, fit_kwargs):
    if engine == "keras" or fit_kwargs:
        return True
    from skdl.training.runtime import get_keras

    base = get_keras().callbacks.Callback
    return any(getattr(type(cb), h, None) is not getattr(base, h) for cb in keras_callbacks for h in _BATCH_HOOKS)


def make_network(build_model, sample, *, key=None, engine="auto", keras_callbacks=(), fit_kwargs=None):
    """A network for one fit: a pooled one with ``key``, else one around ``build_model()``."""
    from skdl.training._engine import KerasFitNetwork, Network
    from skdl.training._pool import POOL
    from skdl.training.runtime import backend_name

    keras_engine = _wants_keras_engine(engine, keras_callbacks, fit_kwargs)
    key = None if keras_engine else key
    net = POOL.acquire(key)
    if net is not None:
        return net
    model = build_model()
    single_io = len(model.inputs) == 1 and len(model.outputs) == 1
    fast = backend_name() in ("jax", "tensorflow")
    if keras_engine or not single_io or not fast:
        if engine == "compiled" and not keras_engine:
            raise ValueError(
                "engine='compiled' needs the TensorFlow or JAX backend and a model with "
                f"one input and one output; got backend {backend_name()!r}."
            )
        return KerasFitNetwork(model, sample, callbacks=keras_callbacks, fit_kwargs=fit_kwargs)
    return Network(model, sample, key=key)


def own_network(owner, net):
    """``owner`` owns ``net`` until it is garbage-collected or releases it."""
    from skdl.training._pool import POOL

    owner._network = net
    owner._finalizer = weakref.finalize(owner, POOL.release, net)


def release_network(owner):
    """Give ``owner``'s network back to the pool now."""
    fin = owner.__dict__.pop("_finalizer", None)
    owner.__dict__.pop("_network", None)
    if fin is not None:
        fin()
