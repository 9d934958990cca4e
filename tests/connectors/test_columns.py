"""touchcredit.connectors.columns: Arrow columns to ids, times, numbers and flags."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from touchcredit.connectors.columns import (
    SchemaError,
    amounts,
    bools,
    index_in,
    is_text,
    numbers,
    texts,
    times,
)

pa = pytest.importorskip("pyarrow")


def test_schema_error_names_missing_mistyped_and_found() -> None:
    err = SchemaError("deals", missing=["Amount"], mistyped={"Stage": "a list"}, found=["Id"])
    assert str(err) == (
        "deals: missing column(s) 'Amount'; wrong type: 'Stage' (a list); columns found: 'Id'"
    )
    assert err.missing == ["Amount"] and err.mistyped == {"Stage": "a list"}
    assert isinstance(err, ValueError)


def test_index_in_keeps_leading_zeros_apart() -> None:
    keys = np.array(["007", "7"], dtype=object)
    values = np.array(["7", "007", "0007", None], dtype=object)
    assert index_in(values, keys).tolist() == [1, 0, -1, -1]


def test_texts_and_is_text_of_a_dictionary_column() -> None:
    col = pa.array(["007", None, "007"]).dictionary_encode()
    assert is_text(col) and not is_text(pa.array([1, 2]))
    assert texts(col).tolist() == ["007", None, "007"]
    assert texts(pa.chunked_array([[1, 2], [3]])).tolist() == ["1", "2", "3"]


def test_times_of_typed_epoch_and_text_columns() -> None:
    aware = pa.array([0], pa.timestamp("s", tz="Europe/Paris"))
    assert times(aware).astype(str).tolist() == ["1970-01-01T00:00:00.000000"]
    assert times(pa.array([1_700_000_000])).dtype == np.int64
    gaps = times(pa.array(["1700000000", " ", None]))
    assert gaps[0] == 1_700_000_000 and np.isnan(gaps[1]) and np.isnan(gaps[2])
    assert times(pa.array(["2024-01-01", "20240102"])).tolist() == ["2024-01-01", "20240102"]
    days = times(pa.array([datetime.date(2024, 3, 1)], pa.date32()))
    assert days.dtype == np.dtype("datetime64[D]") and str(days[0]) == "2024-03-01"


def test_numbers_reads_text_by_the_columns_separator_rule() -> None:
    out = numbers(pa.array([" 1.200", "3.500", None]), table="deals", column="Amount")
    np.testing.assert_array_equal(out, [1200.0, 3500.0, np.nan])
    np.testing.assert_array_equal(
        numbers(pa.array(["2.5", "10"]), table="deals", column="Amount"), [2.5, 10.0]
    )


def test_numbers_names_the_row_that_is_not_a_number() -> None:
    with pytest.raises(SchemaError, match=r"'Amount' \(row 2 is 'n/a', not a number\)"):
        numbers(pa.array(["1", "n/a"]), table="deals", column="Amount")


def test_amounts_keep_typed_numbers() -> None:
    np.testing.assert_array_equal(
        amounts(pa.array([1.5, None]), table="deals", column="Amount"), [1.5, np.nan]
    )


def test_bools_of_text_and_integers() -> None:
    flags = bools(pa.array(["TRUE", " no", None, "1", "Yes"]), table="o", column="IsWon")
    assert flags.tolist() == [True, False, False, True, True]
    assert bools(pa.array([1, 0, None]), table="o", column="IsWon").tolist() == [
        True,
        False,
        False,
    ]
    with pytest.raises(SchemaError, match="'IsWon' .'maybe' is not true/false"):
        bools(pa.array(["true", "maybe"]), table="o", column="IsWon")
