"""The network interface the estimators train through, and the one constructor.

A *network* is a compiled Keras model plus whatever runs it: the estimator's
epoch loop only ever talks to :class:`BaseNetwork`. Three engines implement it,
each in its own module, and the backend is looked at only inside them:

* :class:`skdl.training._jax.JaxNetwork` and
  :class:`skdl.training._tensorflow.TensorFlowNetwork`: compiled loops over
  chunks of static-shape batches, sharing their batching, chunking, bucketed
  evaluation and prediction and in-place re-initialisation through
  :class:`skdl.training._compiled.CompiledNetwork` (docs/design.md, "Engine");
* :class:`skdl.training._kerasfit.KerasFitNetwork`: ``model.fit`` one epoch at a
  time, for other backends (torch), models with several inputs or outputs,
  ``fit__`` options, and Keras callbacks with batch-level hooks.

:func:`make_network` chooses the engine and takes a pooled network when one
fits, for a fit and for unpickling alike; :func:`skdl.training._pool.own` and
:func:`skdl.training._pool.release` tie a network's return to the pool to its
estimator's lifetime.

The interface (every method is called by the estimator):

==========================================  ==================================================
``model``                                   the compiled ``keras.Model``
``key``                                     the pool key, or None (never pooled)
``reusable``                                may go back to the pool after its owner is gone
``backend``                                 the Keras backend's name
``reinitialize(seed)``                      fresh weights, optimizer and metric state, in place
``begin()``                                 start a fit (or resume after callbacks ran)
``sync()``                                  make the Keras variables hold the current weights
``end()``                                   finish a fit: ``sync`` and drop any fit-only state
``snapshot()`` / ``restore(snap)``          keep and put back the weights (early stopping)
``set_learning_rate(lr)``                   set the optimizer's rate (no-op under a schedule)
``learning_rate() -> float``                the current rate (a Keras schedule evaluated)
``train_epoch(X, y, w, index, batch_size,   one epoch on rows ``index``; the epoch's logs
rng, shuffle=True) -> dict``
``evaluate(X, y, w, batch_size=None,        loss and compiled metrics, as Keras' evaluate
validation=False) -> dict``
``predict(X) -> ndarray``                   model outputs as a NumPy array
==========================================  ==================================================
"""

from __future__ import annotations

import abc

import numpy as np

from skdl.training.runtime import get_keras, overrides_hook

ENGINES = ("auto", "compiled", "keras")

# Keras callback hooks that run per batch: model.fit is the only loop that calls them.
BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    # validation is evaluated by model.evaluate on the Keras engine, which calls these
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
)


class BaseNetwork(abc.ABC):
    """A compiled Keras model and what trains, evaluates and predicts with it.

    Attributes
    ----------
    model : keras.Model
        The compiled model; between fits its variables hold the weights.
    key : hashable or None
        What shapes the graph: networks with equal keys are interchangeable.
        None means the network is never pooled.
    reusable : bool
        Whether the network may be handed to another fit (it has a key and can
        be re-initialised in place).
    backend : str
        The Keras backend it runs on.
    """

    model = None
    key = None
    reusable = False
    backend = None

    @staticmethod
    def configure_threads(n_threads: int) -> None:
        """Give the backend a thread budget; engines whose backend reads it from the
        environment at start-up (JAX: ``XLA_FLAGS``) need nothing here."""

    @abc.abstractmethod
    def reinitialize(self, seed=None):
        """Draw fresh weights and reset optimizer and metric state, in place.

        Parameters
        ----------
        seed : int or None
            The same seed gives the same weights, whatever the network was
            used for before.
        """

    # By default the Keras variables hold the weights throughout a fit
    # (TensorFlow, model.fit); an engine with functional state (JAX) overrides these.
    def begin(self):
        """Start a fit, or resume after callbacks may have changed the variables."""

    def sync(self):
        """Write the current weights into the Keras variables (before callbacks, saving)."""

    def end(self):
        """Finish a fit: the Keras variables hold the trained weights."""

    def snapshot(self):
        """The current weights, in a form :meth:`restore` takes back."""
        return [np.array(v.numpy()) for v in self.model.weights]

    def restore(self, snap):
        """Put back weights taken by :meth:`snapshot`."""
        for var, val in zip(self.model.weights, snap):
            var.assign(val)

    @abc.abstractmethod
    def set_learning_rate(self, lr: float):
        """Set the optimizer's learning rate (does nothing when it is a Keras schedule)."""

    @abc.abstractmethod
    def learning_rate(self) -> float:
        """The current learning rate; a Keras schedule is evaluated at the current step."""

    @abc.abstractmethod
    def train_epoch(self, X, y, w, index, batch_size, rng, shuffle=True) -> dict:
        """Train one epoch on rows ``index`` of (X, y, w).

        Parameters
        ----------
        X, y : ndarray
            All rows; only ``index`` is trained on.
        w : ndarray of shape (n_samples,)
            Sample weights.
        index : ndarray of int
            The training rows.
        batch_size : int
            Rows per batch (at most ``len(index)``).
        rng : numpy.random.RandomState
            Draws the shuffle (and, on the compiled engines, the padding rows).
        shuffle : bool, default=True
            Whether to shuffle the rows.

        Returns
        -------
        logs : dict of str to float
            The loss and metrics over the epoch, as Keras logs them.
        """

    @abc.abstractmethod
    def evaluate(self, X, y, w, batch_size=None, validation=False) -> dict:
        """Loss and compiled metrics on (X, y, w), as ``model.evaluate`` computes them.

        ``batch_size`` is the rows per batch where the engine evaluates in
        user-sized batches (the Keras engine); ``validation=True`` marks the
        fit's validation set, for which Keras calls the callbacks' test hooks.
        """

    @abc.abstractmethod
    def predict(self, X):
        """Model outputs for X as a NumPy array."""


def wants_keras_engine(engine="auto", keras_callbacks=(), fit_kwargs=None) -> bool:
    """Whether a fit must run on ``model.fit`` whatever the model and backend.

    True for ``engine="keras"``, for any ``fit_kwargs`` (options only
    ``model.fit`` understands), and for a Keras callback that overrides a
    batch-level or test hook (only ``model.fit``/``evaluate`` call them).
    """
    if engine == "keras" or fit_kwargs:
        return True
    return any(overrides_hook(cb, BATCH_HOOKS) for cb in keras_callbacks)


def make_network(build_model, sample, *, key=None, engine="auto", keras_callbacks=(), fit_kwargs=None):
    """Take a compatible network from the pool, or build one on the right engine.

    Used by fit and by unpickling alike (unpickling passes no key).

    Parameters
    ----------
    build_model : callable
        ``build_model()`` returns a compiled ``keras.Model``; called only when
        the pool has no network with ``key``. A model marked
        ``_skdl_keep_weights`` (one that holds its own weights, e.g. given by
        the user) gets no key: it is never pooled nor re-initialised.
    sample : tuple of arrays
        ``(x, y, sample_weight)`` with a few rows, used to build the model's
        loss, metrics and optimizer state.
    key : hashable or None, default=None
        The pool key (what shapes the graph); None means never pooled. On the
        Keras engine it is ignored: those networks are never pooled.
    engine : {"auto", "compiled", "keras"}, default="auto"
        "auto" uses the compiled loop where it can (TensorFlow or JAX, one
        input and one output, no batch-level callback, no ``fit_kwargs``) and
        ``model.fit`` otherwise; "compiled" raises where the compiled loop is
        impossible; "keras" always uses ``model.fit``.
    keras_callbacks : sequence of keras.callbacks.Callback, default=()
        The fit's Keras callbacks; ``model.fit`` gets their batch hooks.
    fit_kwargs : dict or None, default=None
        Extra ``model.fit`` options (they force the Keras engine).

    Returns
    -------
    network : BaseNetwork
        A pooled network (the caller re-initialises it if ``reusable``) or a
        new one. A Keras-engine network is never pooled.

    Raises
    ------
    ValueError
        For an unknown ``engine``, and for ``engine="compiled"`` with a
        backend or model the compiled loop cannot run.
    """
    from skdl.training._pool import POOL

    if engine not in ENGINES:
        raise ValueError(f"The 'engine' parameter must be one of {list(ENGINES)}; got {engine!r}.")
    keras_engine = wants_keras_engine(engine, keras_callbacks, fit_kwargs)
    if keras_engine:
        key = None
    net = POOL.acquire(key)  # also runs a memory sweep that evictions made due
    if net is not None:
        return net
    model = build_model()
    if getattr(model, "_skdl_keep_weights", False):
        key = None  # weights of its own (a given or loaded model): never re-drawn, never shared
    backend = get_keras().backend.backend()
    compiled_cls = _compiled_engine(backend)
    single_io = len(model.inputs) == 1 and len(model.outputs) == 1
    if keras_engine or not single_io or compiled_cls is None:
        if engine == "compiled" and not keras_engine:
            raise ValueError(
                "engine='compiled' needs the TensorFlow or JAX backend and a model with "
                f"one input and one output; got backend {backend!r} and a model with "
                f"{len(model.inputs)} input(s) and {len(model.outputs)} output(s)."
            )
        from skdl.training._kerasfit import KerasFitNetwork

        return KerasFitNetwork(model, sample, callbacks=keras_callbacks, fit_kwargs=fit_kwargs)
    return compiled_cls(model, sample, key=key)


def configure_threads(backend: str, n_threads: int) -> None:
    """Give ``backend``'s engine a thread budget (TensorFlow's pools; JAX reads XLA_FLAGS).

    Must run before the backend's first operation, which starts its thread pools.
    """
    engine = _compiled_engine(backend)
    if engine is not None:
        engine.configure_threads(n_threads)


def _compiled_engine(backend):
    """The compiled engine class for a backend, or None if it has none."""
    if backend == "jax":
        from skdl.training._jax import JaxNetwork

        return JaxNetwork
    if backend == "tensorflow":
        from skdl.training._tensorflow import TensorFlowNetwork

        return TensorFlowNetwork
    return None
