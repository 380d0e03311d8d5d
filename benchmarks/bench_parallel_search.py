"""(h) Wall time of a fixed 24-trial search with 1, 2 and 4 worker processes.

``skdl.tuning.OptunaSearchCV(n_jobs=k)`` runs trials in k worker processes
sharing one study. The search: digits, 3-fold CV, MLPClassifier with 10 epochs
(no early stopping), learning rate log-uniform in [1e-4, 1e-2] and batch size in
{32, 64, 128}, TPE seeded, no pruning, no refit. With k workers the sampled
parameters differ (TPE sees the trials finished so far), so the best score may
differ a little; the work per trial is similar.

On a 2-core machine, 2 workers should approach 2x and 4 workers cannot beat 2
workers (they share 2 cores; each worker gets a thread budget of cores / k).
If ``skdl.tuning`` (or its ``n_jobs``) is missing, the script says so and exits 0.

    python benchmarks/bench_parallel_search.py
    python benchmarks/bench_parallel_search.py --quick
"""

from __future__ import annotations

import sys

import _common as C

NAME = "parallel_search"


def tuning_available() -> str | None:
    """None if skdl.tuning.OptunaSearchCV accepts n_jobs, else why not (checked in a worker)."""
    r = C.run_worker(__file__, "probe", {}, backend="jax", timeout=300)
    if "error" in r:
        return r["error"]
    return r.get("missing")


def probe_worker():
    import inspect

    try:
        from skdl.tuning import OptunaSearchCV
    except ImportError as exc:
        return {"missing": f"skdl.tuning is not available ({exc})"}
    if "n_jobs" not in inspect.signature(OptunaSearchCV).parameters:
        return {"missing": "skdl.tuning.OptunaSearchCV has no n_jobs parameter"}
    return {"missing": None}


def search_worker(n_jobs, n_trials, epochs, cv):
    import time

    import numpy as np
    from optuna.distributions import FloatDistribution

    C.quiet_warnings()
    import _libs as L
    from skdl import MLPClassifier
    from skdl.tuning import OptunaSearchCV

    X, y = L.load_data("digits")
    est = MLPClassifier(hidden_layer_sizes=(128, 128), epochs=epochs, batch_size=32, patience=None,
                        random_state=0)
    space = {"learning_rate": FloatDistribution(1e-4, 1e-2, log=True), "batch_size": [32, 64, 128]}
    search = OptunaSearchCV(est, space, n_trials=n_trials, cv=cv, n_jobs=n_jobs, refit=False,
                            random_state=0)
    t = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - t
    df = search.trials_dataframe() if hasattr(search, "trials_dataframe") else None
    n_done = len(df) if df is not None else None
    return {"n_jobs": n_jobs, "wall_s": wall, "best_score": float(search.best_score_),
            "best_params": {k: (v if isinstance(v, (int, float, str)) else str(v))
                            for k, v in search.best_params_.items()},
            "n_trials_recorded": n_done, "seconds_per_trial": wall / n_trials,
            "mean_fit_s": float(np.nanmean(search.cv_results_["mean_fit_time"]))
            if hasattr(search, "cv_results_") else None}


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    p.add_argument("--n-jobs", default="1,2,4")
    args = p.parse_args(argv)
    if C.worker_main(args, {"probe": probe_worker, "search": search_worker}):
        return
    missing = tuning_available()
    if missing:
        print(f"skipping (h): {missing}")
        return
    load_before = C.load()
    setup = dict(n_trials=6, epochs=2, cv=2) if args.quick else dict(n_trials=24, epochs=10, cv=3)
    reps = 1 if args.quick else args.repeats
    n_jobs = [int(s) for s in args.n_jobs.split(",")]
    bks = C.backends(args)
    if args.quick:  # a smoke test: one backend, 1 and 2 workers
        n_jobs, bks = [k for k in n_jobs if k <= 2], bks[:1]
    jobs = {}
    for b in bks:
        for k in n_jobs:
            for i in range(reps):
                jobs[f"skdl [{b}] n_jobs={k} #{i}"] = ("search", {"n_jobs": k, **setup}, b)
    flat = C.run_many(__file__, jobs, parallel=1)
    results = {}
    for key, r in flat.items():
        results.setdefault(key.rsplit(" #", 1)[0], []).append(r)
    table, summary = make_table(results)
    C.write_results(NAME, args, {"setup": setup, "summary": summary, "results": results}, table,
                    load_before=load_before)


def make_table(results):
    rows, summary = [], {}
    serial = {}
    for label, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            summary[label] = {"error": runs[0]["error"]}
            rows.append([label, "failed", "-", "-", "-"])
            continue
        wall = C.median([r["wall_s"] for r in ok])
        backend = label.split("]")[0] + "]"
        if ok[0]["n_jobs"] == 1:
            serial[backend] = wall
        summary[label] = {"wall_s": wall, "best_score": C.median([r["best_score"] for r in ok]),
                          "n_jobs": ok[0]["n_jobs"]}
    for label, s in summary.items():
        if "error" in s:
            continue
        ref = serial.get(label.split("]")[0] + "]")
        s["speedup"] = C.ratio(ref, s["wall_s"]) if ref else None
        rows.append([label, C.fmt(s["wall_s"], " s"),
                     "-" if s["speedup"] is None else f"{s['speedup']:.2f}×",
                     f"{100 * s['best_score']:.2f} %", str(s["n_jobs"])])
    headers = ["skdl [backend] workers", "search wall (median)", "speed-up vs 1 worker",
               "best CV accuracy", "worker processes"]
    return C.markdown_table(headers, rows), summary


if __name__ == "__main__":
    sys.exit(main())
