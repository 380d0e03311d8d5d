"""Image datasets in the file formats ``keras.datasets`` downloads.

The parsers are written here (gzip'd IDX files, ``mnist.npz``, the pickled
CIFAR batches inside their tarball) rather than calling ``keras.datasets``:
that keeps TensorFlow out of ``import skdl.datasets``, lets the tests build
tiny files in the real formats, and lets a file that Keras already cached be
reused without downloading it again.
"""

from __future__ import annotations

import gzip
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np

from skdl.datasets._base import (
    DatasetUnavailableError,
    download_file,
    keras_cache_dirs,
    missing_files_error,
)

__all__ = ["IMAGE_DATASETS", "fetch_image_dataset", "read_idx"]

_KERAS_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip
# Order of the ``fine_label_names`` / ``coarse_label_names`` in the tarball's
# ``meta`` file; used when that file is missing (e.g. a hand-made cache).
CIFAR100_FINE_CLASSES = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle",
    "bicycle", "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel",
    "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock",
    "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
    "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster",
    "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
    "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse",
    "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear",
    "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine",
    "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea",
    "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
    "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank",
    "telephone", "television", "tiger", "tractor", "train", "trout", "tulip",
    "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
)  # fmt: skip
CIFAR100_COARSE_CLASSES = (
    "aquatic_mammals", "fish", "flowers", "food_containers",
    "fruit_and_vegetables", "household_electrical_devices",
    "household_furniture", "insects", "large_carnivores",
    "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
    "large_omnivores_and_herbivores", "medium_mammals",
    "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
    "vehicles_1", "vehicles_2",
)  # fmt: skip

# One entry per dataset. ``files`` are (name, url, sha256, bytes); ``subdir``
# is the folder under skdl's cache; ``keras`` lists the places under Keras's
# cache (``~/.keras/datasets``) where keras.datasets puts the same file.
IMAGE_DATASETS = {
    "fashion_mnist": dict(
        kind="idx",
        title="Fashion-MNIST",
        subdir="fashion-mnist",
        keras_subdir="fashion-mnist",
        files={
            "train_labels": ("train-labels-idx1-ubyte.gz", _KERAS_BASE + "train-labels-idx1-ubyte.gz", None, 29515),
            "train_images": ("train-images-idx3-ubyte.gz", _KERAS_BASE + "train-images-idx3-ubyte.gz", None, 26421880),
            "test_labels": ("t10k-labels-idx1-ubyte.gz", _KERAS_BASE + "t10k-labels-idx1-ubyte.gz", None, 5148),
            "test_images": ("t10k-images-idx3-ubyte.gz", _KERAS_BASE + "t10k-images-idx3-ubyte.gz", None, 4422102),
        },
        class_names=FASHION_MNIST_CLASSES,
        image_shape=(28, 28, 1),
        n_train=60000,
        n_test=10000,
        description="Zalando's 28x28 grayscale photos of 10 kinds of clothing",
    ),
    "mnist": dict(
        kind="npz",
        title="MNIST",
        subdir="mnist",
        keras_subdir="",
        files={
            "npz": (
                "mnist.npz",
                _KERAS_BASE + "mnist.npz",
                "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                11490434,
            ),
        },
        class_names=tuple(str(i) for i in range(10)),
        image_shape=(28, 28, 1),
        n_train=60000,
        n_test=10000,
        description="Handwritten digits 0-9, 28x28 grayscale",
    ),
    "cifar10": dict(
        kind="cifar",
        title="CIFAR-10",
        subdir="cifar-10",
        folder="cifar-10-batches-py",
        # keras 3 extracts to <fname>/ and keeps <fname>_archive; keras 2 kept
        # the .tar.gz and extracted next to it.
        keras_dirs=("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py"),
        keras_archives=("cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz"),
        files={
            "archive": (
                "cifar-10-python.tar.gz",
                "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                170498071,
            ),
        },
        train_members=tuple(f"data_batch_{i}" for i in range(1, 6)),
        test_members=("test_batch",),
        meta_member="batches.meta",
        class_names=CIFAR10_CLASSES,
        image_shape=(32, 32, 3),
        n_train=50000,
        n_test=10000,
        description="32x32 colour photos of 10 object classes",
    ),
    "cifar100": dict(
        kind="cifar",
        title="CIFAR-100",
        subdir="cifar-100",
        folder="cifar-100-python",
        keras_dirs=("cifar-100-python-target/cifar-100-python", "cifar-100-python"),
        keras_archives=("cifar-100-python-target_archive", "cifar-100-python.tar.gz"),
        files={
            "archive": (
                "cifar-100-python.tar.gz",
                "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
                169001437,
            ),
        },
        train_members=("train",),
        test_members=("test",),
        meta_member="meta",
        class_names=CIFAR100_FINE_CLASSES,
        coarse_class_names=CIFAR100_COARSE_CLASSES,
        image_shape=(32, 32, 3),
        n_train=50000,
        n_test=10000,
        description="32x32 colour photos of 100 classes in 20 superclasses",
    ),
}

_IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (the MNIST / Fashion-MNIST format), gzip'd or not.

    Parameters
    ----------
    path : str or path-like
        File ending in ``.gz`` (decompressed on the fly) or a raw IDX file.

    Returns
    -------
    array : numpy.ndarray
        Shaped by the dimensions in the file header, e.g. ``(n, 28, 28)``
        uint8 for images and ``(n,)`` for labels.

    Raises
    ------
    ValueError
        When the header is not a valid IDX header or the body is truncated.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"Could not read IDX file {path}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"{path} is not an IDX file (bad magic number {raw[:4].hex()!r}); "
            "expected the MNIST/Fashion-MNIST format."
        )
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"IDX file {path} is truncated or corrupt: header says shape {shape} "
            f"({expected} bytes) but the body has {len(raw) - header} bytes."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickle CIFAR batches without letting a tampered file run code.

    A CIFAR batch holds only dicts, lists, bytes and NumPy arrays, so every
    global other than NumPy's array reconstruction helpers is refused.
    """

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.numeric", "_frombuffer"),
        # Python 3 writes bytes in protocol-2 pickles as _codecs.encode(str);
        # it only builds a bytes object.
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load {module}.{name} from a CIFAR batch file; the file "
            "may be corrupt or malicious."
        )


def _unpickle_batch(fh, where) -> dict:
    try:
        raw = _NumpyOnlyUnpickler(fh, encoding="bytes").load()
    except Exception as exc:  # pickle raises many types on garbage input
        raise ValueError(f"Could not read CIFAR batch {where}: {exc}") from exc
    return {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in raw.items()}


def _decode_names(names):
    return tuple(n.decode("utf8") if isinstance(n, bytes) else str(n) for n in names)


def _candidates(spec, key, home):
    """Paths where the file ``key`` may already be, skdl's cache first."""
    fname = spec["files"][key][0]
    paths = [home / spec["subdir"] / fname]
    for kdir in keras_cache_dirs():
        if spec["kind"] == "cifar":
            paths.extend(kdir / a for a in spec["keras_archives"])
        else:
            paths.append(kdir / spec["keras_subdir"] / fname)
    return paths


def _extracted_dirs(spec, home):
    dirs = [home / spec["subdir"] / spec["folder"]]
    for kdir in keras_cache_dirs():
        dirs.extend(kdir / d for d in spec["keras_dirs"])
    return dirs


def _placement_note(spec, home):
    keras = keras_cache_dirs()[0]
    if spec["kind"] == "cifar":
        return (
            f"(the extracted folder {home / spec['subdir'] / spec['folder']}/ works "
            f"too, and so does a copy Keras already downloaded under {keras}/)"
        )
    where = keras / spec["keras_subdir"] if spec["keras_subdir"] else keras
    return f"(a copy Keras already downloaded in {where}/ is used as well)"


def _resolve(name, spec, home, download, timeout):
    """Map each file key to an existing path, downloading what is missing."""
    found, missing = {}, []
    for key, (fname, url, _sha, _size) in spec["files"].items():
        path = next((p for p in _candidates(spec, key, home) if p.is_file()), None)
        if path is None:
            missing.append(key)
        else:
            found[key] = path
    if missing:
        wanted = [(spec["files"][k][1], home / spec["subdir"] / spec["files"][k][0]) for k in missing]
        note = _placement_note(spec, home)
        if not download:
            raise missing_files_error(name, wanted, download=False, note=note)
        for key in missing:
            fname, url, sha, _size = spec["files"][key]
            found[key] = download_file(
                url, home / spec["subdir"] / fname, dataset=name, sha256=sha,
                timeout=timeout, all_files=wanted, note=note,
            )
    return found


def is_cached(name, home) -> bool:
    """True when every file of image dataset ``name`` is already on disk."""
    spec = IMAGE_DATASETS[name]
    if spec["kind"] == "cifar" and any(_has_members(d, spec) for d in _extracted_dirs(spec, home)):
        return True
    return all(
        any(p.is_file() for p in _candidates(spec, key, home)) for key in spec["files"]
    )


def _has_members(folder, spec):
    members = (*spec["train_members"], *spec["test_members"])
    return all((folder / m).is_file() for m in members)


def _load_idx(name, spec, home, download, timeout, wanted=("train", "test")):
    paths = _resolve(name, spec, home, download, timeout)
    out = {}
    for part in wanted:
        images = read_idx(paths[f"{part}_images"])
        labels = read_idx(paths[f"{part}_labels"])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{spec['title']} {part} files do not match: images {images.shape}, "
                f"labels {labels.shape}; expected (n, h, w) and (n,)."
            )
        out[part] = (images[..., np.newaxis], labels)
    return out, None


def _load_npz(name, spec, home, download, timeout):
    path = _resolve(name, spec, home, download, timeout)["npz"]
    try:
        with np.load(path, allow_pickle=False) as f:
            out = {
                "train": (f["x_train"][..., np.newaxis], f["y_train"]),
                "test": (f["x_test"][..., np.newaxis], f["y_test"]),
            }
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(
            f"{path} is not a valid mnist.npz (arrays x_train, y_train, x_test, "
            f"y_test): {exc}"
        ) from exc
    return out, None


def _cifar_arrays(batches, label_key, where):
    xs, ys = [], []
    for batch in batches:
        if "data" not in batch or label_key not in batch:
            raise ValueError(
                f"CIFAR batch in {where} has keys {sorted(batch)}; expected 'data' "
                f"and {label_key!r}."
            )
        data = np.asarray(batch["data"], dtype=np.uint8)
        # Rows are 3072 bytes: the red plane, then green, then blue, each
        # 32x32 row-major; channels-last is what Keras layers expect.
        xs.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        ys.append(np.asarray(batch[label_key], dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def _load_cifar(name, spec, home, download, timeout, label_key):
    needed = {*spec["train_members"], *spec["test_members"]}
    batches, meta = {}, None
    folder = next((d for d in _extracted_dirs(spec, home) if _has_members(d, spec)), None)
    if folder is not None:
        for member in needed:
            with open(folder / member, "rb") as fh:
                batches[member] = _unpickle_batch(fh, folder / member)
        if (folder / spec["meta_member"]).is_file():
            with open(folder / spec["meta_member"], "rb") as fh:
                meta = _unpickle_batch(fh, folder / spec["meta_member"])
        where = folder
    else:
        archive = _resolve(name, spec, home, download, timeout)["archive"]
        where = archive
        try:
            # One pass over the gzip stream: seeking backwards in a .tar.gz
            # restarts decompression, which is slow on a 160 MB archive.
            with tarfile.open(archive, "r:*") as tar:
                for info in tar:
                    base = Path(info.name).name
                    if not info.isfile() or Path(info.name).parent.name != spec["folder"]:
                        continue
                    if base in needed or base == spec["meta_member"]:
                        batch = _unpickle_batch(tar.extractfile(info), f"{archive}:{info.name}")
                        if base == spec["meta_member"]:
                            meta = batch
                        else:
                            batches[base] = batch
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise ValueError(f"{archive} is not a readable CIFAR tarball: {exc}") from exc
        absent = sorted(needed - set(batches))
        if absent:
            raise ValueError(
                f"{archive} lacks {', '.join(spec['folder'] + '/' + a for a in absent)}; "
                "it does not look like the official CIFAR python tarball."
            )
    out = {
        "train": _cifar_arrays([batches[m] for m in spec["train_members"]], label_key, where),
        "test": _cifar_arrays([batches[m] for m in spec["test_members"]], label_key, where),
    }
    names_key = "label_names" if label_key == "labels" else label_key.replace("labels", "label_names")
    names = _decode_names(meta[names_key]) if meta and names_key in meta else None
    return out, names


def fetch_image_dataset(name, *, data_home, download=True, subset="train", label_mode="fine", timeout=60.0):
    """Load one of :data:`IMAGE_DATASETS`; see :func:`skdl.datasets.fetch_dataset`."""
    from sklearn.utils import Bunch

    spec = IMAGE_DATASETS[name]
    if subset not in ("train", "test", "all"):
        raise ValueError(
            f"The 'subset' parameter of fetch_dataset must be one of "
            f"{{'train', 'test', 'all'}}. Got {subset!r} instead."
        )
    if name == "cifar100" and label_mode not in ("fine", "coarse"):
        raise ValueError(
            "The 'label_mode' parameter of fetch_dataset must be one of "
            f"{{'fine', 'coarse'}} for cifar100. Got {label_mode!r} instead."
        )
    if spec["kind"] == "idx":
        wanted = ("train", "test") if subset == "all" else (subset,)
        parts, names = _load_idx(name, spec, data_home, download, timeout, wanted)
    elif spec["kind"] == "npz":
        parts, names = _load_npz(name, spec, data_home, download, timeout)
    else:
        label_key = f"{label_mode}_labels" if name == "cifar100" else "labels"
        parts, names = _load_cifar(name, spec, data_home, download, timeout, label_key)
    if names is None:
        coarse = name == "cifar100" and label_mode == "coarse"
        names = spec["coarse_class_names"] if coarse else spec["class_names"]
    if subset == "all":
        X = np.concatenate([parts["train"][0], parts["test"][0]])
        y = np.concatenate([parts["train"][1], parts["test"][1]])
    else:
        X, y = parts[subset]
    X = np.ascontiguousarray(X, dtype=np.uint8)
    y = np.asarray(y, dtype=np.int64).ravel()
    descr = (
        f"{spec['title']}: {spec['description']}. {spec['n_train']} training and "
        f"{spec['n_test']} test images of shape {spec['image_shape']}, uint8 0-255. "
        f"This is the {subset!r} subset"
        + (" (training rows first)." if subset == "all" else ".")
    )
    return Bunch(
        data=X,
        target=y,
        target_names=list(names),
        class_names=list(names),
        image_shape=tuple(X.shape[1:]),
        task="classification",
        name=name,
        subset=subset,
        n_train=len(parts["train"][1]) if subset == "all" else None,
        DESCR=descr,
    )
