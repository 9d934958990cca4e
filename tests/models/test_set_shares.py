"""Set-share kernels: ordered member pairs of each set and per-set normalisation, against
plain per-set references."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.models.set_shares import normalise, set_pairs

_SETS = st.lists(st.lists(st.integers(0, 9), min_size=0, max_size=5), min_size=0, max_size=8)


def _csr(sets: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sets], out=offsets[1:])
    codes = np.array([c for s in sets for c in s], dtype=np.int64)
    return offsets, codes


@settings(max_examples=60, deadline=None)
@given(sets=_SETS)
def test_set_pairs_are_every_ordered_pair_of_distinct_members(sets: list[list[int]]) -> None:
    offsets, codes = _csr(sets)
    entry, first, second = set_pairs(offsets, codes)
    expected = []
    for k, members in enumerate(sets):
        base = int(offsets[k])
        for a in range(len(members)):
            for b in range(len(members)):
                if a != b:
                    expected.append((base + a, members[a], members[b]))
    got = sorted(zip(entry.tolist(), first.tolist(), second.tolist(), strict=True))
    assert got == sorted(expected)


def test_set_pairs_by_hand() -> None:
    entry, first, second = set_pairs(np.array([0, 3]), np.array([1, 2, 3]))
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == [
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 3),
        (3, 1),
        (3, 2),
    ]
    assert entry.tolist().count(0) == 2


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(
        st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=4), min_size=1, max_size=6
    )
)
def test_normalise_matches_a_per_set_reference(scores: list[list[float]]) -> None:
    score = np.array([v for s in scores for v in s], dtype=np.float64)
    owner = np.repeat(np.arange(len(scores)), [len(s) for s in scores])
    got = normalise(score, owner, len(scores))
    expected = []
    for s in scores:
        pos = [max(v, 0.0) for v in s]
        total = sum(pos)
        expected += [p / total for p in pos] if total > 0 else [1 / len(s)] * len(s)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    for k in range(len(scores)):  # every set's shares add up to one
        assert np.isclose(got[owner == k].sum(), 1.0)
