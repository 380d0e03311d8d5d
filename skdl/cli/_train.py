"""``skdl train``: fit fixed hyperparameters, evaluate, write the outputs."""

from __future__ import annotations

import time

from skdl.cli._common import fmt, fmt_param, print_table
from skdl.cli._models import STEP, read_params_file, strip_prefix
from skdl.cli._run import (
    SUMMARY_FILE,
    attach_epoch_bar,
    base_summary,
    detach_epoch_bar,
    finish_summary,
    prepare,
    print_outputs,
    print_scores,
    save_model,
    test_scores,
    write_report,
)

__all__ = ["run"]

DEFAULT_EPOCHS = "auto"  # the MLP estimators' own


def run(args) -> int:
    """Run ``skdl train`` (see ``skdl train --help``)."""
    params = read_params_file(args.params) if args.params else {}
    run_ = prepare(args, default_epochs=DEFAULT_EPOCHS, extra_params=params)
    out = run_.out
    final = run_.pipeline.named_steps[STEP]
    print(f"Model: {type(final).__name__} ({args.model}) on Keras backend {run_.backend}"
          + (f"; {', '.join(f'{k}={fmt_param(v)}' for k, v in strip_prefix(run_.fixed).items())}"
             if run_.fixed else ", default hyperparameters"), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    summary = base_summary(run_, "train")

    cv_scores = None
    if args.cv:
        from sklearn.base import clone
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

        splitter = (StratifiedKFold if run_.data.task == "classification" else KFold)(
            n_splits=args.cv, shuffle=True, random_state=args.seed)
        print(f"Cross-validating ({args.cv} folds, {run_.scoring})...", flush=True)
        cv_scores = cross_val_score(clone(run_.pipeline), run_.X_train, run_.y_train,
                                    cv=splitter, scoring=run_.scoring, error_score="raise")
        summary.update(cv=args.cv, cv_score=float(cv_scores.mean()),
                       cv_score_std=float(cv_scores.std()), cv_scores=cv_scores.tolist())

    print(f"Training on {len(run_.y_train)} rows...", flush=True)
    attach_epoch_bar(run_, desc="epochs")
    t0 = time.time()
    try:
        run_.pipeline.fit(run_.X_train, run_.y_train)
    finally:
        detach_epoch_bar(run_)
    fit_seconds = time.time() - t0
    model = run_.pipeline
    scores = test_scores(model, run_)
    files = {"model": save_model(model, out)}
    files["report"] = write_report(
        model, run_, title=f"skdl train: {run_.data.name}, {type(final).__name__}",
        cv_results=None,
    )
    est = model.named_steps[STEP]
    summary.update(
        status="finished",
        best_params=strip_prefix(run_.fixed),
        test_scores=scores,
        epochs_trained=int(getattr(est, "n_iter_", 0)),
        fit_seconds=round(fit_seconds, 1),
    )
    files["summary"] = out / SUMMARY_FILE
    finish_summary(summary, run_, files)

    rows = [
        ("data", f"{run_.data.name}: {run_.data.task}, {len(run_.y_train)} train / "
                 f"{len(run_.y_test)} test rows"),
        ("model", f"{type(final).__name__}, Keras backend {run_.backend}"),
        ("training", f"{getattr(est, 'n_iter_', '?')} epochs in {fit_seconds:.1f}s"),
    ]
    if cv_scores is not None:
        rows.append((f"CV {run_.scoring}", f"{fmt(float(cv_scores.mean()))} ± "
                                           f"{fmt(float(cv_scores.std()), 2)} ({args.cv} folds)"))
    print_scores(rows, scores, len(run_.y_test), run_.scoring)
    print("\nskdl train: done", flush=True)
    print_table(rows)
    print_outputs(run_, files)
    return 0
