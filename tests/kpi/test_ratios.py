"""Tests of touchcredit.kpi.ratios (divide, checked, show_key, key_columns)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.kpi.ratios import (
    UndefinedMetricWarning,
    checked,
    divide,
    key_columns,
    show_key,
)


def test_divide_nan_where_denominator_zero_and_reason_in_notes() -> None:
    notes: list[str] = []
    out = divide(
        np.array([10.0, 5.0, 3.0]),
        np.array([2, 0, 0]),
        "cpl",
        "leads",
        keys=["LinkedIn", None, ("a", "b")],
        notes=notes,
    )
    assert out[0] == 5.0
    assert np.isnan(out[1:]).all()
    assert notes == ["cpl is undefined (NaN) where leads == 0: (not recorded), a / b"]


def test_divide_names_at_most_five_keys_then_counts_the_rest() -> None:
    notes: list[str] = []
    keys = [f"k{i}" for i in range(7)]
    divide(np.ones(7), np.zeros(7), "m", "d", keys=keys, notes=notes)
    assert notes == ["m is undefined (NaN) where d == 0: k0, k1, k2, k3, k4 and 2 more"]


def test_divide_warns_without_notes() -> None:
    with pytest.warns(UndefinedMetricWarning, match="roas is undefined .NaN. where spend == 0"):
        out = divide(np.array(4.0), np.array(0.0), "roas", "spend")
    assert np.isnan(out)


def test_divide_no_warning_when_all_defined() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = divide(np.array([1, 2]), np.array([4, 8]), "m", "d")
    assert out.tolist() == [0.25, 0.25]


@given(
    st.lists(
        st.tuples(st.floats(0, 1e6, allow_nan=False), st.integers(0, 1000)),
        min_size=1,
        max_size=20,
    )
)
def test_divide_matches_elementwise_division(rows: list[tuple[float, int]]) -> None:
    num = np.array([r[0] for r in rows])
    den = np.array([r[1] for r in rows])
    out = divide(num, den, "m", "d", notes=[])
    for n, d, o in zip(num, den, out, strict=True):
        if d == 0:
            assert np.isnan(o)
        else:
            assert o == n / d


def test_checked_accepts_non_negative_and_returns_float64() -> None:
    arr = checked([0, 1, 2.5], "spend")
    assert arr.dtype == np.float64
    assert arr.tolist() == [0.0, 1.0, 2.5]


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([1.0, -2.0], "'spend' must be finite and >= 0; item 1 is -2.0"),
        ([1.0, 2.0, float("nan")], "item 2 is nan"),
        (float("inf"), "'spend' must be finite and >= 0, got inf"),
    ],
)
def test_checked_rejects_negative_or_non_finite(values: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        checked(values, "spend")


def test_show_key() -> None:
    assert show_key(None) == "(not recorded)"
    assert show_key(("LinkedIn", None)) == "LinkedIn / (not recorded)"
    assert show_key("007") == "007"
    assert show_key(3) == "3"


def test_key_columns_one_name_keeps_tuples_whole() -> None:
    cols = key_columns(("source",), [("a", 1), "b"])
    assert list(cols) == ["source"]
    assert cols["source"].dtype == object
    assert cols["source"].tolist() == [("a", 1), "b"]


def test_key_columns_splits_tuple_labels() -> None:
    cols = key_columns(("source", "month"), [("007", "2024-01"), (None, "2024-02")])
    assert cols["source"].tolist() == ["007", None]
    assert cols["month"].tolist() == ["2024-01", "2024-02"]
