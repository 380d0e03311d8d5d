"""Issue 14, gap 5: the forms scikeras accepts for callbacks, metrics, losses and optimizers.

Reference: scikeras/wrappers.py ``_initialize_callbacks`` (a single callback,
class or instance, a list, a dict whose values are used; ``fit__callbacks`` and
``predict__callbacks`` added to ``callbacks`` for fit / predict only; instances
are used as given), ``_get_compile_kwargs`` (strings and classes compiled with
``optimizer__``/``loss__``/``metrics__`` routed options, a single metric
wrapped in a list) and scikeras/_utils.py ``unflatten_params`` (index/key
routing ``callbacks__1__monitor``, positional ``callbacks__0``),
``get_metric_class`` ("acc", "accuracy" passed through to Keras),
``get_optimizer_class`` (``keras.optimizers.get``: "SGD" works).
"""

import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture
def clf_factory(dense_builder):
    def make(**kwargs):
        kwargs.setdefault("epochs", 1)
        kwargs.setdefault("loss", "binary_crossentropy")
        return KerasClassifier(dense_builder, verbose=0, **kwargs)

    return make


# ------------------------------------------------------------------ callbacks
def test_gap05_single_callback_instance(binary, clf_factory, recorder_cls):
    X, y = binary
    clf_factory(callbacks=recorder_cls(), epochs=2).fit(X, y)

    assert recorder_cls.count("epoch_end") == 2


def test_gap05_single_callback_class_with_routed_params(binary, clf_factory, recorder_cls):
    X, y = binary
    clf_factory(callbacks=recorder_cls, callbacks__monitor="loss", callbacks__tag="x", epochs=2).fit(X, y)

    assert recorder_cls.init_kwargs[-1] == {"monitor": "loss", "tag": "x"}
    assert recorder_cls.count("epoch_end") == 2


def test_gap05_callback_class_in_list_gets_shared_routed_params(binary, clf_factory, keras):
    X, y = binary
    clf = clf_factory(
        callbacks=[keras.callbacks.EarlyStopping], callbacks__monitor="loss", callbacks__min_delta=1e9, epochs=5
    ).fit(X, y)

    assert len(clf.history_["loss"]) == 2


def test_gap05_callbacks_dict(binary, clf_factory, recorder_cls, keras):
    X, y = binary
    clf = clf_factory(
        callbacks={"rec": recorder_cls, "es": keras.callbacks.EarlyStopping},
        callbacks__es__monitor="loss",
        callbacks__es__min_delta=1e9,
        callbacks__rec__tag="r",
        epochs=5,
    ).fit(X, y)

    assert len(clf.history_["loss"]) == 2
    assert recorder_cls.init_kwargs[-1]["tag"] == "r"


def test_gap05_callbacks_index_routing(binary, clf_factory, recorder_cls, keras):
    X, y = binary
    clf = clf_factory(
        callbacks=[recorder_cls, keras.callbacks.EarlyStopping],
        callbacks__0__tag="first",
        callbacks__1__monitor="loss",
        callbacks__1__min_delta=1e9,
        epochs=5,
    ).fit(X, y)

    assert len(clf.history_["loss"]) == 2
    assert recorder_cls.init_kwargs[-1] == {"monitor": None, "tag": "first"}


def test_gap05_fit_callbacks_and_predict_callbacks(binary, clf_factory, keras):
    X, y = binary
    events = []

    def make(tag):
        class Rec(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                events.append((tag, "fit"))

            def on_predict_begin(self, logs=None):
                events.append((tag, "predict"))

        return Rec()

    clf = clf_factory(callbacks=[make("all")], fit__callbacks=[make("fit")], predict__callbacks=[make("predict")])
    clf.fit(X, y)
    clf.predict(X)

    assert sorted(set(events)) == [("all", "fit"), ("all", "predict"), ("fit", "fit"), ("predict", "predict")]


def test_gap05_callback_instance_is_called_not_a_copy(binary, clf_factory, keras):
    X, y = binary

    class LossHistory(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.losses = []

        def on_epoch_end(self, epoch, logs=None):
            self.losses.append(logs["loss"])

    history = LossHistory()
    clf = clf_factory(callbacks=[history], epochs=2).fit(X, y)

    # the common Keras idiom: read what the callback recorded after fit
    assert history.losses == pytest.approx(clf.history_["loss"])


def test_gap05_positional_callback_routing(binary, clf_factory, keras):
    X, y = binary

    def halve(epoch, lr):
        return lr / 2

    clf = clf_factory(
        callbacks=keras.callbacks.LearningRateScheduler,
        callbacks__0=halve,
        optimizer="sgd",
        optimizer__learning_rate=0.1,
        epochs=2,
    ).fit(X, y)

    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.025)


def test_gap05_bad_callbacks_form_is_type_error(binary, clf_factory):
    X, y = binary
    # scikeras: "If specified, ``callbacks`` must be one of: ..."
    with pytest.raises(TypeError, match="callbacks"):
        clf_factory(callbacks=[42]).fit(X, y)


# -------------------------------------------------------------------- metrics
@pytest.mark.parametrize("metric", ["acc", "accuracy"])
def test_gap05_metrics_single_string(binary, clf_factory, metric):
    X, y = binary
    clf = clf_factory(metrics=metric, epochs=2).fit(X, y)

    assert len(clf.history_[metric]) == 2


@pytest.fixture
def frozen_half(keras):
    """An estimator whose network outputs exactly 0.5 and never learns, on y with 25 % ones."""
    X = np.random.RandomState(0).rand(40, 3)
    y = (np.arange(40) % 4 == 0).astype(int)

    def build():
        return keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")]
        )

    def make(**kwargs):
        return KerasClassifier(
            build,
            loss="binary_crossentropy",
            optimizer=keras.optimizers.SGD(learning_rate=0.0),
            epochs=1,
            verbose=0,
            **kwargs,
        )

    return X, y, make


def test_gap05_metrics_class_with_routed_params(frozen_half, keras):
    X, y, make = frozen_half
    # output 0.5 > threshold 0.4: every row is predicted 1, accuracy = share of ones
    clf = make(metrics=keras.metrics.BinaryAccuracy, metrics__threshold=0.4).fit(X, y)

    assert clf.history_["binary_accuracy"] == [pytest.approx(0.25)]


def test_gap05_metrics_list_index_routing(frozen_half, keras):
    X, y, make = frozen_half
    clf = make(
        metrics=[keras.metrics.BinaryAccuracy, keras.metrics.AUC], metrics__0__threshold=0.4, metrics__1__name="my_auc"
    ).fit(X, y)

    assert clf.history_["binary_accuracy"] == [pytest.approx(0.25)]
    assert "my_auc" in clf.history_


def test_gap05_metrics_instance_list(binary, clf_factory, keras):
    X, y = binary
    clf = clf_factory(metrics=[keras.metrics.AUC(name="auc_inst")]).fit(X, y)

    assert "auc_inst" in clf.history_


# --------------------------------------------------------------------- losses
def test_gap05_loss_class_with_routed_options(binary, clf_factory, keras):
    X, y = binary
    clf = clf_factory(loss=keras.losses.BinaryCrossentropy, loss__label_smoothing=0.2).fit(X, y)

    assert isinstance(clf.model_.loss, keras.losses.BinaryCrossentropy)
    assert clf.model_.loss.label_smoothing == pytest.approx(0.2)


def test_gap05_loss_instance(binary, clf_factory, keras):
    X, y = binary
    loss = keras.losses.BinaryCrossentropy(label_smoothing=0.3)
    clf = clf_factory(loss=loss).fit(X, y)

    assert clf.model_.loss.label_smoothing == pytest.approx(0.3)


def test_gap05_per_output_loss_list_and_dict(keras):
    """Two-output regressor: loss list and loss dict reach compile, one per output."""
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = np.column_stack([X.sum(1), X[:, 0]])

    class TwoOutputRegressor(KerasRegressor):
        @property
        def target_encoder(self):
            from sklearn.preprocessing import FunctionTransformer

            return FunctionTransformer(
                func=lambda y: [y[:, 0], y[:, 1]],
                inverse_func=lambda y: np.column_stack([np.ravel(y[0]), np.ravel(y[1])]),
            )

    def build():
        inp = keras.Input((3,))
        out1 = keras.layers.Dense(1, name="out1")(inp)
        out2 = keras.layers.Dense(1, name="out2")(inp)
        return keras.Model(inp, [out1, out2])

    for loss in (["mse", keras.losses.MeanAbsoluteError], {"out1": "mse", "out2": "mae"}):
        reg = TwoOutputRegressor(build, loss=loss, epochs=1, verbose=0).fit(X, y)
        assert reg.predict(X).shape == (60, 2)


# ----------------------------------------------------------------- optimizers
@pytest.mark.parametrize("name", ["SGD", "sgd", "Adam"])
def test_gap05_optimizer_by_name_any_case(binary, clf_factory, keras, name):
    X, y = binary
    clf = clf_factory(optimizer=name).fit(X, y)

    assert type(clf.model_.optimizer).__name__.lower() == name.lower()


def test_gap05_optimizer_class_with_routed_options(binary, clf_factory, keras):
    X, y = binary
    clf = clf_factory(optimizer=keras.optimizers.SGD, optimizer__learning_rate=0.05, optimizer__momentum=0.9).fit(X, y)

    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)
    assert clf.model_.optimizer.momentum == pytest.approx(0.9)
