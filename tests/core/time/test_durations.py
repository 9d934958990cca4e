"""Durations from text (core.time.durations.to_duration) against hand-computed values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.core.time.durations import DURATION_UNITS, to_duration


@pytest.mark.parametrize(
    ("text", "td"),
    [
        ("14d", dt.timedelta(days=14)),
        (" 36H ", dt.timedelta(hours=36)),
        ("1d 12h", dt.timedelta(hours=36)),
        ("1d, 30min", dt.timedelta(days=1, minutes=30)),
        ("1.5 hours", dt.timedelta(minutes=90)),
        ("90m", dt.timedelta(minutes=90)),
        ("2w", dt.timedelta(weeks=2)),
        ("250ms", dt.timedelta(milliseconds=250)),
    ],
)
def test_text(text: str, td: dt.timedelta) -> None:
    assert to_duration(text, field="x") == np.timedelta64(td, "us")


@pytest.mark.parametrize("bad", ["", "d", "14", "14 fortnights", "1..5h", "-1d", "1d2", "x" * 200])
def test_bad_text_names_field(bad: str) -> None:
    with pytest.raises(ValueError, match="'window'"):
        to_duration(bad, field="window")


def test_numbers_need_a_unit() -> None:
    with pytest.raises(TypeError, match=r"'x' must be a duration .* bare number \(7\) has no unit"):
        to_duration(7, field="x")
    assert to_duration(7, field="x", number_unit="d") == np.timedelta64(7 * 86_400_000_000, "us")
    with pytest.raises(TypeError, match="got NoneType"):
        to_duration(None, field="x")
    with pytest.raises(ValueError, match="NaT"):
        to_duration(np.timedelta64("NaT"), field="x")


@given(st.integers(0, 10_000), st.sampled_from(sorted(DURATION_UNITS)))
def test_number_and_unit_round_trip(n: int, unit: str) -> None:
    want = n * DURATION_UNITS[unit]
    assert int(to_duration(f"{n}{unit}", field="x").view(np.int64)) == want
    assert int(to_duration(f"{n} {unit}", field="x").view(np.int64)) == want
