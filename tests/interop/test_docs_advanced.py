"""scikeras 0.13 docs, advanced.rst, with only the import changed.

The doc's elided models (``Model(...)``) are small binary classifiers on the
quickstart data. Substitutions: ``keras.callbacks.BaseLogger`` no longer exists
in Keras 3, so the dict/list callback examples use ``keras.callbacks.TerminateOnNaN``
in its place; the ``Schedule`` example uses ``math.exp`` instead of
``tf.math.exp`` so that it runs on every Keras backend. Multi-output loss and
metric routing is checked through the ``compile_kwargs`` the builder receives
(the doc shows the constructor call only).
"""

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import accuracy_score

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture
def model_build_fn(keras):
    def model_build_fn():
        inp = keras.Input((20,))
        x = keras.layers.Dense(8, activation="relu")(inp)
        out = keras.layers.Dense(1, activation="sigmoid")(x)
        return keras.Model(inp, out)

    return model_build_fn


# ------------------------------------------------------------ wrapper classes
def test_advanced_basic_usage_model_param(binary, model_build_fn):
    X, y = binary
    X_valid = X[:10]
    clf = KerasClassifier(model=model_build_fn, loss="binary_crossentropy", verbose=0)
    clf.fit(X, y)
    y_pred = clf.predict(X_valid)

    assert y_pred.shape == (10,)
    assert set(np.unique(y_pred)) <= {0, 1}


def test_advanced_initialization_stores_arguments_unmodified(model_build_fn):
    clf = KerasClassifier(model=model_build_fn, loss="binary_crossentropy", hidden=3, optimizer__momentum=0.5)

    params = clf.get_params()
    assert params["model"] is model_build_fn  # the model remains uninstantiated
    assert params["hidden"] == 3 and params["optimizer__momentum"] == 0.5
    assert not hasattr(clf, "model_")
    assert clone(clf).get_params()["optimizer__momentum"] == 0.5


def test_advanced_initialized_attributes_end_with_underscore(binary, model_build_fn):
    X, y = binary
    clf = KerasClassifier(model=model_build_fn, loss="binary_crossentropy", verbose=0)
    assert not clf.initialized_
    clf.fit(X, y)
    assert clf.initialized_
    for name in ("model_", "history_", "classes_", "n_features_in_", "target_encoder_", "feature_encoder_"):
        assert hasattr(clf, name), name


# ------------------------------------------------------------ compilation
def test_advanced_compile_in_builder_with_compile_kwargs(binary, keras):
    X, y = binary
    seen = {}

    def model_build_fn(compile_kwargs):
        # you can access the ``optimizer`` param here
        optimizer = compile_kwargs["optimizer"]
        seen["compile_kwargs"] = compile_kwargs
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizer, loss=compile_kwargs["loss"])
        seen["optimizer"] = optimizer
        return model

    clf = KerasClassifier(model=model_build_fn, loss="binary_crossentropy", verbose=0)
    clf.fit(X, y)

    # optimizers are compiled to objects even when a string shorthand was given
    assert isinstance(seen["optimizer"], keras.optimizers.Optimizer)
    assert type(seen["optimizer"]).__name__ == "RMSprop"
    # SciKeras does not re-compile a model the builder compiled
    assert clf.model_.optimizer is seen["optimizer"]


def test_advanced_uncompiled_model_compiled_by_wrapper(binary, model_build_fn, keras):
    X, y = binary
    from keras.optimizers import Adam

    clf = KerasClassifier(model=model_build_fn, optimizer=Adam, loss="binary_crossentropy", verbose=0)
    clf.fit(X, y)

    assert isinstance(clf.model_.optimizer, Adam)
    assert clf.predict(X[:3]).shape == (3,)


def test_advanced_compiled_model_ignores_constructor_compile_params(binary, keras):
    X, y = binary

    def model_build_fn():
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
        return model

    clf = KerasClassifier(model=model_build_fn, optimizer="adam", verbose=0).fit(X, y)

    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.1)


# ------------------------------------------------------- builder arguments
def test_advanced_user_kwargs_passed_to_builder_but_not_optimizer(binary, keras):
    X, y = binary
    seen = {}

    def model_build_fn(my_param):
        seen["my_param"] = my_param
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        return model

    KerasClassifier(model=model_build_fn, my_param=10, optimizer="sgd", loss="binary_crossentropy", verbose=0).fit(X, y)

    assert seen == {"my_param": 10}


def test_advanced_builder_with_var_kwargs_gets_meta_compile_kwargs_params(binary, keras):
    X, y = binary
    seen = {}

    def model_build_fn(my_param, **kwargs):
        seen.update(kwargs, my_param=my_param)
        return keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])

    clf = KerasClassifier(model=model_build_fn, my_param=10, optimizer="sgd", loss="binary_crossentropy", verbose=0)
    clf.fit(X, y)

    assert seen["my_param"] == 10
    assert {"meta", "compile_kwargs", "params"} <= set(seen)
    assert "optimizer" not in seen
    assert seen["params"]["optimizer"] == "sgd"


def test_advanced_meta_compile_kwargs_and_params(binary, keras):
    X, y = binary
    seen = {}

    def model_build_fn(meta, compile_kwargs, params):
        seen.update(meta=meta, compile_kwargs=compile_kwargs, params=params)
        return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1, activation="sigmoid")])

    clf = KerasClassifier(model=model_build_fn, optimizer="adam", loss="binary_crossentropy", verbose=0)
    clf.fit(X, y)

    meta = seen["meta"]
    assert meta["n_features_in_"] == 20
    assert meta["y_dtype_"] == y.dtype
    assert meta["target_type_"] == "binary"
    # all optimizers, losses and metrics are compiled to objects
    assert isinstance(seen["compile_kwargs"]["optimizer"], keras.optimizers.Adam)
    assert isinstance(seen["compile_kwargs"]["loss"], keras.losses.BinaryCrossentropy) or callable(
        seen["compile_kwargs"]["loss"]
    )
    assert not isinstance(seen["compile_kwargs"]["loss"], str)
    # ``params`` is basically the same as get_params()
    assert seen["params"] == clf.get_params()


# ------------------------------------------------------- data transformers
def test_advanced_target_type_multilabel_indicator_single_output(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(80, 4).astype("float32")
    y = np.column_stack([X[:, 0] > 0.5, X[:, 1] > 0.5]).astype(int)

    def build(meta):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="sigmoid")])

    clf = KerasClassifier(build, loss="binary_crossentropy", verbose=0).fit(X, y)

    assert clf.target_type_ == "multilabel-indicator"
    pred = clf.predict(X)
    assert pred.shape == (80, 2)
    assert set(np.unique(pred)) <= {0, 1}


def test_advanced_target_type_continuous_multioutput(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(80, 4).astype("float32")
    y = np.column_stack([X.sum(1), X[:, 0] - X[:, 1]])

    def build(meta):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])

    reg = KerasRegressor(build, loss="mse", verbose=0).fit(X, y)

    assert reg.target_type_ == "continuous-multioutput"
    assert reg.predict(X).shape == (80, 2)


# ------------------------------------------------------- routed parameters
def test_advanced_optimizer_class_with_routed_learning_rate(binary, model_build_fn, keras):
    X, y = binary
    clf = KerasClassifier(
        model=model_build_fn, optimizer=keras.optimizers.SGD, optimizer__learning_rate=0.05,
        loss="binary_crossentropy", verbose=0,
    ).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)

    clf = KerasClassifier(  # equivalent model
        model=model_build_fn, optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy", verbose=0
    ).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.5)


def test_advanced_loss_class_with_routed_params(binary, model_build_fn, keras):
    X, y = binary
    from keras.losses import BinaryCrossentropy

    clf = KerasClassifier(
        model=model_build_fn, loss=BinaryCrossentropy, loss__label_smoothing=0.1, verbose=0
    ).fit(X, y)
    assert isinstance(clf.model_.loss, BinaryCrossentropy)
    assert clf.model_.loss.label_smoothing == pytest.approx(0.1)

    # pure Keras object only syntax is still supported, but parameters can't be tuned
    clf = KerasClassifier(model=model_build_fn, loss=BinaryCrossentropy(label_smoothing=0.1), verbose=0).fit(X, y)
    assert clf.model_.loss.label_smoothing == pytest.approx(0.1)


@pytest.fixture
def recording_builder(keras):
    """Builder that records compile_kwargs and compiles a plain binary model itself."""
    seen = {}

    def build(compile_kwargs):
        seen.update(compile_kwargs)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer="sgd")
        return model

    build.seen = seen
    return build


def test_advanced_loss_list_with_shared_and_indexed_routing(binary, recording_builder, keras):
    X, y = binary
    from keras.losses import BinaryCrossentropy, CategoricalCrossentropy

    KerasClassifier(
        recording_builder,
        loss=[BinaryCrossentropy, CategoricalCrossentropy],
        loss__from_logits=True,
        loss__1__label_smoothing=0.5,
        verbose=0,
    ).fit(X, y)

    bce, cce = recording_builder.seen["loss"]
    assert isinstance(bce, BinaryCrossentropy) and bce.from_logits is True
    assert isinstance(cce, CategoricalCrossentropy) and cce.from_logits is True
    assert cce.label_smoothing == pytest.approx(0.5)
    assert bce.label_smoothing == pytest.approx(0.0)


def test_advanced_loss_dict_with_shared_and_keyed_routing(binary, recording_builder, keras):
    X, y = binary
    from keras.losses import BinaryCrossentropy, CategoricalCrossentropy

    KerasClassifier(
        recording_builder,
        loss={"out1": BinaryCrossentropy, "out2": CategoricalCrossentropy},
        loss__from_logits=True,
        loss__out2__label_smoothing=0.5,
        verbose=0,
    ).fit(X, y)

    loss = recording_builder.seen["loss"]
    assert isinstance(loss["out1"], BinaryCrossentropy) and loss["out1"].from_logits is True
    assert isinstance(loss["out2"], CategoricalCrossentropy) and loss["out2"].label_smoothing == pytest.approx(0.5)


def test_advanced_metrics_class_with_routed_params(binary, recording_builder, keras):
    X, y = binary
    from keras.metrics import BinaryAccuracy

    KerasClassifier(recording_builder, metrics=BinaryAccuracy, metrics__threshold=0.65, verbose=0).fit(X, y)

    (metric,) = recording_builder.seen["metrics"]  # a single metric becomes a list
    assert isinstance(metric, BinaryAccuracy)
    assert metric.threshold == pytest.approx(0.65)


def test_advanced_metrics_list_applied_to_all_outputs(binary, recording_builder, keras):
    X, y = binary
    from keras.metrics import AUC, BinaryAccuracy

    KerasClassifier(
        recording_builder, metrics=[BinaryAccuracy, AUC], metrics__0__threshold=0.65, verbose=0
    ).fit(X, y)

    acc, auc = recording_builder.seen["metrics"]
    assert isinstance(acc, BinaryAccuracy) and acc.threshold == pytest.approx(0.65)
    assert isinstance(auc, AUC)


def test_advanced_metrics_dict_per_output(binary, recording_builder, keras):
    X, y = binary
    from keras.metrics import AUC, BinaryAccuracy

    KerasClassifier(
        recording_builder,
        metrics={"out1": BinaryAccuracy, "out2": [BinaryAccuracy, AUC]},
        metrics__out1__threshold=0.65,
        metrics__out2__0__threshold=0.65,
        verbose=0,
    ).fit(X, y)

    metrics = recording_builder.seen["metrics"]
    assert metrics["out1"].threshold == pytest.approx(0.65)
    assert metrics["out2"][0].threshold == pytest.approx(0.65)
    assert isinstance(metrics["out2"][1], AUC)


def test_advanced_metrics_nested_list_per_output(binary, recording_builder, keras):
    X, y = binary
    from keras.metrics import AUC, BinaryAccuracy

    # The doc writes [BinaryAccuracy, [AUC, BinaryAccuracy]] and calls it equivalent to the
    # dict above, whose out2 is [BinaryAccuracy, AUC]; with its order AUC would receive
    # threshold=0.65 and raise TypeError under scikeras too. The equivalent order is used.
    KerasClassifier(
        recording_builder,
        metrics=[BinaryAccuracy, [BinaryAccuracy, AUC]],
        metrics__0__threshold=0.65,
        metrics__1__0__threshold=0.65,
        verbose=0,
    ).fit(X, y)

    first, (acc, auc) = recording_builder.seen["metrics"]
    assert isinstance(first, BinaryAccuracy) and first.threshold == pytest.approx(0.65)
    assert isinstance(acc, BinaryAccuracy) and acc.threshold == pytest.approx(0.65)
    assert isinstance(auc, AUC)


# ----------------------------------------------------------------- callbacks
def test_advanced_callback_class_with_routed_monitor(binary, model_build_fn, keras):
    X, y = binary
    clf = KerasClassifier(
        model=model_build_fn,
        loss="binary_crossentropy",
        callbacks=keras.callbacks.EarlyStopping,
        callbacks__monitor="loss",
        callbacks__min_delta=1e9,  # no epoch counts as an improvement: stop after epoch 2
        callbacks__patience=0,
        epochs=5,
        verbose=0,
    ).fit(X, y)

    assert len(clf.history_["loss"]) == 2


def test_advanced_callbacks_dict_syntax(binary, model_build_fn, keras):
    X, y = binary
    clf = KerasClassifier(
        model=model_build_fn,
        loss="binary_crossentropy",
        callbacks={"bl": keras.callbacks.TerminateOnNaN, "es": keras.callbacks.EarlyStopping},
        callbacks__es__monitor="loss",
        callbacks__es__min_delta=1e9,
        epochs=5,
        verbose=0,
    ).fit(X, y)

    assert len(clf.history_["loss"]) == 2


def test_advanced_callbacks_list_syntax_index_routing(binary, model_build_fn, keras):
    X, y = binary
    clf = KerasClassifier(
        model=model_build_fn,
        loss="binary_crossentropy",
        callbacks=[keras.callbacks.TerminateOnNaN, keras.callbacks.EarlyStopping],
        callbacks__1__monitor="loss",  # EarlyStopping(monitor="loss")
        callbacks__1__min_delta=1e9,
        epochs=5,
        verbose=0,
    ).fit(X, y)

    assert len(clf.history_["loss"]) == 2


def test_advanced_callback_event_dispatch(binary, model_build_fn, keras):
    X, y = binary
    events = []

    class MyCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train")  # from a `fit` or `partial_fit` call

        def on_test_begin(self, logs=None):
            events.append("test")  # testing/evaluation from a `fit` call

        def on_predict_begin(self, logs=None):
            events.append("predict")  # from a `predict` or `predict_proba` call

    clf = KerasClassifier(
        model=model_build_fn, loss="binary_crossentropy", callbacks=[MyCallback()],
        validation_split=0.2, verbose=0,
    )
    clf.fit(X, y)
    assert "train" in events and "test" in events and "predict" not in events
    clf.predict(X)
    clf.predict_proba(X)
    assert events.count("predict") == 2


def test_advanced_separate_fit_and_predict_callbacks(binary, model_build_fn, keras):
    X, y = binary
    def recorder(tag):
        class Rec(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                seen.append((tag, "fit"))

            def on_predict_begin(self, logs=None):
                seen.append((tag, "predict"))

        return Rec

    seen = []
    clf = KerasClassifier(
        model=model_build_fn,
        loss="binary_crossentropy",
        callbacks=recorder("both"),  # called from both fit and predict
        fit__callbacks=recorder("fit"),  # called only from fit
        predict__callbacks=recorder("predict"),  # called only from predict
        verbose=0,
    )
    clf.fit(X, y)
    clf.predict(X)

    assert set(seen) == {("both", "fit"), ("both", "predict"), ("fit", "fit"), ("predict", "predict")}


def test_advanced_positional_routing_to_callback(binary, model_build_fn, keras):
    X, y = binary

    class Schedule:
        """Exponential decay lr scheduler."""

        def __init__(self, wait_until_epoch: int = 10, coef: float = 0.1) -> None:
            self.wait_until_epoch = wait_until_epoch
            self.coef = coef

        def __call__(self, epoch: int, lr: float):
            if epoch < self.wait_until_epoch:
                return lr
            return lr * math.exp(-self.coef)

    clf = KerasClassifier(
        model=model_build_fn,
        loss="binary_crossentropy",
        optimizer="sgd",
        optimizer__learning_rate=0.01,
        callbacks=keras.callbacks.LearningRateScheduler,
        callbacks__0=Schedule,  # __0: passed as an arg; LearningRateScheduler does not accept kwargs
        callbacks__0__coef=0.2,
        callbacks__0__wait_until_epoch=1,
        epochs=3,
        verbose=0,
    ).fit(X, y)

    # epochs 1 and 2 each multiply the rate by exp(-0.2)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.01 * math.exp(-0.4), rel=1e-4)


# ------------------------------------------------------------ custom scorers
def test_advanced_default_scorers(binary, regression, model_build_fn, dense_builder):
    X, y = binary
    clf = KerasClassifier(model=model_build_fn, loss="binary_crossentropy", verbose=0).fit(X, y)
    assert clf.score(X, y) == pytest.approx(accuracy_score(y, clf.predict(X)))
    assert KerasClassifier.scorer(np.array([0, 1, 1]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert KerasRegressor.scorer(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])) == pytest.approx(1.0)


def test_advanced_scorer_override_in_subclass(binary, model_build_fn):
    X, y = binary

    class MyClassifier(KerasClassifier):
        @staticmethod
        def scorer(y_true, y_pred, **kwargs):
            return 0.25 + 0.0 * accuracy_score(y_true, y_pred)

    clf = MyClassifier(model=model_build_fn, loss="binary_crossentropy", verbose=0).fit(X, y)
    assert clf.score(X, y) == pytest.approx(0.25)
