"""Benchmark touchcredit.io.spark.attribute against a plain Spark job of the same movement.

Usage::

    python benchmarks/bench_spark.py --touches 1e7 --models linear,markov --master "local[2]"

Generates touches inside Spark (no driver-side data; 5 touches per journey, a
conversion on every second journey), caches them, then times in the same session:

* **floor**: a plain Spark job with the same data movement as ``attribute``: touches
  and conversions tagged and unioned, ``repartition(P, journey)``,
  ``sortWithinPartitions(journey, time)``, every partition handed to ``mapInArrow`` as
  ONE Arrow table (its batches concatenated) which comes back whole with a float
  column added, then a per-channel sum collected;
* ``attribute`` per model, with ``validate=True`` (the default) and ``False``: the
  whole job to per-channel totals (``res.totals("channel").collect()``: validation,
  the fitting pass of a data-driven model, the shuffle, crediting every touch, the sum);
* the in-memory library on numpy arrays of the same shape (``JourneySet.from_arrays``
  + ``attribute(...).by("channel")``), for scale.

Prints one Markdown table (wall seconds; ``x floor`` = time / floor time).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import parse_sizes

CHANNELS = ["direct", "email", "paid", "seo", "social", "display"]
START = 1_700_000_000


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def floor_job(touches: Any, conversions: Any, partitions: int) -> Callable[[], Any]:
    """The plain Spark job: tag, union, shuffle by journey, sort, one Arrow table per
    partition through mapInArrow (returned whole, plus a column), sum per channel."""
    import pyarrow as pa
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from touchcredit.io.spark.stream import quiet_pandas_warning

    stream = touches.select(
        F.lit(0).cast("byte").alias("kind"),
        "journey_id",
        "timestamp",
        "channel",
        F.lit(None).cast("double").alias("value"),
    ).unionByName(
        conversions.select(
            F.lit(1).cast("byte").alias("kind"),
            "journey_id",
            "timestamp",
            F.lit(None).cast("string").alias("channel"),
            "value",
        )
    )
    schema = T.StructType([*stream.schema.fields, T.StructField("credit", T.DoubleType())])

    def per_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches))  # one table per partition
        credit = pa.array(np.ones(table.num_rows))
        yield from table.append_column("credit", credit).to_batches()

    def run() -> Any:
        with quiet_pandas_warning():
            out = (
                stream.repartition(partitions, "journey_id")
                .sortWithinPartitions("journey_id", "timestamp")
                .mapInArrow(per_partition, schema)
            )
        return out.filter(F.col("kind") == 0).groupBy("channel").agg(F.sum("credit")).collect()

    return run


def in_memory(n: int, n_journeys: int, model: str, seed: int) -> float:
    """The same shape of data with numpy; seconds of build + attribute + by."""
    import touchcredit as tc

    rng = np.random.default_rng(seed)
    jid = np.arange(n, dtype=np.int64) % n_journeys
    ts = (START + (rng.random(n) * 86400 * 90).astype(np.int64)).astype("datetime64[s]")
    ch = np.array(CHANNELS, dtype=object)[rng.integers(0, 6, n)]
    cj = np.arange(n_journeys // 2, dtype=np.int64) * 2
    ct = np.full(cj.size, START + 86400 * 60).astype("datetime64[s]")
    cv = rng.random(cj.size) * 100

    def run() -> None:
        js = tc.JourneySet.from_arrays(
            jid, ts, ch, conversion_journey_id=cj, conversion_time=ct, conversion_value=cv
        )
        tc.attribute(js, model).by("channel")

    return min(timed(run) for _ in range(2))


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from touchcredit.io import spark as tcs

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--touches", default="1e6")
    p.add_argument("--touches-per-journey", type=int, default=5)
    p.add_argument("--models", default="linear,markov")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=8)
    p.add_argument(
        "--batch-rows",
        type=int,
        default=0,
        help="spark.sql.execution.arrow.maxRecordsPerBatch (0: Spark's default)",
    )
    p.add_argument("--no-validate-runs", action="store_true", help="skip validate=False runs")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    n = parse_sizes(a.touches)[0]

    builder = (
        SparkSession.builder.master(a.master)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", str(a.partitions))
        .config("spark.driver.memory", "6g")
    )
    if a.batch_rows:
        builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(a.batch_rows))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    n_journeys = max(1, n // a.touches_per_journey)
    channels = F.array(*[F.lit(c) for c in CHANNELS])
    touches = spark.range(n).select(
        (F.col("id") % n_journeys).alias("journey_id"),
        F.timestamp_seconds(F.lit(START) + (F.rand(a.seed) * 86400 * 90).cast("long")).alias(
            "timestamp"
        ),
        F.element_at(channels, (F.rand(a.seed + 1) * 6).cast("int") + 1).alias("channel"),
    )
    conversions = spark.range(n_journeys // 2).select(
        (F.col("id") * 2).alias("journey_id"),
        F.timestamp_seconds(F.lit(START + 86400 * 60)).alias("timestamp"),
        (F.rand(a.seed + 2) * 100).alias("value"),
    )
    touches = touches.cache()
    conversions = conversions.cache()
    print(
        f"touches={touches.count():,} conversions={conversions.count():,} "
        f"master={a.master} partitions={a.partitions}",
        file=sys.stderr,
    )

    def ours(model: str, validate: bool) -> Callable[[], Any]:
        def run() -> Any:
            res = tcs.attribute(
                touches,
                model,
                conversions=conversions,
                conversion_time="timestamp",
                conversion_value="value",
                num_partitions=a.partitions,
                validate=validate,
            )
            return res.totals("channel").collect()

        return run

    floor = floor_job(touches, conversions, a.partitions)
    floor()  # warm-up: Python workers, code paths
    rows: list[tuple[str, float]] = [("floor: plain Spark job (same movement)", timed(floor))]
    print(f"  {rows[-1][0]}: {rows[-1][1]:.1f} s", file=sys.stderr)
    for model in a.models.split(","):
        for validate in (True, False)[: 1 if a.no_validate_runs else 2]:
            name = f"attribute({model!r}, validate={validate})"
            rows.append((name, timed(ours(model, validate))))
            print(f"  {name}: {rows[-1][1]:.1f} s", file=sys.stderr)
    rows.append(("floor again (drift check)", timed(floor)))
    spark.stop()
    for model in a.models.split(","):
        rows.append(
            (
                f"in memory: from_arrays + attribute({model!r})",
                in_memory(n, n_journeys, model, a.seed),
            )
        )
    base = rows[0][1]
    print(f"\n{n:,} touches, {a.master}, {a.partitions} partitions\n")
    print("| job | wall (s) | x floor |")
    print("|---|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.1f} | {t / base:.2f} |")


if __name__ == "__main__":
    main()
