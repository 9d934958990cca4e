"""Issue 21 item 1: zone suffixes (GMT+1, UTC-3) read with their civil meaning."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.time import to_datetime64
from touchcredit.core.time.suffix import civil_offset


def _us(text: str) -> np.datetime64:
    return np.datetime64(text, "us")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-02-01 10:00 GMT+1", "2024-02-01T09:00"),
        ("2024-02-01 10:00 UTC+05:30", "2024-02-01T04:30"),
        ("2024-02-01 10:00 UTC-3", "2024-02-01T13:00"),
        ("2024-02-01 10:00 GMT +1", "2024-02-01T09:00"),
        ("2024-02-01 10:00 utc+0530", "2024-02-01T04:30"),
        ("Thu Feb 01 2024 10:00:00 GMT+0100 (Central European Standard Time)", "2024-02-01T09:00"),
        ("02/01/2024 10:00 UTC+01", "2024-02-01T09:00"),
        ("2024-02-01 10:00 GMT", "2024-02-01T10:00"),
    ],
)
def test_zone_suffix_reads_with_its_civil_meaning(text: str, utc: str) -> None:
    assert to_datetime64([text], field="ts")[0] == _us(utc)


def test_zone_suffix_of_24_hours_is_an_error() -> None:
    with pytest.raises(ValueError, match="row 1: '2024-02-01 10:00 UTC\\+24' has a UTC offset"):
        to_datetime64(["2024-02-01 10:00 UTC+24"], field="ts")


@settings(max_examples=200, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1)),
    minutes=st.integers(-14 * 60, 14 * 60),
    name=st.sampled_from(["GMT", "UTC", "gmt", "UT"]),
    colon=st.booleans(),
    space=st.booleans(),
)
def test_a_zone_suffix_reads_like_its_iso_offset_spelling(
    when: dt.datetime, minutes: int, name: str, colon: bool, space: bool
) -> None:
    when = when.replace(microsecond=0)
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    suffix = f"{name}{' ' if space else ''}{sign}{h}{':' if colon else ''}{m:02d}"
    iso = f"{when.isoformat()}{sign}{h:02d}:{m:02d}"
    got = to_datetime64([f"{when:%Y-%m-%d %H:%M:%S} {suffix}"], field="ts")
    assert got[0] == to_datetime64([iso], field="ts")[0]
    assert civil_offset(f"{when:%Y-%m-%d %H:%M:%S} {suffix}").endswith(f"{sign}{h:02d}:{m:02d}")
