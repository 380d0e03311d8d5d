"""What several commands share: errors, warnings, files, versions, printing.

Nothing heavy is imported at module level: this module is imported by
:func:`skdl.cli.main` before a command runs.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

from skdl.utils import atomic_write_text

__all__ = [
    "CLIError",
    "UsageError",
    "describe_error",
    "install_warning_display",
    "keras_backend",
    "print_table",
    "versions",
]


class CLIError(Exception):
    """A problem the user can fix; its message is printed as one line (exit status 1)."""


class UsageError(CLIError):
    """A bad command line that argparse cannot see: an unknown name given to a flag,
    a flag without the one it needs, two flags that exclude each other (exit status 2,
    like argparse's own errors)."""


# Errors whose message already says what is wrong: printed as is. Anything
# else is unexpected and gets its type name and the --traceback hint.
def describe_error(exc: BaseException) -> str:
    """One line (or a short message) saying what went wrong."""
    from skdl.exceptions import SkdlError

    message = str(exc).strip()
    # pandas ends some parser messages with a newline before the final period.
    message = re.sub(r"\s*\n\s*(?=[.,;:])", "", message)
    # API hints, said the way the command line spells them.
    message = message.replace("pass sep=", "pass --sep ")
    if isinstance(exc, FileNotFoundError) and not message:
        message = f"file not found: {exc.filename}"
    if isinstance(exc, (CLIError, SkdlError, ValueError, OSError)) and message:
        return message
    if isinstance(exc, KeyError):
        message = f"missing key {message}"
    return (
        f"{type(exc).__name__}: {message or 'no message'} "
        "(unexpected; run 'skdl --traceback ...' to see where it happened)"
    )


def _first_line(message: Any) -> str:
    text = str(message).strip()
    return text.splitlines()[0] if text else text


def install_warning_display() -> None:
    """Show warnings as ``skdl: warning: <first line>``, not Python's two-line form, each once.

    Must be called inside ``warnings.catch_warnings()`` (``main`` does), so
    the filters and the display are restored afterwards.
    """
    shown = set()

    def show(message, category, filename, lineno, file=None, line=None):
        # Every fold of every trial that uses all its epochs warns; the summary
        # and the report's history section say the same once. (Matched by
        # name, so that scikit-learn is not imported before the arguments are
        # checked.)
        if any(c.__name__ == "ConvergenceWarning" for c in getattr(category, "__mro__", ())):
            return
        # Once per command: Python's own "once per location" registry is reset
        # whenever a library enters warnings.catch_warnings() (sklearn and
        # Keras do, e.g. between predict and predict_proba).
        text = f"skdl: warning: {_first_line(message)}"
        if text not in shown:
            shown.add(text)
            print(text, file=sys.stderr, flush=True)

    warnings.showwarning = show
    warnings.simplefilter("default")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*ExperimentalWarning.*")
    warnings.filterwarnings("ignore", module="optuna.*")


def write_json(path: str | os.PathLike, data: dict) -> Path:
    """Write ``data`` as indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from numpy scalars, tuples, paths and the like."""
    import math

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalar
        return to_jsonable(value.item())
    if hasattr(value, "tolist"):
        return to_jsonable(value.tolist())
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


def keras_backend() -> str:
    """The backend Keras runs on (imports Keras)."""
    from skdl.training.runtime import backend_name

    return backend_name()


def op_threads(backend: str) -> int | None:
    """TensorFlow's intra-op threads in this process (None: its default, one per core, or JAX)."""
    if backend != "tensorflow":
        return None
    import tensorflow as tf

    return tf.config.threading.get_intra_op_parallelism_threads() or None


def versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    import platform
    from importlib import metadata

    import skdl

    out = {"python": platform.python_version(), "skdl": skdl.__version__}
    for dist in ("keras", "tensorflow", "jax", "scikit-learn", "optuna", "numpy", "pandas"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def print_table(rows: list[tuple[str, str]], *, file=None) -> None:
    """Print ``label  value`` rows with the labels aligned."""
    file = file or sys.stdout
    width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}", file=file)
    file.flush()


def fmt(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; anything else as str."""
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) >= 1e4 or (value and abs(value) < 1e-3) else f"{value:.{digits}f}"
    return str(value)


def fmt_param(value: Any) -> str:
    """A hyperparameter value as echoed to the user: floats with 4 significant digits.

    >>> fmt_param(0.0007761234), fmt_param([64, 32]), fmt_param("adam")
    ('0.0007761', '[64, 32]', 'adam')
    """
    if isinstance(value, bool) or not isinstance(value, (float, list, tuple)):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    inner = ", ".join(fmt_param(v) for v in value)
    return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else (
        f"({inner})" if isinstance(value, tuple) else f"[{inner}]")


def display_path(path: str | os.PathLike) -> str:
    """``path`` relative to the working directory when it is inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
