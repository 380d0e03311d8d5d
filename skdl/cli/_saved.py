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


# How the files skdl writes begin: a pickle (protocol 2+), joblib's compressed
# forms (zlib, gzip, bz2, xz, lzma, lz4) and estimator.save()'s zip archive.
_MODEL_MAGIC = (b"\x80", b"\x78", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"\x5d\x00\x00", b"\x04\x22\x4d\x18",
                b"PK\x03\x04")


def _not_a_model(p: Path, why: str) -> CLIError:
    return CLIError(
        f"{p} is not a skdl model file ({why}): expected the model.joblib that 'skdl tune' or "
        "'skdl train' writes (or its run directory), or a file saved with estimator.save()."
    )


def check_model_file(p: Path) -> None:
    """Refuse a file that cannot be a saved model, before anything heavy is imported."""
    with open(p, "rb") as fh:
        head = fh.read(512)
    if not head:
        raise _not_a_model(p, "it is empty")
    if head.startswith(_MODEL_MAGIC):
        return
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_a_model(p, f"it starts with the bytes {head[:8]!r}") from None
    first = text.splitlines()[0][:60] if text.strip() else ""
    looks_csv = any(sep in first for sep in (",", ";", "\t"))
    why = "it is a text file" + (f" that looks like a CSV ({first!r}...); is it the --csv?" if looks_csv
                                 else f" starting {first!r}")
    raise _not_a_model(p, why)


def load_model(path: str):
    """The fitted Pipeline (joblib) or skdl estimator (``skdl.load`` format)."""
    p = resolve_model_path(path)
    check_model_file(p)
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
    except (ModuleNotFoundError, AttributeError) as exc:  # pickled by code this install lacks
        raise CLIError(f"cannot load the model in {p}: it needs {exc} (was it saved by another "
                       "version of skdl or its dependencies?)") from None
    except Exception as exc:  # pickle errors have many types
        raise _not_a_model(p, f"{type(exc).__name__}: {str(exc)[:200]}") from None
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
