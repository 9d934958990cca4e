"""touchcredit.cli.connect: duration flags and the model built from --model and --param."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.cli.common import UsageError
from touchcredit.cli.connect import duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", dt.timedelta(days=90)),
        ("1d 12h", dt.timedelta(days=1, hours=12)),
        ("30m", dt.timedelta(minutes=30)),
    ],
)
def test_duration(text: str, expected: dt.timedelta) -> None:
    assert duration(text, "--lookback") == expected


@given(st.integers(min_value=0, max_value=10_000))
def test_days_round_trip(days: int) -> None:
    assert duration(f"{days}d", "--lookback") == dt.timedelta(days=days)


@pytest.mark.parametrize("text", ["soon", "d90", ""])
def test_a_bad_duration_names_the_flag(text: str) -> None:
    with pytest.raises(UsageError, match=r"^--half-life: "):
        duration(text, "--half-life")
