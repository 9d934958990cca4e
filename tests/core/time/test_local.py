"""Naive wall-clock times read in a zone, including the hours clocks skip or repeat."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.time.local import TIME_CHOICES, check_choice, localize

NY = ZoneInfo("America/New_York")


def _us(*texts: str) -> np.ndarray:
    return np.array(texts, dtype="datetime64[us]")


@pytest.mark.parametrize("choice", TIME_CHOICES)
def test_check_choice_accepts_the_three_choices(choice: str) -> None:
    assert check_choice(choice, "ambiguous") == choice


@pytest.mark.parametrize("bad", ["Earliest", "", "first", "NaT"])
def test_check_choice_rejects_others_naming_the_argument(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^'nonexistent' must be 'raise', 'earliest' or"):
        check_choice(bad, "nonexistent")


def test_fixed_offset_zone_is_a_plain_shift() -> None:
    plus530 = dt.timezone(dt.timedelta(hours=5, minutes=30))
    out, bad = localize(_us("2024-01-01T10:00", "NaT"), plus530)
    assert bad == {}
    assert out[0] == np.datetime64("2024-01-01T04:30", "us") and np.isnat(out[1])


def test_ordinary_times_in_winter_and_summer() -> None:
    out, bad = localize(_us("2024-01-15T12:00", "2024-07-15T12:00", "NaT"), NY)
    assert bad == {}
    assert out[:2].tolist() == [dt.datetime(2024, 1, 15, 17), dt.datetime(2024, 7, 15, 16)]
    assert np.isnat(out[2])


def test_ambiguous_time_under_each_choice() -> None:
    back = _us("2024-01-01T00:00", "2024-11-03T01:30")
    out, bad = localize(back, NY)
    assert list(bad) == [1] and "is ambiguous in America/New_York" in bad[1]
    assert np.isnat(out[1]) and out[0] == np.datetime64("2024-01-01T05:00", "us")
    early, _ = localize(back, NY, ambiguous="earliest")
    late, _ = localize(back, NY, ambiguous="latest")
    assert early[1] == np.datetime64("2024-11-03T05:30", "us")
    assert late[1] == np.datetime64("2024-11-03T06:30", "us")


def test_nonexistent_time_under_each_choice() -> None:
    gap = _us("2024-03-10T02:30")
    out, bad = localize(gap, NY, ambiguous="earliest")  # the ambiguous choice does not apply
    assert np.isnat(out[0]) and "is nonexistent in America/New_York (clocks skip it)" in bad[0]
    assert localize(gap, NY, nonexistent="earliest")[0][0] == np.datetime64("2024-03-10T06:30")
    assert localize(gap, NY, nonexistent="latest")[0][0] == np.datetime64("2024-03-10T07:30")


def test_times_in_the_changing_hour_but_outside_the_repeat_are_exact() -> None:
    # Lord Howe goes back 30 minutes at 02:00 (+11 -> +10:30): only 01:30-02:00 repeats
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    values = _us("2024-04-07T01:15", "2024-04-07T02:15", "2024-04-07T01:45")
    out, bad = localize(values, lord_howe)
    assert out[0] == np.datetime64("2024-04-06T14:15", "us")
    assert out[1] == np.datetime64("2024-04-06T15:45", "us")
    assert list(bad) == [2] and "is ambiguous" in bad[2]
    out, bad = localize(values, lord_howe, ambiguous="latest")
    assert bad == {} and out[2] == np.datetime64("2024-04-06T15:15", "us")


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)),
    st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
)
def test_localize_agrees_with_zoneinfo_for_unambiguous_times(when: dt.datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    utc = when.replace(tzinfo=tz).astimezone(dt.UTC).replace(tzinfo=None)
    round_trip = utc.replace(tzinfo=dt.UTC).astimezone(tz).replace(tzinfo=None)
    folded = when.replace(tzinfo=tz, fold=1).utcoffset() == when.replace(tzinfo=tz).utcoffset()
    out, bad = localize(np.array([when], dtype="datetime64[us]"), tz)
    if round_trip == when and folded:
        assert bad == {}
        assert out[0] == np.datetime64(utc, "us")
    else:
        assert list(bad) == [0] and np.isnat(out[0])
