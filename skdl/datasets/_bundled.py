"""Small datasets shipped inside scikit-learn, loaded with no network."""

from __future__ import annotations

import importlib.util
import os

from skdl.datasets._catalog import BUNDLED, DOWNLOADABLE, dataset_key, unknown_name_message

__all__ = ["load_dataset"]

def bundled_size(name: str) -> int | None:
    """Bytes the dataset's files take inside scikit-learn's package."""
    # found without importing scikit-learn (list_datasets stays quick)
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data")
    try:
        return sum(os.path.getsize(os.path.join(folder, f)) for f in BUNDLED[name]["files"])
    except OSError:
        return None


def load_dataset(name, *, as_frame=False, return_X_y=False):
    """Load a small dataset bundled with scikit-learn (no network needed).

    Parameters
    ----------
    name : {"breast_cancer", "diabetes", "digits", "iris", "wine"}
        Which dataset. Case-insensitive; ``-`` may replace ``_``.
    as_frame : bool, default=False
        Return ``data`` as a pandas DataFrame and ``target`` as a Series
        (``frame`` holds both), as scikit-learn's loaders do.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        With keys ``data``, ``target``, ``feature_names``, ``target_names``
        (None for regression), ``DESCR``, ``task`` (``"classification"`` or
        ``"regression"``), ``name``, and for ``digits`` also ``images``
        (n, 8, 8) and ``image_shape`` ``(8, 8, 1)``: reshape ``data`` to
        ``(-1, *image_shape)`` to feed a CNN.
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    ValueError
        For an unknown name; a downloadable name points to
        :func:`fetch_dataset`.

    See Also
    --------
    fetch_dataset : Datasets that are downloaded once and cached.
    list_datasets : Every dataset with its task and size.

    Examples
    --------
    >>> from skdl.datasets import load_dataset
    >>> iris = load_dataset("iris")
    >>> iris.data.shape, iris.task
    ((150, 4), 'classification')
    >>> X, y = load_dataset("digits", return_X_y=True)
    >>> X.reshape(-1, 8, 8, 1).shape
    (1797, 8, 8, 1)
    """
    key = dataset_key(name)
    if key not in BUNDLED:
        if key in DOWNLOADABLE:
            raise ValueError(
                f"Dataset {name!r} is not bundled: it is downloaded on first use. "
                f"Use skdl.datasets.fetch_dataset({key!r}) instead."
            )
        raise ValueError(unknown_name_message("bundled dataset", name, BUNDLED))
    spec = BUNDLED[key]
    from sklearn import datasets as skd
    from sklearn.utils import Bunch

    bunch = getattr(skd, spec["loader"])(as_frame=as_frame)
    if return_X_y:
        return bunch.data, bunch.target
    bunch.task = spec["task"]
    bunch.name = key
    bunch.setdefault("target_names", None)
    if "image_shape" in spec:
        bunch.image_shape = spec["image_shape"]
    # Regression sets have no class names; say so explicitly so callers can
    # test ``bunch.target_names is None`` instead of catching KeyError.
    if spec["task"] == "regression":
        bunch.target_names = None
    return Bunch(**bunch)
