"""Touches at the same instant are ordered by their labels' text, never by row order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.ties import TIE_ORDER, order_runs, order_ties, text_rank, tie_runs


def test_text_rank_puts_missing_first_then_text_order() -> None:
    codes = np.array([0, 1, 2, -1, 0], dtype=np.int32)
    got = text_rank(codes, ("seo", "Email", "email"))
    # text order: "Email" < "email" < "seo"; -1 (not recorded) ranks 0
    assert got.tolist() == [3, 1, 2, 0, 3]


def test_text_rank_of_no_categories_is_all_missing() -> None:
    assert text_rank(np.array([-1, -1], dtype=np.int32), ()).tolist() == [0, 0]


def test_tie_runs_never_join_two_segments() -> None:
    # segment 0 ends with 4, segment 1 starts with 4: not a tie
    offsets = np.array([0, 2, 4, 4, 6])
    primary = np.array([1, 4, 4, 5, 3, 3])
    runs = tie_runs(offsets, primary)
    assert runs is not None
    pos, run = runs
    assert pos.tolist() == [4, 5]
    assert run.tolist() == [1] * 2


def test_tie_runs_without_ties_is_none() -> None:
    assert tie_runs(np.array([0, 2, 3]), np.array([1, 2, 2])) is None
    assert tie_runs(np.array([0, 1]), np.array([7])) is None


def test_order_runs_sorts_each_run_by_keys_stably() -> None:
    offsets = np.array([0, 4])
    primary = np.array([3, 3, 3, 3])
    k1 = np.array([1, 0, 1, 0], dtype=np.int32)
    k2 = np.array([0, 5, 0, 2], dtype=np.int32)
    got = order_runs(offsets, primary, [k1, k2])
    assert got is not None
    pos, perm = got
    assert pos.tolist() == [0, 1, 2, 3]
    # (0,2) row 3, (0,5) row 1, then the equal (1,0) rows 0 and 2 in input order
    assert pos[perm].tolist() == [3, 1, 0, 2]


def _labels(
    channel: list[int], cats: tuple[str, ...]
) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    n = len(channel)
    none = (np.full(n, -1, dtype=np.int32), ())
    out = dict.fromkeys(TIE_ORDER, none)
    out["channel"] = (np.array(channel, dtype=np.int32), cats)
    return out


def test_order_ties_orders_same_instant_by_channel_text_and_keeps_inputs() -> None:
    offsets = np.array([0, 3, 5])
    ts = np.array([10, 10, 10, 20, 20], dtype=np.int64)
    rows = np.array([0, 1, 2, 3, 4], dtype=np.int64)
    labels = _labels([2, 0, 1, 1, 0], ("seo", "ads", "email"))
    before = labels["channel"][0].copy()
    new_rows, codes = order_ties(offsets, ts, rows, labels)
    # rows 0-2 are email, seo, ads: ads, email, seo; rows 3-4 are ads, seo: unchanged
    assert new_rows.tolist() == [2, 0, 1, 3, 4]
    assert codes["channel"].tolist() == [1, 2, 0, 1, 0]
    assert labels["channel"][0].tolist() == before.tolist()
    assert rows.tolist() == [0, 1, 2, 3, 4]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(-1, 3)), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_order_ties_result_does_not_depend_on_row_order(
    touches: list[tuple[int, int]], rnd: object
) -> None:
    cats = ("seo", "ads", "email", "direct")
    touches = sorted(touches, key=lambda t: t[0])  # one journey, sorted by time
    shuffled = list(touches)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    shuffled.sort(key=lambda t: t[0])  # stable: ties keep the shuffled order
    offsets = np.array([0, len(touches)])

    def labels_in_order(ts: list[tuple[int, int]]) -> list[str]:
        t = np.array([a for a, _ in ts], dtype=np.int64)
        rows = np.arange(len(ts), dtype=np.int64)
        _, codes = order_ties(offsets, t, rows, _labels([c for _, c in ts], cats))
        return ["" if c < 0 else cats[c] for c in codes["channel"].tolist()]

    assert labels_in_order(touches) == labels_in_order(shuffled)
