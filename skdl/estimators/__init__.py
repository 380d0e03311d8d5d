"""scikit-learn estimators around Keras networks."""

from skdl.estimators._keras import KerasClassifier, KerasRegressor
from skdl.estimators._mlp import MLPClassifier, MLPRegressor

__all__ = ["KerasClassifier", "KerasRegressor", "MLPClassifier", "MLPRegressor"]
