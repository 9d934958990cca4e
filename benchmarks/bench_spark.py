"""Benchmark touchcredit.io.spark.attribute on a local Spark session (seeded data).

Usage::

    python benchmarks/bench_spark.py --touches 1000000 --model linear --master "local[2]"

Generates touches inside Spark (no driver-side data), then times the full job:
shuffle by journey, one vectorized call per partition, and a write of the
per-touch credits to the ``noop`` sink; then the channel totals.
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one line per measured step."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from touchcredit.io import spark as tcs

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--touches", type=int, default=1_000_000)
    p.add_argument("--touches-per-journey", type=int, default=5)
    p.add_argument("--model", default="linear")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)

    spark = (
        SparkSession.builder.master(a.master)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", str(a.partitions))
        .config("spark.driver.memory", "6g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    n_journeys = max(1, a.touches // a.touches_per_journey)
    channels = F.array(*[F.lit(c) for c in ["direct", "email", "paid", "seo", "social", "display"]])
    touches = spark.range(a.touches).select(
        (F.col("id") % n_journeys).alias("journey_id"),
        F.timestamp_seconds(
            F.lit(1_700_000_000) + (F.rand(a.seed) * 86400 * 90).cast("long")
        ).alias("timestamp"),
        F.element_at(channels, (F.rand(a.seed + 1) * 6).cast("int") + 1).alias("channel"),
    )
    conversions = spark.range(n_journeys // 2).select(
        (F.col("id") * 2).alias("journey_id"),
        F.timestamp_seconds(F.lit(1_700_000_000 + 86400 * 60)).alias("timestamp"),
        (F.rand(a.seed + 2) * 100).alias("value"),
    )
    touches = touches.cache()
    conversions = conversions.cache()
    print(f"touches={touches.count()} conversions={conversions.count()} model={a.model}")

    t0 = time.perf_counter()
    res = tcs.attribute(
        touches,
        a.model,
        conversions=conversions,
        conversion_time="timestamp",
        conversion_value="value",
        num_partitions=a.partitions,
        validate=True,
    ).persist()
    res.frame.write.format("noop").mode("overwrite").save()
    t1 = time.perf_counter()
    rows = res.totals("channel").collect()
    t2 = time.perf_counter()
    print(f"attribute (fit + validate + shuffle + credit all touches): {t1 - t0:.1f} s")
    print(f"totals by channel: {t2 - t1:.1f} s ({len(rows)} labels)")
    spark.stop()


if __name__ == "__main__":
    main()
