"""(a) digits, 5-fold CV, MLP 128-128, 30 epochs, batch 32: wall time and accuracy.

The whole CV trains 5 x 1437 rows x 30 epochs = 215 550 sample-epochs; at
~3 x 2 x 25 856 multiply-adds per sample that is ~34 GFLOP of arithmetic, so the
differences between libraries are overhead, not arithmetic.

Each library runs in its own process: one cold cross-validation (the first in
the process: graph building, tracing and compiling included; imports excluded),
then ``--repeats`` warm ones whose median is the headline number. skdl runs once
per Keras backend; scikeras and keras.wrappers on TensorFlow (their usual
backend; ``--wrapper-backends jax,tensorflow`` to add JAX).

    python benchmarks/bench_digits_cv.py            # full: ~10 min on 2 cores
    python benchmarks/bench_digits_cv.py --quick    # smoke test
"""

from __future__ import annotations

import _common as C
import _libs as L

NAME = "digits_cv"
FLOP_PER_SAMPLE_EPOCH = 3 * 2 * (64 * 128 + 128 * 128 + 128 * 10)


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    p.add_argument("--wrapper-backends", default="tensorflow")
    args = p.parse_args(argv)
    if C.worker_main(args, {"cv": L.cv_worker}):
        return
    load_before = C.load()
    if args.quick:
        args.repeats = 1
        setup = dict(dataset="digits", epochs=1, batch_size=32, hidden=(128, 128), n_splits=3, n_samples=300)
    else:
        setup = dict(dataset="digits", epochs=30, batch_size=32, hidden=(128, 128), n_splits=5)
    wb = [b for b in args.wrapper_backends.split(",") if b]
    n_runs = 0 if args.quick else args.repeats
    jobs = {label: ("cv", {"lib": lib, "n_runs": n_runs, **setup}, backend, L.env_for(label))
            for label, lib, backend in L.configs(args, wrapper_backends=wb)}
    results = C.run_many(__file__, jobs, parallel=3 if args.quick else 1)
    table, summary = make_table(results)
    C.write_results(NAME, args, {"setup": setup, "summary": summary, "results": results}, table,
                    load_before=load_before)


def make_table(results):
    ok = {k: v for k, v in results.items() if "error" not in v}
    ref = L.sklearn_reference(ok, "wall_s")
    fastest = min((v["wall_s"] for v in ok.values()), default=None)
    ref_acc = ok.get("sklearn", {}).get("accuracy")  # both sklearn rows compute the same
    rows, summary = [], {}
    for label, r in results.items():
        if "error" in r:
            rows.append([label, "failed", "-", "-", "-", "-", "-"])
            continue
        rows.append([
            label,
            C.fmt(r["wall_s"], " s"),
            C.fmt_ratio(C.ratio(r["wall_s"], ref)),
            C.fmt_ratio(C.ratio(r["wall_s"], fastest)),
            C.fmt(r["cold_wall_s"], " s"),
            f"{100 * r['accuracy']:.2f} %",
            "-" if ref_acc is None else f"{100 * (r['accuracy'] - ref_acc):+.2f}",
        ])
        summary[label] = {
            "wall_s": r["wall_s"],
            "ratio_to_sklearn": C.ratio(r["wall_s"], ref),
            "ratio_to_fastest": C.ratio(r["wall_s"], fastest),
            "cold_wall_s": r["cold_wall_s"],
            "accuracy": r["accuracy"],
            "accuracy_minus_sklearn_pt": None if ref_acc is None else 100 * (r["accuracy"] - ref_acc),
        }
    headers = ["library [backend]", "CV wall (median)", "× sklearn (faster row)", "× fastest",
               "first CV in process", "accuracy", "Δ acc vs sklearn (pt)"]
    return C.markdown_table(headers, rows), summary


if __name__ == "__main__":
    main()
