"""(k) Refit strategies: which refit of a finished search scores best on held-out rows?

Issue 13 asks for ``refit_ensemble=k`` and a refit that uses the training
length the folds found, each measured on the panel and made a default only if
it wins on every set. For each set and seed this runs ``skdl tune`` with
default flags (``--ensemble 1 --refit-length own``) on the set's CSV, exactly
as ``bench_quality.py --parts cli`` does, then refits the study's best trials
on the same training split (the CLI's pipeline, validation fraction and
space) and scores them on the same test split:

* ``own_k<k>``: the mean of the k best trials, each refitted with its own
  parameters (an early-stopping trial stops again on the refit's validation
  split), k = 1, 2, 3, 5; ``own_k1`` is the CLI's own refit (checked against
  its test score);
* ``folds_k<k>``: the same with ``refit_length="folds"`` (an early-stopping
  trial trains on all rows for its folds' median best epoch), k = 1, 3.

Every column is computed from one search, so the differences are the refit
alone. It prints a table (mean test score over seeds per set and strategy,
and per strategy the sets it wins, loses and ties against ``own_k1``) and
writes ``benchmarks/results/refit.json``.

Usage::

    KERAS_BACKEND=tensorflow python benchmarks/bench_refit.py
    python benchmarks/bench_refit.py --sets mroz,womenlf --seeds 0,1
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import RESULTS, machine_info, markdown_table  # noqa: E402
from _panel import check_panel  # noqa: E402

KS = (1, 2, 3, 5)  # own_k<k>
FOLD_KS = (1, 3)  # folds_k<k>
COLUMNS = [f"own_k{k}" for k in KS] + [f"folds_k{k}" for k in FOLD_KS]
DEFAULT_SETS = ("iris", "wine", "breast_cancer", "mroz", "womenlf", "prestige", "salaries",
                "titanic", "cps1985", "penguins")


def run_unit(name: str, seed: int) -> dict:
    """One ``skdl tune`` and the k-ensembles of its best trials, on one split."""
    import numpy as np
    import optuna
    from sklearn.base import clone
    from sklearn.metrics import r2_score

    from bench_quality import write_csv
    from skdl.cli import main as cli_main
    from skdl.cli._models import STEP, search_space
    from skdl.cli._parser import build_parser
    from skdl.cli._run import prepare
    from skdl.cli._tune import validation_fraction
    from skdl.tuning import decode_params
    from skdl.tuning._search import fold_length_params

    tmp = tempfile.mkdtemp(prefix=f"skdl_refit_{name}_")
    try:
        csv = write_csv(name, tmp)
        out = os.path.join(tmp, "run")
        argv = ["tune", "--csv", csv, "--target", "target", "--seed", str(seed), "--out", out,
                "--quiet", "--ensemble", "1", "--refit-length", "own"]
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            status = cli_main(argv)
        if status != 0:
            raise RuntimeError(f"skdl tune exited with {status}")
        tune_s = time.perf_counter() - t0
        summary = json.loads(Path(out, "summary.json").read_text())

        # the CLI's split, pipeline and space, as _tune.run builds them
        with contextlib.redirect_stdout(io.StringIO()):
            run = prepare(build_parser().parse_args(argv), default_epochs=200)
        n_fit = len(run.y_train) * (run.args.cv - 1) // run.args.cv
        vf = f"{STEP}__validation_fraction"
        if vf in run.pipeline.get_params() and vf not in run.fixed:
            run.pipeline.set_params(**{vf: validation_fraction(n_fit)})
        space = search_space(run.pipeline, run.kind, run.fixed, n_samples=n_fit)
        study = optuna.load_study(study_name="skdl", storage=f"sqlite:///{out}/study.db")
        done = sorted((t for t in study.trials if t.state.name == "COMPLETE"),
                      key=lambda t: (-t.value, t.number))
        clf = run.data.task == "classification"
        scoring = run.scoring
        classes = None

        def refit(params):
            nonlocal classes
            est = clone(run.pipeline).set_params(**params)
            est.fit(run.X_train, run.y_train)
            classes = getattr(est, "classes_", None)
            return est.predict_proba(run.X_test) if clf else est.predict(run.X_test)

        t1 = time.perf_counter()
        own, folds, n_changed = [], [], 0
        for i, trial in enumerate(done[:max(KS)]):
            params = decode_params(trial.params, space)
            own.append(refit(params))
            if i < max(FOLD_KS):
                longer = fold_length_params(run.pipeline, params, trial, run.args.cv)
                n_changed += longer != params
                folds.append(refit(longer) if longer != params else own[-1])

        def score(outputs, k):  # fewer complete trials than k: all of them (as refit_ensemble)
            mean = np.mean(outputs[:k], axis=0)
            return (float(np.mean(classes[mean.argmax(1)] == np.asarray(run.y_test)))
                    if clf else float(r2_score(run.y_test, mean)))

        scores = {f"own_k{k}": score(own, k) for k in KS}
        scores.update({f"folds_k{k}": score(folds, k) for k in FOLD_KS})
        if abs(scores["own_k1"] - summary["test_scores"][scoring]) > 1e-9:
            raise RuntimeError(f"the own_k1 refit scored {scores['own_k1']}, the CLI "
                               f"{summary['test_scores'][scoring]}: not the same refit")
        return {"set": name, "seed": seed, "scoring": scoring, **scores,
                "early_stopping_refits": n_changed,
                "n_complete": len(done), "tune_s": round(tune_s, 1),
                "refit_s": round(time.perf_counter() - t1, 1)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def summarise(units: list[dict]) -> tuple[str, dict]:
    import numpy as np

    by_set: dict = {}
    for u in units:
        by_set.setdefault(u["set"], []).append(u)
    means = {s: {c: float(np.mean([u[c] for u in us])) for c in COLUMNS} for s, us in by_set.items()}
    rows = [[s, str(len(by_set[s]))] + [f"{m[c]:.4f}" for c in COLUMNS] for s, m in means.items()]
    verdict = {}
    for c in COLUMNS[1:]:
        diff = np.array([m[c] - m["own_k1"] for m in means.values()])
        verdict[c] = {"mean_gain": float(diff.mean()), "wins": int((diff > 1e-9).sum()),
                      "losses": int((diff < -1e-9).sum()), "ties": int((abs(diff) <= 1e-9).sum())}
    rows.append(["**mean gain vs own_k1**", "", ""] + [f"{verdict[c]['mean_gain']:+.4f}" for c in COLUMNS[1:]])
    rows.append(["**sets won / lost / tied**", "", ""] +
                [f"{verdict[c]['wins']} / {verdict[c]['losses']} / {verdict[c]['ties']}" for c in COLUMNS[1:]])
    table = markdown_table(["set (test score, mean over seeds)", "seeds"] + COLUMNS, rows)
    return table, {"means": means, "verdict": verdict}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=",".join(DEFAULT_SETS))
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--out", default=str(RESULTS / "refit.json"))
    args = p.parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    check_panel(sets)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    warnings.filterwarnings("ignore")
    units = []
    for name in sets:
        for seed in seeds:
            unit = run_unit(name, seed)
            units.append(unit)
            print(json.dumps(unit), flush=True)
    table, summary = summarise(units)
    print(table)
    doc = {"benchmark": "refit", "machine": machine_info(), "columns": COLUMNS, "units": units,
           "summary": summary, "table": table}
    Path(args.out).write_text(json.dumps(doc, indent=1, default=str))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
