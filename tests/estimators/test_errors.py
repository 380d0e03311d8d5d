"""Bad input gets an sklearn-style error naming the problem — never a Keras traceback."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skdl import MLPClassifier, MLPRegressor

FAST = dict(hidden_layer_sizes=(4,), epochs=1, random_state=0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"optimizer": "adamm"}, r"'optimizer' parameter of MLPClassifier must be .*'adam'.*Got 'adamm'"),
        ({"activation": "rellu"}, r"'activation' parameter .* Got 'rellu'"),
        ({"dropout": 1.0}, r"'dropout' parameter .*Got 1.0"),
        ({"dropout": -0.1}, r"'dropout' parameter"),
        ({"epochs": 0}, r"'epochs' parameter .* Got 0"),
        ({"batch_size": 0}, r"'batch_size' parameter .* Got 0"),
        ({"learning_rate": -1.0}, r"'learning_rate' parameter"),
        ({"dropout": (0.1, 1.5)}, r"'dropout' parameter"),
    ],
)
def test_invalid_parameters(iris, params, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**{**FAST, **params}).fit(X, y)


def test_unknown_loss_and_optimizer_option(iris):
    X, y = iris
    with pytest.raises(ValueError, match="loss"):
        MLPRegressor(loss="msee", **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown option 'momentun'.*Did you mean 'optimizer__momentum'"):
        MLPClassifier(optimizer="sgd", optimizer__momentun=0.9, **FAST).fit(X, y)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"metrics": [3]}, TypeError, r"'metrics' parameter of MLPClassifier must be a Keras metric name.*Got 3 \(int\) in metrics\[0\]"),
        ({"loss": [3]}, TypeError, r"'loss' parameter of MLPClassifier must be a Keras loss name.*Got 3 \(int\) in loss\[0\]"),
        ({"metrics": ["binary_accuracy"], "metrics__3__threshold": 0.4}, ValueError,
         r"'metrics__3__threshold' of MLPClassifier names the item '3' of metrics, whose items are \['0'\]"),
        ({"metrics": ["accuracy"], "metrics__0__threshold": 0.4}, ValueError,
         r"metrics\[0\]='accuracy': Keras picks the metric .* give a class"),
        ({"metrics": ["binary_accuracy"], "metrics__0__thresh": 0.4}, ValueError,
         r"'metrics__0__thresh' .* not taken by BinaryAccuracy .*Did you mean 'threshold'"),
        ({"loss": "binary_crossentropy", "loss__smoothing": 0.1}, ValueError,
         r"'loss__smoothing' .* not taken by BinaryCrossentropy .*Did you mean 'label_smoothing'"),
    ],
)
def test_bad_loss_and_metric_forms_and_options(binary_data, params, error, match):
    X, y = binary_data
    with pytest.raises(error, match=match):
        MLPClassifier(**{**FAST, **params}).fit(X, y)


def test_metric_instance_with_options_is_an_error(binary_data):
    import keras

    X, y = binary_data
    with pytest.raises(ValueError, match=r"routed to metrics\[0\]=.*which is not a class; pass its class"):
        MLPClassifier(metrics=[keras.metrics.BinaryAccuracy()], metrics__0__threshold=0.4, **FAST).fit(X, y)


def test_unknown_routed_prefix_has_a_hint(iris):
    X, y = iris
    with pytest.raises(ValueError, match="optimiser__momentum.*prefixes"):
        MLPClassifier(optimiser__momentum=0.9, **FAST).fit(X, y)


def test_nan_and_inf(iris):
    X, y = iris
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier(**FAST).fit(Xn, y)
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        MLPClassifier(**FAST).fit(Xi, y)
    yn = np.arange(len(X), dtype=float)
    yn[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor(**FAST).fit(X, yn)


def test_wrong_number_of_features_at_predict(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        clf.predict(X[:, :3])


def test_empty_single_class_mismatched_and_3d(iris):
    X, y = iris
    with pytest.raises(ValueError, match="0 sample"):
        MLPClassifier(**FAST).fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="one class"):
        MLPClassifier(**FAST).fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPClassifier(**FAST).fit(X, y[:-1])
    with pytest.raises(ValueError, match="expects 2-D X.*CNNClassifier"):
        MLPClassifier(**FAST).fit(X.reshape(len(X), 2, 2), y)


def test_continuous_target_to_classifier(iris):
    X, _ = iris
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier(**FAST).fit(X, np.linspace(0, 1, len(X)))


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(np.zeros((2, 3)))


def test_forced_loss_output_mismatch(iris, binary_data):
    X, y = iris
    with pytest.raises(ValueError, match="binary_crossentropy"):
        MLPClassifier(loss="binary_crossentropy", **FAST).fit(X, y)
    Xb, yb = binary_data
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        MLPClassifier(loss="categorical_crossentropy", **FAST).fit(Xb, yb)


def test_diverging_fit_raises_a_clear_error(regression_data):
    from skdl.exceptions import TrainingDivergedError

    X, y = regression_data
    with pytest.raises(TrainingDivergedError, match="diverged.*learning rate"):
        MLPRegressor(hidden_layer_sizes=(8,), learning_rate=1e8, optimizer="sgd", epochs=5,
                     patience=None, scale_target=False, random_state=0).fit(X * 1e10, y * 1e10)
