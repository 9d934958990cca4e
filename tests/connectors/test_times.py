"""Issue 21 item 1 on the connectors, the CLI and the pipeline: ``unit=`` honoured on every
path, epoch numbers read by the magnitude rule, GA4 timestamps checked, date-only
conversion times ending their day, ``--tz`` checked, one duration reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pyarrow")

import touchcredit as tc
from touchcredit.attribution import attribute
from touchcredit.cli import main
from touchcredit.connectors import Cleaning, crm, ga4, salesforce
from touchcredit.models import LinearModel, TimeDecayModel

US = 1_714_557_600_123_456  # 2024-05-01T10:00:00.123456Z in microseconds
HOUR_US = 3_600_000_000


def _credit(js: Any) -> dict[str, float]:
    return {
        str(k): round(v, 9) for k, v in attribute(js, "linear").by("channel").to_dict().items() if v
    }


def _crm_files(tmp_path: Path, times: list[str], closed: str) -> tuple[Path, Path]:
    """A CRM export with a BOM, text ids with leading zeros and epoch times as written."""
    touches = tmp_path / "touches.csv"
    rows = [
        f"0042,{t},https://x.io/?utm_source={s}&utm_medium={m}"
        for t, (s, m) in zip(times, [("google", "cpc"), ("nl", "email")], strict=True)
    ]
    touches.write_text("\ufeffcustomer,ts,url\n" + "\n".join(rows) + "\n", encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text(f"\ufeffcustomer,closed,amount\n0042,{closed},100\n", encoding="utf-8")
    return touches, deals


def _crm_read(touches: Path, deals: Path, **cleaning: Any) -> Any:
    cols = tc.ColumnMap(
        journey="customer",
        timestamp="ts",
        channel=None,
        url="url",
        conversion_time="closed",
        conversion_value="amount",
    )
    return crm.read(touches, cols, deals, cleaning=Cleaning(**cleaning), target="revenue")


def test_crm_integer_epoch_seconds_and_microseconds_are_read(tmp_path: Path) -> None:
    s = US // 10**6
    js, rep = _crm_read(*_crm_files(tmp_path, [str(s), str(s + 60)], str(s + 120)))
    assert rep.rows_rejected == 0 and _credit(js) == {"paid search": 50.0, "email": 50.0}
    js, rep = _crm_read(*_crm_files(tmp_path, [str(US), str(US + 1)], str(US + 2)))
    assert rep.rows_rejected == 0 and js.timestamp[0] == np.datetime64(US, "us")


def test_crm_unit_is_honoured(tmp_path: Path) -> None:
    files = _crm_files(tmp_path, [str(US), str(US + 1)], str(US + 2))
    js, rep = _crm_read(*files, unit="us")
    assert rep.rows_rejected == 0 and js.total_value == 100.0
    js, rep = _crm_read(*files, unit="ms")  # microseconds read as ms: beyond year 9999
    assert rep.rows_rejected == 2 and rep.conversions_rejected.rows.tolist() == [0]
    assert "outside years 1-9999 as epoch milliseconds" in rep.rejected.reasons[0]


def test_clean_and_cleaning_carry_one_time_rule() -> None:
    rule = Cleaning(default_tz="Europe/Paris", unit="us", dayfirst=True).time_rule
    assert (rule.default_tz, rule.unit, rule.dayfirst) == ("Europe/Paris", "us", True)
    table = {"id": ["007", "007"], "ts": [str(US), str(US + 5)], "source": ["google", "nl"]}
    a, _ = tc.clean(table, journey="id", timestamp="ts", source="source", unit="us")
    b, _ = tc.clean(table, journey="id", timestamp="ts", source="source", time=rule)
    assert (a.timestamp == b.timestamp).all()
    with pytest.raises(ValueError, match="not both"):
        tc.clean(table, journey="id", timestamp="ts", time=rule, unit="s")
    with pytest.raises(ValueError, match="time zone 'Mars/Base' is not known"):
        Cleaning(default_tz="Mars/Base")
    with pytest.raises(ValueError, match="'unit' must be one of"):
        Cleaning(unit="sec")


@pytest.mark.parametrize(("scale", "unit"), [(10**6, "s"), (10**3, "ms"), (1, "us")])
def test_ga4_event_timestamp_unit_is_read_not_assumed(
    exports: ModuleType, scale: int, unit: str
) -> None:
    rows = exports.ga4_rows()
    for r in rows:
        r["event_timestamp"] = r["event_timestamp"] // scale
    js, _rep = ga4.read(exports.ga4_table(rows))
    assert _credit(js) == exports.GA4_LINEAR
    assert js.timestamp.min() >= np.datetime64("2024-01-01")
    js, _ = ga4.read(exports.ga4_table(rows), cleaning=Cleaning(unit=unit))
    assert _credit(js) == exports.GA4_LINEAR


def test_ga4_negative_and_float_timestamps(exports: ModuleType) -> None:
    import pyarrow as pa

    rows = exports.ga4_rows()
    rows[0]["event_timestamp"] = -rows[0]["event_timestamp"]
    _, rep = ga4.read(exports.ga4_table(rows))
    assert rep.rejected.rows.tolist()[0] == 0
    assert "is not a time in 1990-2100" in rep.rejected.reasons[0]
    table = exports.ga4_table()
    col = table.column("event_timestamp").cast(pa.float64())
    floats = table.set_column(1, "event_timestamp", pa.compute.add(col, 0.25))
    js, _ = ga4.read(floats)  # read by the same magnitude rule, not a raw ArrowInvalid
    assert _credit(js) == exports.GA4_LINEAR
    texts = table.set_column(
        1, "event_timestamp", table.column("event_timestamp").cast(pa.string())
    )
    assert _credit(ga4.read(texts)[0]) == exports.GA4_LINEAR


def test_salesforce_date_only_close_date_keeps_same_day_responses(
    tmp_path: Path, exports: ModuleType
) -> None:
    paths = exports.write_salesforce(tmp_path)
    # 003B responds to the webinar at 14:05 on the day deal B (300) closes (a date alone)
    members = exports.SF_MEMBERS + "00v7,701A,,003B,true,,2024-03-02T14:05:00.000+0000\n"
    paths["campaign_members"].write_text(members)
    js, _rep = salesforce.read(*paths.values())
    got = {str(k): v for k, v in attribute(js, "linear").by("campaign").to_dict().items() if v}
    # deal B (300, 003B): Google Ads on 13 Feb and the webinar on its closing day, 150 each;
    # deal A (900, the group of 003A and 003B): four touches, 225 each (was 225/750/225)
    assert got == {"Spring webinar": 375.0, "Google Ads brand": 600.0, "Expo 2024": 225.0}
    assert js.conversion_time.max() == np.datetime64("2024-03-02T23:59:59.999999")
    # in the zone of naive times: the end of 2 March in New York is 05:00 UTC on 3 March
    js, _ = salesforce.read(*paths.values(), cleaning=Cleaning(default_tz="America/New_York"))
    assert js.conversion_time.max() == np.datetime64("2024-03-03T04:59:59.999999")


def test_date_only_conversion_time_ends_its_day_on_the_cleaning_path() -> None:
    touches = {
        "id": ["007", "007"],
        "ts": ["2024-03-01 09:00", "2024-03-01 18:30"],
        "source": ["google", "newsletter"],
    }
    conv = {"id": ["007"], "when": [dt.date(2024, 3, 1)]}
    js, _rep = tc.clean(
        touches,
        journey="id",
        timestamp="ts",
        source="source",
        conversions=conv,
        conversion_time="when",
    )
    assert js.conversion_time.tolist() == [dt.datetime(2024, 3, 1, 23, 59, 59, 999999)]
    assert attribute(js, "linear").by("source").to_dict() == {"Google": 0.5, "newsletter": 0.5}
    conv = {"id": ["007"], "when": ["2024-03-01 12:00"]}  # a time of day: as written
    js, _ = tc.clean(
        touches,
        journey="id",
        timestamp="ts",
        source="source",
        conversions=conv,
        conversion_time="when",
    )
    assert attribute(js, "linear").by("source").to_dict() == {"Google": 1.0, "newsletter": 0.0}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_time_unit_and_tz_on_the_cleaning_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, deals = _crm_files(tmp_path, [str(US), str(US + HOUR_US)], str(US + 2 * HOUR_US))
    base = [
        "attribute",
        str(touches),
        "--conversions",
        str(deals),
        "--journey",
        "customer",
        "--timestamp",
        "ts",
        "--url",
        "url",
        "--conversion-time",
        "closed",
        "--conversion-value",
        "amount",
    ]
    code, out, err = run(capsys, *base, "--time-unit", "us")
    assert code == 0, err
    assert "paid search" in out and "rejected: 0" in out
    code, out, _ = run(capsys, *base, "--time-unit", "us", "--lookback", "90min")
    unattributed = [line.split() for line in out.splitlines() if "unattributed" in line]
    assert code == 0 and "email" in out and unattributed == []  # only the second touch is in
    code, _, err = run(capsys, *base, "--tz", "Mars/Base")
    assert code == 2 and "--tz: time zone 'Mars/Base' is not known" in err
    assert "Traceback" not in err


def test_pipeline_cleaning_unit_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, deals = _crm_files(tmp_path, [str(US), str(US + 1)], str(US + 2))
    text = f"""
[input]
connector = "crm"
touches = "{touches.name}"
conversions = "{deals.name}"
[columns]
journey = "customer"
timestamp = "ts"
url = "url"
conversion_time = "closed"
conversion_value = "amount"
[cleaning]
unit = "UNIT"
[attribution]
models = ["linear"]
[outputs]
directory = "out"
cleaning = "cleaning.txt"
"""
    p = tmp_path / "p.toml"
    p.write_text(text.replace("UNIT", "us"))
    code, out, err = run(capsys, "run", str(p))
    assert code == 0, err
    assert "rejected: 0" in (tmp_path / "out" / "cleaning.txt").read_text()
    p.write_text(text.replace("UNIT", "ms"))
    code, out, err = run(capsys, "run", str(p))
    assert "outside years 1-9999 as epoch milliseconds" in out + err


@pytest.mark.parametrize(
    "call",
    [
        lambda: LinearModel(lookback=30),
        lambda: TimeDecayModel(half_life=30),
        lambda: tc.clean(
            {"id": ["a"], "ts": ["2024-01-01"]}, journey="id", timestamp="ts", dedupe_window=30
        ),
    ],
)
def test_a_bare_number_is_refused_with_one_message(call: Any) -> None:
    with pytest.raises(TypeError, match=r"must be a duration like .*; a bare number \(30\) has"):
        call()


def test_duration_text_is_accepted_by_every_duration_argument(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=["007", "007"],
        timestamp=[US, US + 20 * 86_400 * 10**6],
        channel=["a", "b"],
        conversion_journey_id=["007"],
        conversion_time=[US + 21 * 86_400 * 10**6],
    )
    assert attribute(js, LinearModel(lookback="14d")).by("channel").to_dict() == {
        "a": 0.0,
        "b": 1.0,
    }
    assert LinearModel(lookback=0).lookback == dt.timedelta(0)  # zero needs no unit
    touches, deals = _crm_files(tmp_path, [str(US), str(US + 1)], str(US + 2))
    code, _, err = run(
        capsys,
        "attribute",
        str(touches),
        "--conversions",
        str(deals),
        "--journey",
        "customer",
        "--timestamp",
        "ts",
        "--conversion-time",
        "closed",
        "--lookback",
        "30",
    )
    assert code == 2 and "a bare number (30) has no unit" in err


def test_sql_epoch_integers_and_unit_are_honoured() -> None:
    import sqlite3

    from touchcredit.connectors import sql

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE touches (customer TEXT, ts INTEGER, src TEXT, med TEXT)")
    con.execute("CREATE TABLE deals (customer TEXT, closed INTEGER, amount REAL)")
    s = US // 10**6
    con.execute(f"INSERT INTO touches VALUES ('007', {s}, 'google', 'cpc')")
    con.execute(f"INSERT INTO touches VALUES ('007', {s + 60}, 'newsletter', 'email')")
    con.execute(f"INSERT INTO deals VALUES ('007', {s + 120}, 300.0)")
    cols = tc.ColumnMap(
        journey="customer",
        timestamp="ts",
        channel=None,
        source="src",
        medium="med",
        conversion_time="closed",
        conversion_value="amount",
    )
    touches, deals = "SELECT * FROM touches", "SELECT * FROM deals"
    js, rep = sql.read(touches, con, cols, conversions=deals)
    assert rep.rows_rejected == 0 and _credit(js) == {"paid search": 150.0, "email": 150.0}
    js, rep = sql.read(touches, con, cols, conversions=deals, cleaning=Cleaning(unit="ms"))
    assert rep.rows_rejected == 0  # honoured: seconds read as milliseconds are January 1970
    assert js.timestamp.min() == np.datetime64(s, "ms").astype("datetime64[us]")


def test_hubspot_dates_take_one_day_month_order_per_column(
    tmp_path: Path, exports: ModuleType
) -> None:
    paths = exports.write_hubspot(tmp_path)
    iso = ("2024-03-01 10:00", "2024-03-02 09:00", "2024-03-03 09:00", "2024-03-05 09:00")
    dmy = ("01/03/2024 10:00", "02/03/2024 09:00", "03/03/2024 09:00", "05/03/2024 09:00")
    text = exports.HUBSPOT_CONTACTS
    for a, b in zip(iso, dmy, strict=True):
        text = text.replace(a, b)
    # a contact of the 13th settles each date column: day first for every row (a column
    # holding no day over 12 would be read month first: pass Cleaning(dayfirst=True))
    day13 = "13/03/2024 09:00"
    text += f"104,dan@x.io,{day13},Direct Traffic,,,Direct Traffic,,,{day13},lead,{day13}\n"
    paths["contacts"].write_text("\ufeff" + text, encoding="utf-8")
    deals = exports.HUBSPOT_DEALS
    for day in ("10", "11", "12"):
        deals = deals.replace(f"2024-03-{day}", f"{day}/03/2024")
    # Zed's won deal closing on the 13th settles the Close Date column
    deals = deals.replace("9003,Zed,90,12/03/2024", "9003,Zed,90,13/03/2024")
    paths["deals"].write_text("\ufeff" + deals, encoding="utf-8")
    js, _ = tc.connectors.hubspot.read(paths["contacts"], paths["deals"])
    (tmp_path / "iso").mkdir()
    iso_paths = exports.write_hubspot(tmp_path / "iso")
    want, _ = tc.connectors.hubspot.read(iso_paths["contacts"], iso_paths["deals"])
    assert _credit(js) == _credit(want)
    assert js.timestamp.min() == np.datetime64("2024-03-01T10:00")
    end = dt.time(23, 59, 59, 999999)  # Close Date is a date alone: the end of its day
    assert sorted(js.conversion_time.tolist()) == [
        dt.datetime.combine(dt.date(2024, 3, 10), end),
        dt.datetime.combine(dt.date(2024, 3, 13), end),
    ]
