"""``skdl tune``: search, refit the best pipeline, evaluate, write the outputs."""

from __future__ import annotations

import math
import os
import shlex
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from skdl.cli import EXIT_INTERRUPTED
from skdl.cli._common import CLIError, display_path, fmt, fmt_param, print_table
from skdl.cli._data import describe_source
from skdl.cli._models import STEP, search_space, strip_prefix
from skdl.cli._run import (
    SUMMARY_FILE,
    TRIALS_FILE,
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

DEFAULT_EPOCHS = "auto"  # the MLP estimators' own: trial 0 is the untuned network
FINGERPRINT = "skdl_cli"
# Median pruning on the first fold's per-epoch score: the first trials always
# finish, and no trial is judged on its first epochs or on a handful of rows
# (on small data a slow starter looked bad and was cut; issue 13).
PRUNER_STARTUP_TRIALS = 5
PRUNER_WARMUP_EPOCHS = 10
PRUNER_MIN_ROWS = 50
# Early stopping, when searched, holds out enough rows of a fold's training part
# for a meaningful validation score (the estimators need 30).
MIN_VALIDATION_ROWS = 30  # skdl.estimators._data.MIN_VALIDATION_ROWS (a test keeps them equal)


def validation_fraction(n_fit: int) -> float:
    """The smallest fraction >= 0.1 that holds out 30 rows of ``n_fit``, at most 0.25."""
    return min(0.25, max(0.1, math.ceil(100 * MIN_VALIDATION_ROWS / max(n_fit, 1)) / 100))


def default_storage(out: Path) -> str:
    """The embedded default: a SQLite file inside ``--out``."""
    return "sqlite:///" + str((out / "study.db").resolve())


def fingerprint(run, cv: int) -> dict:
    """What must not change when a study is resumed (else trials are not comparable)."""
    return {
        "data": describe_source(run.data.source),
        "task": run.data.task,
        "model": run.args.model,
        "cv": cv,
        "scoring": run.scoring,
        "test_size": run.args.test_size,
        "seed": run.args.seed,
        "epochs": run.pipeline.get_params()[f"{STEP}__epochs"],
        "fixed": sorted(f"{k}={v!r}" for k, v in strip_prefix(run.fixed).items()),
    }


def _flags(key: str) -> str:
    return {"data": "the data", "fixed": "--set", "test_size": "--test-size"}.get(key, f"--{key}")


def open_cli_study(storage_url: str, name: str, mark: dict):
    """:func:`skdl.tuning.open_study` with the CLI's fingerprint, its errors as one-line CLIErrors."""
    from skdl.tuning import StudyMismatchError, get_storage, open_study

    try:
        return open_study(get_storage(storage_url), name, fingerprint=mark, fingerprint_key=FINGERPRINT)
    except StudyMismatchError as exc:
        said = "; ".join(f"{_flags(k)} was {old!r}, now {new!r}" for k, (old, new) in exc.differences.items())
        raise CLIError(
            f"study {name!r} in {storage_url} was started with other settings ({said}); "
            "its trials would not be comparable. Use a new --out or --study, or the "
            "original settings."
        ) from None
    except ValueError as exc:
        raise CLIError(f"--storage {storage_url}: {exc}") from None
    except Exception as exc:  # sqlalchemy errors: bad URL, unreachable server, locked file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot open the study storage {storage_url}: {first}") from None


def write_trials(study, out: Path) -> Path:
    """Every trial of the study as CSV (see skdl/cli/_trials.py), atomically."""
    from skdl.cli._trials import trials_frame
    from skdl.utils import atomic_write_text

    return atomic_write_text(out / TRIALS_FILE, trials_frame(study).to_csv(index=False))


@contextmanager
def _quiet_workers(n_workers: int):
    """Worker processes start fresh interpreters: give them the same warning filters."""
    if n_workers <= 1:
        yield
        return
    old = os.environ.get("PYTHONWARNINGS")
    # -W filters can only name built-in categories before anything is imported;
    # sklearn's ConvergenceWarning is a UserWarning.
    quiet = "ignore::DeprecationWarning,ignore::FutureWarning,ignore::UserWarning"
    os.environ["PYTHONWARNINGS"] = quiet if not old else f"{old},{quiet}"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = old


def _resume_command(args) -> str:
    return "skdl " + shlex.join(args.argv)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _short_params(params: dict) -> str:
    parts = []
    for k, v in strip_prefix(params).items():
        parts.append(f"{k}={fmt_param(v)}")
    return ", ".join(parts)


def run(args) -> int:
    """Run ``skdl tune`` (see ``skdl tune --help``)."""
    run_ = prepare(args, default_epochs=DEFAULT_EPOCHS)  # checks everything before Optuna and Keras
    import numpy as np
    import optuna
    from sklearn.model_selection import KFold, StratifiedKFold

    from skdl.exceptions import TrainingInterruptedWarning
    from skdl.tuning import OptunaSearchCV, TrialEnsemble, trial_counts
    from skdl.tuning._results import best_index, refit_indices

    # Optuna announces every study it creates or loads; the CLI says it once, its way.
    optuna.logging.set_verbosity(optuna.logging.INFO if args.verbose >= 2 else optuna.logging.WARNING)
    out = run_.out
    storage_url = args.storage or default_storage(out)
    n_fit = len(run_.y_train) * (args.cv - 1) // args.cv  # rows a trial's fold trains on
    # fold 0's test part is what the pruner sees: too few rows make it a coin toss
    prune = len(run_.y_train) // args.cv >= PRUNER_MIN_ROWS
    vf_key = f"{STEP}__validation_fraction"
    if vf_key in run_.pipeline.get_params() and vf_key not in run_.fixed:
        run_.pipeline.set_params(**{vf_key: validation_fraction(n_fit)})
    space = search_space(run_.pipeline, run_.kind, run_.fixed, n_samples=n_fit)
    if not space:
        raise CLIError("nothing to search: --set fixes every hyperparameter of the search space; "
                       "use 'skdl train' instead.")
    out.mkdir(parents=True, exist_ok=True)
    study = open_cli_study(storage_url, args.study, fingerprint(run_, args.cv))
    before = trial_counts(study)
    n_counted, n_all = before["counted"], before["total"]
    final = run_.pipeline.named_steps[STEP]
    print(f"Model: {type(final).__name__} ({args.model}) on Keras backend {run_.backend}; "
          f"searching {', '.join(strip_prefix(space))}", flush=True)
    where = display_path(out / "study.db") if not args.storage else storage_url
    if n_counted >= args.trials:
        print(f"Study {args.study!r} in {where} already has {n_counted} trials (--trials "
              f"{args.trials}): no new trials; refitting its best.", flush=True)
    elif n_counted or n_all:
        print(f"Resuming study {args.study!r} in {where}: {n_counted} trials done, running up "
              f"to {args.trials}.", flush=True)
    else:
        print(f"Study {args.study!r} in {where}: {args.trials} trials, {args.cv}-fold CV, "
              f"{run_.scoring}" + (f", timeout {args.timeout:g}s" if args.timeout else "")
              + (f", {args.workers} workers" if args.workers > 1 else "")
              + ("" if prune else f", no pruning ({len(run_.y_train) // args.cv} rows per fold, "
                 f"fewer than {PRUNER_MIN_ROWS})"), flush=True)

    splitter = (StratifiedKFold if run_.data.task == "classification" else KFold)(
        n_splits=args.cv, shuffle=True, random_state=args.seed)
    if args.workers == 1:
        attach_epoch_bar(run_, desc="trial epochs")
    verbose = 0 if args.quiet else (2 if args.verbose >= 2 else 1)
    heartbeat = args.heartbeat
    if heartbeat is None and str(storage_url).startswith(("postgresql", "mysql")):
        heartbeat = 60  # servers shared across machines: lost workers must free their trials
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP_TRIALS,
                                          n_warmup_steps=PRUNER_WARMUP_EPOCHS)
              if prune else optuna.pruners.NopPruner())
    search = OptunaSearchCV(
        run_.pipeline, space, n_trials=args.trials, timeout=args.timeout, cv=splitter,
        scoring=run_.scoring, refit=False, pruner=pruner, refit_ensemble=args.ensemble,
        refit_length=args.refit_length, defaults_margin=args.defaults_margin,
        storage=storage_url, study_name=args.study, load_if_exists=True,
        n_jobs=args.workers, random_state=args.seed + n_all, verbose=verbose,
        error_score=np.nan, heartbeat_interval=heartbeat,
        grace_period=3 * heartbeat if heartbeat else None,
    )
    summary = base_summary(run_, "tune")
    summary["search"] = {
        "storage": storage_url, "study": args.study, "trials_requested": args.trials,
        "timeout": args.timeout, "cv": args.cv, "workers": args.workers,
        "heartbeat": heartbeat,
        "space": sorted(strip_prefix(space)),
        "pruner": (f"MedianPruner(n_startup_trials={PRUNER_STARTUP_TRIALS}, "
                   f"n_warmup_steps={PRUNER_WARMUP_EPOCHS})" if prune else
                   f"none (fewer than {PRUNER_MIN_ROWS} rows per fold)"),
    }
    t0 = time.time()
    interrupted = False
    with warnings.catch_warnings(), _quiet_workers(args.workers):
        warnings.filterwarnings("ignore", category=TrainingInterruptedWarning)
        try:
            search.fit(run_.X_train, run_.y_train)
            interrupted = bool(search.interrupted_)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            detach_epoch_bar(run_)
    search_seconds = time.time() - t0
    counts = trial_counts(study)
    summary["search"].update(counts=counts, seconds=round(search_seconds, 1))
    files = {"trials": write_trials(study, out)}
    if interrupted:
        summary["status"] = "interrupted"
        finish_summary(summary, run_, {**files, "summary": out / SUMMARY_FILE})
        print(f"\nInterrupted: {counts['counted']} finished trials are saved in study "
              f"{args.study!r} ({where}); trials.csv and summary.json written to "
              f"{display_path(out)}/.\nResume with the same command:\n  {_resume_command(args)}",
              flush=True)
        return EXIT_INTERRUPTED

    best_params = search.best_params_
    best_trial = search.best_trial_
    refit_trials = [int(search.cv_results_["trial_number"][i])
                    for i in refit_indices(search.cv_results_, search.refit_metric_, args.ensemble,
                                          search.best_index_)]
    top = best_index(search.cv_results_, search.refit_metric_)
    kept = len(refit_trials) == 1 and top != search.best_index_  # defaults_margin kept trial 0
    kept_note = ""
    if kept:
        gap = (search.cv_results_[f"mean_test_{search.refit_metric_}"][top] - search.best_score_)
        kept_note = (f"trial {int(search.cv_results_['trial_number'][top])} scored {fmt(gap)} "
                     f"higher, within {args.defaults_margin:g} standard "
                     f"error{'' if args.defaults_margin == 1 else 's'}")
    which = (f"trial {best_trial.number}, the defaults ({kept_note})," if kept else
             f"the best trial ({best_trial.number})" if len(refit_trials) == 1 else
             f"the {len(refit_trials)} best trials ({', '.join(map(str, refit_trials))}), "
             "to average their predictions,")
    print(f"Refitting {which} on {len(run_.y_train)} training rows...", flush=True)
    attach_epoch_bar(run_, desc="refit epochs", on_pipeline=False)
    try:
        search.refit_best(run_.X_train, run_.y_train,
                          callbacks=[run_.epoch_bar] if run_.epoch_bar is not None else None)
    finally:
        detach_epoch_bar(run_)
    best = search.best_estimator_
    members = (list(best.estimators_) if isinstance(best, TrialEnsemble) else [best])
    scores = test_scores(best, run_)
    files["model"] = save_model(best, out)
    files["report"] = write_report(
        best, run_, search=search.study_, cv_results=search,  # its best_index_: the refitted trial
        title=f"skdl tune: {run_.data.name}, {type(final).__name__}",
    )
    cv_std = float(search.cv_results_["std_test_score"][search.best_index_])
    summary.update(
        status="finished",
        best_params=strip_prefix(best_params),
        best_trial=int(best_trial.number),
        defaults_kept=kept,
        top_trial=int(search.cv_results_["trial_number"][top]),
        cv_score=float(search.best_score_),
        cv_score_std=cv_std,
        test_scores=scores,
        epochs_trained=int(getattr(members[0].named_steps[STEP], "n_iter_", 0)),
        ensemble_trials=refit_trials,
        refit_params=[strip_prefix(p) for p in search.refit_params_],
    )
    files["summary"] = out / SUMMARY_FILE
    finish_summary(summary, run_, files)

    rows = [
        ("data", f"{run_.data.name}: {run_.data.task}, {len(run_.y_train)} train / "
                 f"{len(run_.y_test)} test rows"),
        ("model", f"{type(final).__name__}, Keras backend {run_.backend}"),
        ("trials", f"{counts['counted']} in study {args.study!r} ({counts['complete']} complete, "
                   f"{counts['pruned']} pruned, {counts['failed']} failed); this run "
                   f"{_duration(search_seconds)}"),
        (f"{'chosen' if kept else 'best'} CV {run_.scoring}",
         f"{fmt(search.best_score_)} ± {fmt(cv_std, 2)} (trial {best_trial.number}, {args.cv} folds)"),
        ("params" if kept else "best params", _short_params(best_params)),
    ]
    if kept:
        rows.insert(-1, ("defaults kept", kept_note + " (--defaults-margin)"))
    if len(refit_trials) > 1:
        rows.append(("refit", f"mean of the {len(refit_trials)} best trials: "
                              + ", ".join(map(str, refit_trials))))
    # refits whose training length came from the folds (refit_length="folds" changed their params)
    lengths = [p[f"{STEP}__epochs"] for p, i in zip(search.refit_params_, search.ensemble_indices_)
               if p != search.cv_results_["params"][i] and f"{STEP}__epochs" in p]
    if lengths:
        rows.append(("refit length", f"{', '.join(map(str, lengths))} epochs on all training rows "
                                     "(the median best epoch of the folds; no validation split)"))
    print_scores(rows, scores, len(run_.y_test), run_.scoring)
    print(f"\nskdl tune: done in {_duration(time.time() - run_.started)}", flush=True)
    print_table(rows)
    print_outputs(run_, files)
    if counts["failed"]:
        print(f"Note: {counts['failed']} trial(s) failed; their reasons are in trials.csv "
              "(column reason).", flush=True)
    return 0

