"""Each private-API fix in skdl.training._fixes works on the installed Keras/TensorFlow, and so do the fallbacks."""

import numpy as np
import pytest

from skdl.training import _fixes

keras = pytest.importorskip("keras")
BACKEND = keras.backend.backend()


@pytest.fixture(autouse=True)
def _keep_keras_global_seed():
    """Tests here seed Keras globally; later tests get the state they had."""
    from skdl.training._fixes import get_keras_global_seed_state, restore_keras_global_seed_state

    state = get_keras_global_seed_state()
    yield
    restore_keras_global_seed_state(state)


def _model(compile=True):
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dropout(0.2)], name="inner")
    model = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1)], name="outer")
    if compile:
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", weighted_metrics=["mae"])
    return model


def _batch():
    rng = np.random.RandomState(0)
    return rng.normal(size=(2, 3)).astype(np.float32), np.zeros((2, 1), np.float32), np.ones(2, np.float32)


@pytest.mark.parametrize("build", [_fixes.symbolic_build, _fixes._symbolic_build_by_evaluate])
def test_symbolic_build_and_its_fallback_build_metrics_without_training(build):
    model = _model()
    before = [np.array(v.numpy()) for v in model.weights]
    n_metric_vars = len(model.metrics_variables)
    build(model, _batch())
    assert len(model.metrics_variables) > n_metric_vars  # the compiled "mae" got its variables
    for b, v in zip(before, model.weights):
        np.testing.assert_array_equal(b, np.array(v.numpy()))


def test_iter_layers_reaches_nested_layers_and_matches_the_public_walk_on_sequential_models():
    model = _model()
    names = [layer.name for layer in _fixes.iter_layers(model)]
    assert names[0] == "outer" and "inner" in names
    inner_layers = [layer.name for layer in model.get_layer("inner").layers]
    assert set(inner_layers) <= set(names)
    # the public walk skips only variable-free input layers here
    public = {l.name for l in _fixes._walk_public_layers(model)}
    assert public <= set(names)
    assert all(not l.variables for l in _fixes.iter_layers(model) if l.name not in public)


@pytest.mark.skipif(BACKEND not in ("tensorflow", "jax"), reason="compiled engines only")
def test_a_compiled_network_stays_reusable_on_the_public_layer_walk(monkeypatch):
    from skdl.training._network import make_network

    monkeypatch.setattr(_fixes, "iter_layers", _fixes._walk_public_layers)
    net = make_network(_model, _batch(), key=("fixes", "public walk"))
    assert net.reusable
    monkeypatch.setattr(_fixes, "own_variables", lambda layer: None)
    assert not make_network(_model, _batch(), key=("fixes", "no own variables")).reusable


def test_own_variables_are_a_layers_own_and_unknown_layouts_give_none():
    model = _model()
    dense = model.layers[-1]
    assert [v.name for v in _fixes.own_variables(dense)] == ["kernel", "bias"]
    assert _fixes.own_variables(model) == []  # a container's variables are its layers'
    assert _fixes.own_variables(object()) is None


def test_seed_generators_find_dropouts_generator():
    model = _model()
    dropout = model.get_layer("inner").layers[-1]
    (gen,) = _fixes.seed_generators(dropout)
    assert isinstance(gen, keras.random.SeedGenerator)
    assert any(v is gen.state for v in model.variables)  # so a missed generator makes a network unpooled
    assert _fixes.seed_generators(model.layers[-1]) == ()
    assert _fixes.seed_generators(object()) == ()


def test_optimizer_learning_rate_is_the_variable_or_the_schedule():
    opt = keras.optimizers.Adam(0.01)
    opt.build([keras.Variable(np.zeros(2, np.float32))])
    lr = _fixes.optimizer_learning_rate(opt)
    assert any(v is lr for v in opt.variables)
    assert float(np.asarray(lr)) == pytest.approx(0.01)
    sched = keras.optimizers.schedules.ExponentialDecay(0.5, 1, 0.5)
    assert _fixes.optimizer_learning_rate(keras.optimizers.SGD(sched)) is sched

    class Bare:  # the fallback: the public property
        learning_rate = 0.3

    assert _fixes.optimizer_learning_rate(Bare()) == 0.3


def _draws(k=2):
    return [np.array(keras.random.uniform((3,))) for _ in range(k)]


def test_set_keras_global_seed_resets_keras_generator_and_leaves_python_and_numpy_alone():
    import random

    from keras.src.utils import rng_utils

    _draws(1)  # the global generator exists now
    np_state, py_state = np.random.get_state(), random.getstate()
    _fixes.set_keras_global_seed(123)
    assert np.array_equal(np.random.get_state()[1], np_state[1]) and random.getstate() == py_state
    assert rng_utils.get_random_seed() == 123
    assert _fixes.get_keras_global_seed_state()["generator"] is None  # recreated at the next draw
    # Keras 3.15 seeds a new generator from Python's random: with both seeded, draws repeat
    random.seed(5)
    a = _draws()
    _fixes.set_keras_global_seed(123)
    random.seed(5)
    np.testing.assert_array_equal(a, _draws())


@pytest.mark.parametrize("drawn_before", [0, 1])
def test_saving_and_restoring_the_seed_state_undoes_a_seeding(drawn_before):
    """As skdl.training.seeded uses it: Python's state is saved and restored around it."""
    import random

    from keras.src.utils import rng_utils

    keras.utils.set_random_seed(42)
    expected = _draws(drawn_before + 2)[drawn_before:]  # what the user's seed gives next
    keras.utils.set_random_seed(42)
    _draws(drawn_before)
    state, py_state = _fixes.get_keras_global_seed_state(), random.getstate()
    _fixes.set_keras_global_seed(7)
    random.seed(7)
    _draws(3)  # a fit's draws under its own seed
    _fixes.restore_keras_global_seed_state(state)
    random.setstate(py_state)
    np.testing.assert_array_equal(_draws(2), expected)
    assert rng_utils.get_random_seed() == 42
    _fixes.restore_keras_global_seed_state(None)  # the fallback's state: a no-op
    assert rng_utils.get_random_seed() == 42


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow only")
def test_tf_gradient_registry_is_tensorflows_table_and_the_kernel_cache_clears():
    registry = _fixes.tf_gradient_registry()
    assert isinstance(registry, dict) and "MatMul" in registry
    assert _fixes.clear_tf_kernel_cache() is True


def test_forget_custom_gradients_drops_only_new_custom_gradient_entries():
    registry = {"MatMul": 1, "CustomGradient-1": 2, "Relu": 3, "CustomGradient-2": 4, 5: 6}
    _fixes.forget_custom_gradients(registry, 2)
    assert registry == {"MatMul": 1, "CustomGradient-1": 2, "Relu": 3, 5: 6}


def test_padded_batch_accounting_patches_only_inside_its_context_and_falls_back_when_keras_moves():
    model = _model()
    _fixes.symbolic_build(model, _batch())
    cm, tracker = model._compile_metrics, model._loss_tracker
    acc = _fixes.PaddedBatchAccounting(model)
    assert acc.active
    with acc:
        assert "update_state" in vars(cm) and "update_state" in vars(tracker)
    assert "update_state" not in vars(cm) and "update_state" not in vars(tracker)

    class Moved:  # a Keras whose CompileMetrics lost a private name: nothing is patched
        _loss_tracker = tracker
        _compile_metrics = object()

    moved = _fixes.PaddedBatchAccounting(Moved())
    assert not moved.active
    with moved:
        assert "update_state" not in vars(tracker)


def test_padded_batch_accounting_counts_only_real_rows():
    model = _model()
    x, y, w = _batch()
    _fixes.symbolic_build(model, (x, y, w))
    model.reset_metrics()
    y_pred = model(x)
    with _fixes.PaddedBatchAccounting(model) as acc:
        acc.set(np.array([1.0, 0.0], np.float32), np.array([1.0, 0.0], np.float32))
        model._loss_tracker.update_state(2.0, sample_weight=2)
        model._compile_metrics.update_state(y, y_pred, sample_weight=np.array([2.0, 0.0], np.float32))
    # the tracker counted one real row, MAE only the first row's error
    assert float(model._loss_tracker.count) == 1.0
    mae = [m for m in model.metrics if m.name == "compile_metrics"][0].result()["mae"]
    assert float(mae) == pytest.approx(abs(float(np.asarray(y_pred)[0, 0])), rel=1e-5)
