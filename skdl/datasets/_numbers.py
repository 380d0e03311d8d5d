"""Which CSV columns are numbers, and turning their stray text cells into missing values.

The rule (:data:`NUMERIC_SHARE`) is applied by :func:`~skdl.datasets.load_csv`
when reading and by the preprocessor's first step (:func:`numeric_pipeline`)
on every table it transforms, so train and predict time treat a junk cell the
same way: missing, imputed, reported once per column.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from skdl.datasets._base import DataQualityWarning

__all__ = ["NUMERIC_SHARE", "coerce_numbers", "numeric_columns", "numeric_pipeline"]

#: A column is numeric when at least this share of its non-missing cells parse as numbers.
NUMERIC_SHARE = 0.95
_N_EXAMPLES = 3

# ------------------------------------------------------------ numeric columns
def _is_text(col: pd.Series) -> bool:
    """Object or string cells: the only dtype whose cells may fail to parse."""
    return (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)) and not isinstance(
        col.dtype, pd.CategoricalDtype
    )


def _parse(col: pd.Series, decimal: str = ".") -> np.ndarray:
    """``col`` as float64; cells that are not numbers (and missing ones) are NaN."""
    if _is_numeric(col):
        return col.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_bool_dtype(col) or not _is_text(col):
        return np.full(len(col), np.nan)
    text = col.astype("string").str.strip()
    if decimal and decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    parsed = pd.to_numeric(text, errors="coerce")
    return pd.Series(parsed, index=col.index).astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _bad_cells(col: pd.Series, parsed: np.ndarray) -> pd.Series:
    """The cells of ``col`` that hold something but did not parse as a number."""
    return col[~col.isna().to_numpy() & np.isnan(parsed)]


def _is_mostly_numeric(col: pd.Series, decimal: str = ".") -> bool:
    """The typing rule: numbers, or text whose non-missing cells are >= NUMERIC_SHARE numbers."""
    if _is_numeric(col):
        return True
    if not _is_text(col):
        return False
    present = int(col.notna().sum())
    if present == 0:
        return False
    parsed = _parse(col, decimal)
    return int(np.count_nonzero(~np.isnan(parsed))) >= NUMERIC_SHARE * present


def numeric_columns(X, *, decimal=None) -> list:
    """The columns of ``X`` that hold numbers, by the rule of this module.

    A column is numeric when its dtype is numeric (booleans excluded) or
    when at least :data:`NUMERIC_SHARE` (95 %) of its non-missing cells are
    text that parses as a number (surrounding spaces ignored; with
    ``decimal=","`` the cell ``"1,5"`` is 1.5).

    Parameters
    ----------
    X : pandas.DataFrame
        The table.
    decimal : str, default=None
        Decimal mark of text cells; None uses the one :func:`read_table`
        detected (``X.attrs["decimal"]``), else ``"."``.

    Returns
    -------
    columns : list
        Column labels, in the order of ``X``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdl.datasets import numeric_columns
    >>> X = pd.DataFrame({"size": ["1.5"] * 19 + ["abc"], "city": ["Lima"] * 20})
    >>> numeric_columns(X)
    ['size']
    """
    decimal = decimal or X.attrs.get("decimal") or "."
    return [c for c in X.columns if _is_mostly_numeric(X[c], decimal)]


def _bad_cell_message(name, bad: pd.Series, n_cells: int, *, fate: str) -> str:
    examples = list(dict.fromkeys(str(v) for v in bad.tolist()))
    shown = ", ".join(repr(v) for v in examples[:_N_EXAMPLES]) + (", ..." if len(examples) > _N_EXAMPLES else "")
    n = len(bad)
    verb, pronoun = ("is", "it is") if n == 1 else ("are", "they are")
    return (
        f"Column {str(name)!r} holds numbers, but {n} of its {n_cells} cells {verb} not a "
        f"number ({shown}); {pronoun} {fate}."
    )


def coerce_numbers(X, columns=None, *, decimal=None, warn=True, fate="treated as missing"):
    """Turn numeric columns that hold text into float64, bad cells into NaN.

    This is the one place where skdl decides that a cell which is not a
    number is a missing value: :func:`load_csv` calls it on the file it
    reads, and the preprocessor of :func:`make_preprocessor` on every table it
    fits or transforms (so ``skdl predict`` on rows with a stray ``"??"``
    still predicts every row). Each column with bad cells gets one
    :class:`DataQualityWarning` naming the column, the count and up to three
    examples.

    Parameters
    ----------
    X : pandas.DataFrame or array-like
        The table (not modified).
    columns : list, default=None
        Columns to convert; None means :func:`numeric_columns` of ``X``.
    decimal : str, default=None
        Decimal mark of text cells; None reads ``X.attrs["decimal"]``, else ``"."``.
    warn : bool, default=True
        Emit the warnings.
    fate : str, default="treated as missing"
        End of the warning's sentence: what happens to the bad cells.

    Returns
    -------
    X : pandas.DataFrame
        A copy whose text ``columns`` are float64 (numeric columns are left
        as they are; the same object when nothing needed converting).

    Examples
    --------
    >>> import pandas as pd
    >>> from skdl.datasets import coerce_numbers
    >>> X = pd.DataFrame({"size": ["1.5"] * 19 + ["abc"]})
    >>> coerce_numbers(X, warn=False)["size"].tolist()[-2:]
    [1.5, nan]
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    decimal = decimal or frame.attrs.get("decimal") or "."
    if columns is None:
        columns = numeric_columns(frame, decimal=decimal)
    out = frame
    for name in columns:
        col = frame[name]
        if _is_numeric(col):  # already numbers (ints stay ints)
            continue
        parsed = _parse(col, decimal)
        if out is frame:
            out = frame.copy()
        out[name] = parsed
        bad = _bad_cells(col, parsed)
        if warn and len(bad):
            warnings.warn(_bad_cell_message(name, bad, len(col), fate=fate), DataQualityWarning, stacklevel=2)
    return out


def numeric_pipeline(*, scale=True, decimal=".", keep_empty_features=False):
    """The steps every numeric column goes through: parse, impute, scale.

    ``to_number`` applies :func:`coerce_numbers` (cells that are not numbers
    become missing, with a warning naming the column), ``impute`` fills
    missing values with the column median, ``scale`` standardises. It is the
    numeric part of :func:`make_preprocessor`, and what the ``skdl`` command
    puts before a network trained on a named dataset, so that a saved model
    given raw rows treats a stray ``"??"`` the same way in both cases.

    Parameters
    ----------
    scale : bool, default=True
        End with a ``StandardScaler``.
    decimal : str, default="."
        Decimal mark of numbers written as text.
    keep_empty_features : bool, default=False
        Keep columns with no value at all (as zeros) instead of dropping them,
        so an image keeps its shape.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
    """
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    steps = [
        ("to_number", FunctionTransformer(_coerce_for_model, kw_args={"decimal": decimal},
                                          feature_names_out="one-to-one")),
        ("impute", SimpleImputer(strategy="median", keep_empty_features=keep_empty_features)),
    ]
    if scale:
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


def _coerce_for_model(X, decimal="."):
    """The preprocessor's first numeric step (module level, so Pipelines pickle).

    Returns the type it is given: a DataFrame keeps its column names for the
    imputer; an array stays an array.
    """
    if not isinstance(X, pd.DataFrame):
        arr = np.asarray(X)
        if arr.dtype.kind in "biuf":  # numbers already (image pixels): nothing to parse
            return arr
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    out = coerce_numbers(frame, list(frame.columns), decimal=decimal,
                         fate="treated as missing and imputed")
    return out if isinstance(X, pd.DataFrame) else out.to_numpy(dtype=float)


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
