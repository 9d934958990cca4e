"""Mirrored tests for touchcredit.models.markov_counts (states and transition counts)."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.models._credit import Paths
from touchcredit.models.markov_counts import (
    CONVERSION,
    NULL,
    START,
    count_paths,
    pack_states,
    path_state_ids,
)


def _paths(channels: tuple[str, ...], seqs: list[list[int]], converted: list[bool]) -> Paths:
    offsets = np.zeros(len(seqs) + 1, np.int64)
    np.cumsum([len(s) for s in seqs], out=offsets[1:])
    value = np.array([10.0 if c else 0.0 for c in converted])
    return Paths(
        channels,
        np.array([c for s in seqs for c in s], np.int32),
        offsets,
        np.array(converted),
        value,
        np.arange(len(seqs), dtype=np.int64),
    )


def test_order_one_states_are_codes_plus_one() -> None:
    ids, off = path_state_ids(np.array([0, 0, 1]), np.array([0, 3]), 1, 2, collapse=False)
    assert ids.tolist() == [1, 1, 2] and off.tolist() == [0, 3]
    ids, off = path_state_ids(np.array([0, 0, 1]), np.array([0, 3]), 1, 2, collapse=True)
    assert ids.tolist() == [1, 2] and off.tolist() == [0, 2]


def test_order_two_windows_and_short_paths() -> None:
    # paths [a, b, c] and [b]; base 4: window (a, b) -> 1*4 + 2 = 6, (b, c) -> 2*4 + 3 = 11,
    # the one-touch path is one padded state (b, pad) -> 2*4 + 0 = 8
    ids, off = path_state_ids(np.array([0, 1, 2, 1]), np.array([0, 3, 4]), 2, 3, collapse=False)
    assert ids.tolist() == [6, 11, 8] and off.tolist() == [0, 2, 3]


def test_collapse_never_merges_across_paths() -> None:
    ids, off = path_state_ids(np.array([0, 0, 0]), np.array([0, 2, 3]), 1, 1, collapse=True)
    assert ids.tolist() == [1, 1] and off.tolist() == [0, 1, 2]


def test_too_many_states_is_refused() -> None:
    with pytest.raises(ValueError, match="too many possible states"):
        path_state_ids(np.array([0]), np.array([0, 1]), 40, 100, collapse=False)


def test_pack_states_orders_like_the_windows() -> None:
    states = np.array([[0, -1], [0, 1], [1, 0]])
    assert pack_states(states, 2).tolist() == [3, 5, 7]


def test_count_paths_hand_computed() -> None:
    # a > b converts, b does not, a > a converts (collapsed to a)
    counts = count_paths(_paths(("a", "b"), [[0, 1], [1], [0, 0]], [True, False, True]), 1, True)
    assert counts.states.tolist() == [[0], [1]]
    got = {
        (int(s), int(t)): float(c)
        for s, t, c in zip(counts.source, counts.target, counts.count, strict=True)
    }
    assert got == {
        (START, 0): 2.0,
        (START, 1): 1.0,
        (0, 1): 1.0,
        (0, CONVERSION): 1.0,
        (1, CONVERSION): 1.0,
        (1, NULL): 1.0,
    }
    assert counts.state_labels() == ("a", "b")
    assert counts.state_value is not None
    assert counts.state_value.tolist() == [10.0, 10.0]  # value credited to the last state


def test_counts_of_parts_add_up_to_the_counts_of_the_whole() -> None:
    seqs = [[0, 1], [1], [0, 0, 1], [1, 0]]
    conv = [True, False, True, False]
    whole = count_paths(_paths(("a", "b"), seqs, conv), 2, False)
    parts = count_paths(_paths(("a", "b"), seqs[:2], conv[:2]), 2, False) + count_paths(
        _paths(("a", "b"), seqs[2:], conv[2:]), 2, False
    )
    assert parts.states.tolist() == whole.states.tolist()
    assert parts.source.tolist() == whole.source.tolist()
    assert parts.target.tolist() == whole.target.tolist()
    assert parts.count.tolist() == whole.count.tolist()
    assert sum(float(c) for s, c in zip(whole.source, whole.count, strict=True) if s == START) == 4
