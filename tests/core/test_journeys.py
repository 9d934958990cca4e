"""JourneySet: sort order, ties, categories, conversions, pairs, validation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import Deal, Journey, JourneySet, Lead, Touchpoint

DAY = 86_400


def build(**kw: object) -> JourneySet:
    base: dict[str, object] = {
        "journey_id": ["b", "a", "b", "a", "a"],
        "timestamp": [5 * DAY, 3 * DAY, 1 * DAY, 3 * DAY, 1 * DAY],
        "channel": ["email", "seo", "paid", "direct", "seo"],
    }
    base.update(kw)
    return JourneySet.from_arrays(**base, unit="s")  # type: ignore[arg-type]


def test_sorted_by_journey_then_time_ties_by_channel_text() -> None:
    js = build()
    assert js.journey_ids.tolist() == ["a", "b"]
    assert js.offsets.tolist() == [0, 3, 5]
    # journey a: rows 4 (day 1), then rows 1 (seo) and 3 (direct) tie on day 3 -> by
    # the channel's text: direct, seo (not the input order 1, 3)
    assert js.touch_row.tolist() == [4, 3, 1, 2, 0]
    assert js.channel.labels().tolist() == ["seo", "direct", "seo", "paid", "email"]
    assert np.all(np.diff(js.timestamp_us[0:3]) >= 0)


def test_already_sorted_input_is_not_reordered() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 2], timestamp=[0, 0, 5], channel=["x", "y", "z"], unit="s"
    )
    assert js.touch_row.tolist() == [0, 1, 2]


def test_category_round_trip() -> None:
    raw = ["LinkedIn Ads", None, "Google", "LinkedIn Ads", "Newsletter"]
    js = build(source=raw)
    back = np.empty(5, dtype=object)
    back[js.touch_row] = js.source.labels()
    assert back.tolist() == raw
    assert js.source.categories == ("Google", "LinkedIn Ads", "Newsletter")
    assert js.source.codes.dtype == np.int32
    assert js.campaign.categories == () and (js.campaign.codes == -1).all()
    assert js.source.code("Google") == 0 and js.source.code("nope") == -1


def test_timestamps_in_many_forms_agree() -> None:
    forms = [
        [0, DAY],
        np.array([0.0, float(DAY)]),
        np.array(["1970-01-01", "1970-01-02"], dtype="datetime64[s]"),
        ["1970-01-01T00:00:00Z", "1970-01-02T01:00:00+01:00"],
        [dt.datetime(1970, 1, 1), dt.datetime(1970, 1, 2, tzinfo=dt.UTC)],
    ]
    expected = np.array(["1970-01-01", "1970-01-02"], dtype="datetime64[us]")
    for ts in forms[:4]:
        js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=ts, channel=["a", "b"], unit="s")
        assert (js.timestamp == expected).all(), ts
    with pytest.raises(ValueError, match="mixes timezone-aware and naive datetimes"):
        JourneySet.from_arrays(journey_id=[1, 1], timestamp=forms[4], channel=["a", "b"], unit="s")


def test_default_tz_applies_to_naive_values() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1], timestamp=["2024-07-01 12:00"], channel=["a"], default_tz="America/New_York"
    )
    assert js.timestamp[0] == np.datetime64("2024-07-01T16:00", "us")


@pytest.mark.parametrize(
    ("kw", "exc", "pattern"),
    [
        ({"channel": ["a", "", "b", "c", "d"]}, ValueError, r"'channel' must not be empty.*row 2"),
        (
            {"channel": ["a", "b", 3, "c", "d"]},
            TypeError,
            r"'channel' must hold strings.*row 3 is int 3",
        ),
        ({"channel": ["a", "b"]}, ValueError, r"'channel' has 2 rows, expected 5"),
        (
            {"journey_id": ["b", None, "b", "a", "a"]},
            ValueError,
            r"'journey_id' must not be missing; row 2",
        ),
        (
            {"journey_id": ["b", 1, "b", "a", "a"]},
            TypeError,
            r"'journey_id' mixes value types: row 1 is str 'b', row 2 is int 1",
        ),
        (
            {"timestamp": [0, 1, None, 3, 4]},
            ValueError,
            r"'timestamp' must be a timestamp in every row; row 3",
        ),
        (
            {"timestamp": [0, 1, float("nan"), 3, 4]},
            ValueError,
            r"'timestamp' must be a timestamp in every row; row 3",
        ),
        (
            {"timestamp": ["2024-01-01"] * 3 + ["junk", "2024-01-01"]},
            ValueError,
            r"'timestamp' could not be read: row 4: 'junk' is not a recognised date/time",
        ),
        (
            {"timestamp": [True] * 5},
            TypeError,
            r"'timestamp' could not be read: row 1: True is a bool",
        ),
    ],
)
def test_rejected_inputs_name_field_and_row(kw: dict[str, object], exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        build(**kw)


def conv_build(**kw: object) -> JourneySet:
    base: dict[str, object] = {
        "conversion_journey_id": ["a", "zzz", "a"],
        "conversion_time": [4 * DAY, 2 * DAY, 2 * DAY],
        "conversion_value": [10.0, 7.0, 3.0],
    }
    base.update(kw)
    return build(**base)


def test_conversions_sorted_and_journey_without_touches_kept() -> None:
    js = conv_build()
    assert js.journey_ids.tolist() == ["a", "b", "zzz"]
    assert js.n_journeys == 3 and js.lengths.tolist() == [3, 2, 0]
    assert js.conversion_journey.tolist() == [0, 0, 2]
    assert js.conversion_value.tolist() == [3.0, 10.0, 7.0]
    assert js.conversion_row.tolist() == [2, 0, 1]
    assert js.total_value == 20.0
    assert js.converting.tolist() == [True, False, True]


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        (
            {"conversion_value": [1.0, -1.0, 1.0]},
            r"'conversion_value' must be finite and >= 0; row 2 is -1.0",
        ),
        (
            {"conversion_value": [1.0, float("inf"), 1.0]},
            r"'conversion_value' must be finite and >= 0; row 2 is inf",
        ),
        (
            {"conversion_time": [0, None, 0]},
            r"'conversion_time' must be a timestamp in every row; row 2",
        ),
        (
            {"lead_created_at": [2 * DAY, 0, 0], "opportunity_created_at": [DAY, None, None]},
            r"'opportunity_created_at' must not precede 'lead_created_at'; conversion row 1",
        ),
    ],
)
def test_rejected_conversions(kw: dict[str, object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        conv_build(**kw)


def test_conversion_columns_need_journey_ids() -> None:
    with pytest.raises(ValueError, match="without 'conversion_journey_id'"):
        build(conversion_value=[1.0])
    with pytest.raises(ValueError, match="'conversion_time' is required"):
        build(conversion_journey_id=["a"])


def test_pairs_respect_time_and_lookback() -> None:
    js = conv_build()
    p = js.pairs()
    # conversion 0: journey a at day 2 -> touch day 1 only; conversion 1: day 4 -> all three
    assert p.start.tolist() == [0, 0, 5] and p.stop.tolist() == [1, 3, 5]
    assert p.touch.tolist() == [0, 0, 1, 2]
    p2 = js.pairs(dt.timedelta(days=1))
    assert p2.touch.tolist() == [0, 1, 2]
    assert p2.length.tolist() == [1, 2, 0]
    assert js.pairs(dt.timedelta(days=1)) is p2  # cached
    with pytest.raises(ValueError, match="'lookback' must be >= 0"):
        js.pairs(dt.timedelta(days=-1))


def test_pairs_at_exact_boundaries_are_inclusive() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 1],
        timestamp=[0, DAY, 2 * DAY],
        channel=["a", "b", "c"],
        conversion_journey_id=[1],
        conversion_time=[DAY],
        unit="s",
    )
    assert js.pairs().touch.tolist() == [0, 1]
    assert js.pairs(dt.timedelta(days=1)).touch.tolist() == [0, 1]
    assert js.pairs(dt.timedelta(hours=1)).touch.tolist() == [1]


def test_select_with_repeats_and_iteration() -> None:
    js = conv_build()
    sub = js.select([2, 0, 0])
    assert sub.journey_ids.tolist() == ["zzz", "a", "a"]
    assert sub.offsets.tolist() == [0, 0, 3, 6]
    assert sub.conversion_journey.tolist() == [0, 1, 1, 2, 2]
    assert sub.conversion_value.tolist() == [7.0, 3.0, 10.0, 3.0, 10.0]
    assert sub.total_value == 33.0
    with pytest.raises(IndexError):
        js.select([5])
    journeys = list(js)
    assert [j.id for j in journeys] == ["a", "b", "zzz"]
    assert [tp.channel for tp in journeys[0].touchpoints] == ["seo", "direct", "seo"]
    assert js[-1].touchpoints == ()


def test_repr_is_readable() -> None:
    r = repr(conv_build(conversion_value=[1.0, 2.0, 3.0]))
    assert r.startswith("JourneySet(3 journeys, 5 touches, 3 conversions, total value 6")


def test_from_objects_leads_and_revenue() -> None:
    journeys = [
        Journey(
            "p1",
            [
                Touchpoint("2024-01-01", channel="seo"),
                Touchpoint("2024-01-03", channel="email", source="Newsletter"),
            ],
        ),
        Journey("p2", [Touchpoint("2024-01-02", channel="paid social")]),
    ]
    leads = [Lead("p1", "2024-01-02", opportunity_at="2024-01-04"), Lead("p3", "2024-01-05")]
    deals = [
        Deal("D1", "p1", 900, "2024-01-04", "2024-02-01", won=True),
        Deal("D2", "p1", 50, "2024-01-04", "2024-02-01", won=False),
        Deal("D3", "p3", 100, "2024-01-06", "2024-02-02", won=True),
    ]
    by_lead = JourneySet.from_objects(journeys, leads, deals, target="leads")
    assert by_lead.target == "leads" and by_lead.n_conversions == 2
    assert by_lead.total_value == 2.0
    assert by_lead.journey_ids.tolist() == ["p1", "p2", "p3"]
    assert by_lead.opportunity_created_at[0] == np.datetime64("2024-01-04", "us")
    rev = JourneySet.from_objects(journeys, leads, deals, target="revenue")
    assert rev.total_value == 1000.0 and rev.currency == "USD"
    assert rev.conversion_value.tolist() == [900.0, 100.0]
    assert rev.opportunity_created_at[0] == np.datetime64("2024-01-04", "us")
    assert rev.closed_at[0] == np.datetime64("2024-02-01", "us")
    assert rev.source.categories == ("Newsletter",)


def test_from_objects_rejections() -> None:
    j = [Journey("p1", [])]
    with pytest.raises(ValueError, match="duplicate journey id 'p1'"):
        JourneySet.from_objects(j + j)
    with pytest.raises(ValueError, match="deal 'D1' refers to lead 'nobody'"):
        JourneySet.from_objects(j, [], [Deal("D1", "nobody", 1, "2024-01-01")], target="revenue")
    leads = [Lead("p1", "2024-01-01")]
    deals = [
        Deal("D1", "p1", 1, "2024-01-01", "2024-01-02", won=True),
        Deal("D2", "p1", 1, "2024-01-01", "2024-01-02", won=True, currency="EUR"),
    ]
    with pytest.raises(ValueError, match="more than one currency"):
        JourneySet.from_objects(j, leads, deals, target="revenue")
    with pytest.raises(ValueError, match="target must be 'leads' or 'revenue'"):
        JourneySet.from_objects(j, target="deals")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60))
def test_row_order_does_not_matter(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    jid = rng.integers(0, 8, n)
    ts = rng.integers(0, 5, n)  # many ties
    ch = rng.choice(np.array(["a", "b", "c"]), n)
    perm = rng.permutation(n)
    a = JourneySet.from_arrays(journey_id=jid, timestamp=ts, channel=ch, unit="s")
    b = JourneySet.from_arrays(journey_id=jid[perm], timestamp=ts[perm], channel=ch[perm], unit="s")
    assert a.offsets.tolist() == b.offsets.tolist()
    assert a.journey_ids.tolist() == b.journey_ids.tolist()
    assert (a.timestamp == b.timestamp).all()
    # touch k of b came from input row perm[b.touch_row[k]]; ties keep that input order
    orig_rows_b = perm[b.touch_row]
    for j in range(a.n_journeys):
        lo, hi = a.offsets[j], a.offsets[j + 1]
        ra, rb = a.touch_row[lo:hi], orig_rows_b[lo:hi]
        assert sorted(ra.tolist()) == sorted(rb.tolist())
        assert (a.channel.labels()[lo:hi] == ch[ra]).all()
        assert (b.channel.labels()[lo:hi] == ch[rb]).all()
        # ties are ordered by the channel's text, whatever the input order
        same = np.diff(b.timestamp_us[lo:hi]) == 0
        labels = b.channel.labels()[lo:hi].astype(str)
        assert (labels[1:][same] >= labels[:-1][same]).all()
    assert (a.channel.labels() == b.channel.labels()).all()


def test_empty_input() -> None:
    js = JourneySet.from_arrays(journey_id=[], timestamp=[], channel=[])
    assert (js.n_journeys, js.n_touches, js.n_conversions) == (0, 0, 0)
    assert js.pairs().size == 0
