"""Cache location, errors, warnings and the one HTTP downloader of skdl.datasets.

Nothing here imports Keras or TensorFlow: the downloader uses ``urllib`` so
that ``import skdl.datasets`` stays cheap and the download path can be tested
with ``file://`` URLs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path

from skdl.exceptions import SkdlError, SkdlWarning

__all__ = [
    "DataQualityWarning",
    "DatasetUnavailableError",
    "dataset_key",
    "get_data_home",
]

#: Environment variable that moves the skdl dataset cache.
DATA_ENV = "SKDL_DATA"
_DEFAULT_HOME = Path("~") / ".skdl" / "datasets"


class DatasetUnavailableError(SkdlError, OSError):
    """A dataset file is neither in the cache nor downloadable right now.

    The message names the file, the URL it comes from and the path where it
    can be placed by hand, so the dataset can be used on a machine without a
    network. It subclasses :class:`OSError`, so ``except OSError`` catches it.
    """


class DataQualityWarning(SkdlWarning):
    """Something in a table looks wrong for learning: an ID column, a constant
    column, rows without a target, a column type that cannot be used."""


class CSVError(SkdlError, ValueError):
    """A CSV file could not be turned into a feature table and a target."""


# Spellings people type for the same set (after lower-casing).
_ALIASES = {
    "fashionmnist": "fashion_mnist",
    "cifar_10": "cifar10",
    "cifar_100": "cifar100",
}


def dataset_key(name) -> str:
    """The catalogue key of a dataset name: ``" Fashion-MNIST"`` -> ``"fashion_mnist"``.

    Case-insensitive; surrounding spaces dropped; ``-`` and spaces read as
    ``_``; a few alternative spellings (``cifar-10``, ``fashionmnist``)
    mapped to the catalogue's.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(key, key)


def get_data_home(data_home=None) -> Path:
    """Return the directory where skdl caches downloaded datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit cache directory. When None, the environment variable
        ``SKDL_DATA`` is used if set, else ``~/.skdl/datasets``.

    Returns
    -------
    path : pathlib.Path
        The expanded directory. It is not created here; it is created the
        first time a file is downloaded into it.

    Examples
    --------
    >>> from skdl.datasets import get_data_home
    >>> str(get_data_home("/tmp/my-cache"))
    '/tmp/my-cache'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_ENV) or _DEFAULT_HOME
    return Path(os.path.expanduser(os.fspath(data_home)))


def keras_cache_dirs() -> list[Path]:
    """Directories where ``keras.utils.get_file`` may already have put datasets.

    Mirrors ``keras.src.backend.config.keras_home()`` (``$KERAS_HOME`` or
    ``~/.keras``) plus the ``/tmp/.keras`` fallback Keras uses when the home
    directory is not writable, without importing Keras.
    """
    homes = [os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")]
    homes.append(os.path.join("/tmp", ".keras"))
    out = []
    for home in homes:
        path = Path(os.path.expanduser(home)) / "datasets"
        if path not in out:
            out.append(path)
    return out


def human_size(n_bytes) -> str:
    """Format a byte count as ``'11.5 MB'``; ``''`` for None."""
    if n_bytes is None:
        return ""
    size = float(n_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover - loop always returns


# Network failures look different depending on where they happen (DNS, TCP,
# HTTP status, a truncated body); users only need to know which one it was.
_NETWORK_ERRORS = (urllib.error.URLError, HTTPException, OSError, TimeoutError)


def _urlretrieve(url: str, dest: Path, timeout: float) -> None:
    """Stream ``url`` into ``dest``. Kept separate so tests can replace it."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        with open(dest, "wb") as fh:
            shutil.copyfileobj(response, fh, length=1 << 20)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manual_placement_hint(dataset: str, files, note: str = "") -> str:
    """Text telling the user which URLs to fetch and where to put them."""
    lines = [
        f"To use {dataset!r} without a network, download on a machine with "
        "internet access and copy the file(s) to these paths:"
    ]
    for url, dest in files:
        lines.append(f"  {url}\n    -> {dest}")
    if note:
        lines.append(note)
    lines.append(
        "or set the environment variable SKDL_DATA (or pass data_home=...) to a "
        "directory laid out the same way. See docs/datasets.md."
    )
    return "\n".join(lines)


def download_file(
    url: str,
    dest,
    *,
    dataset: str,
    sha256: str | None = None,
    timeout: float = 60.0,
    all_files=None,
    note: str = "",
) -> Path:
    """Download ``url`` to ``dest`` atomically, or raise a readable error.

    The body goes to ``dest + '.part'`` first and is renamed only when it is
    complete (and matches ``sha256`` when given), so an interrupted download
    never leaves a truncated file that later looks cached.

    Parameters
    ----------
    url : str
        Where the file comes from (``http(s)://`` or ``file://``).
    dest : str or path-like
        Final path of the file; parent directories are created.
    dataset : str
        Dataset name, used in the error message.
    sha256 : str, default=None
        Expected SHA-256 hex digest of the downloaded file.
    timeout : float, default=60.0
        Socket timeout in seconds.
    all_files : list of (url, path), default=None
        Every file the dataset needs, for the manual-placement hint. Defaults
        to just this one.
    note : str, default=""
        Extra line for the hint (e.g. other accepted layouts).

    Returns
    -------
    dest : pathlib.Path

    Raises
    ------
    DatasetUnavailableError
        When the download fails (no network, HTTP error, timeout, disk error)
        or the checksum does not match.
    """
    dest = Path(dest)
    all_files = all_files or [(url, dest)]
    part = dest.with_name(dest.name + ".part")
    # One line, so a silent multi-minute wait (CIFAR is 170 MB) is explained.
    print(f"skdl: downloading {url} -> {dest}", file=sys.stderr, flush=True)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _urlretrieve(url, part, timeout)
    except _NETWORK_ERRORS as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        # ``from None``: the urllib/socket traceback says nothing the message
        # does not, and the brief for users is "no network, place the file".
        raise DatasetUnavailableError(
            f"Could not download {url} for dataset {dataset!r}: {reason}. "
            "There seems to be no network connection (or the server refused "
            f"the request).\n{manual_placement_hint(dataset, all_files, note)}"
        ) from None
    if sha256 is not None:
        got = _sha256(part)
        if got != sha256:
            part.unlink(missing_ok=True)
            raise DatasetUnavailableError(
                f"The file downloaded from {url} for dataset {dataset!r} is "
                f"corrupted: its SHA-256 is {got}, expected {sha256}. Try again, "
                f"or place a good copy by hand.\n"
                f"{manual_placement_hint(dataset, all_files, note)}"
            )
    # the .part file was written with open(): it already has the umask's mode
    os.replace(part, dest)
    return dest


def missing_files_error(dataset: str, files, *, download: bool, note: str = "") -> DatasetUnavailableError:
    """The error for ``download=False`` when a needed file is not cached."""
    names = ", ".join(Path(dest).name for _, dest in files)
    why = "download=False" if not download else "downloading is not possible"
    return DatasetUnavailableError(
        f"Dataset {dataset!r} is not in the cache ({names} missing) and {why}.\n"
        f"{manual_placement_hint(dataset, files, note)}"
    )
