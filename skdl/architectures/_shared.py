"""MLPs whose search hyperparameters are runtime values, so search trials share one compiled graph.

A search trial that differs from the last one only in dropout, L2 or width
would otherwise build, compile and trace a new network (≈ 1 s on TensorFlow,
2 s on JAX, against ≈ 0.2 s for the 20 epochs of a small fold; issue 13). Here:

* **dropout** is :class:`RuntimeDropout`, whose rate is a non-trainable
  variable the compiled step reads;
* **L2** is :class:`ScaledL2Dense`, a ``Dense`` whose kernel penalty
  ``l2 * sum(kernel ** 2)`` reads its factor from a non-trainable variable
  (the same penalty as ``keras.regularizers.L2(l2)``);
* **widths** are masked by initialisation: a graph layer is wider than the
  trial's (the next power of two, or the space's largest width ``max_units``)
  and :func:`set_shared_mlp_values` draws the kernel
  block of the trial's units with their own fan-in/fan-out and zeros the
  rest. A unit whose incoming and outgoing weights and bias are zero stays
  exactly dead: its output is ``activation(0) = 0`` for the activations in
  :data:`ZERO_ACTIVATIONS` (so the next layer sees nothing from it), its
  weights get zero gradient, zero L2 penalty and, under Adam/RMSprop/SGD,
  zero updates. The network computes what the narrow one computes (its
  dropout masks are drawn over more units, so the random draws differ).

:func:`shared_mlp_graphs` is the context a search sets around a trial's fits;
:class:`~skdl.estimators.MLPClassifier`/``MLPRegressor`` read it with
:func:`current_sharing`. Outside it nothing changes: a refit of the best trial
builds the exact network.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass

import numpy as np

from skdl.architectures._layers import get_keras, resolve_initializer
from skdl.architectures._validation import check_activation, check_meta

# act(0) == 0: a zero-weight unit outputs 0 and passes no gradient (see the module docstring)
ZERO_ACTIVATIONS = frozenset({
    "relu", "tanh", "elu", "selu", "gelu", "leaky_relu", "swish", "silu", "linear",
    "relu6", "mish", "softsign",
})


@dataclass(frozen=True)
class Sharing:
    """What a search lets its trials share.

    Attributes
    ----------
    max_units : int or None
        The largest width the search draws; None keeps each trial's exact
        widths (dropout and L2 still shared).
    widths : {"auto", "pow2", "max"}
        The graph width of a layer of ``w`` units: the next power of two
        (at least 16, at most ``max_units``; each layer at most twice as wide
        as the trial's) or ``max_units`` (one graph per depth, widest matmuls).
        ``"auto"``: ``"max"`` on JAX, where a new graph costs an XLA compile
        (1-2.5 s, against 1.5-3 ms per epoch for the widest matmuls on 1 198
        digits rows), ``"pow2"`` elsewhere (a TensorFlow trace costs 0.3-0.5 s
        and TensorFlow's epochs grow more with width; docs/design.md).
    """

    max_units: int | None = None
    widths: str = "pow2"

    def graph_width(self, units: int) -> int:
        """The width of the graph layer holding a trial layer of ``units`` units."""
        units = int(units)
        if self.max_units is None or units >= self.max_units:
            return units
        widths = self.widths
        if widths == "auto":
            widths = "max" if get_keras().backend.backend() == "jax" else "pow2"
        if widths == "max":
            return self.max_units
        return min(self.max_units, max(16, 1 << (units - 1).bit_length()))


_SHARING: contextvars.ContextVar[Sharing | None] = contextvars.ContextVar("skdl_shared_mlp", default=None)


WIDTH_MODES = ("auto", "pow2", "max")


@contextlib.contextmanager
def shared_mlp_graphs(max_units=None, widths="pow2"):
    """Within this block, MLP estimators build networks that search trials can share.

    Parameters
    ----------
    max_units : int or None, default=None
        The largest width the search draws; hidden layers are built wider than
        the trial's (see ``widths``) and masked to its width. None: exact widths.
    widths : {"auto", "pow2", "max"}, default="pow2"
        How wide a graph layer is (:meth:`Sharing.graph_width`).
    """
    if widths not in WIDTH_MODES:
        raise ValueError(f"The 'widths' parameter of shared_mlp_graphs must be one of {list(WIDTH_MODES)}; "
                         f"got {widths!r}.")
    token = _SHARING.set(Sharing(None if max_units is None else int(max_units), widths))
    try:
        yield
    finally:
        _SHARING.reset(token)


def current_sharing() -> Sharing | None:
    """The :class:`Sharing` of the enclosing :func:`shared_mlp_graphs`, or None."""
    return _SHARING.get()


_CLASSES = {}


def shared_layer_classes():
    """``(RuntimeDropout, ScaledL2Dense)``, defined once Keras is imported."""
    if _CLASSES:
        return _CLASSES["RuntimeDropout"], _CLASSES["ScaledL2Dense"]
    keras = get_keras()
    ops = keras.ops

    @keras.saving.register_keras_serializable(package="skdl")
    class RuntimeDropout(keras.layers.Layer):
        """Dropout whose rate is a non-trainable variable (set between fits, read by the compiled step)."""

        def __init__(self, rate=0.0, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rate_value = float(rate)
            self.seed = seed
            self.rate_initializer = keras.initializers.Constant(self.rate_value)
            self.seed_generator = keras.random.SeedGenerator(seed)
            self.supports_masking = True

        def build(self, input_shape):
            self.rate = self.add_weight(name="rate", shape=(), initializer=self.rate_initializer,
                                        trainable=False)

        def call(self, inputs, training=False):
            if not training:
                return inputs
            keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
            return ops.where(keep, inputs / (1.0 - self.rate), ops.zeros_like(inputs))

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "rate": self.rate_value, "seed": self.seed}

    @keras.saving.register_keras_serializable(package="skdl")
    class ScaledL2Dense(keras.layers.Dense):
        """``Dense`` plus the penalty ``l2 * sum(kernel ** 2)``, ``l2`` a non-trainable variable."""

        def __init__(self, units, l2=0.0, **kwargs):
            super().__init__(units, **kwargs)
            self.l2_value = float(l2)
            self.l2_initializer = keras.initializers.Constant(self.l2_value)

        def build(self, input_shape):
            super().build(input_shape)
            self.l2 = self.add_weight(name="l2", shape=(), initializer=self.l2_initializer, trainable=False)

        def call(self, inputs, training=None):
            self.add_loss(self.l2 * ops.sum(ops.square(self.kernel)))
            return super().call(inputs, training=training)

        def get_config(self):
            return {**super().get_config(), "l2": self.l2_value}

    _CLASSES.update(RuntimeDropout=RuntimeDropout, ScaledL2Dense=ScaledL2Dense)
    return RuntimeDropout, ScaledL2Dense


def build_shared_mlp(meta, *, graph_sizes, dropout_layers=None, activation="relu",
                     kernel_initializer="glorot_uniform"):
    """An MLP of widths ``graph_sizes`` with runtime dropout and L2 (weights set by :func:`set_shared_mlp_values`).

    Parameters
    ----------
    meta : dict
        As for :func:`~skdl.architectures.build_mlp`.
    graph_sizes : tuple of int
        Units of each hidden layer of the graph (the trial's widths or larger).
    dropout_layers : tuple of bool or None, default=None
        Which hidden layers have a :class:`RuntimeDropout` (None: all). A
        trial without dropout on a layer gets a graph without one there, so it
        draws no random mask (a draw at rate 0 still costs ~35 % of a small
        epoch on TensorFlow).
    activation : str
        One of :data:`ZERO_ACTIVATIONS`.
    kernel_initializer : str or keras.initializers.Initializer
        Drawn per layer for the trial's block of each kernel.

    Returns
    -------
    model : keras.Model
        Uncompiled; named ``"mlp"`` like :func:`~skdl.architectures.build_mlp`'s.
    """
    name = "build_shared_mlp"
    input_shape, n_outputs, output_activation = check_meta(meta, name)
    activation = check_activation(activation, name)
    if activation not in ZERO_ACTIVATIONS:
        raise ValueError(f"{name} needs an activation with activation(0) == 0, one of "
                         f"{sorted(ZERO_ACTIVATIONS)}; got {activation!r}.")
    keras = get_keras()
    RuntimeDropout, ScaledL2Dense = shared_layer_classes()
    new_initializer = resolve_initializer(kernel_initializer, name)
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    if len(input_shape) > 1:
        x = keras.layers.Flatten(name="flatten")(x)
    if dropout_layers is None:
        dropout_layers = (True,) * len(graph_sizes)
    for i, (units, has_dropout) in enumerate(zip(graph_sizes, dropout_layers), start=1):
        x = ScaledL2Dense(int(units), activation=activation, kernel_initializer=new_initializer(),
                          name=f"hidden_{i}")(x)
        if has_dropout:
            x = RuntimeDropout(name=f"hidden_{i}_dropout")(x)
    outputs = ScaledL2Dense(n_outputs, activation=output_activation, kernel_initializer=new_initializer(),
                            name="output")(x)
    return keras.Model(inputs, outputs, name="mlp")


def set_shared_mlp_values(model, *, sizes, dropout, l2, seed=None):
    """Give a :func:`build_shared_mlp` network one trial's widths, dropout rates and L2.

    Call it on freshly initialised weights (a new or re-initialised network)
    whose kernel initializers pass :func:`rescalable_initializer`: each kernel
    keeps its block of active units, rescaled to the distribution
    the layer's initializer gives at the active shape (so Glorot scales with
    the trial's fan-in and fan-out, as in the narrow network), and the rest
    of the kernel and every bias become zero. Rescaling the drawn block
    instead of drawing again at a new shape matters on JAX, where every new
    shape compiles a random kernel (~0.4 s; it took half of a 20-trial
    search). Assigns the Keras variables: call it before a fit begins (the
    JAX engine reads them then).

    Parameters
    ----------
    model : keras.Model
    sizes : tuple of int
        The trial's widths, one per hidden layer (each at most the graph's).
    dropout : tuple of float
        One rate per hidden layer (0 where the graph has no dropout layer).
    l2 : float
    seed : int or None
        Seeds the dropout generators.
    """
    keras = get_keras()
    rng = np.random.RandomState(seed)
    dense = [model.get_layer(f"hidden_{i}") for i in range(1, len(sizes) + 1)] + [model.get_layer("output")]
    names = {layer.name for layer in model.layers}
    drops = [model.get_layer(f"hidden_{i}_dropout") if f"hidden_{i}_dropout" in names else None
             for i in range(1, len(sizes) + 1)]
    in_units = None  # all inputs are active
    for layer, out_units in zip(dense, [*sizes, None]):
        kernel = layer.kernel
        rows, cols = kernel.shape
        a_rows = rows if in_units is None else int(in_units)
        a_cols = cols if out_units is None else int(out_units)
        drawn = keras.ops.convert_to_numpy(kernel.value)
        value = np.zeros_like(drawn)
        ratio = _std_ratio(layer.kernel_initializer, (rows, cols), (a_rows, a_cols))
        value[:a_rows, :a_cols] = drawn[:a_rows, :a_cols] * ratio
        kernel.assign(value)
        layer.bias.assign(np.zeros(layer.bias.shape, dtype=drawn.dtype))
        layer.l2.assign(float(l2))
        in_units = out_units
    for layer, rate in zip(drops, dropout):
        if layer is None:
            if rate:
                raise ValueError(f"dropout {rate} on a layer the graph built without dropout")
            continue
        layer.rate.assign(float(rate))
        layer.seed_generator.state.assign(np.array([rng.randint(1, 2**30), 0], dtype=layer.seed_generator.state.dtype))


# initializers whose distribution does not depend on the shape: a block of a draw is a draw
_SHAPE_FREE = ("RandomNormal", "RandomUniform", "TruncatedNormal", "Zeros", "Ones", "Constant")


def rescalable_initializer(value) -> bool:
    """Whether a kernel initializer's draw can be cut to a narrower layer (:func:`set_shared_mlp_values`).

    True for Keras' VarianceScaling family (Glorot, He, LeCun: a block of a
    draw, rescaled by the fans) and shape-free ones; False for the others
    (e.g. orthogonal) and for values Keras does not resolve: those MLPs are
    built exactly.
    """
    keras = get_keras()
    try:
        initializer = keras.initializers.get(value)
    except (ValueError, TypeError):
        return False
    return (isinstance(initializer, keras.initializers.VarianceScaling)
            or type(initializer).__name__ in _SHAPE_FREE)


def _std_ratio(initializer, full, active):
    """Factor turning a block of a draw at ``full`` into a draw at ``active`` (see rescalable_initializer)."""
    keras = get_keras()
    if isinstance(initializer, keras.initializers.VarianceScaling):
        def fan(shape):
            fan_in, fan_out = shape
            return {"fan_in": fan_in, "fan_out": fan_out}.get(initializer.mode, (fan_in + fan_out) / 2.0)

        return float(np.sqrt(max(1.0, fan(full)) / max(1.0, fan(active))))
    return 1.0
