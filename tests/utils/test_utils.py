"""Shared helpers: metric direction, "did you mean", atomic writes."""

import os
import re
import stat

import pytest

from skdl.utils import (
    atomic_path,
    atomic_write_text,
    did_you_mean,
    greater_is_better,
    metric_direction,
)


def _snake(name):
    name = name.replace("IoU", "Iou")  # BinaryIoU -> binary_iou
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _keras_names():
    keras = pytest.importorskip("keras")
    names = set()
    for module in (keras.metrics, keras.losses):
        for attr in dir(module):
            obj = getattr(module, attr)
            if attr.startswith("_") or not callable(obj) or attr in {"get", "serialize", "deserialize"}:
                continue
            if attr in {"Metric", "Loss", "Mean", "Sum", "MeanMetricWrapper", "Reduction", "LossFunctionWrapper"}:
                continue  # bases and aggregations with no direction of their own
            names.add(_snake(attr) if attr[0].isupper() else attr)
    return sorted(names)


def test_every_keras_metric_and_loss_has_a_direction():
    unknown = [n for n in _keras_names() if metric_direction(n) is None]
    assert unknown == []


def test_every_sklearn_scorer_is_greater_is_better():
    from sklearn.metrics import get_scorer_names

    wrong = [n for n in get_scorer_names() if not greater_is_better(n)]
    assert wrong == []


@pytest.mark.parametrize(
    "name, expected",
    [
        ("loss", False),
        ("val_loss", False),
        ("eval_loss", False),
        ("accuracy", True),
        ("val_accuracy", True),
        ("val_cosine_similarity", True),  # the early-stopping bug: was lower-is-better
        ("val_poisson", False),  # the report bug: was higher-is-better
        ("val_auc_1", True),
        ("val_mean_absolute_error", False),
        ("val_r2_score", True),
        ("val_kl_divergence", False),
        ("neg_log_loss", True),
        ("mean_test_neg_mean_squared_error", True),
        ("split3_test_accuracy", True),
        ("mean_test_score", True),
        ("my_custom_thing", False),  # unknown: a loss, as Keras' mode="auto"
    ],
)
def test_greater_is_better_table(name, expected):
    assert greater_is_better(name) is expected


def test_unknown_name_is_none_in_metric_direction():
    assert metric_direction("my_custom_thing") is None


def test_did_you_mean():
    assert did_you_mean("adamm", ["adam", "sgd"]) == " Did you mean 'adam'?"
    assert did_you_mean("Adam", ["adam", "sgd"]) == " Did you mean 'adam'?"
    assert did_you_mean("zzz", ["adam", "sgd"]) == ""


def test_atomic_write_honours_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "sub" / "out.txt", "hi")
    finally:
        os.umask(old)
    assert path.read_text() == "hi"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]


def test_atomic_path_leaves_target_alone_on_error(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target, suffix=".keras") as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
