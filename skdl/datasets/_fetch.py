"""``fetch_dataset`` and ``list_datasets``: one entry point over every source."""

from __future__ import annotations

import pandas as pd

from skdl.datasets._base import get_data_home, human_size
from skdl.datasets._bundled import bundled_size, load_dataset
from skdl.datasets._catalog import (
    BUNDLED,
    IMAGE_DATASETS,
    OPENML_DATASETS,
    all_names,
    dataset_key,
    unknown_name_message,
)
from skdl.datasets._images import fetch_image_dataset, is_cached
from skdl.datasets._openml import fetch_openml_dataset, local_openml_paths

__all__ = ["fetch_dataset", "list_datasets"]


def fetch_dataset(
    name,
    *,
    data_home=None,
    download=True,
    subset="train",
    label_mode="fine",
    as_frame=False,
    return_X_y=False,
    timeout=60.0,
):
    """Load any dataset skdl knows, downloading and caching it if needed.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`: bundled (``"iris"``, ``"digits"``,
        ...; loaded with :func:`load_dataset`), images (``"fashion_mnist"``,
        ``"mnist"``, ``"cifar10"``, ``"cifar100"``) or OpenML (``"sonar"``,
        ``"optdigits"``). ``-`` and ``_`` are interchangeable.
    data_home : str or path-like, default=None
        Cache directory; None means ``$SKDL_DATA`` or ``~/.skdl/datasets``.
        Files already in Keras's cache (``~/.keras/datasets``) are used too.
    download : bool, default=True
        If False, never touch the network: a file missing from the caches
        raises :class:`DatasetUnavailableError`.
    subset : {"train", "test", "all"}, default="train"
        For image sets, which of the official splits; ``"all"`` puts the
        training images first (``n_train`` says how many).
    label_mode : {"fine", "coarse"}, default="fine"
        For ``"cifar100"``: the 100 classes or the 20 superclasses.
    as_frame : bool, default=False
        Tabular sets only: DataFrame/Series instead of arrays.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    timeout : float, default=60.0
        Socket timeout in seconds for each download.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``data``, ``target``, ``target_names``, ``task``, ``DESCR``, ``name``.
        Image sets: ``data`` is uint8 of shape (n, height, width, channels),
        ``target`` int64 of shape (n,), plus ``image_shape``, ``class_names``
        and ``subset``.
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    DatasetUnavailableError
        (an ``OSError``) A needed file is not cached and cannot be downloaded;
        the message gives the URL and the path where to place the file.
    ValueError
        Unknown name (with close matches) or a bad ``subset``/``label_mode``.

    See Also
    --------
    list_datasets : Names, tasks, sizes and what is cached.
    fetch_openml_dataset : Any other OpenML dataset by name or id.

    Examples
    --------
    >>> from skdl.datasets import fetch_dataset
    >>> fetch_dataset("iris").data.shape
    (150, 4)
    >>> fashion = fetch_dataset("fashion_mnist")  # doctest: +SKIP
    >>> fashion.data.shape, fashion.class_names[0]  # doctest: +SKIP
    ((60000, 28, 28, 1), 'T-shirt/top')
    """
    key = dataset_key(name)
    if key in BUNDLED:
        return load_dataset(key, as_frame=as_frame, return_X_y=return_X_y)
    if key in IMAGE_DATASETS:
        if as_frame:
            raise ValueError(
                f"as_frame=True is not supported for the image dataset {key!r}; its "
                "data is a uint8 array of shape (n, height, width, channels)."
            )
        bunch = fetch_image_dataset(
            key,
            data_home=get_data_home(data_home),
            download=download,
            subset=subset,
            label_mode=label_mode,
            timeout=timeout,
        )
        return (bunch.data, bunch.target) if return_X_y else bunch
    if key in OPENML_DATASETS:
        spec = OPENML_DATASETS[key]
        return fetch_openml_dataset(
            spec["openml_name"],
            version=spec["version"],
            data_home=data_home,
            download=download,
            as_frame=as_frame,
            return_X_y=return_X_y,
        )
    raise ValueError(
        unknown_name_message("dataset", name, all_names())
        + " Other OpenML datasets: skdl.datasets.fetch_openml_dataset(name or data_id=...)."
    )


def _image_row(name, spec, home):
    size = sum(f[3] for f in spec["files"].values())
    h, w, c = spec["image_shape"]
    n_classes = len(spec["class_names"])
    return dict(
        name=name,
        task="classification",
        n_samples=spec["n_train"] + spec["n_test"],
        n_features=h * w * c,
        image_shape=spec["image_shape"],
        n_classes=n_classes,
        source="download",
        size_bytes=size,
        size=human_size(size),
        cached=is_cached(name, home),
        description=f"{spec['title']}: {spec['description']}",
    )


def list_datasets(*, data_home=None):
    """Every dataset :func:`fetch_dataset` knows, without loading any.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Cache directory consulted for the ``cached`` column.

    Returns
    -------
    table : pandas.DataFrame
        One row per dataset, columns ``name``, ``task``, ``n_samples``,
        ``n_features`` (flattened pixels for images), ``image_shape``
        (``(h, w, c)`` or None), ``n_classes`` (None for regression),
        ``source`` (``"bundled"`` or ``"download"``), ``size_bytes`` (on disk
        for bundled sets, download size otherwise; approximate for OpenML),
        ``size`` (human readable), ``cached`` (usable without a network) and
        ``description``.

    Examples
    --------
    >>> from skdl.datasets import list_datasets
    >>> table = list_datasets()
    >>> table.query("source == 'bundled'")["name"].tolist()
    ['breast_cancer', 'diabetes', 'digits', 'iris', 'wine']
    """
    home = get_data_home(data_home)
    rows = []
    for name, spec in BUNDLED.items():
        size = bundled_size(name)
        rows.append(
            dict(
                name=name,
                task=spec["task"],
                n_samples=spec["n_samples"],
                n_features=spec["n_features"],
                image_shape=spec.get("image_shape"),
                n_classes=spec["n_classes"],
                source="bundled",
                size_bytes=size,
                size=human_size(size),
                cached=True,
                description=spec["description"],
            )
        )
    for name, spec in IMAGE_DATASETS.items():
        rows.append(_image_row(name, spec, home))
    for name, spec in OPENML_DATASETS.items():
        rows.append(
            dict(
                name=name,
                task=spec["task"],
                n_samples=spec["n_samples"],
                n_features=spec["n_features"],
                image_shape=spec.get("image_shape"),
                n_classes=spec["n_classes"],
                source="download",
                size_bytes=spec["size"],
                size="~" + human_size(spec["size"]),
                cached=any(p.is_file() for p in local_openml_paths(name, data_home=home)),
                description=f"OpenML {spec['openml_name']!r} (id {spec['data_id']}): "
                + spec["description"],
            )
        )
    table = pd.DataFrame(rows)
    table["n_classes"] = table["n_classes"].astype("Int64")
    table["size_bytes"] = table["size_bytes"].astype("Int64")
    return table
