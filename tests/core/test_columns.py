"""Column helpers: object arrays, missing values, conversion values, integer journeys."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.columns import (
    as_object_array,
    as_values,
    check_length,
    index_int_journeys,
    missing_mask,
)


def test_as_object_array_keeps_text_ids_and_nul_characters() -> None:
    arr = as_object_array(["007", "7", "ann", "ann\x00"], field="journey_id")
    assert arr.dtype == object
    assert arr.tolist() == ["007", "7", "ann", "ann\x00"]
    assert as_object_array((x for x in [3, 1]), field="j").dtype == np.int64
    huge = as_object_array([2**70, 1], field="j")  # beyond int64: stays objects
    assert huge.dtype == object and huge[0] == 2**70
    a = np.array([1.0, 2.0])
    assert as_object_array(a, field="v") is a


def test_as_object_array_rejections_name_the_field() -> None:
    with pytest.raises(TypeError, match="'journey_id' must be an array or sequence, got a single"):
        as_object_array("007", field="journey_id")
    with pytest.raises(TypeError, match="'j' must be an array or sequence, got int"):
        as_object_array(5, field="j")
    with pytest.raises(ValueError, match=r"'j' must be one-dimensional, got shape \(2, 1\)"):
        as_object_array(np.zeros((2, 1)), field="j")


def test_missing_mask_by_dtype() -> None:
    obj = np.array(["a", None, float("nan"), "", 0], dtype=object)
    assert missing_mask(obj).tolist() == [False, True, True, False, False]
    assert missing_mask(np.array([1.0, np.nan])).tolist() == [False, True]
    assert missing_mask(np.array(["2024-01-01", "NaT"], dtype="datetime64[D]")).tolist() == [
        False,
        True,
    ]
    assert missing_mask(np.array([0, -1])).tolist() == [False, False]


def test_check_length() -> None:
    check_length(np.zeros(3), "x", 3)
    with pytest.raises(ValueError, match="'conversion_value' has 2 rows, expected 3"):
        check_length(np.zeros(2), "conversion_value", 3)


def test_as_values_defaults_and_conversions() -> None:
    assert as_values(None, field="v", n=3, default=2.0).tolist() == [2.0, 2.0, 2.0]
    assert as_values(["1.5", 2, 0], field="v", n=3).tolist() == [1.5, 2.0, 0.0]


@pytest.mark.parametrize(
    ("values", "exc", "pattern"),
    [
        ([1, float("nan")], ValueError, r"'v' must be finite and >= 0; row 2 is nan"),
        ([float("inf"), 1], ValueError, r"row 1 is inf"),
        ([1, True], TypeError, r"'v' must hold numbers; row 2 is bool True"),
        (np.array([True, False]), TypeError, r"'v' must hold numbers, got booleans"),
        (["1", "abc"], TypeError, r"'v' must hold numbers; row 2 is str 'abc'"),
        ([1.0, 2.0, 3.0], ValueError, r"'v' has 3 rows, expected 2"),
        ([1e308, 1e308], ValueError, r"running total overflows at row 2"),
    ],
)
def test_as_values_rejections(values: object, exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        as_values(values, field="v", n=2)


def test_index_int_journeys_keeps_conversion_only_journeys() -> None:
    got = index_int_journeys(np.array([30, 10, 30]), np.array([20, 30, 5]), np.array([5, 9, 1]))
    assert got is not None
    uniq, off, order, cj = got
    assert uniq.tolist() == [5, 10, 20, 30]
    assert off.tolist() == [0, 0, 1, 1, 3]
    assert order is not None and order.tolist() == [1, 2, 0]
    assert cj.tolist() == [2, 3, 0]


def test_index_int_journeys_declines_non_integer_and_huge_ids() -> None:
    assert index_int_journeys(np.array(["007"], dtype=object), np.array([]), np.zeros(1)) is None
    big = np.array([2**63 + 1], dtype=np.uint64)
    assert index_int_journeys(big, np.zeros(0, dtype=np.uint64), np.zeros(1, np.int64)) is None


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-(2**62), 2**62), st.integers(0, 5)), min_size=1, max_size=25),
    st.lists(st.integers(-(2**62), 2**62), max_size=5),
    st.booleans(),
)
def test_index_int_journeys_groups_every_touch(
    touches: list[tuple[int, int]], extra: list[int], dense: bool
) -> None:
    if dense:
        touches = [(j % 7, t) for j, t in touches]
        extra = [e % 9 for e in extra]
    jid = np.array([j for j, _ in touches], dtype=np.int64)
    ts = np.array([t for _, t in touches], dtype=np.int64)
    conv = np.array([touches[0][0], *extra], dtype=np.int64)
    got = index_int_journeys(jid, conv, ts)
    assert got is not None
    uniq, off, order, cj = got
    assert uniq.tolist() == sorted(set(jid.tolist()) | set(conv.tolist()))
    assert (uniq[cj] == conv).all()
    perm = np.arange(jid.size) if order is None else order
    for k in range(uniq.size):
        rows = perm[off[k] : off[k + 1]]
        assert (jid[rows] == uniq[k]).all()
        assert (np.diff(ts[rows]) >= 0).all()
    assert off[-1] == jid.size
