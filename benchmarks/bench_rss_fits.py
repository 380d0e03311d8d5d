"""(g) Resident memory across 50 sequential skdl fits in one process: flat or growing?

A search or a long CV creates and drops hundreds of estimators in one process.
skdl pools compiled networks (at most ``SKDL_POOL_SIZE`` idle ones, default 8),
so memory should level off. Two workloads, each in a fresh process per backend:

* ``same``: 50 fits with identical hyperparameters (CV folds, repeated fits):
  after the first, every fit reuses the pooled network;
* ``varied``: 50 fits, each with a different first hidden layer width (a search
  over widths): every fit builds and compiles a new graph, and the pool
  evicts the least recently used one beyond 8.

Each fit: 1 000 x 20 rows, 3 classes, 1 epoch, MLP (w, 64), then predict; the
estimator is dropped and ``gc.collect()`` runs before RSS is read. The slope is
a least-squares line through fits 11..50 (MB per fit), after
the pool has filled. Because the pool sweeps memory once per 8 evictions (see
``skdl/training/_pool.py``), RSS over varied fits is a sawtooth; the verdict
compares the highest RSS of fits 11-30 with that of fits 31-50 ("flat": less
than 0.5 MB per fit of rise).

    python benchmarks/bench_rss_fits.py
    python benchmarks/bench_rss_fits.py --quick
"""

from __future__ import annotations

import _common as C
import _libs as L

NAME = "rss_fits"


def fits_worker(mode, n_fits=50, n_samples=1000, n_features=20, n_classes=3):
    import gc
    import time

    import numpy as np

    C.quiet_warnings()
    L.import_library("skdl")
    backend = L.init_backend("skdl")
    from skdl import MLPClassifier

    rng = np.random.RandomState(0)
    X = rng.standard_normal((n_samples, n_features)).astype(np.float32)
    y = rng.randint(0, n_classes, n_samples)
    gc.collect()
    rss = [C.current_rss_mb()]
    times = []
    for i in range(n_fits):
        width = 64 if mode == "same" else 32 + 4 * i
        t = time.perf_counter()
        est = MLPClassifier(hidden_layer_sizes=(width, 64), epochs=1, batch_size=32, patience=None,
                            random_state=i).fit(X, y)
        est.predict(X)
        times.append(time.perf_counter() - t)
        del est
        gc.collect()
        rss.append(C.current_rss_mb())
    tail = np.arange(_settle(n_fits), n_fits) + 1
    slope = float(np.polyfit(tail, np.asarray(rss)[tail], 1)[0]) if len(tail) >= 2 else None
    from skdl.training._pool import POOL

    return {"mode": mode, "backend": backend, "rss_mb": rss, "fit_s": times, "slope_mb_per_fit": slope,
            "pool_hits": POOL.hits, "pool_misses": POOL.misses, "pool_idle": len(POOL),
            "pool_evicted": POOL.evicted,
            "peak_mb": C.peak_rss_mb()}


def _settle(n_fits):
    """Fits after which the slope is measured: 10 of 50 (the pool holds 8), half of a quick run."""
    return min(10, n_fits // 2)


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    if C.worker_main(args, {"fits": fits_worker}):
        return
    load_before = C.load()
    n_fits = 4 if args.quick else 50
    jobs = {f"skdl [{b}] {mode}": ("fits", {"mode": mode, "n_fits": n_fits}, b)
            for b in C.backends(args) for mode in ("same", "varied")}
    results = C.run_many(__file__, jobs, parallel=1)
    table, summary = make_table(results, n_fits)
    C.write_results(NAME, args, {"n_fits": n_fits, "summary": summary, "results": results}, table,
                    load_before=load_before)


def make_table(results, n_fits):
    rows, summary = [], {}
    k = _settle(n_fits)
    marks = sorted({1, k, n_fits})
    for label, r in results.items():
        if "error" in r:
            rows.append([label, "failed"] + ["-"] * (len(marks) + 3))
            continue
        rss = r["rss_mb"]
        growth = rss[-1] - rss[k]
        slope = r["slope_mb_per_fit"]
        # The pool sweeps memory every few evictions, so RSS over varied fits is a
        # sawtooth: compare the highest RSS of the two halves after settling.
        mid = k + (n_fits - k) // 2
        first, second = max(rss[k + 1 : mid + 1]), max(rss[mid + 1 :])
        rise = second - first
        per_fit = rise / max(1, n_fits - mid)
        verdict = "flat" if per_fit < 0.5 else "growing"
        summary[label] = {"rss_start_mb": rss[0], **{f"rss_after_fit_{m}_mb": rss[m] for m in marks},
                          "slope_mb_per_fit": slope, f"max_rss_fits_{k + 1}_{mid}_mb": first,
                          f"max_rss_fits_{mid + 1}_{n_fits}_mb": second, "verdict": verdict,
                          "median_fit_s": C.median(r["fit_s"]), "pool_hits": r["pool_hits"],
                          "pool_misses": r["pool_misses"], "pool_evicted": r.get("pool_evicted")}
        rows.append([label, C.fmt(rss[0], " MB")] + [C.fmt(rss[m], " MB") for m in marks]
                    + [f"{growth:+.0f} MB", "-" if slope is None else f"{slope:+.2f}",
                       f"{first:.0f} → {second:.0f} MB", verdict, C.fmt(C.median(r["fit_s"]), " s")])
    mid = k + (n_fits - k) // 2
    headers = (["skdl [backend] workload", "RSS before"] + [f"after fit {m}" for m in marks]
               + [f"fit {k}→{n_fits}", f"slope MB/fit (fits {k + 1}+)",
                  f"max RSS, fits {k + 1}-{mid} → {mid + 1}-{n_fits}", "verdict", "median fit"])
    return C.markdown_table(headers, rows), summary


if __name__ == "__main__":
    main()
