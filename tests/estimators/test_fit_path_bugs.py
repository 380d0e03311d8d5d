"""The four bugs of the fit-path redraw (issue 12), each failing on the old fit path."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from skdl import MLPClassifier, MLPRegressor  # noqa: E402


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


def test_keras_schedule_as_lr_schedule_is_the_optimizers_rate(iris):
    X, y = iris
    schedule = keras.optimizers.schedules.ExponentialDecay(0.5, decay_steps=1, decay_rate=0.5)
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=3, patience=None, lr_schedule=schedule,
                        random_state=0).fit(X, y)
    rates = clf.history_["learning_rate"]
    steps = np.ceil(len(X) / 32) * np.arange(1, 4)  # optimizer steps after each epoch
    np.testing.assert_allclose(rates, 0.5 * 0.5 ** steps, rtol=1e-5)


def test_keras_schedule_given_twice_is_an_error(iris):
    X, y = iris
    sched = keras.optimizers.schedules.ExponentialDecay(0.5, 1, 0.5)
    with pytest.raises(ValueError, match="both as lr_schedule and as the learning rate"):
        MLPClassifier(epochs=1, lr_schedule=sched, learning_rate=sched).fit(X, y)


def test_callbacks_options_go_to_the_callbacks_that_take_them(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=2, patience=None, random_state=0,
                        callbacks=[keras.callbacks.EarlyStopping, keras.callbacks.TerminateOnNaN],
                        callbacks__patience=3, callbacks__early_stopping__monitor="accuracy")
    clf.fit(X, y)
    assert clf.n_iter_ == 2


def test_callbacks_options_by_name_and_position_and_errors(iris):
    from skdl.estimators._plan import resolve_callbacks

    made = resolve_callbacks([keras.callbacks.EarlyStopping, keras.callbacks.TerminateOnNaN],
                             {"0__patience": 4, "early_stopping__monitor": "accuracy"})
    assert made[0].patience == 4 and made[0].monitor == "accuracy"
    assert isinstance(made[1], keras.callbacks.TerminateOnNaN)
    with pytest.raises(ValueError, match="taken by none of the callback classes.*Did you mean 'patience'"):
        resolve_callbacks([keras.callbacks.EarlyStopping], {"patiense": 3})
    with pytest.raises(ValueError, match="names the callback 'early_stoping'.*Did you mean 'early_stopping'"):
        resolve_callbacks([keras.callbacks.EarlyStopping], {"early_stoping__patience": 3})
    instance = keras.callbacks.EarlyStopping(patience=1)
    with pytest.raises(ValueError, match="given as an instance"):
        resolve_callbacks([instance], {"early_stopping__patience": 3})
    copy = resolve_callbacks([instance], {})[0]
    assert copy is not instance and copy.patience == 1


def test_fit_restores_the_users_keras_seed(iris):
    from keras.src.backend.common import global_state

    X, y = iris
    keras.utils.set_random_seed(42)
    MLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    assert global_state.get_global_attribute("global_random_seed") == 42


def test_early_stopping_maximises_cosine_similarity():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5)).astype(np.float32)
    y = X @ rng.normal(size=(5, 2))
    reg = MLPRegressor(hidden_layer_sizes=(16,), epochs=15, batch_size=16, learning_rate=0.01,
                       metrics=["cosine_similarity"], early_stopping=True, validation_fraction=0.2,
                       monitor="val_cosine_similarity", patience=None, min_delta=0.0, random_state=0).fit(X, y)
    val = reg.history_["val_cosine_similarity"]
    assert val[-1] > val[0]  # it learns, so minimising would pick the first epoch
    assert reg.best_epoch_ == int(np.argmax(val))


# --- found in review of the redrawn fit path -------------------------------------------------
def test_a_refit_that_fails_on_its_parameters_keeps_the_fitted_model(iris, tmp_path):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=2, patience=None, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(checkpoint=tmp_path / "model.h5")
    with pytest.raises(ValueError, match="ending in '.keras'"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_no_learning_rate_means_the_optimizers_default_also_on_a_pooled_network(iris):
    import gc

    X, y = iris
    first = MLPClassifier(hidden_layer_sizes=(5,), epochs=1, learning_rate=0.05, random_state=0).fit(X, y)
    assert first.history_["learning_rate"][0] == pytest.approx(0.05)
    del first
    gc.collect()  # its network goes back to the pool
    second = MLPClassifier(hidden_layer_sizes=(5,), epochs=1, learning_rate=None, random_state=0).fit(X, y)
    assert second.history_["learning_rate"][0] == pytest.approx(0.001)  # Adam's default


def test_keras_schedule_as_learning_rate_with_an_epoch_schedule_is_an_error(iris):
    X, y = iris
    sched = keras.optimizers.schedules.ExponentialDecay(0.5, 1, 0.5)
    with pytest.raises(ValueError, match="they would both set the rate"):
        MLPClassifier(epochs=1, learning_rate=sched, lr_schedule="cosine").fit(X, y)


def test_a_changed_class_weight_applies_to_a_warm_start(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=1, patience=None, warm_start=True, random_state=0)
    clf.fit(X, y)
    assert clf.history_["loss"][-1] > 0
    clf.set_params(class_weight={0: 0.0, 1: 0.0, 2: 0.0}).fit(X, y)
    assert clf.history_["loss"][-1] == 0.0  # every row weighs nothing now


def test_convergence_warning_as_error_still_leaves_a_fitted_model(iris):
    import warnings

    from skdl.exceptions import ConvergenceWarning

    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=2, patience=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning):
            clf.fit(X, y)
    assert clf.predict(X).shape == (len(X),)


def test_small_validation_split_warning_points_at_the_callers_line(iris):
    from skdl.exceptions import SkdlWarning

    X, y = iris
    with pytest.warns(SkdlWarning, match="early stopping would hold out only 15") as record:
        MLPClassifier(hidden_layer_sizes=(4,), epochs=1, early_stopping=True, random_state=0).fit(X, y)
    assert record[0].filename == __file__


def test_a_builders_own_compiled_rate_is_kept_when_no_rate_is_given(iris):
    from skdl import KerasClassifier

    def build(meta):
        model = keras.Sequential([keras.Input(meta["input_shape_"]), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
        return model

    X, y = iris
    for _ in range(2):  # the second fit takes the first one's network from the pool
        clf = KerasClassifier(build, epochs=1, random_state=0).fit(X, y)
        assert clf.history_["learning_rate"][0] == pytest.approx(0.1)
