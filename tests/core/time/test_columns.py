"""Reading one column of timestamps by its dtype, collecting the rows it cannot read."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from touchcredit.core.time.columns import EXPECTED_TYPE, TimeOptions, as_array, read_column

MAY_1 = np.datetime64("2024-05-01T10:00", "us")


def test_time_options_defaults() -> None:
    opts = TimeOptions()
    assert opts.tz is dt.UTC and opts.unit is None and opts.dayfirst is None
    assert (opts.ambiguous, opts.nonexistent) == ("raise", "raise")


def test_epoch_numbers_with_and_without_unit() -> None:
    out, bad = read_column(np.array([1714557600, 7]), TimeOptions(), "ts")
    assert out[0] == MAY_1 and np.isnat(out[1])
    assert bad[1].startswith("7 is not a time in 1990-2100")
    out, bad = read_column(np.array([1714557600000]), TimeOptions(unit="ms"), "ts")
    assert bad == {} and out[0] == MAY_1


def test_text_column_in_a_zone() -> None:
    opts = TimeOptions(tz=ZoneInfo("Europe/Paris"))
    out, bad = read_column(np.array(["2024-05-01 12:00", "2024-05-01T10:00Z"]), opts, "ts")
    assert bad == {}
    assert out.tolist() == [MAY_1.item(), MAY_1.item()]


def test_naive_datetime64_is_localized_and_nat_kept() -> None:
    opts = TimeOptions(tz=dt.timezone(dt.timedelta(hours=2)))
    values = np.array(["2024-05-01T12:00", "NaT"], dtype="datetime64[s]")
    out, bad = read_column(values, opts, "ts")
    assert bad == {} and out[0] == MAY_1 and np.isnat(out[1])


def test_mixed_object_column_and_wrong_types() -> None:
    values = np.array(
        [
            dt.datetime(2024, 5, 1, 10),
            dt.datetime(2024, 5, 1, 10, 0, 0, 1),
            dt.date(2024, 5, 1),
            "2024-05-01 10:00",
            1714557600,
            None,
            [1, 2],
        ],
        dtype=object,
    )
    out, bad = read_column(values, TimeOptions(), "ts")
    assert out[0] == MAY_1 and out[1] == MAY_1 + np.timedelta64(1, "us")
    assert out[2] == np.datetime64("2024-05-01", "us")
    assert out[3] == MAY_1 and out[4] == MAY_1
    assert np.isnat(out[5]) and 5 not in bad  # missing, not bad
    assert list(bad) == [6] and bad[6].endswith(EXPECTED_TYPE)


def test_aware_and_naive_datetimes_in_one_column_are_an_error() -> None:
    values = np.array(
        [dt.datetime(2024, 5, 1, 10), dt.datetime(2024, 5, 1, 12, tzinfo=ZoneInfo("Europe/Paris"))],
        dtype=object,
    )
    with pytest.raises(ValueError, match=r"'ts' mixes timezone-aware and naive datetimes \(row 2"):
        read_column(values, TimeOptions(), "ts")
    aware = values[1:]
    out, bad = read_column(aware, TimeOptions(tz=ZoneInfo("Asia/Tokyo")), "ts")
    assert bad == {} and out[0] == MAY_1  # an aware value keeps its own offset


def test_ambiguous_local_times_follow_the_options() -> None:
    ny = ZoneInfo("America/New_York")
    values = np.array(["2024-11-03 01:30"])
    out, bad = read_column(values, TimeOptions(tz=ny), "ts")
    assert np.isnat(out[0]) and "is ambiguous" in bad[0]
    out, bad = read_column(values, TimeOptions(tz=ny, ambiguous="latest"), "ts")
    assert bad == {} and out[0] == np.datetime64("2024-11-03T06:30", "us")


def test_as_array_by_input_kind() -> None:
    ints = as_array([1, 2], "ts")
    assert ints.dtype == np.int64
    assert as_array([1.5, 2.0], "ts").dtype == np.float64
    ids = as_array(["0042", "007"], "ts")
    assert ids.dtype == object and ids.tolist() == ["0042", "007"]
    huge = as_array([2**70], "ts")
    assert huge.dtype == object
    mixed = as_array([1, 2.5], "ts")
    assert mixed.dtype == object
    with pytest.raises(TypeError, match="'ts' must be an array or sequence of timestamps, got one"):
        as_array("2024-05-01", "ts")
