"""(c) Fixed cost of one fit: 100 samples x 20 features, 3 classes, 1 epoch, fit + predict.

This is what every cross-validation fold and every search trial pays before any
real arithmetic (the arithmetic here is ~0.1 MFLOP). Per library, in a fresh
process: the import (library plus, for Keras libraries, Keras and its backend),
the first fit + predict in the process (building, tracing, compiling), and the
median of the next ten fit + predict calls, each on a new estimator (as CV and
search make them). Also whether TensorFlow ended up imported.

``--repeats`` runs that many processes per library and reports medians over them.

    python benchmarks/bench_fixed_cost.py            # full: ~5 min on 2 cores
    python benchmarks/bench_fixed_cost.py --quick    # smoke test
"""

from __future__ import annotations

import _common as C
import _libs as L

NAME = "fixed_cost"


def fixed_worker(lib, n_next=10, n_samples=100, n_features=20, n_classes=3, hidden=(128, 128)):
    import time

    import numpy as np

    C.quiet_warnings()
    t0 = time.perf_counter()
    L.import_library(lib)
    backend = L.init_backend(lib)
    import_s = time.perf_counter() - t0
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n_samples, n_features)).astype(np.float32)
    y = (rng.randint(0, n_classes, n_samples)).astype(np.int64)
    y[:n_classes] = np.arange(n_classes)

    def one():
        est = L.make_classifier(lib, n_features=n_features, n_classes=n_classes, hidden=hidden,
                                epochs=1, batch_size=32, random_state=0)
        t = time.perf_counter()
        est.fit(X, y)
        est.predict(X)
        return time.perf_counter() - t

    first = one()
    nxt = [one() for _ in range(n_next)]
    return {
        "library": lib,
        "backend": backend,
        "import_s": import_s,
        "first_s": first,
        "next_median_s": float(np.median(nxt)),
        "next_s": nxt,
        "heavy_modules": L.heavy_modules_loaded(),
    }


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    p.add_argument("--wrapper-backends", default="jax,tensorflow")
    args = p.parse_args(argv)
    if C.worker_main(args, {"fixed": fixed_worker}):
        return
    load_before = C.load()
    reps = 1 if args.quick else args.repeats
    n_next = 3 if args.quick else 10
    wb = [b for b in args.wrapper_backends.split(",") if b]
    jobs = {}
    for label, lib, backend in L.configs(args, wrapper_backends=wb, keras_builder=True):
        for i in range(reps):
            jobs[(label, i)] = ("fixed", {"lib": lib, "n_next": n_next}, backend, L.env_for(label))
    flat = C.run_many(__file__, {f"{lbl} #{i}": j for (lbl, i), j in jobs.items()},
                      parallel=3 if args.quick else 1)
    results = {}
    for (label, i) in jobs:
        results.setdefault(label, []).append(flat[f"{label} #{i}"])
    table, summary = make_table(results)
    C.write_results(NAME, args, {"summary": summary, "results": results}, table, load_before=load_before)


def make_table(results):
    summary = {}
    for label, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            summary[label] = {"error": runs[0]["error"]}
            continue
        summary[label] = {
            "import_s": C.median([r["import_s"] for r in ok]),
            "first_s": C.median([r["first_s"] for r in ok]),
            "next_median_s": C.median([r["next_median_s"] for r in ok]),
            "tensorflow_imported": any(r["heavy_modules"]["tensorflow"] for r in ok),
            "processes": len(ok),
        }
    good = {k: v for k, v in summary.items() if "error" not in v}
    ref = L.sklearn_reference(good, "next_median_s")
    fastest = min((v["next_median_s"] for v in good.values()), default=None)
    rows = []
    for label, s in summary.items():
        if "error" in s:
            rows.append([label, "failed"] + ["-"] * 5)
            continue
        s["ratio_to_sklearn"] = C.ratio(s["next_median_s"], ref)
        s["ratio_to_fastest"] = C.ratio(s["next_median_s"], fastest)
        rows.append([label, C.fmt(s["next_median_s"], " s"), C.fmt_ratio(s["ratio_to_sklearn"]),
                     C.fmt_ratio(s["ratio_to_fastest"]), C.fmt(s["first_s"], " s"),
                     C.fmt(s["import_s"], " s"), C.fmt(s["tensorflow_imported"])])
    headers = ["library [backend]", "fit+predict (median of next 10)", "× sklearn (faster row)", "× fastest",
               "first fit+predict", "import (+backend)", "TF imported"]
    return C.markdown_table(headers, rows), summary


if __name__ == "__main__":
    main()
