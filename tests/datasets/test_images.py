"""Image datasets read from tiny files in the real keras.datasets formats."""

import gzip
import urllib.error

import numpy as np
import pytest

from skdl.datasets import DatasetUnavailableError, fetch_dataset, read_idx
from skdl.datasets._images import (
    CIFAR100_COARSE_CLASSES,
    CIFAR100_FINE_CLASSES,
    FASHION_MNIST_CLASSES,
)


def test_class_name_lists_have_the_right_length():
    assert len(FASHION_MNIST_CLASSES) == 10
    assert len(CIFAR100_FINE_CLASSES) == len(set(CIFAR100_FINE_CLASSES)) == 100
    assert len(CIFAR100_COARSE_CLASSES) == 20


def test_read_idx_round_trip_and_bad_files(tmp_path, fakes):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    fakes.write_idx(tmp_path / "a.gz", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)

    (tmp_path / "bad.gz").write_bytes(gzip.compress(b"\x01\x02\x03\x04rest"))
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad.gz")
    raw = gzip.decompress((tmp_path / "a.gz").read_bytes())
    (tmp_path / "short.gz").write_bytes(gzip.compress(raw[:-3]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short.gz")


def test_fashion_mnist_from_skdl_cache(data_home, fakes, no_network):
    parts = fakes.make_fashion(data_home / "fashion-mnist", n_train=6, n_test=4)
    train = fetch_dataset("fashion-mnist")
    assert train.data.dtype == np.uint8 and train.data.shape == (6, 28, 28, 1)
    np.testing.assert_array_equal(train.data[..., 0], parts["train"][0])
    np.testing.assert_array_equal(train.target, parts["train"][1])
    assert train.target.dtype == np.int64
    assert train.image_shape == (28, 28, 1)
    assert train.class_names[0] == "T-shirt/top" and len(train.class_names) == 10
    assert train.task == "classification"

    X, y = fetch_dataset("fashion_mnist", subset="test", return_X_y=True)
    np.testing.assert_array_equal(X[..., 0], parts["t10k"][0])
    everything = fetch_dataset("fashion_mnist", subset="all")
    assert everything.data.shape == (10, 28, 28, 1) and everything.n_train == 6
    assert no_network == []  # nothing was downloaded


def test_fashion_mnist_reuses_keras_cache(data_home, fakes, no_network):
    keras_dir = data_home.parent / "keras-home" / "datasets" / "fashion-mnist"
    parts = fakes.make_fashion(keras_dir, n_train=3, n_test=2)
    X, y = fetch_dataset("fashion_mnist", download=False, return_X_y=True)
    np.testing.assert_array_equal(y, parts["train"][1])


def test_mnist_npz(data_home, no_network):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 5).astype(np.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 2).astype(np.uint8),
    }
    (data_home / "mnist").mkdir(parents=True)
    np.savez(data_home / "mnist" / "mnist.npz", **arrays)
    test = fetch_dataset("mnist", subset="test")
    np.testing.assert_array_equal(test.data[..., 0], arrays["x_test"])
    np.testing.assert_array_equal(test.target, arrays["y_test"])
    assert test.class_names == [str(i) for i in range(10)]


def test_cifar10_tarball_pixels_and_labels(data_home, fakes, no_network):
    (x_train, y_train), (x_test, y_test) = fakes.make_cifar10_tar(
        data_home / "cifar-10" / "cifar-10-python.tar.gz", per_batch=2
    )
    train = fetch_dataset("cifar-10")
    assert train.data.shape == (10, 32, 32, 3) and train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data, x_train)
    np.testing.assert_array_equal(train.target, y_train)
    # names come from the tarball's batches.meta when it is there
    assert train.class_names[:2] == ["plane", "car"]
    test = fetch_dataset("cifar10", subset="test")
    np.testing.assert_array_equal(test.data, x_test)
    np.testing.assert_array_equal(test.target, y_test)


def test_cifar10_in_keras3_archive_location(data_home, fakes, no_network):
    keras = data_home.parent / "keras-home" / "datasets"
    (x_train, y_train), _ = fakes.make_cifar10_tar(keras / "cifar-10-batches-py-target_archive")
    X, y = fetch_dataset("cifar10", download=False, return_X_y=True)
    np.testing.assert_array_equal(X, x_train)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_extracted_folder_label_modes(data_home, fakes, no_network, label_mode):
    parts = fakes.make_cifar100_dir(data_home / "cifar-100" / "cifar-100-python")
    bunch = fetch_dataset("cifar100", subset="test", label_mode=label_mode)
    x, fine, coarse = parts["test"]
    np.testing.assert_array_equal(bunch.data, x)
    np.testing.assert_array_equal(bunch.target, fine if label_mode == "fine" else coarse)
    assert len(bunch.class_names) == (100 if label_mode == "fine" else 20)


def test_bad_subset_and_label_mode(data_home):
    with pytest.raises(ValueError, match=r"'subset'.*\{'train', 'test', 'all'\}.*'validation'"):
        fetch_dataset("mnist", subset="validation")
    with pytest.raises(ValueError, match=r"'label_mode'.*'medium'"):
        fetch_dataset("cifar100", label_mode="medium")
    with pytest.raises(ValueError, match="as_frame=True is not supported"):
        fetch_dataset("mnist", as_frame=True)


def test_offline_error_names_url_and_destination(data_home, no_network):
    with pytest.raises(DatasetUnavailableError) as info:
        fetch_dataset("fashion_mnist")
    message = str(info.value)
    assert isinstance(info.value, OSError)
    assert "no network" in message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/train-labels-idx1-ubyte.gz" in message
    assert str(data_home / "fashion-mnist" / "t10k-images-idx3-ubyte.gz") in message
    assert "SKDL_DATA" in message
    # the urllib traceback is not chained onto the error
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert not list((data_home / "fashion-mnist").glob("*.part"))


def test_download_false_never_touches_network(data_home, no_network):
    with pytest.raises(DatasetUnavailableError, match=r"(?s)download=False.*cifar-10-python\.tar\.gz.*extracted folder"):
        fetch_dataset("cifar10", download=False)
    assert no_network == []


def test_real_download_code_with_file_urls(data_home, tmp_path, fakes, monkeypatch):
    """The urllib path itself, fed from file:// URLs instead of the internet."""
    from skdl.datasets import _images

    source = tmp_path / "mirror"
    parts = fakes.make_fashion(source, n_train=4, n_test=2)
    spec = _images.IMAGE_DATASETS["fashion_mnist"]
    files = {k: (f[0], (source / f[0]).as_uri(), None, f[3]) for k, f in spec["files"].items()}
    monkeypatch.setitem(spec, "files", files)
    X, y = fetch_dataset("fashion_mnist", return_X_y=True)
    np.testing.assert_array_equal(y, parts["train"][1])
    assert (data_home / "fashion-mnist" / "train-images-idx3-ubyte.gz").is_file()


def test_checksum_mismatch_is_reported(data_home, tmp_path, monkeypatch):
    from skdl.datasets import _images

    bogus = tmp_path / "mnist.npz"
    bogus.write_bytes(b"not the real file")
    spec = _images.IMAGE_DATASETS["mnist"]
    name, _url, sha, size = spec["files"]["npz"]
    monkeypatch.setitem(spec, "files", {"npz": (name, bogus.as_uri(), sha, size)})
    with pytest.raises(DatasetUnavailableError, match="corrupted: its SHA-256"):
        fetch_dataset("mnist")
    assert not (data_home / "mnist" / "mnist.npz").exists()


def test_http_error_is_wrapped(data_home, monkeypatch):
    def http_404(url, dest, timeout):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr("skdl.datasets._base._urlretrieve", http_404)
    with pytest.raises(DatasetUnavailableError, match=r"mnist\.npz.*Not Found"):
        fetch_dataset("mnist")
