"""Datasets for skdl: bundled, downloadable (cached for offline use) and CSV.

* :func:`load_dataset` - small sets shipped with scikit-learn (iris, digits,
  wine, breast_cancer, diabetes); no network.
* :func:`fetch_dataset` - the same plus Fashion-MNIST, MNIST, CIFAR-10/100 and
  OpenML's sonar/optdigits, downloaded once into ``~/.skdl/datasets`` (or
  ``$SKDL_DATA``); files already in Keras's cache are reused.
* :func:`fetch_openml_dataset` - any OpenML dataset by name or id.
* :func:`load_csv`, :func:`make_preprocessor`, :func:`infer_task` - any CSV
  file to a target, a preprocessing ColumnTransformer and a task;
  :func:`numeric_columns` and :func:`coerce_numbers` are the one rule for
  which columns hold numbers (a few stray text cells become missing values,
  with a warning).
* :func:`list_datasets` - what exists, its size and whether it is cached.

Importing this package does not import Keras or TensorFlow.
"""

from skdl.datasets._base import (
    CSVError,
    DataQualityWarning,
    DatasetUnavailableError,
    get_data_home,
)
from skdl.datasets._bundled import load_dataset
from skdl.datasets._csv import (
    NUMERIC_SHARE,
    coerce_numbers,
    infer_task,
    load_csv,
    numeric_columns,
    numeric_pipeline,
    read_table,
)
from skdl.datasets._catalog import check_dataset_name
from skdl.datasets._fetch import fetch_dataset, list_datasets
from skdl.datasets._preprocess import make_preprocessor
from skdl.datasets._images import read_idx
from skdl.datasets._openml import fetch_openml_dataset

__all__ = sorted(
    [
        "CSVError",
        "NUMERIC_SHARE",
        "check_dataset_name",
        "coerce_numbers",
        "DataQualityWarning",
        "DatasetUnavailableError",
        "fetch_dataset",
        "fetch_openml_dataset",
        "get_data_home",
        "infer_task",
        "list_datasets",
        "load_csv",
        "load_dataset",
        "make_preprocessor",
        "numeric_columns",
        "numeric_pipeline",
        "read_idx",
        "read_table",
    ]
)
