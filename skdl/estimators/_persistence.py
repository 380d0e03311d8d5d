"""Saving a fitted estimator to one file and loading it back.

The file is a zip archive with three members:

``manifest.json``
    What wrote the file: format name and version, skdl, Keras and
    scikit-learn versions, the Keras backend and the estimator's class.
``model.keras``
    The fitted network in Keras' native format (architecture, weights and
    optimizer state); it opens on its own with ``keras.saving.load_model``.
``estimator.pkl``
    The estimator pickled without its network: parameters and the
    scikit-learn side of the fitted state (``classes_``, encoders, target
    scaling, ``history_``, ...).

Loading rebuilds the network with the estimator's own builder, exactly as
unpickling does, and reads the weights and optimizer state from
``model.keras`` by layer, so a file written on one Keras backend loads on
another.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import warnings
import zipfile

import numpy as np

from sklearn.utils.validation import check_is_fitted

from skdl.exceptions import ModelFileError, SkdlWarning
from skdl.utils import atomic_path

FORMAT = "skdl.estimator"
FORMAT_VERSION = 2  # 2: the target is an object (target_encoder_)
_MEMBERS = ("manifest.json", "model.keras", "estimator.pkl")


def _versions():
    import keras
    import sklearn

    import skdl

    return {
        "skdl_version": skdl.__version__,
        "keras_version": keras.__version__,
        "sklearn_version": sklearn.__version__,
        "backend": keras.backend.backend(),
    }


def network_state(estimator, state):
    """``state`` (a copy of the estimator's ``__dict__``) made picklable: weights as arrays, no network."""
    for private in ("_finalizer", "_predict_callbacks"):
        state.pop(private, None)
    net = state.pop("_network", None)
    if "model_" in state and net is not None:
        net.sync()  # JAX keeps trained weights outside the Keras variables
        model = state.pop("model_")
        opt = getattr(model, "optimizer", None)  # none before compile (initialize without y)
        state["_weights_state"] = {
            "weights": [np.array(v.numpy()) for v in model.weights],
            "optimizer": [np.array(v.numpy()) for v in opt.variables] if opt is not None and opt.built else None,
        }
    return state


def assign_weights(model, saved):
    """Put weights (and optimizer state) taken by :func:`network_state` into ``model``."""
    for var, val in zip(model.weights, saved["weights"]):
        var.assign(val)
    if saved.get("optimizer") is not None and model.optimizer.built:
        for var, val in zip(model.optimizer.variables, saved["optimizer"]):
            var.assign(val)


def save_estimator(estimator, path):
    """Write a fitted skdl estimator to ``path`` as one zip file.

    The file is written to a temporary name next to ``path`` and renamed, so
    an interrupted save never leaves a half-written file under ``path``.

    Parameters
    ----------
    estimator : skdl estimator
        A fitted ``MLP*``, ``CNN*`` or ``Keras*`` estimator.
    path : str or path-like
        Destination; any extension works (``.skdl`` is conventional).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator has not been fitted.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from skdl import MLPClassifier, load
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.skdl")
    >>> clf.save(path)
    >>> bool((load(path).predict(X) == clf.predict(X)).all())
    True
    """
    check_is_fitted(estimator, "model_")
    net = estimator.__dict__.get("_network")
    if net is not None:
        net.sync()  # JAX keeps trained weights outside the Keras variables
    state = estimator.__getstate__()
    state.pop("_weights_state", None)
    state.pop("model_", None)
    shell = object.__new__(type(estimator))
    shell.__dict__.update(state)
    estimator_bytes = pickle.dumps(shell, protocol=pickle.HIGHEST_PROTOCOL)

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        **_versions(),
    }
    with atomic_path(path) as tmp, tempfile.TemporaryDirectory() as work:
        model_path = os.path.join(work, "model.keras")
        estimator.model_.save(model_path)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
            zf.write(model_path, "model.keras")
            zf.writestr("estimator.pkl", estimator_bytes)


def _read(path):
    """Manifest, model bytes and estimator bytes of an skdl file, or ModelFileError."""
    shown = os.fspath(path)
    if not os.path.exists(shown):
        raise FileNotFoundError(f"No such skdl model file: {shown!r}")
    try:
        with zipfile.ZipFile(shown) as zf:
            names = set(zf.namelist())
            if "manifest.json" not in names:
                hint = (
                    " It looks like a plain Keras model; open it with keras.saving.load_model."
                    if {"config.json", "model.weights.h5"} <= names
                    else ""
                )
                raise ModelFileError(
                    f"{shown!r} is not an skdl model file: it has no manifest.json.{hint}"
                )
            missing = [m for m in _MEMBERS if m not in names]
            if missing:
                raise ModelFileError(f"{shown!r} is an incomplete skdl model file: {missing} missing.")
            manifest = json.loads(zf.read("manifest.json").decode("utf-8"))
            model_bytes = zf.read("model.keras")
            estimator_bytes = zf.read("estimator.pkl")
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(
            f"{shown!r} is not a readable skdl model file (expected a zip archive written by "
            f"estimator.save): {exc}"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{shown!r} is not an skdl model file: unknown format in its manifest.")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(
            f"{shown!r} was written by skdl {manifest.get('skdl_version')} in file format "
            f"{manifest.get('format_version')}; this skdl reads format {FORMAT_VERSION} or older. "
            "Upgrade skdl to load it."
        )
    if manifest.get("format_version", 0) < FORMAT_VERSION:
        raise ModelFileError(
            f"{shown!r} was written by skdl {manifest.get('skdl_version')} in file format "
            f"{manifest.get('format_version')}, whose estimator state this skdl (format "
            f"{FORMAT_VERSION}) no longer reads. Load it with that skdl version, or refit the "
            "model and save it again."
        )
    return manifest, model_bytes, estimator_bytes


def load(path):
    """Load an estimator written by ``estimator.save(path)``.

    The network is rebuilt with the estimator's builder and gets the saved
    weights and optimizer state, so predictions are identical to the saved
    estimator's and training can continue (``warm_start``, ``partial_fit``).
    Like unpickling, loading runs code from the file: load only files you trust.

    Parameters
    ----------
    path : str or path-like
        A file written by :meth:`save`.

    Returns
    -------
    estimator : skdl estimator
        The fitted estimator.

    Raises
    ------
    skdl.exceptions.ModelFileError
        If the file is not an skdl model file, is corrupted, or cannot be
        restored (e.g. a custom architecture that is not registered or
        importable in this process).
    FileNotFoundError
        If ``path`` does not exist.

    See Also
    --------
    skdl.MLPClassifier.save : Write the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_diabetes
    >>> from skdl import MLPRegressor, load
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = MLPRegressor(hidden_layer_sizes=(8,), epochs=1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "diabetes.skdl")
    >>> reg.save(path)
    >>> type(load(path)).__name__
    'MLPRegressor'
    """
    import skdl

    manifest, model_bytes, estimator_bytes = _read(path)
    shown = os.fspath(path)
    try:
        estimator = pickle.loads(estimator_bytes)
    except Exception as exc:  # unpickling raises anything (AttributeError, ImportError, ...)
        raise ModelFileError(
            f"Could not restore the estimator stored in {shown!r} ({type(exc).__name__}: {exc}). "
            "If it uses a custom architecture or callable, import or register it before loading."
        ) from exc
    cls = f"{type(estimator).__module__}.{type(estimator).__qualname__}"
    if cls != manifest.get("class") or not hasattr(estimator, "_restore_network"):
        raise ModelFileError(
            f"{shown!r} is inconsistent: its manifest names {manifest.get('class')!r} but it "
            f"holds a {cls!r}."
        )
    import sklearn

    running = {"skdl": skdl.__version__, "scikit-learn": sklearn.__version__}
    saved = {"skdl": manifest.get("skdl_version"), "scikit-learn": manifest.get("sklearn_version")}
    differ = [f"{lib} {saved[lib]}" for lib in running if saved[lib] != running[lib]]
    if differ:
        warnings.warn(
            f"{shown!r} was saved with {' and '.join(differ)}; this is "
            f"{' and '.join(f'{lib} {running[lib]}' for lib in running if saved[lib] != running[lib])}. "
            "Check its predictions before relying on them.",
            SkdlWarning,
            stacklevel=2,
        )
    try:
        estimator._restore_network({"weights": [], "optimizer": None})
        with tempfile.TemporaryDirectory() as work:
            model_path = os.path.join(work, "model.keras")
            with open(model_path, "wb") as fh:
                fh.write(model_bytes)
            with warnings.catch_warnings():
                # an optimizer that was never stepped has nothing to restore
                warnings.filterwarnings("ignore", message=".*optimizer.*")
                estimator.model_.load_weights(model_path)
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(
            f"Could not restore the network stored in {shown!r} ({type(exc).__name__}: {exc})."
        ) from exc
    return estimator
