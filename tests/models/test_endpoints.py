"""Mirrored tests for touchcredit.models.endpoints (first/last-touch positional kernel)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.models.endpoints import endpoint_weights
from touchcredit.models.positional import positional_weights


def test_u_shape_hand_computed() -> None:
    # conversions of 1, 2 and 4 touches, 40% first, 40% last, 20% over the middle
    w = endpoint_weights(np.array([0, 1, 3, 7]), 0.4, 0.4)
    assert w.tolist() == pytest.approx([1.0, 0.5, 0.5, 0.4, 0.1, 0.1, 0.4])


def test_first_touch_alone() -> None:
    w = endpoint_weights(np.array([0, 3, 4]), 1.0, 0.0)
    assert w.tolist() == [1.0, 0.0, 0.0, 1.0]


def test_last_touch_alone() -> None:
    w = endpoint_weights(np.array([0, 3]), 0.0, 1.0)
    assert w.tolist() == [0.0, 0.0, 1.0]


def test_no_anchor_is_linear_and_empty_conversions_get_nothing() -> None:
    w = endpoint_weights(np.array([0, 4, 4, 5]), 0.0, 0.0)
    assert w.tolist() == pytest.approx([0.25, 0.25, 0.25, 0.25, 1.0])


def test_two_touches_equal_vs_proportional() -> None:
    off = np.array([0, 2])
    assert endpoint_weights(off, 0.25, 0.5).tolist() == pytest.approx([0.375, 0.625])
    assert endpoint_weights(off, 0.25, 0.5, "proportional").tolist() == pytest.approx(
        [1 / 3, 2 / 3]
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=12),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.sampled_from(["equal", "proportional"]),
)
def test_weights_sum_to_one_per_nonempty_conversion(
    sizes: list[int], a: float, b: float, mode: str
) -> None:
    first, last = a * 0.5, b * 0.5
    offsets = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    w = endpoint_weights(offsets, first, last, mode)
    assert w.size == offsets[-1]
    assert (w >= 0).all()
    for n, lo, hi in zip(sizes, offsets[:-1], offsets[1:], strict=True):
        if n:
            assert w[lo:hi].sum() == pytest.approx(1.0)


@pytest.mark.parametrize(("first", "last"), [(0.0, 5e-324), (0.0, 5.5e-309), (5e-324, 5e-324)])
@pytest.mark.parametrize("mode", ["equal", "proportional"])
def test_subnormal_shares_still_add_up_to_one(first: float, last: float, mode: str) -> None:
    # hypothesis found last = 5.5e-309: 1 - middle rounded to 0 and a one-touch path's
    # weight was the share itself (5.5e-309) instead of 1
    off = np.array([0, 1, 3, 6])
    fast = endpoint_weights(off, first, last, mode)
    general = positional_weights(off, off[:-1], np.arange(6), first, last, [], mode)
    assert fast.tobytes() == general.tobytes()
    sums = np.add.reduceat(fast, off[:-1])
    assert sums.tolist() == pytest.approx([1.0, 1.0, 1.0], abs=1e-15)
