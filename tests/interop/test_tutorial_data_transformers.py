"""scikeras 0.13 tutorial notebooks/DataTransformers.md, with only the import changed.

Substitutions: MNIST is the local 28x28 uint8 stand-in (300 train / 100 test
images, see conftest.py) instead of ``keras.datasets.mnist.load_data()``; the
CNN trains 1 epoch instead of 10 and the multi-input model has 8 and 4 hidden
units instead of 100 and 50. ``MultiOutputTransformer.inverse_transform(...,
return_proba=True)`` calls ``np.column_stack(y, axis=1)``, a TypeError in the
notebook itself, so ``predict_proba`` is not called on that classifier.
"""

from typing import List

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import FunctionTransformer, LabelEncoder, MinMaxScaler, StandardScaler

from skdl import KerasClassifier, KerasRegressor


class MultiOutputTransformer(BaseEstimator, TransformerMixin):
    def fit(self, y):
        y_bin, y_cat = y[:, 0], y[:, 1]
        # Create internal encoders to ensure labels are 0, 1, 2...
        self.bin_encoder_ = LabelEncoder()
        self.cat_encoder_ = LabelEncoder()
        # Fit them to the input data
        self.bin_encoder_.fit(y_bin)
        self.cat_encoder_.fit(y_cat)
        # Save the number of classes
        self.n_classes_ = [
            self.bin_encoder_.classes_.size,
            self.cat_encoder_.classes_.size,
        ]
        # Save number of expected outputs in the Keras model
        # SciKeras will automatically use this to do error-checking
        self.n_outputs_expected_ = 2
        return self

    def transform(self, y: np.ndarray) -> List[np.ndarray]:
        y_bin, y_cat = y[:, 0], y[:, 1]
        # Apply transformers to input array
        y_bin = self.bin_encoder_.transform(y_bin)
        y_cat = self.cat_encoder_.transform(y_cat)
        # Split the data into a list
        return [y_bin, y_cat]

    def inverse_transform(self, y: List[np.ndarray], return_proba: bool = False) -> np.ndarray:
        y_pred_proba = y  # rename for clarity, what Keras gives us are probs
        if return_proba:
            return np.column_stack(y_pred_proba, axis=1)
        # Get class predictions from probabilities
        y_pred_bin = (y_pred_proba[0] > 0.5).astype(int).reshape(-1,)
        y_pred_cat = np.argmax(y_pred_proba[1], axis=1)
        # Pass back through LabelEncoder
        y_pred_bin = self.bin_encoder_.inverse_transform(y_pred_bin)
        y_pred_cat = self.cat_encoder_.inverse_transform(y_pred_cat)
        return np.column_stack([y_pred_bin, y_pred_cat])

    def get_metadata(self):
        return {
            "n_classes_": self.n_classes_,
            "n_outputs_expected_": self.n_outputs_expected_,
        }


class MultiOutputClassifier(KerasClassifier):
    @property
    def target_encoder(self):
        return MultiOutputTransformer()

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        y_bin, y_cat = y_true[:, 0], y_true[:, 1]
        y_pred_bin, y_pred_cat = y_pred[:, 0], y_pred[:, 1]
        # Keras by default uses the mean of losses of each outputs, so here we do the same
        return np.mean([accuracy_score(y_bin, y_pred_bin), accuracy_score(y_cat, y_pred_cat)])


def test_data_transformers_get_metadata_reaches_meta_and_estimator(keras, binary):
    X, y = binary
    seen = {}

    class MetaTransformer(BaseEstimator, TransformerMixin):
        def fit(self, y):
            self.encoder_ = LabelEncoder().fit(y)
            return self

        def transform(self, y):
            return self.encoder_.transform(y)

        def inverse_transform(self, y, return_proba=False):
            if return_proba:
                return np.column_stack([1 - y[:, 0], y[:, 0]])
            return self.encoder_.inverse_transform((y[:, 0] > 0.5).astype(int))

        def get_metadata(self):
            return {"my_param_": "foobarbaz"}

    class MyClassifier(KerasClassifier):
        @property
        def target_encoder(self):
            return MetaTransformer()

    def get_model(meta):
        seen["my_param_"] = meta["my_param_"]
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy")
        return model

    clf = MyClassifier(model=get_model, verbose=0)
    clf.fit(X, y)  # Got: foobarbaz

    assert seen == {"my_param_": "foobarbaz"}
    assert clf.my_param_ == "foobarbaz"


def test_data_transformers_multiple_outputs(keras):
    def get_clf_model(meta):
        inp = keras.layers.Input(shape=(meta["n_features_in_"],))
        x1 = keras.layers.Dense(100, activation="relu")(inp)
        out_bin = keras.layers.Dense(1, activation="sigmoid")(x1)
        out_cat = keras.layers.Dense(meta["n_classes_"][1], activation="softmax")(x1)
        model = keras.Model(inputs=inp, outputs=[out_bin, out_cat])
        model.compile(loss=["binary_crossentropy", "sparse_categorical_crossentropy"])
        return model

    rng = np.random.RandomState(0)
    y_bin = rng.randint(0, 2, size=(100,))
    y_cat = rng.randint(0, 5, size=(100,))
    y_sklearn = np.column_stack([y_bin, y_cat])
    # Use labels as features, just to make sure we can learn correctly
    X = StandardScaler().fit_transform(y_sklearn)

    clf = MultiOutputClassifier(model=get_clf_model, verbose=0, random_state=0)
    score = clf.fit(X, y_sklearn).score(X, y_sklearn)

    assert 0.0 <= score <= 1.0
    assert clf.n_classes_ == [2, 5]
    assert clf.n_outputs_expected_ == 2
    y_pred = clf.predict(X)
    assert y_pred.shape == (100, 2)
    assert set(np.unique(y_pred[:, 0])) <= {0, 1} and set(np.unique(y_pred[:, 1])) <= set(range(5))
    assert score == pytest.approx(MultiOutputClassifier.scorer(y_sklearn, y_pred))


def test_data_transformers_multiple_inputs(keras):
    def get_reg_model():
        inp1 = keras.layers.Input(shape=(1,))
        inp2 = keras.layers.Input(shape=(1,))

        x1 = keras.layers.Dense(8, activation="relu")(inp1)
        x2 = keras.layers.Dense(4, activation="relu")(inp2)

        concat = keras.layers.Concatenate(axis=-1)([x1, x2])

        out = keras.layers.Dense(1)(concat)

        model = keras.Model(inputs=[inp1, inp2], outputs=out)
        model.compile(loss="mse")

        return model

    class MultiInputRegressor(KerasRegressor):
        @property
        def feature_encoder(self):
            return FunctionTransformer(
                func=lambda X: [X[:, 0], X[:, 1]],
            )

    rng = np.random.RandomState(0)
    X = rng.random_sample(size=(100, 2))
    y = np.sum(X, axis=1)
    X = np.split(X, 2, axis=1)

    reg = MultiInputRegressor(model=get_reg_model, verbose=0, random_state=0)
    X_sklearn = np.column_stack(X)
    score = reg.fit(X_sklearn, y).score(X_sklearn, y)

    assert np.isfinite(score)
    assert reg.predict(X_sklearn).shape == (100,)
    assert len(reg.model_.inputs) == 2


def test_data_transformers_multidimensional_inputs_mnist(keras, mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape[1:] == (28, 28)

    n_samples_train = x_train.shape[0]
    n_samples_test = x_test.shape[0]
    x_train = x_train.reshape((n_samples_train, -1))
    x_test = x_test.reshape((n_samples_test, -1))
    x_train = MinMaxScaler().fit_transform(x_train)
    x_test = MinMaxScaler().fit_transform(x_test)
    assert x_train.shape[1:] == (784,)

    num_classes = 10
    input_shape = (28, 28, 1)

    def get_model(meta):
        model = keras.Sequential(
            [
                keras.Input(input_shape),
                keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2)),
                keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2)),
                keras.layers.Flatten(),
                keras.layers.Dropout(0.5),
                keras.layers.Dense(num_classes, activation="softmax"),
            ]
        )
        model.compile(loss="sparse_categorical_crossentropy")
        return model

    class MultiDimensionalClassifier(KerasClassifier):
        @property
        def feature_encoder(self):
            return FunctionTransformer(
                func=lambda X: X.reshape(X.shape[0], *input_shape),
            )

    clf = MultiDimensionalClassifier(
        model=get_model,
        epochs=1,
        batch_size=128,
        validation_split=0.1,
        random_state=0,
        verbose=0,
    )
    clf.fit(x_train, y_train)
    score = clf.score(x_test, y_test)

    assert 0.0 <= score <= 1.0
    assert len(clf.history_["val_loss"]) == 1  # validation_split reached model.fit
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert clf.predict(x_test).shape == (100,)
