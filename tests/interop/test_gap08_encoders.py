"""Issue 14, gap 8: the ``target_encoder`` / ``feature_encoder`` hooks.

Reference: scikeras/wrappers.py ``BaseWrapper.target_encoder`` /
``feature_encoder`` (properties, default ``FunctionTransformer()``),
``KerasClassifier.target_encoder`` (``ClassifierLabelEncoder(loss=self.loss,
categories=...)``), ``KerasRegressor.target_encoder``
(``RegressorTargetEncoder()``), ``_initialize`` (``fit`` the encoders, copy their
``get_metadata()`` onto the estimator), ``_fit`` / ``_predict_raw`` / ``predict``
(``transform`` before Keras, ``inverse_transform`` after; ``predict_proba``
calls ``inverse_transform(y, return_proba=True)``),
``_check_model_compatibility`` (``n_outputs_expected_`` must equal the number
of model outputs), and scikeras/utils/transformers.py.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import FunctionTransformer

from skdl import KerasClassifier, KerasRegressor


def test_gap08_default_encoders_are_properties_returning_transformers(binary, dense_builder):
    X, y = binary
    # scikeras' classifier target_encoder reads classes_, so it exists once fit has run
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, y)
    for est, names in (
        (KerasRegressor(), ("target_encoder", "feature_encoder")),
        (KerasClassifier(), ("feature_encoder",)),
        (clf, ("target_encoder", "feature_encoder")),
    ):
        for name in names:
            enc = getattr(est, name)
            assert all(hasattr(enc, m) for m in ("fit", "transform", "inverse_transform")), (type(est), name)
            assert enc is not getattr(est, name)  # a fresh, unfitted transformer each time


def test_gap08_default_classifier_target_encoder_round_trip(binary, dense_builder):
    X, y = binary
    labels = np.where(y == 1, "spam", "ham")
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=1, verbose=0).fit(X, labels)

    enc = clf.target_encoder_
    codes = enc.transform(labels[:4])
    assert np.asarray(codes).reshape(-1).tolist() == [float(v) for v in y[:4]]
    proba = np.array([[0.9], [0.2]])  # raw sigmoid output of the Keras model
    np.testing.assert_array_equal(enc.inverse_transform(proba), ["spam", "ham"])
    np.testing.assert_allclose(enc.inverse_transform(proba, return_proba=True), [[0.1, 0.9], [0.8, 0.2]])


def test_gap08_feature_encoder_override_is_applied_in_fit_and_predict(regression, keras):
    X, y = regression
    calls = []

    def double(X):
        calls.append(len(X))
        return 2 * X

    class DoubledRegressor(KerasRegressor):
        @property
        def feature_encoder(self):
            return FunctionTransformer(func=double)

    def build():
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
        model.compile(loss="mse")
        return model

    reg = DoubledRegressor(build, epochs=1, verbose=0).fit(X, y)
    calls.clear()
    pred = reg.predict(X[:5])

    assert calls == [5]
    np.testing.assert_allclose(pred, reg.model_.predict(2 * X[:5], verbose=0).ravel(), rtol=1e-5)


def test_gap08_target_encoder_override_for_a_two_output_model(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = np.column_stack([X.sum(1), X[:, 0]])

    class SplitTarget(BaseEstimator, TransformerMixin):
        def fit(self, y):
            self.n_outputs_expected_ = 2
            return self

        def transform(self, y):
            return [y[:, 0], y[:, 1]]

        def inverse_transform(self, y):
            return np.column_stack([np.ravel(y[0]), np.ravel(y[1])])

        def get_metadata(self):
            return {"n_outputs_expected_": self.n_outputs_expected_}

    class TwoOutputRegressor(KerasRegressor):
        @property
        def target_encoder(self):
            return SplitTarget()

    def build(meta):
        assert meta["n_outputs_expected_"] == 2
        inp = keras.Input((3,))
        model = keras.Model(inp, [keras.layers.Dense(1)(inp), keras.layers.Dense(1)(inp)])
        model.compile(loss="mse")
        return model

    reg = TwoOutputRegressor(build, epochs=1, verbose=0).fit(X, y)

    assert reg.n_outputs_expected_ == 2
    assert reg.predict(X).shape == (60, 2)
    assert np.isfinite(reg.score(X, y))


def test_gap08_n_outputs_expected_mismatch_is_a_clear_error(keras):
    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    y = X.sum(1)

    class Claims2(BaseEstimator, TransformerMixin):
        def fit(self, y):
            return self

        def transform(self, y):
            return y

        def inverse_transform(self, y):
            return y

        def get_metadata(self):
            return {"n_outputs_expected_": 2}

    class Reg(KerasRegressor):
        @property
        def target_encoder(self):
            return Claims2()

    def build():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])

    # scikeras: "Detected a Keras model input of size 2, but <model> has 1 outputs"
    with pytest.raises(ValueError, match="outputs"):
        Reg(build, loss="mse", epochs=1, verbose=0).fit(X, y)


def test_gap08_feature_encoder_metadata_reaches_meta(regression, keras):
    X, y = regression
    seen = {}

    class Tagging(FunctionTransformer):
        def get_metadata(self):
            return {"n_tokens_": 42}

    class Reg(KerasRegressor):
        @property
        def feature_encoder(self):
            return Tagging()

    def build(meta):
        seen["n_tokens_"] = meta["n_tokens_"]
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])

    reg = Reg(build, loss="mse", epochs=1, verbose=0).fit(X, y)

    assert seen == {"n_tokens_": 42}
    assert reg.n_tokens_ == 42


def test_gap08_target_encoder_sees_the_loss(multiclass, dense_builder):
    """The default classifier encoder one-hot encodes for categorical cross-entropy (it gets loss=self.loss)."""
    X, y = multiclass
    clf = KerasClassifier(dense_builder, loss="categorical_crossentropy", epochs=1, verbose=0).fit(X, y)

    encoded = np.asarray(clf.target_encoder_.transform(y[:5]))
    assert encoded.shape == (5, 3)
    np.testing.assert_array_equal(encoded.argmax(axis=1), y[:5])
