"""skdl: Keras networks as scikit-learn estimators.

``import skdl`` is cheap: it does not import Keras, TensorFlow, JAX, Optuna or
matplotlib. The estimators are loaded on first attribute access, and the
Keras backend is imported the first time an estimator is fitted.

Examples
--------
>>> import skdl
>>> skdl.__version__  # doctest: +SKIP
'0.1.0'
"""

import importlib

__version__ = "0.2.0"

# public name -> module that defines it; resolved lazily by __getattr__ below.
_LAZY = {
    "BaseWrapper": "skdl.estimators",
    "KerasClassifier": "skdl.estimators",
    "KerasRegressor": "skdl.estimators",
    "MLPClassifier": "skdl.estimators",
    "MLPRegressor": "skdl.estimators",
    "CNNClassifier": "skdl.estimators",
    "CNNRegressor": "skdl.estimators",
    "load": "skdl.estimators",
    "register_architecture": "skdl.architectures",
    "get_architecture": "skdl.architectures",
    "list_architectures": "skdl.architectures",
}
_SUBMODULES = {
    "architectures",
    "cli",
    "datasets",
    "estimators",
    "exceptions",
    "reporting",
    "training",
    "tuning",
    "utils",
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"skdl.{name}")
    raise AttributeError(f"module 'skdl' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
