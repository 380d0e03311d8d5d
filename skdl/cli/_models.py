"""Estimators for ``--model``, hyperparameters from flags and files, the search space."""

from __future__ import annotations

import os
from typing import Any

from skdl.cli._common import CLIError, UsageError
from skdl.cli._data import Data
from skdl.utils import did_you_mean

__all__ = ["make_estimator", "parse_set_params", "read_params_file", "search_space"]

#: Where the model sits in the Pipeline; hyperparameters are routed with this prefix.
STEP = "model"


def _registered(kind: str | None = None) -> list[str]:
    from skdl.architectures import list_architectures

    return list(list_architectures(kind) if kind else list_architectures())


def model_names() -> list[str]:
    """Every accepted ``--model`` value."""
    return ["mlp", "cnn", *[n for n in _registered() if n not in ("mlp", "cnn")]]


def _image_shape_for(data: Data, given: tuple | None, model: str) -> tuple:
    shape = given or data.image_shape
    if shape is None:
        raise CLIError(
            f"--model {model} needs image data: a dataset with an image shape (digits, mnist, "
            "fashion_mnist, cifar10, ...) or --input-shape H,W,C for CSV pixel columns."
        )
    n_features = data.X.shape[1]
    import numpy as np

    if int(np.prod(shape)) != n_features:
        raise CLIError(
            f"--input-shape {','.join(map(str, shape))} holds {int(np.prod(shape))} values per "
            f"sample, but the data has {n_features} feature columns."
        )
    return tuple(int(d) for d in shape)


def make_estimator(
    model: str,
    data: Data,
    *,
    input_shape: tuple | None,
    epochs: int,
    patience: int,
    seed: int,
):
    """The unfitted estimator for ``--model`` and the task of ``data``.

    Returns
    -------
    estimator : skdl estimator
    kind : {"mlp", "cnn", "keras"}
        Which search space family applies.
    """
    import skdl.estimators as est

    classification = data.task == "classification"
    common = dict(epochs=epochs, patience=patience, random_state=seed)
    name = model.strip().lower()
    if name == "mlp":
        cls = est.MLPClassifier if classification else est.MLPRegressor
        # the estimator's own defaults otherwise: they are trial 0 of a search
        return cls(**common), "mlp"
    if name in ("cnn", *_registered("image")):
        cls = est.CNNClassifier if classification else est.CNNRegressor
        shape = _image_shape_for(data, input_shape, name)
        arch = "simple_cnn" if name == "cnn" else name
        return cls(architecture=arch, input_shape=shape, **common), ("cnn" if arch == "simple_cnn" else "keras")
    if name in _registered():
        cls = est.KerasClassifier if classification else est.KerasRegressor
        return cls(model=name, optimizer="adam", learning_rate=1e-3, **common), "keras"
    raise UsageError(
        f"unknown --model {model!r}; expected one of {model_names()}.{did_you_mean(name, model_names())}"
    )


def search_space(pipeline, kind: str, fixed: dict, n_samples: int) -> dict:
    """The search space over the Pipeline's model step, minus ``fixed`` parameters.

    ``skdl.tuning.default_space`` sized for ``n_samples`` (the rows a trial
    trains on) for MLP and simple CNN models, without batch size 16 (it
    doubles the time of an epoch for no gain in a short search). Other
    architectures search the optimiser only, because their knobs differ.
    """
    from optuna.distributions import FloatDistribution

    from skdl.tuning import default_space

    prefix = f"{STEP}__"
    if kind in ("mlp", "cnn"):
        space = default_space(pipeline, n_samples=n_samples)
        batches = [b for b in space.get(f"{prefix}batch_size", []) if b >= 32]
        if batches:
            space[f"{prefix}batch_size"] = batches
        else:
            space.pop(f"{prefix}batch_size", None)
    else:
        space = {
            f"{prefix}optimizer": ["adam", "rmsprop"],
            f"{prefix}learning_rate": FloatDistribution(3e-4, 1e-2, log=True),
        }
    for key in fixed:
        space.pop(key, None)
        # a Conditional on a fixed parameter would never see its value
        for other in [k for k, v in space.items() if getattr(v, "on", None) == key]:
            space.pop(other)
    return space


# ------------------------------------------------------------ hyperparameters
def _yaml_value(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_set_params(items: list[str]) -> dict:
    """``["learning_rate=0.01", "hidden_layer_sizes=[64, 32]"]`` -> dict."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set expects KEY=VALUE (e.g. --set learning_rate=0.01); got {item!r}.")
        out[key] = _yaml_value(value.strip())
    return out


def read_params_file(path: str) -> dict:
    """Hyperparameters from a YAML/JSON mapping, or a tune ``summary.json``."""
    import yaml

    if os.path.isdir(path):
        candidate = os.path.join(path, "summary.json")
        if not os.path.exists(candidate):
            raise CLIError(f"--params {path} is a directory without a summary.json.")
        path = candidate
    if not os.path.exists(path):
        raise CLIError(f"--params file not found: {path}")
    try:
        with open(path, encoding="utf-8") as fh:
            content = yaml.safe_load(fh)  # JSON is YAML
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise CLIError(f"--params {path} is not valid YAML or JSON: {first}") from None
    if isinstance(content, dict) and isinstance(content.get("best_params"), dict):
        content = content["best_params"]  # a summary.json of skdl tune or train
    if not isinstance(content, dict):
        raise CLIError(
            f"--params {path} must hold a mapping of hyperparameters (e.g. 'learning_rate: 0.01'); "
            f"got a {type(content).__name__}."
        )
    return content


def route(params: dict, pipeline) -> dict:
    """Prefix bare names with the model step and check every name exists.

    Returns
    -------
    params : dict
        ``{"model__learning_rate": 0.01, ...}``, ready for ``set_params``.
    """
    valid = set(pipeline.get_params(deep=True))
    model_params = set(pipeline.named_steps[STEP].get_params(deep=False))
    out = {}
    for key, value in params.items():
        full = key if key.startswith(f"{STEP}__") else f"{STEP}__{key}"
        base = full[len(STEP) + 2:]
        routed_ok = "__" in base and base.split("__")[0] in (
            "model", "optimizer", "loss", "compile", "fit", "callbacks", "lr_schedule")
        if full not in valid and not routed_ok:
            name = type(pipeline.named_steps[STEP]).__name__
            raise UsageError(
                f"unknown hyperparameter {key!r} for {name}.{did_you_mean(base, model_params)} "
                f"Its hyperparameters: {', '.join(sorted(model_params))}."
            )
        out[full] = value
    return out


def strip_prefix(params: dict) -> dict:
    """``{"model__x": 1}`` -> ``{"x": 1}`` for summaries users read."""
    prefix = f"{STEP}__"
    return {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in params.items()}


# ------------------------------------------------------------------ progress
class EpochProgress:
    """An ``on_epoch_end`` callback drawing one tqdm bar per fit (``-v``).

    skdl estimators deep-copy their ``callbacks`` for every fit; this object
    returns itself from ``__deepcopy__`` so the bar state is shared, and drops
    the bar when pickled (worker processes, saved models).
    """

    def __init__(self, epochs: int | str, desc: str = "epochs") -> None:
        self.epochs = epochs
        self.desc = desc
        self._bar = None
        self._last = -1

    def __deepcopy__(self, memo):
        return self

    def __getstate__(self):
        return {"epochs": self.epochs, "desc": self.desc, "_bar": None, "_last": -1}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        import sys

        from tqdm.auto import tqdm

        if self._bar is None or epoch <= self._last:
            self.close()
            total = self.epochs if isinstance(self.epochs, int) else None  # "auto": set by the fit's rows
            self._bar = tqdm(total=total, desc=self.desc, unit="epoch", leave=False,
                             file=sys.stderr, position=1, dynamic_ncols=True)
        self._last = epoch
        self._bar.update(1)
        if logs:
            shown = {k: f"{v:.4g}" for k, v in logs.items()
                     if k in ("loss", "accuracy", "eval_loss", "eval_accuracy", "val_loss")}
            self._bar.set_postfix(shown, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._last = -1
