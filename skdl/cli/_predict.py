"""``skdl predict``: a saved model's predictions for the rows of a CSV file."""

from __future__ import annotations

import sys

from skdl.cli._common import CLIError, UsageError, display_path
from skdl.cli._saved import load_model, read_rows
from skdl.utils import atomic_write_text, did_you_mean

__all__ = ["run"]


def feature_frame(model, frame, *, source: str):
    """The columns ``model`` was fitted on, in its order, from ``frame``."""
    import numpy as np

    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        names = [str(n) for n in names]
        missing = [n for n in names if n not in frame.columns]
        if missing:
            shown = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise CLIError(
                f"{source} lacks {len(missing)} column(s) the model was trained on: {shown}."
                f"{did_you_mean(missing[0], frame.columns)} Its columns: "
                f"{', '.join(repr(str(c)) for c in list(frame.columns)[:20])}."
            )
        return frame[names]
    n = getattr(model, "n_features_in_", None)
    numeric = frame.select_dtypes(include=[np.number])
    if n is not None and numeric.shape[1] != n:
        raise CLIError(
            f"the model expects {n} feature columns but {source} has {numeric.shape[1]} numeric "
            "columns (the model was trained without column names, so they are taken in order)."
        )
    return numeric.to_numpy()


def run(args) -> int:
    """Run ``skdl predict`` (see ``skdl predict --help``)."""
    import pandas as pd

    frame = read_rows(args.csv, sep=args.sep)
    unknown = [c for c in args.keep if c not in frame.columns]
    if unknown:
        raise CLIError(f"--keep column {unknown[0]!r} is not in {args.csv}."
                       f"{did_you_mean(unknown[0], frame.columns)}")
    model = load_model(args.model)
    if args.proba and not hasattr(model, "predict_proba"):
        raise UsageError(f"--proba needs a classifier; {type(model).__name__} predicts numbers.")
    X = feature_frame(model, frame, source=args.csv)
    out = frame[args.keep].copy() if args.keep else pd.DataFrame(index=frame.index)
    out["prediction"] = model.predict(X)
    if args.proba:
        proba = model.predict_proba(X)
        for i, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, i]
    text = out.to_csv(index=False)
    if args.output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(args.output, text)
        print(f"Wrote {len(out)} predictions to {display_path(args.output)}")
    return 0
