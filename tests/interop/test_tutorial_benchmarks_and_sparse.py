"""scikeras 0.13 tutorials notebooks/Benchmarks.md and notebooks/sparse.md, only the import changed.

Benchmarks: MNIST is the local stand-in (300/100 images instead of 2000/500),
1 epoch instead of 5. The pure-Keras baseline uses
``scikeras.utils.random_state.tensorflow_random_state`` (not a wrapper, and
TensorFlow-only); it is not reproduced. The notebook's claims tested here are
that the ``fit_kwargs`` given to the constructor reach ``model.fit`` and that a
fixed ``random_state`` gives reproducible predictions; its timing claim
("overhead < 1 s") is not asserted on a shared machine.

sparse: 300 samples instead of 20 000, 1 epoch instead of 5; ``%memit`` and
``%timeit`` are replaced by fit/predict checks.
"""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from skdl import KerasClassifier, KerasRegressor


@pytest.fixture
def mnist_images(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    return (x_train, y_train), (x_test, y_test)


def test_benchmarks_prebuilt_cnn_with_fit_kwargs(keras, mnist_images):
    (x_train, y_train), (x_test, y_test) = mnist_images
    num_classes = 10
    input_shape = (28, 28, 1)

    def get_model():
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
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        return model

    fit_kwargs = {"batch_size": 128, "validation_split": 0.1, "verbose": 0, "epochs": 1}

    clf = KerasClassifier(model=get_model, random_state=0, **fit_kwargs)
    clf.fit(x_train, y_train)
    y_pred = clf.predict(x_test)

    assert 0.0 <= accuracy_score(y_test, y_pred) <= 1.0
    assert len(clf.history_["loss"]) == 1 and len(clf.history_["val_loss"]) == 1
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)  # the builder's compile is kept
    again = KerasClassifier(model=get_model, random_state=0, **fit_kwargs).fit(x_train, y_train)
    np.testing.assert_allclose(again.predict_proba(x_test), clf.predict_proba(x_test), rtol=1e-4, atol=1e-5)


def get_clf(meta):
    import keras

    n_features_in_ = meta["n_features_in_"]
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(n_features_in_,)))
    # a single hidden layer
    model.add(keras.layers.Dense(100, activation="relu"))
    model.add(keras.layers.Dense(1))
    return model


@pytest.fixture
def sparse_data():
    N_SAMPLES = 300
    rng = np.random.RandomState(0)
    X = np.arange(0, N_SAMPLES).reshape(-1, 1)
    y = rng.uniform(0, 1, size=(X.shape[0],))
    return X, y


@pytest.mark.parametrize(
    "encoder",
    [
        pytest.param(dict(sparse_output=False), id="dense"),
        pytest.param(dict(sparse_output=True), id="sparse"),
        pytest.param(dict(sparse_output=True, dtype=np.uint8), id="sparse_uint8"),
    ],
)
def test_sparse_inputs_pipeline(sparse_data, encoder):
    X, y = sparse_data
    pipeline = Pipeline(
        [
            ("encoder", OneHotEncoder(**encoder)),
            ("model", KerasRegressor(get_clf, loss="mse", epochs=1, verbose=False)),
        ]
    )

    pipeline.fit(X, y)

    assert pipeline.predict(X).shape == (len(X),)
    assert pipeline.named_steps["model"].n_features_in_ == len(X)
