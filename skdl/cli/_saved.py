"""Reading what ``tune``/``train`` wrote: the model, its summary, raw CSV rows."""

from __future__ import annotations

import json
from pathlib import Path

from skdl.cli._common import CLIError
from skdl.cli._run import MODEL_FILE, SUMMARY_FILE

__all__ = ["load_model", "load_summary", "read_rows", "resolve_model_path"]


def resolve_model_path(path: str) -> Path:
    """A model file from a file path or a run directory."""
    p = Path(path)
    if p.is_dir():
        candidate = p / MODEL_FILE
        if not candidate.exists():
            raise CLIError(f"no {MODEL_FILE} in directory {path} (is it the --out of skdl tune/train?)")
        return candidate
    if not p.exists():
        raise CLIError(f"model file not found: {path}")
    return p


def load_model(path: str):
    """The fitted Pipeline (joblib) or skdl estimator (``skdl.load`` format)."""
    p = resolve_model_path(path)
    import zipfile

    if zipfile.is_zipfile(p):  # the one-file format of estimator.save()
        try:
            from skdl.estimators import load
        except ImportError:  # pragma: no cover - older skdl
            raise CLIError(f"{p} is a zip archive but this skdl cannot read saved estimators.") from None
        return load(p)
    import joblib

    try:
        model = joblib.load(p)
    except Exception as exc:  # pickle errors have many types
        raise CLIError(f"cannot load a model from {p}: {type(exc).__name__}: {exc}") from None
    if not hasattr(model, "predict"):
        raise CLIError(f"{p} holds a {type(model).__name__}, not a fitted model.")
    return model


def load_summary(model_path: str) -> dict | None:
    """The summary.json next to the model, or None."""
    p = Path(model_path)
    folder = p if p.is_dir() else p.parent
    summary = folder / SUMMARY_FILE
    if not summary.exists():
        return None
    try:
        return json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_rows(path: str, *, sep=None):
    """A CSV file as a DataFrame, with the separator and decimal mark detected.

    Uses the reader of :func:`skdl.datasets.load_csv` (same sniffing, same
    messages for missing, empty, binary or unparseable files).
    """
    from skdl.datasets import read_table

    frame = read_table(path, sep)
    if len(frame) == 0:
        from skdl.datasets import CSVError

        raise CSVError(f"CSV file '{path}' has a header but no data rows.")
    return frame
