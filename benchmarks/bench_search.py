"""(d) The same 20-trial Optuna search on digits, by four searchers.

3-fold CV, 20 epochs, batch 32, TPE (seed 0), a StandardScaler in front; the
space (``SPACE``): 1-2 hidden layers of 8-128 units (log), dropout 0-0.5, L2
1e-6-1e-2 (log), optimizer adam or sgd, learning rate 1e-4-1e-1 (log).

* ``skdl.tuning.OptunaSearchCV`` over ``skdl.MLPClassifier`` with ``NopPruner``
  and with ``MedianPruner`` (epoch-level pruning on fold 0);
* the same searcher over sklearn's ``MLPClassifier`` (no dropout: that dimension
  is left out; ``alpha = 2 * l2 * batch_size`` gives the same penalty per batch);
* ``optuna_integration.OptunaSearchCV`` over scikeras (tag fixed so folds are
  stratified; it prunes only through ``partial_fit``, so it runs without pruning).

Each skdl row starts with skdl's network pool emptied (and JAX's compile
caches cleared), so it pays for every graph it uses. Every network trains
exactly 20 epochs (skdl ``patience=None``, sklearn ``tol=0``). skdl runs on
``KERAS_BACKEND`` (TensorFlow by default, the backend the ``skdl`` command
picks for searches); ``SKDL_NUM_THREADS=1`` gives TensorFlow the one intra-op
thread ``skdl tune`` uses for tabular networks (sklearn's rows are
unaffected). Prints a markdown table (wall time, ratio to sklearn's MLP, best
CV accuracy, pruned trials) and writes ``benchmarks/results/search.json``.

Usage::

    python benchmarks/bench_search.py            # 20 trials, 3-fold CV, 20 epochs
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


# The search space of issue (d), shared by every library. sklearn's MLP has no
# dropout, so its space has no dropout dimension; its L2 penalty `alpha` is
# scaled to match Keras' l2 (sklearn adds 0.5 * alpha * ||w||^2 / batch_size to a
# batch's loss, Keras l2 * ||w||^2): alpha = 2 * l2 * batch_size.
BATCH_SIZE = 32
SPACE = {
    "n_layers": (1, 2),
    "units": (8, 128),  # log scale
    "dropout": (0.0, 0.5),
    "l2": (1e-6, 1e-2),  # log scale
    "optimizer": ["adam", "sgd"],
    "learning_rate": (1e-4, 1e-1),  # log scale
}


def _space(prefix: str) -> dict:
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    from skdl.tuning import LayerSpace

    return {
        f"{prefix}hidden_layer_sizes": LayerSpace(SPACE["n_layers"], SPACE["units"]),
        f"{prefix}dropout": FloatDistribution(*SPACE["dropout"]),
        f"{prefix}l2": FloatDistribution(*SPACE["l2"], log=True),
        f"{prefix}optimizer": CategoricalDistribution(SPACE["optimizer"]),
        f"{prefix}learning_rate": FloatDistribution(*SPACE["learning_rate"], log=True),
    }


def _summary(search, wall: float, row: dict) -> dict:
    states = list(search.cv_results_["state"])
    return {
        **row,
        "wall_time_s": round(wall, 2),
        "best_cv_score": round(float(search.best_score_), 4),
        "n_trials": search.n_trials_,
        "pruned": states.count("PRUNED"),
        "failed": states.count("FAIL"),
    }


PRUNER_LABELS = {
    "none": "no pruning",
    "median": "MedianPruner(n_startup_trials=5, n_warmup_steps=epochs/5)",
    "sha": "SuccessiveHalvingPruner(min_resource=2, reduction_factor=3)",
    "hyperband": "HyperbandPruner(min_resource=2, max_resource=epochs, reduction_factor=3)",
}


def make_pruner(name: str, epochs: int):
    """The pruners compared; steps are epochs trained on fold 0."""
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=max(1, epochs // 5))
    if name == "sha":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=2, reduction_factor=3)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=2, max_resource=epochs, reduction_factor=3)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"pruner must be one of {sorted(PRUNER_LABELS)}; got {name!r}")


def run_skdl(X, y, *, pruner_name: str, n_trials: int, epochs: int, cv: int, seed: int) -> dict:
    import optuna
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skdl
    from skdl.tuning import OptunaSearchCV

    pipe = make_pipeline(
        StandardScaler(),
        skdl.MLPClassifier(hidden_layer_sizes=(32,), epochs=epochs, batch_size=BATCH_SIZE,
                           patience=None, random_state=seed),
    )
    pruner = make_pruner(pruner_name, epochs)
    # every row builds and compiles its own networks: an earlier row's graphs
    # left in skdl's pool (and JAX's caches) would make a later row look faster
    from skdl.training._pool import POOL

    POOL.clear()
    search = OptunaSearchCV(
        pipe, _space("mlpclassifier__"), n_trials=n_trials, cv=cv, pruner=pruner,
        random_state=seed, refit=False,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    import keras

    backend = keras.backend.backend()
    threads = os.environ.get("SKDL_NUM_THREADS")
    if backend == "tensorflow" and threads:  # e.g. 1, as `skdl tune` sets for tabular networks
        backend += f", {threads} op thread{'s' if threads != '1' else ''}"
    return _summary(search, wall, {
        "search": f"skdl.tuning.OptunaSearchCV, skdl.MLPClassifier [{backend}], "
                  f"{PRUNER_LABELS[pruner_name]}"})


def run_sklearn(X, y, *, n_trials: int, epochs: int, cv: int, seed: int) -> dict:
    """sklearn's MLPClassifier over the same space (no dropout), searched by skdl's OptunaSearchCV."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skdl.tuning import LayerSpace, OptunaSearchCV

    class SklearnMLP(ClassifierMixin, BaseEstimator):
        # skdl's parameter names, so both searches sample the same space
        def __init__(self, hidden_layer_sizes=(32,), l2=0.0, optimizer="adam", learning_rate=1e-3,
                     epochs=20, random_state=None):
            self.hidden_layer_sizes = hidden_layer_sizes
            self.l2 = l2
            self.optimizer = optimizer
            self.learning_rate = learning_rate
            self.epochs = epochs
            self.random_state = random_state

        def fit(self, X, y):
            self.mlp_ = MLPClassifier(
                hidden_layer_sizes=self.hidden_layer_sizes, alpha=2 * self.l2 * BATCH_SIZE,
                solver=self.optimizer, momentum=0.0, nesterovs_momentum=False,
                learning_rate_init=self.learning_rate, batch_size=BATCH_SIZE, max_iter=self.epochs,
                tol=0.0, n_iter_no_change=10**9, random_state=self.random_state,
            ).fit(X, y)
            self.classes_ = self.mlp_.classes_
            return self

        def predict(self, X):
            return self.mlp_.predict(X)

    space = {
        "sklearnmlp__hidden_layer_sizes": LayerSpace(SPACE["n_layers"], SPACE["units"]),
        "sklearnmlp__l2": FloatDistribution(*SPACE["l2"], log=True),
        "sklearnmlp__optimizer": CategoricalDistribution(SPACE["optimizer"]),
        "sklearnmlp__learning_rate": FloatDistribution(*SPACE["learning_rate"], log=True),
    }
    pipe = make_pipeline(StandardScaler(), SklearnMLP(epochs=epochs, random_state=seed))
    search = OptunaSearchCV(pipe, space, n_trials=n_trials, cv=cv, random_state=seed, refit=False)
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    return _summary(search, wall, {
        "search": "skdl.tuning.OptunaSearchCV, sklearn MLPClassifier (same space without dropout)"})


def run_optuna_integration(X, y, *, n_trials: int, epochs: int, cv: int, seed: int) -> dict:
    row = {"search": "optuna_integration.OptunaSearchCV, scikeras [tensorflow], no pruning"}
    try:
        import optuna
        from optuna_integration import OptunaSearchCV as IntegrationSearchCV
        from scikeras.wrappers import KerasClassifier
    except ImportError as exc:
        return {**row, "note": f"not run: {exc}"}
    import keras
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # LayerSpace draws one width per layer; optuna-integration has no
    # conditional spaces, so units_2 is drawn always and unused with one layer.
    def build(n_layers=1, units_1=32, units_2=32, dropout=0.0, l2=0.0, meta=None):
        model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
        for units in (units_1, units_2)[:n_layers]:
            model.add(keras.layers.Dense(units, activation="relu",
                                         kernel_regularizer=keras.regularizers.l2(l2)))
            model.add(keras.layers.Dropout(dropout))
        model.add(keras.layers.Dense(meta["n_classes_"], activation="softmax",
                                     kernel_regularizer=keras.regularizers.l2(l2)))
        return model

    class Classifier(KerasClassifier):
        # scikeras 0.13 sets only the pre-1.6 _estimator_type; without the tag
        # sklearn 1.9 would not stratify the folds (see benchmarks/README.md)
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.estimator_type = "classifier"
            return tags

    clf = Classifier(build, loss="sparse_categorical_crossentropy", optimizer="adam",
                     epochs=epochs, batch_size=BATCH_SIZE, verbose=0, random_state=seed,
                     model__n_layers=1, model__units_1=32, model__units_2=32, model__dropout=0.0,
                     model__l2=0.0)
    pipe = make_pipeline(StandardScaler(), clf)
    D = optuna.distributions
    space = {
        "classifier__model__n_layers": D.IntDistribution(*SPACE["n_layers"]),
        "classifier__model__units_1": D.IntDistribution(*SPACE["units"], log=True),
        "classifier__model__units_2": D.IntDistribution(*SPACE["units"], log=True),
        "classifier__model__dropout": D.FloatDistribution(*SPACE["dropout"]),
        "classifier__model__l2": D.FloatDistribution(*SPACE["l2"], log=True),
        "classifier__optimizer": D.CategoricalDistribution(SPACE["optimizer"]),
        "classifier__optimizer__learning_rate": D.FloatDistribution(*SPACE["learning_rate"], log=True),
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


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for dist in ("skdl", "scikit-learn", "keras", "tensorflow", "jax", "optuna", "scikeras",
                 "optuna-integration"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    out["keras_backend"] = os.environ.get("KERAS_BACKEND", "tensorflow")
    out["SKDL_NUM_THREADS"] = os.environ.get("SKDL_NUM_THREADS")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--pruners", default="none,median,sha",
                        help=f"skdl rows, comma-separated among {sorted(PRUNER_LABELS)} "
                             "(default none,median,sha; 'none' first: the pruning speed-ups use it)")
    parser.add_argument("--only-skdl", action="store_true",
                        help="skdl rows only (no sklearn, no optuna-integration)")
    parser.add_argument("--no-integration", action="store_true",
                        help="skip optuna_integration.OptunaSearchCV")
    parser.add_argument("--out", default=None,
                        help="JSON path (default results/search.json, with --quick search_quick.json)")
    args = parser.parse_args(argv)
    if args.out is None:
        name = "search_quick.json" if args.quick else "search.json"
        args.out = os.path.join(HERE, "results", name)

    import optuna
    from sklearn.datasets import load_digits

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    X, y = load_digits(return_X_y=True)
    X = X.astype("float32")
    n_trials, epochs, cv = 20, 20, 3
    if args.quick:
        X, y = X[:300], y[:300]
        n_trials, epochs, cv = 3, 3, 2
    n_trials = args.trials or n_trials
    epochs = args.epochs or epochs
    seed = 0
    load_before = os.getloadavg()
    # Import Keras and initialise the backend before any timed row, so the first
    # row does not pay them (~4 s on TensorFlow); every row then starts warm.
    import sklearn.neural_network  # noqa: F401

    import skdl

    skdl.MLPClassifier(hidden_layer_sizes=(4,), epochs=1, patience=None, random_state=0).fit(X[:60], y[:60])
    rows = []
    for pruner_name in args.pruners.split(","):
        rows.append(run_skdl(X, y, pruner_name=pruner_name, n_trials=n_trials, epochs=epochs,
                             cv=cv, seed=seed))
        print(f"done: {rows[-1]['search']}", file=sys.stderr)
    n_skdl = len(rows)
    if not args.only_skdl:
        rows.append(run_sklearn(X, y, n_trials=n_trials, epochs=epochs, cv=cv, seed=seed))
        print(f"done: {rows[-1]['search']}", file=sys.stderr)
    if not (args.no_integration or args.only_skdl):
        rows.append(run_optuna_integration(X, y, n_trials=n_trials, epochs=epochs, cv=cv,
                                           seed=seed))
    ref = rows[n_skdl].get("wall_time_s") if len(rows) > n_skdl else None  # sklearn's MLP
    nopruner = rows[0].get("wall_time_s") if args.pruners.split(",")[0] == "none" else None
    for r in rows:
        if ref and r.get("wall_time_s"):
            r["x_sklearn"] = round(r["wall_time_s"] / ref, 2)
        if nopruner and r.get("wall_time_s") and r["search"].startswith("skdl.tuning.OptunaSearchCV, skdl"):
            r["speedup_vs_no_pruner"] = round(nopruner / r["wall_time_s"], 2)

    print(f"\nDigits ({len(X)} samples), {n_trials} trials, {cv}-fold CV, {epochs} epochs\n")
    print("| search | wall time (s) | × sklearn MLP | speed-up vs no pruning | best CV accuracy | pruned "
          "| failed | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['search']} | {r.get('wall_time_s', '')} | {r.get('x_sklearn', '')} | "
              f"{r.get('speedup_vs_no_pruner', '')} | "
              f"{r.get('best_cv_score', '')} | {r.get('pruned', '')} | {r.get('failed', '')} | "
              f"{r.get('note', '')} |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    payload = {
        "dataset": "digits", "n_samples": len(X), "n_trials": n_trials, "epochs": epochs,
        "cv": cv, "quick": args.quick, "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "load_before": load_before, "load_after": os.getloadavg(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "versions": _versions(), "space": SPACE,
        "results": rows,
    }
    with open(args.out, "w") as fh:
        json.dump(payload, fh, indent=2)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
