"""A process-wide pool of idle compiled networks, keyed on what shapes the graph.

A fitted estimator owns its network for as long as it lives. When it is
garbage-collected or refitted, the network goes back to the pool, and the next
fit with the same key (same builder, hyperparameters, input and output shapes,
loss, metrics and optimizer options) takes it, re-initialises it in place and
skips building, compiling and tracing. In ``cross_val_score`` each fold's
estimator is dropped after scoring, so fold k+1 reuses fold k's graph.

The pool holds at most ``SKDL_POOL_SIZE`` idle networks (default 8), least
recently used evicted first; ``SKDL_POOL_SIZE=0`` turns reuse off.
"""

from __future__ import annotations

import os
import threading
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

    def acquire(self, key):
        """Take an idle network with this key, or return None."""
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

    def clear(self):
        """Drop every idle network."""
        with self._lock:
            self._idle.clear()

    def __len__(self):
        return len(self._idle)


POOL = NetworkPool()


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
