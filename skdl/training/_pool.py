"""A process-wide pool of idle compiled networks, keyed on what shapes the graph.

A fitted estimator owns its network for as long as it lives. When it is
garbage-collected or refitted, the network goes back to the pool, and the next
fit with the same key (same builder, hyperparameters, input and output shapes,
loss, metrics and optimizer options) takes it, re-initialises it in place and
skips building, compiling and tracing. In ``cross_val_score`` each fold's
estimator is dropped after scoring, so fold k+1 reuses fold k's graph.

The pool holds at most ``SKDL_POOL_SIZE`` idle networks (default 8), least
recently used evicted first; ``SKDL_POOL_SIZE=0`` turns reuse off.

Evicting is not enough to keep a long search's memory flat: the backends keep
compiled code for every shape they have seen in process-wide caches (JAX's jit
and dispatch caches, TensorFlow's eager kernel cache), and glibc keeps freed
pages. So after every ``max(1, SKDL_POOL_SIZE)`` evictions the pool sweeps, at
the start of the next fit: ``gc.collect()``, the backend's cache clear,
``malloc_trim(0)`` (:func:`release_memory`). Memory then stays bounded by a few architectures'
worth, and the sweep's cost (on JAX, re-compiling the eager operations Keras
uses to build the next model, about 0.3 s) is paid once per sweep, not per fit.
A network still in the pool or owned by a live estimator keeps working after a
sweep; on JAX its compiled functions are re-compiled on their next call.

An estimator ties its network to its own lifetime with :func:`own` and gives
it back early (a refit, a failed fit) with :func:`release`;
:func:`skdl.training._network.make_network` takes networks out.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections import OrderedDict


class NetworkPool:
    """Idle networks by key; thread-safe; a network is handed to one owner at a time."""

    def __init__(self, max_idle=None):
        if max_idle is None:
            max_idle = int(os.environ.get("SKDL_POOL_SIZE", "8"))
        self.max_idle = max_idle
        self._idle: OrderedDict[int, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evicted = 0
        self._since_sweep = 0
        self._sweep_due = False

    def acquire(self, key):
        """Take an idle network with this key, or return None.

        A sweep that evictions made due runs here, at the start of a fit: never
        inside ``release``, which runs from garbage collection and could land
        in the middle of another network's tracing.
        """
        if self._sweep_due:
            self._sweep_due = False
            release_memory()
        if key is None or self.max_idle <= 0:
            return None
        with self._lock:
            for token, (k, net) in reversed(self._idle.items()):
                if k == key:
                    del self._idle[token]
                    self.hits += 1
                    return net
            self.misses += 1
        return None

    def release(self, net):
        """Give a network back; it may be handed to the next fit with its key."""
        if net is None or not getattr(net, "reusable", False) or self.max_idle <= 0:
            return
        with self._lock:
            if any(n is net for _, n in self._idle.values()):
                return
            self._idle[id(net)] = (net.key, net)
            while len(self._idle) > self.max_idle:
                self._idle.popitem(last=False)
                self.evicted += 1
                self._since_sweep += 1
            if self._since_sweep >= max(1, self.max_idle):
                self._since_sweep = 0
                self._sweep_due = True

    def clear(self):
        """Drop every idle network and sweep (see :func:`release_memory`)."""
        with self._lock:
            self._idle.clear()
            self._sweep_due = False
        release_memory()

    def __len__(self):
        return len(self._idle)


POOL = NetworkPool()


def own(owner, net):
    """Make ``owner`` (an estimator) own ``net`` until it is garbage-collected or releases it.

    Sets ``owner._network = net`` and ``owner._finalizer``, a
    ``weakref.finalize`` that gives the network back to :data:`POOL` when
    ``owner`` is collected. Pickling must drop both attributes (the estimator's
    ``__getstate__`` does).

    A network ``owner`` had before goes back to the pool only now, after
    ``net`` was taken: so a refit never gets its own previous network back, and
    a ``model_`` the user kept from the previous fit is not retrained by it
    (scikeras builds a new ``keras.Model`` per fit; issue 14, C19).
    """
    previous = owner.__dict__.pop("_finalizer", None)
    owner._network = net
    owner._finalizer = weakref.finalize(owner, POOL.release, net)
    if previous is not None:
        previous()


def release(owner):
    """Give ``owner``'s network back to :data:`POOL` now, and forget it (no-op if it owns none)."""
    fin = owner.__dict__.pop("_finalizer", None)
    owner.__dict__.pop("_network", None)
    if fin is not None:
        fin()


def release_memory():
    """Free what dropped networks left behind and give the pages back to the system.

    ``gc.collect()`` frees networks caught in reference cycles; the backend's
    process-wide compilation caches are cleared (``jax.clear_caches()`` on JAX,
    the eager kernel cache on TensorFlow), since they hold compiled code for
    every layer shape ever seen and grew by ~9 MB per new architecture on JAX
    (benchmarks/bench_rss_fits.py); and ``malloc_trim(0)`` returns freed heap
    pages that glibc would otherwise keep (a no-op without glibc).
    """
    import gc

    gc.collect()
    backend = _keras_backend()
    if backend == "jax" and "jax" in sys.modules:
        import jax

        jax.clear_caches()
    elif backend == "tensorflow" and "tensorflow" in sys.modules:
        from skdl.training._fixes import clear_tf_kernel_cache

        clear_tf_kernel_cache()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _keras_backend():
    keras = sys.modules.get("keras")
    try:
        return keras.backend.backend() if keras is not None else None
    except AttributeError:  # pragma: no cover - keras half-imported
        return None


_TRIM = []


def _malloc_trim():
    if not _TRIM:
        fn = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                fn = ctypes.CDLL("libc.so.6").malloc_trim
                fn.argtypes = [ctypes.c_size_t]
                fn.restype = ctypes.c_int
            except (OSError, AttributeError):  # musl or an unusual libc
                fn = None
        _TRIM.append(fn)
    return _TRIM[0]


def freeze(value):
    """A hashable, comparable form of a hyperparameter value, for pool keys.

    Raises
    ------
    TypeError
        For values whose identity cannot be trusted to describe a graph (e.g.
        Keras objects with state); such fits are simply not pooled.
    """
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), freeze(v)) for k, v in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(v) for v in value)))
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return (type(value).__name__, value.item())
        if isinstance(value, np.ndarray):
            return ("ndarray", str(value.dtype), value.shape, tuple(value.ravel().tolist()))
        if isinstance(value, np.dtype):
            return ("dtype", str(value))
    except ImportError:  # pragma: no cover
        pass
    if callable(value) and hasattr(value, "__qualname__") and not hasattr(value, "get_config"):
        return ("fn", value)  # functions and classes hash by identity
    raise TypeError(f"cannot use {type(value).__name__} in a pool key")
