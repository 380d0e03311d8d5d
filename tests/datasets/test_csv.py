"""load_csv errors, make_preprocessor rules and infer_task decisions."""

import pickle

import numpy as np
import pandas as pd
import pytest

from skdl.datasets import CSVError, DataQualityWarning, infer_task, load_csv, make_preprocessor


@pytest.fixture
def customers(tmp_path):
    """30 rows: an ID, a constant, numbers and categories with gaps, a target."""
    rng = np.random.default_rng(0)
    n = 30
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1000, 1000 + n),
            "age": rng.integers(18, 80, n).astype(float),
            "income": rng.normal(3000, 500, n).round(2),
            "city": rng.choice(["Madrid", "Lima", "Bogotá"], n),
            "member": rng.choice([True, False], n),
            "country": ["ES"] * n,
            "bought": rng.choice(["yes", "no"], n),
        }
    )
    frame.loc[[1, 5], "age"] = np.nan
    frame.loc[[2], "city"] = np.nan
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def test_load_csv_and_preprocess(customers):
    X, y = load_csv(customers, "bought")
    assert X.shape == (30, 6) and "bought" not in X
    assert infer_task(y) == "classification"
    with pytest.warns(DataQualityWarning) as record:
        pre = make_preprocessor(X)
    messages = [str(w.message) for w in record]
    assert any("'customer_id'" in m and "identifiers" in m for m in messages)
    assert any("'country'" in m and "constant" in m for m in messages)
    Xt = pre.fit_transform(X)
    # age, income scaled + city (3) + member (2) one-hot
    assert Xt.shape == (30, 2 + 3 + 2)
    assert isinstance(Xt, np.ndarray) and not np.isnan(Xt).any()
    np.testing.assert_allclose(Xt[:, :2].mean(axis=0), 0, atol=1e-12)
    names = list(pre.get_feature_names_out())
    assert "numeric__age" in names and "categorical__city_Lima" in names
    assert not any("customer_id" in n or "country" in n for n in names)
    again = pickle.loads(pickle.dumps(pre))
    np.testing.assert_allclose(again.transform(X), Xt)
    # unseen category at predict time is ignored, not an error
    new = X.head(2).copy()
    new["city"] = "Quito"
    assert pre.transform(new)[:, 2:5].sum() == 0


def test_preprocessor_warning_messages_and_keep_options(customers):
    X, _ = load_csv(customers, "bought")
    with pytest.warns(DataQualityWarning, match=r"'customer_id' look like identifiers"):
        with pytest.warns(DataQualityWarning, match=r"'country' are constant .* left out"):
            make_preprocessor(X)
    with pytest.warns(DataQualityWarning, match="kept"):
        pre = make_preprocessor(X, drop_id_like=False, drop_constant=False, scale=False)
    Xt = pre.fit_transform(X)
    assert Xt.shape == (30, 3 + 3 + 2 + 1)
    assert Xt[:, 0].max() == 1029  # not scaled


def test_string_ids_and_named_integer_ids():
    n = 12
    X = pd.DataFrame(
        {
            "email": [f"user{i}@x.org" for i in range(n)],
            "PassengerId": np.random.default_rng(0).permutation(np.arange(n) * 7),
            "price_cents": np.random.default_rng(1).permutation(np.arange(n) * 13 + 5),
            "empty": [np.nan] * n,
            "x": np.linspace(0, 1, n),
        }
    )
    with pytest.warns(DataQualityWarning, match=r"'email', 'PassengerId' look like identifiers"):
        with pytest.warns(DataQualityWarning, match=r"'empty' have no values"):
            pre = make_preprocessor(X)
    assert pre.fit_transform(X).shape == (n, 2)  # price_cents and x


def test_preprocessor_with_numpy_and_nullable_dtypes():
    X = pd.DataFrame(
        {
            "a": pd.array([1, None, 3, 4], dtype="Int64"),
            "b": pd.array(["u", None, "v", "u"], dtype="string"),
            "c": pd.Categorical(["p", "q", "p", None]),
        }
    )
    assert make_preprocessor(X).fit_transform(X).shape == (4, 1 + 2 + 2)
    arr = np.array([[1.0, 2.0], [np.nan, 3.0], [2.0, 5.0]])
    assert make_preprocessor(arr).fit_transform(arr).shape == (3, 2)


def test_preprocessor_with_nothing_usable():
    X = pd.DataFrame({"k": ["a"] * 5})
    with pytest.warns(DataQualityWarning), pytest.raises(ValueError, match="No usable feature column"):
        make_preprocessor(X)


def test_semicolon_and_decimal_comma_are_sniffed(tmp_path):
    path = tmp_path / "es.csv"
    path.write_text("edad;ciudad;precio\n30;Madrid;1,5\n41;Lima;2,25\n35;Lima;3,0\n", encoding="latin-1")
    X, y = load_csv(path, "precio")
    assert list(X.columns) == ["edad", "ciudad"]
    assert y.tolist() == [1.5, 2.25, 3.0]
    tab = tmp_path / "t.tsv"
    tab.write_text("a\tb\n1\tx\n2\ty\n")
    X, y = load_csv(tab, -1)
    assert y.name == "b" and X["a"].tolist() == [1, 2]


def test_latin1_file_and_gzip(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("año,región\n2020,Castilla-La Mancha\n2021,Aragón\n".encode("latin-1"))
    X, y = load_csv(path, "región")
    assert y.tolist() == ["Castilla-La Mancha", "Aragón"]
    gz = tmp_path / "data.csv.gz"
    pd.DataFrame({"a": [1, 2], "t": [0, 1]}).to_csv(gz, index=False)
    assert load_csv(gz, "t")[0].shape == (2, 1)


def test_missing_target_rows_are_dropped_with_warning(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("x,t\n1,a\n2,\n3,b\n")
    with pytest.warns(DataQualityWarning, match=r"Dropped 1 of 3 rows .* target 't'"):
        X, y = load_csv(path, "t")
    assert y.tolist() == ["a", "b"] and X["x"].tolist() == [1, 3]


def test_error_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"CSV file not found: .*nope\.csv"):
        load_csv(tmp_path / "nope.csv", "y")


def test_error_unknown_target_lists_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sepal_length,Species\n1,a\n2,b\n")
    with pytest.raises(CSVError, match=r"'specie' is not in 'd\.csv'.*'sepal_length', 'Species'.*Did you mean 'Species'"):
        load_csv(path, "specie")
    with pytest.raises(CSVError, match=r"Did you mean 'Species'\? \(names are case-sensitive\)"):
        load_csv(path, "species")
    with pytest.raises(CSVError, match="Target position 5 is out of range"):
        load_csv(path, 5)
    with pytest.raises(CSVError, match=r"Columns to drop \['nope'\]"):
        load_csv(path, "Species", drop=["nope"])


def test_error_wrong_separator_hint(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a;b\n1;2\n")
    with pytest.raises(CSVError, match=r"read as a single column named 'a;b'.*pass sep=';'"):
        load_csv(path, "b", sep=",")


def test_error_unparseable(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('a,b\n1,2\n3,4,5,6\n"7,8\n')
    with pytest.raises(CSVError, match=r"Could not parse .*bad\.csv.*separator ','"):
        load_csv(path, "a", sep=",")
    binary = tmp_path / "book.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(CSVError, match="binary file"):
        load_csv(binary, "a")


@pytest.mark.parametrize(
    "content, match",
    [
        ("", r"is empty \(0 bytes\)"),
        ("\n\n  \n", "is empty"),
        ("a,b,c\n", r"has a header \('a', 'b', 'c'\) but no data rows"),
    ],
)
def test_error_empty(tmp_path, content, match):
    path = tmp_path / "e.csv"
    path.write_text(content)
    with pytest.raises(CSVError, match=match):
        load_csv(path, "a")


def test_error_target_all_missing_and_no_features(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("x,t\n1,\n2,\n")
    with pytest.raises(CSVError, match=r"Target column 't' .* has no values: all 2 rows are missing"):
        load_csv(path, "t")
    only = tmp_path / "o.csv"
    only.write_text("t\n1\n2\n")
    with pytest.raises(CSVError, match="no feature columns left"):
        load_csv(only, "t")


def test_csverror_is_a_valueerror():
    assert issubclass(CSVError, ValueError)


@pytest.mark.parametrize(
    "y, task, reason",
    [
        (["rock", "mine", "rock"], "classification", "non-numeric"),
        ([True, False, True], "classification", "boolean"),
        (pd.Categorical(["a", "b"]), "classification", "categorical"),
        ([0, 1, 1, 0], "classification", "only 2 distinct"),
        ([1.0, 2.0, 3.0, 2.0, np.nan], "classification", "whole numbers with only 3"),
        (np.arange(50) % 7, "classification", "only 7 distinct"),
        (np.repeat(np.arange(100), 6), "classification", "consecutive integer codes 0..99"),
        (np.linspace(0, 1, 40), "regression", "not all whole numbers"),
        (np.arange(18, 80), "regression", "62 distinct values"),
        (np.array([[0.5], [1.5], [2.7]]), "regression", "not all whole"),
    ],
)
def test_infer_task(y, task, reason):
    got, why = infer_task(y, return_reason=True)
    assert got == task
    assert reason in why
    assert infer_task(y) == task


def test_infer_task_errors():
    with pytest.raises(ValueError, match="empty"):
        infer_task([np.nan, None])
    with pytest.raises(ValueError, match="1-D target"):
        infer_task(np.zeros((3, 2)))


def test_headerless_file_with_target_in_the_middle(tmp_path):
    path = tmp_path / "sonar.all-data"
    rows = [f"0.{i}1,0.{i}2,{'R' if i % 2 else 'M'},0.{i}4" for i in range(1, 10)]
    path.write_text("\n".join(rows) + "\n")
    X, y = load_csv(path, 2, header=None)
    assert list(X.columns) == ["0", "1", "3"] and set(y) == {"R", "M"}
    Xt = make_preprocessor(X, scale=False).fit_transform(X)
    np.testing.assert_allclose(Xt[:, 2], X["3"].to_numpy())
    positional = X.set_axis([0, 1, 3], axis=1)
    np.testing.assert_allclose(make_preprocessor(positional, scale=False).fit_transform(positional)[:, 2], X["3"])


# ------------------------------------------------- numbers with stray cells
def _junk_table(tmp_path, *, n=569, junk=("abc", "??", "n/a!"), sep=",", decimal="."):
    """A numeric column ``radius`` with a few unparseable cells, plus a category."""
    rng = np.random.default_rng(0)
    radius = [f"{v:.3f}".replace(".", decimal) for v in rng.normal(14, 3, n)]
    for i, cell in zip((3, 10, min(100, n - 5)), junk):
        radius[i] = cell
    lines = [sep.join(["radius", "kind", "label"])]
    lines += [sep.join([r, "ab"[i % 2], "xy"[i % 3 == 0]]) for i, r in enumerate(radius)]
    path = tmp_path / "junk.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_numeric_column_with_junk_cells_stays_numeric(tmp_path):
    path = _junk_table(tmp_path)
    with pytest.warns(DataQualityWarning) as record:
        X, y = load_csv(path, "label")
    messages = [str(w.message) for w in record]
    assert len(messages) == 1, messages
    assert messages[0] == (
        "Column 'radius' holds numbers, but 3 of its 569 cells are not a number "
        "('abc', '??', 'n/a!'); they are read as missing."
    )
    assert X["radius"].dtype == np.float64 and X["radius"].isna().sum() == 3
    pre = make_preprocessor(X)
    Xt = pre.fit_transform(X)
    assert Xt.shape == (569, 1 + 2)  # radius + kind one-hot, not ~560 indicator columns
    assert not np.isnan(Xt).any()


def test_the_preprocessor_applies_the_rule_to_raw_rows_at_predict_time(tmp_path):
    X, _ = load_csv(_junk_table(tmp_path), "label")
    pre = make_preprocessor(X).fit(X)
    raw = pd.DataFrame({"radius": ["12.5", "oops", None, "13"], "kind": ["a", "b", "a", "b"]})
    with pytest.warns(DataQualityWarning, match=r"Column 'radius' holds numbers, but 1 of its 4 cells "
                                                r"is not a number \('oops'\); it is treated as "
                                                r"missing and imputed"):
        out = pre.transform(raw)
    assert out.shape == (4, 3) and not np.isnan(out).any()
    assert out[1, 0] == out[2, 0]  # the bad cell is imputed like the missing one
    # a saved preprocessor keeps the rule
    again = pickle.loads(pickle.dumps(pre))
    with pytest.warns(DataQualityWarning):
        np.testing.assert_allclose(again.transform(raw), out)


def test_the_95_percent_rule(tmp_path):
    from skdl.datasets import NUMERIC_SHARE, numeric_columns

    assert NUMERIC_SHARE == 0.95
    frame = pd.DataFrame({
        "ok_95": [str(i % 7) for i in range(19)] + ["x"],  # 19 of 20 cells numbers: numeric
        "text_89": ["1"] * 16 + ["x", "y"] + [None, None],  # 16 of 18 (89 %): text
        "gaps": ["2.5", None, "3", None] * 5,              # missing cells do not count
        "words": list("abcdefghij") * 2,
        "flags": [True, False] * 10,
    })
    assert numeric_columns(frame) == ["ok_95", "gaps"]
    pre = make_preprocessor(frame)
    assert [(name, cols) for name, _, cols in pre.transformers] == [
        ("numeric", ["ok_95", "gaps"]), ("categorical", ["text_89", "words", "flags"])]


def test_decimal_comma_file_with_junk_cells(tmp_path):
    path = _junk_table(tmp_path, n=100, sep=";", decimal=",", junk=("--", "?", "x"))
    with pytest.warns(DataQualityWarning, match="3 of its 100 cells"):
        X, _ = load_csv(path, "label")
    assert X["radius"].dtype == np.float64 and X["radius"].notna().sum() == 97
    assert 5 < X["radius"].mean() < 25  # "14,123" read as 14.123


def test_a_numeric_target_with_junk_cells_drops_those_rows(tmp_path):
    path = tmp_path / "price.csv"
    path.write_text("x,price\n" + "".join(f"{i},{i * 1.5 + 0.25}\n" for i in range(40)) + "41,??\n")
    with pytest.warns(DataQualityWarning) as record:
        X, y = load_csv(path, "price")
    messages = " | ".join(str(w.message) for w in record)
    assert "Column 'price' holds numbers, but 1 of its 41 cells is not a number ('??')" in messages
    assert "Dropped 1 of 41 rows" in messages
    assert y.dtype == np.float64 and len(y) == 40 and infer_task(y) == "regression"
