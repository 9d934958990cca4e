"""Credit back into a real PostgreSQL server: ``[outputs] database``, ``to_database``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")

import touchcredit as tc  # noqa: E402
from touchcredit.cli import main  # noqa: E402
from touchcredit.core.warehouse import write_tables  # noqa: E402

TOTAL = 1234.5


@pytest.fixture
def crm(postgres: Any) -> Any:
    """A small CRM in PostgreSQL: touches, won deals (numeric money), text ids."""
    postgres.psql(
        "DROP SCHEMA IF EXISTS crm CASCADE; DROP SCHEMA IF EXISTS analytics CASCADE;"
        "CREATE SCHEMA crm; CREATE SCHEMA analytics;"
        "CREATE TABLE crm.touches (customer text, at timestamptz, source text, channel text);"
        "INSERT INTO crm.touches VALUES"
        " ('007', '2024-03-01 09:00+01', 'google', 'paid search'),"
        " ('007', '2024-03-02 10:00Z', 'newsletter', 'email'),"
        " ('7', '2024-03-03 10:00Z', 'facebook', 'paid social'),"
        " ('0042', '2024-03-04 10:00Z', 'google', 'organic search');"
        "CREATE TABLE crm.deals (customer text, closed timestamptz, amount numeric(12, 2));"
        "INSERT INTO crm.deals VALUES ('007', '2024-03-05Z', 1000.25),"
        " ('7', '2024-03-06Z', 200.25), ('0042', '2024-03-07Z', 24.00),"
        " ('99', '2024-03-07Z', 10.00)"
    )
    return postgres


def _pipeline(tmp_path: Path, uri: str, mode: str = "replace") -> Path:
    path = tmp_path / "pipeline.toml"
    path.write_text(f"""
[input]
connector = "sql"
connection = "{uri}"
query = "SELECT customer, at, source, channel FROM crm.touches"
conversions = "SELECT customer, closed, amount FROM crm.deals"

[columns]
journey = "customer"
timestamp = "at"
channel = "channel"
source = "source"
conversion_time = "closed"
conversion_value = "amount"

[attribution]
models = ["last_touch", "linear", "markov"]
by = ["channel", "source"]

[outputs]
credit = "credit.csv"
database = "{uri}"
database_mode = "{mode}"
credit_table = "analytics.credit"
kpis_table = "analytics.kpis"
""")
    return path


def _rows(postgres: Any, sql: str) -> list[list[str]]:
    out = postgres.psql(sql)
    return [line.split("|") for line in out.splitlines()] if out else []


def test_the_pipelines_credit_table_sums_to_the_conversion_value(
    crm: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = _pipeline(tmp_path, crm.uri)
    assert main(["run", str(pipeline)]) == 0, capsys.readouterr().err
    assert "written: table analytics.credit (replace)" in capsys.readouterr().out
    sums = _rows(crm, "SELECT model, dimension, sum(value) FROM analytics.credit GROUP BY 1, 2")
    assert len(sums) == 6  # 3 models x 2 dimensions
    assert all(float(s[2]) == pytest.approx(TOTAL) for s in sums)
    unattributed = _rows(
        crm, "SELECT DISTINCT value FROM analytics.credit WHERE label = '(unattributed)'"
    )
    assert unattributed == [["10"]]  # customer '99' has no touch: reported, not dropped
    assert _rows(crm, "SELECT count(*) FROM analytics.kpis") != [["0"]]
    # a second run appends, or replaces
    main(["run", str(_pipeline(tmp_path, crm.uri, "append"))])
    assert _rows(
        crm,
        "SELECT sum(value) FROM analytics.credit WHERE model = 'linear' AND dimension = 'channel'",
    ) == [["2469"]]
    main(["run", str(_pipeline(tmp_path, crm.uri, "replace"))])
    assert _rows(
        crm,
        "SELECT sum(value) FROM analytics.credit WHERE model = 'linear' AND dimension = 'channel'",
    ) == [["1234.5"]]


def test_a_run_killed_mid_write_leaves_the_previous_tables(crm: Any, tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, crm.uri)
    assert main(["run", str(pipeline)]) == 0
    before = _rows(crm, "SELECT * FROM analytics.credit ORDER BY 1, 2, 3")
    crm.psql("UPDATE crm.deals SET amount = amount * 2")  # the next run's credit differs
    # hold analytics.kpis: the run writes analytics.credit, then waits on kpis mid-transaction
    blocker = dbapi.connect(crm.uri)
    cur = blocker.cursor()
    cur.execute("LOCK TABLE analytics.kpis IN ACCESS EXCLUSIVE MODE")
    run = subprocess.Popen(
        [sys.executable, "-m", "touchcredit", "run", str(pipeline)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        waiting = "0"
        for _ in range(600):  # until its transaction waits for the lock on kpis (<= 60 s)
            waiting = crm.psql(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND query ILIKE 'DROP%'"
            )
            if waiting != "0" or run.poll() is not None:
                break
            time.sleep(0.1)
        assert waiting == "1", run.stderr.read() if run.stderr else ""
        run.send_signal(signal.SIGKILL)
        run.wait()
    finally:
        run.kill()
        blocker.rollback()
        cur.close()
        blocker.close()
    assert run.returncode == -signal.SIGKILL
    assert _rows(crm, "SELECT * FROM analytics.credit ORDER BY 1, 2, 3") == before


def test_a_failed_write_commits_nothing(crm: Any) -> None:
    write_tables(
        crm.uri, {"analytics.a": pa.table({"x": [1.0]}), "analytics.b": pa.table({"y": [1.0]})}
    )
    bad = pa.table({"y": pa.array(["not a number"])})  # appending text to a float column fails
    with pytest.raises(Exception, match="COPY"):
        write_tables(
            crm.uri, {"analytics.a": pa.table({"x": [2.0, 3.0]}), "analytics.b": bad}, mode="append"
        )
    assert _rows(crm, "SELECT x FROM analytics.a") == [["1"]]


def test_credit_table_to_database(crm: Any) -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=["007", "007", "7"],
        timestamp=[1, 2, 3],
        channel=["seo", "email", None],
        conversion_journey_id=["007", "7", "8"],
        conversion_time=[4, 4, 4],
        conversion_value=[100.0, 20.0, 5.0],
        unit="s",
        currency="EUR",
    )
    table = tc.attribute(js, "linear").by("channel")
    table.to_database(crm.uri, "analytics.linear")
    rows = _rows(crm, "SELECT channel, value, conversions, model, currency FROM analytics.linear")
    assert sorted(rows) == sorted(
        [
            ["email", "50", "0.5", "linear", "EUR"],
            ["seo", "50", "0.5", "linear", "EUR"],
            ["", "20", "1", "linear", "EUR"],
            ["(unattributed)", "5", "1", "linear", "EUR"],
        ]
    )
    with pytest.raises(ValueError, match="must be 'table' or 'schema.table'"):
        table.to_database(crm.uri, "credit; DROP TABLE x")
