"""scikit-learn estimators around Keras networks."""

from skdl.estimators._cnn import CNNClassifier, CNNRegressor
from skdl.estimators._keras import BaseWrapper, KerasClassifier, KerasRegressor
from skdl.estimators._mlp import MLPClassifier, MLPRegressor
from skdl.estimators._persistence import load

__all__ = [
    "BaseWrapper",
    "CNNClassifier",
    "CNNRegressor",
    "KerasClassifier",
    "KerasRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "load",
]
