"""Reading touches from a real PostgreSQL server through ADBC (``sql.read`` with a URI)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pa_csv = pytest.importorskip("pyarrow.csv")
pytest.importorskip("adbc_driver_postgresql")

import touchcredit as tc  # noqa: E402
from touchcredit.connectors import Cleaning, sql  # noqa: E402

CHANNELS = np.array(["email", "paid search", "organic search", "direct", "referral", "display"])
COLS = tc.ColumnMap(
    journey="customer_id",
    timestamp="touched_at",
    channel="channel",
    conversion_time="closed_at",
    conversion_value="amount",
)
N_TOUCHES = 1_000_000


def _touches(n: int, seed: int = 7) -> dict[str, Any]:
    """Export-shaped touches: text ids (half zero-padded), microsecond instants, deals."""
    rng = np.random.default_rng(seed)
    n_journeys = n // 5
    journey = rng.integers(0, n_journeys, n)
    # "00000042" and "42" are two customers: ids are text, never numbers
    # (from 1: "0" is a placeholder identifier, which the cleaning path links to nobody)
    ids = np.array(
        [f"{j:08d}" if j % 2 else str(j) for j in range(1, n_journeys + 1)], dtype=object
    )
    start = np.datetime64("2024-01-01T00:00:00", "us")
    when = start + rng.integers(0, 90 * 86_400 * 10**6, n).astype("timedelta64[us]")
    channel = CHANNELS[rng.integers(0, CHANNELS.size, n)]
    won = np.flatnonzero(rng.random(n_journeys) < 0.4)
    last = np.full(n_journeys, start)
    np.maximum.at(last, journey, when)
    return {
        "journey": journey,
        "ids": ids,
        "when": when,
        "channel": channel,
        "deal_ids": ids[won],
        "deal_time": last[won] + np.timedelta64(3600, "s"),
        "deal_value": np.round(rng.uniform(10, 5000, won.size), 2),
    }


def _copy_in(postgres: Any, tmp_path: Path, table: str, ddl: str, data: Any) -> None:
    """Load an Arrow table with ``psql \\copy`` from a CSV (the server's COPY)."""
    path = tmp_path / f"{table}.csv"
    pa_csv.write_csv(data, path, pa_csv.WriteOptions(include_header=False))
    postgres.psql(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({ddl})")
    subprocess.run(
        [
            str(postgres.bin / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            postgres.socket_dir,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            f"\\copy {table} FROM '{path}' WITH (FORMAT csv)",
        ],
        check=True,
    )


@pytest.fixture(scope="module")
def million(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """10^6 touches and their deals in PostgreSQL (loaded by COPY), and the arrays."""
    d = _touches(N_TOUCHES)
    tmp = tmp_path_factory.mktemp("pg-million")
    touches = pa.table(
        {
            "customer_id": pa.array(d["ids"][d["journey"]], pa.string()),
            "touched_at": pa.array(d["when"], pa.timestamp("us", tz="UTC")),
            "channel": pa.array(d["channel"], pa.string()),
        }
    )
    deals = pa.table(
        {
            "customer_id": pa.array(d["deal_ids"], pa.string()),
            "closed_at": pa.array(d["deal_time"], pa.timestamp("us", tz="UTC")),
            "amount": pa.array(d["deal_value"], pa.float64()),
        }
    )
    _copy_in(
        postgres, tmp, "touches", "customer_id text, touched_at timestamptz, channel text", touches
    )
    _copy_in(
        postgres,
        tmp,
        "deals",
        "customer_id text, closed_at timestamptz, amount numeric(12, 2)",
        deals,
    )
    return d


def test_a_million_touches_read_through_adbc_give_the_in_memory_credit(
    postgres: Any, million: dict[str, Any]
) -> None:
    d = million
    js, report = sql.read(
        "SELECT customer_id, touched_at, channel FROM touches",
        postgres.uri,
        COLS,
        conversions="SELECT customer_id, closed_at, amount FROM deals",
        cleaning=Cleaning(errors="raise"),
    )
    memory = tc.JourneySet.from_arrays(
        journey_id=d["ids"][d["journey"]],
        timestamp=d["when"],
        channel=d["channel"],
        conversion_journey_id=d["deal_ids"],
        conversion_time=d["deal_time"],
        conversion_value=d["deal_value"],
    )
    assert report.source == "sql"
    assert report.tables == {"touches": N_TOUCHES, "conversions": d["deal_ids"].size}
    assert (js.n_touches, js.n_journeys) == (memory.n_touches, memory.n_journeys)
    assert js.total_value == pytest.approx(float(d["deal_value"].sum()), rel=1e-12)
    for name in tc.models.available():
        got = tc.attribute(js, name).by("channel")
        want = tc.attribute(memory, name).by("channel")
        assert dict(zip(got.labels, got.value.tolist(), strict=True)) == pytest.approx(
            dict(zip(want.labels, want.value.tolist(), strict=True)), rel=1e-9
        ), name
        assert got.unattributed_value == pytest.approx(want.unattributed_value, rel=1e-9, abs=1e-6)


def test_ids_stay_text_and_timestamptz_keeps_its_instant(postgres: Any) -> None:
    # the session's zone is New York: the instants must not move with it
    postgres.psql(
        "DROP TABLE IF EXISTS zoned; CREATE TABLE zoned (id text, at timestamptz, channel text);"
        "SET TIME ZONE 'America/New_York';"
        "INSERT INTO zoned VALUES ('007', '2024-03-01 10:00:00+05:30', 'email'),"
        " ('007', '2024-03-01 01:00:00-05:00', 'display'), ('7', '2024-03-01 04:00:00Z', 'seo');"
        "ALTER DATABASE postgres SET timezone TO 'America/New_York'"
    )
    try:
        js, _ = sql.read(
            "SELECT id, at, channel FROM zoned",
            postgres.uri,
            tc.ColumnMap(journey="id", timestamp="at", channel="channel", conversion_time="closed"),
            conversions="SELECT id, TIMESTAMPTZ '2024-03-01 05:00:00Z' AS closed FROM zoned"
            " WHERE channel <> 'seo' LIMIT 1",
        )
    finally:
        postgres.psql("ALTER DATABASE postgres RESET timezone")
    # two customers ('007' read as a number would be '7'): the deal's one has two touches
    assert js.n_journeys == 2 and np.diff(js.offsets).tolist() == [2, 1]
    utc = [datetime(2024, 3, 1, h, 30 if h == 4 else 0, tzinfo=UTC) for h in (4, 6)]
    got = js.timestamp[: js.offsets[1]].astype("datetime64[us]").tolist()
    assert [t.replace(tzinfo=UTC) for t in got] == utc
    # 04:30Z email is before the 05:00Z deal, 06:00Z display after it: email takes it
    credit = tc.attribute(js, "last_touch").by("channel").to_dict()
    assert credit["email"] == 1.0 and credit.get("display", 0.0) == 0.0


def test_queries_run_in_a_read_only_transaction(postgres: Any) -> None:
    postgres.psql(
        "DROP TABLE IF EXISTS keep; CREATE TABLE keep (id text, at timestamptz);"
        "INSERT INTO keep VALUES ('1', now())"
    )
    cols = tc.ColumnMap(journey="id", timestamp="at", channel=None)
    with pytest.raises(Exception, match="read-only transaction"):
        sql.read(
            "WITH gone AS (DELETE FROM keep RETURNING *) SELECT * FROM gone", postgres.uri, cols
        )
    with pytest.raises(Exception, match="multiple commands"):
        sql.read("SELECT * FROM keep; DROP TABLE keep", postgres.uri, cols)
    assert postgres.psql("SELECT count(*) FROM keep") == "1"


def test_an_open_adbc_connection_works_too(postgres: Any) -> None:
    dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")
    postgres.psql(
        "DROP TABLE IF EXISTS t2; CREATE TABLE t2 (id text, at timestamptz, ch text);"
        "INSERT INTO t2 VALUES ('01', '2024-01-01Z', 'email'),"
        " ('1', '2024-01-02Z', 'seo')"
    )
    with dbapi.connect(postgres.uri) as conn:
        js, _ = sql.read(
            "SELECT id, at, ch FROM t2 WHERE at >= $1",
            conn,
            tc.ColumnMap(journey="id", timestamp="at", channel="ch"),
            parameters=[datetime(2024, 1, 1, tzinfo=UTC)],
        )
    assert js.n_journeys == 2 and js.n_touches == 2  # '01' and '1': two customers
