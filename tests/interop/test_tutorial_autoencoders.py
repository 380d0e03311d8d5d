"""scikeras 0.13 tutorial notebooks/AutoEncoders.md, with only the import changed.

The notebook subclasses ``scikeras.wrappers.BaseWrapper``; the changed import is
``from skdl import BaseWrapper`` (done inside the test so that a missing name
fails this test, not the collection of the directory). Substitutions: MNIST is
the local stand-in flattened to (n, 784) float32 in [0, 1]; 2 epochs instead of
5; the matplotlib figure is replaced by shape and range checks.
"""

from typing import Any, Dict, List

import numpy as np
import pytest
from sklearn.base import TransformerMixin
from sklearn.metrics import mean_squared_error


@pytest.fixture
def mnist_flat(mnist):
    (x_train, _), (x_test, _) = mnist
    x_train = x_train.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0
    x_train = x_train.reshape((len(x_train), np.prod(x_train.shape[1:])))
    x_test = x_test.reshape((len(x_test), np.prod(x_test.shape[1:])))
    return x_train, x_test


def _autoencoder_classes(keras):
    from skdl import BaseWrapper

    class AutoEncoder(BaseWrapper, TransformerMixin):
        """A class that enables transform and fit_transform."""

        encoder_model_: BaseWrapper
        decoder_model_: BaseWrapper

        def _keras_build_fn(self, encoding_dim: int, meta: Dict[str, Any]):
            n_features_in = meta["n_features_in_"]

            encoder_input = keras.Input(shape=(n_features_in,))
            encoder_output = keras.layers.Dense(encoding_dim, activation="relu")(encoder_input)
            encoder_model = keras.Model(encoder_input, encoder_output)

            decoder_input = keras.Input(shape=(encoding_dim,))
            decoder_output = keras.layers.Dense(n_features_in, activation="sigmoid", name="decoder")(decoder_input)
            decoder_model = keras.Model(decoder_input, decoder_output)

            autoencoder_input = keras.Input(shape=(n_features_in,))
            encoded_img = encoder_model(autoencoder_input)
            reconstructed_img = decoder_model(encoded_img)

            autoencoder_model = keras.Model(autoencoder_input, reconstructed_img)

            self.encoder_model_ = BaseWrapper(encoder_model, verbose=self.verbose)
            self.decoder_model_ = BaseWrapper(decoder_model, verbose=self.verbose)

            return autoencoder_model

        def _initialize(self, X, y=None):
            X, _ = super()._initialize(X=X, y=y)
            # since encoder_model_ and decoder_model_ share layers (and their weights)
            # X_tf here come from random weights, but we only use it to initialize our models
            X_tf = self.encoder_model_.initialize(X).predict(X)
            self.decoder_model_.initialize(X_tf)
            return X, X

        def initialize(self, X):
            self._initialize(X=X, y=X)
            return self

        def fit(self, X, *, sample_weight=None) -> "AutoEncoder":
            super().fit(X=X, y=X, sample_weight=sample_weight)
            # at this point, encoder_model_ and decoder_model_
            # are both "fitted" because they share layers w/ model_
            # which is fit in the above call
            return self

        def score(self, X) -> float:
            # Note: we use 1-MSE as the score
            # With MSE, "larger is better", but Scikit-Learn
            # always maximizes the score (e.g. in GridSearch)
            return 1 - mean_squared_error(self.predict(X), X)

        def transform(self, X) -> np.ndarray:
            X: np.ndarray = self.feature_encoder_.transform(X)
            return self.encoder_model_.predict(X)

        def inverse_transform(self, X_tf: np.ndarray):
            X: np.ndarray = self.decoder_model_.predict(X_tf)
            return self.feature_encoder_.inverse_transform(X)

    class DeepAutoEncoder(AutoEncoder):
        """A class that enables transform and fit_transform."""

        def _keras_build_fn(self, encoding_dim: int, hidden_layer_sizes: List[str], meta: Dict[str, Any]):
            n_features_in = meta["n_features_in_"]

            encoder_input = keras.Input(shape=(n_features_in,))
            x = encoder_input
            for layer_size in hidden_layer_sizes:
                x = keras.layers.Dense(layer_size, activation="relu")(x)
            encoder_output = keras.layers.Dense(encoding_dim, activation="relu")(x)
            encoder_model = keras.Model(encoder_input, encoder_output)

            decoder_input = keras.Input(shape=(encoding_dim,))
            x = decoder_input
            for layer_size in reversed(hidden_layer_sizes):
                x = keras.layers.Dense(layer_size, activation="relu")(x)
            decoder_output = keras.layers.Dense(n_features_in, activation="sigmoid", name="decoder")(x)
            decoder_model = keras.Model(decoder_input, decoder_output)

            autoencoder_input = keras.Input(shape=(n_features_in,))
            encoded_img = encoder_model(autoencoder_input)
            reconstructed_img = decoder_model(encoded_img)

            autoencoder_model = keras.Model(autoencoder_input, reconstructed_img)

            self.encoder_model_ = BaseWrapper(encoder_model, verbose=self.verbose)
            self.decoder_model_ = BaseWrapper(decoder_model, verbose=self.verbose)

            return autoencoder_model

    return AutoEncoder, DeepAutoEncoder


def test_autoencoders_tutorial(keras, mnist_flat):
    x_train, x_test = mnist_flat
    AutoEncoder, DeepAutoEncoder = _autoencoder_classes(keras)

    autoencoder = AutoEncoder(
        loss="binary_crossentropy",
        encoding_dim=32,
        random_state=0,
        epochs=2,
        verbose=False,
        optimizer="adam",
    )
    _ = autoencoder.fit(X=x_train)
    roundtrip_imgs = autoencoder.inverse_transform(autoencoder.transform(x_test))

    assert roundtrip_imgs.shape == x_test.shape
    assert roundtrip_imgs.min() >= 0.0 and roundtrip_imgs.max() <= 1.0  # sigmoid decoder
    encoded_imgs = autoencoder.transform(x_test)
    assert encoded_imgs.shape == (len(x_test), 32)
    assert round(encoded_imgs.nbytes / x_test.nbytes, 2) == round(32 / 784, 2)  # compression ratio
    # the encoder shares its weights with the trained autoencoder
    np.testing.assert_allclose(
        autoencoder.encoder_model_.model_.get_weights()[0], autoencoder.model_.get_weights()[0]
    )

    deep = DeepAutoEncoder(
        loss="binary_crossentropy",
        encoding_dim=32,
        hidden_layer_sizes=[128],
        random_state=0,
        epochs=2,
        verbose=False,
        optimizer="adam",
    )
    _ = deep.fit(X=x_train)

    score = autoencoder.score(X=x_test)
    deep_score = deep.score(X=x_test)
    assert 0.0 < score <= 1.0 and 0.0 < deep_score <= 1.0
    assert deep.transform(x_test).shape == (len(x_test), 32)
