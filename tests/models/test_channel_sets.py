"""Mirrored tests for touchcredit.models.channel_sets (CSR set kernels)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.models.channel_sets import distinct_members, group_sets, hash_words, set_sizes


def _sets(codes: np.ndarray, offsets: np.ndarray) -> list[tuple[int, ...]]:
    return [tuple(codes[a:b].tolist()) for a, b in itertools.pairwise(offsets)]


def test_hash_words_are_prefix_stable_and_distinct() -> None:
    a1, a2 = hash_words(4)
    b1, b2 = hash_words(10)
    assert (a1 == b1[:4]).all() and (a2 == b2[:4]).all()
    assert len(set(b1.tolist())) == 10
    assert hash_words(0)[0].size == 0


def test_set_sizes() -> None:
    assert set_sizes(np.array([0, 2, 2, 5])).tolist() == [2, 0, 3]


def test_distinct_members_sorts_and_drops_repeats_and_keeps_empty_sets() -> None:
    codes = np.array([3, 1, 3, 0, 0], np.int32)
    c, o = distinct_members(codes, np.array([0, 3, 3, 5]), 4)
    assert _sets(c, o) == [(1, 3), (), (0,)]


def test_group_sets_sums_columns_of_equal_sets() -> None:
    # {0, 2}, {}, {1}, {0, 2}, {}
    codes = np.array([0, 2, 1, 0, 2], np.int32)
    offsets = np.array([0, 2, 2, 3, 5, 5])
    c, o, (w, v) = group_sets(codes, offsets, 3, np.array([1.0, 2.0, 4.0, 8.0, 16.0]), np.ones(5))
    got = sorted(zip(_sets(c, o), w.tolist(), v.tolist(), strict=True))
    assert got == [((), 18.0, 2.0), ((0, 2), 9.0, 2.0), ((1,), 4.0, 1.0)]


def test_group_sets_of_no_sets() -> None:
    c, o, (w,) = group_sets(np.array([], np.int32), np.array([0]), 3, np.array([]))
    assert c.size == 0 and o.tolist() == [0] and w.size == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.frozensets(st.integers(0, 6), max_size=4), max_size=20), st.randoms())
def test_group_sets_is_exact_and_order_free(sets: list[frozenset[int]], rnd: object) -> None:
    def csr(items: list[frozenset[int]]) -> tuple[np.ndarray, np.ndarray]:
        codes = np.array([m for s in items for m in sorted(s)], np.int32)
        offsets = np.zeros(len(items) + 1, np.int64)
        np.cumsum([len(s) for s in items], out=offsets[1:])
        return codes, offsets

    weights = np.arange(1.0, len(sets) + 1.0)
    c, o, (w,) = group_sets(*csr(sets), 7, weights)
    expected: dict[tuple[int, ...], float] = {}
    for s, x in zip(sets, weights.tolist(), strict=True):
        key = tuple(sorted(s))
        expected[key] = expected.get(key, 0.0) + x
    assert dict(zip(_sets(c, o), w.tolist(), strict=True)) == expected
    # canonical order: shuffled input gives the same table
    perm = list(range(len(sets)))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    c2, o2, (w2,) = group_sets(*csr([sets[i] for i in perm]), 7, weights[perm])
    assert _sets(c2, o2) == _sets(c, o)
    assert np.allclose(w2, w)
