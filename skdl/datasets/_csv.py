"""Any CSV file to (X, y), a preprocessing ColumnTransformer, and task inference.

The rules here are the ones a data-science exercise applies by hand: sniff
the separator (Spanish spreadsheets export ``;`` with decimal commas), impute
and scale numbers, one-hot encode everything else, and never silently train on
a row-number or a constant column.

**Which columns are numbers.** A column is numeric when at least
:data:`NUMERIC_SHARE` (95 %) of its non-missing cells parse as numbers. Its
other cells (``"abc"``, ``"??"``, ``"n/a!"``: typing slips, export
artefacts) become missing values, reported in one
:class:`~skdl.datasets.DataQualityWarning` per column with the count and a
few examples, instead of turning the column into hundreds of one-hot
categories. The rule lives in :func:`numeric_columns` and
:func:`coerce_numbers`; :func:`load_csv` applies it when reading and the
preprocessor of :func:`make_preprocessor` applies it again to every table it
transforms, so a saved Pipeline given raw rows at prediction time treats a
bad cell as missing (and imputes it) rather than failing the whole batch.
"""

from __future__ import annotations

import csv
import gzip
import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from skdl.datasets._base import CSVError, DataQualityWarning
from skdl.utils import did_you_mean

__all__ = [
    "NUMERIC_SHARE", "coerce_numbers", "infer_task", "load_csv", "make_preprocessor",
    "numeric_columns", "numeric_pipeline",
]

_SEPARATORS = ("\t", ";", "|", ",")  # checked in this order, see _sniff_sep
_SAMPLE_BYTES = 64 * 1024
# Integers with at most this many distinct values are taken as class labels.
MAX_INTEGER_CLASSES = 20
# ID detection needs enough rows for "every value unique" to mean something.
MIN_ROWS_FOR_ID = 10
#: A text column is numeric when at least this share of its non-missing cells
#: parse as numbers; the other cells become missing values (with a warning).
NUMERIC_SHARE = 0.95
# Examples of unparseable cells shown in the warning.
_N_EXAMPLES = 3
_ID_NAME = re.compile(
    r"(^id$|^id[_\s.-]|[_\s.-]id$|[a-z]Id$|[a-z]ID$|^idx$|^index$|^unnamed: 0$|uuid|guid)",
)
_BINARY_SUFFIXES = {".xlsx", ".xls", ".ods", ".parquet", ".feather", ".pkl", ".npz", ".npy"}


def _read_sample(path: Path) -> bytes:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return fh.read(_SAMPLE_BYTES)


def _decode(sample: bytes, encoding):
    if encoding is not None:
        return sample.decode(encoding, errors="replace"), encoding
    try:
        return sample.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # a multi-byte char cut by the sample
            return sample[: exc.start].decode("utf-8-sig"), "utf-8-sig"
        # Spreadsheets on Windows save cp1252/latin-1; latin-1 decodes any byte.
        return sample.decode("latin-1"), "latin-1"


def _sniff_sep(text: str) -> str:
    """Pick the separator that splits the first lines into a steady width.

    ``csv.Sniffer`` is easily fooled by decimal commas, so each candidate is
    tried with a real CSV reader (quotes respected) and the first one, in the
    order tab, ``;``, ``|``, ``,``, that gives the same number (> 1) of fields
    on at least 90% of the lines wins; a comma is the fallback.
    """
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the last sampled line may be cut short
    best = None
    for sep in _SEPARATORS:
        widths = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width > 1 and count >= 0.9 * len(widths):
            return sep
        if width > 1 and (best is None or count > best[1]):
            best = (sep, count)
    return best[0] if best else ","


def _sniff_decimal(text: str, sep: str) -> str:
    if sep == ",":
        return "."
    field = r"(?:^|[{s}])\s*-?\d+,\d+\s*(?=[{s}]|$)".format(s=re.escape(sep))
    commas = len(re.findall(field, text, flags=re.MULTILINE))
    dots = len(re.findall(field.replace(",", r"\."), text, flags=re.MULTILINE))
    return "," if commas > dots else "."


def read_table(path, sep=None, *, decimal=None, encoding=None, na_values=None, **read_csv_kwargs):
    """Read a delimited text file into a DataFrame, as :func:`load_csv` reads it.

    The separator (``,``, ``;``, tab, ``|``) and decimal mark are detected
    unless given; a missing, empty, binary or unparseable file raises
    ``FileNotFoundError`` or :class:`CSVError` with a message that names the
    file and says what to do. Unlike :func:`load_csv` it takes no target and
    does no preprocessing: use it for rows to predict on.

    Parameters
    ----------
    path : str or path-like
        The file.
    sep : str, default=None
        Column separator; ``None`` detects it.
    decimal, encoding, na_values : default=None
        As in :func:`pandas.read_csv`; ``decimal=None`` detects the mark.
    **read_csv_kwargs
        Passed on to :func:`pandas.read_csv`.

    Returns
    -------
    frame : pandas.DataFrame
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"CSV file not found: '{path}' (looked for '{path.resolve()}'). "
            "Check the path and the current working directory."
        )
    if path.is_dir():
        raise CSVError(f"'{path}' is a directory, not a CSV file.")
    if path.stat().st_size == 0:
        raise CSVError(f"CSV file '{path}' is empty (0 bytes).")
    try:
        sample = _read_sample(path)
    except (OSError, EOFError) as exc:
        raise CSVError(f"Could not read '{path}': {exc}") from exc
    if path.suffix.lower() in _BINARY_SUFFIXES or b"\x00" in sample:
        raise CSVError(
            f"'{path}' looks like a binary file, not a text CSV. If it is a "
            "spreadsheet, save it as CSV (comma or semicolon separated) first."
        )
    text, enc = _decode(sample, encoding)
    if not text.strip():
        raise CSVError(f"CSV file '{path}' is empty (only blank lines).")
    if sep is None:
        sep = _sniff_sep(text)
    if decimal is None:
        decimal = _sniff_decimal(text, sep)
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            decimal=decimal,
            encoding=enc,
            na_values=na_values,
            skipinitialspace=True,
            **read_csv_kwargs,
        )
    except pd.errors.EmptyDataError as exc:
        raise CSVError(f"CSV file '{path}' has no columns to read ({exc}).") from exc
    except pd.errors.ParserError as exc:
        raise CSVError(
            f"Could not parse '{path}' as a CSV with separator {sep!r}: {exc}. "
            "Check that every row has the same number of fields and that quotes "
            "are closed, or pass sep=... explicitly."
        ) from exc
    except UnicodeDecodeError as exc:
        raise CSVError(
            f"Could not decode '{path}' with encoding {enc!r} ({exc}); pass "
            "encoding='latin-1' (or the file's real encoding)."
        ) from exc
    # str() so header=None files get '0', '1', ... : ColumnTransformer takes
    # integer names for positions, which breaks once a column is removed.
    frame.columns = [str(c).strip() for c in frame.columns]
    # A trailing separator on every line creates an empty 'Unnamed: k' column.
    junk = [
        c for c in frame.columns
        if isinstance(c, str) and c.startswith("Unnamed: ") and frame[c].isna().all()
    ]
    frame = frame.drop(columns=junk)
    frame.attrs["decimal"] = decimal  # the preprocessor parses text cells the same way
    return frame


def _did_you_mean(name, options) -> str:
    options = [str(o) for o in options]
    lower = {o.lower().strip(): o for o in options}
    key = str(name).lower().strip()
    if key in lower:
        return f" Did you mean {lower[key]!r}? (names are case-sensitive)"
    return did_you_mean(name, options, n=3)


def _column_list(columns, limit=30) -> str:
    shown = ", ".join(repr(str(c)) for c in list(columns)[:limit])
    more = f", ... ({len(columns) - limit} more)" if len(columns) > limit else ""
    return shown + more


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


def load_csv(
    path,
    target,
    *,
    sep=None,
    decimal=None,
    encoding=None,
    na_values=None,
    drop=None,
    **read_csv_kwargs,
):
    """Read a CSV file into a feature table and a target column.

    Parameters
    ----------
    path : str or path-like
        The file; ``.csv.gz`` works too.
    target : str or int
        Name of the target column, or its position (``-1`` for the last).
    sep : str, default=None
        Field separator. None sniffs it from the first lines among tab,
        ``;``, ``|`` and ``,`` (in that order of preference).
    decimal : str, default=None
        Decimal mark. None uses ``","`` when the separator is not a comma and
        the numbers in the file are written ``1,5``, else ``"."``.
    encoding : str, default=None
        Text encoding. None tries UTF-8 (with or without BOM) and falls back
        to latin-1.
    na_values : list of str, default=None
        Extra strings to read as missing (pandas already treats ``""``,
        ``NA``, ``NaN``, ``null`` ... as missing).
    drop : list of str, default=None
        Columns to leave out of ``X`` (e.g. a free-text comment).
    **read_csv_kwargs
        Passed on to :func:`pandas.read_csv`.

    Returns
    -------
    X : pandas.DataFrame
        Every column except the target and ``drop``; column names stripped of
        surrounding spaces; index reset. A column whose non-missing cells are
        at least 95 % numbers is float64, its other cells missing (one
        :class:`DataQualityWarning` per such column names it, the count and
        examples; see :func:`numeric_columns`).
    y : pandas.Series
        The target, by the same typing rule. Rows whose target is missing are
        dropped from both, with a :class:`DataQualityWarning`.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    CSVError
        (a ``ValueError``) The file is empty, binary, not parseable, has a
        header but no rows, has no column named ``target`` (the message lists
        the columns and suggests close names), or the target is all missing.

    See Also
    --------
    make_preprocessor : Turn ``X`` into numbers for a network.
    infer_task : Classification or regression from ``y``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skdl.datasets import load_csv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "toy.csv"
    >>> _ = path.write_text("edad;ciudad;precio\\n30;Madrid;1,5\\n41;Lima;2,25\\n")
    >>> X, y = load_csv(path, "precio")
    >>> list(X.columns), y.tolist()
    (['edad', 'ciudad'], [1.5, 2.25])
    """
    frame = read_table(
        path, sep, decimal=decimal, encoding=encoding, na_values=na_values, **read_csv_kwargs
    )
    name = Path(path).name
    if frame.shape[1] == 0:
        raise CSVError(f"CSV file '{path}' has no columns.")
    if len(frame) == 0:
        raise CSVError(
            f"CSV file '{path}' has a header ({_column_list(frame.columns)}) but no data rows."
        )
    columns = list(frame.columns)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not -len(columns) <= target < len(columns):
            raise CSVError(
                f"Target position {target} is out of range: '{name}' has "
                f"{len(columns)} columns ({_column_list(columns)})."
            )
        target = columns[target]
    elif target not in frame.columns:
        hint = _did_you_mean(target, columns)
        inside = [s for s in _SEPARATORS if len(columns) == 1 and s in str(columns[0])]
        if inside:
            hint += (
                f" The file was read as a single column named {str(columns[0])!r}, so "
                f"the separator is probably wrong: pass sep={inside[0]!r}."
            )
        raise CSVError(
            f"Target column {target!r} is not in '{name}'. Available columns "
            f"({len(columns)}): {_column_list(columns)}.{hint}"
        )
    drop = [] if drop is None else ([drop] if isinstance(drop, str) else list(drop))
    unknown = [c for c in drop if c not in frame.columns]
    if unknown:
        raise CSVError(
            f"Columns to drop {unknown} are not in '{name}'. Available columns: "
            f"{_column_list(columns)}.{_did_you_mean(unknown[0], columns)}"
        )
    # The typing rule (see the module docstring): numbers with a few stray
    # cells stay numbers; the stray cells become missing, with a warning.
    decimal = frame.attrs.get("decimal") or "."
    features = [c for c in numeric_columns(frame, decimal=decimal) if c not in drop and c != target]
    frame = coerce_numbers(frame, features, decimal=decimal, fate="read as missing")
    if target in numeric_columns(frame[[target]], decimal=decimal):
        frame = coerce_numbers(frame, [target], decimal=decimal,
                               fate="read as missing (rows without a target are dropped)")
    y = frame[target]
    missing = y.isna()
    if missing.all():
        raise CSVError(
            f"Target column {target!r} in '{name}' has no values: all {len(y)} rows "
            "are missing."
        )
    if missing.any():
        warnings.warn(
            f"Dropped {int(missing.sum())} of {len(y)} rows of '{name}' whose target "
            f"{target!r} is missing.",
            DataQualityWarning,
            stacklevel=2,
        )
        frame = frame.loc[~missing]
    X = frame.drop(columns=[target, *drop]).reset_index(drop=True)
    if X.shape[1] == 0:
        raise CSVError(
            f"'{name}' has no feature columns left after removing the target "
            f"{target!r}" + (f" and {drop}" if drop else "") + "."
        )
    return X, frame[target].reset_index(drop=True)


def _as_1d_series(y) -> pd.Series:
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"infer_task expects one target column; got {y.shape[1]}.")
        return y.iloc[:, 0]
    if isinstance(y, pd.Series):
        return y
    if isinstance(y, pd.Categorical):
        return pd.Series(y)
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"infer_task expects a 1-D target; got shape {arr.shape}.")
    return pd.Series(arr)


def infer_task(y, *, return_reason=False):
    """Guess whether a target calls for classification or regression.

    Rules, in order (missing values are ignored):

    1. booleans, strings and categoricals -> classification;
    2. numbers with at most 2 distinct values -> classification;
    3. numbers that are not all whole -> regression;
    4. whole numbers with at most 20 distinct values -> classification;
    5. whole numbers forming consecutive codes from 0 or 1 (e.g. 0..99) with
       at least 5 samples per code on average -> classification;
    6. other whole numbers -> regression.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        The target.
    return_reason : bool, default=False
        Also return a sentence saying which rule decided.

    Returns
    -------
    task : {"classification", "regression"}
    reason : str
        Only when ``return_reason=True``.

    Raises
    ------
    ValueError
        When ``y`` is empty, all missing or has more than one column.

    Examples
    --------
    >>> from skdl.datasets import infer_task
    >>> infer_task(["rock", "mine", "rock"])
    'classification'
    >>> infer_task([0.5, 1.7, 2.2, 3.9], return_reason=True)[1]
    'float values that are not all whole numbers (4 distinct)'
    """
    s = _as_1d_series(y).dropna()
    if len(s) == 0:
        raise ValueError("Cannot infer the task of an empty (or all-missing) target.")
    n_unique = int(s.nunique())
    if pd.api.types.is_bool_dtype(s):
        task, reason = "classification", "boolean values"
    elif not pd.api.types.is_numeric_dtype(s):
        kind = "categorical" if isinstance(s.dtype, pd.CategoricalDtype) else "non-numeric"
        task, reason = "classification", f"{kind} values ({n_unique} classes)"
    elif n_unique <= 2:
        task, reason = "classification", f"only {n_unique} distinct value(s)"
    else:
        values = s.to_numpy(dtype=float)
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
            task = "regression"
            reason = f"float values that are not all whole numbers ({n_unique} distinct)"
        elif n_unique <= MAX_INTEGER_CLASSES:
            task = "classification"
            reason = f"whole numbers with only {n_unique} distinct values (<= {MAX_INTEGER_CLASSES})"
        else:
            lo, hi = values.min(), values.max()
            consecutive = lo in (0, 1) and hi - lo + 1 == n_unique
            if consecutive and len(values) >= 5 * n_unique:
                task = "classification"
                reason = f"consecutive integer codes {lo:.0f}..{hi:.0f} ({n_unique} classes)"
            else:
                task = "regression"
                reason = f"whole numbers with {n_unique} distinct values (> {MAX_INTEGER_CLASSES})"
    return (task, reason) if return_reason else task


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


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
