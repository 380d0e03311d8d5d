"""The parts of ``tune`` and ``train`` that are the same: data, model, outputs."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skdl.cli._common import (
    CLIError,
    UsageError,
    display_path,
    fmt,
    keras_backend,
    op_threads,
    versions,
    write_json,
)
from skdl.cli._data import Data, check_cv, load_data, make_pipeline, split
from skdl.cli._models import (
    STEP,
    EpochProgress,
    make_estimator,
    parse_set_params,
    route,
)
from skdl.utils import atomic_write_bytes, atomic_write_text, did_you_mean

MODEL_FILE = "model.joblib"
REPORT_FILE = "report.html"
REPORT_JSON_FILE = "report.json"
SUMMARY_FILE = "summary.json"
TRIALS_FILE = "trials.csv"


@dataclass
class Run:
    """Everything a tune or train run has decided before fitting."""

    args: Any
    data: Data
    pipeline: Any
    kind: str
    fixed: dict
    X_train: Any
    X_test: Any
    y_train: Any
    y_test: Any
    scoring: str
    out: Path
    backend: str
    started: float = field(default_factory=time.time)
    epoch_bar: EpochProgress | None = None


def default_scoring(task: str) -> str:
    return "accuracy" if task == "classification" else "r2"


def check_scoring_name(name: str | None, task: str) -> str:
    """A valid scikit-learn scorer name for the task, or a CLIError."""
    if name is None:
        return default_scoring(task)
    from skdl.cli._scorers import scorer_names

    names = scorer_names()
    if name not in names:
        raise UsageError(
            f"unknown --scoring {name!r}.{did_you_mean(name, names)} Common choices: accuracy, "
            "balanced_accuracy, f1_macro, roc_auc_ovr, neg_log_loss (classification); r2, "
            "neg_mean_absolute_error, neg_root_mean_squared_error (regression)."
        )
    return name


def prepare(args, *, default_epochs: int, extra_params: dict | None = None) -> Run:
    """Load and split the data, build the Pipeline, apply fixed hyperparameters."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {args.out} exists and is not a directory.")
    given_scoring = getattr(args, "scoring", None)
    if given_scoring is not None:
        check_scoring_name(given_scoring, "")  # a typo is reported before the data is read
    data = load_data(args)
    scoring = check_scoring_name(given_scoring, data.task)
    say_data(data)
    X_train, X_test, y_train, y_test = split(data, test_size=args.test_size, seed=args.seed)
    cv = getattr(args, "cv", None)
    if cv:
        check_cv(y_train, data.task, cv)
    epochs = args.epochs or default_epochs
    estimator, kind = make_estimator(
        args.model, data, input_shape=args.input_shape, epochs=epochs,
        patience=args.patience, seed=args.seed,
    )
    pipeline = make_pipeline(data, estimator)
    params = dict(extra_params or {})
    params.update(parse_set_params(args.set_params))
    fixed = route(params, pipeline)
    if fixed:
        pipeline.set_params(**fixed)
    backend = keras_backend()
    return Run(args=args, data=data, pipeline=pipeline, kind=kind, fixed=fixed,
               X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
               scoring=scoring, out=out, backend=backend)


def say_data(data: Data) -> None:
    """One line about the data and, when inferred, why this task."""
    n, p = data.X.shape[0], data.X.shape[1]
    what = f"{data.n_classes} classes" if data.task == "classification" else "numeric target"
    print(f"Data: {data.name}, {n} rows x {p} columns, {data.task} ({what})", flush=True)
    if data.task_inferred:
        print(f"Task: {data.task}, inferred from the target: {data.task_reason} "
              "(use --task to choose)", flush=True)
    for note in data.notes:
        print(f"Note: {note}", flush=True)


def attach_epoch_bar(run: Run, desc: str, *, on_pipeline: bool = True) -> None:
    """With ``-v``, a progress bar over the epochs of every fit.

    ``on_pipeline=False`` only makes the bar (``run.epoch_bar``), for a caller
    that passes it as a fit-time callback (the search's refit).
    """
    if run.args.verbose >= 1 and not run.args.quiet:
        epochs = run.pipeline.get_params()[f"{STEP}__epochs"]
        run.epoch_bar = EpochProgress(epochs, desc=desc)
        if on_pipeline:
            run.pipeline.set_params(**{f"{STEP}__callbacks": [run.epoch_bar]})


def detach_epoch_bar(run: Run, fitted=None) -> None:
    """Close the bar and remove it from the (fitted) pipeline before saving."""
    if run.epoch_bar is not None:
        run.epoch_bar.close()
    for pipe in (run.pipeline, fitted):
        if pipe is not None and run.epoch_bar is not None:
            pipe.set_params(**{f"{STEP}__callbacks": None})


# -------------------------------------------------------------- evaluation
def test_scores(pipeline, run: Run) -> dict[str, float]:
    """The scoring metric plus the usual metrics of the task on the test split."""
    import numpy as np
    from sklearn import metrics
    from sklearn.metrics import get_scorer

    X, y = run.X_test, run.y_test
    scores = {run.scoring: float(get_scorer(run.scoring)(pipeline, X, y))}
    pred = pipeline.predict(X)
    if run.data.task == "classification":
        scores.setdefault("accuracy", float(metrics.accuracy_score(y, pred)))
        scores.setdefault("balanced_accuracy", float(metrics.balanced_accuracy_score(y, pred)))
        scores.setdefault("f1_macro", float(metrics.f1_score(y, pred, average="macro")))
    else:
        y_arr, p_arr = np.asarray(y, dtype=float), np.asarray(pred, dtype=float)
        scores.setdefault("r2", float(metrics.r2_score(y_arr, p_arr)))
        scores.setdefault("mae", float(metrics.mean_absolute_error(y_arr, p_arr)))
        scores.setdefault("rmse", float(np.sqrt(metrics.mean_squared_error(y_arr, p_arr))))
    return scores


def target_names_for(data: Data, pipeline) -> list | None:
    """Display names of the classes, when the dataset has them for integer labels."""
    names = data.target_names
    classes = getattr(pipeline, "classes_", None)
    if not names or classes is None or data.task != "classification":
        return None
    try:
        return [names[int(c)] for c in classes]
    except (ValueError, IndexError, TypeError):
        return None


def write_report_files(report, html_path: str | os.PathLike) -> tuple[Path, Path]:
    """``report.html`` and its JSON twin (the same numbers, ``Report.to_json()``) next to it."""
    html_path = Path(html_path)
    json_path = html_path.with_suffix(".json")
    atomic_write_text(json_path, report.to_json() + "\n")
    return atomic_write_text(html_path, report.to_html()), json_path


def write_report(pipeline, run: Run, *, title: str, search=None, cv_results=None) -> Path:
    """The HTML report of the fitted pipeline on the test split and its JSON twin, atomically.

    Returns the HTML path; the JSON file is ``report.json`` beside it.
    """
    from skdl.reporting import make_report

    report = make_report(
        pipeline, run.X_test, run.y_test, search=search, cv_results=cv_results, path=None,
        title=title, target_names=target_names_for(run.data, pipeline),
    )
    html, _ = write_report_files(report, run.out / REPORT_FILE)
    return html


def save_model(pipeline, out: Path) -> Path:
    """The fitted Pipeline with joblib, atomically (``joblib.load`` reads it back)."""
    import io

    import joblib

    buf = io.BytesIO()
    joblib.dump(pipeline, buf)
    return atomic_write_bytes(out / MODEL_FILE, buf.getvalue())


def base_summary(run: Run, command: str) -> dict:
    """The part of summary.json every command writes."""
    data = run.data
    n_train, n_test = len(run.y_train), len(run.y_test)
    final = run.pipeline.named_steps[STEP]
    return {
        "command": f"skdl {command}",
        "argv": list(run.args.argv),
        "status": "running",
        "data": {
            **data.source,
            "name": data.name,
            "task": data.task,
            "task_inferred": data.task_inferred,
            "task_reason": data.task_reason,
            "n_samples": int(data.X.shape[0]),
            "n_features": int(data.X.shape[1]),
            "n_classes": data.n_classes,
            "image_shape": list(data.image_shape) if data.image_shape else None,
            "n_train": n_train,
            "n_test": n_test,
            "test_size": run.args.test_size,
        },
        "model": {
            "name": run.args.model,
            "estimator": type(final).__name__,
            "pipeline": [name for name, _ in run.pipeline.steps],
            "epochs": run.pipeline.get_params()[f"{STEP}__epochs"],
            "patience": run.args.patience,
            "fixed_params": {k[len(STEP) + 2:]: v for k, v in run.fixed.items()},
        },
        "scoring": run.scoring,
        "seed": run.args.seed,
        "backend": run.backend,
        "op_threads": op_threads(run.backend),
        "versions": versions(),
        "files": {},
    }


def finish_summary(summary: dict, run: Run, files: dict) -> None:
    if "report" in files:  # written with it by write_report
        files = {**files, "report_json": Path(files["report"]).with_suffix(".json")}
    summary["files"] = {k: os.path.basename(v) for k, v in files.items()}
    summary["elapsed_seconds"] = round(time.time() - run.started, 1)
    write_json(run.out / SUMMARY_FILE, summary)


def print_outputs(run: Run, files: dict[str, Path]) -> None:
    paths = list(files.values())
    if "report" in files:
        paths.insert(paths.index(files["report"]) + 1, Path(files["report"]).with_suffix(".json"))
    names = ", ".join(os.path.basename(p) for p in paths)
    print(f"Wrote {names} to {display_path(run.out)}/", flush=True)
    if "report" in files:
        print(f"Open the report: {display_path(files['report'])}", flush=True)


def print_scores(rows: list, scores: dict[str, float], n_test: int, main: str) -> None:
    rows.append((f"test {main}", f"{fmt(scores[main])}  ({n_test} held-out rows)"))
    others = [f"{k} {fmt(v)}" for k, v in scores.items() if k != main]
    if others:
        rows.append(("other test scores", ", ".join(others)))
