"""Every use of a private Keras or TensorFlow API in skdl, in one place.

Each function wraps one private access behind a name that says what it is for.
Its docstring records the versions it was written against (Keras 3.15.1,
TensorFlow 2.21.0, JAX 0.10.2), what breaks if the private API changes, the
fallback used then, and the public API that would let the fix go.
``tests/training/test_fixes.py`` checks each function on the installed
versions, and each fallback, so an upgrade that moves a private name fails
there first rather than deep inside a fit.

The fallbacks never change results silently: they either do the same thing
through a slower public route, or turn an optimisation off (a network that
cannot be re-initialised in place is simply rebuilt for every fit).
"""

from __future__ import annotations

import sys

# ----------------------------------------------------------------- building


def symbolic_build(model, data_batch) -> None:
    """Build a compiled model's loss, metrics and variables from a sample batch.

    Written against Keras 3.15.1 (``Trainer._symbolic_build``, private). The
    compiled engines need the metric variables and the loss to exist before
    the first traced train step, without running a step (which would change
    the weights).

    If ``_symbolic_build`` goes, the fallback runs ``model.evaluate`` on the
    sample, which builds the same variables through the public API (slower,
    it compiles Keras' own test function once) and leaves the weights alone;
    the caller resets the metrics afterwards. A public ``model.build_for_fit``
    / ``compile(..., build_with=sample)`` would let this go.
    """
    build = getattr(model, "_symbolic_build", None)
    if build is None:
        _symbolic_build_by_evaluate(model, data_batch)
        return
    build(data_batch=data_batch)


def _symbolic_build_by_evaluate(model, data_batch) -> None:
    x, y, w = data_batch
    model.evaluate(x, y, sample_weight=w, batch_size=len(x), verbose=0)


def iter_layers(model):
    """All layers of ``model``, itself and nested ones included, each once.

    Written against Keras 3.15.1 (``Layer._flatten_layers``, private), used to
    find every variable's initializer for re-initialisation in place.

    If ``_flatten_layers`` goes, the fallback walks the public ``.layers``
    lists; it misses sub-layers a custom layer holds as attributes, whose
    variables are then not covered, so the network is marked not reusable
    and rebuilt every fit (slower, same results). A public recursive layer
    iterator would let this go.
    """
    flatten = getattr(model, "_flatten_layers", None)
    if flatten is not None:
        return list(flatten(include_self=True, recursive=True))
    return _walk_public_layers(model)


def _walk_public_layers(model):
    seen, out, todo = set(), [], [model]
    while todo:
        layer = todo.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        todo.extend(getattr(layer, "layers", ()) or ())
    return out


def own_variables(layer):
    """The variables a layer creates itself (not its sub-layers'), or None if unknown.

    Written against Keras 3.15.1 (``Layer._trainable_variables`` and
    ``_non_trainable_variables``, private; the public ``trainable_variables``
    include sub-layers'). Re-initialisation pairs each of these variables
    with the layer's ``<name>_initializer`` attribute.

    If the attributes go, this returns None and the network is rebuilt every
    fit instead of re-initialised in place (slower, same results). A public
    ``Layer.own_variables`` (or per-variable initializers) would let this go.
    """
    try:
        return list(layer._trainable_variables) + list(layer._non_trainable_variables)
    except AttributeError:
        return None


def seed_generators(layer):
    """The ``keras.random.SeedGenerator`` objects a layer owns (e.g. Dropout's).

    Written against Keras 3.15.1 (``Layer._seed_generators``, private).
    Re-initialisation reseeds their state so a reused network draws the same
    dropout masks as a fresh one.

    If the attribute goes, this returns ``()``: the generators' state
    variables are then not covered by the re-initialisation plan, so the
    network is rebuilt every fit (slower, same results). A public
    ``Layer.seed_generators`` would let this go.
    """
    return tuple(getattr(layer, "_seed_generators", ()) or ())


def optimizer_learning_rate(optimizer):
    """The optimizer's learning rate as stored: a variable, or a schedule object.

    Written against Keras 3.15.1 (``Optimizer._learning_rate``, private; the
    public ``learning_rate`` property evaluates a schedule at the current
    step, so it cannot tell the two apart or give the schedule itself). The
    compiled engines find the variable among the optimizer's variables to set
    the rate inside JAX's functional state, and evaluate a schedule at the
    state's step.

    If the attribute goes, the fallback is the public ``learning_rate``: a
    variable is still found; for a schedule the logged learning rate becomes
    NaN (training is unaffected). A public ``Optimizer.learning_rate_schedule``
    would let this go.
    """
    try:
        return optimizer._learning_rate
    except AttributeError:
        return getattr(optimizer, "learning_rate", None)


# ------------------------------------------------------------------- seeding


def set_keras_global_seed(seed: int) -> None:
    """Seed Keras' global generator (and torch's, on torch) without touching TensorFlow.

    Written against Keras 3.15.1 (``keras.src.backend.common.global_state``,
    ``rng_utils.GLOBAL_RANDOM_SEED``, ``seed_generator.GLOBAL_SEED_GENERATOR``,
    all private). The public ``keras.utils.set_random_seed`` imports
    TensorFlow whenever it is installed (2 s on JAX), and on TensorFlow its
    ``tf.random.set_seed`` empties TF's cache of prepared functions, so every
    pooled network's train step was rebuilt at its next call (0.155 s of a
    0.157 s fit, benchmarks/bench_fixed_cost.py). Keras' global seed and
    global ``SeedGenerator`` are reset here exactly as ``set_random_seed``
    resets them. Note that Keras 3.15 draws the seed of every unseeded
    initializer and ``SeedGenerator`` (the global one included) from Python's
    ``random``, so reproducible draws also need Python's ``random`` seeded,
    which this function leaves alone (``set_random_seed`` seeds it).

    If the private modules move, the fallback is ``keras.utils.set_random_seed``
    (same seeds, slower, and it also seeds Python and NumPy). A
    ``keras.utils.set_random_seed(seed, framework=False)`` would let this go.
    """
    import keras

    try:
        global_state, rng_utils, seed_generator = _seed_modules()
    except ImportError:
        keras.utils.set_random_seed(int(seed))
        return
    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, int(seed))
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(int(seed))


def get_keras_global_seed_state():
    """What :func:`restore_keras_global_seed_state` needs to undo a seeding.

    Returns both Keras global attributes (the seed given to
    ``keras.utils.set_random_seed`` and the global ``SeedGenerator`` object,
    which holds its own state variable) and, on torch, torch's RNG state.
    Same private modules and versions as :func:`set_keras_global_seed`.

    If the private modules move, the fallback returns None and restoring is a
    no-op: a fit then leaves Keras' global seed as it set it, which is the
    behaviour before this function existed. A public
    ``keras.utils.get_random_seed`` plus a getter for the global generator
    would let this go.
    """
    try:
        global_state, rng_utils, seed_generator = _seed_modules()
    except ImportError:
        return None
    state = {
        "seed": global_state.get_global_attribute(rng_utils.GLOBAL_RANDOM_SEED),
        "generator": global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR),
    }
    torch = sys.modules.get("torch")
    if torch is not None and _backend() == "torch":
        state["torch"] = torch.get_rng_state()
    return state


def restore_keras_global_seed_state(state) -> None:
    """Put back what :func:`get_keras_global_seed_state` returned (None: do nothing)."""
    if state is None:
        return
    global_state, rng_utils, seed_generator = _seed_modules()
    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, state["seed"])
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, state["generator"])
    if "torch" in state:
        import torch

        torch.set_rng_state(state["torch"])


def _seed_modules():
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    return global_state, rng_utils, seed_generator


def _backend():
    keras = sys.modules.get("keras")
    try:
        return keras.backend.backend() if keras is not None else None
    except AttributeError:  # pragma: no cover - keras half-imported
        return None


# ------------------------------------------------------ padded batch accounting


class PaddedBatchAccounting:
    """While a compiled step is traced, make a padded batch count like Keras' partial batch.

    The compiled engines train and evaluate on batches of one static shape:
    the last batch of an epoch is filled with resampled rows of weight zero and
    its real rows weigh ``bs / n_real``, so the batch's mean loss is Keras' mean
    over the partial batch. Keras' ``train_step``/``test_step`` hand that one
    weight vector to the metrics too, which would count the partial batch as a
    full one (issue 14, E1). Inside this context, and for the batch given to
    :meth:`set` (traced values), the compiled metrics and the loss tracker
    count only the real rows, as Keras does:

    * weighted metrics (skdl compiles every metric as ``weighted_metrics``)
      get the rows' own weights, zero on padding, not the loss's rescaled ones;
    * unweighted metrics (a builder's own ``compile(metrics=...)``) get the
      real-row mask, so padding rows are not counted;
    * the loss tracker weighs the batch's mean loss by its number of real
      rows, as Keras weighs a partial batch by its length.

    The instance attributes it sets exist only while a trace runs (Python code
    of a ``tf.function``/``jax.jit`` runs only then), so the model, its metrics
    and their serialisation are untouched outside it.

    Written against Keras 3.15.1: ``Trainer._loss_tracker`` and
    ``CompileMetrics`` (``built``, ``build``, ``_flatten_y``,
    ``_flat_metrics``, ``_flat_weighted_metrics``), all private. If any is
    missing, :attr:`active` is False and nothing is patched: the logged
    training metrics then count the padded last batch as a full one (the
    weights still train exactly as Keras does). An unweighted metric whose
    ``update_state`` takes no ``sample_weight`` keeps counting padding rows.
    A public way to give metrics their own weights in ``train_step`` (or a
    mask for the loss tracker) would let this go.
    """

    def __init__(self, model):
        self.model = model
        self._weight = None
        self._mask = None
        self._undo = []
        tracker = getattr(model, "_loss_tracker", None)
        cm = getattr(model, "_compile_metrics", None)
        needed = ("built", "build", "_flatten_y", "_flat_metrics", "_flat_weighted_metrics")
        self.active = tracker is not None and (cm is None or all(hasattr(cm, a) for a in needed))

    def set(self, weight, mask):
        """The metric weights (zero on padding) and real-row mask of the batch being traced."""
        self._weight, self._mask = weight, mask

    def __enter__(self):
        if not self.active:
            return self
        model = self.model
        tracker = model._loss_tracker
        tracker_update = tracker.update_state

        def update_tracker(values, sample_weight=None):
            if self._mask is None:
                return tracker_update(values, sample_weight=sample_weight)
            keras = sys.modules["keras"]
            return tracker_update(values, sample_weight=keras.ops.sum(self._mask))

        self._patch(tracker, "update_state", update_tracker)
        cm = model._compile_metrics
        if cm is not None:
            cm_update = cm.update_state

            def update_metrics(y_true, y_pred, sample_weight=None):
                if self._mask is None:
                    return cm_update(y_true, y_pred, sample_weight=sample_weight)
                if not cm.built:
                    cm.build(y_true, y_pred)
                y_true, y_pred = cm._flatten_y(y_true), cm._flatten_y(y_pred)
                for m, y_t, y_p in zip(cm._flat_metrics, y_true, y_pred):
                    if m:
                        if _takes_sample_weight(m):
                            m.update_state(y_t, y_p, sample_weight=self._mask)
                        else:
                            m.update_state(y_t, y_p)
                for m, y_t, y_p in zip(cm._flat_weighted_metrics, y_true, y_pred):
                    if m:
                        m.update_state(y_t, y_p, self._weight)

            self._patch(cm, "update_state", update_metrics)
        return self

    def _patch(self, obj, name, fn):
        had = name in vars(obj)
        old = vars(obj).get(name)
        object.__setattr__(obj, name, fn)
        self._undo.append((obj, name, had, old))

    def __exit__(self, *exc):
        while self._undo:
            obj, name, had, old = self._undo.pop()
            if had:
                object.__setattr__(obj, name, old)
            else:
                object.__delattr__(obj, name)
        self._weight = self._mask = None
        return False


def _takes_sample_weight(metric) -> bool:
    import inspect

    try:
        params = inspect.signature(metric.update_state).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


# ---------------------------------------------------------------- TensorFlow


def tf_gradient_registry() -> dict:
    """TensorFlow's process-wide table of registered gradient functions.

    Written against TensorFlow 2.21.0 (``tensorflow.python.framework.ops.
    gradient_registry._registry``, private), for
    :func:`forget_custom_gradients`.

    If it moves, this returns an empty dict and nothing is forgotten: each
    new architecture in a long search on TensorFlow then keeps 3 to 4 MB
    alive (benchmarks/bench_rss_fits.py), results are unaffected. A
    ``tf.custom_gradient`` that does not register its function globally, or
    unregisters it with the graph, would let this go.
    """
    try:
        from tensorflow.python.framework import ops

        registry = ops.gradient_registry._registry
    except (ImportError, AttributeError):
        return {}
    return registry if isinstance(registry, dict) else {}


def forget_custom_gradients(registry: dict, start: int) -> None:
    """Drop the ``CustomGradient-N`` entries added to ``registry`` after its first ``start``.

    Tracing Keras' train step in a ``tf.function`` goes through
    ``tf.custom_gradient`` in graph mode (the distribution strategy's
    ``all_reduce`` of the gradients), which registers a gradient function in
    TensorFlow's process-wide registry under a fresh name and never removes
    it. That function closes over the traced graph, so every traced train
    step -- one per architecture in a search -- stayed in memory for good. The
    gradient was already taken while tracing, and a retrace registers a new
    name, so the entries are dead once the trace is done. Same versions and
    fallback as :func:`tf_gradient_registry` (an empty registry: a no-op).
    """
    for name in list(registry)[start:]:
        if isinstance(name, str) and name.startswith("CustomGradient-"):
            registry.pop(name, None)


def clear_tf_kernel_cache() -> bool:
    """Empty TensorFlow's eager kernel cache; True if it was cleared.

    Written against TensorFlow 2.21.0 (``tensorflow.python.eager.context.
    context().clear_kernel_cache()``, private), used by the pool's memory
    sweep: the cache holds a kernel for every op shape ever run eagerly.

    If it moves, nothing is cleared and this returns False: a long search on
    TensorFlow keeps somewhat more memory, results are unaffected. A public
    ``tf.config.experimental.clear_kernel_cache`` would let this go.
    """
    try:
        from tensorflow.python.eager import context

        context.context().clear_kernel_cache()
    except (ImportError, AttributeError):
        return False
    return True
