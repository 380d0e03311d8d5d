"""The multilayer perceptron builder ("mlp")."""

from __future__ import annotations

from skdl.architectures._layers import (
    dense_block,
    get_keras,
    output_layer,
    regularizer,
    resolve_initializer,
)
from skdl.architectures._registry import register_architecture
from skdl.architectures._validation import (
    check_activation,
    check_bool,
    check_dropout,
    check_meta,
    check_non_negative,
    check_sizes,
)


@register_architecture("mlp", input_kind="tabular")
def build_mlp(
    meta,
    *,
    hidden_layer_sizes=(100,),
    activation="relu",
    dropout=0.0,
    l1=0.0,
    l2=0.0,
    bias_l1=0.0,
    bias_l2=0.0,
    batch_norm=False,
    kernel_initializer="glorot_uniform",
):
    """Build a fully connected network (multilayer perceptron).

    Parameters
    ----------
    meta : dict
        Data description (see docs/design.md): uses ``input_shape_`` (falls back
        to ``(n_features_in_,)``), ``n_outputs_`` and ``output_activation_``. An
        input of more than one dimension is flattened first.
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer. ``()`` gives a linear (regression) or
        logistic/softmax (classification) model.
    activation : str or callable, default="relu"
        Hidden-layer activation, one of ``skdl.architectures.ACTIVATIONS`` or a
        callable.
    dropout : float or sequence of float, default=0.0
        Dropout rate in [0, 1) after each hidden layer, or one rate per hidden
        layer.
    l1, l2 : float, default=0.0
        L1 / L2 penalty on the kernels of every Dense layer (hidden and output,
        like sklearn's ``alpha``). A regularizer is attached only when nonzero.
    bias_l1, bias_l2 : float, default=0.0
        L1 / L2 penalty on the biases of every Dense layer.
    batch_norm : bool, default=False
        Insert BatchNormalization between each hidden Dense layer and its
        activation (the activation then becomes a separate layer).
    kernel_initializer : str or keras.initializers.Initializer, default="glorot_uniform"
        Initializer of every Dense kernel.

    Returns
    -------
    model : keras.Model
        Uncompiled functional model named ``"mlp"`` with output
        ``Dense(meta["n_outputs_"], activation=meta["output_activation_"])``.

    Examples
    --------
    >>> from skdl.architectures import build_mlp
    >>> meta = {"input_shape_": (4,), "n_outputs_": 3,
    ...         "output_activation_": "softmax"}
    >>> model = build_mlp(meta, hidden_layer_sizes=(8,), dropout=0.1)
    >>> model.output_shape
    (None, 3)
    """
    name = "build_mlp"
    input_shape, n_outputs, output_activation = check_meta(meta, name)
    sizes = check_sizes(hidden_layer_sizes, "hidden_layer_sizes", name)
    activation = check_activation(activation, name)
    rates = check_dropout(dropout, len(sizes), name)
    l1 = check_non_negative(l1, "l1", name)
    l2 = check_non_negative(l2, "l2", name)
    bias_l1 = check_non_negative(bias_l1, "bias_l1", name)
    bias_l2 = check_non_negative(bias_l2, "bias_l2", name)
    batch_norm = check_bool(batch_norm, "batch_norm", name)

    keras = get_keras()
    new_initializer = resolve_initializer(kernel_initializer, name)
    # Fresh regularizer/initializer instances per layer: each layer serialises alone.
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    if len(input_shape) > 1:
        x = keras.layers.Flatten(name="flatten")(x)
    for i, (units, rate) in enumerate(zip(sizes, rates), start=1):
        x = dense_block(
            x,
            units,
            activation=activation,
            dropout=rate,
            batch_norm=batch_norm,
            kernel_regularizer=regularizer(l1, l2),
            bias_regularizer=regularizer(bias_l1, bias_l2),
            kernel_initializer=new_initializer(),
            name=f"hidden_{i}",
        )
    outputs = output_layer(
        x,
        n_outputs,
        output_activation,
        kernel_regularizer=regularizer(l1, l2),
        bias_regularizer=regularizer(bias_l1, bias_l2),
        kernel_initializer=new_initializer(),
    )
    return keras.Model(inputs, outputs, name="mlp")
