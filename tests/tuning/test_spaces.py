"""Search spaces: plain data, sampled through trials and decoded back to estimator values."""

import pickle

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skdl_tuning_fakes import FakeCNN, FakeMLP

from skdl.tuning import (
    Choice,
    Conditional,
    LayerSpace,
    decode_params,
    default_space,
    sample_params,
)
from skdl.tuning._spaces import validate_space

SPACE = {
    "hidden_layer_sizes": LayerSpace((1, 3), (4, 64), order="non-increasing"),
    "shape": Choice([(8,), (16, 8), None]),
    "optimizer": ["adam", "sgd"],
    "optimizer__momentum": Conditional(FloatDistribution(0.0, 0.9), on="optimizer",
                                       values=["sgd"]),
    "learning_rate": FloatDistribution(1e-4, 1e-1, log=True),
    "batch_size": IntDistribution(8, 64, log=True),
    "activation": CategoricalDistribution(["relu", "tanh"]),
}


def _sample_many(space, n=40, seed=0):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        params = sample_params(trial, space)
        study.tell(trial, 0.0)
        out.append((params, study.trials[-1]))
    return out


def test_sampled_values_respect_the_space_and_decode_back():
    for params, frozen in _sample_many(SPACE):
        sizes = params["hidden_layer_sizes"]
        assert isinstance(sizes, tuple) and 1 <= len(sizes) <= 3
        assert all(4 <= u <= 64 for u in sizes)
        assert list(sizes) == sorted(sizes, reverse=True)
        assert params["shape"] in [(8,), (16, 8), None]
        assert ("optimizer__momentum" in params) == (params["optimizer"] == "sgd")
        # stored params are storage-friendly; decoding gives the estimator values back
        assert all(isinstance(v, (int, float, str, type(None))) for v in frozen.params.values())
        assert decode_params(frozen.params, SPACE) == params


def test_layer_space_orders_and_zero_layers():
    widening = {"f": LayerSpace((0, 3), (2, 128), order="non-decreasing", log=False)}
    lengths = set()
    for params, _ in _sample_many(widening):
        sizes = params["f"]
        lengths.add(len(sizes))
        assert list(sizes) == sorted(sizes)
    assert 0 in lengths and 3 in lengths
    fixed = {"f": LayerSpace((2, 2), (16, 16))}
    assert _sample_many(fixed, n=1)[0][0] == {"f": (16, 16)}


def test_spaces_are_plain_picklable_data():
    assert pickle.loads(pickle.dumps(SPACE)) == SPACE
    assert pickle.loads(pickle.dumps(default_space(FakeMLP()))) == default_space(FakeMLP())


@pytest.mark.parametrize(
    "space, match",
    [
        ({"a": Conditional([1], on="b", values=[1])}, "depends on 'b', which must come earlier"),
        ({"a": LayerSpace((3, 1))}, "n_layers must be"),
        ({"a": LayerSpace(units=(0, 4))}, "units must be"),
        ({"a": LayerSpace(order="up")}, "order must be one of"),
        ({"a": []}, "is empty"),
        ({"a": Choice([])}, "has no choices"),
        ({"a": 3}, "must be an Optuna distribution"),
    ],
)
def test_invalid_spaces_are_named(space, match):
    with pytest.raises(ValueError, match=match):
        validate_space(space)


def test_default_space_mlp_and_cnn():
    mlp = default_space(FakeMLP())
    assert set(mlp) == {"hidden_layer_sizes", "activation", "dropout", "l2", "optimizer",
                        "learning_rate", "batch_size"}
    assert 0.0 in mlp["l2"]  # the estimators' default is inside the space (trial 0)
    assert mlp["optimizer"] == ["adam", "rmsprop"]  # the estimators' default "adam" is inside
    cnn = default_space(FakeCNN())
    assert {"filters", "kernel_size", "dense_layer_sizes"} <= set(cnn)
    assert "hidden_layer_sizes" not in cnn
    validate_space(mlp)
    validate_space(cnn)
    for params, _ in _sample_many(cnn, n=10):
        assert isinstance(params["filters"], tuple)


def test_default_space_prefixes_pipeline_final_step():
    pipe = make_pipeline(StandardScaler(), FakeMLP())
    space = default_space(pipe)
    assert all(k.startswith("fakemlp__") for k in space)
    params, _ = _sample_many(space, n=1)[0]
    pipe.set_params(**params)


def test_default_space_knows_the_estimators_minimum_validation_split():
    from skdl.estimators._data import MIN_VALIDATION_ROWS
    from skdl.tuning import _spaces

    assert _spaces.MIN_VALIDATION_ROWS == MIN_VALIDATION_ROWS


def test_default_space_follows_the_data_size():
    big = default_space(FakeMLP())
    assert big["batch_size"] == [16, 32, 64, 128, 256]
    assert big["hidden_layer_sizes"].n_layers == (1, 3)
    small = default_space(FakeMLP(), n_samples=300)  # every epoch keeps >= 8 updates
    assert small["batch_size"] == [16, 32]
    assert small["hidden_layer_sizes"].n_layers == (1, 2)
    assert "batch_size" not in default_space(FakeMLP(), n_samples=100)
    assert default_space(FakeMLP(), n_samples=5000)["hidden_layer_sizes"].n_layers == (1, 3)
    assert "early_stopping" not in default_space(FakeMLP(), n_samples=290)
    assert default_space(FakeMLP(), n_samples=300)["early_stopping"] == [False, True]
    assert "early_stopping" not in big  # unknown size: the estimator's own setting
    for bad in (0, -3, 2.5, True, "100"):
        with pytest.raises(ValueError, match="n_samples must be a positive int"):
            default_space(FakeMLP(), n_samples=bad)


def test_default_space_rejects_other_estimators():
    with pytest.raises(ValueError, match="has neither"):
        default_space(StandardScaler())
