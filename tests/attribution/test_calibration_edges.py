"""Calibration edges: tested channels the model credited nothing, negative baselines, and
the properties (conservation; every input shape gives the same numbers) on random data."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.attribution.calibration import Calibration
from touchcredit.testing import random_journeys

from .test_calibration import data


def with_tv() -> tc.JourneySet:
    """Linear credit a 6, b 3, c 1 (as ``data()``), total 12 (2 without a touch); tv has
    one touch, in a journey that never converts, so the model credits it nothing."""
    paths = [["a"]] * 5 + [["a", "b"]] * 2 + [["b"]] * 2 + [["c"]]
    jid, ts, ch, camp = [], [], [], []
    for j, path in enumerate([*paths, ["tv"]]):
        for k, c in enumerate(path):
            jid.append(j)
            ts.append(k)
            ch.append(c)
            camp.append("x" if j % 2 else "y")
    return tc.JourneySet.from_arrays(
        journey_id=jid,
        timestamp=ts,
        channel=ch,
        campaign=camp,
        conversion_journey_id=[*range(len(paths)), 100, 101],
        conversion_time=[len(p) - 1 for p in paths] + [0, 0],
        unit="s",
    )


def rows(table: Any, dimension: str) -> dict[Any, float]:
    return dict(zip(table[dimension].tolist(), table["calibrated"].tolist(), strict=True))


def test_the_tv_journeys_are_what_the_tests_expect() -> None:
    credit = tc.attribute(with_tv(), "linear").by("channel").to_dict("conversions")
    assert credit == pytest.approx({"a": 6, "b": 3, "c": 1, "tv": 0})


def test_a_tested_channel_without_credit_shows_its_measurement_by_channel() -> None:
    att = tc.attribute(with_tv(), "linear")
    with pytest.warns(tc.CalibrationWarning, match=r"tested channel\(s\) 'tv' nothing"):
        cal = att.calibrate({"channel": ["tv"], "incremental": [0.5]})
    assert cal.to_dict() == pytest.approx({"a": 6, "b": 3, "c": 1, "tv": 0.5})
    assert cal.baseline == pytest.approx(1.5)  # 12 - 10.5
    by_channel = rows(cal.by("channel"), "channel")
    assert by_channel == pytest.approx({"a": 6, "b": 3, "c": 1, "tv": 0.5, "baseline": 1.5})
    assert by_channel["baseline"] == cal.baseline  # exactly
    # by campaign no touch carries tv's 0.5: it stays in the baseline row, and a note says so
    t = cal.by("campaign")
    assert rows(t, "campaign")["baseline"] == pytest.approx(2.0)
    assert sum(rows(t, "campaign").values()) == pytest.approx(cal.total)
    assert any("holds 0.5 measured for 'tv'" in n and "1.5 by channel" in n for n in t.notes)
    assert cal.notes and "'tv'" in cal.notes[0]


def test_pooled_leaves_out_a_tested_channel_without_credit() -> None:
    att = tc.attribute(with_tv(), "linear")
    experiments = {"channel": ["a", "tv"], "incremental": [3.0, 0.5], "lower": [2.0, 0.1]}
    with pytest.warns(tc.CalibrationWarning, match="left out of the pooled factor"):
        cal = att.calibrate(experiments, untested="pooled")
    # pooled over a only: 3 / 6 = 0.5, lower 2 / 6, no upper given
    assert cal.pooled_factor == pytest.approx(0.5)
    assert cal.pooled_lower == pytest.approx(1 / 3) and math.isnan(cal.pooled_upper)
    assert cal.to_dict() == pytest.approx({"a": 3, "b": 1.5, "c": 0.5, "tv": 0.5})
    assert cal.baseline == pytest.approx(6.5)
    assert rows(cal.by("channel"), "channel")["baseline"] == cal.baseline


def test_pooled_with_only_uncredited_tested_channels_keeps_the_credit_and_says_so() -> None:
    # the audit's case: everything converted is credited, so tv's 0.5 makes the baseline
    # negative; with no credited tested channel there is no pooled factor
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2, 3],
        timestamp=[0, 1, 0, 0],
        channel=["a", "b", "b", "tv"],
        conversion_journey_id=[1, 2],
        conversion_time=[1, 0],
        unit="s",
    )
    att = tc.attribute(js, "linear")  # a 0.5, b 1.5, tv 0; total 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal = att.calibrate({"channel": ["tv"], "incremental": [0.5]}, untested="pooled")
    messages = [str(w.message) for w in caught if w.category is tc.CalibrationWarning]
    assert len(messages) == 2
    assert "there is no pooled factor: untested channels keep their credit" in messages[0]
    assert "baseline is negative (-0.5)" in messages[1]
    assert math.isnan(cal.pooled_factor)
    assert cal.to_dict() == pytest.approx({"a": 0.5, "b": 1.5, "tv": 0.5})
    assert cal.baseline == pytest.approx(-0.5)
    by_channel = rows(cal.by("channel"), "channel")
    assert by_channel == pytest.approx({"a": 0.5, "b": 1.5, "tv": 0.5, "baseline": -0.5})
    assert sum(by_channel.values()) == pytest.approx(cal.total)


def test_experiments_above_the_total_warn_of_a_negative_baseline() -> None:
    att = tc.attribute(data(), "linear")
    with pytest.warns(tc.CalibrationWarning, match=r"\(13\) is more than the total conv"):
        cal = att.calibrate({"channel": ["a"], "incremental": [9.0]})
    assert cal.baseline == pytest.approx(-1.0)  # 12 - (9 + 3 + 1)
    assert rows(cal.by("channel"), "channel")["baseline"] == pytest.approx(-1.0)


def test_an_ordinary_calibration_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cal = tc.attribute(data(), "linear").calibrate(
            {"channel": ["a"], "incremental": [3.0]}, untested="pooled"
        )
    assert cal.notes == ()


def shapes(channels: list[str], values: list[float], bounds: list[float | None]) -> list[Any]:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    upper = [None if b is None else v + b for v, b in zip(values, bounds, strict=True)]
    cols = {"channel": channels, "incremental": values, "upper": upper}
    records = [
        {"channel": c, "incremental": v} | ({} if u is None else {"upper": u})
        for c, v, u in zip(channels, values, upper, strict=True)
    ]
    return [cols, records, pd.DataFrame(cols), pl.DataFrame(cols, strict=False)]


def same(x: Calibration, y: Calibration) -> bool:
    arrays = ("calibrated", "lower", "upper", "factor")
    pooled = ("pooled_factor", "pooled_lower", "pooled_upper")
    return all(np.array_equal(getattr(x, k), getattr(y, k), equal_nan=True) for k in arrays) and (
        np.array_equal([getattr(x, k) for k in pooled], [getattr(y, k) for k in pooled], True)
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    picks=st.lists(st.tuples(st.integers(0, 20), st.floats(0, 30), st.none() | st.floats(0, 5))),
    untested=st.sampled_from(["keep", "pooled"]),
    measure=st.sampled_from(["conversions", "value"]),
)
def test_calibrated_plus_baseline_is_the_total_whatever_the_shape(
    seed: int, picks: list[tuple[int, float, float | None]], untested: str, measure: str
) -> None:
    js = random_journeys(seed)
    names = [str(c) for c in js.channel.categories]
    chosen = {names[i % len(names)]: (v, b) for i, v, b in picks}  # one test per channel
    channels = list(chosen)
    values = [v for v, _ in chosen.values()]
    bounds = [b for _, b in chosen.values()]
    att = tc.attribute(js, "linear")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tc.CalibrationWarning)
        cals = [
            att.calibrate(e, measure=measure, untested=untested)  # type: ignore[arg-type]
            for e in shapes(channels, values, bounds)
        ]
    cal = cals[0]
    assert all(same(cal, other) for other in cals[1:])
    scale = max(cal.total, 1.0)
    assert float(cal.calibrated.sum()) + cal.baseline == pytest.approx(cal.total, abs=1e-9 * scale)
    measured = dict(zip(channels, values, strict=True))
    tested = np.flatnonzero(cal.tested).tolist()
    assert {cal.channels[i] for i in tested} == set(channels)
    assert cal.calibrated[tested].tolist() == [measured[str(cal.channels[i])] for i in tested]
    for dimension in ("channel", "campaign", "source"):
        t = cal.by(dimension)
        total = float(np.sum(t["calibrated"]))
        assert total == pytest.approx(cal.total, abs=1e-9 * scale)
    assert rows(cal.by("channel"), "channel")["baseline"] == cal.baseline
