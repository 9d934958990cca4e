"""Drift between periods: a model refitted per calendar period (issue 25, item 3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.attribution.drift import period_journeys
from touchcredit.testing import random_journeys


def _two_quarters() -> tc.JourneySet:
    # Q1: three conversions, last touch email, email, ads -> email 2/3, ads 1/3.
    # Q2: two conversions, both last touch ads -> ads 1, email 0.
    # Journey 9 never converts; its last touch (May) puts it in Q2.
    return tc.JourneySet.from_arrays(
        journey_id=["001", "001", "002", "003", "004", "005", "009"],
        timestamp=[
            "2024-01-02",
            "2024-01-03",
            "2024-02-01",
            "2024-03-01",
            "2024-04-02",
            "2024-05-02",
            "2024-05-03",
        ],
        channel=["ads", "email", "email", "ads", "ads", "ads", "email"],
        conversion_journey_id=["001", "002", "003", "004", "005"],
        conversion_time=["2024-01-05", "2024-02-05", "2024-03-05", "2024-04-05", "2024-05-05"],
        conversion_value=[100.0, 100.0, 100.0, 50.0, 50.0],
    )


def test_shares_and_changes_by_hand() -> None:
    t = tc.compare_periods(_two_quarters(), "last_touch", n=50)
    rows = {
        (p, c): (s, d)
        for p, c, s, d in zip(t["period"], t["channel"], t["share"], t["change"], strict=True)
    }
    assert rows[("2024-Q1", "email")][0] == pytest.approx(2 / 3)
    assert rows[("2024-Q1", "ads")][0] == pytest.approx(1 / 3)
    assert rows[("2024-Q2", "ads")] == pytest.approx((1.0, 2 / 3))
    assert rows[("2024-Q2", "email")] == pytest.approx((0.0, -2 / 3))
    assert np.isnan(rows[("2024-Q1", "email")][1])
    assert t["credit"].tolist() == [100.0, 200.0, 100.0, 0.0]


def test_period_journeys_split_conversions_and_idle_journeys() -> None:
    names, parts = period_journeys(_two_quarters())
    assert names == ["2024-Q1", "2024-Q2"]
    assert [p.journey_ids.tolist() for p in parts] == [["001", "002", "003"], ["004", "005", "009"]]
    assert [p.total_value for p in parts] == [300.0, 100.0]


def test_a_data_driven_model_is_refitted_per_period() -> None:
    js = _two_quarters()
    t = tc.compare_periods(js, "markov", n=30)
    q2 = tc.attribute(period_journeys(js)[1][1], "markov").by("channel").to_dict()
    got = {
        c: v
        for p, c, v in zip(t["period"], t["channel"], t["credit"], strict=True)
        if p == "2024-Q2"
    }
    assert got == pytest.approx({k: v for k, v in q2.items() if k is not None})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000))
def test_shares_add_up_and_intervals_are_ordered(seed: int) -> None:
    js = random_journeys(seed, n_journeys=120)
    t = tc.compare_periods(js, "linear", period="month", n=20, seed=seed)
    for p in set(t["period"].tolist()):
        rows = t["period"] == p
        if t["credit"][rows].sum() > 0:
            assert t["share"][rows].sum() == pytest.approx(1.0)
    ok = ~np.isnan(t["share_lower"])
    assert (t["share_lower"][ok] <= t["share_upper"][ok] + 1e-12).all()


def test_bad_period_is_named() -> None:
    with pytest.raises(ValueError, match="period must be one of"):
        tc.compare_periods(_two_quarters(), "linear", period="year")
