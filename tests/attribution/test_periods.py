"""Credit per calendar period (Attribution.by(..., period=)) and change against a baseline."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.testing.journeys import random_journeys


def journeys() -> tc.JourneySet:
    # 1: seo then email, converts 2024-03-31 23:30 UTC (April in Paris) for 100
    # 2: ads, converts 2024-03-15 for 40 and again 2024-07-01 for 10
    # 3: no touch before its conversion 2024-03-20 (20): unattributed in March
    return tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2, 3],
        timestamp=["2024-03-01", "2024-03-02", "2024-03-01", "2024-04-01"],
        channel=["seo", "email", "ads", "seo"],
        conversion_journey_id=[1, 2, 2, 3],
        conversion_time=["2024-03-31T23:30", "2024-03-15", "2024-07-01", "2024-03-20"],
        conversion_value=[100.0, 40.0, 10.0, 20.0],
    )


def rows(t: tc.core.metric_table.MetricTable, label: str) -> dict[tuple[str, str], float]:
    return dict(
        zip(
            zip(t["period"].tolist(), t[label].tolist(), strict=True),
            t["value"].tolist(),
            strict=True,
        )
    )


def test_by_month_by_hand_and_zone() -> None:
    att = tc.attribute(journeys(), "linear")
    utc = rows(att.by("channel", period="month"), "channel")
    assert utc == {
        ("2024-03", "ads"): 40.0,
        ("2024-03", "email"): 50.0,
        ("2024-03", "seo"): 50.0,
        ("2024-03", "unattributed"): 20.0,
        ("2024-07", "ads"): 10.0,
    }
    paris = rows(att.by("channel", period="month", tz="Europe/Paris"), "channel")
    assert paris[("2024-04", "seo")] == 50.0 and ("2024-03", "seo") not in paris
    t = att.by("channel", period="quarter")
    assert sorted(set(t["period"].tolist())) == ["2024-Q1", "2024-Q3"]
    assert t["conversions"].sum() == 4
    w = att.by("channel", period="week")
    assert set(w["period"].tolist()) == {"2024-W11", "2024-W12", "2024-W13", "2024-W27"}
    share = dict(zip(t["channel"].tolist(), t["share"].tolist(), strict=True))
    assert share["unattributed"] == pytest.approx(20 / 160)
    assert isinstance(att.by("channel"), tc.CreditTable)
    with pytest.raises(ValueError, match="period must be one of week, month, quarter, year"):
        att.by("channel", period="day")


def test_iso_week_names_at_year_ends() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 2, 3],
        timestamp=["2020-12-30", "2021-01-03", "2024-12-30"],
        channel=["a", "a", "a"],
        conversion_journey_id=[1, 2, 3],
        conversion_time=["2020-12-31", "2021-01-03", "2024-12-30"],
    )
    t = tc.attribute(js, "last_touch").by("channel", period="week")
    assert t["period"].tolist() == ["2020-W53", "2025-W01"]
    assert t["conversions"].tolist() == [2.0, 1.0]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    period=st.sampled_from(["week", "month", "quarter"]),
    tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
    model=st.sampled_from(["linear", "position", "time_decay"]),
)
def test_periods_add_up_to_their_value(seed: int, period: str, tz: str, model: str) -> None:
    js = random_journeys(seed, n_journeys=30)
    att = tc.attribute(js, model)
    t = att.by("channel", period=period, tz=tz)
    got: dict[str, float] = defaultdict(float)
    for p, v in zip(t["period"].tolist(), t["value"].tolist(), strict=True):
        got[p] += v
    want: dict[str, float] = defaultdict(float)
    zone = ZoneInfo(tz)
    for when, v in zip(js.conversion_time.tolist(), js.conversion_value.tolist(), strict=True):
        local = when.replace(tzinfo=dt.UTC).astimezone(zone)
        if period == "month":
            name = f"{local.year}-{local.month:02d}"
        elif period == "quarter":
            name = f"{local.year}-Q{(local.month - 1) // 3 + 1}"
        else:
            year, week, _ = local.date().isocalendar()
            name = f"{year}-W{week:02d}"
        want[name] += v
    assert set(got) <= set(want)
    for k, v in want.items():
        assert got.get(k, 0.0) == pytest.approx(v)
    # summed over periods, the labels' credit is the all-time credit
    per_label: dict[object, float] = defaultdict(float)
    for lab, v in zip(t["channel"].tolist(), t["value"].tolist(), strict=True):
        per_label[lab] += v
    for lab, v in att.by("channel").to_dict().items():
        assert per_label.get(lab, 0.0) == pytest.approx(v)


def test_change_against_last_touch_by_hand() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2, 3],
        timestamp=[1, 2, 1, 9],
        channel=["seo", "email", "email", "ads"],
        conversion_journey_id=[1, 2, 3],
        conversion_time=[3, 3, 5],
        conversion_value=[100.0, 50.0, 25.0],
        unit="s",
    )
    c = tc.compare(js, ["last_touch", "first_touch", "linear"]).change()
    assert c["channel"].tolist() == ["ads", "email", "seo", "unattributed"]
    assert c["last_touch"].tolist() == [0.0, 150.0, 0.0, 25.0]
    assert c["first_touch change"].tolist()[1] == pytest.approx(-100 / 150)
    assert c["linear change"].tolist()[1] == pytest.approx(-50 / 150)
    assert math.isnan(c["linear change"][2]) and c["linear change"][3] == 0.0
    assert "n/a (new credit)" in repr(c) and "n/a (no credit)" in repr(c)
    assert any("where last_touch gives no credit" in n for n in c.notes)
    lin = tc.compare(js, ["linear", "last_touch"]).change("linear")
    assert lin["last_touch change"].tolist()[1:3] == [pytest.approx(0.5), -1.0]
    with pytest.raises(ValueError, match="baseline 'last_touch' is not among"):
        tc.compare(js, ["linear"]).change()
    for line in repr(tc.compare(js, "all").change()).splitlines():
        assert len(line) <= 100


def test_change_exports() -> None:
    js = random_journeys(3)
    c = tc.compare(js, ["last_touch", "linear", "position"]).change()
    df = c.to_pandas()
    assert list(df.columns) == ["channel", "last_touch", "linear change", "position change"]
    assert np.isfinite(df["linear change"].dropna()).all()


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_period_codes_dense_and_sparse_agree(period: str) -> None:
    from touchcredit.attribution.periods import period_codes

    rng = np.random.default_rng(0)
    dense = np.datetime64("2023-12-25", "us") + rng.integers(0, 800 * 86_400, 300).astype(
        "timedelta64[s]"
    )
    # centuries apart: the per-day table would be large, np.unique numbers the periods
    sparse = np.concatenate([dense, np.array(["1700-01-01", "2300-12-31"], dtype="datetime64[us]")])
    code_d, names_d = period_codes(dense, period)
    code_s, names_s = period_codes(sparse, period)
    assert names_s[1:-1] == names_d
    assert (np.array(names_s)[code_s][:-2] == np.array(names_d)[code_d]).all()
    for when, name in zip(dense.tolist(), np.array(names_d)[code_d].tolist(), strict=True):
        if period == "week":
            year, week, _ = when.date().isocalendar()
            assert name == f"{year}-W{week:02d}"
        elif period == "month":
            assert name == f"{when.year}-{when.month:02d}"
        elif period == "year":
            assert name == str(when.year)
        else:
            assert name == f"{when.year}-Q{(when.month - 1) // 3 + 1}"


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_filled_period_codes_list_every_period_between(period: str) -> None:
    from touchcredit.attribution.periods import period_codes

    rng = np.random.default_rng(1)
    days = np.array(["2021-03-01"], dtype="datetime64[D]") + rng.integers(0, 1500, 40)
    times = days.astype("datetime64[us]")
    # centuries apart: the sparse path fills too, with the same names between
    far = np.concatenate([times, np.array(["1700-06-01", "2300-06-01"], dtype="datetime64[us]")])
    for t in (times, far):
        code, names = period_codes(t, period, fill=True)
        used, occurring = period_codes(t, period)
        assert [names[c] for c in code.tolist()] == [occurring[c] for c in used.tolist()]
        assert len(set(names)) == len(names) == int(code.max()) + 1 and code.min() == 0
        assert names == sorted(names)
    # consecutive months: every month from the first to the last, none skipped
    months = period_codes(far, "month", fill=True)[1]
    assert len(months) == (2300 - 1700) * 12 + 1 and months[:2] == ["1700-06", "1700-07"]


def test_by_period_year_in_a_time_zone() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 2],
        timestamp=["2024-12-31T10:00Z", "2024-12-31T20:00Z"],
        channel=["ads", "seo"],
        conversion_journey_id=[1, 2],
        conversion_time=["2024-12-31T12:00Z", "2024-12-31T23:30Z"],
        conversion_value=[5.0, 7.0],
    )
    t = tc.attribute(js, "last_touch").by("channel", period="year", tz="Asia/Tokyo")
    assert t["period"].tolist() == ["2024", "2025"]
    assert t["value"].tolist() == [5.0, 7.0]
