"""Timestamp strings to UTC instants: the one strict reading of text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.time.order import DayOrderConflict
from touchcredit.core.time.text import TextChoices, parse_distinct, parse_strings


def _s(*texts: str) -> np.ndarray:
    arr = np.empty(len(texts), dtype=object)
    arr[:] = texts
    return arr


def _us(text: str) -> np.datetime64:
    return np.datetime64(text, "us")


def test_iso_crm_and_offset_forms() -> None:
    out, bad = parse_distinct(
        _s("2024-03-15", "2024-03-15T14:30:00", "03/15/2024 2:30 PM", "2024-03-15T16:30+02:00"),
        dt.UTC,
        TextChoices(),
    )
    assert bad == {}
    assert out.tolist() == [
        dt.datetime(2024, 3, 15),
        dt.datetime(2024, 3, 15, 14, 30),
        dt.datetime(2024, 3, 15, 14, 30),
        dt.datetime(2024, 3, 15, 14, 30),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("14:30", "does not hold a full date"),
        ("March", "does not hold a full date"),
        ("2024", "does not hold a full date"),
        ("2024-05-01 10:00 EST", "names a time zone that is not known"),
        ("not a date", ""),
    ],
)
def test_partial_dates_and_unknown_zones_are_rejected(text: str, why: str) -> None:
    out, bad = parse_distinct(_s("2024-05-01", text), dt.UTC, TextChoices())
    assert out[0] == _us("2024-05-01") and np.isnat(out[1])
    assert list(bad) == [1] and bad[1].startswith(repr(text)) and why in bad[1]


def test_blank_strings_are_missing_and_rows_name_each_repeat() -> None:
    out, bad = parse_distinct(_s("", "nope", "2024-05-01", "nope"), dt.UTC, TextChoices())
    assert np.isnat(out[0]) and out[2] == _us("2024-05-01")
    assert sorted(bad) == [1, 3] and bad[1] == bad[3]


def test_naive_text_is_read_in_the_zone_and_offsets_keep_their_instant() -> None:
    paris = ZoneInfo("Europe/Paris")
    out, bad = parse_distinct(_s("2024-07-01 12:00", "2024-07-01T12:00Z"), paris, TextChoices())
    assert bad == {}
    assert out[0] == _us("2024-07-01T10:00") and out[1] == _us("2024-07-01T12:00")


def test_clock_changes_follow_the_choices() -> None:
    ny = ZoneInfo("America/New_York")
    out, bad = parse_distinct(_s("2024-03-10 02:30"), ny, TextChoices())
    assert np.isnat(out[0]) and "is nonexistent in America/New_York" in bad[0]
    out, bad = parse_distinct(_s("2024-03-10 02:30"), ny, TextChoices(nonexistent="latest"))
    assert bad == {} and out[0] == _us("2024-03-10T07:30")


def test_formats_are_tried_in_turn() -> None:
    choices = TextChoices(formats=("%d|%m|%Y", "%Y%m%d %H%M"))
    out, bad = parse_distinct(_s("01|05|2024", "20240501 1000", "2024-05-01"), dt.UTC, choices)
    assert out[0] == _us("2024-05-01") and out[1] == _us("2024-05-01T10:00")
    assert list(bad) == [2]


def test_day_order_decided_for_the_column_or_a_conflict() -> None:
    out, bad = parse_distinct(_s("01/05/2024", "13/05/2024"), dt.UTC, TextChoices())
    assert bad == {} and out[0] == _us("2024-05-01")
    with pytest.raises(DayOrderConflict):
        parse_distinct(_s("13/05/2024", "05/13/2024"), dt.UTC, TextChoices())


def test_numbers_as_text_are_epochs_in_one_unit() -> None:
    out, bad = parse_distinct(_s("1714557600", "20240501"), dt.UTC, TextChoices())
    assert bad == {} and out[0] == _us("2024-05-01T10:00") and out[1] == _us("2024-05-01")
    out, bad = parse_distinct(_s("86400"), dt.UTC, TextChoices(unit="s"))
    assert bad == {} and out[0] == _us("1970-01-02")


def test_parse_strings_agrees_with_parse_distinct_and_uses_rows() -> None:
    values = _s("2024-05-01", "14:30", "05/13/2024 1:00 PM")
    a, bad_a = parse_strings(values, dt.UTC)
    b, bad_b = parse_distinct(values, dt.UTC, TextChoices())
    assert a.tolist() == b.tolist()
    assert bad_a == bad_b == {1: "'14:30' does not hold a full date (day, month and year)"}
    assert parse_distinct(_s(), dt.UTC, TextChoices())[0].size == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
        min_size=1,
        max_size=10,
    )
)
def test_iso_text_reads_back_exactly(times: list[dt.datetime]) -> None:
    out, bad = parse_distinct(_s(*(t.isoformat() for t in times)), dt.UTC, TextChoices())
    assert bad == {}
    assert out.tolist() == times
