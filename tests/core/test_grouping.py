"""Grouping kernels: local days and months, group codes, per-group quantiles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.grouping import (
    Groups,
    compact,
    factorize_any,
    group_quantiles,
    local_days,
    local_months,
)


def _us(*texts: str) -> np.ndarray:
    return np.array(texts, dtype="datetime64[us]")


def test_local_days_and_months_in_a_zone_with_nat() -> None:
    t = _us("2024-01-31T22:30", "2024-01-31T23:30", "NaT", "2024-03-31T00:30")
    assert local_days(t).tolist()[:2] == [dt.date(2024, 1, 31), dt.date(2024, 1, 31)]
    paris = local_days(t, "Europe/Paris")
    assert paris[0] == np.datetime64("2024-01-31") and paris[1] == np.datetime64("2024-02-01")
    assert np.isnat(paris[2])
    assert paris[3] == np.datetime64("2024-03-31")  # 02:30 CEST, after the spring change
    months = local_months(t, "Europe/Paris")
    assert months[0] == np.datetime64("2024-01") and months[1] == np.datetime64("2024-02")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2045, 1, 1)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns", "Australia/Lord_Howe"]),
)
def test_local_days_agree_with_zoneinfo(times: list[dt.datetime], zone: str) -> None:
    got = local_days(np.array(times, dtype="datetime64[us]"), zone).tolist()
    tz = ZoneInfo(zone)
    assert got == [t.replace(tzinfo=dt.UTC).astimezone(tz).date() for t in times]


def test_groups_counts_and_sums_skip_code_minus_one() -> None:
    g = Groups(np.array([0, 2, -1, 0, 2]), ("a", None, "2024-05"), ("source",))
    assert g.size == 3
    assert g.counts().tolist() == [2, 0, 2]
    assert g.counts(np.array([True, False, True, False, True])).tolist() == [1, 0, 1]
    assert g.sum().tolist() == [2.0, 0.0, 2.0]
    assert g.sum(np.array([1.5, 2.0, 100.0, 0.5, 3.0])).tolist() == [2.0, 0.0, 5.0]


def test_compact_small_and_large_key_ranges() -> None:
    uniq, idx = compact(np.array([5, 5, 0, 2]))
    assert uniq.tolist() == [0, 2, 5] and idx.tolist() == [2, 2, 0, 1]
    big = np.array([10**15, 3, 10**15], dtype=np.int64)  # falls back to np.unique
    uniq, idx = compact(big)
    assert uniq.tolist() == [3, 10**15] and idx.tolist() == [1, 0, 1]
    uniq, idx = compact(np.zeros(0, dtype=np.int64))
    assert uniq.size == 0 and idx.size == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**40), max_size=40))
def test_compact_equals_np_unique(keys: list[int]) -> None:
    arr = np.array(keys, dtype=np.int64)
    uniq, idx = compact(arr)
    assert uniq.tolist() == sorted(set(keys))
    assert (uniq[idx] == arr).all()


def test_group_quantiles_by_hand() -> None:
    values = np.array([4.0, 1.0, 2.0, np.nan, 10.0, 7.0, 3.0])
    codes = np.array([0, 0, 0, 0, 1, -1, 2])
    got = group_quantiles(values, codes, 4, [0.0, 0.5, 0.75, 1.0])
    assert got[0].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert got[1].tolist() == [10.0] * 4
    assert got[2].tolist() == [3.0] * 4
    assert np.isnan(got[3]).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 3)),
        min_size=1,
        max_size=30,
    ),
    st.floats(0, 1),
)
def test_group_quantiles_equal_numpy_per_group(rows: list[tuple[float, int]], q: float) -> None:
    values = np.array([v for v, _ in rows])
    codes = np.array([c for _, c in rows])
    got = group_quantiles(values, codes, 4, [q])
    for k in range(4):
        mine = values[codes == k]
        if mine.size:
            assert np.isclose(got[k, 0], np.quantile(mine, q), rtol=1e-9, atol=1e-6)
        else:
            assert np.isnan(got[k, 0])


def test_factorize_any_puts_missing_last_and_keeps_text_ids() -> None:
    values = np.array(["0042", None, "007", "0042", None], dtype=object)
    codes, labels = factorize_any(values, "lead_id")
    assert labels == ("0042", "007", None)
    assert codes.tolist() == [0, 2, 1, 0, 2]
    codes, labels = factorize_any(np.array([3, 1, 3]), "n")
    assert labels == (1, 3) and codes.tolist() == [1, 0, 1]
