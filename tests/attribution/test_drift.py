"""Drift between periods: a model refitted per calendar period (issue 25, item 3)."""

from __future__ import annotations

import warnings
from typing import Any

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
    t = _quiet(js, "linear", period="month", n=20, seed=seed)
    for p in set(t["period"].tolist()):
        rows = t["period"] == p
        if t["credit"][rows].sum() > 0:
            assert t["share"][rows].sum() == pytest.approx(1.0)
    ok = ~np.isnan(t["share_lower"])
    assert (t["share_lower"][ok] <= t["share_upper"][ok] + 1e-12).all()


def test_bad_period_is_named() -> None:
    with pytest.raises(ValueError, match="period must be one of week, month, quarter, year"):
        tc.compare_periods(_two_quarters(), "linear", period="day")


def _quiet(js: tc.JourneySet, model: str, **kw: Any) -> tc.MetricTable:
    """compare_periods with every warning an error: nothing may leak to the user."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return tc.compare_periods(js, model, **kw)


def _rows(t: tc.MetricTable) -> dict[tuple[str, str], dict[str, Any]]:
    cols = t.names
    return {
        (r[0], r[1]): dict(zip(cols, r, strict=True))
        for r in zip(*(t[c].tolist() for c in cols), strict=True)
    }


def _jan_and_april() -> tc.JourneySet:
    # January: last touch ads (100) and email (300) -> ads 1/4, email 3/4.
    # April: ads 200, email 200 -> 1/2 each. Nothing at all in February and March.
    return tc.JourneySet.from_arrays(
        journey_id=["01", "02", "03", "04"],
        timestamp=["2024-01-02", "2024-01-03", "2024-04-02", "2024-04-03"],
        channel=["ads", "email", "ads", "email"],
        conversion_journey_id=["01", "02", "03", "04"],
        conversion_time=["2024-01-05", "2024-01-06", "2024-04-05", "2024-04-06"],
        conversion_value=[100.0, 300.0, 200.0, 200.0],
    )


@pytest.mark.parametrize("model", ["last_touch", "markov", "shapley"])
def test_calendar_gap_months_are_rows_and_april_is_compared_with_january(model: str) -> None:
    t = _quiet(_jan_and_april(), model, period="month", n=30)
    assert t["period"].tolist() == [
        p for p in ("2024-01", "2024-02", "2024-03", "2024-04") for _ in range(2)
    ]
    rows = _rows(t)
    assert rows[("2024-01", "ads")]["share"] == pytest.approx(0.25)
    assert rows[("2024-01", "email")]["share"] == pytest.approx(0.75)
    assert np.isnan(rows[("2024-01", "ads")]["change"])
    assert rows[("2024-01", "ads")]["compared_with"] == ""
    for p in ("2024-02", "2024-03"):
        for c in ("ads", "email"):
            r = rows[(p, c)]
            assert (r["period_conversions"], r["credit"], r["compared_with"]) == (0, 0.0, "")
            assert np.isnan([r["share"], r["share_lower"], r["share_upper"], r["change"]]).all()
    assert rows[("2024-04", "ads")]["share"] == pytest.approx(0.5)
    assert rows[("2024-04", "ads")]["change"] == pytest.approx(0.25)
    assert rows[("2024-04", "email")]["change"] == pytest.approx(-0.25)
    assert {rows[("2024-04", c)]["compared_with"] for c in ("ads", "email")} == {"2024-01"}
    assert "no conversions in 2024-02, 2024-03: no shares, no change." in t.notes
    text = repr(t)
    assert "n/a (no conversions)" in text and "n/a (no earlier credit)" in text


def test_weekly_gaps_are_explicit() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 2],
        timestamp=["2024-01-08", "2024-02-05"],  # Mondays of W02 and W06
        channel=["ads", "email"],
        conversion_journey_id=[1, 2],
        conversion_time=["2024-01-09", "2024-02-06"],
    )
    t = _quiet(js, "last_touch", period="week", n=10)
    weeks = ["2024-W02", "2024-W03", "2024-W04", "2024-W05", "2024-W06"]
    assert sorted(set(t["period"].tolist())) == weeks
    rows = _rows(t)
    assert [rows[(w, "ads")]["period_conversions"] for w in weeks] == [1, 0, 0, 0, 1]
    assert rows[("2024-W06", "email")]["change"] == pytest.approx(1.0)
    assert rows[("2024-W06", "email")]["compared_with"] == "2024-W02"


def test_a_period_with_only_an_idle_journey() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=["a1", "a2", "a3", "a3"],
        timestamp=["2024-02-01", "2024-05-01", "2024-08-01", "2024-08-02"],
        channel=["ads", "email", "email", "ads"],
        conversion_journey_id=["a1", "a3"],  # a2 never converts: its last touch is in Q2
        conversion_time=["2024-02-02", "2024-08-03"],
        conversion_value=[10.0, 30.0],
    )
    names, parts = period_journeys(js)
    assert names == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert [p.journey_ids.tolist() for p in parts] == [["a1"], ["a2"], ["a3"]]
    t = _quiet(js, "linear", n=20)
    rows = _rows(t)
    q2 = rows[("2024-Q2", "email")]
    assert (q2["period_conversions"], q2["credit"], q2["compared_with"]) == (0, 0.0, "")
    assert np.isnan(q2["share"]) and t.reasons["share"][2] == "no conversions"
    # Q3: linear over email and ads -> 1/2 each; Q1: ads 1 -> ads -1/2, email +1/2
    assert rows[("2024-Q3", "ads")]["share"] == pytest.approx(0.5)
    assert rows[("2024-Q3", "ads")]["change"] == pytest.approx(-0.5)
    assert rows[("2024-Q3", "email")]["change"] == pytest.approx(0.5)
    assert rows[("2024-Q3", "email")]["compared_with"] == "2024-Q1"


def test_conversions_without_an_eligible_touch() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 2, 3, 4, 5],
        # journey 2's only touch comes after its conversion: nothing to credit in Q2;
        # journey 4's too, next to journey 5's credited conversion in Q3
        timestamp=["2024-01-02", "2024-05-09", "2024-03-01", "2024-08-09", "2024-08-01"],
        channel=["ads", "email", "email", "ads", "email"],
        conversion_journey_id=[1, 2, 3, 4, 5],
        conversion_time=["2024-01-05", "2024-05-05", "2024-03-05", "2024-08-05", "2024-08-05"],
        conversion_value=[100.0, 50.0, 300.0, 70.0, 80.0],
    )
    for model in ("last_touch", "markov"):
        t = _quiet(js, model, n=20)
        rows = _rows(t)
        q2 = rows[("2024-Q2", "ads")]
        assert (q2["period_conversions"], q2["credit"], q2["compared_with"]) == (1, 0.0, "")
        assert np.isnan(q2["share"]) and np.isnan(q2["change"])
        assert t.reasons["share"][2] == t.reasons["change"][3] == "no credit"
        # Q3: email credited 80 of 80 (journey 4's 70 has no eligible touch)
        q3 = rows[("2024-Q3", "email")]
        assert (q3["period_conversions"], q3["credit"], q3["share"]) == (2, 80.0, 1.0)
        assert q3["change"] == pytest.approx(0.25)  # against Q1: email 300 of 400
        assert q3["compared_with"] == "2024-Q1"
        assert "nothing credited in 2024-Q2 (1 of 1 without an eligible touch): no shares." in (
            t.notes
        )
        assert (
            "conversions without an eligible touch, outside the shares: 2024-Q3 (1 of 2)."
            in t.notes
        )
        assert (q3["share_lower"], q3["share_upper"]) == (1.0, 1.0)


def test_resamples_that_credit_nothing_are_left_out_and_said() -> None:
    # Q1: one credited conversion (ads) among ten, the others without an eligible touch
    js = tc.JourneySet.from_arrays(
        journey_id=list(range(10)),
        timestamp=["2024-01-02"] + ["2024-02-09"] * 9,
        channel=["ads"] + ["email"] * 9,
        conversion_journey_id=list(range(10)),
        conversion_time=["2024-01-05"] + ["2024-02-05"] * 9,
    )
    some = _quiet(js, "last_touch", n=40, seed=0)
    left = [n for n in some.notes if n.startswith("resamples that credited nothing")]
    assert len(left) == 1 and "2024-Q1 (" in left[0] and " of 40)." in left[0]
    assert (some["share_lower"][0], some["share_upper"][0]) == (1.0, 1.0)
    # seed 6: both resamples miss journey 0, so no share interval at all
    none = _quiet(js, "last_touch", n=2, seed=6)
    assert none["share"].tolist() == [1.0, 0.0]
    assert np.isnan(none["share_lower"]).all() and np.isnan(none["share_upper"]).all()
    assert none.reasons["share_lower"].tolist() == ["no resample with credit"] * 2


def test_the_not_recorded_label_is_compared_too() -> None:
    # Q1: ads 10, a touch without a channel 30 -> (not recorded) 3/4; Q3: ads only
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 2, 3],
        timestamp=["2024-01-02", "2024-01-03", "2024-07-02"],
        channel=["ads", None, "ads"],
        conversion_journey_id=[1, 2, 3],
        conversion_time=["2024-01-05", "2024-01-06", "2024-07-05"],
        conversion_value=[10.0, 30.0, 5.0],
    )
    rows = _rows(_quiet(js, "last_touch", n=10))
    assert rows[("2024-Q1", None)]["share"] == pytest.approx(0.75)
    q3 = rows[("2024-Q3", None)]
    assert (q3["credit"], q3["share"], q3["compared_with"]) == (0.0, 0.0, "2024-Q1")
    assert q3["change"] == pytest.approx(-0.75)
    assert rows[("2024-Q3", "ads")]["change"] == pytest.approx(0.75)


def test_conversions_without_value_credit_nothing() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 2],
        timestamp=["2024-01-02", "2024-04-02"],
        channel=["ads", "email"],
        conversion_journey_id=[1, 2],
        conversion_time=["2024-01-05", "2024-04-05"],
        conversion_value=[10.0, 0.0],
    )
    t = _quiet(js, "last_touch", n=10)
    assert np.isnan(_rows(t)[("2024-Q2", "email")]["share"])
    assert (
        "nothing credited in 2024-Q2 (0 of 1 without an eligible touch): no shares; its "
        "conversions with an eligible touch have no value." in t.notes
    )
    by_count = _quiet(js, "last_touch", n=10, what="conversions")
    assert _rows(by_count)[("2024-Q2", "email")]["change"] == pytest.approx(1.0)


def test_years_follow_the_time_zone() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=["0001", "0002"],
        timestamp=["2024-06-01T10:00:00+02:00", "2024-12-31T23:00Z"],
        channel=["seo", "ads"],
        conversion_journey_id=["0001", "0002"],
        # 2024-12-31T23:30Z is 2025-01-01 08:30 in Tokyo
        conversion_time=["2024-06-02", "2024-12-31T23:30Z"],
        conversion_value=[10.0, 30.0],
    )
    utc = _quiet(js, "linear", period="year", n=10)
    assert set(utc["period"].tolist()) == {"2024"}
    assert _rows(utc)[("2024", "ads")]["share"] == pytest.approx(0.75)
    tokyo = _quiet(js, "linear", period="year", tz="Asia/Tokyo", n=10)
    rows = _rows(tokyo)
    assert sorted(set(tokyo["period"].tolist())) == ["2024", "2025"]
    assert rows[("2025", "ads")]["share"] == 1.0
    assert rows[("2025", "ads")]["change"] == pytest.approx(1.0)
    assert rows[("2025", "seo")]["change"] == pytest.approx(-1.0)
    assert rows[("2025", "ads")]["compared_with"] == "2024"
    # the same calendar as Attribution.by(period=)
    by = tc.attribute(js, "linear").by("channel", period="year", tz="Asia/Tokyo")
    assert by["period"].tolist() == ["2024", "2025"]


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles", "Asia/Kolkata"])
def test_every_period_and_zone_matches_attribution_by(period: str, tz: str) -> None:
    js = random_journeys(5, n_journeys=150)
    t = _quiet(js, "linear", period=period, tz=tz, n=5)
    by = tc.attribute(js, "linear").by("channel", period=period, tz=tz)
    names = list(dict.fromkeys(t["period"].tolist()))
    assert names == sorted(names)  # time order
    assert set(by["period"].tolist()) <= set(names)
    got = {k: r["credit"] for k, r in _rows(t).items() if r["credit"] > 0}
    want = {
        (p, c): v
        for p, c, v in zip(by["period"], by["channel"], by["value"], strict=True)
        if c != "unattributed" and v > 0
    }
    assert got == pytest.approx(want)
