"""The vectorized ISO 8601 path (Arrow's parser) reads exactly what the strict path reads."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

import touchcredit as tc  # noqa: E402
from touchcredit.core.time import iso as time_iso  # noqa: E402
from touchcredit.core.time.rule import read_times, to_datetime64  # noqa: E402
from touchcredit.core.time.text import TextChoices, parse_arrow, parse_distinct  # noqa: E402

ZONES = [dt.UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda v: f"{v:02d}")


@st.composite
def iso_text(draw: st.DrawFn) -> str:
    """ISO 8601 shapes, mostly valid, with the edges that only one parser might take."""
    year = draw(st.sampled_from([0, 1, 1969, 1970, 2024, 2025, 9999]) | st.integers(0, 9999))
    text = f"{year:04d}-{draw(_two(0, 13))}-{draw(_two(0, 32))}"
    if draw(st.booleans()):
        text += draw(st.sampled_from(["T", " ", "t"])) + draw(_two(0, 25))
        if draw(st.integers(0, 4)):
            text += ":" + draw(_two(0, 60))
            if draw(st.integers(0, 3)):
                text += ":" + draw(_two(0, 61))
                if draw(st.booleans()):
                    text += "." + draw(st.text("0123456789", min_size=1, max_size=10))
    zone = draw(st.sampled_from(["", "", "Z", "z", "+hh:mm", "-hh:mm", "+hhmm", "+hh"]))
    if zone.endswith(("hh", "mm")):
        hh, mm = draw(_two(0, 25)), draw(_two(0, 60))
        zone = zone.replace("hh", hh).replace("mm", mm)
    text += zone
    return draw(st.sampled_from(["", " "])) + text if draw(st.integers(0, 9)) == 0 else text


@pytest.fixture
def every_row_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Halve a failing part down to single rows, so small inputs use the fast path too
    (the same setting for every generated input)."""
    monkeypatch.setattr(time_iso, "_SMALL", 1)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(iso_text(), min_size=1, max_size=40),
    zone=st.sampled_from(ZONES),
    choice=st.sampled_from(["raise", "earliest", "latest"]),
)
def test_vectorized_path_equals_the_strict_path(
    every_row_alone: None, values: list[str], zone: dt.tzinfo, choice: str
) -> None:
    choices = TextChoices(ambiguous=choice, nonexistent=choice)  # type: ignore[arg-type]
    fast, fast_bad = parse_arrow(pa.array(values), zone, choices)
    slow, slow_bad = parse_distinct(np.array(values, dtype=object), zone, choices)
    assert fast_bad == slow_bad
    np.testing.assert_array_equal(fast, slow)


@settings(max_examples=50, deadline=None)
@given(st.lists(iso_text(), min_size=1, max_size=40), st.sampled_from([False, True]))
def test_columns_of_one_shape_with_odd_rows_equal_the_strict_path(
    values: list[str], zoned: bool
) -> None:
    """A column of one shape (the common export) with odd rows among it: the same values."""
    suffix = "+05:30" if zoned else ""
    same = [f"2024-{1 + k % 12:02d}-{1 + k % 28:02d}T10:{k % 60:02d}{suffix}" for k in range(300)]
    column = pa.array(same + values)
    fast, fast_bad = parse_arrow(column, dt.UTC, TextChoices())
    slow, slow_bad = parse_distinct(np.array(same + values, dtype=object), dt.UTC, TextChoices())
    assert fast_bad == slow_bad
    np.testing.assert_array_equal(fast, slow)


def test_fractions_nulls_and_views() -> None:
    column = pa.array(
        ["2024-03-15 14:30:00.123456789", None, "2024-03-15T14:30:00.5Z", "  "],
        pa.string_view(),
    )
    out, bad = read_times(column, default_tz="Europe/Paris")
    assert bad == {}
    assert out.tolist()[:3] == [
        dt.datetime(2024, 3, 15, 13, 30, 0, 123456),  # truncated, read in Paris
        None,
        dt.datetime(2024, 3, 15, 14, 30, 0, 500000),  # Z keeps its instant
    ]
    assert np.isnat(out[3])  # blank: missing


def test_the_bad_row_is_named_among_many_good_ones() -> None:
    days = np.arange("2000-01-01", "2300-01-01", dtype="datetime64[D]").astype(str)
    values = np.concatenate([days, days])
    values[150_000] = "2024-02-30"
    with pytest.raises(ValueError, match=r"'ts' could not be read: row 150001: '2024-02-30'"):
        to_datetime64(pa.array(values), field="ts")
    with pytest.raises(ValueError, match=r"row 150001: '2024-02-30' is not a recognised"):
        to_datetime64(values.astype(object), field="ts")  # numpy text: read in Arrow too


def test_from_frame_names_the_bad_row_of_an_arrow_text_column() -> None:
    n = 1000
    stamps = [f"2024-05-01T10:00:{k % 60:02d}Z" for k in range(n)]
    stamps[700] = "2024-05-01T10:00:00+24:00"  # an offset Python refuses
    touches = pa.table(
        {
            "journey_id": [f"{k % 7:03d}" for k in range(n)],
            "timestamp": stamps,
            "channel": ["a"] * n,
        }
    )
    with pytest.raises(ValueError, match=r"row 701: '2024-05-01T10:00:00\+24:00' has a UTC offset"):
        tc.JourneySet.from_frame(touches)
    stamps[700] = "2024-05-01T10:00:00+01:00"
    js = tc.JourneySet.from_frame(touches.set_column(1, "timestamp", pa.array(stamps)))
    assert js.n_touches == n and js.journey_ids.tolist()[:2] == ["000", "001"]


def test_chunked_columns_read_like_one_array(every_row_alone: None) -> None:
    values = ["2024-03-15T14:30Z", None, "2024-02-30", "2024-03-15 09:00", "03/15/2024", "+1"]
    whole = parse_arrow(pa.array(values), dt.UTC, TextChoices())
    chunked = parse_arrow(pa.chunked_array([values[:2], values[2:]]), dt.UTC, TextChoices())
    np.testing.assert_array_equal(whole[0], chunked[0])
    assert whole[1] == chunked[1] and sorted(whole[1]) == [2, 5]
