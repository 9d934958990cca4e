"""Segment kernels against slow, obvious references on random inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core import segments as seg


def _offsets(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


lengths_st = st.lists(st.integers(0, 6), min_size=0, max_size=30)


@given(lengths_st)
def test_segment_ids_and_positions_match_reference(lengths: list[int]) -> None:
    off = _offsets(lengths)
    ids_ref = [s for s, n in enumerate(lengths) for _ in range(n)]
    pos_ref = [i for n in lengths for i in range(n)]
    assert seg.segment_ids(off).tolist() == ids_ref
    assert seg.position_in_segment(off).tolist() == pos_ref
    assert seg.lengths(off).tolist() == lengths


@given(lengths_st, st.integers(0, 2**32 - 1))
def test_segment_sum_and_max_match_reference(lengths: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    off = _offsets(lengths)
    values = rng.normal(size=int(off[-1]))
    sums = [values[off[s] : off[s + 1]].sum() for s in range(len(lengths))]
    maxes = [values[off[s] : off[s + 1]].max() if n else -np.inf for s, n in enumerate(lengths)]
    np.testing.assert_allclose(seg.segment_sum(values, off), sums, atol=1e-12)
    assert seg.segment_max(values, off).tolist() == maxes


@settings(max_examples=200)
@given(lengths_st, st.integers(0, 2**32 - 1), st.sampled_from(["left", "right"]))
def test_segment_searchsorted_matches_numpy_per_segment(
    lengths: list[int], seed: int, side: str
) -> None:
    rng = np.random.default_rng(seed)
    off = _offsets(lengths)
    values = rng.integers(0, 10, size=int(off[-1]))
    for s in range(len(lengths)):  # sort inside each segment only
        values[off[s] : off[s + 1]].sort()
    if not lengths:
        return
    segment = rng.integers(0, len(lengths), size=50)
    queries = rng.integers(-1, 12, size=50)
    got = seg.segment_searchsorted(values, off, segment, queries, side=side)
    ref = [
        off[s] + np.searchsorted(values[off[s] : off[s + 1]], q, side=side)  # type: ignore[call-overload]
        for s, q in zip(segment, queries, strict=True)
    ]
    assert got.tolist() == [int(r) for r in ref]


def test_segment_searchsorted_rejects_bad_side() -> None:
    off = _offsets([1])
    with pytest.raises(ValueError, match="side must be 'left' or 'right'"):
        seg.segment_searchsorted(np.array([1]), off, np.array([0]), np.array([1]), side="mid")


def test_segment_searchsorted_no_queries() -> None:
    off = _offsets([2])
    out = seg.segment_searchsorted(
        np.array([1, 2]), off, np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    )
    assert out.size == 0
