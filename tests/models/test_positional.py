"""Positional models against hand-computed weights (DESIGN.md section 2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet
from touchcredit.models import get
from touchcredit.models.endpoints import endpoint_weights
from touchcredit.models.positional import PositionalModel, positional_weights

DAY = 86_400


def one(
    n: int, *, conv: int = 100, channels: list[str] | None = None, times=None, **ms
) -> JourneySet:  # type: ignore[no-untyped-def]
    """One journey of ``n`` touches at days 1..n, converting at day ``conv``."""
    ts = [DAY * (i + 1) for i in range(n)] if times is None else times
    ch = channels or [f"c{i}" for i in range(n)]
    extra = {k: [None if v is None else DAY * v] for k, v in ms.items()}
    return JourneySet.from_arrays(
        journey_id=[1] * len(ts),
        timestamp=ts,
        channel=ch,
        conversion_journey_id=[1],
        conversion_time=[DAY * conv],
        **extra,
        unit="s",
    )


def w(name: str, js: JourneySet, **params: object) -> list[float]:
    return [round(x, 12) for x in get(name, **params).weights(js).tolist()]


def per_touch(name: str, js: JourneySet, **params: object) -> list[float]:
    """Weights by touch (0 for a touch that is not among the pairs: excluded)."""
    model = get(name, **params)
    out = np.zeros(js.n_touches)
    np.add.at(out, model.pairs(js).touch, model.weights(js))
    return [round(x, 12) for x in out.tolist()]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("first_touch", {1: [1], 2: [1, 0], 3: [1, 0, 0], 7: [1] + [0] * 6}),
        ("last_touch", {1: [1], 2: [0, 1], 3: [0, 0, 1], 7: [0] * 6 + [1]}),
        ("linear", {1: [1], 2: [0.5, 0.5], 3: [1 / 3] * 3, 7: [1 / 7] * 7}),
        ("position", {1: [1], 2: [0.5, 0.5], 3: [0.4, 0.2, 0.4], 7: [0.4] + [0.04] * 5 + [0.4]}),
        ("j_shaped", {1: [1], 2: [0.25, 0.75], 3: [0.2, 0.2, 0.6], 7: [0.2] + [0.04] * 5 + [0.6]}),
        ("inverse_j", {1: [1], 2: [0.75, 0.25], 3: [0.6, 0.2, 0.2], 7: [0.6] + [0.04] * 5 + [0.2]}),
    ],
)
def test_positional_shapes_by_length(name: str, expected: dict[int, list[float]]) -> None:
    for n, ref in expected.items():
        assert w(name, one(n)) == pytest.approx(ref, abs=1e-11), (name, n)


def test_w_shaped_length_7_with_distinct_milestones() -> None:
    # first = day 1, lead touch = day 3, opportunity touch = day 5 (last at or before day 5.5)
    js = one(7, lead_created_at=3, opportunity_created_at=5.5)
    assert w("w_shaped", js) == pytest.approx([0.3, 0.025, 0.3, 0.025, 0.3, 0.025, 0.025])


def test_w_shaped_coinciding_milestones_add() -> None:
    js = one(3, lead_created_at=2, opportunity_created_at=2)
    # first 0.3, lead+opp on touch 2: 0.6, touch 3 alone takes the middle 0.1
    assert w("w_shaped", js) == pytest.approx([0.3, 0.6, 0.1])


def test_w_shaped_missing_opportunity_goes_to_remaining_milestones() -> None:
    js = one(3, lead_created_at=2, opportunity_created_at=None)
    assert w("w_shaped", js) == pytest.approx([0.45, 0.45, 0.1])


def test_w_shaped_no_other_touches_spreads_middle_equally() -> None:
    js = one(2, lead_created_at=2, opportunity_created_at=2)
    assert w("w_shaped", js) == pytest.approx([0.35, 0.65])
    js1 = one(1, lead_created_at=5, opportunity_created_at=None)
    assert w("w_shaped", js1) == [1.0]


def test_w_shaped_milestone_before_every_touch_counts_as_missing() -> None:
    js = one(3, lead_created_at=0.5, opportunity_created_at=2)
    # lead has no touch at or before it: its 0.3 goes to first and opportunity touches
    assert w("w_shaped", js) == pytest.approx([0.45, 0.45, 0.1])


def test_full_path_length_7() -> None:
    js = one(7, lead_created_at=2, opportunity_created_at=4, closed_at=6)
    # anchors on touches 1, 2, 4, 6; touches 3, 5, 7 share 0.1
    ref = [0.225, 0.225, 0.1 / 3, 0.225, 0.1 / 3, 0.225, 0.1 / 3]
    assert w("full_path", js) == pytest.approx(ref)


def test_full_path_missing_opportunity_and_closed() -> None:
    js = one(4, lead_created_at=2, opportunity_created_at=None, closed_at=None)
    # 0.45 of missing share split over first and lead touches: 0.45 each; 0.1 middle
    assert w("full_path", js) == pytest.approx([0.45, 0.45, 0.05, 0.05])


def test_ties_in_time_milestone_is_last_of_the_tie_in_label_order() -> None:
    for channels in (["a", "b", "c"], ["a", "c", "b"]):  # tied rows in either input order
        js = one(
            3,
            times=[DAY, 2 * DAY, 2 * DAY],
            channels=channels,
            lead_created_at=2,
            opportunity_created_at=2,
        )
        assert w("w_shaped", js) == pytest.approx([0.3, 0.1, 0.6])
        assert js.channel.labels().tolist() == ["a", "b", "c"]


def test_touches_after_conversion_and_outside_lookback_are_not_eligible() -> None:
    js = one(5, conv=4)  # touches on days 1..5, conversion on day 4: touch 5 not eligible
    assert w("position", js) == pytest.approx([0.4, 0.1, 0.1, 0.4])
    week = dt.timedelta(days=2)  # days 2..4 eligible
    assert w("position", js, lookback=week) == pytest.approx([0.4, 0.2, 0.4])


def test_repeated_channels_and_last_non_direct() -> None:
    js = one(4, channels=["seo", "direct", "seo", "direct"])
    assert per_touch("last_non_direct", js) == [0, 0, 1, 0]
    only_direct = one(2, channels=["direct", "direct"])  # the filter falls back
    assert per_touch("last_non_direct", only_direct) == [0, 1]


def test_exclude_filter_with_position() -> None:
    js = one(4, channels=["direct", "seo", "email", "paid"])
    assert per_touch("position", js, exclude_channels=["direct"]) == pytest.approx(
        [0, 0.4, 0.2, 0.4]
    )


def test_custom_positional_model_without_numpy() -> None:
    m = PositionalModel(first=0.1, last=0.5, milestones={"lead_created_at": 0.2})
    js = one(5, lead_created_at=3)
    assert m.weights(js).tolist() == pytest.approx([0.1, 0.1, 0.2, 0.1, 0.5])
    assert repr(m) == "PositionalModel(first=0.1, last=0.5, milestones={'lead_created_at': 0.2})"


def test_custom_positional_model_validates_shares() -> None:
    with pytest.raises(ValueError, match="add to at most 1"):
        PositionalModel(first=0.7, last=0.7)
    with pytest.raises(ValueError, match="'milestones' keys"):
        PositionalModel(milestones={"signup": 0.1})
    with pytest.raises(ValueError, match="'first'"):
        PositionalModel(first=-0.1)
    with pytest.raises(ValueError, match="empty_middle"):
        PositionalModel(empty_middle="other")


def test_kernel_handles_empty_segments() -> None:
    off = np.array([0, 0, 2, 2, 3])
    out = positional_weights(off, off[:-1], np.arange(3), 0.4, 0.4, [])
    assert out.tolist() == pytest.approx([0.5, 0.5, 1.0])


def test_conversion_without_touch_gets_no_pairs() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1],
        timestamp=[5 * DAY],
        channel=["a"],
        conversion_journey_id=[1],
        conversion_time=[DAY],
        unit="s",
    )
    assert get("w_shaped").weights(js).size == 0


@settings(max_examples=200)
@given(
    st.lists(st.integers(0, 6), max_size=30),
    st.sampled_from([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.4, 0.4), (0.25, 0.5), (0.3, 0.0)]),
    st.sampled_from(["equal", "proportional"]),
)
def test_endpoint_kernel_equals_the_general_kernel_bit_for_bit(
    lengths: list[int], shares: tuple[float, float], empty_middle: str
) -> None:
    off = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    first, last = shares
    general = positional_weights(
        off, off[:-1], np.arange(int(off[-1])), first, last, [], empty_middle
    )
    fast = endpoint_weights(off, first, last, empty_middle)
    assert fast.tobytes() == general.tobytes()
    zero_milestone = positional_weights(
        off,
        off[:-1],
        np.arange(int(off[-1])),
        first,
        last,
        [(0.0, np.zeros(len(lengths), dtype=np.int64))],
        empty_middle,
    )
    assert fast.tobytes() == zero_milestone.tobytes()
