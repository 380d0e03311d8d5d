"""Small utilities shared by every layer of skdl (no Keras, no Optuna)."""

from skdl.utils._imports import import_optional

__all__ = ["import_optional"]
