"""Mirrored tests for touchcredit.report.sections: credit, paths and time-to-convert
sections built directly from small hand-computed journeys."""

from __future__ import annotations

import pytest

import touchcredit as tc
from touchcredit.report.sections import (
    credit_section,
    paths_section,
    time_to_convert_section,
    value_format,
)


def _journeys(currency: str | None = "EUR") -> tc.JourneySet:
    # "001": seo (Jan 1), email (Jan 3); converts Jan 11 (1,200) -> 10 days, 2 touches
    # "002": email (Jan 1); converts Jan 1 12:00 (300) -> half a day, 1 touch
    # "003": seo (Jan 2); no conversion
    return tc.JourneySet.from_arrays(
        journey_id=["001", "001", "002", "003"],
        timestamp=["2024-01-01", "2024-01-03", "2024-01-01", "2024-01-02"],
        channel=["seo", "email", "email", "seo"],
        conversion_journey_id=["001", "002"],
        conversion_time=["2024-01-11", "2024-01-01T12:00"],
        conversion_value=[1200.0, 300.0],
        currency=currency,
    )


def _texts(table: object) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]  # type: ignore[attr-defined]


def test_value_format_money_or_conversions() -> None:
    fmt, unit = value_format(_journeys())
    assert (fmt(1234.4), unit) == ("1,234 EUR", "value (EUR)")
    fmt, unit = value_format(_journeys(None))
    assert (fmt(2.25), unit) == ("2.2", "conversions")


def test_time_to_convert_bins_and_quantiles() -> None:
    sec = time_to_convert_section(_journeys())
    assert sec.id == "time-to-convert"
    rows = {r[0]: r[1:] for r in _texts(sec.tables[0])}
    assert rows["mean"] == ["5.2 days", "1.5"]  # (10 + 0.5) / 2 days, (2 + 1) / 2 touches
    assert rows["50% convert within"] == ["5.2 days", "1.5"]
    assert "0 of 2 conversions had no touch" in sec.tables[0].notes[0]
    # no second histogram of the days: the Time lag section charts them
    assert sec.charts == () and "Time lag" in sec.intro


def test_paths_section_counts_converting_paths() -> None:
    sec = paths_section(_journeys())
    main, every = sec.tables
    assert [r[:3] for r in _texts(main)] in (
        [["seo > email", "2", "1"], ["email", "1", "1"]],
        [["email", "1", "1"], ["seo > email", "2", "1"]],
    )
    assert sec.collapsed == (every.caption,)
    assert sorted(r[0] for r in _texts(every)) == ["email", "seo", "seo > email"]
    assert "The 2 most common sequences of channels" in sec.intro


def test_credit_section_columns_per_model_add_up() -> None:
    js = _journeys()
    models = [tc.models.get("first_touch"), tc.models.get("linear")]
    sec = credit_section(js, models, "channel")
    table = sec.tables[0]
    assert table.columns == ("channel", "first_touch", "linear")
    # first touch: seo 1,200, email 300; linear: seo 600, email 600 + 300
    assert _texts(table) == [
        ["seo", "1,200 EUR (80.0%)", "600 EUR (40.0%)"],
        ["email", "300 EUR (20.0%)", "900 EUR (60.0%)"],
    ]
    for col in (1, 2):
        assert sum(float(r[col].sort) for r in table.rows) == pytest.approx(1500.0)
    assert "1,500 EUR over 2 conversions" in table.notes[0]
