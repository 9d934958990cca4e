"""``touchcredit paths``: how the journeys of a touch table convert.

Prints the top converting paths, assisted conversions per label, path lengths and time
lags (:mod:`touchcredit.paths`); ``--out`` writes them as one long table
(:func:`path_rows`, also the pipeline's ``[outputs] paths``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.cli import attribute as _attribute
from touchcredit.cli import connect
from touchcredit.cli.common import DefaultsFormatter, UsageError, progress

__all__ = ["add_parser", "path_rows", "run"]

Columns = dict[str, npt.NDArray[Any]]


def add_parser(sub: Any) -> None:
    """Add the ``paths`` command to the subparsers ``sub``."""
    p = sub.add_parser(
        "paths",
        help="how journeys convert: top paths, assisted conversions, path lengths, time lags",
        description="Top converting paths, assisted conversions per label, path lengths and "
        "time lags of the conversions of --conversions over the touches of FILE.",
        formatter_class=DefaultsFormatter,
    )
    _attribute.input_flags(p)
    p.add_argument(
        "--by",
        choices=("channel", "source", "campaign", "method"),
        default="channel",
        help="the label of paths and assists",
    )
    p.add_argument("--top", type=int, default=10, metavar="K", help="how many top paths")
    p.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write the tables as one long table (.csv/.parquet)",
    )
    connect.add_flags(p)
    p.set_defaults(func=run)


def path_rows(journeys: Any, by: Sequence[str] = ("channel",), lookback: Any = None) -> Columns:
    """Assisted conversions (per label of each of ``by``), path lengths and time lags as
    one long table: ``table``, ``dimension``, ``key``, ``measure``, ``conversions``,
    ``value``.

    ``table`` is ``assisted``, ``path_length`` or ``time_lag``; ``measure`` is
    ``last_touch`` or ``assisted`` in the assisted rows and ``conversions`` elsewhere.

    Examples
    --------
    >>> from touchcredit import JourneySet
    >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1], channel=["a", "b"],
    ...     conversion_journey_id=[1], conversion_time=[2], unit="s")
    >>> rows = path_rows(js)
    >>> rows["table"][:2].tolist(), rows["key"][:2].tolist(), rows["measure"][:2].tolist()
    (['assisted', 'assisted'], ['a', 'a'], ['last_touch', 'assisted'])
    """
    from touchcredit.kpi.conversion_paths import assisted, path_lengths, time_lags

    out: dict[str, list[Any]] = {
        k: [] for k in ("table", "dimension", "key", "measure", "conversions", "value")
    }

    def add(table: str, dim: str, key: Any, measure: str, conv: float, value: float) -> None:
        for k, v in zip(out, (table, dim, key, measure, float(conv), float(value)), strict=True):
            out[k].append(v)

    for dim in by:
        t = assisted(journeys, by=dim, lookback=lookback)
        for i in range(len(t)):
            key = "(not recorded)" if t[dim][i] is None else str(t[dim][i])
            add(
                "assisted",
                dim,
                key,
                "last_touch",
                t["last_touch_conversions"][i],
                t["last_touch_value"][i],
            )
            add(
                "assisted",
                dim,
                key,
                "assisted",
                t["assisted_conversions"][i],
                t["assisted_value"][i],
            )
    lengths = path_lengths(journeys, lookback=lookback)
    for i in range(len(lengths)):
        add(
            "path_length",
            "",
            str(lengths["length"][i]),
            "conversions",
            lengths["conversions"][i],
            lengths["value"][i],
        )
    lags = time_lags(journeys, lookback=lookback)
    for i in range(len(lags)):
        add(
            "time_lag", "", lags["days"][i], "conversions", lags["conversions"][i], lags["value"][i]
        )
    cols: Columns = {}
    for k in ("table", "dimension", "key", "measure"):
        col = np.empty(len(out[k]), dtype=object)
        col[:] = out[k]
        cols[k] = col
    cols["conversions"] = np.asarray(out["conversions"], dtype=np.float64)
    cols["value"] = np.asarray(out["value"], dtype=np.float64)
    return cols


def run(args: argparse.Namespace) -> int:
    """Read the tables, build journeys, print (and write) the path tables."""
    from touchcredit.io import frames
    from touchcredit.io.atomic import atomic_path
    from touchcredit.kpi.conversion_paths import assisted, path_lengths, time_lags
    from touchcredit.kpi.paths import top_paths

    if args.out and not args.out.lower().endswith((".csv", ".parquet", ".pq")):
        raise UsageError(f"--out must name a .csv or .parquet file, got {args.out!r}")
    if args.half_life is not None:
        raise UsageError("--half-life applies to `touchcredit attribute --model time_decay`")
    if args.top < 1:
        raise UsageError(f"--top must be a positive number, got {args.top}")
    lookback = None if args.lookback is None else connect.duration(args.lookback, "--lookback")
    with progress(3, "touchcredit paths") as bar:
        bar.step("read")
        journeys, cleaning = _attribute.read_journeys(args)
        bar.step("paths")
        tables = [
            top_paths(
                journeys, by=args.by, k=args.top, until_conversion=True, converting_only=True
            ),
            assisted(journeys, by=args.by, lookback=lookback),
            path_lengths(journeys, lookback=lookback),
            time_lags(journeys, lookback=lookback),
        ]
        if args.out:
            with atomic_path(args.out) as tmp:
                rows = path_rows(journeys, (args.by,), lookback)
                frames.write_table(rows, tmp, format=frames.table_format(args.out))
        bar.step("done")
    print("\n\n".join(str(t) for t in tables))
    if cleaning is not None:
        print(f"\n{cleaning}")
    if args.out:
        print(f"written to {args.out}")
    return 0
