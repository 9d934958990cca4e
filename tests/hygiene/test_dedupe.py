"""Deduplication of repeated touches (moved from test_identity.py, plus the kernel)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.hygiene.dedupe import deduplicate, deduplicate_codes


def test_deduplicate_window_keeps_the_first() -> None:
    t0 = np.datetime64("2024-03-01T09:00:00", "us")
    minute = np.timedelta64(60_000_000, "us")
    ts = np.array([t0, t0 + 2 * minute, t0 + 4 * minute, t0 + 60 * minute, t0, t0, t0 + minute])
    person = [0, 0, 0, 0, 1, 0, 1]
    src = ["ads", "ads", "ads", "ads", "ads", "seo", None]
    d = deduplicate(person, ts, [src], window=np.timedelta64(5, "m"))
    # rows 1, 2 chain within 5 min of the previous (row 0 kept); row 3 is 56 min later;
    # row 4 is another person; row 5 another source; row 6 a None source of person 1
    assert d.keep.tolist() == [True, False, False, True, True, True, True]
    assert d.duplicate_of.tolist() == [-1, 0, 0, -1, -1, -1, -1]
    assert d.n_removed == 2
    exact = deduplicate([0, 0, 0], [5, 5, 6], [["a", "a", "a"]], window=0, unit="s")
    assert exact.keep.tolist() == [True, False, True]
    # rows without person or time are kept
    kept = deduplicate([-1, -1], [5, 5], [["a", "a"]], window="10s", unit="s")
    assert kept.keep.tolist() == [True, True]
    with pytest.raises(ValueError, match="'window' must be >= 0"):
        deduplicate([0], [0], [["a"]], window=np.timedelta64(-1, "s"), unit="s")
    with pytest.raises(TypeError, match="a bare number \\(10\\) has no unit"):
        deduplicate([0], [0], [["a"]], window=10, unit="s")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 50), st.sampled_from(["a", "b", None])),
        max_size=30,
    ),
    st.integers(0, 20),
)
def test_deduplicate_matches_a_reference(rows: list[tuple[int, int, str | None]], w: int) -> None:
    person = [r[0] for r in rows]
    ts = [float(r[1]) for r in rows]
    key = [r[2] for r in rows]
    d = deduplicate(person, np.asarray(ts, dtype=np.float64), [key], window=f"{w}s", unit="s")
    # reference: within each (person, key), in (time, row) order, a touch is a duplicate
    # when the previous one is at most w seconds earlier
    want_keep = [True] * len(rows)
    groups: dict[tuple[int, str | None], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault((r[0], r[2]), []).append(i)
    for idx in groups.values():
        idx.sort(key=lambda i: (ts[i], i))
        for prev, cur in itertools.pairwise(idx):
            if ts[cur] - ts[prev] <= w:
                want_keep[cur] = False
    assert d.keep.tolist() == want_keep
    assert d.n_removed == want_keep.count(False)
    assert all(d.keep[j] for j in d.duplicate_of.tolist() if j >= 0)


def test_deduplicate_several_key_columns_must_all_match() -> None:
    d = deduplicate(
        [0, 0, 0, 0],
        ["2024-03-01T09:00", "2024-03-01T09:01", "2024-03-01T09:02", "2024-03-01T09:03"],
        [["ads", "ads", "ads", "ads"], ["0042", "42", "0042", None]],
        window="10min",
    )
    # the campaign ids "0042" and "42" are different text; None is a value of its own
    assert d.keep.tolist() == [True, True, False, True]
    assert d.duplicate_of.tolist() == [-1, -1, 0, -1]


def test_deduplicate_key_columns_must_have_one_length() -> None:
    with pytest.raises(ValueError, match="key column 0 has 1 rows, expected 2"):
        deduplicate([0, 0], [0, 1], [["a"]], window="1s", unit="s")


def test_deduplicate_codes_skips_missing_time_and_person() -> None:
    none = np.iinfo(np.int64).min
    d = deduplicate_codes(
        np.array([0, 0, 0, -1, -1]),
        np.array([0, none, 1, 0, 0]),
        np.zeros(5, dtype=np.int64),
        window=5,
    )
    assert d.keep.tolist() == [True, True, False, True, True]
    assert d.duplicate_of.tolist() == [-1, -1, 0, -1, -1]
    assert d.n_removed == 1
