"""Export-shaped files that used to crash, mislead or be misread (issue 21 items 6 and 8).

Each test writes a file as the tool exports it (a BOM, text ids with leading zeros,
GA4's nested schema or a flattened one, locale-formatted amounts) and checks the
connector reads it right or stops with an error naming the file, column and row.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute  # noqa: E402
from touchcredit.cli import crm_flags, main  # noqa: E402
from touchcredit.cli.common import UsageError  # noqa: E402
from touchcredit.connectors import SchemaError, crm, ga4, hubspot, salesforce  # noqa: E402
from touchcredit.core.mapping import ColumnMap  # noqa: E402


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _linear(js: Any, by: str = "channel") -> dict[str, float]:
    return {str(k): round(v, 9) for k, v in attribute(js, "linear").by(by).to_dict().items() if v}


def test_ga4_on_a_flat_csv_says_it_is_not_a_ga4_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flat = tmp_path / "export.csv"
    flat.write_text("\ufeffjourney_id,timestamp,channel\n007,2024-01-01,seo\n")
    code, _, err = _run(capsys, "attribute", str(flat), "--from", "ga4")
    assert code != 0 and "not a GA4 BigQuery export" in err
    assert "columns found: 'journey_id', 'timestamp', 'channel'" in err
    assert "not iterable" not in err


def test_an_empty_result_prints_and_saves(
    tmp_path: Path, exports: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    views = [r for r in exports.ga4_rows() if r["event_name"] == "page_view"]
    path = tmp_path / "events_20240101.parquet"
    pq.write_table(exports.ga4_table(views), path)
    out_csv = tmp_path / "credit.csv"
    code, out, err = _run(capsys, "attribute", str(path), "--from", "ga4", "--out", str(out_csv))
    assert code == 0, err
    assert "channel  value  conversions" in out
    assert out_csv.read_text().splitlines() == ["channel,value,conversions"]
    js, _ = ga4.read(path)
    assert str(attribute(js, "linear").by("channel")).splitlines()[-1].split() == [
        "channel", "value", "conversions"
    ]  # fmt: skip


def test_ga4_flattened_event_params_are_read(exports: ModuleType) -> None:
    rows = exports.ga4_rows()
    for row in rows:  # a flattened export: each parameter's value as plain text
        row["event_params"] = [
            {"key": p["key"], "value": next((str(v) for v in p["value"].values() if v is not None),
                                            None)}
            for p in row["event_params"]
        ]  # fmt: skip
    table = pa.Table.from_pylist(rows)
    assert table.schema.field("event_params").type.value_type.field("value").type == pa.string()
    js, _ = ga4.read(table)
    assert _linear(js) == exports.GA4_LINEAR and js.total_value == 180.0


def test_ga4_event_params_of_another_shape_are_refused() -> None:
    table = pa.table({
        "event_timestamp": [1_704_067_200_000_000], "event_name": ["session_start"],
        "user_pseudo_id": ["1.2"],
        "event_params": pa.array([[{"key": "page_location", "value": [1, 2]}]]),
    })  # fmt: skip
    with pytest.raises(SchemaError, match="'event_params' .expected value as a RECORD"):
        ga4.read(table)


def test_report_deals_won_flags_and_amounts_as_exported(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("\ufefflead_id,created_at\n007,2024-01-02\n7,2024-01-03\n008,2024-01-04\n")
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "lead_id,amount,created_at,closed_at,won\n"
        '007,"1,200.50",2024-01-05,2024-02-01,Y\n'
        '7,"2,000",2024-01-05,2024-02-01,"TRUE "\n'
        "008,300,2024-01-05,2024-02-01,no\n"
    )
    spend = tmp_path / "spend.csv"
    spend.write_text('month,source,amount\n2024-01,google,"1,000"\n2024-02,bing,1.200\n')
    args = argparse.Namespace(leads=str(leads), deals=str(deals), spend=str(spend),
                              lead_column=[], deal_column=[], spend_column=[], won=None,
                              currency="USD", tz=None)  # fmt: skip
    ls, _ = crm_flags.lead_set(args)
    assert ls.deal_won.tolist() == [True, True, False]  # 'Y' and 'TRUE ' count as won
    assert float(np.sum(ls.won_revenue)) == 3200.5
    assert crm_flags.spend_table(args).total == 2200.0  # '1,000' and '1.200' are thousands
    deals.write_text("lead_id,amount,closed_at,won\n007,10,2024-02-01,maybe\n")
    with pytest.raises((SchemaError, UsageError), match="'maybe' is not true/false"):
        crm_flags.lead_set(args)
    deals.write_text("lead_id,amount,closed_at,won\n007,ten,2024-02-01,yes\n")
    with pytest.raises((SchemaError, UsageError), match="row 1 is 'ten', not a number"):
        crm_flags.lead_set(args)


@pytest.mark.parametrize("name", ["Conversion Value", " amount", "price", "total", "sales"])
def test_value_columns_are_found_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    touches = tmp_path / "touches.csv"
    touches.write_text("journey_id,timestamp,channel\n007,2024-01-01,seo\n007,2024-01-02,email\n")
    conv = tmp_path / "conversions.csv"
    conv.write_text(f'journey_id,conversion_time,"{name}"\n007,2024-01-03,90\n')
    code, out, err = _run(capsys, "attribute", str(touches), "--conversions", str(conv))
    if name == "Conversion Value":
        assert code == 0 and "45.00" in out  # read, not 1 per conversion
    else:
        assert code != 0 and f"has a column {name!r} that looks like the conversion value" in err


def test_hubspot_header_only_deals_give_an_empty_result(
    tmp_path: Path, exports: ModuleType
) -> None:
    paths = exports.write_hubspot(tmp_path)
    paths["deals"].write_text("Record ID,Amount,Close Date,Deal Stage,Associated Contact IDs\n")
    js, report = hubspot.read(paths["contacts"], paths["deals"])
    assert js.n_conversions == 0 and report.tables["deals"] == 0 and js.n_touches == 6


def test_hubspot_amounts_by_the_column_and_comma_separated_contacts(
    tmp_path: Path, exports: ModuleType
) -> None:
    paths = exports.write_hubspot(tmp_path)
    head = "Record ID,Amount,Close Date,Deal Stage,Associated Contact IDs\n"
    paths["deals"].write_text(head + '9001,1.200,2024-03-10,Closed Won,"101, 102"\n'
                              "9003,90,2024-03-12,closedwon,007\n")  # fmt: skip
    js, report = hubspot.read(paths["contacts"], paths["deals"])
    assert js.total_value == 1290.0 and not len(report.conversions_rejected)  # not 1.2 + 90
    # the deal's journey holds both contacts of "101, 102" (split on the comma)
    assert _linear(js) == {"paid search": 300.0, "email": 300.0, "organic social": 300.0,
                           "organic search": 300.0, "direct": 90.0}  # fmt: skip
    paths["deals"].write_text(head + '9001,"1.200,50",2024-03-10,Closed Won,101\n'
                              "9003,\"90,5\",2024-03-12,closedwon,007\n")  # fmt: skip
    assert hubspot.read(paths["contacts"], paths["deals"])[0].total_value == 1291.0
    paths["deals"].write_text(head + "9001,1.5,2024-03-10,Closed Won,101\n"
                              '9003,"2,25",2024-03-12,closedwon,007\n')  # fmt: skip
    with pytest.raises(SchemaError, match=r"'Amount' uses both '.' \(row 1: '1.5'\) and ','"):
        hubspot.read(paths["contacts"], paths["deals"])


def test_salesforce_channel_field_typo_is_named(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_salesforce(tmp_path)
    with pytest.raises(SchemaError, match="campaigns: missing column.s. 'Chanel__c'"):
        salesforce.read(**paths, channel_field="Chanel__c")


def test_duplicate_headers_and_utf16_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cols = ColumnMap(journey="id", timestamp="ts", channel=None, source="src")
    dup = tmp_path / "dup.csv"
    dup.write_text("id,ts,src,src\n007,2024-01-01,google,bing\n")
    with pytest.raises(SchemaError, match="dup.csv: column name.s. 'src' appear more than once"):
        crm.read(dup, cols)
    code, _, err = _run(capsys, "attribute", str(dup), "--conversions", str(dup))
    assert code != 0 and "'src' appear more than once in the header" in err
    wide = tmp_path / "unicode.csv"  # Excel's "Unicode text": UTF-16 with a BOM
    wide.write_text("id,ts,src\n007,2024-01-01,google\n7,2024-01-02,Café\n", encoding="utf-16")
    js, _ = crm.read(wide, cols)
    assert js.n_journeys == 2 and "Café" in js.source.labels().tolist()
    plain = tmp_path / "plain.csv"
    plain.write_text("journey_id,timestamp,channel,conversion_time\n007,2024-01-01,seo,"
                     "2024-01-02\n", encoding="utf-16")  # fmt: skip
    code, out, err = _run(capsys, "attribute", str(plain), "--conversions", str(plain))
    assert code == 0 and "seo" in out, err


def test_crm_amounts_with_separators(tmp_path: Path) -> None:
    touches = tmp_path / "touches.csv"
    touches.write_text("\ufeffid,ts,src\n007,2024-01-01,google\n7,2024-01-01,bing\n")
    deals = tmp_path / "deals.csv"
    deals.write_text('id,closed,amount\n007,2024-01-05,"1,000"\n7,2024-01-05,"2,500.25"\n')
    cols = ColumnMap(journey="id", timestamp="ts", channel=None, source="src",
                     conversion_time="closed", conversion_value="amount")  # fmt: skip
    js, report = crm.read(touches, cols, deals)
    assert js.total_value == 3500.25 and not len(report.conversions_rejected)
