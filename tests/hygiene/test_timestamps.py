"""Timestamp parsing of CRM exports: formats, zones, errors naming the row."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.time import text as time_text
from touchcredit.hygiene import timestamps


def _us(text: str) -> np.datetime64:
    return np.datetime64(text, "us")


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2024-03-15", "2024-03-15T00:00"),
        ("2024-03-15T14:30:00", "2024-03-15T14:30"),
        ("2024-03-15 14:30", "2024-03-15T14:30"),
        ("2024-03-15T14:30:00.250", "2024-03-15T14:30:00.250"),
        ("  2024-03-15  ", "2024-03-15T00:00"),
        ("2024-03-15T14:30:00Z", "2024-03-15T14:30"),
        ("2024-03-15T14:30:00+01:00", "2024-03-15T13:30"),
        ("2024-03-15T14:30:00-05:00", "2024-03-15T19:30"),
        ("03/15/2024 2:30 PM", "2024-03-15T14:30"),
        ("3/5/2024 9:05 am", "2024-03-05T09:05"),
        ("15.03.2024 14:30", "2024-03-15T14:30"),
        ("15/03/2024", "2024-03-15T00:00"),
        ("Mar 15, 2024 2:30 PM", "2024-03-15T14:30"),
        ("Friday, March 15, 2024 14:30 UTC", "2024-03-15T14:30"),
        ("2024-03-15 14:30:00 +0200", "2024-03-15T12:30"),
    ],
)
def test_common_formats(raw: str, utc: str) -> None:
    assert timestamps.parse([raw])[0] == _us(utc)


def test_default_zone_applies_to_naive_values_only() -> None:
    got = timestamps.parse(
        ["2024-01-15 09:00", "01/15/2024 9:00 AM", "2024-07-15 09:00", "2024-01-15T09:00Z"],
        default_tz="America/New_York",
    )
    assert got.tolist() == [
        dt.datetime(2024, 1, 15, 14, 0),  # EST, UTC-5
        dt.datetime(2024, 1, 15, 14, 0),
        dt.datetime(2024, 7, 15, 13, 0),  # EDT, UTC-4
        dt.datetime(2024, 1, 15, 9, 0),  # explicit zone wins
    ]


def test_dayfirst_and_formats() -> None:
    assert timestamps.parse(["03/04/2024"])[0] == _us("2024-03-04")
    assert timestamps.parse(["03/04/2024"], dayfirst=True)[0] == _us("2024-04-03")
    got = timestamps.parse(
        ["15|03|2024 14h30", "2024-03-16"], formats=["%d|%m|%Y %Hh%M", "%Y-%m-%d"]
    )
    assert got.tolist() == [dt.datetime(2024, 3, 15, 14, 30), dt.datetime(2024, 3, 16)]
    with pytest.raises(ValueError, match=r"row 1: 'x' matches none of the formats \['%Y'\]"):
        timestamps.parse(["x"], formats=["%Y"])


def test_missing_values_are_nat_not_errors() -> None:
    got = timestamps.parse(np.array([None, np.nan, "", "  ", "2024-01-01"], dtype=object))
    assert np.isnat(got[:4]).all()
    assert got[4] == _us("2024-01-01")


def test_error_names_row_and_value() -> None:
    with pytest.raises(ValueError, match=r"^'created' could not be read: row 3: 'yesterday'"):
        timestamps.parse(["2024-01-01", "2024-01-02", "yesterday"], field="created")


def test_report_mode_lists_every_rejected_row() -> None:
    r = timestamps.parse(
        ["2024-01-01", "14:30", "soon", "2024-01-01 09:00 EST", "soon", "March 2024"],
        errors="report",
    )
    assert r.rejected_rows.tolist() == [1, 2, 3, 4, 5]
    assert r.values[0] == _us("2024-01-01")
    assert np.isnat(r.values[1:]).all()
    assert r.reasons[0] == "row 2: '14:30' does not hold a full date (day, month and year)"
    assert r.reasons[2] == "row 4: '2024-01-01 09:00 EST' names a time zone that is not known"
    assert r.reasons[4].startswith("row 6: 'March 2024' does not hold a full date")


def test_non_string_inputs_follow_the_library_rule() -> None:
    got = timestamps.parse(
        np.array(
            [dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))), 0], dtype=object
        ),
        unit="s",
    )
    assert got.tolist() == [dt.datetime(2023, 12, 31, 22, 0), dt.datetime(1970, 1, 1)]
    d64 = np.array(["2024-01-01T10:00"], dtype="datetime64[m]")
    assert timestamps.parse(d64, default_tz="Europe/Paris")[0] == _us("2024-01-01T09:00")
    assert timestamps.parse([86400.0], unit="s")[0] == _us("1970-01-02")
    with pytest.raises(ValueError, match="errors must be 'raise' or 'report'"):
        timestamps.parse(["2024-01-01"], errors="ignore")  # type: ignore[call-overload]


def test_each_distinct_string_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = time_text._one

    def counting(text: str, *args: object) -> dt.datetime:
        calls.append(text)
        return real(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(time_text, "_one", counting)
    got = timestamps.parse(["03/15/2024", "03/15/2024", "2024-01-01", "03/15/2024"] * 50)
    assert sorted(calls) == ["03/15/2024"]  # the ISO value took the numpy fast path
    assert got[0] == _us("2024-03-15")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=5))
def test_report_mode_never_raises_on_text(values: list[str]) -> None:
    r = timestamps.parse(values, errors="report")
    assert r.values.shape == (len(values),)
    assert set(r.rejected_rows.tolist()) <= set(range(len(values)))
    assert np.isnat(r.values[r.rejected_rows]).all()
