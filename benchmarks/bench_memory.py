"""(f) Peak memory of one fit on 1 000 000 x 100 float32 (400 MB), 5 classes, 1 epoch, batch 256.

In a fresh process per library: import the library (and initialise the Keras
backend), create X (float32, directly, no float64 temporary) and y, read the
resident set size (the baseline), fit, then read the peak resident set size
(``ru_maxrss``). The table shows peak minus baseline, i.e. what the fit itself
added at its worst moment, as MB and as a multiple of X's size, and the peak
minus the RSS after imports (so X itself counted) as a multiple of X. The first fit
in a process includes building and compiling the network, so skdl's number
includes XLA / TensorFlow compilation memory.

    python benchmarks/bench_memory.py              # full: ~3 min
    python benchmarks/bench_memory.py --quick      # 20 000 rows
"""

from __future__ import annotations

import _common as C
import _libs as L

NAME = "memory"


def peak_worker(lib, n_samples, n_features=100, n_classes=5, epochs=1, batch_size=256):
    import time

    import numpy as np

    C.quiet_warnings()
    L.import_library(lib)
    backend = L.init_backend(lib)
    rss_after_import = C.current_rss_mb()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    w = rng.standard_normal((n_features, n_classes), dtype=np.float32)
    y = np.argmax(X @ w, axis=1).astype(np.int64)  # learnable labels
    del w
    x_mb = X.nbytes / 2**20
    baseline = C.current_rss_mb()
    peak_before = C.peak_rss_mb()
    est = L.make_classifier(lib, n_features=n_features, n_classes=n_classes, hidden=(128, 128),
                            epochs=epochs, batch_size=batch_size, random_state=0)
    t = time.perf_counter()
    est.fit(X, y)
    fit_s = time.perf_counter() - t
    peak = C.peak_rss_mb()
    return {
        "library": lib, "backend": backend, "x_mb": x_mb,
        "rss_after_import_mb": rss_after_import, "baseline_mb": baseline,
        "peak_before_fit_mb": peak_before, "peak_mb": peak, "extra_mb": peak - baseline,
        "ratio_to_x": (peak - baseline) / x_mb, "rss_after_fit_mb": C.current_rss_mb(), "fit_s": fit_s,
        "peak_was_before_fit": peak_before >= peak,
    }


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    p.add_argument("--only-default", default="skdl,sklearn")
    args = p.parse_args(argv)
    if C.worker_main(args, {"peak": peak_worker}):
        return
    if not args.only:
        args.only = args.only_default
    args.sklearn_one_thread = False
    load_before = C.load()
    n = 20_000 if args.quick else 1_000_000
    reps = 1 if args.quick else args.repeats
    jobs = {}
    for label, lib, backend in L.configs(args):
        for i in range(reps):
            jobs[f"{label} #{i}"] = ("peak", {"lib": lib, "n_samples": n}, backend)
    flat = C.run_many(__file__, jobs, parallel=1)  # never in parallel: RSS only
    results = {}
    for key, r in flat.items():
        results.setdefault(key.rsplit(" #", 1)[0], []).append(r)
    table, summary = make_table(results)
    C.write_results(NAME, args, {"n_samples": n, "summary": summary, "results": results}, table,
                    load_before=load_before)


def make_table(results):
    rows, summary = [], {}
    for label, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            rows.append([label, "failed", "-", "-", "-", "-", "-"])
            summary[label] = {"error": runs[0]["error"]}
            continue
        extra = C.median([r["extra_mb"] for r in ok])
        total = C.median([r["peak_mb"] - r["rss_after_import_mb"] for r in ok])
        x_mb = ok[0]["x_mb"]
        s = {"extra_mb": extra, "ratio_to_x": extra / x_mb, "x_mb": x_mb,
             "peak_minus_after_import_mb": total, "ratio_to_x_with_x": total / x_mb,
             "baseline_mb": C.median([r["baseline_mb"] for r in ok]),
             "fit_s": C.median([r["fit_s"] for r in ok])}
        summary[label] = s
        rows.append([label, C.fmt(x_mb, " MB"), C.fmt(s["baseline_mb"], " MB"), C.fmt(extra, " MB"),
                     f"{s['ratio_to_x']:.2f}×", f"{s['ratio_to_x_with_x']:.2f}×", C.fmt(s["fit_s"], " s")])
    headers = ["library [backend]", "size of X", "RSS before fit (imports + data)",
               "peak RSS added by fit", "÷ size of X", "(peak − RSS after imports) ÷ X, X included",
               "fit time"]
    return C.markdown_table(headers, rows), summary


if __name__ == "__main__":
    main()
