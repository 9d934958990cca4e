"""Each conversion once: repeated deal, opportunity, conversion and transaction ids, and
GA4 days exported as both events_ and events_intraday_ tables (issue 21 item 3)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from touchcredit.connectors import crm, ga4, hubspot, salesforce  # noqa: E402
from touchcredit.connectors.duplicates import repeated_ids  # noqa: E402
from touchcredit.core.mapping import ColumnMap  # noqa: E402


def _append_rows(path: Path, *rows: str) -> None:
    path.write_text(path.read_text() + "".join(r + "\n" for r in rows))


def test_a_hubspot_deal_exported_twice_counts_once(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_hubspot(tmp_path)
    js0, _ = hubspot.read(paths["contacts"], paths["deals"])
    _append_rows(paths["deals"], "9001,Ann,600,2024-03-10,Closed Won,101;102")  # a repeat
    js, report = hubspot.read(paths["contacts"], paths["deals"])
    assert js.total_value == js0.total_value == 690.0
    assert report.not_used["deal rows repeating a deal (same Record ID and values)"] == 1
    _append_rows(paths["deals"], "9003,Zed,95,2024-03-12,closedwon,007")  # 90 or 95?
    js, report = hubspot.read(paths["contacts"], paths["deals"])
    assert js.total_value == 600.0  # the disagreeing deal is refused, not guessed
    assert {
        "deals row 3: 'Record ID' '9003' is also on row 6 with other values",
        "deals row 6: 'Record ID' '9003' is also on row 3 with other values",
    } <= set(report.conversions_rejected.reasons)


def test_a_repeated_salesforce_opportunity_is_one_conversion(
    tmp_path: Path, exports: ModuleType
) -> None:
    paths = exports.write_salesforce(tmp_path)
    _append_rows(paths["opportunities"], "006A,Deal A,900,2024-03-01,Closed Won,true,2024-02-15")
    js, report = salesforce.read(**paths)
    assert js.total_value == 1200.0
    # the repeat is merged, not rejected as "won, but no contact role"
    assert report.conversions_rejected.reasons == ("opportunities row 4: won, but no contact role",)
    assert report.not_used["opportunity rows repeating an opportunity (same Id and values)"] == 1


def test_crm_conversion_ids(tmp_path: Path) -> None:
    touches = tmp_path / "touches.csv"
    touches.write_text("\ufeffid,ts,src\n007,2024-01-01,google\n7,2024-01-02,bing\n")
    deals = tmp_path / "deals.csv"
    deals.write_text("deal,id,closed,amount\nD1,007,2024-01-05,100\nD2,7,2024-01-05,50\n"
                     "D1,007,2024-01-05,100\n")  # fmt: skip
    cols = ColumnMap(journey="id", timestamp="ts", channel=None, source="src", conversion_id="deal",
                     conversion_time="closed", conversion_value="amount")  # fmt: skip
    js, report = crm.read(touches, cols, deals)
    assert js.total_value == 150.0 and js.n_conversions == 2
    assert report.not_used == {"conversion rows repeating a conversion id (same values)": 1}


def _purchase(exports: ModuleType, t: int, pseudo: str, tid: str, value: float) -> dict:
    return exports._event(t, "purchase", pseudo, [], ecommerce={"purchase_revenue": value,
                                                                "transaction_id": tid})  # fmt: skip


def test_ga4_purchases_repeating_a_transaction_id(exports: ModuleType) -> None:
    rows = exports.ga4_rows()
    n = len(rows)
    rows += [_purchase(exports, exports.T0 + exports.DAY * 3, exports.A, "T-1", 20.0),
             _purchase(exports, exports.T0 + exports.DAY * 3 + 5, exports.A, "T-1", 20.0),
             _purchase(exports, exports.T0 + exports.DAY * 4, exports.B, "T-2", 7.0),
             _purchase(exports, exports.T0 + exports.DAY * 4, exports.B, "T-2", 8.0)]  # fmt: skip
    schema = exports.ga4_table().schema
    ecom = pa.struct([("purchase_revenue", pa.float64()), ("transaction_id", pa.string())])
    schema = schema.set(schema.get_field_index("ecommerce"), pa.field("ecommerce", ecom))
    js, report = ga4.read(pa.Table.from_pylist(rows, schema=schema))
    assert js.total_value == 180.0 + 20.0  # T-1 once; T-2's copies disagree: refused
    assert report.not_used["purchase events repeating a transaction_id with the same value"] == 1
    assert [r.split(":")[0] for r in report.conversions_rejected.reasons] == [
        f"events row {n + 3}", f"events row {n + 4}"
    ]  # fmt: skip


def test_ga4_a_day_as_daily_and_intraday_is_read_once(tmp_path: Path, exports: ModuleType) -> None:
    import pyarrow.parquet as pq

    paths = exports.write_ga4(tmp_path)
    whole, _ = ga4.read(str(tmp_path / "events_2024*.parquet"))
    # the second day is still also in its intraday table
    pq.write_table(pq.read_table(paths["day2"]), tmp_path / "events_intraday_20240102.parquet")
    js, report = ga4.read(str(tmp_path / "events_*.parquet"))
    assert js.total_value == whole.total_value == 180.0 and js.n_touches == whole.n_touches
    skipped = "events in events_intraday_ tables whose day is in an events_ table (read once)"
    assert report.not_used[skipped] == pq.read_metadata(paths["day2"]).num_rows
    # an intraday table of a day without a daily table is read
    (tmp_path / "events_20240102.parquet").unlink()
    js, _ = ga4.read(str(tmp_path / "events_*.parquet"))
    assert js.total_value == 180.0


def test_repeats_do_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(0)
    ids = rng.choice(np.array(["a", "b", "c", None], dtype=object), 40)
    value = rng.choice([1.0, 2.0], 40)
    base = repeated_ids(ids, [value], table="t", column="id")
    perm = rng.permutation(40)
    shuffled = repeated_ids(ids[perm], [value[perm]], table="t", column="id")
    assert sorted(perm[shuffled.conflicts].tolist()) == base.conflicts.tolist()

    def kept(keep: np.ndarray, order: np.ndarray) -> list[str]:
        return sorted(str(v) for v in ids[order][keep].tolist())

    assert kept(base.keep, np.arange(40)) == kept(shuffled.keep, perm)
    assert base.merged == shuffled.merged
