"""Shared-graph MLPs (skdl.architectures._shared): trials reuse one trace and compute the narrow network."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skdl import MLPClassifier, MLPRegressor
from skdl.architectures._shared import (
    ZERO_ACTIVATIONS,
    build_shared_mlp,
    current_sharing,
    set_shared_mlp_values,
    shared_mlp_graphs,
)
from skdl.training._pool import POOL

keras = pytest.importorskip("keras")

X, y = load_iris(return_X_y=True)
X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
META = {"input_shape_": (4,), "n_outputs_": 3, "output_activation_": "softmax"}


def _np(v):
    return keras.ops.convert_to_numpy(v)


def test_the_context_is_visible_inside_only():
    assert current_sharing() is None
    with shared_mlp_graphs(max_units=64):
        assert current_sharing().max_units == 64
        with shared_mlp_graphs():
            assert current_sharing().max_units is None
        assert current_sharing().max_units == 64
    assert current_sharing() is None


def test_graph_widths_are_the_next_power_of_two_or_the_largest():
    with shared_mlp_graphs(max_units=256):
        graph = current_sharing().graph_width
        assert [graph(w) for w in (5, 16, 17, 33, 64, 65, 200, 256, 300)] == [16, 16, 32, 64, 64, 128, 256, 256, 300]
    with shared_mlp_graphs(max_units=100):
        assert current_sharing().graph_width(70) == 100
    with shared_mlp_graphs(max_units=256, widths="max"):
        assert current_sharing().graph_width(20) == 256
    with pytest.raises(ValueError, match=r"'widths' .* \['auto', 'pow2', 'max'\]; got 'huge'"):
        with shared_mlp_graphs(max_units=8, widths="huge"):
            pass


@pytest.mark.parametrize(("backend", "width"), [("jax", 256), ("tensorflow", 32), ("torch", 32)])
def test_auto_widths_are_the_largest_where_a_new_graph_compiles(backend, width, monkeypatch):
    from skdl.architectures import _shared

    fake = type("Keras", (), {"backend": type("Backend", (), {"backend": staticmethod(lambda: backend)})})
    monkeypatch.setattr(_shared, "get_keras", lambda: fake)
    with shared_mlp_graphs(max_units=256, widths="auto"):
        assert current_sharing().graph_width(20) == width
        assert current_sharing().graph_width(256) == 256


def test_a_search_on_small_folds_builds_the_largest_width_on_every_backend():
    from skdl.tuning._objective import SHARED_MAX_WIDTH_ROWS, SHARED_WIDTHS, shared_width_mode

    fold = lambda n: (np.arange(n), np.arange(3))  # noqa: E731
    assert shared_width_mode([fold(958), fold(SHARED_MAX_WIDTH_ROWS)]) == "max"
    assert shared_width_mode([fold(958), fold(SHARED_MAX_WIDTH_ROWS + 1)]) == SHARED_WIDTHS == "auto"


def test_set_values_draws_the_active_block_and_zeros_the_rest():
    keras.utils.set_random_seed(0)
    model = build_shared_mlp(META, graph_sizes=(16, 8))
    set_shared_mlp_values(model, sizes=(5, 3), dropout=(0.2, 0.4), l2=1e-3, seed=0)
    k1, k2, ko = (_np(model.get_layer(n).kernel) for n in ("hidden_1", "hidden_2", "output"))
    assert np.all(k1[:, 5:] == 0) and np.all(k1[:, :5] != 0)
    assert np.all(k2[5:, :] == 0) and np.all(k2[:, 3:] == 0) and np.all(k2[:5, :3] != 0)
    assert np.all(ko[3:, :] == 0) and np.all(ko[:3, :] != 0)
    # Glorot at the active shape: limit sqrt(6 / (4 + 5)), not sqrt(6 / (4 + 16))
    assert np.abs(k1).max() > np.sqrt(6 / 20)
    assert np.abs(k1).max() <= np.sqrt(6 / 9)
    assert float(_np(model.get_layer("hidden_2_dropout").rate)) == pytest.approx(0.4)
    assert float(_np(model.get_layer("output").l2)) == pytest.approx(1e-3)
    keras.utils.set_random_seed(0)
    again = build_shared_mlp(META, graph_sizes=(16, 8))
    set_shared_mlp_values(again, sizes=(5, 3), dropout=(0.2, 0.4), l2=1e-3, seed=0)
    np.testing.assert_array_equal(_np(again.get_layer("hidden_1").kernel), k1)


def test_the_rescaled_block_has_the_narrow_layers_distribution():
    # Glorot uniform at (64, 16) is U(-sqrt(6/80), sqrt(6/80)); a block of a (64, 256) draw rescaled
    keras.utils.set_random_seed(1)
    meta = {"input_shape_": (64,), "n_outputs_": 3, "output_activation_": "softmax"}
    model = build_shared_mlp(meta, graph_sizes=(256,))
    set_shared_mlp_values(model, sizes=(16,), dropout=(0.0,), l2=0.0)
    block = _np(model.get_layer("hidden_1").kernel)[:, :16]
    limit = np.sqrt(6 / 80)
    assert np.abs(block).max() <= limit + 1e-6
    assert np.abs(block).max() > 0.95 * limit
    assert np.std(block) == pytest.approx(limit / np.sqrt(3), rel=0.1)
    # he_normal (fan_in): std sqrt(2 / fan_in) whatever the width, so the block is unchanged
    model = build_shared_mlp(meta, graph_sizes=(256,), kernel_initializer="he_normal")
    before = _np(model.get_layer("hidden_1").kernel)[:, :16].copy()
    set_shared_mlp_values(model, sizes=(16,), dropout=(0.0,), l2=0.0)
    np.testing.assert_allclose(_np(model.get_layer("hidden_1").kernel)[:, :16], before)


def test_an_activation_with_nonzero_output_at_zero_is_refused():
    assert "sigmoid" not in ZERO_ACTIVATIONS
    with pytest.raises(ValueError, match=r"activation\(0\) == 0.*got 'sigmoid'"):
        build_shared_mlp(META, graph_sizes=(8,), activation="sigmoid")


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd"])
def test_masked_units_stay_exactly_dead_through_training(optimizer):
    with shared_mlp_graphs(max_units=32, widths="max"):
        est = MLPClassifier(hidden_layer_sizes=(6, 4), dropout=0.2, l2=1e-3, optimizer=optimizer,
                            epochs=5, batch_size=16, random_state=0).fit(X, y)
    m = est.model_
    assert m.get_layer("hidden_1").units == 32
    k1, b1 = _np(m.get_layer("hidden_1").kernel), _np(m.get_layer("hidden_1").bias)
    k2, ko = _np(m.get_layer("hidden_2").kernel), _np(m.get_layer("output").kernel)
    assert not k1[:, 6:].any() and not b1[6:].any()
    assert not k2[6:, :].any() and not k2[:, 4:].any() and not ko[4:, :].any()
    assert k1[:, :6].any() and ko[:4].any()


def test_trials_differing_in_width_dropout_and_l2_reuse_one_graph_and_learn_like_exact_ones():
    base = dict(epochs=40, batch_size=16, learning_rate=0.01, patience=None, random_state=0)
    configs = [dict(hidden_layer_sizes=(12,), dropout=0.1, l2=1e-4),
               dict(hidden_layer_sizes=(24,), dropout=0.3, l2=0.0),
               dict(hidden_layer_sizes=(7,), dropout=0.05, l2=1e-3)]
    exact = [MLPClassifier(**base, **c).fit(X, y).score(X, y) for c in configs]
    shared = []
    with shared_mlp_graphs(max_units=32, widths="max"):
        MLPClassifier(**base, **configs[0]).fit(X, y)  # builds the shared graph
        hits = POOL.hits
        for c in configs:
            est = MLPClassifier(**base, **c).fit(X, y)
            shared.append(est.score(X, y))
            del est
    assert POOL.hits - hits == len(configs)
    # the same networks up to their random draws: both learn iris
    assert min(shared) > 0.9 and min(exact) > 0.9
    assert abs(np.mean(shared) - np.mean(exact)) < 0.05


def test_what_the_shared_graph_cannot_express_builds_exactly():
    with shared_mlp_graphs(max_units=32, widths="max"):
        for params in (dict(batch_norm=True), dict(l1=1e-4), dict(activation="sigmoid"),
                       dict(model__kernel_initializer="orthogonal")):
            est = MLPClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=0, **params)
            assert est._shared_graph() is None
        reg = MLPRegressor(hidden_layer_sizes=(5,), epochs=1, random_state=0)
        assert reg._shared_graph()["builder_params"]["graph_sizes"] == (32,)
    # outside the context: the regular builder, exact widths
    est = MLPClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=0).fit(X, y)
    assert est.model_.get_layer("hidden_1").units == 5
    assert est._shared_graph() is None


def test_a_shared_trial_predicts_after_pickling():
    import pickle

    with shared_mlp_graphs(max_units=16):
        est = MLPClassifier(hidden_layer_sizes=(5,), dropout=0.2, epochs=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(back.predict_proba(X), est.predict_proba(X), rtol=1e-5)


def test_a_layer_without_dropout_gets_no_dropout_layer_so_no_random_draw():
    with shared_mlp_graphs(max_units=32):
        est = MLPClassifier(hidden_layer_sizes=(6, 4), dropout=(0.0, 0.3), epochs=1, random_state=0)
        assert est._shared_graph()["builder_params"]["dropout_layers"] == (False, True)
        est.fit(X, y)
    names = {layer.name for layer in est.model_.layers}
    assert "hidden_1_dropout" not in names and "hidden_2_dropout" in names
    model = build_shared_mlp(META, graph_sizes=(8,), dropout_layers=(False,))
    with pytest.raises(ValueError, match="without dropout"):
        set_shared_mlp_values(model, sizes=(4,), dropout=(0.2,), l2=0.0)
