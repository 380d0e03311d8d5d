"""Issue 14, gap 9: a refit without ``warm_start`` builds a new ``keras.Model``.

Reference: scikeras/wrappers.py ``_fit`` (``_initialize`` -> ``_build_keras_model``
calls the builder again unless ``warm_start``), ``warm_start`` docstring ("If
True, subsequent calls to fit will _not_ reset the model parameters but *will*
reset the epoch to zero"), ``_fit_keras_model`` (``history_`` is reset when
``initial_epoch == 0``).
"""

import numpy as np

from skdl import KerasClassifier, KerasRegressor


def test_gap09_refit_builds_a_new_model(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=2, verbose=0, random_state=0)

    first = clf.fit(X, y).model_
    before = first.predict(X, verbose=0)
    clf.fit(X, 1 - y)  # a different problem

    assert clf.model_ is not first
    # a reference kept from the first fit still predicts like the first fit
    np.testing.assert_allclose(first.predict(X, verbose=0), before, rtol=1e-6)


def test_gap09_two_fitted_estimators_never_share_a_model(regression, dense_builder):
    X, y = regression
    a = KerasRegressor(dense_builder, loss="mse", epochs=1, verbose=0, random_state=0).fit(X, y)
    pred_a = a.predict(X)
    b = KerasRegressor(dense_builder, loss="mse", epochs=1, verbose=0, random_state=1).fit(X, -y)

    assert a.model_ is not b.model_
    np.testing.assert_allclose(a.predict(X), pred_a, rtol=1e-6)


def test_gap09_warm_start_keeps_model_and_resets_epoch(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=2, warm_start=True, verbose=0)

    first = clf.fit(X, y).model_
    weights = [w.copy() for w in first.get_weights()]
    clf.fit(X, y)

    assert clf.model_ is first  # parameters are not reset...
    assert any(not np.allclose(a, b) for a, b in zip(weights, clf.model_.get_weights()))  # ...training continued
    assert len(clf.history_["loss"]) == 2  # ...but the epoch count starts again at zero
    assert clf.current_epoch == 2
