"""Issue 14, gap 10: random_state=RandomState, predict dtype, clear errors, unknown names.

Reference: scikeras/wrappers.py ``_initialize`` (a ``RandomState`` is copied
with ``get_state``/``set_state`` and one seed drawn from the copy: the same
instance gives the same seed every fit and is never advanced),
scikeras/utils/transformers.py ``RegressorTargetEncoder.inverse_transform``
(docstring: "predictions cast to the dtype and shape of the input targets"),
``_validate_data`` with ``reset=False`` (a changed number of y dimensions or X
shape is a ValueError naming it), ``route_params`` (parameters with an
unknown prefix are stored and ignored; scikeras never raises for them).
"""

import warnings

import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor


def test_gap10_random_state_instance_is_not_consumed(binary, dense_builder):
    X, y = binary
    rs = np.random.RandomState(0)
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=1, verbose=0, random_state=rs)

    p1 = clf.fit(X, y).predict_proba(X)
    p2 = clf.fit(X, y).predict_proba(X)

    np.testing.assert_allclose(p1, p2, rtol=1e-5)  # same RandomState -> same seed every fit
    assert rs.randint(2**31 - 1) == np.random.RandomState(0).randint(2**31 - 1)  # never advanced


def test_gap10_random_state_instance_equals_fresh_instance(binary, dense_builder):
    X, y = binary
    make = lambda: KerasClassifier(
        dense_builder, loss="binary_crossentropy", epochs=1, verbose=0, random_state=np.random.RandomState(3)
    )

    np.testing.assert_allclose(make().fit(X, y).predict_proba(X), make().fit(X, y).predict_proba(X), rtol=1e-5)


def test_gap10_int_random_state_is_reproducible(regression, dense_builder):
    X, y = regression
    make = lambda: KerasRegressor(dense_builder, loss="mse", epochs=2, verbose=0, random_state=7)

    np.testing.assert_allclose(make().fit(X, y).predict(X), make().fit(X, y).predict(X), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gap10_regressor_predict_dtype_follows_y(regression, dense_builder, dtype):
    X, y = regression
    reg = KerasRegressor(dense_builder, loss="mse", epochs=1, verbose=0).fit(X, y.astype(dtype))

    assert reg.predict(X).dtype == dtype


def test_gap10_partial_fit_with_changed_number_of_outputs_is_a_clear_error(regression, dense_builder):
    X, y = regression
    reg = KerasRegressor(dense_builder, loss="mse", verbose=0).partial_fit(X, y)

    with pytest.raises(ValueError, match="dimension|output"):
        reg.partial_fit(X, np.column_stack([y, y]))


def test_gap10_partial_fit_with_changed_x_shape_is_a_clear_error(regression, dense_builder):
    X, y = regression
    reg = KerasRegressor(dense_builder, loss="mse", verbose=0).partial_fit(X, y)

    with pytest.raises(ValueError, match="features|shape"):
        reg.partial_fit(X[:, :4], y)


def test_gap10_unknown_routed_name_warns_not_errors(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=1, verbose=0, foo__bar=1)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)

    assert clf.get_params()["foo__bar"] == 1
    assert clf.predict(X).shape == (len(X),)
    assert any("foo__bar" in str(w.message) for w in caught)


def test_gap10_callbacks_options_without_callbacks_are_ignored(binary, dense_builder):
    X, y = binary
    clf = KerasClassifier(dense_builder, loss="binary_crossentropy", epochs=1, verbose=0, callbacks__monitor="loss")

    clf.fit(X, y)  # scikeras routes callbacks__ only when callbacks is set

    assert clf.get_params()["callbacks__monitor"] == "loss"


def test_gap10_unknown_names_survive_clone(dense_builder):
    from sklearn.base import clone

    clf = KerasClassifier(dense_builder, foo__bar=2)

    assert clone(clf).get_params()["foo__bar"] == 2
