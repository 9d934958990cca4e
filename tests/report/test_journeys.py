"""The report's journey sections, from small hand-computed journeys."""

from __future__ import annotations

import pytest

import touchcredit as tc
from touchcredit.report import Report

pytest.importorskip("jinja2")


def journeys() -> tc.JourneySet:
    # 1: seo, email; converts in January (100): last touch email, seo assists
    # 2: email; converts in February (50)
    # 3: no touch before its March conversion (30): unattributed
    return tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2, 3],
        timestamp=["2024-01-01", "2024-01-05", "2024-02-01", "2024-04-01"],
        channel=["seo", "email", "email", "ads"],
        conversion_journey_id=[1, 2, 3],
        conversion_time=["2024-01-10", "2024-02-03", "2024-03-01"],
        conversion_value=[100.0, 50.0, 30.0],
        currency="USD",
    )


@pytest.fixture(scope="module")
def sections() -> dict[str, object]:
    report = Report(journeys(), models=["first_touch", "linear"], by=["channel"])
    return {s.id: s for s in report.sections}


def texts(section: object, table: int = 0) -> list[list[str]]:
    return [[c.text for c in row] for row in section.tables[table].rows]  # type: ignore[attr-defined]


def test_assisted_section(sections: dict[str, object]) -> None:
    rows = texts(sections["assisted"])
    assert rows[0][:4] == ["seo", "0", "1", "n/a"]
    assert rows[1][:4] == ["email", "2", "0", "0.00"]
    assert rows[1][4].startswith("closer") and rows[0][4].startswith("opener")
    assert rows[1][5:] == ["150 USD", "0 USD"]


def test_path_length_and_time_lag_sections(sections: dict[str, object]) -> None:
    assert [r[:2] for r in texts(sections["path-length"])] == [["0", "1"], ["1", "1"], ["2", "1"]]
    lags = {r[0]: r[1] for r in texts(sections["time-lag"])}
    assert lags["2"] == "1" and lags["7–13"] == "1" and lags["no eligible touch"] == "1"


def test_credit_over_time_adds_up_per_month(sections: dict[str, object]) -> None:
    s = sections["credit-over-time"]
    assert len(s.charts) == 2 and len(s.tables) == 2  # type: ignore[attr-defined]
    assert s.collapsed == tuple(t.caption for t in s.tables)  # type: ignore[attr-defined]
    linear = texts(s, 1)
    assert linear[0][0] == "2024-01" and linear[0][-1] == "100 USD"
    assert s.tables[1].columns == ("month", "email", "seo", "unattributed", "total")  # type: ignore[attr-defined]
    assert linear[0][1:3] == ["50 USD", "50 USD"]
    assert [r[-1] for r in linear] == ["100 USD", "50 USD", "30 USD"]


def test_against_last_touch_adds_the_baseline(sections: dict[str, object]) -> None:
    s = sections["against-last-touch"]
    head = s.tables[0].columns  # type: ignore[attr-defined]
    assert head == ("channel", "last touch (value (USD))", "first_touch", "linear")
    rows = {r[0]: r[1:] for r in texts(s)}
    assert rows["email"] == ["150 USD", "-66.7%", "-33.3%"]
    assert rows["seo"] == ["0 USD", "n/a (new credit)", "n/a (new credit)"]
    assert rows["unattributed"] == ["30 USD", "+0.0%", "+0.0%"]


def test_top_paths_converting_first(sections: dict[str, object]) -> None:
    s = sections["paths"]
    main, every = s.tables  # type: ignore[attr-defined]
    assert "converting" in main.caption and s.collapsed == (every.caption,)  # type: ignore[attr-defined]
    # journey 3 converts before its only touch: its path to conversion is empty
    assert [r[0].text for r in main.rows] == ["seo > email", "email", "(no touches)"]
    assert "ads" in [r[0].text for r in every.rows]
