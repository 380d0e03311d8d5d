"""The preprocessing ColumnTransformer that turns a raw table into numbers for a model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from skdl.datasets._base import DataQualityWarning
from skdl.datasets._csv import _ID_NAME, MIN_ROWS_FOR_ID, _column_list
from skdl.datasets._numbers import _is_numeric, _parse, numeric_columns, numeric_pipeline

__all__ = ["make_preprocessor"]

def _as_category_strings(X):
    """Object array of strings with NaN for missing: one type per column.

    OneHotEncoder refuses columns mixing numbers and strings, and
    SimpleImputer refuses booleans and pandas' NA, so every non-missing value
    becomes its string form first.
    """
    frame = pd.DataFrame(X)
    out = frame.astype(object).to_numpy(copy=True)
    mask = frame.isna().to_numpy()
    out[~mask] = np.vectorize(str, otypes=[object])(out[~mask]) if (~mask).any() else out[~mask]
    out[mask] = np.nan
    return out


def _is_id_like(col: pd.Series, name) -> bool:
    n = len(col)
    if n < MIN_ROWS_FOR_ID or col.isna().any() or col.nunique() != n:
        return False
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_float_dtype(col):
        return False
    if pd.api.types.is_integer_dtype(col):
        # A unique integer is an ID if it numbers the rows or is named like one;
        # otherwise it may be a real measurement (a price in cents, a year...).
        values = np.sort(col.to_numpy(dtype=np.int64))
        return bool(np.all(np.diff(values) == 1)) or bool(_ID_NAME.search(str(name)))
    return True  # every string different: a key or free text, not a category


def make_preprocessor(X, *, scale=True, drop_id_like=True, drop_constant=True, decimal=None):
    """Build an (unfitted) ColumnTransformer that turns ``X`` into numbers.

    * numeric columns (see :func:`numeric_columns`: numbers, or text whose
      non-missing cells are at least 95 % numbers): cells that are not
      numbers become missing values (one :class:`DataQualityWarning` per
      column, at fit and at every transform, e.g. in ``predict``), then median
      imputation, then ``StandardScaler`` (if ``scale``);
    * boolean, string and categorical columns: most-frequent imputation,
      then ``OneHotEncoder(handle_unknown="ignore")`` with dense output;
    * ID-like columns (every value unique: strings, or integers that number
      the rows or are named like ``id``/``*_id``/``PassengerId``), constant
      columns, all-missing columns and date/time columns are left out, each
      group named in a :class:`DataQualityWarning`.

    Parameters
    ----------
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        The features (only used to choose columns; nothing is fitted).
    scale : bool, default=True
        Standardise numeric columns after imputation.
    drop_id_like : bool, default=True
        Leave ID-like columns out (still warned about when False).
    drop_constant : bool, default=True
        Leave constant columns out (still warned about when False).
    decimal : str, default=None
        Decimal mark of numbers written as text; None uses the one
        :func:`read_table` detected (``X.attrs["decimal"]``), else ``"."``.

    Returns
    -------
    preprocessor : sklearn.compose.ColumnTransformer
        Transformers ``"numeric"`` and/or ``"categorical"``; other columns are
        dropped. Put it first in a Pipeline so it is fitted on training folds
        only.

    Raises
    ------
    ValueError
        When no usable column is left.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdl.datasets import make_preprocessor
    >>> X = pd.DataFrame({"edad": [30, None, 41], "ciudad": ["Madrid", "Lima", None]})
    >>> make_preprocessor(X).fit_transform(X).shape
    (3, 3)
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    decimal = decimal or frame.attrs.get("decimal") or "."
    mostly_numeric = set(numeric_columns(frame, decimal=decimal))
    numeric, categorical = [], []
    id_like, constant, empty, temporal = [], [], [], []
    for name in frame.columns:
        col = frame[name]
        if name in mostly_numeric and not _is_numeric(col):
            # judged on its numbers (a measurement with a stray "??" is not
            # an ID because its text is unique); the preprocessor converts it
            col = pd.Series(_parse(col, decimal), index=col.index, name=name)
        if col.isna().all():
            empty.append(name)
        elif col.nunique(dropna=True) <= 1:
            constant.append(name)
            if not drop_constant:
                (numeric if _is_numeric(col) else categorical).append(name)
        elif pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_timedelta64_dtype(col):
            temporal.append(name)
        elif _is_id_like(col, name):
            id_like.append(name)
            if not drop_id_like:
                (numeric if _is_numeric(col) else categorical).append(name)
        elif _is_numeric(col):
            numeric.append(name)
        else:
            categorical.append(name)

    def names(cols):
        return ", ".join(repr(c) for c in cols)

    if id_like:
        fate = "were left out of the features" if drop_id_like else "are kept (drop_id_like=False)"
        warnings.warn(
            f"Column(s) {names(id_like)} look like identifiers (every value is unique) "
            f"and {fate}: a network cannot generalise from row IDs.",
            DataQualityWarning,
            stacklevel=2,
        )
    if constant:
        fate = "were left out of the features" if drop_constant else "are kept (drop_constant=False)"
        warnings.warn(
            f"Column(s) {names(constant)} are constant (one value in every row) and {fate}.",
            DataQualityWarning,
            stacklevel=2,
        )
    if empty:
        warnings.warn(
            f"Column(s) {names(empty)} have no values (all missing) and were left out.",
            DataQualityWarning,
            stacklevel=2,
        )
    if temporal:
        warnings.warn(
            f"Date/time column(s) {names(temporal)} are not supported and were left "
            "out; derive numeric features (year, day of week, ...) from them first.",
            DataQualityWarning,
            stacklevel=2,
        )
    if not all(isinstance(c, str) for c in frame.columns):
        # ColumnTransformer reads integer column keys as positions.
        numeric = [frame.columns.get_loc(c) for c in numeric]
        categorical = [frame.columns.get_loc(c) for c in categorical]
    transformers = []
    if numeric:
        transformers.append(("numeric", numeric_pipeline(scale=scale, decimal=decimal), numeric))
    if categorical:
        steps = [
            ("to_str", FunctionTransformer(_as_category_strings, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
        transformers.append(("categorical", Pipeline(steps), categorical))
    if not transformers:
        raise ValueError(
            f"No usable feature column among {_column_list(frame.columns)}: every "
            "column is ID-like, constant, empty or a date."
        )
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)
