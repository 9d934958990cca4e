"""Assisted conversions, path lengths and time lags: by hand, against a per-journey
reference in plain Python, and their invariants."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit import JourneySet
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.time import to_duration
from touchcredit.paths import LAG_BUCKETS, assisted, path_lengths, time_lags
from touchcredit.testing.journeys import random_journeys

DAY = 86_400


def journeys() -> JourneySet:
    # A: seo email seo email; converts at 2 (100: path seo email seo) and at 10 (40)
    # B: email and paid at the same instant (text order: email, then paid); converts (10)
    # C: ads on day 0, seo on day 20; converts on day 25 (5): ads is outside a 10-day window
    # D: its only touch comes after its conversion (7): no eligible touch
    # E: the same touch twice (time and every label); converts (1): one last touch, no assist
    return JourneySet.from_arrays(
        journey_id=["A"] * 4 + ["B", "B", "C", "C", "D", "E", "E"],
        timestamp=[0, 1, 2, 3, 5, 5, 0, 20 * DAY, 100, 3, 3],
        channel=[
            *("seo", "email", "seo", "email"),
            *("paid", "email", "ads", "seo", "ads", "email", "email"),
        ],
        conversion_journey_id=["A", "A", "B", "C", "D", "E"],
        conversion_time=[2, 10, 5, 25 * DAY, 50, 4],
        conversion_value=[100.0, 40.0, 10.0, 5.0, 7.0, 1.0],
        unit="s",
    )


def test_assisted_by_hand() -> None:
    t = assisted(journeys())
    assert t["channel"].tolist() == ["email", "seo", "ads", "paid"]
    assert t["last_touch_conversions"].tolist() == [2, 2, 0, 1]
    assert t["assisted_conversions"].tolist() == [3, 2, 1, 0]
    assert t["last_touch_value"].tolist() == [41.0, 105.0, 0.0, 10.0]
    assert t["assisted_value"].tolist() == [150.0, 140.0, 5.0, 0.0]
    ratio = t["assist_ratio"].tolist()
    assert ratio[0] == 1.5 and ratio[1] == 1.0 and math.isnan(ratio[2]) and ratio[3] == 0.0
    assert any("assist_ratio is undefined" in n and "ads" in n for n in t.notes)
    assert any("1 conversions (value 7.00) have no eligible touch" in n for n in t.notes)


def test_assisted_lookback_excludes_old_touches() -> None:
    t = assisted(journeys(), lookback="10d")
    assert "ads" not in t["channel"].tolist()
    assert t.row("seo")["last_touch_conversions"] == 2
    assert t.row("seo")["assisted_conversions"] == 2
    same = assisted(journeys(), lookback=dt.timedelta(days=10))
    assert same["assisted_value"].tolist() == t["assisted_value"].tolist()
    with pytest.raises(ValueError, match="'lookback' must be >= 0"):
        assisted(journeys(), lookback=dt.timedelta(days=-1))
    with pytest.raises(TypeError, match="'lookback' must be a duration"):
        assisted(journeys(), lookback=10)


def test_assisted_other_dimension_and_not_recorded() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 1],
        timestamp=[0, 1, 2],
        channel=["a", "b", "c"],
        source=[None, "g", None],
        conversion_journey_id=[1],
        conversion_time=[3],
        unit="s",
    )
    t = assisted(js, by="source")
    assert t["source"].tolist() == [None, "g"]
    assert t.row(None)["last_touch_conversions"] == 1 and t.row(None)["assisted_conversions"] == 1
    assert t.row("g")["assisted_conversions"] == 1
    with pytest.raises(ValueError, match="dimension must be one of"):
        assisted(js, by="medium")


def test_path_lengths_by_hand() -> None:
    t = path_lengths(journeys())
    assert t["length"].tolist() == [0, 2, 3, 4]
    assert t["conversions"].tolist() == [1, 3, 1, 1]
    assert t["value"].tolist() == [7.0, 16.0, 100.0, 40.0]
    assert t["share"].tolist() == pytest.approx([1 / 6, 3 / 6, 1 / 6, 1 / 6])
    windowed = path_lengths(journeys(), lookback="10d")
    assert windowed["length"].tolist() == [0, 1, 2, 3, 4]
    assert windowed["conversions"].tolist() == [1, 1, 2, 1, 1]


def test_time_lags_by_hand() -> None:
    t = time_lags(journeys())
    assert t["days"].tolist() == [label for _, label in LAG_BUCKETS] + ["no eligible touch"]
    got = dict(zip(t["days"].tolist(), t["conversions"].tolist(), strict=True))
    assert got["0"] == 4 and got["14–29"] == 1 and got["no eligible touch"] == 1
    assert sum(got.values()) == 6
    assert t.row("0")["value"] == 151.0
    w = time_lags(journeys(), "10d")
    windowed = dict(zip(w["days"].tolist(), w["conversions"].tolist(), strict=True))
    assert windowed["5"] == 1 and windowed["14–29"] == 0


@pytest.mark.parametrize(
    ("lag_s", "bucket"),
    [
        (DAY - 1, "0"),
        (DAY, "1"),
        (7 * DAY - 1, "6"),
        (7 * DAY, "7–13"),
        (14 * DAY, "14–29"),
        (30 * DAY - 1, "14–29"),
        (59 * DAY, "30–59"),
        (60 * DAY, "60+"),
        (400 * DAY, "60+"),
    ],
)
def test_time_lag_bucket_edges(lag_s: int, bucket: str) -> None:
    js = JourneySet.from_arrays(
        journey_id=[1],
        timestamp=[0],
        channel=["a"],
        conversion_journey_id=[1],
        conversion_time=[lag_s],
        unit="s",
    )
    t = time_lags(js)
    assert t.row(bucket)["conversions"] == 1
    assert "no eligible touch" not in t["days"].tolist()


def test_empty_and_export_shaped_input() -> None:
    js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["a"], unit="s")
    assert len(assisted(js)) == 0
    assert len(path_lengths(js)) == 0
    assert time_lags(js)["conversions"].sum() == 0
    # text ids with leading zeros, date-only times, a zone offset on the conversions
    js = JourneySet.from_arrays(
        journey_id=["007", "007", "07"],
        timestamp=["2024-03-01", "2024-03-04", "2024-03-02"],
        channel=["Paid Search", "email", "email"],
        conversion_journey_id=["007", "07"],
        conversion_time=["2024-03-05T10:00:00+02:00", "2024-03-02"],
        conversion_value=[5, 1],
    )
    assert assisted(js).row("Paid Search")["assisted_conversions"] == 1
    assert time_lags(js).row("4")["conversions"] == 1
    assert time_lags(js).row("0")["conversions"] == 1


def test_tables_export_and_fit_100_columns() -> None:
    t = assisted(journeys())
    for line in repr(t).splitlines():
        assert len(line) <= 100
    assert "<table>" in t._repr_html_()
    assert list(t.to_pandas().columns) == [
        "channel",
        "last_touch_conversions",
        "assisted_conversions",
        "assist_ratio",
        "last_touch_value",
        "assisted_value",
    ]
    assert time_lags(journeys()).to_arrow().num_rows == len(LAG_BUCKETS) + 1
    assert path_lengths(journeys()).to_polars()["conversions"].sum() == 6


def test_public_module() -> None:
    import touchcredit.paths

    assert tc.paths is touchcredit.paths
    assert {"assisted", "path_lengths", "time_lags", "top_paths"} <= set(tc.paths.__all__)


# --------------------------------------------------------------- slow reference
def reference(js: JourneySet, by: str, lookback_days: int | None) -> dict[str, Any]:
    """The three tables conversion by conversion, from the stored touch order."""
    ts = js.timestamp_us
    codes = {name: js.dimension(name).codes for name in DIMENSIONS}
    cats = js.dimension(by).categories
    lt: dict[Any, list[float]] = defaultdict(lambda: [0, 0.0])
    asst: dict[Any, list[float]] = defaultdict(lambda: [0, 0.0])
    lengths: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    lags: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    day_us = DAY * 1_000_000
    for c in range(js.n_conversions):
        j = int(js.conversion_journey[c])
        t_c = int(js.conversion_time.view(np.int64)[c])
        v = float(js.conversion_value[c])
        path = [
            i
            for i in range(int(js.offsets[j]), int(js.offsets[j + 1]))
            if ts[i] <= t_c and (lookback_days is None or ts[i] >= t_c - lookback_days * day_us)
        ]
        lengths[len(path)][0] += 1
        lengths[len(path)][1] += v
        if not path:
            lags["no eligible touch"][0] += 1
            lags["no eligible touch"][1] += v
            continue

        def label(i: int) -> Any:
            code = int(codes[by][i])
            return None if code < 0 else cats[code]

        def same(a: int, b: int) -> bool:
            return ts[a] == ts[b] and all(codes[n][a] == codes[n][b] for n in DIMENSIONS)

        last = path[-1]
        lt[label(last)][0] += 1
        lt[label(last)][1] += v
        earlier = [i for i in path if not same(i, last)]
        for lab in {label(i) for i in earlier}:
            asst[lab][0] += 1
            asst[lab][1] += v
        days = (t_c - int(ts[path[0]])) // day_us
        bucket = [name for first, name in LAG_BUCKETS if days >= first][-1]
        lags[bucket][0] += 1
        lags[bucket][1] += v
    return {"last": dict(lt), "assist": dict(asst), "lengths": dict(lengths), "lags": dict(lags)}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    by=st.sampled_from(["channel", "source"]),
    lookback=st.sampled_from([None, 0, 3, 10]),
)
def test_equal_to_per_journey_reference(seed: int, by: str, lookback: int | None) -> None:
    js = random_journeys(seed, n_journeys=30)
    window = None if lookback is None else dt.timedelta(days=lookback)
    ref = reference(js, by, lookback)
    a = assisted(js, by=by, lookback=window)
    got_last = {}
    got_assist = {}
    for row in range(len(a)):
        lab = a[by][row]
        if a["last_touch_conversions"][row]:
            got_last[lab] = [a["last_touch_conversions"][row], a["last_touch_value"][row]]
        if a["assisted_conversions"][row]:
            got_assist[lab] = [a["assisted_conversions"][row], a["assisted_value"][row]]
    for got, want in ((got_last, ref["last"]), (got_assist, ref["assist"])):
        assert set(got) == set(want)
        for k, (n, v) in want.items():
            assert got[k][0] == n and got[k][1] == pytest.approx(v)
    pl = path_lengths(js, lookback=window)
    assert dict(zip(pl["length"].tolist(), pl["conversions"].tolist(), strict=True)) == {
        k: n for k, (n, _) in ref["lengths"].items()
    }
    tl = time_lags(js, lookback=window)
    got_lags = {
        d: n for d, n in zip(tl["days"].tolist(), tl["conversions"].tolist(), strict=True) if n
    }
    assert got_lags == {k: n for k, (n, _) in ref["lags"].items()}
    for d, v in zip(tl["days"].tolist(), tl["value"].tolist(), strict=True):
        assert v == pytest.approx(ref["lags"].get(d, (0, 0.0))[1])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), lookback=st.sampled_from([None, "2d", "20d"]))
def test_counts_add_up(seed: int, lookback: str | None) -> None:
    js = random_journeys(seed, n_journeys=50)
    pairs = js.pairs(None if lookback is None else to_duration(lookback, field="x"))
    reached = int(np.count_nonzero(pairs.length))
    a = assisted(js, lookback=lookback)
    assert int(a["last_touch_conversions"].sum()) == reached
    assert int(path_lengths(js, lookback)["conversions"].sum()) == js.n_conversions
    assert int(time_lags(js, lookback)["conversions"].sum()) == js.n_conversions
    assert time_lags(js, lookback)["value"].sum() == pytest.approx(js.total_value)
    # the last-touch value per label is the last_touch model's credit
    window = None if lookback is None else to_duration(lookback, field="x").item()
    model = tc.models.get("last_touch", lookback=window)
    credit = tc.attribute(js, model).by("channel").to_dict()
    for lab, v in zip(a["channel"].tolist(), a["last_touch_value"].tolist(), strict=True):
        assert credit[lab] == pytest.approx(v)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), lookback=st.sampled_from([None, "3d"]))
def test_bit_masks_and_the_sort_agree(seed: int, lookback: str | None) -> None:
    from touchcredit.kpi import conversion_paths

    js = random_journeys(seed, n_journeys=40)
    masks = assisted(js, by="source", lookback=lookback)
    saved = conversion_paths._MASK_LABELS
    conversion_paths._MASK_LABELS = 0  # every label count takes the sorting path
    try:
        sorted_ = assisted(js, by="source", lookback=lookback)
    finally:
        conversion_paths._MASK_LABELS = saved
    for name in masks.names:
        assert masks[name].tolist() == pytest.approx(sorted_[name].tolist(), nan_ok=True)


@pytest.mark.parametrize("n_labels", [7, 8, 15, 16, 31, 40, 63, 64, 90])
def test_every_mask_width_and_more_labels_than_bits(n_labels: int) -> None:
    rng = np.random.default_rng(n_labels)
    n = 3_000
    jid = np.sort(rng.integers(0, 300, n))
    names = np.array([f"c{k:03d}" for k in range(n_labels)], dtype=object)
    campaign = names[rng.integers(0, n_labels, n)]
    campaign[rng.random(n) < 0.05] = None
    js = JourneySet.from_arrays(
        journey_id=jid,
        timestamp=rng.integers(0, 40, n) * DAY,
        channel=["x"] * n,
        campaign=campaign,
        conversion_journey_id=rng.integers(0, 300, 200),
        conversion_time=rng.integers(0, 45, 200) * DAY,
        conversion_value=rng.exponential(10.0, 200),
        unit="s",
    )
    ref = reference(js, "campaign", 20)
    t = assisted(js, by="campaign", lookback="20d")
    pairs = zip(t["campaign"].tolist(), t["assisted_conversions"].tolist(), strict=True)
    got = {lab: n for lab, n in pairs if n}
    assert len(got) >= min(n_labels, 60)
    assert got == {k: n for k, (n, _) in ref["assist"].items()}
    values = dict(zip(t["campaign"].tolist(), t["assisted_value"].tolist(), strict=True))
    for k, (_, v) in ref["assist"].items():
        assert values[k] == pytest.approx(v)
