"""Bundled scikit-learn datasets through load_dataset / fetch_dataset."""

import numpy as np
import pandas as pd
import pytest

from skdl.datasets import fetch_dataset, list_datasets, load_dataset
from skdl.datasets._catalog import BUNDLED


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_matches_registry(name):
    spec = BUNDLED[name]
    bunch = load_dataset(name)
    assert bunch.data.shape == (spec["n_samples"], spec["n_features"])
    assert bunch.target.shape == (spec["n_samples"],)
    assert bunch.task == spec["task"]
    assert bunch.name == name
    assert len(bunch.feature_names) == spec["n_features"]
    assert isinstance(bunch.DESCR, str) and bunch.DESCR
    if spec["task"] == "classification":
        assert len(bunch.target_names) == spec["n_classes"] == len(np.unique(bunch.target))
    else:
        assert bunch.target_names is None


def test_digits_image_shape():
    digits = load_dataset("digits")
    assert digits.image_shape == (8, 8, 1)
    images = digits.data.reshape(-1, *digits.image_shape)
    np.testing.assert_array_equal(images[..., 0], digits.images)


def test_as_frame_and_return_X_y():
    X, y = load_dataset("iris", as_frame=True, return_X_y=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (150, 4)
    bunch = load_dataset("Breast-Cancer", as_frame=True)
    assert isinstance(bunch.frame, pd.DataFrame) and bunch.frame.shape == (569, 31)
    X, y = load_dataset("diabetes", return_X_y=True)
    assert isinstance(X, np.ndarray) and y.dtype.kind == "f"


def test_fetch_dataset_serves_bundled_names():
    assert fetch_dataset("wine").data.shape == (178, 13)


def test_unknown_name_suggests_close_match():
    with pytest.raises(ValueError, match=r"Unknown bundled dataset 'irsi'.*Did you mean 'iris'"):
        load_dataset("irsi")


def test_downloadable_name_points_to_fetch_dataset():
    with pytest.raises(ValueError, match=r"fetch_dataset\('mnist'\)"):
        load_dataset("mnist")


def test_registry_rows_agree_with_list_datasets():
    table = list_datasets().set_index("name")
    for name, spec in BUNDLED.items():
        assert table.loc[name, "n_samples"] == spec["n_samples"]
        assert table.loc[name, "source"] == "bundled"
        assert table.loc[name, "cached"]
        assert table.loc[name, "size_bytes"] > 0
