"""Issue 14, gap 4: Keras keyword passthrough (fit__, predict__, score__, **kwargs).

Reference: scikeras/wrappers.py ``BaseWrapper.fit`` ("epochs via kwargs >
fit__epochs > epochs"), ``_fit_keras_model`` (``route_params(params, "fit",
pass_filter=_fit_kwargs)`` then ``fit_args.update(kwargs)``, ``batch_size=-1``
means all rows), ``_predict_raw`` (``route_params(params, "predict",
pass_filter=_predict_kwargs)``: ``batch_size`` applies to fit and predict,
``predict__batch_size`` overrides it, ``predict(X, **kwargs)`` wins), ``score``
(``route_params(params, "score")`` into ``scorer``).
"""

import numpy as np
import pytest

from skdl import KerasClassifier


def n_batches(n, batch_size):
    return int(np.ceil(n / batch_size))


@pytest.fixture
def clf_factory(dense_builder, recorder_cls):
    def make(**kwargs):
        kwargs.setdefault("epochs", 1)
        return KerasClassifier(
            dense_builder, loss="binary_crossentropy", callbacks=[recorder_cls()], verbose=0, **kwargs
        )

    return make


def test_gap04_fit_batch_size_routed_once(binary, clf_factory, recorder_cls):
    X, y = binary
    clf_factory(fit__batch_size=10).fit(X, y)  # scikeras routes it once (no duplicate keyword)

    assert recorder_cls.count("train_batch") == n_batches(len(X), 10)


def test_gap04_fit_epochs_routed(binary, clf_factory):
    X, y = binary
    clf = clf_factory(fit__epochs=3).fit(X, y)

    assert len(clf.history_["loss"]) == 3


def test_gap04_fit_kwargs_epochs(binary, clf_factory):
    X, y = binary
    clf = clf_factory(epochs=1).fit(X, y, epochs=2)

    assert len(clf.history_["loss"]) == 2


def test_gap04_fit_kwargs_batch_size(binary, clf_factory, recorder_cls):
    X, y = binary
    clf_factory().fit(X, y, batch_size=8)

    assert recorder_cls.count("train_batch") == n_batches(len(X), 8)


def test_gap04_batch_size_minus_one_means_all_rows(binary, clf_factory, recorder_cls):
    X, y = binary
    clf_factory(batch_size=-1, epochs=2).fit(X, y)

    assert recorder_cls.count("train_batch") == 2


def test_gap04_predict_kwargs_batch_size(binary, clf_factory, recorder_cls):
    X, y = binary
    clf = clf_factory().fit(X, y)

    pred = clf.predict(X, batch_size=8)
    proba = clf.predict_proba(X, batch_size=8)

    assert pred.shape == (len(X),) and proba.shape == (len(X), 2)
    assert recorder_cls.count("predict_batch") == 2 * n_batches(len(X), 8)


def test_gap04_predict_batch_size_routed(binary, clf_factory, recorder_cls):
    X, y = binary
    clf = clf_factory(predict__batch_size=7).fit(X, y)
    clf.predict(X)

    assert recorder_cls.count("predict_batch") == n_batches(len(X), 7)


def test_gap04_batch_size_applies_to_fit_and_predict(binary, clf_factory, recorder_cls):
    X, y = binary
    clf = clf_factory(batch_size=12).fit(X, y)
    clf.predict(X)

    assert recorder_cls.count("train_batch") == n_batches(len(X), 12)
    assert recorder_cls.count("predict_batch") == n_batches(len(X), 12)


def test_gap04_score_routed_to_scorer(binary, clf_factory):
    X, y = binary
    clf = clf_factory(score__normalize=False).fit(X, y)

    n_correct = int(np.sum(clf.predict(X) == y))
    assert clf.score(X, y) == pytest.approx(n_correct)  # accuracy_score(normalize=False): a count


def test_gap04_fit_shuffle_kwarg_still_accepted(binary, clf_factory):
    X, y = binary
    clf = clf_factory().fit(X, y, shuffle=False)

    assert len(clf.history_["loss"]) == 1
