"""make_network: which engine a fit gets, the pool hand-back, and the engines' shared contract."""

import gc

import numpy as np
import pytest

from skdl.training import _pool
from skdl.training._compiled import CompiledNetwork
from skdl.training._kerasfit import KerasFitNetwork
from skdl.training._network import BaseNetwork, make_network, wants_keras_engine

keras = pytest.importorskip("keras")
BACKEND = keras.backend.backend()
COMPILED = {"tensorflow": "TensorFlowNetwork", "jax": "JaxNetwork"}


@pytest.fixture(autouse=True)
def _keep_keras_global_seed():
    """Tests here seed Keras globally; later tests get the state they had."""
    from skdl.training._fixes import get_keras_global_seed_state, restore_keras_global_seed_state

    state = get_keras_global_seed_state()
    yield
    restore_keras_global_seed_state(state)


def _data(n=40, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X @ rng.normal(size=(d, 1))).astype(np.float32)
    return X, y, np.ones(n, np.float32)


def _builder(calls=None, d=3):
    def build():
        if calls is not None:
            calls.append(1)
        model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dropout(0.1), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", weighted_metrics=["mae"])
        return model

    return build


def _two_input_builder():
    a, b = keras.Input((3,)), keras.Input((2,))
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([a, b]))
    model = keras.Model([a, b], out)
    model.compile(optimizer="adam", loss="mse")
    return model


def _sample(X, y, w):
    return X[:2], y[:2], w[:2]


class BatchLogger(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


class EpochLogger(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        pass


def test_base_network_is_abstract():
    with pytest.raises(TypeError):
        BaseNetwork()


@pytest.mark.skipif(BACKEND not in COMPILED, reason="no compiled engine on this backend")
def test_one_input_one_output_gets_the_backends_compiled_engine():
    X, y, w = _data()
    net = make_network(_builder(), _sample(X, y, w))
    assert type(net).__name__ == COMPILED[BACKEND] and isinstance(net, CompiledNetwork)
    assert net.backend == BACKEND and net.key is None and not net.reusable
    # epoch-level Keras callbacks run on the compiled engine too
    net = make_network(_builder(), _sample(X, y, w), keras_callbacks=[EpochLogger()], engine="compiled")
    assert isinstance(net, CompiledNetwork)


@pytest.mark.parametrize(
    "options",
    [
        {"engine": "keras"},
        {"fit_kwargs": {"validation_freq": 1}},
        {"keras_callbacks": [BatchLogger()]},
        # engine="compiled" does not override a batch-level callback (as before the split)
        {"keras_callbacks": [BatchLogger()], "engine": "compiled"},
    ],
)
def test_keras_engine_for_batch_hooks_fit_kwargs_or_when_asked(options):
    X, y, w = _data()
    assert wants_keras_engine(options.get("engine", "auto"), options.get("keras_callbacks", ()),
                              options.get("fit_kwargs"))
    net = make_network(_builder(), _sample(X, y, w), key=("never pooled", id(options)), **options)
    assert isinstance(net, KerasFitNetwork)
    assert net.key is None and not net.reusable


def test_epoch_callbacks_alone_do_not_ask_for_the_keras_engine():
    assert not wants_keras_engine("auto", [EpochLogger(), keras.callbacks.EarlyStopping()], {})


def test_a_model_with_two_inputs_runs_on_the_keras_engine_and_compiled_refuses_it():
    X, y, w = _data()
    sample = ([X[:2], X[:2, :2]], y[:2], w[:2])
    net = make_network(_two_input_builder, sample)
    assert isinstance(net, KerasFitNetwork)
    with pytest.raises(ValueError, match=r"engine='compiled' needs .* 2 input\(s\) and 1 output\(s\)"):
        make_network(_two_input_builder, sample, engine="compiled")


def test_an_unknown_engine_is_rejected_with_the_choices():
    X, y, w = _data()
    expected = r"'engine' parameter must be one of \['auto', 'compiled', 'keras'\]; got 'fast'"
    with pytest.raises(ValueError, match=expected):
        make_network(_builder(), _sample(X, y, w), engine="fast")


@pytest.mark.skipif(BACKEND not in COMPILED, reason="only compiled networks are pooled")
def test_a_released_network_is_handed_back_without_building(monkeypatch):
    pool = _pool.NetworkPool(max_idle=4)
    monkeypatch.setattr(_pool, "POOL", pool)
    X, y, w = _data()
    calls = []
    key = ("test_engine", "handed back")

    class Owner:
        pass

    owner = Owner()
    net = make_network(_builder(calls), _sample(X, y, w), key=key)
    assert net.reusable and calls == [1]
    _pool.own(owner, net)
    assert owner._network is net
    assert make_network(_builder(calls), _sample(X, y, w), key=key) is not net  # owned: a new one
    assert calls == [1, 1]
    _pool.release(owner)
    assert "_network" not in owner.__dict__ and len(pool) == 1
    assert make_network(_builder(calls), _sample(X, y, w), key=key) is net
    assert calls == [1, 1] and pool.hits == 1
    # an owner that is garbage-collected gives its network back too
    other = Owner()
    _pool.own(other, net)
    del other
    gc.collect()
    assert make_network(_builder(calls), _sample(X, y, w), key=key) is net
    _pool.release(Owner())  # owning nothing: a no-op


@pytest.mark.parametrize("engine", ["auto", "keras"])
def test_the_engines_keep_the_network_contract(engine):
    X, y, w = _data()
    keras.utils.set_random_seed(0)
    net = make_network(_builder(), _sample(X, y, w), key=("contract", engine), engine=engine)
    net.reinitialize(3)
    net.begin()
    net.set_learning_rate(0.05)
    assert net.learning_rate() == pytest.approx(0.05)
    rng = np.random.RandomState(0)
    first = net.train_epoch(X, y, w, np.arange(30), 8, rng)
    assert set(first) == {"loss", "mae"} and np.isfinite(first["loss"])
    snap = net.snapshot()
    net.train_epoch(X, y, w, np.arange(30), 8, rng, shuffle=False)
    net.restore(snap)
    net.end()
    # after end() the Keras variables hold the restored weights, and evaluate/predict
    # agree with Keras' own evaluate/predict on them
    logs = net.evaluate(X[30:], y[30:], w[30:])
    ref = net.model.evaluate(X[30:], y[30:], sample_weight=w[30:], verbose=0, return_dict=True)
    assert set(logs) == set(ref)
    for k in ref:
        assert logs[k] == pytest.approx(float(ref[k]), rel=1e-5)
    np.testing.assert_allclose(net.predict(X), net.model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
    if isinstance(net, CompiledNetwork):
        assert net.predict(X[:0]).shape == (0, 1)


@pytest.mark.skipif(BACKEND not in COMPILED, reason="compiled engine only")
def test_reinitialize_is_reproducible_whatever_the_network_did_before():
    X, y, w = _data()
    net = make_network(_builder(), _sample(X, y, w), key=("reinit",))
    net.reinitialize(7)
    fresh = [np.array(v.numpy()) for v in net.model.weights]
    net.begin()
    net.train_epoch(X, y, w, np.arange(40), 8, np.random.RandomState(0))
    net.end()
    net.reinitialize(7)
    for before, after in zip(fresh, net.model.weights):
        np.testing.assert_array_equal(before, np.array(after.numpy()))
    # optimizer state is back to its start: the step count is zero
    assert int(np.asarray(net.model.optimizer.iterations)) == 0


@pytest.mark.skipif(BACKEND not in COMPILED, reason="compiled engine only")
def test_a_keras_schedule_as_learning_rate_is_evaluated_at_the_current_step():
    X, y, w = _data()

    def build():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        sched = keras.optimizers.schedules.ExponentialDecay(0.5, decay_steps=1, decay_rate=0.5)
        model.compile(optimizer=keras.optimizers.SGD(sched), loss="mse")
        return model

    net = make_network(build, _sample(X, y, w))
    net.begin()
    assert net.learning_rate() == pytest.approx(0.5)
    net.set_learning_rate(0.1)  # a schedule owns the rate: no-op
    net.train_epoch(X, y, w, np.arange(40), 20, np.random.RandomState(0))  # 2 steps
    assert net.learning_rate() == pytest.approx(0.125)
    net.end()


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's log filter")
def test_the_retracing_filter_matches_the_engines_own_function_names():
    from skdl.training._tensorflow import OwnRetracingFilter

    X, y, w = _data()
    net = make_network(_builder(), _sample(X, y, w))
    net.begin()
    net.train_epoch(X, y, w, np.arange(40), 8, np.random.RandomState(0))
    net.evaluate(X, y, w)
    net.predict(X)
    for fn in net._fns.values():
        name = fn.python_function.__qualname__
        assert name.startswith(OwnRetracingFilter._marker.split(" ", 1)[1]), name


def _frozen_classifier(metrics_in_builder):
    """A logistic unit with lr 0: both engines see the same fixed outputs every batch."""

    def build(meta=None, compile_kwargs=None):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
            1, activation="sigmoid", kernel_initializer=keras.initializers.Constant(0.3), bias_initializer="zeros")])
        if metrics_in_builder:  # unweighted metrics, as a scikeras builder compiles them
            model.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy",
                          metrics=["accuracy", "auc"])
        return model

    if metrics_in_builder:
        return dict(model=build)
    return dict(model=build, loss="binary_crossentropy", metrics=["binary_accuracy", "auc"],
                optimizer="sgd", optimizer__learning_rate=0.0)


@pytest.mark.parametrize("metrics_in_builder", [False, True], ids=["weighted", "builder-unweighted"])
@pytest.mark.parametrize("weighted", [False, True], ids=["no-weights", "sample-weights"])
def test_a_partial_last_batch_logs_the_same_loss_and_metrics_on_both_engines(metrics_in_builder, weighted):
    # 28 training rows at batch 16: the compiled engine pads the last batch of 12
    # (issue 14, E1: it used to count that batch as a full one in the metrics)
    from skdl import KerasClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    y = (rng.uniform(size=40) < 0.3).astype(int)
    w = rng.uniform(size=40).astype(np.float32) if weighted else None
    hist = {}
    for engine in ("compiled", "keras"):
        clf = KerasClassifier(epochs=2, batch_size=16, validation_split=0.3, random_state=0, verbose=0,
                              engine=engine, **_frozen_classifier(metrics_in_builder))
        hist[engine] = clf.fit(X, y, sample_weight=w).history_
    assert set(hist["compiled"]) == set(hist["keras"])
    for name, values in hist["keras"].items():
        np.testing.assert_allclose(hist["compiled"][name], values, rtol=1e-5, atol=1e-6, err_msg=name)
