"""KerasClassifier/KerasRegressor's scikeras fit and predict options: what tests/interop does not pin down.

The interop suite checks that scikeras code runs and gives scikeras' result;
these check skdl's side of the same options: the validation rows, the errors
for bad values, one code path for the held-out rows, and that skdl's own
estimators keep their behaviour (copied callbacks, the compiled engine).
"""

import warnings

import keras
import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor, MLPClassifier


def build(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1, activation="sigmoid")])


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 3).astype("float32")
    return X, (X[:, 0] > 0.5).astype(int)


def test_validation_split_holds_out_the_last_rows_like_keras(data):
    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy", validation_split=0.25, epochs=1).fit(X, y)
    # the validation loss is the loss on exactly rows 30..39 after the epoch
    expected = clf.model_.evaluate(X[30:], y[30:].reshape(-1, 1).astype("float32"), verbose=0, return_dict=True)
    assert clf.history_["val_loss"][0] == pytest.approx(expected["loss"], rel=1e-4)


def test_validation_split_is_what_early_stopping_watches(data):
    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy", validation_split=0.25, early_stopping=True,
                          patience=1, min_delta=1e9, epochs=5).fit(X, y)
    assert len(clf.history_["val_loss"]) == 2  # stopped on val_loss, no second split was made
    assert clf.best_epoch_ == 0


def test_validation_split_too_large_for_the_data_is_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match=r"has 3 samples.*validation_split=0.7"):  # Keras: floor(3 * 0.3) = 0 rows
        KerasClassifier(build, loss="binary_crossentropy", validation_split=0.7).fit(X[:3], y[:3])
    with pytest.raises(ValueError, match=r"'validation_split' parameter of KerasClassifier.*\[0.0, 1.0\).*Got 1.0"):
        KerasClassifier(build, validation_split=1.0).fit(X, y)


@pytest.mark.parametrize("where", ["param", "fit__", "fit_kwarg", "predict"])
def test_bad_batch_size_names_the_allowed_values(data, where):
    X, y = data
    if where == "param":
        with pytest.raises(ValueError, match=r"'batch_size' parameter of KerasClassifier.*\{-1\}, a str among \{'auto'\} or None. Got 0"):
            KerasClassifier(build, batch_size=0).fit(X, y)
        return
    clf = KerasClassifier(build, loss="binary_crossentropy", **({"fit__batch_size": 0} if where == "fit__" else {}))
    match = (r"'batch_size' of KerasClassifier must be a positive int, -1 \(all rows in one batch\), 'auto' "
             r"\(min\(200, rows\)\) or None.*Got 0")
    with pytest.raises(ValueError, match=match):
        if where == "predict":
            clf.fit(X, y).predict(X, batch_size=0)
        else:
            clf.fit(X, y, **({"batch_size": 0} if where == "fit_kwarg" else {}))


def test_fit_and_predict_keywords_are_checked(data):
    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy")
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['epoch'\].*epochs"):
        clf.fit(X, y, epoch=2)
    with pytest.raises(TypeError, match="sets the model.fit keyword 'initial_epoch'"):
        clf.fit(X, y, initial_epoch=1)
    with pytest.raises(ValueError, match="'epochs' fit option of KerasClassifier must be an int >= 1 or 'auto'. Got 0"):
        clf.fit(X, y, epochs=0)
    clf.fit(X, y)
    with pytest.raises(TypeError, match=r"prediction option\(s\) \['batch_sise'\].*Did you mean 'batch_size'"):
        clf.predict(X, batch_sise=8)
    with pytest.raises(TypeError, match="partial_fit always trains for 1 epoch"):
        clf.partial_fit(X, y, epochs=2)


def test_fit_keyword_beats_fit_option_beats_parameter(data):
    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy", epochs=1, fit__epochs=2)
    assert len(clf.fit(X, y).history_["loss"]) == 2
    assert len(clf.fit(X, y, epochs=3).history_["loss"]) == 3
    assert len(clf.partial_fit(X, y).history_["loss"]) == 4  # partial_fit: one epoch whatever fit__epochs


def test_predict_options_give_the_same_outputs_as_the_engine(data):
    X, y = data
    reg = KerasRegressor(build, epochs=1, random_state=0).fit(X, y.astype("float32"))
    np.testing.assert_allclose(reg.predict(X, batch_size=7), reg.predict(X), rtol=1e-5, atol=1e-6)
    reg.set_params(predict__batch_size=-1)  # read at predict time, as scikeras does
    np.testing.assert_allclose(reg.predict(X), reg.predict(X, batch_size=3), rtol=1e-5, atol=1e-6)


def test_run_eagerly_needs_a_keras_engine(data):
    X, y = data
    with pytest.raises(ValueError, match="run_eagerly=True and engine='compiled'"):
        KerasClassifier(build, loss="binary_crossentropy", run_eagerly=True, engine="compiled").fit(X, y)


def test_build_fn_with_model_warns_that_build_fn_is_ignored(data):
    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        KerasClassifier(build, build_fn=lambda: None, loss="binary_crossentropy").fit(X, y)
    assert any("build_fn is ignored" in str(w.message) for w in caught)


def test_skdl_estimators_still_copy_callback_instances(data):
    X, y = data

    class Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    given = Count()
    MLPClassifier(hidden_layer_sizes=(4,), epochs=2, callbacks=given).fit(X, y)  # one callback, no list
    assert given.epochs == 0  # skdl's own estimators train with a copy (fits never share state)
    KerasClassifier(build, loss="binary_crossentropy", epochs=2, callbacks=given).fit(X, y)
    assert given.epochs == 2  # scikeras: the given instance is called


def test_nested_callback_arguments_must_be_given(data):
    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy", callbacks=keras.callbacks.LearningRateScheduler,
                          callbacks__schedule__coef=0.2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TypeError):  # LearningRateScheduler() without its schedule, as in scikeras
            clf.fit(X, y)
    assert any("no 'callbacks__schedule' is given" in str(w.message) for w in caught)
    with pytest.raises(ValueError, match="no 'callbacks__schedule' is given"):
        MLPClassifier(hidden_layer_sizes=(4,), callbacks=keras.callbacks.LearningRateScheduler,
                      callbacks__schedule__coef=0.2).fit(X, y)



class OnPredict(keras.callbacks.Callback):
    calls = 0

    def on_predict_begin(self, logs=None):
        type(self).calls += 1


def test_predict_callbacks_of_a_fit_are_not_pickled_with_the_estimator(data):
    import pickle

    X, y = data
    clf = KerasClassifier(build, loss="binary_crossentropy", predict__callbacks=[OnPredict()]).fit(X, y)
    clf.predict(X)
    assert OnPredict.calls == 1
    # the fit's callback objects hold the model: they stay behind, the loaded
    # estimator predicts the same through its engine until it is refitted
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), rtol=1e-5)
    assert OnPredict.calls == 2  # clf's predict_proba only
    loaded.fit(X, y).predict(X)
    assert OnPredict.calls == 3
