"""scikeras' ``target_encoder`` / ``feature_encoder`` hooks in KerasClassifier/KerasRegressor (issue 14, C4).

The interop suite (tests/interop/test_gap08_encoders.py, test_tutorial_data_transformers.py)
checks scikeras' documented behaviour; these tests cover what skdl adds around it: the engine
a fit runs on, continued fits, pickling, validation and eval sets with several inputs, and the
errors for encoders that return something the model cannot take.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import FunctionTransformer

keras = pytest.importorskip("keras")

from skdl import KerasClassifier, KerasRegressor, MLPClassifier  # noqa: E402


def _dense(meta, hidden=4):
    return keras.Sequential([
        keras.Input(meta["input_shape_"]),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(meta["n_outputs_"], activation=meta["output_activation_"]),
    ])


def _two_inputs(meta):
    a, b = keras.Input(meta["input_shape_"]["left"], name="left"), keras.Input(meta["input_shape_"]["right"], name="right")
    x = keras.layers.Concatenate()([keras.layers.Dense(3)(a), keras.layers.Dense(3)(b)])
    return keras.Model({"left": a, "right": b}, keras.layers.Dense(1)(x))


def _two_outputs(meta):
    inp = keras.Input(meta["input_shape_"])
    return keras.Model(inp, [keras.layers.Dense(1, name="a")(inp), keras.layers.Dense(1, name="b")(inp)])


class SplitColumns(BaseEstimator, TransformerMixin):
    """X -> {"left": X[:, :2], "right": X[:, 2:]}; counts its fits (module level: picklable)."""

    fits = 0

    def fit(self, X, y=None):
        type(self).fits += 1
        self.n_columns_ = X.shape[1]
        return self

    def transform(self, X):
        return {"left": X[:, :2], "right": X[:, 2:]}

    def get_metadata(self):
        return {"n_columns_": self.n_columns_}


class SplitTargets(BaseEstimator, TransformerMixin):
    """y (n, 2) -> [y[:, 0], y[:, 1]], for a two-output model."""

    def fit(self, y):
        return self

    def transform(self, y):
        return [y[:, 0], y[:, 1]]

    def inverse_transform(self, y):
        return np.column_stack([np.ravel(y[0]), np.ravel(y[1])])

    def get_metadata(self):
        return {"n_outputs_expected_": 2}


class SplitRegressor(KerasRegressor):
    @property
    def feature_encoder(self):
        return SplitColumns()


class TwoOutputRegressor(KerasRegressor):
    @property
    def target_encoder(self):
        return SplitTargets()


@pytest.fixture(scope="module")
def xy4():
    rng = np.random.RandomState(0)
    X = rng.rand(80, 4).astype(np.float32)
    return X, X.sum(axis=1) + 0.1 * X[:, 0]


# --------------------------------------------------------------- default encoders
def test_default_encoders_keep_the_compiled_engine_and_are_fitted_attributes(binary_data):
    X, y = binary_data
    clf = KerasClassifier(_dense, random_state=0).fit(X, y)

    assert type(clf._network).__name__ != "KerasFitNetwork"  # one array in, one out: the fast engine
    assert isinstance(clf.feature_encoder_, FunctionTransformer) and clf.feature_encoder_.n_features_in_ == 6
    assert clf.target_encoder_ is clf.target_encoder_  # the fitted one, not a fresh property value
    np.testing.assert_array_equal(clf.classes_, clf.target_encoder_.get_metadata()["classes_"])
    raw = clf.model_.predict(X[:5], verbose=0)
    np.testing.assert_array_equal(clf.predict(X[:5]), clf.target_encoder_.inverse_transform(raw))
    np.testing.assert_allclose(clf.predict_proba(X[:5]), clf.target_encoder_.inverse_transform(raw, return_proba=True),
                               rtol=1e-6)


def test_default_classifier_encoder_sees_loss_and_partial_fit_classes(iris):
    X, y = iris
    clf = KerasClassifier(_dense, loss="categorical_crossentropy", random_state=0)

    assert clf.target_encoder.loss == "categorical_crossentropy"  # before fit too
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # a first batch without class 2

    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.target_encoder_.transform(np.array([2, 0])).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert clf.predict_proba(X[:3]).shape == (3, 3)


def test_default_encoder_and_a_two_output_model_is_a_clear_error(xy4):
    X, y = xy4
    with pytest.raises(ValueError, match=r"expects a Keras model with 1 output\(s\).*has 2 outputs"):
        KerasRegressor(_two_outputs, loss="mse").fit(X, y)


def test_mlp_estimators_have_no_encoder_hooks(binary_data):
    X, y = binary_data
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)

    assert not hasattr(clf, "feature_encoder_") and not hasattr(clf, "feature_encoder")
    assert clf.predict(X[:4]).shape == (4,)


# ------------------------------------------------------------ a feature encoder
def test_feature_encoder_shape_reaches_meta_and_keeps_the_compiled_engine(iris):
    X, y = iris
    seen = {}

    class AsImage(KerasClassifier):
        @property
        def feature_encoder(self):
            return FunctionTransformer(lambda X: X.reshape(len(X), 2, 2, 1))

    def build(meta):
        seen.update(meta)
        return keras.Sequential([keras.Input(meta["input_shape_"]), keras.layers.Flatten(),
                                 keras.layers.Dense(3, activation="softmax")])

    clf = AsImage(build, random_state=0).fit(X, y)

    assert seen["input_shape_"] == (2, 2, 1)  # what the network takes
    assert seen["n_features_in_"] == 4 and seen["X_shape_"] == (150, 4)  # what the user gave
    assert seen["feature_encoder_"] is clf.feature_encoder_
    assert type(clf._network).__name__ != "KerasFitNetwork"
    assert clf.predict(X[:7]).shape == (7,)


def test_several_inputs_with_validation_split_and_eval_set(xy4):
    X, y = xy4
    reg = SplitRegressor(_two_inputs, loss="mse", epochs=2, validation_split=0.25, random_state=0)
    reg.fit(X, y, eval_set=(X[:10], y[:10]))

    assert reg.n_columns_ == 4
    assert len(reg.history_["val_loss"]) == 2 and len(reg.history_["eval_loss"]) == 2
    expected = reg.model_.predict({"left": X[:6, :2], "right": X[:6, 2:]}, verbose=0).ravel()
    np.testing.assert_allclose(reg.predict(X[:6]), expected, rtol=1e-5)


def test_continued_fits_reuse_the_fitted_encoders(xy4):
    X, y = xy4
    reg = SplitRegressor(_two_inputs, loss="mse", warm_start=True, random_state=0).fit(X, y)
    fits, encoder = SplitColumns.fits, reg.feature_encoder_

    reg.fit(X, y)
    reg.partial_fit(X, y)

    assert SplitColumns.fits == fits and reg.feature_encoder_ is encoder


def test_pickled_estimator_with_encoders_predicts_the_same(xy4):
    X, y = xy4
    for est in (SplitRegressor(_two_inputs, loss="mse", random_state=0),
                TwoOutputRegressor(_two_outputs, loss="mse", random_state=0)):
        est.fit(X, np.column_stack([y, X[:, 0]]) if isinstance(est, TwoOutputRegressor) else y)
        restored = pickle.loads(pickle.dumps(est))
        np.testing.assert_allclose(restored.predict(X[:5]), est.predict(X[:5]), rtol=1e-6)


# ------------------------------------------------------------- a target encoder
def test_two_outputs_through_a_target_encoder(xy4):
    X, y = xy4
    Y = np.column_stack([y, X[:, 0]])
    reg = TwoOutputRegressor(_two_outputs, loss={"a": "mse", "b": "mae"}, epochs=2, random_state=0).fit(X, Y)

    assert reg.n_outputs_expected_ == 2 and reg.target_encoder_.get_metadata() == {"n_outputs_expected_": 2}
    assert {"a_loss", "b_loss"} <= set(reg.history_)
    assert reg.predict(X).shape == (80, 2)


def test_predict_proba_needs_return_proba_in_the_encoder(binary_data):
    X, y = binary_data

    class NoProba(KerasClassifier):
        @property
        def target_encoder(self):
            return FunctionTransformer(lambda y: y.reshape(-1, 1).astype("float32"),
                                       inverse_func=lambda p: (p[:, 0] > 0.5).astype(int), check_inverse=False)

    clf = NoProba(_dense_sigmoid, loss="binary_crossentropy", random_state=0).fit(X, y)

    assert set(np.unique(clf.predict(X))) <= {0, 1}
    assert clf.classes_ is None  # the encoder gave no classes_ (as in scikeras)
    with pytest.raises(TypeError, match="return_proba=True"):
        clf.predict_proba(X)


def _dense_sigmoid(meta):
    return keras.Sequential([keras.Input(meta["input_shape_"]), keras.layers.Dense(1, activation="sigmoid")])


def test_class_weight_applies_to_y_as_given_with_a_target_encoder(binary_data):
    X, y = binary_data

    class Codes(KerasClassifier):
        @property
        def target_encoder(self):
            return FunctionTransformer(lambda y: y.astype("float32"), inverse_func=lambda p: (p[:, 0] > 0.5).astype(int),
                                       check_inverse=False)

    clf = Codes(_dense_sigmoid, loss="binary_crossentropy", class_weight={0: 0.0, 1: 2.0}, random_state=0)
    target = clf._make_target().fit(y)
    weights = target.sample_weight_factors(target.transform(y), clf.class_weight, y=y)

    np.testing.assert_array_equal(weights, np.where(y == 1, 2.0, 0.0))
    clf.fit(X, y)


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "func, match",
    [
        (lambda X: X[:-1], r"one row per sample \(80\); it returned an array of shape \(79, 4\)"),
        (lambda X: [X[:, :2], X[:3, 2:]], r"shape \(3, 2\) \(item \[1\]\)"),
        (lambda X: np.full(len(X), "a"), "numeric arrays; it returned dtype <U1"),
        (lambda X: [], "empty list"),
        (lambda X: 3.0, r"shape \(\) \(no rows\)"),
    ],
)
def test_bad_feature_encoder_output_is_a_clear_error(xy4, func, match):
    X, y = xy4

    class Bad(KerasRegressor):
        @property
        def feature_encoder(self):
            return FunctionTransformer(func)

    with pytest.raises(ValueError, match="The feature_encoder of Bad must return") as info:
        Bad(_dense, loss="mse").fit(X, y)
    assert info.match(match)


def test_bad_target_encoders_are_clear_errors(xy4):
    X, y = xy4

    class NoneFromFit(BaseEstimator):
        def fit(self, y):
            return None

    class MetaNotDict(SplitTargets):
        def get_metadata(self):
            return [("n_outputs_expected_", 2)]

    class MetaOverwritesParameter(SplitTargets):
        def get_metadata(self):
            return {"epochs": 5}

    def make(encoder, **kwargs):
        class Reg(KerasRegressor):
            @property
            def target_encoder(self):
                return encoder

        return Reg(_two_outputs, loss="mse", **kwargs)

    Y = np.column_stack([y, y])
    with pytest.raises(ValueError, match="returned None from fit; fit must return the fitted encoder"):
        make(NoneFromFit()).fit(X, Y)
    with pytest.raises(TypeError, match=r"get_metadata\(\) must return a dict; it returned list"):
        make(MetaNotDict()).fit(X, Y)
    with pytest.raises(ValueError, match=r"return \['epochs'\], which are parameters"):
        make(MetaOverwritesParameter()).fit(X, Y)
    with pytest.raises(TypeError, match="must be an unfitted sklearn-style transformer"):
        make("scaler").fit(X, Y)
    with pytest.raises(ValueError, match="scale_target applies to the default encoder only"):
        make(SplitTargets(), scale_target=True).fit(X, Y)
    with pytest.raises(ValueError, match="engine='compiled'"):
        make(SplitTargets(), engine="compiled").fit(X, Y)


def test_target_encoder_without_loss_needs_a_compiled_model(xy4):
    X, y = xy4
    Y = np.column_stack([y, y])
    with pytest.raises(ValueError, match="custom target_encoder and no loss: give loss="):
        TwoOutputRegressor(_two_outputs).fit(X, Y)

    def with_compile_kwargs(meta, compile_kwargs):
        model = _two_outputs(meta)
        model.compile(**compile_kwargs)  # its loss is the placeholder of "no loss given"
        return model

    with pytest.raises(ValueError, match="custom target_encoder and no loss: give loss="):
        TwoOutputRegressor(with_compile_kwargs).fit(X, Y)

    def compiled(meta):
        model = _two_outputs(meta)
        model.compile(loss="mse")
        return model

    assert TwoOutputRegressor(compiled, random_state=0).fit(X, Y).predict(X).shape == (80, 2)


# ------------------------------------------------------------- X of any rank (C3)
def _sequence_model(meta):
    return keras.Sequential([keras.Input(meta["input_shape_"]), keras.layers.Conv1D(2, 2), keras.layers.Flatten(),
                             keras.layers.Dense(1, activation="sigmoid")])


def test_x_of_any_rank_reaches_the_builder_and_is_checked_after_fit():
    rng = np.random.RandomState(0)
    X = (rng.rand(40, 5, 3) * 255).astype(np.uint8)
    y = np.arange(40) % 2
    clf = KerasClassifier(_sequence_model, warm_start=True, random_state=0).fit(X, y)

    assert clf.X_shape_ == (40, 5, 3) and clf.X_dtype_ == np.uint8 and clf.n_features_in_ == 5
    assert type(clf._network).__name__ != "KerasFitNetwork"
    assert clf.predict(X[:3]).shape == (3,)
    with pytest.raises(ValueError, match=r"X has shape \(5, 2\), but this KerasClassifier is expecting X of shape \(5, 3\)"):
        clf.predict(X[:, :, :2])
    with pytest.raises(ValueError, match="X has 2 dimensions, but this KerasClassifier is expecting 3 dimensions"):
        clf.predict(X[:, :, 0])
    with pytest.raises(ValueError, match="expecting X of shape"):  # a continued fit too
        clf.fit(X[:, :, :1], y)


def test_mlp_estimators_still_want_2d_x(binary_data):
    X = np.zeros((10, 2, 3))
    with pytest.raises(ValueError, match="MLPClassifier expects 2-D X"):
        MLPClassifier(epochs=1).fit(X, np.arange(10) % 2)
