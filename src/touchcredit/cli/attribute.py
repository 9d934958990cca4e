"""``touchcredit attribute``: attribute the conversions of a user's touch table."""

from __future__ import annotations

import argparse
from typing import Any

from touchcredit.cli import connect, crm_flags
from touchcredit.cli.common import (
    DefaultsFormatter,
    UsageError,
    default_column,
    model_names,
    progress,
    read_touch_files,
    time_zone,
)
from touchcredit.cli.conversion_value import VALUE_LIKE, value_column
from touchcredit.cli.credit import credit_columns, credit_table
from touchcredit.core.mapping import ColumnMap
from touchcredit.io.atomic import atomic_path

__all__ = [
    "VALUE_LIKE",
    "add_parser",
    "column_map",
    "input_flags",
    "read_journeys",
    "run",
    "value_column",
]


def add_parser(sub: Any) -> None:
    """Add the ``attribute`` command to the subparsers ``sub``."""
    att = sub.add_parser(
        "attribute",
        help="attribute conversions in a touch table or an export (GA4, HubSpot, ...)",
        description="Split the conversions of --conversions over the touches of FILE.",
        formatter_class=DefaultsFormatter,
    )
    input_flags(att)
    att.add_argument("--model", default="linear", help="model name (see `touchcredit models`)")
    att.add_argument("--by", choices=("channel", "source", "campaign", "method"),
                     default="channel", help="credit per label of this dimension")  # fmt: skip
    att.add_argument("--out", default=None, metavar="FILE", help="write the table (.csv/.parquet)")
    att.add_argument("--version", action="version", version=version())
    connect.add_flags(att)
    crm_flags.add_flags(att, conversions=True)
    att.set_defaults(func=run)


def input_flags(p: argparse.ArgumentParser) -> None:
    """FILE, --conversions and the column and time flags (``attribute`` and ``paths``)."""
    p.add_argument("file", metavar="FILE", help="touches: CSV or Parquet, one row per touch")
    p.add_argument(
        "--conversions",
        metavar="FILE",
        default=None,
        help="conversions: CSV or Parquet, one row per lead or won deal (needed unless "
        "--from ga4 or salesforce)",
    )
    p.add_argument("--journey", default="journey_id", metavar="COL", help="person id column")
    p.add_argument("--timestamp", default="timestamp", metavar="COL", help="touch time column")
    p.add_argument("--channel", default="channel", metavar="COL", help="channel column")
    for name in ("source", "campaign", "method"):
        p.add_argument(
            f"--{name}",
            default=None,
            metavar="COL",
            help=f"label column (default: '{name}' when present; '' for none)",
        )
    p.add_argument(
        "--conversion-journey",
        default=None,
        metavar="COL",
        help="person id column of --conversions (default: as --journey)",
    )
    p.add_argument(
        "--conversion-time", default="conversion_time", metavar="COL", help="conversion time column"
    )
    p.add_argument(
        "--conversion-value",
        default=None,
        metavar="COL",
        help="value column of --conversions (default: 'conversion_value' when present; "
        "'' to count every conversion as 1)",
    )
    p.add_argument(
        "--tz", default=None, type=time_zone, help="time zone of naive times (default UTC)"
    )
    p.add_argument(
        "--time-unit",
        choices=("s", "ms", "us", "ns"),
        default=None,
        help="unit of epoch-number times (default: the one unit putting them in 1990-2100)",
    )


def version() -> str:
    """``touchcredit X.Y.Z``."""
    from touchcredit import __version__

    return f"touchcredit {__version__}"


def column_map(
    args: argparse.Namespace, found: list[str], found_conversions: list[str]
) -> ColumnMap:
    """The :class:`~touchcredit.ColumnMap` the flags describe (labels and value by name)."""
    return ColumnMap(
        journey=args.journey,
        timestamp=args.timestamp,
        channel=args.channel or None,
        source=default_column(found, args.source, "source"),
        campaign=default_column(found, args.campaign, "campaign"),
        method=default_column(found, args.method, "method"),
        conversion_journey=args.conversion_journey,
        conversion_time=args.conversion_time,
        conversion_value=value_column(found_conversions, args.conversion_value),
    )


def read_journeys(args: argparse.Namespace) -> tuple[Any, Any]:
    """The journeys of FILE (an export through ``--from``, or a clean touch table) and the
    cleaning report (None for a clean table)."""
    exported = connect.read_export(args)
    return exported if exported else (_plain_journeys(args), None)


def _plain_journeys(args: argparse.Namespace) -> Any:
    """FILE as a clean touch table and --conversions, through JourneySet.from_frame."""
    from touchcredit.core.frame_input import column_names
    from touchcredit.core.store import JourneySet

    touches, conversions = read_touch_files(
        args, needs="--conversions is required (the leads or won deals to credit)"
    )
    cols = column_map(args, column_names(touches), column_names(conversions))
    return JourneySet.from_frame(
        touches,
        conversions,
        columns=cols,
        default_tz=args.tz,
        unit=args.time_unit,
    )


def lead_economics(args: argparse.Namespace, journeys: Any, model: Any) -> list[Any]:
    """With ``--leads``: economics by the leads' recorded label, then by the model's credit.

    Both tables say which revenue they hold in their title. ``--spend`` needs ``--leads``.
    """
    if args.spend and not args.leads:
        raise UsageError("--spend needs --leads (cost per lead and ROI are per lead source)")
    leads, report = crm_flags.lead_set(args)
    if leads is None:
        return []
    import warnings

    from touchcredit.attribution import attribute
    from touchcredit.kpi.metrics import economics

    spend = crm_flags.spend_table(args)
    by = args.by if args.by in ("source", "channel", "campaign") else "source"
    with warnings.catch_warnings():  # labels in one table only: in the tables' notes
        warnings.simplefilter("ignore")
        out = [economics(leads, spend=spend, by=by)]
        if journeys.target != "leads" and journeys.currency is not None:
            out.append(economics(leads, spend=spend, attribution=attribute(journeys, model), by=by))
    return [*out, report]


def run(args: argparse.Namespace) -> int:
    """Read the tables, build journeys, fit the model, print (and write) the credit table."""
    import touchcredit as tc
    from touchcredit.io import frames

    if args.model not in model_names():
        raise UsageError(f"unknown model {args.model!r}; available: {', '.join(model_names())}")
    if args.out and not args.out.lower().endswith((".csv", ".parquet", ".pq")):
        raise UsageError(f"--out must name a .csv or .parquet file, got {args.out!r}")
    model = connect.build_model(args)
    with progress(5, "touchcredit attribute") as bar:
        bar.step("read")
        journeys, cleaning = read_journeys(args)
        bar.step("fit")
        model = model.fit(journeys)
        bar.step("attribute")
        attribute = getattr(tc, "attribute", None)
        if attribute is not None:
            table = attribute(journeys, model).by(args.by)
        else:
            table = credit_table(journeys, model, args.by)
        bar.step("write")
        if args.out:
            with atomic_path(args.out) as tmp:  # the file appears complete or not at all
                as_text = str(args.out).lower().endswith(".csv")
                fmt = frames.table_format(args.out)  # the temporary name has no suffix
                frames.write_table(credit_columns(table, text=as_text), tmp, format=fmt)
        bar.step("done")
    print(table)
    for economics in lead_economics(args, journeys, model):
        print(f"\n{economics}")
    if cleaning is not None:
        print(f"\n{cleaning}")
    if args.out:
        print(f"written to {args.out}")
    return 0
