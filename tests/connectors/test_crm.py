"""crm connector: ColumnMap-driven touch and deal tables, ids as text, rejections counted."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute
from touchcredit.connectors import SchemaError, crm
from touchcredit.core.mapping import ColumnMap

COLS = ColumnMap(
    journey="customer",
    timestamp="ts",
    url="url",
    identifiers={"email": "email"},
    conversion_time="closed",
    conversion_value="amount",
)


def _credit(js: Any) -> dict[str, float]:
    return {str(k): v for k, v in attribute(js, "linear").by("channel").to_dict().items() if v}


def test_csv_gives_the_hand_computed_answer(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_crm(tmp_path)
    js, report = crm.read(paths["touches"], COLS, paths["deals"], target="revenue")
    assert _credit(js) == exports.CRM_LINEAR  # '007' and '7' stay two people
    assert report.rows_in == 5 and report.rows_rejected == 1
    assert report.rejected.reasons[0].startswith("touches row 5: no identifier")
    assert report.conversions_in == 3 and len(report.conversions_rejected) == 1
    assert report.conversions_rejected.reasons[0].startswith("conversions row 3: 'amount'")
    assert report.tables == {"touches": 5, "conversions": 3}


def test_frames_and_parquet_read_the_same(tmp_path: Path, exports: ModuleType) -> None:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    paths = exports.write_crm(tmp_path)
    touches = pcsv.read_csv(
        paths["touches"],
        convert_options=pcsv.ConvertOptions(column_types={"customer": "string"}),
    )
    pq.write_table(touches, tmp_path / "t.parquet")
    deals = pcsv.read_csv(
        paths["deals"],
        convert_options=pcsv.ConvertOptions(column_types={"customer": "string"}),
    )
    js, _ = crm.read(tmp_path / "t.parquet", COLS, deals.to_pandas(), target="revenue")
    assert _credit(js) == exports.CRM_LINEAR


def test_missing_and_mistyped_columns_are_named(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_crm(tmp_path)
    with pytest.raises(SchemaError, match=r"touches: missing column\(s\) 'when'"):
        crm.read(paths["touches"], COLS.replace(timestamp="when"))
    import pandas as pd

    deals = pd.DataFrame({"customer": ["a"], "closed": ["2024-01-01"], "amount": [[1]]})
    with pytest.raises(SchemaError, match="'amount' .expected number"):
        crm.read(paths["touches"], COLS, deals)


def test_conversion_journey_under_another_name(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_crm(tmp_path)
    deals = tmp_path / "d.csv"
    deals.write_text(paths["deals"].read_text().replace("customer,", "buyer,"))
    js, _ = crm.read(paths["touches"], COLS.replace(conversion_journey="buyer"), deals)
    assert _credit(js) == exports.CRM_LINEAR


def test_duckdb_relation_and_polars_lazyframe(tmp_path: Path, exports: ModuleType) -> None:
    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    paths = exports.write_crm(tmp_path)
    rel = duckdb.sql(f"SELECT * FROM read_csv('{paths['touches']}', all_varchar=true)")
    deals = pl.scan_csv(paths["deals"], schema_overrides={"customer": pl.String})
    js, _ = crm.read(rel, COLS, deals, target="revenue")
    assert _credit(js) == exports.CRM_LINEAR
