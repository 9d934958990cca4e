"""Primary / secondary / trigger source roles against hand-computed references."""

from __future__ import annotations

import datetime as dt

import pytest

import touchcredit as tc

DAY = 86_400


@pytest.fixture
def js() -> tc.JourneySet:
    # a: (none) d1, google d2, news d3, google d4, partner d5; lead at d6; fb d7 after it
    # b: partner d1 only; lead at d2.   c: lead with no touch.   d: tie at d1 (fb, news)
    return tc.JourneySet.from_arrays(
        journey_id=["a"] * 6 + ["b", "d", "d"],
        timestamp=[DAY, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY, 7 * DAY, DAY, DAY, DAY],
        channel=["x"] * 9,
        source=[None, "google", "news", "google", "partner", "fb", "partner", "fb", "news"],
        conversion_journey_id=["a", "b", "c", "d"],
        conversion_time=[6 * DAY, 2 * DAY, 2 * DAY, 2 * DAY],
        unit="s",
    )


def test_roles_per_conversion(js: tc.JourneySet) -> None:
    r = tc.source_roles(js)
    cats = r.categories
    names = [None if c < 0 else cats[c] for c in r.primary]
    assert names == ["google", "partner", None, "fb"]
    assert [None if c < 0 else cats[c] for c in r.trigger] == ["partner", "partner", None, "news"]
    assert r.n_secondary.tolist() == [2, 0, 0, 0]


def test_role_counts(js: tc.JourneySet) -> None:
    r = tc.source_roles(js)
    assert r.to_dict("primary") == {"fb": 1, "google": 1, "partner": 1}
    assert r.to_dict("secondary") == {"google": 1, "news": 1}
    assert r.to_dict("trigger") == {"news": 1, "partner": 2}


def test_lookback_limits_touches(js: tc.JourneySet) -> None:
    r = tc.source_roles(js, lookback=dt.timedelta(days=2))
    # a: only d4 (google) and d5 (partner) eligible
    assert r.primary_touch[0] == 3 and r.trigger_touch[0] == 4
    assert r.n_secondary[0] == 0


def test_unrecorded_trigger_counts_as_none() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1],
        timestamp=[1, 2],
        channel=["x", "x"],
        source=["seo", None],
        conversion_journey_id=[1],
        conversion_time=[3],
        unit="s",
    )
    r = tc.source_roles(js)
    assert r.to_dict("trigger") == {None: 1}
    assert r.to_dict("primary") == {"seo": 1}
    with pytest.raises(ValueError, match="'role'"):
        r.to_dict("tertiary")
