"""Process-wide runtime policies: importing Keras quietly, threads, seeds, memory.

Every policy that concerns the whole process, rather than one fit, lives here
once and is used by the library and the CLI alike:

* :func:`get_keras` imports Keras the first time a network is built (never at
  ``import skdl``), with TensorFlow's native start-up notices filtered out of
  stderr, and applies the thread budget;
* :func:`thread_budget_env` is the environment that gives a worker process its
  share of the cores, and ``SKDL_NUM_THREADS`` (which it sets) is what
  :func:`get_keras` reads;
* :func:`seeded` seeds Python, NumPy and Keras for a block and restores all
  three afterwards;
* :func:`release_memory` frees what dropped networks left behind.

skdl honours ``KERAS_BACKEND`` and never switches a user's backend.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys

import numpy as np

__all__ = [
    "STARTUP_NOISE",
    "backend_name",
    "configure_threads",
    "get_keras",
    "n_cores",
    "release_memory",
    "seeded",
    "thread_budget_env",
    "without_startup_noise",
]

#: Fragments of the lines TensorFlow's native libraries write straight to file
#: descriptor 2 while they load and discover devices. They say nothing a user
#: can act on (TensorFlow then runs on the CPU), so they are dropped; every
#: other line passes.
STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "Could not find cuda drivers on your machine",
    "oneDNN custom operations are on",
    "TF_ENABLE_ONEDNN_OPTS",
    "cpu_feature_guard.cc",
    "To enable the following instructions",
    "rebuild TensorFlow with the appropriate compiler flags",
    "failed call to cuInit",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
)

_IMPORTED = False
_THREADS_CONFIGURED = False


def without_startup_noise(text: str) -> str:
    """``text`` without TensorFlow's start-up notices (and blank lines)."""
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if line.strip() and not any(n in line for n in STARTUP_NOISE)
    )


def get_keras():
    """Import and return the ``keras`` module, quietly, with the thread budget applied.

    The first call captures file descriptor 2 while Keras, its backend and a
    first operation (which discovers the devices) load, and writes back every
    line that is not a start-up notice (:data:`STARTUP_NOISE`). Where stderr
    has no file descriptor (an in-process caller's stream), Keras is imported
    as it is. Later calls return the module at once.

    Returns
    -------
    keras : module
    """
    global _IMPORTED
    if _IMPORTED:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from skdl.utils import import_optional

    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None or "keras" in sys.modules:
        keras = import_optional("keras", purpose="building and training networks")
        configure_threads()
    else:
        keras = _import_filtered(fd, import_optional)
    _IMPORTED = True
    return keras


def _import_filtered(fd, import_optional):
    import tempfile

    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), fd)
        try:
            keras = import_optional("keras", purpose="building and training networks")
            configure_threads()  # before the first operation starts the thread pools
            keras.ops.zeros(())  # the first operation discovers the devices
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            captured.seek(0)
            kept = without_startup_noise(captured.read().decode("utf-8", errors="replace"))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
    return keras


def backend_name() -> str:
    """Name of the active Keras backend (``"tensorflow"``, ``"jax"``, ``"torch"``, ...)."""
    return get_keras().backend.backend()


def overrides_hook(callback, hooks) -> bool:
    """Whether a Keras callback's class overrides any of ``hooks`` (names of
    ``keras.callbacks.Callback`` methods), i.e. does something there."""
    base = get_keras().callbacks.Callback
    return any(getattr(type(callback), hook, None) is not getattr(base, hook) for hook in hooks)


# ------------------------------------------------------------------- threads
_THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")


def n_cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def thread_budget_env(n_workers: int, *, environ=None) -> dict[str, str]:
    """Environment giving each of ``n_workers`` processes its share of the cores.

    BLAS/OpenMP, TensorFlow (intra- and inter-op pools) and XLA (JAX) read
    these when they start, so a worker must get them before it imports any of
    them; ``SKDL_NUM_THREADS`` is read by :func:`get_keras` (through
    :func:`configure_threads`) in case TensorFlow was imported anyway.

    Parameters
    ----------
    n_workers : int
        Processes sharing this machine's cores.
    environ : mapping, default=None
        The environment to extend (its ``XLA_FLAGS`` are kept, and a smaller
        ``SKDL_NUM_THREADS`` caps the workers' backend threads); ``os.environ``
        when None.

    Returns
    -------
    env : dict of str to str
    """
    environ = os.environ if environ is None else environ
    per = max(1, n_cores() // max(1, n_workers))
    env = {name: str(per) for name in _THREAD_ENV}
    env["TF_NUM_INTEROP_THREADS"] = "1"
    # a smaller budget already set for this process (the user's, or the CLI's one
    # op thread for tabular networks) holds in its workers too
    given = environ.get("SKDL_NUM_THREADS", "")
    backend_threads = min(per, int(given)) if given.isdigit() and int(given) > 0 else per
    env["SKDL_NUM_THREADS"] = env["TF_NUM_INTRAOP_THREADS"] = str(backend_threads)
    xla = environ.get("XLA_FLAGS", "")
    env["XLA_FLAGS"] = f"{xla} --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={per}".strip()
    return env


def configure_threads() -> int | None:
    """Apply ``SKDL_NUM_THREADS`` to the backend's thread pools (once per process).

    :func:`get_keras` calls it between importing Keras and its first
    operation: TensorFlow's pools can be sized only before they start.

    Returns the budget applied, or None when the variable is unset (the
    backend's defaults then stand).
    """
    global _THREADS_CONFIGURED
    n = os.environ.get("SKDL_NUM_THREADS")
    if _THREADS_CONFIGURED or not n:
        return int(n) if n else None
    keras = sys.modules.get("keras")
    if keras is not None:
        from skdl.training._network import configure_threads as _configure

        _THREADS_CONFIGURED = True
        _configure(keras.backend.backend(), int(n))
    return int(n)


# --------------------------------------------------------------------- seeds
@contextlib.contextmanager
def seeded(seed: int | None):
    """Seed Python, NumPy and Keras for the block, then restore all three.

    Keras' global seed is set directly (:func:`skdl.training._fixes.set_keras_global_seed`
    says why ``keras.utils.set_random_seed`` is not used), and the user's own
    Keras seed, if any, is back in place afterwards.

    Parameters
    ----------
    seed : int or None
        With None nothing is seeded, so fits are random as usual.
    """
    if seed is None:
        yield
        return
    from skdl.training import _fixes

    get_keras()
    py_state = random.getstate()
    np_state = np.random.get_state()
    keras_state = _fixes.get_keras_global_seed_state()
    # Keras 3 draws the seed of every unseeded initializer and SeedGenerator from
    # Python's random, so it is seeded too (else a fit that builds a new model
    # on the Keras engine is not reproducible under random_state).
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _fixes.set_keras_global_seed(int(seed))
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        _fixes.restore_keras_global_seed_state(keras_state)


# -------------------------------------------------------------------- memory
def release_memory() -> None:
    """Free what dropped networks left behind and give the pages back to the system.

    See :func:`skdl.training._pool.release_memory`; the network pool calls it
    once per ``SKDL_POOL_SIZE`` evictions, so a search never needs to.
    """
    from skdl.training._pool import release_memory as _release

    _release()
