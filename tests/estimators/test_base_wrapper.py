"""skdl.BaseWrapper: scikeras' base without classifier or regressor behaviour (issue 14, C25)."""

import pickle

import numpy as np
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import mean_squared_error

keras = pytest.importorskip("keras")

from skdl import BaseWrapper, KerasClassifier, KerasRegressor  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 5).astype(np.float32)
    return X, X[:, :3] * 2.0


def _build(meta, units=4):
    return keras.Sequential([keras.Input(meta["input_shape_"]), keras.layers.Dense(units)])


def test_fit_predicts_the_models_outputs_through_identity_encoders(data):
    X, Y = data
    est = BaseWrapper(_build, units=3, loss="mse", epochs=2, random_state=0).fit(X, Y)

    out = est.predict(X)
    assert out.dtype == np.float32 and out.shape == (40, 3)  # the model's own output, not cast
    np.testing.assert_allclose(out, est.model_.predict(X, verbose=0), rtol=1e-6)
    assert len(est.history_["loss"]) == 2 and est.current_epoch == 2
    assert est.target_encoder_.transform(Y) is Y and est.n_features_in_ == 5
    assert not is_classifier(est) and not is_regressor(est)
    assert isinstance(KerasClassifier(), BaseWrapper) and isinstance(KerasRegressor(), BaseWrapper)


def test_score_needs_a_scorer_from_a_subclass(data):
    X, Y = data
    est = BaseWrapper(_build, units=3, loss="mse", random_state=0).fit(X, Y)
    with pytest.raises(NotImplementedError, match="scorer"):
        est.score(X, Y)

    class Scored(BaseWrapper):
        @staticmethod
        def scorer(y_true, y_pred, **kwargs):
            return -mean_squared_error(y_true, y_pred, **kwargs)

    scored = Scored(_build, units=3, loss="mse", random_state=0, score__multioutput="raw_values").fit(X, Y)
    assert scored.score(X, Y).shape == (3,)  # score__ options reach the scorer


def test_initialize_without_y_builds_a_given_model_for_prediction(data):
    X, Y = data
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    est = BaseWrapper(model).initialize(X)

    assert est.model_ is model and not model.compiled  # nothing to compile for: no y, no loss
    np.testing.assert_allclose(est.predict(X), model.predict(X, verbose=0), rtol=1e-6)
    assert est.initialized_ and est.current_epoch == 0
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(copy.predict(X), est.predict(X), rtol=1e-6)

    before = model.get_weights()[0].copy()
    est.set_params(loss="mse").partial_fit(X, Y)  # built again for its y, from the model's weights
    assert est.model_ is model and est.current_epoch == 1
    assert not np.allclose(model.get_weights()[0], before)


def test_initialize_without_y_needs_an_identity_target_encoder(data):
    X, _ = data
    with pytest.raises(ValueError, match="requires y"):
        KerasRegressor(_build).initialize(X)


def test_a_subclass_extending_initialize_trains_on_what_it_returns(data):
    X, _ = data
    calls = []

    class AutoEncoder(BaseWrapper):
        def _keras_build_fn(self, meta, units=2):
            inp = keras.Input(meta["input_shape_"])
            return keras.Model(inp, keras.layers.Dense(meta["n_features_in_"])(keras.layers.Dense(units)(inp)))

        def _initialize(self, X, y=None):
            X, _ = super()._initialize(X, X)
            calls.append(len(X))
            return X, X

        def fit(self, X, sample_weight=None):
            return super().fit(X, X, sample_weight=sample_weight)

    ae = AutoEncoder(loss="mse", epochs=2, random_state=0, warm_start=True).fit(X)
    assert calls == [40] and ae.predict(X).shape == X.shape and ae.current_epoch == 2
    ae.fit(X)  # warm start: no new build
    assert calls == [40]
    ae.set_params(warm_start=False).fit(X)
    assert calls == [40, 40]
    again = AutoEncoder(loss="mse", epochs=2, random_state=0).fit(X)
    np.testing.assert_allclose(again.predict(X), AutoEncoder(loss="mse", epochs=2, random_state=0).fit(X).predict(X),
                               rtol=1e-5)


def test_save_and_load_keep_a_fitted_and_a_predict_only_wrapper(data, tmp_path):
    import skdl

    X, Y = data
    fitted = BaseWrapper(_build, units=3, loss="mse", random_state=0).fit(X, Y)
    predict_only = BaseWrapper(keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])).initialize(X)
    for i, est in enumerate((fitted, predict_only)):
        est.save(tmp_path / f"{i}.skdl")
        np.testing.assert_allclose(skdl.load(tmp_path / f"{i}.skdl").predict(X), est.predict(X), rtol=1e-6)
