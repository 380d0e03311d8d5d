"""Benchmark: the same search on digits with and without epoch pruning.

Runs ``skdl.tuning.OptunaSearchCV`` over ``skdl.MLPClassifier`` (in a Pipeline with
a scaler) twice - with ``NopPruner`` and with ``MedianPruner`` - and, where it can
run, ``optuna_integration.OptunaSearchCV`` on the same search (through scikeras if
importable; optuna-integration prunes only through ``partial_fit``, so it runs
without pruning). Prints a markdown table of wall time and best CV score and
writes JSON to ``benchmarks/results/search.json``.

Usage::

    python benchmarks/bench_search.py            # 30 trials, 3-fold CV, 20 epochs
    python benchmarks/bench_search.py --quick    # tiny smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def _space(prefix: str, epochs: int) -> dict:
    from optuna.distributions import FloatDistribution

    from skdl.tuning import LayerSpace

    return {
        f"{prefix}hidden_layer_sizes": LayerSpace((1, 2), (8, 128), order="non-increasing"),
        f"{prefix}learning_rate": FloatDistribution(1e-5, 3e-1, log=True),
        f"{prefix}dropout": FloatDistribution(0.0, 0.5),
        f"{prefix}batch_size": [32, 64, 128],
    }


def run_skdl(X, y, *, pruner_name: str, n_trials: int, epochs: int, cv: int, seed: int) -> dict:
    import optuna
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skdl
    from skdl.tuning import OptunaSearchCV

    pipe = make_pipeline(
        StandardScaler(),
        skdl.MLPClassifier(hidden_layer_sizes=(32,), epochs=epochs, random_state=seed),
    )
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=max(1, epochs // 5))
        if pruner_name == "median"
        else optuna.pruners.NopPruner()
    )
    search = OptunaSearchCV(
        pipe, _space("mlpclassifier__", epochs), n_trials=n_trials, cv=cv, pruner=pruner,
        random_state=seed, refit=False,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    states = list(search.cv_results_["state"])
    return {
        "search": f"skdl.tuning.OptunaSearchCV ({pruner_name} pruner)",
        "wall_time_s": round(wall, 2),
        "best_cv_score": round(float(search.best_score_), 4),
        "n_trials": search.n_trials_,
        "pruned": states.count("PRUNED"),
        "failed": states.count("FAIL"),
    }


def run_optuna_integration(X, y, *, n_trials: int, epochs: int, cv: int, seed: int) -> dict:
    row = {"search": "optuna_integration.OptunaSearchCV (scikeras, no pruning)"}
    try:
        import optuna
        from optuna_integration import OptunaSearchCV as IntegrationSearchCV
        from scikeras.wrappers import KerasClassifier
    except ImportError as exc:
        return {**row, "note": f"not run: {exc}"}
    import keras
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def build(n_layers=1, units=32, dropout=0.0, meta=None):
        model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
        for _ in range(n_layers):
            model.add(keras.layers.Dense(units, activation="relu"))
            model.add(keras.layers.Dropout(dropout))
        model.add(keras.layers.Dense(meta["n_classes_"], activation="softmax"))
        return model

    clf = KerasClassifier(build, loss="sparse_categorical_crossentropy", optimizer="adam",
                          epochs=epochs, verbose=0, random_state=seed,
                          model__n_layers=1, model__units=32, model__dropout=0.0)
    pipe = make_pipeline(StandardScaler(), clf)
    D = optuna.distributions
    space = {
        "kerasclassifier__model__n_layers": D.IntDistribution(1, 2),
        "kerasclassifier__model__units": D.IntDistribution(8, 128, log=True),
        "kerasclassifier__model__dropout": D.FloatDistribution(0.0, 0.5),
        "kerasclassifier__optimizer__learning_rate": D.FloatDistribution(1e-5, 3e-1, log=True),
        "kerasclassifier__batch_size": D.CategoricalDistribution([32, 64, 128]),
    }
    search = IntegrationSearchCV(pipe, space, n_trials=n_trials, cv=cv, random_state=seed,
                                 refit=False, verbose=0)
    start = time.perf_counter()
    try:
        search.fit(X, y)
    except Exception as exc:  # report rather than crash the benchmark
        return {**row, "note": f"failed: {type(exc).__name__}: {exc}"[:300]}
    wall = time.perf_counter() - start
    return {**row, "wall_time_s": round(wall, 2), "best_cv_score": round(float(search.best_score_), 4),
            "n_trials": len(search.trials_), "pruned": 0, "failed": 0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--no-integration", action="store_true",
                        help="skip optuna_integration.OptunaSearchCV")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "search.json"))
    args = parser.parse_args(argv)

    import optuna
    from sklearn.datasets import load_digits

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    X, y = load_digits(return_X_y=True)
    X = X.astype("float32")
    n_trials, epochs, cv = 30, 20, 3
    if args.quick:
        X, y = X[:300], y[:300]
        n_trials, epochs, cv = 3, 3, 2
    n_trials = args.trials or n_trials
    epochs = args.epochs or epochs
    seed = 0
    rows = []
    for pruner_name in ("none", "median"):
        rows.append(run_skdl(X, y, pruner_name=pruner_name, n_trials=n_trials, epochs=epochs,
                             cv=cv, seed=seed))
        print(f"done: {rows[-1]['search']}", file=sys.stderr)
    if not args.no_integration:
        rows.append(run_optuna_integration(X, y, n_trials=n_trials, epochs=epochs, cv=cv,
                                           seed=seed))

    print(f"\nDigits ({len(X)} samples), {n_trials} trials, {cv}-fold CV, {epochs} epochs\n")
    print("| search | wall time (s) | best CV accuracy | pruned | failed | note |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['search']} | {r.get('wall_time_s', '')} | {r.get('best_cv_score', '')} | "
              f"{r.get('pruned', '')} | {r.get('failed', '')} | {r.get('note', '')} |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    payload = {
        "dataset": "digits", "n_samples": len(X), "n_trials": n_trials, "epochs": epochs,
        "cv": cv, "quick": args.quick, "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "results": rows,
    }
    with open(args.out, "w") as fh:
        json.dump(payload, fh, indent=2)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
