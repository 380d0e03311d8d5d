"""The compared libraries, each configured to do the same work.

Every factory returns an unfitted classifier with hidden layers
``hidden`` (ReLU), a softmax / cross-entropy output, Adam at learning rate
1e-3 (default betas and epsilon), mini-batches of ``batch_size`` reshuffled
every epoch, exactly ``epochs`` epochs (no early stopping, no internal
validation split, no L2 penalty) and no per-epoch printing:

* ``skdl``: ``skdl.MLPClassifier(..., patience=None)`` so it never stops early;
* ``sklearn``: ``MLPClassifier(solver="adam", alpha=0, max_iter=epochs, tol=0,
  n_iter_no_change=10**9)``: with ``tol=0`` and a huge ``n_iter_no_change`` it
  runs ``max_iter`` epochs;
* ``skorch``: ``NeuralNetClassifier`` around ``skorch.toy.MLPModule`` (dropout 0),
  ``train_split=None`` (skorch holds out 20 % for validation by default);
* ``scikeras``: ``KerasClassifier`` with its scikit-learn >= 1.6 tags fixed
  (scikeras 0.13 only sets the old ``_estimator_type``, so sklearn 1.9 does not
  see a classifier: ``cross_val_score(cv=5)`` would not stratify and
  ``is_classifier`` is False);
* ``keras.wrappers``: ``keras.wrappers.SKLearnClassifier`` with ``epochs`` and
  ``batch_size`` in ``fit_kwargs``, subclassed so ``clone`` keeps ``fit_kwargs``
  (Keras 3.15.1's ``__sklearn_clone__`` drops them, and each CV fold would
  train 1 epoch).

Differences that remain: weight initialisation (Glorot uniform in the Keras
libraries and sklearn, Kaiming uniform in torch), float64 in sklearn's MLP
(it keeps float32 input as float32) and the seeding of the Keras wrappers (not
seeded: their ``random_state`` reseeds TensorFlow's global state each fit).

Import this module only inside worker processes: factories import their
library lazily, but they assume ``KERAS_BACKEND`` is already set.
"""

from __future__ import annotations

import os

from _common import LEARNING_RATE

LIBRARIES = ("skdl", "sklearn", "skorch", "scikeras", "keras.wrappers")
KERAS_WRAPPERS = ("scikeras", "keras.wrappers")
# skdl.KerasClassifier driven the way scikeras code drives scikeras (the same
# builder and arguments as the "scikeras" row): the drop-in's fixed cost (issue 14).
SKDL_KERAS = "skdl-keras"


def import_library(lib: str):
    """Import what fitting ``lib`` needs (and the Keras backend for Keras libraries)."""
    if lib == "skdl":
        import skdl  # noqa: F401
        from skdl import MLPClassifier  # noqa: F401
    elif lib == SKDL_KERAS:
        from skdl import KerasClassifier  # noqa: F401
    elif lib == "sklearn":
        from sklearn.neural_network import MLPClassifier  # noqa: F401
    elif lib == "skorch":
        import skorch  # noqa: F401
        import torch  # noqa: F401
    elif lib == "scikeras":
        from scikeras.wrappers import KerasClassifier  # noqa: F401
    elif lib == "keras.wrappers":
        from keras.wrappers import SKLearnClassifier  # noqa: F401
    else:
        raise ValueError(f"unknown library {lib!r}; expected one of {LIBRARIES}")


def init_backend(lib: str):
    """Import Keras and touch its backend, so that cost is not charged to the first fit."""
    if lib in ("skdl", SKDL_KERAS) + KERAS_WRAPPERS:
        import numpy as np
        import keras

        keras.ops.convert_to_numpy(keras.ops.add(keras.ops.convert_to_tensor(np.ones(2, "float32")), 1.0))
        return keras.backend.backend()
    if lib == "skorch":
        import torch

        torch.ones(2) + 1
        return f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    return None


def make_classifier(lib: str, *, n_features: int, n_classes: int, hidden=(128, 128), epochs=30,
                    batch_size=32, random_state=0):
    """An unfitted classifier of ``lib`` doing the work described in the module docstring."""
    hidden = tuple(int(h) for h in hidden)
    if lib == "skdl":
        from skdl import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=hidden,
            activation="relu",
            optimizer="adam",
            learning_rate=LEARNING_RATE,
            epochs=epochs,
            batch_size=batch_size,
            patience=None,
            random_state=random_state,
        )
    if lib == "sklearn":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=hidden,
            activation="relu",
            solver="adam",
            alpha=0.0,
            learning_rate_init=LEARNING_RATE,
            batch_size=batch_size,
            max_iter=epochs,
            shuffle=True,
            tol=0.0,
            n_iter_no_change=10**9,
            early_stopping=False,
            random_state=random_state,
        )
    if lib == "skorch":
        import torch
        from skorch import NeuralNetClassifier
        from skorch.toy import MLPModule

        if len(set(hidden)) != 1:
            raise ValueError("skorch.toy.MLPModule has equal hidden layers")
        torch.manual_seed(random_state)
        return NeuralNetClassifier(
            MLPModule,
            module__input_units=n_features,
            module__output_units=n_classes,
            module__hidden_units=hidden[0],
            module__num_hidden=len(hidden),
            module__dropout=0.0,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            lr=LEARNING_RATE,
            max_epochs=epochs,
            batch_size=batch_size,
            iterator_train__shuffle=True,
            train_split=None,
            verbose=0,
        )
    # the same scikeras code on both classes (skdl's also gets the seed the other rows get)
    scikeras_code = dict(model=_scikeras_model, model__hidden=hidden, loss="sparse_categorical_crossentropy",
                         optimizer="adam", optimizer__learning_rate=LEARNING_RATE, epochs=epochs,
                         batch_size=batch_size, verbose=0)
    if lib == SKDL_KERAS:
        from skdl import KerasClassifier

        return KerasClassifier(**scikeras_code, random_state=random_state)
    if lib == "scikeras":
        return _scikeras_class()(**scikeras_code)
    if lib == "keras.wrappers":
        return _keras_wrappers_class()(
            model=_keras_wrappers_model,
            model_kwargs={"hidden": hidden},
            fit_kwargs={"epochs": epochs, "batch_size": batch_size, "verbose": 0},
        )
    raise ValueError(f"unknown library {lib!r}; expected one of {LIBRARIES}")


def _dense_stack(n_features, n_outputs, hidden):
    import keras

    layers = [keras.Input((n_features,))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden]
    layers.append(keras.layers.Dense(n_outputs, activation="softmax"))
    return keras.Sequential(layers)


def _scikeras_model(meta, hidden=(128, 128)):
    return _dense_stack(meta["n_features_in_"], meta["n_classes_"], hidden)


def _keras_wrappers_model(X, y, hidden=(128, 128)):
    import keras

    # SKLearnClassifier one-hot encodes y, hence categorical (not sparse) cross-entropy
    model = _dense_stack(X.shape[1], y.shape[1], hidden)
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="categorical_crossentropy")
    return model


_FIXED = None


def _scikeras_class():
    """scikeras' KerasClassifier with the tags scikit-learn >= 1.6 reads."""
    global _FIXED
    if _FIXED is None:
        from scikeras.wrappers import KerasClassifier
        from sklearn.utils import ClassifierTags

        class TaggedKerasClassifier(KerasClassifier):
            def __sklearn_tags__(self):
                tags = super().__sklearn_tags__()
                tags.estimator_type = "classifier"
                tags.classifier_tags = ClassifierTags()
                return tags

        _FIXED = TaggedKerasClassifier
    return _FIXED


_CLONABLE = None


def _keras_wrappers_class():
    """keras.wrappers.SKLearnClassifier whose clone keeps ``fit_kwargs``.

    Keras 3.15.1's ``SKLBase.__sklearn_clone__`` rebuilds the estimator from
    ``model``, ``warm_start`` and ``model_kwargs`` only, so every clone a CV
    makes would train with Keras' default of 1 epoch.
    """
    global _CLONABLE
    if _CLONABLE is None:
        import copy

        from keras.wrappers import SKLearnClassifier

        class ClonableSKLearnClassifier(SKLearnClassifier):
            def __sklearn_clone__(self):
                new = super().__sklearn_clone__()
                new.fit_kwargs = copy.deepcopy(self.fit_kwargs)
                return new

        _CLONABLE = ClonableSKLearnClassifier
    return _CLONABLE


def configs(args, *, wrapper_backends=("tensorflow",), keras_builder=False):
    """(label, library, backend) triples to run: skdl per backend, the others once.

    ``keras_builder`` adds skdl's ``KerasClassifier`` with the scikeras row's
    builder, per backend, after skdl's MLP (selected by ``--only skdl`` or
    ``--only skdl-keras``).
    """
    from _common import backends, wanted

    out = []
    for lib in LIBRARIES:
        if not wanted(args, lib):
            if lib == "skdl" and keras_builder and wanted(args, SKDL_KERAS):
                out += [(f"skdl KerasClassifier, scikeras builder [{b}]", SKDL_KERAS, b)
                        for b in backends(args)]
            continue
        if lib == "skdl":
            out += [(f"skdl [{b}]", lib, b) for b in backends(args)]
            if keras_builder:
                out += [(f"skdl KerasClassifier, scikeras builder [{b}]", SKDL_KERAS, b)
                        for b in backends(args)]
        elif lib in KERAS_WRAPPERS:
            out += [(f"{lib} [{b}]", lib, b) for b in wrapper_backends]
        else:
            out.append((lib, lib, None))
        if lib == "sklearn" and getattr(args, "sklearn_one_thread", True):
            out.append((SKLEARN_1T, lib, None))
    return out


# sklearn's MLP calls BLAS on small matrices; on a loaded machine OpenBLAS' worker
# threads wait for each other and a fit can get several times slower, so the
# one-thread variant is shown too (a user can set it with threadpoolctl).
SKLEARN_1T = "sklearn [1 BLAS thread]"
ONE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def sklearn_reference(summary, key):
    """The faster of sklearn's two rows (default threads, one BLAS thread): the ratios' reference."""
    values = [summary[k][key] for k in ("sklearn", SKLEARN_1T) if k in summary and key in summary[k]]
    return min(values) if values else None


def env_for(label):
    """Extra environment of a configuration's worker process."""
    return ONE_THREAD_ENV if label == SKLEARN_1T else None


def heavy_modules_loaded() -> dict:
    import sys

    return {m: m in sys.modules for m in ("tensorflow", "jax", "torch", "keras", "optuna", "matplotlib")}


def backend_of(lib: str):
    if lib in ("skdl", SKDL_KERAS) + KERAS_WRAPPERS:
        return os.environ.get("KERAS_BACKEND", "tensorflow")
    return None


# ------------------------------------------------------------ CV worker
def load_data(dataset: str, n_samples=None, n_features=100, n_classes=5):
    """(X float32, y int64) of a named data set."""
    import numpy as np

    if dataset == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = X / 16.0
    elif dataset == "synthetic":
        from sklearn.datasets import make_classification

        X, y = make_classification(
            n_samples=n_samples, n_features=n_features, n_informative=n_features // 2,
            n_redundant=0, n_classes=n_classes, random_state=0,
        )
    else:
        raise ValueError(dataset)
    if n_samples is not None and dataset == "digits":
        X, y = X[:n_samples], y[:n_samples]
    return np.ascontiguousarray(X, dtype=np.float32), np.asarray(y, dtype=np.int64)


def cv_worker(lib, dataset, n_runs, epochs, batch_size, hidden, n_splits, n_samples=None):
    """Cross-validate ``lib`` ``1 + n_runs`` times in this process; the first run is 'cold'."""
    import time

    import numpy as np

    from _common import quiet_warnings
    from sklearn.model_selection import StratifiedKFold, cross_validate

    quiet_warnings()
    t0 = time.perf_counter()
    import_library(lib)
    backend = init_backend(lib)
    import_s = time.perf_counter() - t0
    X, y = load_data(dataset, n_samples=n_samples)
    n_classes = len(np.unique(y))
    cv = StratifiedKFold(n_splits, shuffle=True, random_state=0)
    runs = []
    for run in range(1 + n_runs):
        est = make_classifier(lib, n_features=X.shape[1], n_classes=n_classes, hidden=hidden,
                              epochs=epochs, batch_size=batch_size, random_state=0)
        t = time.perf_counter()
        res = cross_validate(est, X, y, cv=cv, scoring="accuracy", error_score="raise")
        wall = time.perf_counter() - t
        runs.append({
            "wall_s": wall,
            "fit_s": float(np.sum(res["fit_time"])),
            "score_s": float(np.sum(res["score_time"])),
            "accuracy": float(np.mean(res["test_score"])),
            "fold_accuracy": [float(a) for a in res["test_score"]],
        })
    warm = runs[1:] or runs
    return {
        "library": lib,
        "backend": backend,
        "import_s": import_s,
        "cold_wall_s": runs[0]["wall_s"],
        "wall_s": float(np.median([r["wall_s"] for r in warm])),
        "accuracy": float(np.median([r["accuracy"] for r in warm])),
        "runs": runs,
        "heavy_modules": heavy_modules_loaded(),
    }
