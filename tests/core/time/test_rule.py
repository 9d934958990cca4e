"""One timestamp rule on every path (issue 14, items 4 and 5, and the low items).

Each test is built from a case that gave a wrong answer with exit code 0 before:
partial dates completed with today's date, ``EST`` read as UTC, epoch milliseconds
landing in year 55,970, GA4 microseconds wrapping int64, local times off by 30-60
minutes around a clock change that is not on the hour.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core.time import epochs
from touchcredit.core.time import local as local_time
from touchcredit.core.time import text as time_text
from touchcredit.core.time.rule import TimeRule, read_times, to_datetime64
from touchcredit.hygiene import timestamps

MAY_1 = 1_714_557_600  # 2024-05-01T10:00:00Z in seconds


def _build(timestamp: object, **kw: object) -> tc.JourneySet:
    n = len(timestamp)  # type: ignore[arg-type]
    return tc.JourneySet.from_arrays(
        journey_id=list(range(n)), timestamp=timestamp, channel=["seo"] * n, **kw
    )


# ------------------------------------------------------------ partial dates
@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("14:30", "does not hold a full date"),
        ("5", "does not hold a full date"),
        ("March", "does not hold a full date"),
        ("2024", "does not hold a full date"),
        ("2024-05", "does not hold a full date"),
        ("2024-05-01 10:00 EST", "names a time zone that is not known"),
    ],
)
def test_partial_dates_and_unknown_zones_are_errors_on_every_path(value: str, why: str) -> None:
    want = rf"^'timestamp' could not be read: row 2: '{value}' {why}"
    with pytest.raises(ValueError, match=want):
        _build(["2024-05-01", value])
    with pytest.raises(ValueError, match=want):
        timestamps.parse(["2024-05-01", value])
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"journey_id": [1, 2], "timestamp": ["2024-05-01", value]})
    frame["channel"] = "seo"
    with pytest.raises(ValueError, match=want):
        tc.JourneySet.from_frame(frame)


def test_domain_values_follow_the_same_rule() -> None:
    with pytest.raises(ValueError, match=r"'timestamp' could not be read: '14:30' does not hold"):
        tc.Touchpoint("14:30")


# ------------------------------------------------------------ epoch numbers
@pytest.mark.parametrize(("scale", "unit"), [(1, "s"), (10**3, "ms"), (10**6, "us"), (10**9, "ns")])
def test_epoch_unit_is_the_one_that_puts_every_value_in_1990_2100(scale: int, unit: str) -> None:
    values = np.array([MAY_1, MAY_1 + 60], dtype=np.int64) * scale
    assert epochs.epoch_unit(values) == unit
    js = _build(values)
    assert js.timestamp.tolist() == [dt.datetime(2024, 5, 1, 10), dt.datetime(2024, 5, 1, 10, 1)]


def test_ga4_event_timestamp_in_microseconds_does_not_wrap() -> None:
    ga4 = [1_714_557_600_123_456, 1_714_557_601_000_000]
    js = _build(ga4)
    assert js.timestamp[0] == np.datetime64("2024-05-01T10:00:00.123456")
    # read as seconds on purpose: an error, never a wrapped date
    with pytest.raises(ValueError, match=r"row 1: 1714557600123456 is outside years 1-9999 as"):
        _build(ga4, unit="s")


def test_epoch_values_fitting_no_unit_or_two_units_name_field_row_and_units() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'timestamp' could not be read: row 2: 5 is not a time in 1990-2100 as epoch "
        r"s, ms, us or ns; pass unit=",
    ):
        _build([MAY_1, 5])
    with pytest.raises(
        ValueError,
        match=r"row 3: 1714557600000 reads as epoch milliseconds while the column's other "
        r"values read as seconds",
    ):
        _build([MAY_1, MAY_1, MAY_1 * 1000])


def test_explicit_unit_on_every_builder() -> None:
    js = _build([0, 86_400], unit="s")
    assert js.timestamp[1] == np.datetime64("1970-01-02")
    assert _build([86_400_000], unit="ms").timestamp[0] == np.datetime64("1970-01-02")
    table = {"cookie": ["a", "b"], "ts": [0, 86_400]}
    cleaned, rep = tc.clean(table, journey="cookie", timestamp="ts", unit="s")
    assert rep.rows_rejected == 0 and cleaned.timestamp.max() == np.datetime64("1970-01-02")
    _, rep = tc.clean(table, journey="cookie", timestamp="ts")  # no unit fits: rejected
    assert rep.rows_rejected == 2 and "pass unit=" in rep.rejected.reasons[0]
    leads = tc.LeadSet.from_arrays(lead_id=["a"], created_at=[MAY_1 * 1000], unit="ms")
    assert leads.created_at[0] == np.datetime64("2024-05-01T10:00")
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"journey_id": [1], "timestamp": [86_400], "channel": ["seo"]})
    assert tc.JourneySet.from_frame(frame, unit="s").timestamp[0] == np.datetime64("1970-01-02")
    with pytest.raises(ValueError, match=r"'unit' must be one of 's', 'ms', 'us', 'ns'"):
        _build([0], unit="sec")


def test_huge_python_int_and_year_zero_are_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"row 2: 10000000000000000000.*out of range"):
        _build(np.array([MAY_1, 10**400], dtype=object))
    with pytest.raises(
        ValueError, match=r"row 1: '0001-01-01T00:00\+01:00' is outside years 1-9999 in UTC"
    ):
        _build(["0001-01-01T00:00+01:00"])


def test_clean_report_mode_rejects_such_rows_instead_of_aborting() -> None:
    table = {
        "cookie": np.array(["a", "b", "c", "d"], dtype=object),
        "ts": np.array(["2024-05-01", "0001-01-01T00:00+01:00", 10**400, "14:30"], dtype=object),
    }
    js, rep = tc.clean(table, journey="cookie", timestamp="ts")
    assert rep.rejected.rows.tolist() == [1, 2, 3]
    assert rep.rejected.reasons[0].startswith("row 2: '0001-01-01T00:00+01:00' is outside")
    assert "out of range" in rep.rejected.reasons[1]
    assert rep.rows_in == rep.rows_out + rep.duplicates_removed + rep.rows_rejected
    assert js.n_touches == 1


# --------------------------------------------------- clock changes off the hour
@pytest.mark.parametrize(
    ("zone", "local", "utc"),
    [
        # Chatham: +12:45 until 02:45 local standard time, then +13:45
        ("Pacific/Chatham", "2024-09-29T02:40", "2024-09-28T13:55"),
        ("Pacific/Chatham", "2024-09-29T03:50", "2024-09-28T14:05"),
        # Lord Howe: +10:30 until 02:00, then +11:00 (a 30-minute change)
        ("Australia/Lord_Howe", "2024-10-06T02:40", "2024-10-05T15:40"),
        ("Australia/Lord_Howe", "2024-10-06T01:50", "2024-10-05T15:20"),
    ],
)
def test_naive_times_around_a_clock_change_off_the_hour(zone: str, local: str, utc: str) -> None:
    naive = np.array([local], dtype="datetime64[us]")
    assert to_datetime64(naive, field="ts", default_tz=zone)[0] == np.datetime64(utc)
    assert timestamps.parse([local.replace("T", " ")], default_tz=zone)[0] == np.datetime64(utc)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"journey_id": [1], "timestamp": pd.to_datetime([local])})
    frame["channel"] = "seo"
    js = tc.JourneySet.from_frame(frame, default_tz=zone)
    assert js.timestamp[0] == np.datetime64(utc)


def test_ambiguous_and_nonexistent_local_times() -> None:
    back = ["2024-11-03 01:30"]  # New York falls back: happens twice
    with pytest.raises(ValueError, match=r"row 1: '2024-11-03 01:30' is ambiguous in America"):
        timestamps.parse(back, default_tz="America/New_York")
    early = timestamps.parse(back, default_tz="America/New_York", ambiguous="earliest")
    late = timestamps.parse(back, default_tz="America/New_York", ambiguous="latest")
    assert (early[0], late[0]) == (
        np.datetime64("2024-11-03T05:30"),
        np.datetime64("2024-11-03T06:30"),
    )
    gap = np.array(["2024-03-10T02:30"], dtype="datetime64[us]")  # springs forward: never happens
    with pytest.raises(ValueError, match=r"is nonexistent in America/New_York"):
        _build(gap, default_tz="America/New_York")
    js = _build(gap, default_tz="America/New_York", nonexistent="latest")
    assert js.timestamp[0] == np.datetime64("2024-03-10T07:30")
    rule = TimeRule(default_tz="America/New_York", nonexistent="earliest")
    assert rule.read(gap, field="ts")[0] == np.datetime64("2024-03-10T06:30")
    with pytest.raises(ValueError, match=r"'ambiguous' must be 'raise', 'earliest' or 'latest'"):
        local_time.check_choice("NaT", "ambiguous")


# ------------------------------------------------------------- the fast path
def test_one_bad_string_does_not_send_every_string_to_dateutil(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = time_text._one

    def counting(text: str, *args: object) -> dt.datetime:
        calls.append(text)
        return real(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(time_text, "_one", counting)
    days = np.arange("2024-01-01", "2026-01-01", dtype="datetime64[D]").astype(str).tolist()
    r = timestamps.parse([*days, "2024-02-30"], errors="report")
    assert calls == ["2024-02-30"]  # the other 731 distinct strings: numpy, in batches
    assert r.rejected_rows.tolist() == [len(days)]
    assert r.values[0] == np.datetime64("2024-01-01")


def test_read_times_collects_instead_of_raising() -> None:
    out, bad = read_times(["2024-05-01", "soon", None, MAY_1], field="ts")
    assert out[0] == np.datetime64("2024-05-01") and np.isnat(out[2])
    assert out[3] == np.datetime64("2024-05-01T10:00")
    assert sorted(bad) == [1]


# ------------------------------------------------------------------ amounts
def test_amounts_that_are_not_whole_cents_are_errors_not_rounded() -> None:
    for value in (3e12 + 0.005, Decimal("1e-30")):
        js = tc.JourneySet.from_arrays(
            journey_id=[1],
            timestamp=["2024-05-01"],
            channel=["seo"],
            conversion_journey_id=[1],
            conversion_time=["2024-05-02"],
            conversion_value=[value],
            currency="USD",
        )
        with pytest.raises(ValueError, match=r"whole number of minor units"):
            tc.attribute(js, "linear").to_minor_units()


def test_values_whose_total_overflows_are_an_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'conversion_value' must add up to a finite total; the running total "
        r"overflows at row 2",
    ):
        tc.JourneySet.from_arrays(
            journey_id=[1],
            timestamp=["2024-05-01"],
            channel=["seo"],
            conversion_journey_id=[1, 1],
            conversion_time=["2024-05-02"] * 2,
            conversion_value=[1e308, 1e308],
        )
