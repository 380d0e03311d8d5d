"""OpenML datasets: the offline message, local CSV/ARFF stand-ins, the cache copy."""

import urllib.error

import numpy as np
import pandas as pd
import pytest

from skdl.datasets import DatasetUnavailableError, fetch_dataset, fetch_openml_dataset, list_datasets


@pytest.fixture
def openml_offline(monkeypatch):
    """scikit-learn's own OpenML client fails as it would with no network."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("sklearn.datasets._openml.urlopen", refuse)
    return calls


def _sonar_like(n=12, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.random((n, 3)).round(4), columns=["attribute_1", "attribute_2", "attribute_3"])
    frame["Class"] = np.where(rng.random(n) > 0.5, "Mine", "Rock")
    return frame


@pytest.mark.filterwarnings("ignore:A network error occurred:UserWarning")
def test_offline_message_through_real_fetch_openml(data_home, openml_offline, monkeypatch):
    from skdl.datasets import _openml

    real = _openml.fetch_openml_dataset

    def fast(*args, **kwargs):  # no retries or sleeps in tests
        return real(*args, **{**kwargs, "n_retries": 1, "delay": 0.01})

    monkeypatch.setattr("skdl.datasets._fetch.fetch_openml_dataset", fast)
    with pytest.raises(DatasetUnavailableError) as info:
        fetch_dataset("sonar")
    message = str(info.value)
    assert openml_offline, "sklearn's downloader was not reached"
    assert "no network connection to openml.org" in message
    assert "https://www.openml.org/d/40" in message
    assert str(data_home / "openml" / "sonar.csv") in message


def test_download_false_without_local_file(data_home, openml_offline):
    with pytest.raises(DatasetUnavailableError, match=r"(?s)download=False.*sonar\.csv"):
        fetch_dataset("sonar", download=False)
    assert openml_offline == []


def test_local_csv_stand_in(data_home, openml_offline):
    frame = _sonar_like()
    (data_home / "openml").mkdir(parents=True)
    frame.to_csv(data_home / "openml" / "sonar.csv", index=False)
    bunch = fetch_dataset("sonar", download=False)
    assert bunch.data.shape == (12, 3) and bunch.data.dtype == float
    assert bunch.task == "classification"
    assert sorted(bunch.target_names) == sorted(frame["Class"].unique())
    np.testing.assert_array_equal(bunch.target, frame["Class"].to_numpy(dtype=object))
    assert bunch.feature_names == ["attribute_1", "attribute_2", "attribute_3"]
    X, y = fetch_dataset("sonar", as_frame=True, return_X_y=True)
    assert isinstance(X, pd.DataFrame) and y.name == "Class"


def test_local_arff_stand_in(data_home, openml_offline):
    (data_home / "openml").mkdir(parents=True)
    (data_home / "openml" / "sonar.arff").write_text(
        "@relation sonar\n"
        "@attribute attribute_1 numeric\n"
        "@attribute attribute_2 numeric\n"
        "@attribute Class {Rock,Mine}\n"
        "@data\n"
        "0.02,0.37,Rock\n"
        "0.45,0.01,Mine\n"
        "0.10,?,Mine\n"
    )
    X, y = fetch_dataset("sonar", download=False, as_frame=True, return_X_y=True)
    assert X.shape == (3, 2) and np.isnan(X.iloc[2, 1])
    assert y.tolist() == ["Rock", "Mine", "Mine"]


def test_successful_fetch_writes_csv_copy(data_home, monkeypatch):
    frame = _sonar_like(n=8)
    seen = {}

    def fake_fetch_openml(**kwargs):
        from sklearn.utils import Bunch

        seen.update(kwargs)
        return Bunch(data=frame.drop(columns="Class"), target=frame["Class"].astype("category"))

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fake_fetch_openml)
    bunch = fetch_openml_dataset("sonar", version=1)
    assert seen["name"] == "sonar" and seen["version"] == 1
    assert str(seen["data_home"]) == str(data_home)
    assert bunch.data.shape == (8, 3)
    copy = pd.read_csv(data_home / "openml" / "sonar.csv")
    assert list(copy.columns)[-1] == "Class"
    assert list_datasets().set_index("name").loc["sonar", "cached"]


def test_by_id_and_argument_errors(data_home, openml_offline):
    with pytest.raises(ValueError, match="exactly one of 'name' or 'data_id'"):
        fetch_openml_dataset()
    with pytest.raises(DatasetUnavailableError, match=r"openml-1464\.csv"):
        fetch_openml_dataset(data_id=1464, download=False)


def test_unknown_name_mentions_openml_helper():
    with pytest.raises(ValueError, match=r"Did you mean 'sonar'.*fetch_openml_dataset"):
        fetch_dataset("sonnar")
