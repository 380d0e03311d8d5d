"""Guards for optional and heavy imports.

``import skdl`` must stay cheap: TensorFlow, matplotlib and Optuna are imported
only where they are used, through :func:`import_optional` so that a missing
package gives one message saying what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

_INSTALL_HINTS = {
    "optuna": "pip install optuna",
    "matplotlib": "pip install matplotlib",
    "pandas": "pip install pandas",
    "keras": "pip install tensorflow  (or: pip install keras jax[cpu])",
    "jax": "pip install 'skdl[jax]'",
    "scikeras": "pip install 'skdl[scikeras]'",
    "psycopg": "pip install 'skdl[postgres]'",
    "yaml": "pip install pyyaml",
    "tqdm": "pip install tqdm",
}


def import_optional(name: str, *, purpose: str | None = None) -> ModuleType:
    """Import module ``name`` or raise an ImportError that says what to install.

    Parameters
    ----------
    name : str
        Dotted module name, e.g. ``"optuna"`` or ``"matplotlib.pyplot"``.
    purpose : str, default=None
        What the module is needed for, used in the error message.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        root = name.split(".")[0]
        hint = _INSTALL_HINTS.get(root, f"pip install {root}")
        why = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"skdl needs the package {root!r}{why}, but it could not be imported "
            f"({exc}). Install it with: {hint}"
        ) from exc
