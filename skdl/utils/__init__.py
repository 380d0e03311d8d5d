"""Small utilities shared by every layer of skdl (no Keras, no Optuna)."""

from skdl.utils._files import atomic_path, atomic_write_bytes, atomic_write_text
from skdl.utils._imports import import_optional
from skdl.utils._metrics import greater_is_better, metric_direction
from skdl.utils._text import close_matches, did_you_mean

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "close_matches",
    "did_you_mean",
    "greater_is_better",
    "import_optional",
    "metric_direction",
]
