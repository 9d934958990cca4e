"""touchcredit.connectors.files: paths and globs, formats, text ids, schema checks."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from touchcredit.connectors.files import (
    SchemaError,
    check_schema,
    column_names,
    is_path_source,
    iter_batches,
    paths,
    read_table,
)

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def test_is_path_source() -> None:
    assert is_path_source("a.csv") and is_path_source(Path("a.csv"))
    assert is_path_source(["a.csv", Path("b.csv")])
    assert not is_path_source([]) and not is_path_source(pa.table({"a": [1]}))


def test_paths_sorts_globs_and_names_what_is_missing(tmp_path: Path) -> None:
    for name in ("events_2.csv", "events_10.csv", "events_1.csv"):
        (tmp_path / name).write_text("a\n1\n")
    found = paths([str(tmp_path / "events_*.csv")])
    assert [p.name for p in found] == ["events_1.csv", "events_10.csv", "events_2.csv"]
    with pytest.raises(FileNotFoundError, match="no file matches"):
        paths(str(tmp_path / "deals_*.csv"))
    with pytest.raises(FileNotFoundError, match="no such file"):
        paths(tmp_path / "deals.csv")


def test_bom_csv_keeps_leading_zero_ids_and_na_text(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("\ufeffRecord ID,Source,Amount\n007,NA,1\n7,,2\n", encoding="utf-8")
    assert column_names(path) == ["Record ID", "Source", "Amount"]
    table = read_table(path, table="contacts", text=["Record ID"])
    assert table.column("Record ID").to_pylist() == ["007", "7"]
    assert table.column("Source").to_pylist() == ["NA", None]


def test_tsv_gz_and_ndjson_are_read(tmp_path: Path) -> None:
    tsv = tmp_path / "t.tsv.gz"
    tsv.write_bytes(gzip.compress(b"id\tch\n01\tseo\n"))
    assert read_table(tsv, table="t", text=["id"]).to_pylist() == [{"id": "01", "ch": "seo"}]
    js = tmp_path / "t.ndjson"
    js.write_text('{"id": 5, "ch": "ads"}\n')
    assert read_table(js, table="t", text=["id"]).column("id").to_pylist() == ["5"]


def test_unknown_format_and_duplicate_header_are_refused(tmp_path: Path) -> None:
    xls = tmp_path / "t.xlsx"
    xls.write_text("x")
    with pytest.raises(ValueError, match="cannot tell the format of 't.xlsx'"):
        read_table(xls, table="t")
    dup = tmp_path / "d.csv"
    dup.write_text("Email,Email\na,b\n")
    with pytest.raises(SchemaError, match="'Email' appear more than once"):
        column_names(dup)


def test_float_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="ids must be text, got double"):
        read_table(pa.table({"id": [1.0]}), table="t", text=["id"])


def test_batches_span_files_in_order(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": [1, 2, 3], "x": ["a", "b", "c"]}), tmp_path / "p1.parquet")
    pq.write_table(pa.table({"id": [4, 5], "x": ["d", "e"]}), tmp_path / "p2.parquet")
    batches = list(
        iter_batches(
            str(tmp_path / "p*.parquet"), table="t", columns=["id"], text=["id"], batch_rows=2
        )
    )
    assert [b.column("id").to_pylist() for b in batches] == [["1", "2"], ["3"], ["4", "5"]]
    assert all(b.column_names == ["id"] for b in batches)
    with pytest.raises(ValueError, match="'batch_rows' must be >= 1"):
        next(iter_batches(tmp_path / "p1.parquet", table="t", batch_rows=0))


def test_check_schema_names_every_problem() -> None:
    schema = pa.schema([("Id", pa.string()), ("Close", pa.float64())])
    with pytest.raises(SchemaError) as err:
        check_schema(schema, "deals", {"Id": "text", "Close": "time", "Won": "bool"})
    assert err.value.missing == ["Won"]
    assert err.value.mistyped == {"Close": "expected time, got double"}
    check_schema(schema, "deals", {"Id": "text"}, {"Close": "number", "Other": "bool"})
