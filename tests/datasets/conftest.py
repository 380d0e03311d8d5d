"""Fixtures for skdl.datasets tests: an empty cache, no network, and tiny files
in the real formats keras.datasets downloads (``fakes`` fixture)."""

import gzip
import io
import pickle
import struct
import sys
import tarfile

import numpy as np
import pytest


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A fresh skdl cache; Keras's cache points at an empty folder too.

    Without this a developer's real ``~/.keras/datasets`` could make a test
    that expects a missing file pass or fail depending on the machine.
    """
    home = tmp_path / "skdl-data"
    monkeypatch.setenv("SKDL_DATA", str(home))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(
        "skdl.datasets._base.keras_cache_dirs",
        lambda: [tmp_path / "keras-home" / "datasets"],
    )
    monkeypatch.setattr(
        "skdl.datasets._images.keras_cache_dirs",
        lambda: [tmp_path / "keras-home" / "datasets"],
    )
    return home


@pytest.fixture
def no_network(monkeypatch):
    """Make every skdl download fail the way an offline machine does."""
    import urllib.error

    calls = []

    def refuse(url, dest, timeout):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("skdl.datasets._base._urlretrieve", refuse)
    return calls


@pytest.fixture
def fakes():
    """This module: the ``make_*`` / ``write_idx`` builders below."""
    return sys.modules[__name__]



def write_idx(path, array):
    """Write ``array`` (uint8) as a gzip'd IDX file like Fashion-MNIST's."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.tobytes())


def make_fashion(folder, n_train=6, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    parts = {
        "train": (rng.integers(0, 256, (n_train, 28, 28)), rng.integers(0, 10, n_train)),
        "t10k": (rng.integers(0, 256, (n_test, 28, 28)), rng.integers(0, 10, n_test)),
    }
    for prefix, (x, y) in parts.items():
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", x)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", y)
    return parts


def cifar_batch(n, label_key, n_classes, rng):
    """A CIFAR batch dict as the official pickles hold it (bytes keys)."""
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    rows = images.transpose(0, 3, 1, 2).reshape(n, 3072)  # R plane, G, B
    labels = rng.integers(0, n_classes, n).tolist()
    batch = {b"data": rows, label_key.encode(): labels, b"batch_label": b"fake"}
    return batch, images, np.asarray(labels)


def _add(tar, name, obj):
    raw = pickle.dumps(obj, protocol=2)
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    tar.addfile(info, io.BytesIO(raw))


def make_cifar10_tar(path, per_batch=2, seed=0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "cifar-10-batches-py/batches.meta", {b"label_names": [b"plane", b"car"] + [b"c%d" % i for i in range(8)]})
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            batch, x, y = cifar_batch(per_batch, "labels", 10, rng)
            _add(tar, f"cifar-10-batches-py/{name}", batch)
            xs.append(x)
            ys.append(y)
    return (np.concatenate(xs[:5]), np.concatenate(ys[:5])), (xs[5], ys[5])


def make_cifar100_dir(folder, n=3, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in ("train", "test"):
        batch, x, fine = cifar_batch(n, "fine_labels", 100, rng)
        coarse = rng.integers(0, 20, n).tolist()
        batch[b"coarse_labels"] = coarse
        with open(folder / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=2)
        out[name] = (x, fine, np.asarray(coarse))
    return out
