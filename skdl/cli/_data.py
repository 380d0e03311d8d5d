"""Data for the commands: a dataset or a CSV, its task, the test split.

Everything the model needs to turn raw columns into numbers goes into the
saved Pipeline (see :func:`make_pipeline`), so ``skdl predict`` can take the
same raw CSV columns later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skdl.cli._common import CLIError, UsageError

__all__ = ["Data", "describe_source", "load_data", "make_pipeline", "split"]


@dataclass
class Data:
    """Features, target and what is known about them."""

    X: Any
    y: Any
    task: str
    task_reason: str
    task_inferred: bool
    source: dict  # {"dataset": name} or {"csv": path, "target": column, ...}
    name: str
    image_shape: tuple | None = None
    target_names: list | None = None
    tabular_frame: bool = True  # X is a DataFrame (CSV, bundled sets)
    notes: list = field(default_factory=list)

    @property
    def n_classes(self) -> int | None:
        if self.task != "classification":
            return None
        import pandas as pd

        return int(pd.Series(self.y).nunique())


def describe_source(source: dict) -> str:
    """``--dataset iris`` or ``--csv data.csv --target y`` for messages."""
    if "dataset" in source:
        return f"--dataset {source['dataset']}"
    return f"--csv {source['csv']} --target {source['target']}"


def _parse_target(target: str | None):
    if target is None:
        return None
    text = target.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return target


def load_data(args, *, task: str | None = None) -> Data:
    """Load ``--dataset`` or ``--csv``/``--target`` and decide the task.

    Raises
    ------
    CLIError, CSVError, FileNotFoundError, DatasetUnavailableError
        With a message naming the problem.
    """
    if getattr(args, "dataset", None):
        if getattr(args, "target", None):
            raise UsageError("--target is for --csv; a --dataset has its own target.")
        data = _load_named(args.dataset)
    elif getattr(args, "csv", None):
        if not args.target:
            raise UsageError(f"--csv {args.csv} needs --target COLUMN: the column to predict.")
        data = _load_csv(args.csv, _parse_target(args.target), sep=args.sep, drop=args.drop)
    else:  # argparse requires one of them where it matters
        raise UsageError("no data: pass --dataset NAME or --csv PATH --target COLUMN.")
    _decide_task(data, task if task is not None else getattr(args, "task", None))
    _check_target(data)
    return data


def _load_named(name: str) -> Data:
    import numpy as np
    import pandas as pd

    from skdl.datasets import check_dataset_name, fetch_dataset

    try:
        check_dataset_name(name)  # before anything is loaded or downloaded
    except ValueError as exc:
        raise UsageError(f"--dataset: {exc} See 'skdl datasets'.") from None
    try:
        bunch = fetch_dataset(name, as_frame=True)
    except ValueError as exc:
        if "as_frame" not in str(exc):
            raise CLIError(str(exc)) from None
        bunch = fetch_dataset(name)  # image sets come as arrays
    X = bunch.data
    image_shape = tuple(bunch["image_shape"]) if bunch.get("image_shape") is not None else None
    tabular = isinstance(X, pd.DataFrame)
    if not tabular:
        X = np.asarray(X)
        X = X.reshape(len(X), -1).astype(np.float32)  # networks see flat rows; CNNs reshape
    y = bunch.target
    names = bunch.get("target_names")
    names = None if names is None else [str(n) for n in np.asarray(names).tolist()]
    if names is None and bunch.get("class_names") is not None:
        names = [str(n) for n in bunch["class_names"]]
    return Data(
        X=X,
        y=y,
        task=bunch.get("task", ""),
        task_reason=f"the dataset {bunch.get('name', name)!r} is a {bunch.get('task')} task",
        task_inferred=False,
        source={"dataset": str(bunch.get("name", name))},
        name=str(bunch.get("name", name)),
        image_shape=image_shape,
        target_names=names,
        tabular_frame=tabular,
    )


def _load_csv(path: str, target, *, sep=None, drop=None) -> Data:
    import os

    from skdl.datasets import load_csv

    X, y = load_csv(path, target, sep=sep, drop=drop)
    return Data(
        X=X,
        y=y,
        task="",
        task_reason="",
        task_inferred=True,
        source={"csv": os.path.abspath(path), "target": str(y.name), "sep": sep, "drop": drop},
        name=os.path.basename(path),
    )


def _decide_task(data: Data, requested: str | None) -> None:
    import numpy as np
    import pandas as pd
    from sklearn.utils.multiclass import type_of_target

    from skdl.datasets import infer_task

    y = pd.Series(np.asarray(data.y) if not isinstance(data.y, pd.Series) else data.y)
    target = data.source.get("target", "target")
    if requested is None:
        if "dataset" in data.source and data.task:
            return
        data.task, data.task_reason = infer_task(y, return_reason=True)
        data.task_inferred = True
        return
    data.task_inferred = False
    data.task_reason = "--task"
    if requested == "regression" and not pd.api.types.is_numeric_dtype(y):
        example = y.dropna().astype(str).iloc[0] if len(y.dropna()) else ""
        raise CLIError(
            f"--task regression needs a numeric target, but {target!r} holds text "
            f"(e.g. {example!r}); use --task classification."
        )
    if requested == "classification" and pd.api.types.is_numeric_dtype(y):
        kind = type_of_target(y.to_numpy())
        if kind in ("continuous", "continuous-multioutput"):
            raise CLIError(
                f"--task classification needs class labels, but {target!r} holds "
                f"continuous values ({y.nunique()} distinct, e.g. {y.iloc[0]!r}); use "
                "--task regression."
            )
    if requested != data.task and data.task and "dataset" in data.source:
        data.notes.append(f"--task {requested} overrides the dataset's {data.task} task")
    data.task = requested


def _check_target(data: Data) -> None:
    import pandas as pd

    y = pd.Series(data.y)
    target = data.source.get("target", "target")
    if len(y) == 0:
        raise CLIError(f"no rows to learn from in {describe_source(data.source)}.")
    if data.task == "classification":
        counts = y.value_counts()
        if len(counts) < 2:
            raise CLIError(
                f"the target {target!r} has only one class ({counts.index[0]!r} in all "
                f"{len(y)} rows): a classifier needs at least two."
            )
    elif y.nunique() < 2:
        raise CLIError(
            f"the target {target!r} is constant ({y.iloc[0]!r} in all {len(y)} rows): "
            "there is nothing to predict."
        )


def split(data: Data, *, test_size: float, seed: int):
    """Hold out a test split (stratified for classification).

    Returns
    -------
    X_train, X_test, y_train, y_test
    """
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import train_test_split

    y = data.y
    stratify = None
    if data.task == "classification":
        counts = pd.Series(np.asarray(y)).value_counts()
        rare = counts[counts < 2]
        if len(rare):
            shown = ", ".join(repr(c) for c in rare.index[:5].tolist())
            raise CLIError(
                f"class(es) {shown} of the target have a single row; a stratified test split "
                "needs at least 2 rows per class (remove those rows or merge the classes)."
            )
        stratify = y
        n_test = int(np.ceil(test_size * len(y)))
        if n_test < len(counts) or len(y) - n_test < len(counts):
            raise CLIError(
                f"--test-size {test_size} holds out {n_test} of {len(y)} rows, but a stratified "
                f"split needs at least one row of each of the {len(counts)} classes on both sides."
            )
    return train_test_split(data.X, y, test_size=test_size, random_state=seed, stratify=stratify)


def check_cv(y_train, task: str, cv: int) -> None:
    """Raise a readable error when ``cv`` folds cannot be made from ``y_train``."""
    import numpy as np
    import pandas as pd

    n = len(y_train)
    if cv > n:
        raise CLIError(f"--cv {cv} needs at least {cv} training rows; there are {n}.")
    if task == "classification":
        counts = pd.Series(np.asarray(y_train)).value_counts()
        if counts.min() < cv:
            raise CLIError(
                f"--cv {cv}: class {counts.idxmin()!r} has only {int(counts.min())} training "
                f"row(s), fewer than the {cv} stratified folds; lower --cv."
            )


def make_pipeline(data: Data, estimator):
    """Preprocessing + estimator as one Pipeline (what model.joblib holds).

    CSV columns get :func:`skdl.datasets.make_preprocessor` (imputation,
    scaling, one-hot encoding; ID-like and constant columns left out with a
    warning). Datasets' columns go through
    :func:`skdl.datasets.numeric_pipeline` (text cells that are not numbers
    become missing, then imputed; standardised) and are all kept, so an image
    keeps its shape for a CNN and ``skdl predict`` treats a stray cell the
    same way for both.
    """
    from sklearn.pipeline import Pipeline

    from skdl.datasets import make_preprocessor, numeric_pipeline

    if "csv" in data.source:
        return Pipeline([("preprocess", make_preprocessor(data.X)), ("model", estimator)])
    return Pipeline([("preprocess", numeric_pipeline(keep_empty_features=True)), ("model", estimator)])

