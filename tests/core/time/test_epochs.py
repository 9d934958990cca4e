"""Epoch numbers: one unit per column, never a wrapped date, clear rejections."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.time import epochs

MAY_1 = 1_714_557_600  # 2024-05-01T10:00:00Z in seconds


@settings(max_examples=200, deadline=None)
@given(st.integers(-(2**63), 2**63 - 1), st.sampled_from(["s", "ms", "us", "ns", None]))
def test_epoch_numbers_never_wrap(value: int, unit: str | None) -> None:
    out, _, bad = epochs.read_epochs(np.array([value], dtype=np.int64), unit=unit)
    if bad:
        assert np.isnat(out[0])
        return
    chosen = unit or epochs.epoch_unit([value])
    per_s = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[chosen]
    assert int(out.view(np.int64)[0]) == value * 10**6 // per_s  # exact, no wrap
    assert epochs.MIN_US <= int(out.view(np.int64)[0]) <= epochs.MAX_US


@pytest.mark.parametrize("unit", [None, *epochs.EPOCH_UNITS])
def test_check_unit_accepts_the_units_and_none(unit: str | None) -> None:
    assert epochs.check_unit(unit) == unit


@pytest.mark.parametrize("bad", ["sec", "S", "", "seconds"])
def test_check_unit_rejects_other_spellings(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^'unit' must be one of 's', 'ms', 'us', 'ns'"):
        epochs.check_unit(bad)


@pytest.mark.parametrize(("scale", "unit"), [(1, "s"), (10**3, "ms"), (10**6, "us"), (10**9, "ns")])
def test_epoch_unit_of_each_scale(scale: int, unit: str) -> None:
    assert epochs.epoch_unit(np.array([MAY_1, MAY_1 + 1]) * scale) == unit


def test_epoch_unit_errors_name_field_and_row() -> None:
    with pytest.raises(ValueError, match=r"^'ts' could not be read: row 2: 5 is not a time"):
        epochs.epoch_unit([MAY_1, 5], field="ts")
    with pytest.raises(ValueError, match=r"row 2: 1714557600000 reads as epoch milliseconds"):
        epochs.epoch_unit([MAY_1, MAY_1 * 1000])


def test_read_epochs_collects_nan_and_rejected_rows() -> None:
    out, unit, bad = epochs.read_epochs(np.array([MAY_1 * 1000.0, np.nan, 7.0]))
    assert unit == "ms"
    assert out[0] == np.datetime64("2024-05-01T10:00", "us")
    assert np.isnat(out[1]) and np.isnat(out[2])
    assert list(bad) == [2]  # NaN is missing, not bad


def test_read_epochs_of_uint64_beyond_int64_is_a_rejection_not_a_wrap() -> None:
    arr = np.array([MAY_1 * 10**6, 2**64 - 1], dtype=np.uint64)
    out, unit, bad = epochs.read_epochs(arr)
    assert unit == "us" and out[0] == np.datetime64("2024-05-01T10:00", "us")
    assert bad == {1: "is out of range for an epoch time"} and np.isnat(out[1])


def test_read_epochs_rejects_text_dtypes() -> None:
    with pytest.raises(TypeError, match="epoch values must be numbers"):
        epochs.read_epochs(np.array(["1714557600"]))


def test_float_epochs_keep_their_fraction() -> None:
    out = epochs.epoch_to_datetime64([MAY_1 + 0.25], unit="s")
    assert out[0] == np.datetime64("2024-05-01T10:00:00.250", "us")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("1714557600", True),
        ("-86400", True),
        ("+1.5", True),
        ("20240501", False),  # YYYYMMDD is a date
        ("1.5.2024", False),
        ("", False),
        ("12e3", False),
        ("\u0661\u0662", False),  # Arabic-Indic digits are not ASCII
    ],
)
def test_is_number_text(text: str, want: bool) -> None:
    assert epochs.is_number_text(text) is want


def test_read_number_text_keeps_ids_and_names_the_text() -> None:
    out, bad = epochs.read_number_text(["1714557600", "0240501"])
    assert out[0] == np.datetime64("2024-05-01T10:00", "us")
    assert bad[1].startswith("'0240501' (a number, read as an epoch time) is not a time")
    out, bad = epochs.read_number_text(["86400"], unit="s")
    assert bad == {} and out[0] == np.datetime64("1970-01-02", "us")


def test_read_numbers_rejects_python_ints_beyond_int64() -> None:
    out, bad = epochs.read_numbers([MAY_1, 10**30])
    assert out[0] == np.datetime64("2024-05-01T10:00", "us") and np.isnat(out[1])
    assert bad[1].endswith("is out of range for an epoch time")
