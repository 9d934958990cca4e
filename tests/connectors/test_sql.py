"""sql connector: a real DuckDB database file, SQLite through ADBC, plain DB-API."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute  # noqa: E402
from touchcredit.connectors import SchemaError, sql  # noqa: E402
from touchcredit.core.mapping import ColumnMap  # noqa: E402

ROWS = [
    ("007", "2024-03-01 10:00:00", "google", "cpc"),
    ("007", "2024-03-02 10:00:00", "newsletter", "email"),
    ("7", "2024-03-02 11:00:00", "facebook", "paid_social"),
]
DEALS = [("007", "2024-03-05 00:00:00", 300.0), ("7", "2024-03-06 00:00:00", 40.0)]
COLS = ColumnMap(journey="customer", timestamp="ts", channel=None, source="src",
                 medium="med", conversion_time="closed", conversion_value="amount")  # fmt: skip
EXPECTED = {"paid search": 150.0, "email": 150.0, "paid social": 40.0}
ONE_SELECT = r"one SELECT statement .it runs read-only.; got "
TOUCHES_SQL = "SELECT customer, ts, src, med FROM touches"
DEALS_SQL = "SELECT customer, closed, amount FROM deals WHERE amount > ?"


def _credit(js: Any) -> dict[str, float]:
    return {str(k): v for k, v in attribute(js, "linear").by("channel").to_dict().items() if v}


def _fill(execute: Any) -> None:
    execute("CREATE TABLE touches (customer TEXT, ts TEXT, src TEXT, med TEXT)")
    execute("CREATE TABLE deals (customer TEXT, closed TEXT, amount DOUBLE)")
    for r in ROWS:
        execute(f"INSERT INTO touches VALUES {r!r}")
    for d in DEALS:
        execute(f"INSERT INTO deals VALUES {d!r}")


@pytest.fixture
def duckdb_file(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    _fill(con.execute)
    con.close()
    return path


def test_duckdb_file_by_path_and_by_connection(duckdb_file: Path) -> None:
    js, report = sql.read(
        TOUCHES_SQL, duckdb_file, COLS, conversions=DEALS_SQL, conversion_parameters=[0]
    )
    assert _credit(js) == EXPECTED  # '007' and '7' are two customers
    assert report.source == "sql" and report.tables == {"touches": 3, "conversions": 2}
    con = duckdb.connect(str(duckdb_file), read_only=True)
    js2, _ = sql.read(TOUCHES_SQL, con, COLS, conversions=DEALS_SQL, conversion_parameters=[0])
    con.close()
    assert _credit(js2) == EXPECTED


def test_duckdb_reads_parquet_files_named_in_the_query(tmp_path: Path, duckdb_file: Path) -> None:
    con = duckdb.connect(str(duckdb_file), read_only=True)
    con.execute(f"COPY touches TO '{tmp_path / 't.parquet'}' (FORMAT parquet)")
    con.close()
    js, _ = sql.read(
        f"SELECT * FROM '{tmp_path / 't.parquet'}'", None, COLS, allowed_directories=[tmp_path]
    )
    assert js.n_touches == 3 and js.n_journeys == 2
    with pytest.raises(sql.QueryError, match="may not read or write files"):
        sql.read(f"SELECT * FROM '{tmp_path / 't.parquet'}'", None, COLS)


# issue 21 item 7: a pipeline's query is code; it runs read-only.
@pytest.mark.parametrize("where", ["in-process", "file"])
def test_duckdb_queries_cannot_write_or_read_other_files(
    tmp_path: Path, duckdb_file: Path, where: str
) -> None:
    connection = None if where == "in-process" else duckdb_file
    victim = tmp_path / "written.csv"
    stacked = f"SELECT 1 AS x; COPY (SELECT 42) TO '{victim}'"
    with pytest.raises(sql.QueryError, match=ONE_SELECT + "SELECT, COPY"):
        sql.query_arrow(stacked, connection, allowed_directories=[tmp_path])
    with pytest.raises(sql.QueryError, match=ONE_SELECT + "COPY"):
        sql.query_arrow(f"COPY (SELECT 42) TO '{victim}'", connection)
    assert not victim.exists()
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    with pytest.raises(sql.QueryError, match="may not read or write files"):
        sql.query_arrow(f"SELECT content FROM read_text('{secret}')", connection)
    with pytest.raises(sql.QueryError, match=ONE_SELECT + "SET"):
        sql.query_arrow("SET enable_external_access = true", connection)


def test_sqlite_through_adbc() -> None:
    dbapi = pytest.importorskip("adbc_driver_sqlite.dbapi")
    con = dbapi.connect()
    cur = con.cursor()
    _fill(cur.execute)
    con.commit()
    js, _ = sql.read(TOUCHES_SQL, con, COLS, conversions=DEALS_SQL, conversion_parameters=[0])
    con.close()
    assert _credit(js) == EXPECTED


def test_plain_dbapi_sqlite3() -> None:
    con = sqlite3.connect(":memory:")
    _fill(con.execute)
    js, _ = sql.read(TOUCHES_SQL, con, COLS, conversions=DEALS_SQL, conversion_parameters=[0])
    assert _credit(js) == EXPECTED


def test_a_missing_column_is_named(duckdb_file: Path) -> None:
    with pytest.raises(SchemaError, match="missing column.s. 'med'"):
        sql.read("SELECT customer, ts, src FROM touches", duckdb_file, COLS)


def _pipeline(folder: Path, query: str) -> Path:
    path = folder / "pipeline.toml"
    path.write_text(
        "[input]\nconnector = 'sql'\nallowed_directories = ['exports']\n"
        f'query = "{query}"\n'
        "[columns]\njourney = 'customer'\ntimestamp = 'ts'\nchannel = 'med'\n"
        "[attribution]\nmodels = ['linear']\nby = ['channel']\n"
        "[outputs]\ncleaning = 'cleaning.txt'\n"
    )
    return path


def test_a_pipeline_query_reads_its_folder_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from touchcredit.cli import main

    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "t.csv").write_text("customer,ts,med\n007,2024-03-01,email\n")
    ok = _pipeline(tmp_path, f"SELECT * FROM '{tmp_path / 'exports' / 't.csv'}'")
    assert main(["run", str(ok), "--out-dir", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    outside = tmp_path / "outside.csv"
    outside.write_text("customer,ts,med\n1,2024-03-01,email\n")
    for query in (f"SELECT * FROM '{outside}'",
                  f"SELECT 1; COPY (SELECT 1) TO '{tmp_path / 'exports' / 'x.csv'}'"):  # fmt: skip
        assert main(["run", str(_pipeline(tmp_path, query))]) != 0
        err = capsys.readouterr().err
        assert "may not read or write files" in err or "one SELECT statement" in err
        assert "Traceback" not in err
    assert not (tmp_path / "exports" / "x.csv").exists()
