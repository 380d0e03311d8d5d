"""The trial objective's fold fitting: Pipelines fitted through their own API."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skdl_tuning_fakes import EpochSGDClassifier

from skdl.tuning._objective import final_accepts_callbacks, fit_with_callbacks, index_fit_params


class _Recorder:
    def __init__(self):
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, sorted(logs)))


def test_pipeline_eval_set_goes_through_the_preprocessing(tiny_classification):
    X, y = tiny_classification
    pipe = make_pipeline(StandardScaler(), PCA(n_components=2, random_state=0),
                         EpochSGDClassifier(epochs=3))
    rec = _Recorder()
    fit_with_callbacks(pipe, X[:80], y[:80], {}, callbacks=[rec], eval_set=(X[80:], y[80:]))
    # the final step saw the validation rows transformed by the fitted steps (2 columns)
    assert pipe[-1].eval_shapes_ == [(40, 2)] * 3
    assert [e for e, _ in rec.epochs] == [0, 1, 2] and "eval_accuracy" in rec.epochs[0][1]
    # the pipeline is fitted as Pipeline.fit would fit it
    ref = make_pipeline(StandardScaler(), PCA(n_components=2, random_state=0),
                        EpochSGDClassifier(epochs=3)).fit(X[:80], y[:80])
    np.testing.assert_allclose(pipe.predict_proba(X), ref.predict_proba(X))


def test_pipeline_fit_params_are_routed_by_step_name(tiny_classification):
    X, y = tiny_classification
    weights = np.linspace(0.1, 2.0, 80)
    pipe = make_pipeline(StandardScaler(), EpochSGDClassifier(epochs=2))
    fit_with_callbacks(pipe, X[:80], y[:80], {"standardscaler__sample_weight": weights},
                       callbacks=[_Recorder()], eval_set=(X[80:], y[80:]))
    np.testing.assert_allclose(pipe[0].mean_, np.average(X[:80], axis=0, weights=weights))


def test_passthrough_pipeline_is_fitted_with_routed_callbacks(tiny_classification):
    X, y = tiny_classification
    pipe = make_pipeline("passthrough", EpochSGDClassifier(epochs=2))
    rec = _Recorder()
    fit_with_callbacks(pipe, X[:80], y[:80], {}, callbacks=[rec], eval_set=(X[80:], y[80:]))
    assert pipe[-1].eval_shapes_ == [(40, 6)] * 2 and len(rec.epochs) == 2


def test_without_callbacks_any_estimator_is_fitted_as_is(tiny_classification):
    X, y = tiny_classification
    pipe = make_pipeline(StandardScaler(), EpochSGDClassifier(epochs=2))
    fit_with_callbacks(pipe, X, y, {})
    assert pipe[-1].eval_shapes_ == []
    assert final_accepts_callbacks(pipe) and final_accepts_callbacks(pipe[-1])
    assert not final_accepts_callbacks(StandardScaler())


@pytest.mark.parametrize("value", [np.arange(10), list(range(10))])
def test_per_sample_fit_params_are_indexed_with_the_fold(value):
    out = index_fit_params({"w": value, "k": 3, "s": "abcdefghij"}, 10, np.array([1, 3]))
    assert list(out["w"]) == [1, 3] and out["k"] == 3 and out["s"] == "abcdefghij"
