"""scipy sparse X (issue 14, C24): kept as CSR and densified one batch at a time.

scikeras' sparse tutorial is tests/interop/test_tutorial_benchmarks_and_sparse.py; these tests
check that a sparse X trains the same network as its dense form on every engine, that no dense
copy of the whole X is made, and the errors around it.
"""

import numpy as np
import pytest
import scipy.sparse as sp

keras = pytest.importorskip("keras")

from skdl import CNNClassifier, KerasClassifier, KerasRegressor, MLPClassifier, MLPRegressor  # noqa: E402
from skdl.training._sparse import SparseRows, dense_batches  # noqa: E402

FAST = dict(hidden_layer_sizes=(8,), epochs=2, patience=None, random_state=0)
# The compiled engines shuffle dense and sparse X with the fit's random stream; the Keras
# engine (other backends) shuffles dense X with Keras' own, so there the comparisons with
# dense X train in order.
COMPILED = keras.backend.backend() in ("tensorflow", "jax")
IN_ORDER = {} if COMPILED else {"shuffle": False}
ENGINES = ["compiled", "keras"] if COMPILED else ["keras"]


@pytest.fixture(scope="module")
def sparse_data():
    """120 x 30, about 10 % non-zero, float64, with a binary and a continuous target."""
    X = sp.random(120, 30, density=0.1, format="csr", random_state=np.random.RandomState(0),
                  data_rvs=np.random.RandomState(1).randn)
    w = np.random.RandomState(2).randn(30)
    score = X @ w
    return X, (score > np.median(score)).astype(int), score


def _dense_builder(meta):
    return keras.Sequential([
        keras.Input(meta["input_shape_"]),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1),
    ])


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil"])
def test_mlp_on_sparse_matches_dense(sparse_data, fmt):
    X, y, _ = sparse_data
    dense = MLPClassifier(**FAST).fit(X.toarray(), y, **IN_ORDER)
    sparse = MLPClassifier(**FAST).fit(X.asformat(fmt), y, **IN_ORDER)
    np.testing.assert_allclose(sparse.predict_proba(X.asformat(fmt)), dense.predict_proba(X.toarray()),
                               rtol=1e-5, atol=1e-6)
    assert sparse.history_["loss"] == pytest.approx(dense.history_["loss"], rel=1e-5)
    assert sparse.n_features_in_ == 30
    assert sparse.score(X, y) == dense.score(X.toarray(), y)


def test_uint8_sparse_trains_as_float(sparse_data):
    X, _, score = sparse_data
    Xu = (abs(X) * 10).astype(np.uint8)
    Xu.eliminate_zeros()
    dense = MLPRegressor(**FAST).fit(Xu.toarray(), score, **IN_ORDER)
    sparse = MLPRegressor(**FAST).fit(Xu, score, **IN_ORDER)
    np.testing.assert_allclose(sparse.predict(Xu), dense.predict(Xu.toarray()), rtol=1e-5, atol=1e-5)


def test_explicit_zeros_are_implicit_zeros(sparse_data):
    X, y, _ = sparse_data
    explicit = X.copy()
    explicit.data[::3] = 0.0  # stored zeros
    implicit = explicit.copy()
    implicit.eliminate_zeros()
    assert explicit.nnz > implicit.nnz
    a = MLPClassifier(**FAST).fit(explicit, y)
    b = MLPClassifier(**FAST).fit(implicit, y)
    np.testing.assert_allclose(a.predict_proba(implicit), b.predict_proba(explicit), rtol=1e-6)


@pytest.mark.parametrize("engine", ENGINES)
def test_keras_regressor_on_sparse_matches_dense(sparse_data, engine):
    X, _, score = sparse_data
    kw = dict(model=_dense_builder, loss="mse", epochs=2, shuffle=False, random_state=0, engine=engine,
              batch_size=16, validation_split=0.2)
    dense = KerasRegressor(**kw).fit(X.toarray(), score)
    sparse = KerasRegressor(**kw).fit(X, score)
    assert sparse.history_["val_loss"] == pytest.approx(dense.history_["val_loss"], rel=1e-4)
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X.toarray()), rtol=1e-4, atol=1e-5)
    # model.predict's own path (predict options given) takes sparse X too
    np.testing.assert_allclose(sparse.predict(X, batch_size=7), sparse.predict(X), rtol=1e-5, atol=1e-6)


def test_keras_engine_shuffles_sparse_rows_reproducibly(sparse_data):
    X, _, score = sparse_data
    kw = dict(model=_dense_builder, loss="mse", epochs=2, random_state=0, engine="keras", batch_size=16)
    a = KerasRegressor(**kw).fit(X, score).predict(X)
    b = KerasRegressor(**kw).fit(X, score).predict(X)
    c = KerasRegressor(**{**kw, "shuffle": False}).fit(X, score).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)  # the rows were shuffled


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_validation_and_eval_set(sparse_data):
    X, y, _ = sparse_data
    clf = MLPClassifier(**{**FAST, "early_stopping": True, "validation_fraction": 0.3, "patience": 5})
    clf.fit(X, y, eval_set=(X[:40], y[:40]), **IN_ORDER)
    dense = MLPClassifier(**{**FAST, "early_stopping": True, "validation_fraction": 0.3, "patience": 5})
    dense.fit(X.toarray(), y, eval_set=(X[:40].toarray(), y[:40]), **IN_ORDER)
    assert clf.history_["val_loss"] == pytest.approx(dense.history_["val_loss"], rel=1e-5)
    assert clf.history_["eval_loss"] == pytest.approx(dense.history_["eval_loss"], rel=1e-5)


def test_partial_fit_continues_on_sparse(sparse_data):
    X, y, _ = sparse_data
    clf = MLPClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2
    assert clf.predict(X).shape == (120,)


def test_no_dense_copy_of_the_whole_matrix(monkeypatch):
    """A matrix whose dense form has 60 M values is densified only in blocks the engines bound.

    Even the 300 training rows at once (30 M values) would break the bound.
    """
    n, d = 600, 100_000
    X = sp.random(n, d, density=1e-3, format="csr", random_state=0, dtype=np.float32)
    y = np.random.RandomState(0).rand(n)
    blocks = []
    original = sp.csr_matrix.toarray

    def recording(self, *args, **kwargs):
        if self.shape[1] == d:
            blocks.append(self.shape[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", recording)
    for engine in ENGINES:
        blocks.clear()
        reg = KerasRegressor(_dense_builder, loss="mse", epochs=1, batch_size=32, engine=engine,
                             random_state=0, validation_split=0.5).fit(X, y)
        assert reg.predict(X).shape == (n,)
        assert blocks, "the engines never densified a batch"
        # at most 2^24 values (64 MB of float32) at once, the engines' bound for dense X too
        assert max(blocks) * d <= 1 << 24 < n * d, (engine, max(blocks))
        assert 32 in blocks  # training batches: one batch of rows at a time


def test_sparse_rows_and_dense_batches():
    M = sp.random(10, 4, density=0.5, format="coo", random_state=0)  # float64, not CSR
    rows = SparseRows(M)
    assert rows.matrix.format == "csr" and rows.matrix.dtype == np.float32
    assert rows.shape == (10, 4) and len(rows) == 10
    np.testing.assert_array_equal(rows[np.array([3, 1])], M.toarray()[[3, 1]].astype(np.float32))
    assert rows[2:5].dtype == np.float32
    assert isinstance(rows.take([0, 9]), SparseRows) and rows.take([0, 9]).shape == (2, 4)
    y, w = np.arange(10.0), np.ones(10)
    ds = dense_batches(rows, y, w, batch_size=4, order=np.arange(10)[::-1])
    assert len(ds) == 3
    x0, y0, _ = ds[0]
    np.testing.assert_array_equal(y0, [9, 8, 7, 6])
    np.testing.assert_array_equal(x0, M.toarray()[[9, 8, 7, 6]].astype(np.float32))
    assert ds[2][0].shape == (2, 4)


# ---------------------------------------------------------------------- errors
def test_sparse_nan_is_rejected_as_dense_nan(sparse_data):
    X, y, _ = sparse_data
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier(**FAST).fit(bad, y)
    clf = MLPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    bad.data[0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        KerasRegressor(_dense_builder, loss="mse").fit(bad, y)


def test_sparse_y_is_rejected(sparse_data):
    X, y, _ = sparse_data
    with pytest.raises(ValueError, match=r"requires dense y; got a sparse csr_matrix .*y\.toarray\(\)"):
        KerasRegressor(_dense_builder, loss="mse").fit(X, sp.csr_matrix(y.reshape(-1, 1).astype(float)))


def test_cnn_rejects_sparse_naming_the_alternatives():
    X = sp.random(20, 16, density=0.2, format="csr", random_state=0)
    with pytest.raises(TypeError, match="CNNClassifier does not accept sparse X.*MLPClassifier or KerasClassifier"):
        CNNClassifier(input_shape=(4, 4, 1), epochs=1).fit(X, np.arange(20) % 2)
    assert CNNClassifier().__sklearn_tags__().input_tags.sparse is False
    assert MLPClassifier().__sklearn_tags__().input_tags.sparse is True


def test_sparse_X_for_a_model_with_two_inputs_is_a_clear_error(sparse_data):
    X, _, score = sparse_data

    def two_inputs(meta):
        a, b = keras.Input((30,), name="left"), keras.Input((30,), name="right")
        return keras.Model({"left": a, "right": b}, keras.layers.Dense(1)(keras.layers.Add()([a, b])))

    with pytest.raises(ValueError, match=r"scipy sparse matrix, which feeds a model with one input.*2 inputs"):
        KerasRegressor(two_inputs, loss="mse").fit(X, score)


class _SparseOut:
    """A feature encoder that returns sparse X (or sparse X in a list)."""

    def __init__(self, in_list=False):
        self.in_list = in_list

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        out = sp.csr_matrix(X) * 2.0
        return [out] if self.in_list else out


class _SparseEncoded(KerasRegressor):
    in_list = False

    @property
    def feature_encoder(self):
        return _SparseOut(self.in_list)


def test_feature_encoder_may_return_one_sparse_matrix(sparse_data):
    X, _, score = sparse_data
    reg = _SparseEncoded(_dense_builder, loss="mse", epochs=1, random_state=0, shuffle=False).fit(X.toarray(), score)
    ref = KerasRegressor(_dense_builder, loss="mse", epochs=1, random_state=0, shuffle=False).fit(
        X.toarray() * 2.0, score)
    np.testing.assert_allclose(reg.predict(X.toarray()), ref.predict(X.toarray() * 2.0), rtol=1e-5, atol=1e-6)


def test_feature_encoder_sparse_inside_a_list_is_a_clear_error(sparse_data):
    X, _, score = sparse_data

    class InList(_SparseEncoded):
        in_list = True

    with pytest.raises(ValueError, match=r"returned a sparse matrix \(item \[0\]\).*one 2-D sparse matrix"):
        InList(_dense_builder, loss="mse", epochs=1).fit(X, score)
