"""The "Calibrated" column of the report's credit tables: hand-computed cells, the
baseline row, the unit in the heading, and the checks on the calibration given."""

from __future__ import annotations

import math

import pytest

import touchcredit as tc
from touchcredit.report import Report

pytest.importorskip("jinja2")


def journeys() -> tc.JourneySet:
    """Ids with leading zeros; linear value credit by hand: 01 (a s1, b s2) converts 100
    -> a 50, b 50; 02 (b s1) converts 50 -> b 50; 03 (c) never converts; 04 has no
    touch and converts 10 -> unattributed. Total 160."""
    return tc.JourneySet.from_arrays(
        journey_id=["01", "01", "02", "03"],
        timestamp=[0, 1, 0, 0],
        channel=["a", "b", "b", "c"],
        source=["s1", "s2", "s1", "s3"],
        conversion_journey_id=["01", "02", "04"],
        conversion_time=[2, 2, 2],
        conversion_value=[100.0, 50.0, 10.0],
        currency="USD",
        unit="s",
    )


EXPERIMENTS = {"channel": ["b"], "incremental": [40.0], "lower": [20.0], "upper": [60.0]}


def texts(report: Report, section: str) -> dict[str, list[str]]:
    table = next(s for s in report.sections if s.id == section).tables[0]
    return {"": list(table.columns)} | {r[0].text: [c.text for c in r[1:]] for r in table.rows}


def test_value_calibration_by_hand_in_the_channel_and_source_tables() -> None:
    js = journeys()
    cal = tc.attribute(js, "linear").calibrate(EXPERIMENTS, measure="value")
    report = Report(js, models=["last_touch", "linear"], by=["channel", "source"], calibration=cal)
    channel = texts(report, "credit-channel")
    assert channel[""] == ["channel", "last_touch", "linear", "Calibrated"]
    # b: measured 40 in place of 100 (factor 0.4); a keeps 50; baseline 160 - 90 = 70
    assert channel["b"] == ["150 USD (93.8%)", "100 USD (62.5%)", "40 USD (25.0%)"]
    assert channel["a"][2] == "50 USD (31.2%)" and channel["c"][2] == "0 USD (0.0%)"
    assert channel["unattributed"] == ["10 USD (6.2%)", "10 USD (6.2%)", "—"]
    assert channel["baseline"] == ["—", "—", "70 USD (43.8%)"]
    # s1 = a's 50 + 0.4 * b's 50 (journey 02) = 70; s2 = 0.4 * b's 50 (journey 01) = 20
    source = texts(report, "credit-source")
    assert source["s1"][2] == "70 USD (43.8%)" and source["s2"][2] == "20 USD (12.5%)"
    assert source["baseline"][2] == "70 USD (43.8%)"
    table = next(s for s in report.sections if s.id == "credit-channel").tables[0]
    assert table.numeric == (False, True, True, True)
    baseline = table.rows[-1]  # sorts by its number; the models' empty cells sort last
    assert baseline[3].sort == pytest.approx(70.0)
    assert all(math.isnan(float(c.sort)) for c in baseline[1:3])


def test_conversions_next_to_value_credit_says_its_unit() -> None:
    js = journeys()
    cal = tc.attribute(js, "linear").calibrate(
        EXPERIMENTS | {"incremental": [0.5], "lower": [0.25], "upper": [1.0]}
    )
    channel = texts(
        Report(js, models=["linear"], by=["channel"], calibration=cal), "credit-channel"
    )
    assert channel[""] == ["channel", "linear", "Calibrated (conversions)"]
    # conversions: a 0.5, b 1.5 -> 0.5 measured; 3 conversions; baseline 3 - 1 = 2
    assert channel["b"] == ["100 USD (62.5%)", "0.5 (16.7%)"]
    assert channel["baseline"] == ["—", "2.0 (66.7%)"]


def test_without_a_calibration_the_tables_are_unchanged() -> None:
    js = journeys()
    plain = Report(js, models=["linear"], by=["channel"])
    assert texts(plain, "credit-channel")[""] == ["channel", "linear"]
    assert "baseline" not in texts(plain, "credit-channel")
    assert [s.id for s in plain.sections if s.id == "calibration"] == []


def test_the_calibrated_model_is_found_by_object_or_by_repr() -> None:
    js = journeys()
    model = tc.models.get("position").fit(js)
    cal = tc.attribute(js, model).calibrate(EXPERIMENTS, measure="value")
    ours = Report(js, models=["linear", model], by=["channel"], calibration=cal)
    assert texts(ours, "credit-channel")[""] == ["channel", "linear", "position", "Calibrated"]
    by_name = Report(js, models=["position", "linear"], by=["channel"], calibration=cal)
    assert texts(by_name, "credit-channel")[""][:3] == ["channel", "position", "Calibrated"]


def test_a_calibration_the_report_cannot_place_is_refused() -> None:
    js = journeys()
    with pytest.warns(tc.CalibrationWarning, match="baseline is negative"):  # 40 of 3
        cal = tc.attribute(js, "linear").calibrate(EXPERIMENTS)
    with pytest.raises(
        ValueError,
        match=r"calibrates 'linear' \(LinearModel\(\)\), which is not among the report's "
        r"models \(last_touch\)",
    ):
        Report(js, models=["last_touch"], calibration=cal)
    with pytest.raises(ValueError, match="other journeys"):
        Report(journeys(), models=["linear"], calibration=cal)
    with pytest.raises(TypeError, match="must be a Calibration"):
        Report(js, models=["linear"], calibration=EXPERIMENTS)  # type: ignore[arg-type]


def test_a_tested_channel_without_credit_keeps_its_measurement_in_the_channel_table() -> None:
    js = journeys()
    with pytest.warns(tc.CalibrationWarning, match=r"tested channel\(s\) 'c' nothing"):
        cal = tc.attribute(js, "linear").calibrate(
            {"channel": ["c"], "incremental": [5.0]}, measure="value"
        )
    report = Report(js, models=["linear"], by=["channel", "source"], calibration=cal)
    channel = texts(report, "credit-channel")
    # c: no credit, measured 5; a 50 and b 100 kept; baseline 160 - 155 = 5
    assert channel["c"] == ["0 USD (0.0%)", "5 USD (3.1%)"]
    assert channel["baseline"] == ["—", "5 USD (3.1%)"]
    # no touch of c converts: a source cannot carry the 5, which stays in the baseline
    source = texts(report, "credit-source")
    assert source["s3"][1] == "0 USD (0.0%)" and source["baseline"][1] == "10 USD (6.2%)"
