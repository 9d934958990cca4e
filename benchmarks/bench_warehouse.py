"""Benchmark: touches out of PostgreSQL through ADBC (Arrow batches) against ``psql \\copy``.

Usage::

    python benchmarks/bench_warehouse.py --touches 1e7

Starts a throwaway PostgreSQL cluster on a Unix socket (``tests/warehouse/pgcluster.py``;
needs the server binaries: ``scripts/install-postgres.sh``), loads the seeded touch table
of ``benchmarks/_data.py`` (journey ids as text, ``timestamptz``, channel, source,
campaign) and its conversions with ADBC bulk ingest, then times, best of ``--repeat``:

* ``psql \\copy (SELECT ...) TO file CSV``: the server's text COPY to a CSV file, the
  plain export a user would start from;
* ``sql.query_arrow(query, uri)``: the same query through ADBC into one Arrow table
  (binary COPY, Arrow record batches, read-only transaction);
* ``sql.read(query, uri, ...)``: the same plus the conversions query and the whole
  cleaning path of every connector, to a JourneySet.

Wall and CPU time of this process are printed (the machine may be shared); ``psql`` runs
in a child process, so its CPU time is the child's.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _data import make_touches, parse_sizes  # noqa: E402


def _pgcluster() -> Any:
    path = HERE.parent / "tests" / "warehouse" / "pgcluster.py"
    spec = importlib.util.spec_from_file_location("touchcredit_pgcluster", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run)."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        best = min(best, (wall, cpu))
    return best


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark; print one Markdown table."""
    import pyarrow as pa

    import touchcredit as tc
    from touchcredit.connectors import sql
    from touchcredit.core.warehouse import write_tables

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--touches", default="1e6")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    n = parse_sizes(a.touches)[0]
    t = make_touches(n, seed=a.seed)
    touches = pa.table(
        {
            "journey_id": pa.array(t.journey_id.astype(str), pa.string()),
            "touched_at": pa.array(t.timestamp, pa.timestamp("us", tz="UTC")),
            "channel": pa.array(t.channel, pa.string()),
            "source": pa.array(t.source, pa.string()),
            "campaign": pa.array(t.campaign, pa.string()),
        }
    )
    conversions = pa.table(
        {
            "journey_id": pa.array(t.conversion_journey_id.astype(str), pa.string()),
            "closed_at": pa.array(t.conversion_time, pa.timestamp("us", tz="UTC")),
            "amount": pa.array(t.conversion_value, pa.float64()),
        }
    )
    cluster = _pgcluster().start()
    try:
        t0 = time.perf_counter()
        write_tables(cluster.uri, {"touches": touches, "conversions": conversions})
        load = time.perf_counter() - t0
        size = cluster.psql("SELECT pg_size_pretty(pg_total_relation_size('touches'))")
        query = "SELECT journey_id, touched_at, channel, source, campaign FROM touches"
        out = Path(tempfile.mkdtemp(prefix="tcbench-")) / "touches.csv"

        def psql_copy() -> None:
            subprocess.run(
                [
                    str(cluster.bin / "psql"),
                    "-X",
                    "-q",
                    "-h",
                    cluster.socket_dir,
                    "-U",
                    "postgres",
                    "-d",
                    "postgres",
                    "-c",
                    f"\\copy ({query}) TO '{out}' CSV HEADER",
                ],
                check=True,
            )

        def arrow() -> None:
            table = sql.query_arrow(query, cluster.uri)
            assert table.num_rows == n

        cols = tc.ColumnMap(
            journey="journey_id",
            timestamp="touched_at",
            channel="channel",
            source="source",
            campaign="campaign",
            conversion_time="closed_at",
            conversion_value="amount",
        )

        def read() -> None:
            js, _ = sql.read(
                query,
                cluster.uri,
                cols,
                conversions="SELECT journey_id, closed_at, amount FROM conversions",
            )
            assert js.n_touches == n

        rows = [
            ("psql \\copy to CSV (text COPY)", best_of(psql_copy, a.repeat)),
            ("sql.query_arrow (ADBC, Arrow batches)", best_of(arrow, a.repeat)),
            ("sql.read (+ conversions, cleaning, JourneySet)", best_of(read, a.repeat)),
        ]
        csv_mb = out.stat().st_size / 1e6
        out.unlink()
    finally:
        cluster.stop()
    base = rows[0][1][0]
    print(
        f"{n:,} touches ({size} in PostgreSQL; CSV {csv_mb:,.0f} MB); loaded by ADBC "
        f"ingest in {load:.1f} s; best of {a.repeat}; machine: {os.cpu_count()} cores\n"
    )
    print("| step | wall (s) | CPU (s) | M rows/s | x psql \\copy |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {n / wall / 1e6:.1f} | {wall / base:.2f} |")


if __name__ == "__main__":
    main()
