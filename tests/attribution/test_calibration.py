"""Calibration by experiments (issue 25, item 2): hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

import touchcredit as tc


def data() -> tc.JourneySet:
    """Linear credit: a 6, b 3, c 1 conversions; 2 conversions without a touch."""
    rows = [(["a"], 1)] * 5 + [(["a", "b"], 1)] * 2 + [(["b"], 1)] * 2 + [(["c"], 1)]
    jid, ts, ch, camp, cj, ct = [], [], [], [], [], []
    for j, (path, _) in enumerate(rows):
        for k, c in enumerate(path):
            jid.append(j)
            ts.append(k)
            ch.append(c)
            camp.append("x" if j % 2 else "y")
        cj.append(j)
        ct.append(len(path) - 1)
    cj += [100, 101]
    ct += [0, 0]
    return tc.JourneySet.from_arrays(
        journey_id=jid,
        timestamp=ts,
        channel=ch,
        campaign=camp,
        conversion_journey_id=cj,
        conversion_time=ct,
        unit="s",
    )


EXPERIMENTS = {
    "channel": ["a", "b"],
    "incremental": [3.0, 1.5],
    "lower": [2.0, None],
    "upper": [4.0, None],
}


def test_untested_keep_by_hand() -> None:
    att = tc.attribute(data(), "linear")
    assert att.by("channel").to_dict("conversions") == pytest.approx({"a": 6, "b": 3, "c": 1})
    cal = att.calibrate(EXPERIMENTS)
    assert cal.to_dict() == pytest.approx({"a": 3.0, "b": 1.5, "c": 1.0})
    assert cal.total == 12.0 and cal.baseline == pytest.approx(6.5)
    assert cal.tested.tolist() == [True, True, False, False]
    assert cal.lower[0] == 2.0 and cal.upper[0] == 4.0 and math.isnan(cal.lower[1])
    assert math.isnan(cal.lower[2])  # kept: no interval
    assert cal.calibrated.sum() + cal.baseline == pytest.approx(cal.total)


def test_untested_pooled_by_hand() -> None:
    cal = tc.attribute(data(), "linear").calibrate(EXPERIMENTS, untested="pooled")
    # pooled factor: (3 + 1.5) / (6 + 3) = 0.5; bounds (2 + 1.5) / 9 and (4 + 1.5) / 9
    assert cal.pooled_factor == pytest.approx(0.5)
    assert cal.pooled_lower == pytest.approx(3.5 / 9) and cal.pooled_upper == pytest.approx(5.5 / 9)
    assert cal.to_dict() == pytest.approx({"a": 3.0, "b": 1.5, "c": 0.5})
    assert cal.lower[2] == pytest.approx(3.5 / 9) and cal.upper[2] == pytest.approx(5.5 / 9)
    assert cal.baseline == pytest.approx(7.0)


def test_drill_down_adds_up_to_the_calibrated_totals() -> None:
    att = tc.attribute(data(), "linear")
    cal = att.calibrate(EXPERIMENTS, untested="pooled")
    t = cal.by("campaign")
    rows = dict(zip(t["campaign"].tolist(), t["calibrated"].tolist(), strict=True))
    assert rows["baseline"] == pytest.approx(cal.baseline)
    assert sum(rows.values()) == pytest.approx(cal.total)
    by_channel = cal.by("channel")
    got = dict(zip(by_channel["channel"].tolist(), by_channel["calibrated"].tolist(), strict=True))
    assert got == pytest.approx({"a": 3.0, "b": 1.5, "c": 0.5, "baseline": 7.0})


def test_value_measure_and_frames() -> None:
    pd = pytest.importorskip("pandas")
    js = data()
    att = tc.attribute(js, "linear")
    frame = pd.DataFrame({"channel": ["c"], "incremental": [0.25]})
    cal = att.calibrate(frame, measure="value")
    assert cal.to_dict()["c"] == 0.25 and cal.to_dict()["a"] == pytest.approx(6.0)
    assert cal.calibrated.sum() + cal.baseline == pytest.approx(js.total_value)


@pytest.mark.parametrize(
    ("experiments", "message"),
    [
        ({"channel": ["a"]}, r"missing column\(s\) 'incremental'"),
        ({"channel": ["zz"], "incremental": [1.0]}, r"channel 'zz' \(row 1\) is not a channel"),
        ({"channel": ["a", "a"], "incremental": [1.0, 2.0]}, r"'a' is tested twice \(row 2\)"),
        ({"channel": ["a"], "incremental": [-1.0]}, r"'incremental' must be finite and >= 0"),
        ({"channel": ["a"], "incremental": [1.0], "lower": [2.0]}, r"lower <= incremental"),
    ],
)
def test_bad_experiments_name_the_row(experiments: dict[str, list[object]], message: str) -> None:
    att = tc.attribute(data(), "linear")
    with pytest.raises(ValueError, match=message):
        att.calibrate(experiments)


def test_bad_options() -> None:
    att = tc.attribute(data(), "linear")
    with pytest.raises(ValueError, match=r"'untested' must be 'keep' or 'pooled'"):
        att.calibrate(EXPERIMENTS, untested="all")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'measure' must be 'conversions' or 'value'"):
        att.calibrate(EXPERIMENTS, measure="leads")  # type: ignore[arg-type]
    assert np.isfinite(att.calibrate(EXPERIMENTS).factor).all()
