"""KerasClassifier/KerasRegressor keep a compiled model (C9) and give builders compile_kwargs (C16).

The scikeras behaviour itself is in tests/interop (test_gap03_*, test_docs_advanced.py);
these tests pin what skdl adds around it: the messages, the pool, loaded weights,
pickling, and that skdl's own estimators keep their behaviour.
"""

import gc
import pickle
import types

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from skdl import KerasClassifier, KerasRegressor  # noqa: E402
from skdl.estimators._plan import call_builder, holds_own_weights, loss_name  # noqa: E402
from skdl.training import _pool  # noqa: E402


@pytest.fixture
def binary():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(int)


@pytest.fixture
def regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4)).astype(np.float32)
    return X, X @ np.array([1.0, -2.0, 0.5, 0.0])


def _dense(n_in, units, activation=None):
    return keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(units, activation=activation)])


def _weights(model):
    return [np.array(w) for w in model.get_weights()]


# --------------------------------------------------------------- the loss check
def test_a_loss_other_than_the_compiled_one_is_an_error_naming_both(binary):
    X, y = binary

    def build():
        model = _dense(4, 1, "sigmoid")
        model.compile(loss="binary_crossentropy", optimizer="sgd")
        return model

    with pytest.raises(ValueError, match=r"loss='mse'.*compiled with loss='binary_crossentropy'"):
        KerasClassifier(build, loss="mse").fit(X, y)


@pytest.mark.parametrize("given", ["binary_crossentropy", "BinaryCrossentropy", "bce_class", "bce_instance"])
def test_the_compiled_loss_given_in_another_form_is_accepted(binary, given):
    X, y = binary
    loss = {"bce_class": keras.losses.BinaryCrossentropy,
            "bce_instance": keras.losses.BinaryCrossentropy()}.get(given, given)

    def build():
        model = _dense(4, 1, "sigmoid")
        model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.SGD(0.05))
        return model

    clf = KerasClassifier(build, loss=loss, random_state=0).fit(X, y)

    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)  # not recompiled
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)


def test_loss_name_follows_scikeras():
    assert loss_name("mse") == loss_name("mean_squared_error") == loss_name(keras.losses.MeanSquaredError) \
        == "mean_squared_error"
    assert loss_name(keras.losses.BinaryCrossentropy(from_logits=True)) == "binary_crossentropy"
    assert loss_name("not_a_loss") == "not_a_loss"


def test_a_compiled_one_hot_loss_without_loss_param_is_a_clear_error():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4)).astype(np.float32)
    y = np.arange(30) % 3

    def build():
        model = _dense(4, 3, "softmax")
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        return model

    with pytest.raises(ValueError, match=r"compiled with loss='categorical_crossentropy'.*one-hot.*"
                                         r"loss='categorical_crossentropy' to KerasClassifier"):
        KerasClassifier(build).fit(X, y)
    # with the loss given too (as scikeras needs), y is one-hot encoded and the model kept
    clf = KerasClassifier(build, loss="categorical_crossentropy", random_state=0).fit(X, y)
    assert clf.model_.loss == "categorical_crossentropy"
    assert clf.predict_proba(X).shape == (30, 3)


def test_units_that_do_not_match_the_classes_are_still_an_error_for_a_compiled_model(binary):
    X, y = binary

    def build():
        model = _dense(4, 3, "softmax")
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        return model

    with pytest.raises(ValueError, match="3 units but y is binary"):
        KerasClassifier(build).fit(X, y)


def test_skdls_own_route_still_recompiles_a_compiled_builder_when_loss_is_given():
    # the CNN estimators keep skdl's behaviour (loss= recompiles); only the Keras wrappers follow scikeras
    from skdl.estimators._plan import FitPlan

    assert FitPlan.__dataclass_fields__["scikeras_model"].default is False
    assert KerasClassifier._scikeras_model and KerasRegressor._scikeras_model
    from skdl import CNNClassifier, MLPClassifier

    assert not getattr(MLPClassifier, "_scikeras_model", False)
    assert not getattr(CNNClassifier, "_scikeras_model", False)


# ------------------------------------------------------------ a given keras.Model
def test_a_given_model_is_model_and_a_refit_continues_from_its_weights(regression):
    X, y = regression
    model = _dense(4, 1)
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.01))
    reg = KerasRegressor(model, epochs=3, random_state=0).fit(X, y)
    first = reg.history_["loss"]

    reg.fit(X, y)  # scikeras: trained in place again, from where it was (D6)

    assert reg.model_ is model
    assert reg.history_["loss"][0] < first[0] and reg.history_["loss"][0] < first[-1] * 1.05


def test_a_given_model_is_never_pooled_nor_redrawn(regression):
    X, y = regression
    model = _dense(4, 1)
    model.compile(loss="mse", optimizer="adam")
    before = _weights(model)
    pool_size = len(_pool.POOL)

    reg = KerasRegressor(model, random_state=0).initialize(X, y)
    for w, b in zip(_weights(reg.model_), before):
        np.testing.assert_array_equal(w, b)
    del reg
    gc.collect()

    assert len(_pool.POOL) == pool_size  # not given to another estimator
    # a second estimator with the same builder shape gets its own network
    other = KerasRegressor(lambda: _dense(4, 1), loss="mse", random_state=0).fit(X, y)
    assert other.model_ is not model


def test_an_uncompiled_given_model_is_compiled_by_the_estimator_and_again_on_refit(regression):
    X, y = regression
    model = _dense(4, 1)
    reg = KerasRegressor(model, optimizer="adam", random_state=0).fit(X, y)
    assert isinstance(model.optimizer, keras.optimizers.Adam)

    reg.set_params(optimizer="sgd").fit(X, y)  # skdl compiled it, so this fit's options count

    assert reg.model_ is model and isinstance(model.optimizer, keras.optimizers.SGD)


def test_an_estimator_with_a_given_model_pickles(regression):
    X, y = regression
    model = _dense(4, 1)
    model.compile(loss="mse", optimizer="adam")
    reg = KerasRegressor(model, epochs=2, random_state=0).fit(X, y)

    back = pickle.loads(pickle.dumps(reg))

    np.testing.assert_allclose(back.predict(X), reg.predict(X), rtol=1e-5, atol=1e-6)
    assert back.model_ is back.model


# ------------------------------------------------- weights a builder brings along
def test_a_builder_returning_a_trained_model_keeps_its_weights(regression):
    X, y = regression
    trained = _dense(4, 1)
    trained.compile(loss="mse", optimizer="adam")
    trained.fit(X, y, epochs=2, verbose=0)
    expected = trained.predict(X, verbose=0).ravel()

    reg = KerasRegressor(lambda: trained, random_state=0).initialize(X, y)

    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5, atol=1e-5)


def test_a_builder_that_loads_weights_keeps_them_and_is_not_pooled(regression, tmp_path):
    X, y = regression
    source = _dense(4, 1)
    source.compile(loss="mse", optimizer="adam")
    source.fit(X, y, epochs=2, verbose=0)
    path = str(tmp_path / "w.weights.h5")
    source.save_weights(path)
    expected = source.predict(X, verbose=0).ravel()

    def build():
        model = _dense(4, 1)
        model.load_weights(path)
        return model

    for _ in range(2):  # the second estimator must not get a pooled, re-drawn network
        reg = KerasRegressor(build, loss="mse", random_state=0).initialize(X, y)
        np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5, atol=1e-5)
        del reg
        gc.collect()


def test_a_builder_returning_the_same_instance_twice_does_not_redraw_it(regression):
    X, y = regression
    shared = _dense(4, 1)
    first = KerasRegressor(lambda: shared, loss="mse", epochs=2, random_state=0).fit(X, y)
    trained = _weights(shared)

    second = KerasRegressor(lambda: shared, loss="mse", random_state=1).initialize(X, y)

    assert second.model_ is shared and first.model_ is shared
    for w, t in zip(_weights(shared), trained):
        np.testing.assert_array_equal(w, t)


def test_holds_own_weights():
    fresh = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(4), keras.layers.BatchNormalization(),
                              keras.layers.Dense(2)])
    assert not holds_own_weights(fresh)  # the LSTM's forget-gate bias of ones included
    constant = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, kernel_initializer=keras.initializers.Constant(0.3), bias_initializer=keras.initializers.Constant(-0.7))])
    assert not holds_own_weights(constant)
    fresh.layers[-1].bias.assign(np.array([0.1, -0.2], np.float32))
    assert holds_own_weights(fresh)

    stepped = _dense(3, 1)
    stepped.compile(loss="mse", optimizer="sgd")
    stepped.train_on_batch(np.ones((2, 3), np.float32), np.ones((2, 1), np.float32))
    assert holds_own_weights(stepped)


def test_ordinary_builders_are_still_pooled(binary):
    X, y = binary

    def build(meta):
        model = _dense(4, 1, "sigmoid")
        model.compile(loss="binary_crossentropy", optimizer="adam")
        return model

    KerasClassifier(build, random_state=0).fit(X, y)
    gc.collect()
    hits = _pool.POOL.hits

    clf = KerasClassifier(build, random_state=0).fit(X, y)

    assert _pool.POOL.hits == hits + 1
    assert not getattr(clf.model_, "_skdl_keep_weights", True)


# ---------------------------------------------------------------- compile_kwargs
def test_compile_kwargs_hold_keras_objects_and_the_compile_options(binary):
    X, y = binary
    seen = {}

    def build(compile_kwargs):
        seen.update(compile_kwargs)
        model = _dense(4, 1, "sigmoid")
        model.compile(**compile_kwargs)
        return model

    clf = KerasClassifier(build, optimizer="SGD", optimizer__momentum=0.5, loss="binary_crossentropy",
                          metrics=["mae", "accuracy", keras.metrics.AUC], compile__jit_compile=False,
                          random_state=0).fit(X, y)

    assert isinstance(seen["optimizer"], keras.optimizers.SGD) and float(seen["optimizer"].momentum) == 0.5
    assert seen["loss"] is keras.losses.binary_crossentropy
    mae, acc, auc = seen["metrics"]
    assert isinstance(mae, keras.metrics.MeanAbsoluteError) and acc == "accuracy"
    assert isinstance(auc, keras.metrics.AUC)
    assert seen["run_eagerly"] is False and seen["jit_compile"] is False
    assert clf.model_.optimizer is seen["optimizer"]
    assert "mean_absolute_error" in clf.history_


def test_var_kwargs_builders_get_everything_only_in_the_keras_wrappers():
    seen = {}

    def build(**kwargs):
        seen.update(kwargs)
        return "model"

    plan = types.SimpleNamespace(scikeras_model=False, compile_kwargs=lambda: {"optimizer": "x"})
    call_builder(build, {"n": 1}, {"units": 3}, plan=plan, get_params=lambda: {"p": 1})
    assert set(seen) == {"meta", "units"}  # skdl's own estimators: meta only, as before

    seen.clear()
    plan.scikeras_model = True
    call_builder(build, {"n": 1}, {"units": 3}, plan=plan, get_params=lambda: {"p": 1})
    assert seen == {"meta": {"n": 1}, "units": 3, "compile_kwargs": {"optimizer": "x"}, "params": {"p": 1}}


# ------------------------------------------------------------- the learning rate
def test_a_builders_own_optimizer_ignores_optimizer_options_but_takes_learning_rate(binary):
    X, y = binary

    def build():
        model = _dense(4, 1, "sigmoid")
        model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(0.1))
        return model

    # scikeras: optimizer__ options configure the optimizer the wrapper would build, unused here
    clf = KerasClassifier(build, optimizer__learning_rate=0.01, random_state=0).fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.1)
    # skdl's own learning_rate parameter sets the rate of any model
    clf = KerasClassifier(build, learning_rate=0.02, random_state=0).fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)


def test_compile_kwargs_optimizer_rate_holds_for_pooled_networks(binary):
    X, y = binary

    def build(compile_kwargs):
        model = _dense(4, 1, "sigmoid")
        model.compile(optimizer=compile_kwargs["optimizer"], loss="binary_crossentropy")
        return model

    rates, hits = [], _pool.POOL.hits
    for lr in (0.02, 0.05, 0.02):  # the second and third fits take a pooled network
        clf = KerasClassifier(build, optimizer="adam", optimizer__learning_rate=lr, random_state=0).fit(X, y)
        rates.append(float(clf.model_.optimizer.learning_rate))
        del clf
        gc.collect()

    assert rates == pytest.approx([0.02, 0.05, 0.02])
    assert _pool.POOL.hits == hits + 2
