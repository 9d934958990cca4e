"""Benchmark: a touch CSV and a conversion CSV to a JourneySet (issue 17, target 3).

Run: ``python benchmarks/bench_csv.py`` (``--touches 1e7`` by default, ``--repeat 2``,
``--profile`` for a cProfile of one build, ``--shape`` for the timestamp text).

The seeded table of ``benchmarks/_data.py`` is written once to a temporary directory
(``--dir`` to keep it between runs) as two CSV files: string journey ids with leading
zeros (``"000012345678"``), ISO 8601 timestamps as text, string channel, source and
campaign columns; conversions with the same ids, an ISO time and a value. The timed path
is the user's: read both files with pyarrow's CSV reader, ids and times as text (the
rule of :mod:`touchcredit.connectors.files`: ids never become numbers), then
``JourneySet.from_frame``. The split beside the total times the steps one by one on the
same tables: the read, the time parsing (both time columns), the label and id columns
(read as codes and factorized) and the rest of the build (total build minus those).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import make_touches
from touchcredit import ColumnMap, JourneySet
from touchcredit.core.frame_input import read_columns, times_of
from touchcredit.core.time import TimeRule

#: Timestamp text shapes (pyarrow strftime formats; "%S" prints fractional seconds).
SHAPES = {
    "Z": "%Y-%m-%dT%H:%M:%SZ",  # 2024-03-15T14:30:05.123456Z
    "T": "%Y-%m-%dT%H:%M:%S",  # 2024-03-15T14:30:05.123456
    "space": "%Y-%m-%d %H:%M:%S",  # 2024-03-15 14:30:05.123456 (warehouse exports)
    "offset": "%Y-%m-%dT%H:%M:%S+01:00",
}
COLUMNS = ColumnMap(
    journey="journey_id",
    timestamp="timestamp",
    channel="channel",
    source="source",
    campaign="campaign",
    conversion_time="conversion_time",
    conversion_value="conversion_value",
)
TEXT = ("journey_id", "timestamp", "channel", "source", "campaign", "conversion_time")


def write_csvs(n: int, seed: int, shape: str, unit: str, folder: Path) -> tuple[Path, Path]:
    """Write the seeded table as touches.csv and conversions.csv (once per settings)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    stem = f"{n}-{seed}-{shape}-{unit}"
    touches, conversions = folder / f"touches-{stem}.csv", folder / f"conversions-{stem}.csv"
    if touches.exists() and conversions.exists():
        return touches, conversions
    t = make_touches(n, seed=seed)

    def ids(values: np.ndarray[Any, Any]) -> Any:
        return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), 12, "0")

    def times(values: np.ndarray[Any, Any]) -> Any:
        stamps = pa.array(values.astype(f"datetime64[{unit}]"))
        return pc.strftime(stamps, format=SHAPES[shape])

    csv.write_csv(
        pa.table(
            {
                "journey_id": ids(t.journey_id),
                "timestamp": times(t.timestamp),
                "channel": pa.array(t.channel, pa.string()),
                "source": pa.array(t.source, pa.string()),
                "campaign": pa.array(t.campaign, pa.string()),
            }
        ),
        touches,
    )
    csv.write_csv(
        pa.table(
            {
                "journey_id": ids(t.conversion_journey_id),
                "conversion_time": times(t.conversion_time),
                "conversion_value": pa.array(t.conversion_value),
            }
        ),
        conversions,
    )
    return touches, conversions


def read(path: Path) -> Any:
    """One CSV as an Arrow table, the id and time columns as text."""
    from touchcredit.connectors.files import read_table

    return read_table(path, table=path.stem, text=TEXT)


def build(touches: Any, conversions: Any) -> JourneySet:
    return JourneySet.from_frame(touches, conversions, columns=COLUMNS)


def end_to_end(paths: tuple[Path, Path]) -> JourneySet:
    return build(read(paths[0]), read(paths[1]))


def timed(fn: Callable[[], Any]) -> tuple[tuple[float, float], Any]:
    """((wall, CPU) seconds, result): CPU time counts every thread of the process."""
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0, time.process_time() - c0), out


def split(paths: tuple[Path, Path]) -> dict[str, tuple[float, float]]:
    """The steps of one read + build, timed one by one (wall, CPU)."""
    out: dict[str, tuple[float, float]] = {}
    out["read"], (touches, conversions) = timed(lambda: (read(paths[0]), read(paths[1])))
    rule = TimeRule()

    def parse() -> None:
        for table, name in ((touches, "timestamp"), (conversions, "conversion_time")):
            try:  # text time columns stay Arrow text
                got = read_columns(table, {"t": name}, times=["t"])["t"]
            except TypeError:  # before they did (for a before/after run)
                got = read_columns(table, {"t": name})["t"]
            times_of(got, name, rule)

    def labels() -> None:
        roles = {r: r for r in ("journey_id", "channel", "source", "campaign")}
        read_columns(touches, roles)
        read_columns(conversions, {"journey_id": "journey_id"})

    out["time parsing"], _ = timed(parse)
    out["ids + labels to codes"], _ = timed(labels)
    out["build (whole from_frame)"], _ = timed(lambda: build(touches, conversions))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--touches", type=float, default=1e7)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="Z")
    ap.add_argument("--unit", choices=("s", "ms", "us"), default="s")
    ap.add_argument("--dir", type=Path, default=None, help="keep the CSV files here")
    ap.add_argument("--profile", action="store_true", help="cProfile one read + build")
    args = ap.parse_args(argv)
    n = int(args.touches)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-csv-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_csvs(n, args.seed, args.shape, args.unit, folder)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{n:,} touches; CSV {size:,.0f} MB in {folder}; times like {_first_time(paths[0])}")
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(end_to_end, paths)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        return
    wall, cpu = min(timed(lambda: end_to_end(paths))[0] for _ in range(args.repeat))
    print(f"read + build, best of {args.repeat}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    for step, (wall, cpu) in split(paths).items():
        print(f"  {step:<26} {wall:6.2f} s wall {cpu:6.2f} s CPU")


def _first_time(path: Path) -> str:
    with path.open() as f:
        f.readline()
        return f.readline().split(",")[1]


if __name__ == "__main__":
    main()
