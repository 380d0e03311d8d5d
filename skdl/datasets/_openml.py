"""OpenML datasets by name or id, through scikit-learn's ``fetch_openml``.

scikit-learn already caches OpenML's responses under ``<data_home>/openml``;
on top of that skdl keeps a plain ``<name>.csv`` copy of each fetched table,
which is also the place where a user without a network can drop a CSV or an
ARFF file by hand (``download=False`` then works from that file alone).
"""

from __future__ import annotations

from http.client import HTTPException
from pathlib import Path
import urllib.error

import numpy as np
import pandas as pd

from skdl.datasets._base import (
    DatasetUnavailableError,
    dataset_key,
    get_data_home,
    manual_placement_hint,
)

__all__ = ["OPENML_DATASETS", "fetch_openml_dataset"]

# Curated OpenML sets, addressed by name in fetch_dataset (any other OpenML
# set works through fetch_openml_dataset).
# ``size`` is the approximate size of the data file in bytes.
OPENML_DATASETS = {
    "sonar": dict(
        openml_name="sonar",
        version=1,
        data_id=40,
        target="Class",
        task="classification",
        n_samples=208,
        n_features=60,
        n_classes=2,
        size=90_000,
        description="UCI sonar returns: metal cylinder ('Mine') vs rock ('Rock')",
    ),
    "optdigits": dict(
        openml_name="optdigits",
        version=1,
        data_id=28,
        target="class",
        task="classification",
        n_samples=5620,
        n_features=64,
        n_classes=10,
        image_shape=(8, 8, 1),
        size=600_000,
        description="UCI optical digits, 8x8 counts 0-16 (3823 train + 1797 test)",
    ),
}

_NETWORK_ERRORS = (urllib.error.URLError, HTTPException, OSError, TimeoutError)


def _stem(name, data_id):
    return str(name).lower() if name is not None else f"openml-{int(data_id)}"


def local_openml_paths(name=None, data_id=None, data_home=None) -> list[Path]:
    """Files that stand in for an OpenML download: ``<stem>.csv`` then ``.arff``."""
    folder = get_data_home(data_home) / "openml"
    stem = _stem(name, data_id)
    return [folder / f"{stem}.csv", folder / f"{stem}.arff"]


def _read_arff(path: Path) -> pd.DataFrame:
    from scipy.io import arff

    try:
        records, meta = arff.loadarff(str(path))
    except Exception as exc:  # scipy raises ParseArffError, ValueError, ...
        raise ValueError(f"Could not parse ARFF file {path}: {exc}") from exc
    frame = pd.DataFrame(records)
    for col, kind in zip(meta.names(), meta.types()):
        if kind == "nominal":
            values = frame[col].map(lambda v: v.decode("utf8") if isinstance(v, bytes) else v)
            # scipy writes '?' (missing) as b'?'
            frame[col] = values.replace("?", np.nan).astype("category")
    return frame


def _read_local(path: Path, target_column, default_target):
    if path.suffix == ".arff":
        frame = _read_arff(path)
    else:
        from skdl.datasets._csv import read_table

        frame = read_table(path, sep=None)
    if target_column not in (None, "default-target"):
        target = target_column
    elif default_target in frame.columns:
        target = default_target
    else:
        # skdl writes its cached copies with the target last; ARFF files from
        # OpenML put it last too.
        target = frame.columns[-1]
    if target not in frame.columns:
        raise ValueError(
            f"Target column {target!r} is not in {path}; columns are {list(frame.columns)}."
        )
    y = frame[target]
    if y.dtype == object or pd.api.types.is_string_dtype(y):
        y = y.astype("category")
    return frame.drop(columns=[target]), y


def fetch_openml_dataset(
    name=None,
    *,
    data_id=None,
    version="active",
    data_home=None,
    download=True,
    target_column="default-target",
    as_frame=False,
    return_X_y=False,
    n_retries=3,
    delay=1.0,
):
    """Fetch any OpenML dataset by name or id, cached for offline use.

    Looks first for a local ``<data_home>/openml/<name>.csv`` (or ``.arff``;
    ``openml-<id>`` when fetched by id); otherwise calls
    :func:`sklearn.datasets.fetch_openml` with the same ``data_home`` and
    saves the table there as CSV (target column last).

    Parameters
    ----------
    name : str, default=None
        OpenML dataset name, e.g. ``"sonar"``. Give this or ``data_id``.
    data_id : int, default=None
        OpenML dataset id, e.g. ``40`` for sonar.
    version : int or "active", default="active"
        OpenML version when fetching by name.
    data_home : str or path-like, default=None
        Cache directory; see :func:`get_data_home`.
    download : bool, default=True
        If False, only the local file is used.
    target_column : str, default="default-target"
        Target column; OpenML's default target when not given.
    as_frame : bool, default=False
        Return a DataFrame and a Series instead of NumPy arrays.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    n_retries : int, default=3
        Retries on network errors (passed to ``fetch_openml``).
    delay : float, default=1.0
        Seconds between retries.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``data``, ``target``, ``feature_names``, ``target_names`` (class
        labels for classification, else None), ``task``, ``name``,
        ``DESCR`` and ``path`` (the local CSV/ARFF that was read or written).
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    DatasetUnavailableError
        When no local file exists and OpenML cannot be reached (or
        ``download=False``); the message says where to place a file.

    See Also
    --------
    fetch_dataset : The curated names (``"sonar"``, ``"optdigits"``, images).

    Examples
    --------
    >>> from skdl.datasets import fetch_openml_dataset
    >>> sonar = fetch_openml_dataset("sonar", version=1)  # doctest: +SKIP
    >>> sonar.data.shape  # doctest: +SKIP
    (208, 60)
    """
    from sklearn.utils import Bunch

    from skdl.datasets._csv import infer_task

    if (name is None) == (data_id is None):
        raise ValueError("Give exactly one of 'name' or 'data_id' to fetch_openml_dataset.")
    label = name if name is not None else f"OpenML id {data_id}"
    spec = OPENML_DATASETS.get(dataset_key(name), {}) if name is not None else {}
    default_target = spec.get("target")
    paths = local_openml_paths(name, data_id, data_home)
    local = next((p for p in paths if p.is_file()), None)
    page = (
        f"https://www.openml.org/d/{data_id or spec['data_id']}"
        if (data_id or spec.get("data_id"))
        else f"https://www.openml.org/search?type=data&query={name}"
    )
    if local is not None:
        X, y = _read_local(local, target_column, default_target)
    elif not download:
        raise DatasetUnavailableError(
            f"Dataset {label!r} is not in the cache and download=False.\n"
            + manual_placement_hint(label, [(page + "  (CSV with a header, or ARFF)", paths[0])])
        )
    else:
        from sklearn.datasets import fetch_openml

        home = get_data_home(data_home)
        try:
            fetched = fetch_openml(
                name=name,
                data_id=data_id,
                version=version if name is not None else "active",
                data_home=home,
                target_column=target_column,
                as_frame=True,
                n_retries=n_retries,
                delay=delay,
                parser="auto",
            )
        except _NETWORK_ERRORS as exc:
            reason = getattr(exc, "reason", None) or exc
            raise DatasetUnavailableError(
                f"Could not download {label!r} from OpenML ({reason}). There seems "
                "to be no network connection to openml.org.\n"
                + manual_placement_hint(label, [(page + "  (CSV with a header, or ARFF)", paths[0])])
            ) from None
        X, y = fetched.data, fetched.target
        if isinstance(y, pd.Series):
            paths[0].parent.mkdir(parents=True, exist_ok=True)
            pd.concat([X, y], axis=1).to_csv(paths[0], index=False)
        local = paths[0]
    feature_names = [str(c) for c in X.columns]
    task = infer_task(y)
    target_names = None
    if task == "classification":
        target_names = [str(c) for c in (y.cat.categories if hasattr(y, "cat") else pd.unique(y.dropna()))]
    if not as_frame:
        X = X.to_numpy()
        y = y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y
        if task == "classification":
            y = np.asarray(y, dtype=object)
    if return_X_y:
        return X, y
    shape_note = f" Pixels: reshape to {spec['image_shape']}." if "image_shape" in spec else ""
    bunch = Bunch(
        data=X,
        target=y,
        feature_names=feature_names,
        target_names=target_names,
        task=task,
        name=str(name).lower() if name is not None else f"openml-{data_id}",
        path=str(local),
        DESCR=(spec.get("description", f"OpenML dataset {label}") + f" ({page}).{shape_note}"),
    )
    if "image_shape" in spec:
        bunch.image_shape = spec["image_shape"]
    return bunch
