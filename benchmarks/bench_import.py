"""(e) Import time, cold (a fresh interpreter per measurement), and what each import pulls in.

``import skdl`` must stay cheap and must not import TensorFlow, Keras, JAX,
Optuna or matplotlib: a CLI ``--help`` or a script that only loads data should
not pay seconds for a deep-learning runtime. The other rows put the number in
context (the estimator module, the tuning module, the alternatives).

Each statement runs ``--repeats`` times (default 5 here), each in a new
process; the table shows the median time of the statement alone (interpreter
start-up excluded) and the heavy modules loaded afterwards.

    python benchmarks/bench_import.py
    python benchmarks/bench_import.py --quick
"""

from __future__ import annotations

import _common as C

NAME = "import"
STATEMENTS = [
    ("skdl", "import skdl"),
    ("skdl", "from skdl import MLPClassifier"),
    ("skdl", "import skdl.tuning"),
    ("skdl", "import skdl.reporting"),
    ("skdl", "import skdl.datasets"),
    ("sklearn", "from sklearn.neural_network import MLPClassifier"),
    ("skorch", "from skorch import NeuralNetClassifier"),
    ("scikeras", "from scikeras.wrappers import KerasClassifier"),
    ("keras.wrappers", "from keras.wrappers import SKLearnClassifier"),
]
HEAVY = ("tensorflow", "keras", "jax", "torch", "optuna", "matplotlib", "sklearn", "pandas", "scipy")


def import_worker(stmt):
    import sys
    import time

    t = time.perf_counter()
    exec(stmt, {})
    dt = time.perf_counter() - t
    return {"seconds": dt, "loaded": {m: m in sys.modules for m in HEAVY}}


def _cases(args):
    """(library, statement, KERAS_BACKEND, label): ``import skdl`` per backend, the rest once."""
    first = C.backends(args)[0]
    for lib, stmt in STATEMENTS:
        if not C.wanted(args, lib):
            continue
        if stmt == "import skdl":
            for b in C.backends(args):
                yield lib, stmt, b, f"{stmt} [KERAS_BACKEND={b}]"
        elif lib == "keras.wrappers":
            yield lib, stmt, "jax", f"{stmt} [KERAS_BACKEND=jax]"
        else:
            yield lib, stmt, first if lib == "skdl" else None, stmt


def main(argv=None):
    p = C.make_parser(__doc__.splitlines()[0])
    p.set_defaults(repeats=5)
    args = p.parse_args(argv)
    if C.worker_main(args, {"import": import_worker}):
        return
    load_before = C.load()
    reps = 1 if args.quick else args.repeats
    results = {}
    for lib, stmt, backend, label in _cases(args):
        print(f"running {label} ...", flush=True)
        results[label] = [C.run_worker(__file__, "import", {"stmt": stmt}, backend=backend) for _ in range(reps)]
    table, summary = make_table(results)
    C.write_results(NAME, args, {"summary": summary, "results": results}, table, load_before=load_before)


def make_table(results):
    rows, summary = [], {}
    for label, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            rows.append([label, "failed", "-"])
            summary[label] = {"error": runs[0]["error"]}
            continue
        s = C.median([r["seconds"] for r in ok])
        loaded = sorted(m for m in HEAVY if ok[-1]["loaded"][m])
        summary[label] = {"seconds": s, "loaded": loaded, "imports_tensorflow": "tensorflow" in loaded}
        rows.append([f"`{label}`", C.fmt(s, " s"), ", ".join(loaded) or "none of them"])
    headers = ["statement", "cold time (median)", f"loaded afterwards (of {', '.join(HEAVY)})"]
    return C.markdown_table(headers, rows), summary


if __name__ == "__main__":
    main()
