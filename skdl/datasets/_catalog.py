"""The one catalogue of named datasets: which names exist, where each comes from.

:func:`dataset_key` normalises a name once (case, spaces, ``-``/``_``, the
usual alternative spellings); :data:`BUNDLED` (scikit-learn's files),
:data:`IMAGE_DATASETS` and :data:`OPENML_DATASETS` (downloaded once) describe
every dataset without loading it. :func:`load_dataset`,
:func:`fetch_dataset` and :func:`list_datasets` all read these tables, and an
unknown name gets one message with the closest names.
"""

from __future__ import annotations

from skdl.datasets._base import dataset_key
from skdl.datasets._images import IMAGE_DATASETS
from skdl.datasets._openml import OPENML_DATASETS
from skdl.utils import did_you_mean

__all__ = ["BUNDLED", "DOWNLOADABLE", "IMAGE_DATASETS", "OPENML_DATASETS", "all_names",
           "check_dataset_name", "dataset_key", "unknown_name_message"]

# name -> (name of the sklearn.datasets loader, task, n_samples, n_features, n_classes, data files,
# description). The numbers are checked against the loaders in the tests, so
# list_datasets() can describe a dataset without loading it.
BUNDLED = {
    "breast_cancer": dict(
        loader="load_breast_cancer",
        task="classification",
        n_samples=569,
        n_features=30,
        n_classes=2,
        files=("breast_cancer.csv",),
        description="Wisconsin diagnostic breast cancer (malignant vs benign)",
    ),
    "diabetes": dict(
        loader="load_diabetes",
        task="regression",
        n_samples=442,
        n_features=10,
        n_classes=None,
        files=("diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"),
        description="Disease progression one year after baseline",
    ),
    "digits": dict(
        loader="load_digits",
        task="classification",
        n_samples=1797,
        n_features=64,
        n_classes=10,
        image_shape=(8, 8, 1),
        files=("digits.csv.gz",),
        description="Optical recognition of handwritten digits, 8x8 (optdigits test part)",
    ),
    "iris": dict(
        loader="load_iris",
        task="classification",
        n_samples=150,
        n_features=4,
        n_classes=3,
        files=("iris.csv",),
        description="Fisher's iris flowers, 3 species",
    ),
    "wine": dict(
        loader="load_wine",
        task="classification",
        n_samples=178,
        n_features=13,
        n_classes=3,
        files=("wine_data.csv",),
        description="Chemical analysis of wines from 3 cultivars",
    ),
}

#: Every dataset that is downloaded on first use, by name.
DOWNLOADABLE = {**IMAGE_DATASETS, **OPENML_DATASETS}


def all_names() -> list[str]:
    """Every name :func:`fetch_dataset` accepts, bundled first."""
    return [*BUNDLED, *DOWNLOADABLE]


def unknown_name_message(kind: str, name, known) -> str:
    """'Unknown dataset ...; expected one of [...]. Did you mean ...?'"""
    known = sorted(known)
    return f"Unknown {kind} {name!r}; expected one of {known}.{did_you_mean(dataset_key(name), known, n=2)}"


def check_dataset_name(name) -> str:
    """The catalogue key of dataset ``name``, or a ValueError naming the known ones.

    Nothing is loaded or downloaded, so a command line can check ``--dataset``
    before it does any work.

    Parameters
    ----------
    name : str
        A dataset name as :func:`skdl.datasets.fetch_dataset` takes it (case,
        ``-`` and ``_`` do not matter).

    Returns
    -------
    key : str

    Raises
    ------
    ValueError
        With a "did you mean" hint.
    """
    key = dataset_key(name)
    if key not in all_names():
        raise ValueError(unknown_name_message("dataset", name, all_names()))
    return key
