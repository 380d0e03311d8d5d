"""(j) Training length: which stop rule gives the best *untuned* network on the panel?

Issue 13 asks for a training length chosen by measurement. This runs 5-fold CV
(stratified for classification, seed 0) of skdl's MLP with its defaults except
the rule under test, behind a StandardScaler, on panel sets (``_panel.py``):

* ``cli_old``: what ``skdl tune`` used to train its trials with: ``(64,)``,
  30 epochs, patience 5 on the training loss;
* ``converge``: the estimators' default, 200 epochs, patience 10 on the
  training loss (scikit-learn's ``n_iter_no_change``/``tol`` rule);
* ``early_stop``: ``early_stopping=True`` (10 % validation split of the
  training part, patience 10, best weights restored; under 30 validation rows
  the estimator falls back to the training loss);
* ``early_stop_p20``: the same with patience 20 and 300 epochs;
* ``batch_auto``: scikit-learn's batch rule, ``batch_size="auto"``
  (``min(200, n)``), 200 epochs;
* ``batch64``: batch 64;
* ``epochs_auto``: a budget in weight updates, ``epochs="auto"`` (about
  ``AUTO_UPDATES`` = 5 000 updates on the fold's training rows, 10 to 2 000
  epochs), batch 32, patience 10; ``updates2k`` and ``updates10k``: the same
  budget rule with 2 000 and 10 000 updates, to choose the constant;
* ``auto_both``: ``batch_size="auto"`` and ``epochs="auto"``; ``auto_both_10k``
  with 10 000 updates.

It prints one table (mean CV score, seconds) and writes
``benchmarks/results/training_length.json``. The result decides what the search
does (docs/tuning.md): no rule wins on every set, so ``default_space(...,
n_samples=...)`` lets cross-validation choose ``early_stopping``.

Usage::

    KERAS_BACKEND=tensorflow python benchmarks/bench_training_length.py
    python benchmarks/bench_training_length.py --sets mroz,cps1985 --rules converge,early_stop
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import RESULTS, machine_info, markdown_table  # noqa: E402
from _panel import PANEL, check_panel, load_set  # noqa: E402

RULES = {
    "cli_old": dict(hidden_layer_sizes=(64,), epochs=30, patience=5),
    "converge": dict(epochs=200, patience=10),
    "early_stop": dict(epochs=200, patience=10, early_stopping=True),
    "early_stop_p20": dict(epochs=300, patience=20, early_stopping=True),
    "batch_auto": dict(epochs=200, patience=10, batch_size="auto"),
    "batch64": dict(epochs=200, patience=10, batch_size=64),
    "epochs_auto": dict(epochs="auto", patience=10),
    "updates2k": dict(epochs="auto", patience=10, updates=2000),
    "updates10k": dict(epochs="auto", patience=10, updates=10000),
    "auto_both": dict(epochs="auto", patience=10, batch_size="auto"),
    "auto_both_10k": dict(epochs="auto", patience=10, batch_size="auto", updates=10000),
}
DEFAULT_SETS = ("mroz", "womenlf", "prestige", "cps1985", "diabetes_groups", "salaries",
                "breast_cancer", "diabetes")


def score(name: str, rule: str) -> tuple[float, float, float]:
    """(mean, std, seconds) of the 5-fold CV of one rule on one set."""
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skdl

    X, y, _ = load_set(name)
    clf = PANEL[name]["task"] == "classification"
    cv = (StratifiedKFold if clf else KFold)(5, shuffle=True, random_state=0)
    params = dict(RULES[rule])
    updates = params.pop("updates", None)
    if updates is not None:  # epochs="auto"'s rule with another budget, on a fold's training rows
        from skdl.estimators._data import auto_epochs, resolve_batch_size

        rows = int(len(y) * 0.8)
        params["epochs"] = auto_epochs(rows, resolve_batch_size(params.get("batch_size", 32), rows, owner=""),
                                       updates)
    est = (skdl.MLPClassifier if clf else skdl.MLPRegressor)(random_state=0, **params)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=cv,
                            scoring="accuracy" if clf else "r2")
    return float(s.mean()), float(s.std()), time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=",".join(DEFAULT_SETS))
    p.add_argument("--rules", default=",".join(RULES))
    p.add_argument("--out", default=str(RESULTS / "training_length.json"))
    args = p.parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    check_panel(sets)
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        p.error(f"unknown --rules {unknown}; expected some of {sorted(RULES)}")
    results: dict = {}
    for name in sets:
        for rule in rules:
            mean, std, seconds = score(name, rule)
            results.setdefault(name, {})[rule] = {"mean": mean, "std": std, "seconds": seconds}
            print(f"{name:16s} {rule:15s} {mean:.4f} ± {std:.3f} {seconds:6.1f}s", flush=True)
    rows = []
    for name, by_rule in results.items():
        best = max(by_rule.values(), key=lambda r: r["mean"])["mean"]
        rows.append([name] + [f"{by_rule[r]['mean']:.3f}" + (" *" if by_rule[r]["mean"] == best else "")
                              for r in rules])
    table = markdown_table(["set (5-fold CV; * best)"] + rules, rows)
    print(table)
    doc = {"benchmark": "training_length", "machine": machine_info(), "rules": {r: RULES[r] for r in rules},
           "results": results, "table": table}
    Path(args.out).write_text(json.dumps(doc, indent=1, default=str))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
