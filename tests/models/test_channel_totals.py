"""Markov channel totals are the model's (issue 25, item 4).

No split of each conversion over its own touches reaches the chain's channel totals in
general; ``attribute`` multiplies each touch's credit by its channel's factor so that
``by("channel")`` equals ``model.credit`` in both measures, and every drill-down adds up
to those totals.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.models import MarkovModel
from touchcredit.models.channel_totals import ChannelTotalsModel, factors_for
from touchcredit.testing import random_paths


def unreachable() -> tc.JourneySet:
    """60 null journeys a > b, one conversion on a path 'a', one on a path 'b'."""
    jid = [*np.repeat(np.arange(60), 2).tolist(), 60, 61]
    ts = [*([0, 1] * 60), 0, 0]
    channel = [*(["a", "b"] * 60), "a", "b"]
    campaign = [*(["x", "y"] * 60), "x", "z"]
    return tc.JourneySet.from_arrays(
        journey_id=jid,
        timestamp=ts,
        channel=channel,
        campaign=campaign,
        conversion_journey_id=[60, 61],
        conversion_time=[0, 0],
        unit="s",
    )


def test_unreachable_totals_by_hand() -> None:
    js = unreachable()
    m = MarkovModel().fit(js)
    # P(conv) = 1/31; without a: 1/3782; without b: 1/62
    re_a, re_b = 1 - 31 / 3782, 0.5
    assert m.removal_effects_["a"] == pytest.approx(re_a, rel=1e-12)
    assert m.removal_effects_["b"] == pytest.approx(re_b, rel=1e-12)
    a = 2 * re_a / (re_a + re_b)
    att = tc.attribute(js, m)
    table = att.by("channel")
    for what in ("conversions", "value"):
        assert table.to_dict(what) == pytest.approx({"a": a, "b": 2 - a}, rel=1e-12)
    # each path holds one channel: its one touch carries the channel's whole credit
    assert att.touch_credit[-2:] == pytest.approx([a, 2 - a], rel=1e-12)
    assert m.channel_factors() == pytest.approx({"a": a, "b": 2 - a}, rel=1e-9)
    assert att.notes and "factors 0.6" in att.notes[0] and "133.0%" in att.notes[0]
    # the per-conversion reading: each conversion to its own path, a note says so
    per = tc.attribute(js, m, totals="per_conversion")
    assert per.by("channel").to_dict() == pytest.approx({"a": 1.0, "b": 1.0})
    assert per.notes and "per_conversion" in per.notes[0]
    assert per.factors is None and per.conversion_factors is None


def test_drill_downs_add_up_to_the_channel_totals() -> None:
    js = unreachable()
    att = tc.attribute(js, "markov")
    by_campaign = att.by("campaign").to_dict()
    by_channel = att.by("channel").to_dict()
    assert by_campaign["x"] == pytest.approx(by_channel["a"], rel=1e-12)
    assert by_campaign["z"] == pytest.approx(by_channel["b"], rel=1e-12)
    assert sum(by_campaign.values()) == pytest.approx(att.total)


def test_bad_totals_reading_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"'totals' must be one of journeys, fitted"):
        tc.attribute(unreachable(), "markov", totals="chain")  # type: ignore[arg-type]


def test_factors_spread_unplaceable_credit() -> None:
    f = factors_for(np.array([2.0, 1.0, 1.0]), np.array([3.0, 1.0, 0.0]))
    assert f.unplaced.tolist() == [False, False, True]
    assert float((f.factor * np.array([3.0, 1.0, 0.0])).sum()) == pytest.approx(4.0)
    assert factors_for(np.zeros(2), np.ones(2)).factor.tolist() == [1.0, 1.0]


def test_markov_is_a_channel_totals_model_and_shapley_is_not() -> None:
    assert isinstance(MarkovModel(), ChannelTotalsModel)
    assert not isinstance(tc.models.ShapleyModel(), ChannelTotalsModel)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), order=st.integers(1, 2), n_channels=st.integers(2, 5))
def test_property_channel_totals_equal_credit_and_conserve(
    seed: int, order: int, n_channels: int
) -> None:
    js = random_paths(seed, n_journeys=120, n_channels=n_channels)
    m = MarkovModel(order=order).fit(js)
    att = tc.attribute(js, m)
    table = att.by("channel")
    for what in ("conversions", "value"):
        want = m.credit(js, what)
        total = sum(want.values())
        got = table.to_dict(what)
        for label, v in want.items():
            assert got.get(label, 0.0) == pytest.approx(v, abs=1e-9 * max(total, 1.0))
    assert att.attributed + att.unattributed.value == pytest.approx(att.total, rel=1e-12)
    assert (att.touch_credit >= 0).all() and (att.touch_conversions >= 0).all()
    # the factors learned in fit give the same numbers on the fitted journeys
    fitted = tc.attribute(js, m, totals="fitted")
    np.testing.assert_allclose(fitted.touch_credit, att.touch_credit, rtol=1e-8, atol=1e-9)


def test_journeys_other_than_the_fitted_ones_get_the_models_credit() -> None:
    a, b = random_paths(1, n_journeys=300, n_channels=4), random_paths(2, n_journeys=80)
    m = MarkovModel().fit(a)
    att = tc.attribute(b, m)
    want = m.credit(b, "value")  # c4 is unseen in fit: it gets nothing
    got = att.by("channel").to_dict()
    for label, v in want.items():
        assert got[label] == pytest.approx(v, rel=1e-9)
    assert got["c4"] == 0.0
    assert att.attributed + att.unattributed.value == pytest.approx(att.total, rel=1e-12)


def test_credit_of_a_channel_absent_from_the_journeys_goes_to_the_others() -> None:
    a = random_paths(1, n_journeys=300, n_channels=3)
    keep = [
        j
        for j in range(a.n_journeys)
        if "c2" not in a.channel.labels()[a.offsets[j] : a.offsets[j + 1]].tolist()
    ]
    b = a.select(np.array(keep))
    m = MarkovModel().fit(a)
    att = tc.attribute(b, m)
    assert any("'c2'" in n and "shared by the other channels" in n for n in att.notes)
    assert att.attributed + att.unattributed.value == pytest.approx(att.total, rel=1e-12)
