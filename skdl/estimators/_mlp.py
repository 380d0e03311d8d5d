"""MLPClassifier and MLPRegressor: ready feed-forward networks with searchable knobs."""

from __future__ import annotations

import numbers

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions

from skdl.architectures import ACTIVATIONS
from skdl.estimators._base import BaseKerasEstimator
from skdl.estimators._docs import training_params
from skdl.estimators._targets import (
    classifier_tags,
    ClassifierTargetMixin,
    RegressorTargetMixin,
)


class _MLPMixin:
    """The architecture side of the MLP estimators: the "mlp" builder and its knobs."""

    _parameter_constraints = {
        **BaseKerasEstimator._parameter_constraints,
        "hidden_layer_sizes": [tuple, list, Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left"), tuple, list],
        "l1": [Interval(numbers.Real, 0, None, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
    }

    _pool_meta_keys = (
        "input_shape_",
        "X_row_shape_",
        "n_outputs_",
        "output_activation_",
        "target_type_",
        "n_classes_",
    )

    def _get_builder(self):
        from skdl.architectures import get_architecture

        return get_architecture("mlp")

    def _builder_spec(self):
        # inside a search's shared_mlp_graphs: the shared builder, and the function that gives
        # the network this estimator's widths, dropout and L2
        shared = self._shared_graph()
        if shared is None:
            return super()._builder_spec()
        from skdl.architectures._shared import build_shared_mlp, set_shared_mlp_values

        values = shared["values"]
        return (build_shared_mlp, shared["builder_params"],
                lambda model, seed: set_shared_mlp_values(model, seed=seed, **values))

    def _shared_graph(self):
        """The shared-graph build of this MLP, or None (no sharing context, or a configuration it
        cannot express: batch norm, L1 or bias penalties, activation(0) != 0, an initializer whose
        draw cannot be rescaled to a narrower layer, other builder options).
        """
        from skdl.architectures._shared import ZERO_ACTIVATIONS, current_sharing, rescalable_initializer

        sharing = current_sharing()
        if sharing is None:
            return None
        params = self._builder_params()
        plain = {"hidden_layer_sizes", "activation", "dropout", "l1", "l2", "batch_norm", "kernel_initializer"}
        if (set(params) - plain or params["batch_norm"] or params["l1"]
                or params["activation"] not in ZERO_ACTIVATIONS
                or not rescalable_initializer(params.get("kernel_initializer", "glorot_uniform"))):
            return None
        sizes = params["hidden_layer_sizes"]
        rates = params["dropout"]
        rates = tuple(rates) if isinstance(rates, tuple) else (float(rates),) * len(sizes)
        if len(rates) != len(sizes):
            return None  # the regular builder raises its error
        graph = tuple(sharing.graph_width(s) for s in sizes)
        builder_params = {"graph_sizes": graph, "dropout_layers": tuple(r > 0 for r in rates),
                          "activation": params["activation"]}
        if "kernel_initializer" in params:
            builder_params["kernel_initializer"] = params["kernel_initializer"]
        return {"builder_params": builder_params,
                "values": {"sizes": sizes, "dropout": rates, "l2": params["l2"]}}

    def _builder_params(self):
        from skdl.estimators._routing import route_params

        sizes = self.hidden_layer_sizes
        sizes = (int(sizes),) if isinstance(sizes, numbers.Integral) else tuple(int(s) for s in sizes)
        dropout = self.dropout
        if isinstance(dropout, (list, tuple)):
            dropout = tuple(float(d) for d in dropout)
            bad = [d for d in dropout if not 0 <= d < 1]
            if bad:
                raise ValueError(
                    f"The 'dropout' parameter of {type(self).__name__} must be a float in [0, 1) "
                    f"or one such float per hidden layer. Got {self.dropout!r} instead."
                )
        params = {
            "hidden_layer_sizes": sizes,
            "activation": self.activation,
            "dropout": dropout,
            "l1": float(self.l1),
            "l2": float(self.l2),
            "batch_norm": bool(self.batch_norm),
        }
        params.update(route_params(self._all_extra_params(), "model"))
        return params


_MLP_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer; ``()`` gives a linear model.
    activation : str, default="relu"
        One of relu, tanh, sigmoid, elu, selu, gelu, leaky_relu, swish, silu,
        softplus, softsign, relu6, mish, hard_sigmoid, exponential, linear.
    dropout : float or tuple of float, default=0.0
        Dropout rate after each hidden layer, or one rate per layer, in [0, 1).
    l1, l2 : float, default=0.0
        L1 and L2 penalties on the hidden layers' kernels (``model__bias_l1``
        and ``model__bias_l2`` for biases).
    batch_norm : bool, default=False
        Batch normalisation before each hidden activation.
""" + training_params(epochs='"auto"') + """"""


class MLPClassifier(ClassifierMixin, ClassifierTargetMixin, _MLPMixin, BaseKerasEstimator):
    __doc__ = (
        "Multilayer perceptron classifier on Keras.\n\n"
        "The output layer and loss follow y: binary -> one sigmoid unit and binary\n"
        "cross-entropy; multiclass -> softmax and sparse categorical cross-entropy;\n"
        "multilabel indicator -> sigmoid units and binary cross-entropy.\n"
        + _MLP_DOC.format(
            loss_doc="``None`` picks the loss from the target; a name forces one, and a\n"
            "        loss that does not match the output layer is an error.",
            metrics_doc='default ``["accuracy"]``',
            extra_kwargs="",
        )
        + """    class_weight : dict or "balanced", default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    model_ : keras.Model
    history_ : dict of list of float
        Per-epoch ``loss``, metrics, ``val_``/``eval_`` values and ``learning_rate``.
    n_iter_ : int
        Epochs trained.
    best_epoch_ : int
        Index in ``history_`` of the best epoch (with early stopping).
    n_features_in_ : int
    feature_names_in_ : ndarray
    n_outputs_ : int

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's CPU-only MLP.
    skdl.CNNClassifier : convolutional networks for images.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdl import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
"""
    )

    _parameter_constraints = {
        **_MLPMixin._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        dropout=0.0,
        l1=0.0,
        l2=0.0,
        batch_norm=False,
        optimizer="adam",
        learning_rate=0.001,
        batch_size=32,
        epochs="auto",
        lr_schedule=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        min_delta=1e-4,
        monitor=None,
        loss=None,
        metrics=None,
        class_weight=None,
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.loss = loss
        self.metrics = metrics
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.engine = engine
        self._store_kwargs(kwargs)

    def __sklearn_tags__(self):
        return classifier_tags(super().__sklearn_tags__())


class MLPRegressor(RegressorMixin, RegressorTargetMixin, _MLPMixin, BaseKerasEstimator):
    __doc__ = (
        "Multilayer perceptron regressor on Keras (one linear unit per target).\n"
        + _MLP_DOC.format(
            loss_doc='"mse" (default), "mae", "huber", "log_cosh", "mape", "msle",\n'
            "        \"poisson\" or any Keras loss.",
            metrics_doc="default none",
            extra_kwargs="",
        )
        + """    scale_target : bool, default=True
        Standardise y inside the estimator and map predictions back, so the
        default learning rate suits any target scale; ignored for losses that
        depend on the scale of y (mape, msle, poisson, cosine_similarity).

    Attributes
    ----------
    model_ : keras.Model
    history_ : dict of list of float
    n_iter_ : int
    best_epoch_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray
    n_outputs_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skdl import MLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> MLPRegressor(hidden_layer_sizes=(8,), epochs=2, random_state=0).fit(X, y).predict(X[:3]).shape
    (3,)
"""
    )

    _parameter_constraints = {
        **_MLPMixin._parameter_constraints,
        "scale_target": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        dropout=0.0,
        l1=0.0,
        l2=0.0,
        batch_norm=False,
        optimizer="adam",
        learning_rate=0.001,
        batch_size=32,
        epochs="auto",
        lr_schedule=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        min_delta=1e-4,
        monitor=None,
        loss="mse",
        metrics=None,
        scale_target=True,
        callbacks=None,
        checkpoint=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        engine="auto",
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.loss = loss
        self.metrics = metrics
        self.scale_target = scale_target
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.engine = engine
        self._store_kwargs(kwargs)
