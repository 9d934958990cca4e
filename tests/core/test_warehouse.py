"""The pure parts of the ADBC warehouse helpers (no PostgreSQL server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from touchcredit.core import warehouse


@pytest.mark.parametrize(
    ("target", "want"),
    [
        ("postgresql://me@db/crm", True),
        ("postgres://db/crm", True),
        ("PostgreSQL://DB/crm", True),
        ("warehouse.duckdb", False),
        ("mysql://db/crm", False),
        ("", False),
        (None, False),
        (b"postgresql://db", False),
    ],
)
def test_is_uri(target: object, want: bool) -> None:
    assert warehouse.is_uri(target) is want


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("credit", (None, "credit")),
        ("analytics.credit", ("analytics", "credit")),
        ("_tmp.t$1", ("_tmp", "t$1")),
    ],
)
def test_split_name(name: str, want: tuple[str | None, str]) -> None:
    assert warehouse.split_name(name) == want


@pytest.mark.parametrize(
    "name", ["", "a.b.c", "1credit", "credit; drop table x", "a..b", "credit-2024", '"q"', None]
)
def test_split_name_refuses_anything_else(name: Any) -> None:
    with pytest.raises(ValueError, match="must be 'table' or 'schema.table'"):
        warehouse.split_name(name)


def test_connect_refuses_what_is_not_a_postgresql_uri() -> None:
    with pytest.raises(ValueError, match="expected a postgresql:// URI, got 'crm.duckdb'"):
        warehouse.connect("crm.duckdb")


def test_write_modes() -> None:
    assert dict(warehouse.MODES) == {"replace": "replace", "append": "create_append"}


class _Cursor:
    def __init__(self, log: list[Any], tables: dict[str, Any]) -> None:
        self.log, self.tables, self.last = log, tables, ""

    def execute(self, query: str, parameters: Any = None) -> None:
        self.log.append((query, parameters))
        self.last = query

    def fetch_record_batch(self) -> Any:
        return self.tables[self.last].to_reader()

    def close(self) -> None:
        self.log.append("close")


class _Connection:
    def __init__(self, vendor: str, tables: dict[str, Any]) -> None:
        self.log: list[Any] = []
        self.vendor, self.tables = vendor, tables

    def adbc_get_info(self) -> dict[str, str]:
        return {"vendor_name": self.vendor}

    def cursor(self) -> _Cursor:
        return _Cursor(self.log, self.tables)

    def rollback(self) -> None:
        self.log.append("rollback")


@pytest.mark.parametrize("vendor", ["PostgreSQL", "SQLite"])
def test_read_only_runs_queries_in_one_transaction_rolled_back(vendor: str) -> None:
    pa = pytest.importorskip("pyarrow")
    touches = pa.table({"contact_id": ["0042", "007"], "amount": [1.5, None]})
    conn = _Connection(vendor, {"select 1": touches, "select 2": touches.slice(1)})
    got = warehouse.read_only(conn, [("select 1", None), ("select 2", ["x"])])
    assert [t.num_rows for t in got] == [2, 1]
    assert got[0].column("contact_id").to_pylist() == ["0042", "007"]
    steps = [("select 1", None), ("select 2", ["x"]), "close", "rollback"]
    if vendor == "PostgreSQL":
        steps.insert(0, ("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", None))
    assert conn.log == steps


def test_read_only_rolls_back_when_a_query_fails() -> None:
    pytest.importorskip("pyarrow")
    conn = _Connection("PostgreSQL", {})
    with pytest.raises(KeyError):
        warehouse.read_only(conn, [("missing", None)])
    assert conn.log[-2:] == ["close", "rollback"]


def test_arrow_table_keeps_plain_types() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"id": ["0042"], "n": pa.array([None], type=pa.null())})
    got = warehouse.arrow_table(table.to_reader())
    assert got.equals(table)
