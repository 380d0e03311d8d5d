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
from skdl.datasets._numbers import NUMERIC_SHARE, coerce_numbers, numeric_columns, numeric_pipeline
from skdl.utils import did_you_mean

__all__ = [
    "NUMERIC_SHARE", "coerce_numbers", "infer_task", "load_csv",
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
# Examples of unparseable cells shown in the warning.
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
