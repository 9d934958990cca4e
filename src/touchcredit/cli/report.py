"""``touchcredit report``: the HTML report of the bundled example data or of your tables."""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

import numpy as np

from touchcredit.cli import crm_flags
from touchcredit.cli.common import (
    UsageError,
    default_column,
    model_names,
    read_touch_files,
    time_zone,
)

__all__ = ["add_parser", "read_csv_columns", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``report`` command to the subparsers ``sub``."""
    rep = sub.add_parser(
        "report",
        help="write the HTML report (example data, or your touch/lead/spend tables)",
        description=(
            "Write one self-contained HTML page: headline KPIs, credit per model, monthly "
            "KPIs by source, funnel, top paths, time to convert, cleaning. Without FILE, "
            "the bundled example data."
        ),
    )
    rep.add_argument("file", metavar="FILE", nargs="?", help="touches: CSV or Parquet")
    rep.add_argument("--conversions", metavar="FILE", help="conversions: CSV or Parquet")
    rep.add_argument(
        "--currency", default="USD", help="currency of conversion values, deals and spend"
    )
    rep.add_argument("--out", "-o", default="report.html", metavar="FILE", help="the HTML file")
    rep.add_argument(
        "--models",
        default="first_touch,last_touch,linear,markov",
        help="comma-separated model names (see `touchcredit models`)",
    )
    rep.add_argument("--by", default="channel,source", help="credit dimensions, comma-separated")
    rep.add_argument("--bootstrap", type=int, default=0, metavar="N", help="resamples (0: none)")
    rep.add_argument("--period", choices=("quarter", "month"), default="quarter")
    rep.add_argument("--title", default=None, help="heading of the page")
    rep.add_argument("--journey", default="journey_id", metavar="COL")
    rep.add_argument("--timestamp", default="timestamp", metavar="COL")
    rep.add_argument("--channel", default="channel", metavar="COL")
    rep.add_argument("--source", default=None, metavar="COL")
    rep.add_argument("--conversion-journey", default=None, metavar="COL")
    rep.add_argument("--conversion-time", default="conversion_time", metavar="COL")
    rep.add_argument("--conversion-value", default=None, metavar="COL")
    rep.add_argument(
        "--tz", default=None, type=time_zone, help="time zone of naive times (default UTC)"
    )
    rep.add_argument(
        "--time-unit",
        choices=("s", "ms", "us", "ns"),
        default=None,
        help="unit of epoch-number times (default: the one unit putting them in 1990-2100)",
    )
    crm_flags.add_flags(rep, conversions=False)
    rep.set_defaults(func=run)


def read_csv_columns(path: str, what: str, required: tuple[str, ...]) -> dict[str, Any]:
    """A CSV file as a dict of object columns (empty cells are None), checking ``required``."""
    from touchcredit.io.frames import csv_encoding, duplicated_columns

    encoding = "utf-16" if csv_encoding(path) == "utf-16" else "utf-8-sig"
    with Path(path).open(newline="", encoding=encoding) as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise UsageError(f"--{what}: {path} is empty (expected a header row)")
    header, body = rows[0], rows[1:]
    dup = duplicated_columns(header)
    if dup:
        names = ", ".join(repr(c) for c in dup)
        raise UsageError(f"--{what}: {path}: column(s) {names} appear more than once in the header")
    missing = [c for c in required if c not in header]
    if missing:
        raise UsageError(f"--{what}: {path} lacks column(s) {', '.join(missing)}")
    out: dict[str, Any] = {}
    for j, name in enumerate(header):
        col = np.empty(len(body), dtype=object)
        col[:] = [(r[j] if j < len(r) and r[j] != "" else None) for r in body]
        out[name] = col
    return out


def _journeys(args: argparse.Namespace) -> Any:
    from touchcredit.core.frame_input import column_names
    from touchcredit.core.store import JourneySet

    touches, conversions = read_touch_files(
        args, needs="FILE needs --conversions (the leads or won deals to credit)"
    )
    found = column_names(touches)
    return JourneySet.from_frame(
        touches,
        conversions,
        journey=args.journey,
        timestamp=args.timestamp,
        channel=args.channel,
        source=default_column(found, args.source, "source"),
        campaign=default_column(found, None, "campaign"),
        method=default_column(found, None, "method"),
        conversion_journey=args.conversion_journey,
        conversion_time=args.conversion_time,
        conversion_value=args.conversion_value,
        default_tz=args.tz,
        unit=args.time_unit,
        target="revenue" if args.conversion_value else "conversions",
        currency=args.currency if args.conversion_value else None,
    )


def run(args: argparse.Namespace) -> int:
    """Build the report and write it to ``--out``; print the path and the time taken."""
    from touchcredit.report import Report

    start = time.perf_counter()
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in model_names()]
    if unknown or not names:
        raise UsageError(
            f"--models: unknown model(s) {', '.join(unknown) or '(none given)'}; "
            f"available: {', '.join(model_names())}"
        )
    by = tuple(d.strip() for d in args.by.split(",") if d.strip())
    options: dict[str, Any] = {
        "models": names,
        "by": by,
        "bootstrap": args.bootstrap,
        "period": args.period,
    }
    if args.title is not None:
        options["title"] = args.title
    if args.file is None:
        if args.conversions or args.leads or args.deals or args.spend:
            raise UsageError("--conversions/--leads/--deals/--spend need FILE (the touch table)")
        report = Report.from_example(**options)
    else:
        leads, _ = crm_flags.lead_set(args)
        spend = crm_flags.spend_table(args)
        report = Report(_journeys(args), leads=leads, spend=spend, **options)
    path = report.save(args.out)
    size = path.stat().st_size
    print(f"report written to {path} ({size / 1e3:,.0f} kB, {time.perf_counter() - start:.1f} s)")
    return 0
