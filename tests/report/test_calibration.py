"""The report's section listing the experiments: hand-computed rows, the pooled factor,
the alert on a negative baseline."""

from __future__ import annotations

import pytest

import touchcredit as tc
from touchcredit.report import Report

from .test_calibrated import journeys

pytest.importorskip("jinja2")


def section(report: Report) -> tuple[list[list[str]], tuple[str, ...], tuple[str, ...]]:
    s = next(s for s in report.sections if s.id == "calibration")
    table = s.tables[0]
    rows = [list(table.columns)] + [[c.text for c in r] for r in table.rows]
    return rows, table.notes, s.alerts


def test_the_experiments_by_hand_with_the_pooled_factor() -> None:
    js = journeys()
    experiments = {
        "channel": ["a", "b"],
        "incremental": [10.0, 80.0],
        "lower": [5.0, None],
        "upper": [20.0, None],
    }
    cal = tc.attribute(js, "linear").calibrate(experiments, measure="value", untested="pooled")
    report = Report(js, models=["linear"], by=["channel"], calibration=cal)
    assert [s.id for s in report.sections][:2] == ["credit-channel", "calibration"]
    rows, notes, alerts = section(report)
    assert rows == [
        ["channel", "measured incremental", "lower", "upper", "linear credit", "factor"],
        ["b", "80 USD", "n/a", "n/a", "100 USD", "0.800"],
        ["a", "10 USD", "5 USD", "20 USD", "50 USD", "0.200"],
    ]
    # pooled: (10 + 80) / 150 = 0.6; bounds (5 + 80) / 150 and (20 + 80) / 150
    assert any("pooled factor 0.600 (from 0.567 to 0.667)" in n for n in notes)
    assert "Total value: 160 USD; calibrated channels 90 USD, baseline 70 USD." in notes
    assert alerts == ()


def test_more_measured_than_converted_is_an_alert() -> None:
    js = journeys()
    with pytest.warns(tc.CalibrationWarning, match=r"baseline is negative \(-190\)"):
        cal = tc.attribute(js, "linear").calibrate(
            {"channel": ["b"], "incremental": [300.0]}, measure="value"
        )
    _, notes, alerts = section(Report(js, models=["linear"], by=["channel"], calibration=cal))
    assert len(alerts) == 1 and "negative baseline" in alerts[0]
    assert "baseline -190 USD" in notes[-1]


def test_a_tested_channel_the_model_gave_nothing_has_no_factor() -> None:
    js = journeys()
    with pytest.warns(tc.CalibrationWarning, match="credited tested channel"):
        cal = tc.attribute(js, "linear").calibrate(
            {"channel": ["c"], "incremental": [5.0]}, measure="value"
        )
    rows, notes, _ = section(Report(js, models=["linear"], by=["channel"], calibration=cal))
    assert rows[1] == ["c", "5 USD", "n/a", "n/a", "0 USD", "n/a"]
    assert "linear credited c nothing: no touch carries the measured credit" in notes[-1]


def test_pooled_without_a_credited_tested_channel_says_there_is_no_pooled_factor() -> None:
    js = journeys()
    with pytest.warns(tc.CalibrationWarning, match="there is no pooled factor"):
        cal = tc.attribute(js, "linear").calibrate(
            {"channel": ["c"], "incremental": [5.0]}, measure="value", untested="pooled"
        )
    rows, notes, _ = section(Report(js, models=["linear"], by=["channel"], calibration=cal))
    assert rows[1] == ["c", "5 USD", "n/a", "n/a", "0 USD", "n/a"]
    joined = " ".join(notes)
    assert "No tested channel has credit from linear, so there is no pooled factor" in joined
    assert "pooled factor n/a" not in joined
    channel = next(s for s in Report(js, models=["linear"], calibration=cal).sections)
    assert "untested channels keep their credit" in channel.tables[0].notes[-1]
