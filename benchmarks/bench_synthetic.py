"""(b) synthetic 50 000 x 100, 5 classes, 3-fold CV, MLP 128-128, 10 epochs, batch 256.

Here the arithmetic is large (~180 GFLOP for the whole CV) and the per-batch
overhead small, so the table also shows what fraction of this machine's
measured float32 matrix-product throughput each library reaches. Throughput is
measured with NumPy in a separate process, on products the size of this
network's batches (256 x 100 @ 100 x 128 ...) and on large square ones.

Arithmetic counted: a Dense layer costs 2 * n_in * n_out FLOP per sample
forward and twice that backward (gradients of inputs and of weights), so
training costs 3 x forward; bias adds, activations, softmax and Adam's updates
are not counted (they are < 2 % here).

    python benchmarks/bench_synthetic.py            # full: ~10 min on 2 cores
    python benchmarks/bench_synthetic.py --quick    # smoke test
"""

from __future__ import annotations

import _common as C
import _libs as L

NAME = "synthetic_cv"


def forward_flop(n_features, hidden, n_classes):
    sizes = [n_features, *hidden, n_classes]
    return sum(2 * a * b for a, b in zip(sizes[:-1], sizes[1:]))


def matmul_worker(shapes, seconds=0.3):
    """GFLOP/s of NumPy float32 ``(m, k) @ (k, n)`` for each shape (median of timed blocks)."""
    import time

    import numpy as np

    out = []
    rng = np.random.default_rng(0)
    for m, k, n in shapes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        a @ b  # warm-up
        reps = 1
        while True:  # size a block to ~seconds/5
            t = time.perf_counter()
            for _ in range(reps):
                a @ b
            dt = time.perf_counter() - t
            if dt > seconds / 5 or reps > 1 << 20:
                break
            reps *= 4
        blocks = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(reps):
                a @ b
            blocks.append((time.perf_counter() - t) / reps)
        s = float(np.median(blocks))
        out.append({"shape": [m, k, n], "seconds": s, "gflops": 2 * m * k * n / s / 1e9})
    info = {}
    try:
        from threadpoolctl import threadpool_info

        info = [{k: d.get(k) for k in ("internal_api", "num_threads", "version")} for d in threadpool_info()]
    except ImportError:
        pass
    return {"matmul": out, "blas": info}


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    p.add_argument("--wrapper-backends", default="tensorflow")
    args = p.parse_args(argv)
    if C.worker_main(args, {"cv": L.cv_worker, "matmul": matmul_worker}):
        return
    load_before = C.load()
    n_features, n_classes, hidden = 100, 5, (128, 128)
    if args.quick:
        setup = dict(dataset="synthetic", epochs=1, batch_size=256, hidden=hidden, n_splits=3, n_samples=3000)
    else:
        setup = dict(dataset="synthetic", epochs=10, batch_size=256, hidden=hidden, n_splits=3, n_samples=50_000)
    n, k, e = setup["n_samples"], setup["n_splits"], setup["epochs"]
    fwd = forward_flop(n_features, hidden, n_classes)
    gflop = (3 * fwd * (k - 1) * n * e + fwd * n) / 1e9  # training on k-1 folds, predicting 1, k times
    shapes = [(256, 100, 128), (256, 128, 128), (256, 128, 5), (1024, 1024, 1024), (2048, 2048, 2048)]
    wb = [b for b in args.wrapper_backends.split(",") if b]
    n_runs = 0 if args.quick else args.repeats
    jobs = {"numpy matmul": ("matmul", {"shapes": shapes, "seconds": 0.1 if args.quick else 0.5}, None)}
    jobs.update({label: ("cv", {"lib": lib, "n_runs": n_runs, **setup}, backend, L.env_for(label))
                 for label, lib, backend in L.configs(args, wrapper_backends=wb)})
    results = C.run_many(__file__, jobs, parallel=3 if args.quick else 1)
    mm = results.pop("numpy matmul")
    table, summary = make_table(results, mm, gflop)
    C.write_results(NAME, args, {"setup": setup, "gflop": gflop, "matmul": mm, "summary": summary,
                                 "results": results}, table, load_before=load_before)


def make_table(results, mm, gflop):
    small = [r["gflops"] for r in mm.get("matmul", []) if r["shape"][0] == 256 and r["shape"][2] > 5]
    large = [r["gflops"] for r in mm.get("matmul", []) if r["shape"][0] >= 1024]
    small_g = max(small) if small else None
    large_g = max(large) if large else None
    ok = {k: v for k, v in results.items() if "error" not in v}
    ref = L.sklearn_reference(ok, "wall_s")
    fastest = min((v["wall_s"] for v in ok.values()), default=None)
    rows, summary = [], {}
    for label, r in results.items():
        if "error" in r:
            rows.append([label, "failed"] + ["-"] * 7)
            continue
        achieved = gflop / r["wall_s"]
        rows.append([
            label,
            C.fmt(r["wall_s"], " s"),
            C.fmt_ratio(C.ratio(r["wall_s"], ref)),
            C.fmt_ratio(C.ratio(r["wall_s"], fastest)),
            C.fmt(r["cold_wall_s"], " s"),
            f"{100 * r['accuracy']:.2f} %",
            C.fmt(achieved),
            "-" if small_g is None else f"{100 * achieved / small_g:.0f} %",
            "-" if large_g is None else f"{100 * achieved / large_g:.0f} %",
        ])
        summary[label] = {
            "wall_s": r["wall_s"], "ratio_to_sklearn": C.ratio(r["wall_s"], ref),
            "ratio_to_fastest": C.ratio(r["wall_s"], fastest), "cold_wall_s": r["cold_wall_s"],
            "accuracy": r["accuracy"], "gflops_achieved": achieved,
            "fraction_of_small_matmul": None if small_g is None else achieved / small_g,
            "fraction_of_large_matmul": None if large_g is None else achieved / large_g,
        }
    headers = ["library [backend]", "CV wall (median)", "× sklearn (faster row)", "× fastest", "first CV in process",
               "accuracy", "GFLOP/s", "of batch-size matmul", "of large matmul"]
    table = C.markdown_table(headers, rows)
    mm_rows = [[f"{a}×{b} @ {b}×{c}", C.fmt(r["gflops"])] for r in mm.get("matmul", [])
               for a, b, c in [r["shape"]]]
    table += (f"\n\nArithmetic of the whole CV: {gflop:.1f} GFLOP. NumPy float32 matmul throughput "
              "on this machine (GFLOP/s):\n\n" + C.markdown_table(["product", "GFLOP/s"], mm_rows))
    return table, summary


if __name__ == "__main__":
    main()
