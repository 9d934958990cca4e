"""Date-only conversion times mean the last microsecond of their local day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from touchcredit.core.time.day_end import date_only, end_of_day


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("2024-03-01", True),
        (" 01/03/2024 ", True),
        ("1 March 2024", True),
        ("2024-03-01 09:00", False),
        ("2024-03-01T10", False),
        ("01/03/2024 9 pm", False),
        ("01/03/2024 9 p.m.", False),
        ("1714557600", False),
        ("20240301", True),  # YYYYMMDD is a date alone
        ("", False),
        (dt.date(2024, 3, 1), True),
        (dt.datetime(2024, 3, 1), False),
        (np.datetime64("2024-03-01", "D"), True),
        (np.datetime64("2024-03-01T00:00", "s"), False),
        (np.datetime64("NaT", "D"), False),
        (None, False),
    ],
)
def test_date_only_of_one_value(value: object, want: bool) -> None:
    assert date_only([value]).tolist() == [want]


def test_date_only_of_typed_arrays() -> None:
    days = np.array(["2024-03-01", "NaT"], dtype="datetime64[D]")
    assert date_only(days).tolist() == [True, False]
    secs = np.array(["2024-03-01"], dtype="datetime64[s]")
    assert date_only(secs).tolist() == [False]
    assert date_only(np.array([20240301, 1714557600])).tolist() == [False, False]
    assert date_only(np.array(["2024-03-01", "2024-03-01 10:00"])).tolist() == [True, False]


def test_date_only_reads_an_arrow_column_from_a_csv_with_a_bom() -> None:
    pa_csv = pytest.importorskip("pyarrow.csv")
    import io

    data = "\ufeffdeal_id,close_date\n0042,2024-03-01\n0043,2024-03-02 10:00\n".encode()
    opts = pa_csv.ConvertOptions(column_types={"deal_id": "string", "close_date": "string"})
    table = pa_csv.read_csv(io.BytesIO(data), convert_options=opts)
    assert table.column_names == ["deal_id", "close_date"]
    assert date_only(table.column("close_date")).tolist() == [True, False]


def test_end_of_day_in_utc_and_a_fixed_offset() -> None:
    t = np.array(["2024-03-01T00:00", "2024-03-01T23:59:59", "NaT"], dtype="datetime64[us]")
    got = end_of_day(t, dt.UTC)
    want = np.datetime64("2024-03-01T23:59:59.999999", "us")
    assert got[0] == want and got[1] == want and np.isnat(got[2])
    plus5 = dt.timezone(dt.timedelta(hours=5))
    # 2024-03-01T20:00Z is 2 March 01:00 at +05:00: that day ends at 2 March 18:59:59.999999Z
    got = end_of_day(np.array(["2024-03-01T20:00"], dtype="datetime64[us]"), plus5)
    assert got[0] == np.datetime64("2024-03-02T18:59:59.999999", "us")


def test_end_of_day_across_the_autumn_change_is_a_25_hour_day() -> None:
    paris = ZoneInfo("Europe/Paris")
    start = np.array(["2024-10-26T22:00"], dtype="datetime64[us]")  # 27 Oct 00:00 CEST
    got = end_of_day(start, paris)
    assert got[0] == np.datetime64("2024-10-27T22:59:59.999999", "us")
    assert got[0] - start[0] == np.timedelta64(25 * 3600 * 10**6 - 1, "us")


def test_end_of_day_does_not_modify_its_input() -> None:
    t = np.array(["2024-03-01T05:00"], dtype="datetime64[us]")
    end_of_day(t, dt.UTC)
    assert t[0] == np.datetime64("2024-03-01T05:00", "us")
