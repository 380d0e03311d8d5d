"""EpochPruningCallback reports greater-is-better values, by skdl.utils.greater_is_better."""

import pytest

from skdl.tuning import EpochPruningCallback


class _Trial:
    def __init__(self):
        self.reports = []

    def report(self, value, step):
        self.reports.append((step, value))

    def should_prune(self):
        return False


@pytest.mark.parametrize(
    ("monitor", "metric", "logs", "key", "value"),
    [
        ("auto", "accuracy", {"eval_accuracy": 0.8, "eval_loss": 0.5}, "eval_accuracy", 0.8),
        ("auto", None, {"eval_accuracy": 0.8, "eval_loss": 0.5}, "-eval_loss", -0.5),
        # a sklearn neg_ scorer finds the Keras metric of that name, negated (an error)
        ("auto", "neg_mean_absolute_error", {"eval_mean_absolute_error": 2.0, "eval_loss": 3.0},
         "-eval_mean_absolute_error", -2.0),
        ("auto", "r2", {"eval_loss": 3.0, "loss": 1.0}, "-eval_loss", -3.0),
        ("auto", None, {"loss": 1.0}, "-loss", -1.0),
        # an explicit key gets its direction from the shared rule ...
        ("eval_loss", None, {"eval_loss": 0.5}, "-eval_loss", -0.5),
        ("val_cosine_similarity", None, {"val_cosine_similarity": 0.9}, "val_cosine_similarity", 0.9),
        ("eval_poisson", None, {"eval_poisson": 1.5}, "-eval_poisson", -1.5),
        # ... unless a sign says otherwise
        ("-eval_accuracy", None, {"eval_accuracy": 0.8}, "-eval_accuracy", -0.8),
        ("+eval_loss", None, {"eval_loss": 0.5}, "eval_loss", 0.5),
    ],
)
def test_reported_value_rises_as_the_model_improves(monitor, metric, logs, key, value):
    trial = _Trial()
    cb = EpochPruningCallback(trial, monitor=monitor, metric=metric)
    cb.on_epoch_end(0, logs)
    assert cb.monitor_ == key
    assert trial.reports == [(1, pytest.approx(value))]


def test_missing_monitor_names_the_keys():
    cb = EpochPruningCallback(_Trial(), monitor="eval_auc")
    with pytest.raises(KeyError, match=r"'eval_auc' is not in the epoch logs.*\['loss'\]"):
        cb.on_epoch_end(0, {"loss": 1.0})
