"""The ``attribute`` flags that read exports through the connectors, and build the model.

``--from {ga4,hubspot,salesforce,crm}`` reads FILE as that export
(:mod:`touchcredit.connectors`); ``--url``, ``--identifier`` and ``--channel-groups``
read a plain touch table through the same cleaning path (``--from crm`` implied).
``--param NAME=VALUE`` (and the shortcuts ``--lookback``, ``--half-life``) set the
model's parameters. Errors name the flag.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from touchcredit.cli.common import UsageError, default_column
from touchcredit.cli.conversion_value import value_column

__all__ = ["SALESFORCE_FILES", "add_flags", "build_model", "duration", "read_export"]

#: The object exports ``--from salesforce`` expects in the FILE folder.
SALESFORCE_FILES = {
    "campaign_members": "CampaignMember.csv",
    "campaigns": "Campaign.csv",
    "opportunities": "Opportunity.csv",
    "contact_roles": "OpportunityContactRole.csv",
}


def add_flags(att: argparse.ArgumentParser) -> None:
    """Add the export and model flags to the ``attribute`` parser."""
    g = att.add_argument_group("exports (read through the cleaning path of touchcredit.clean)")
    g.add_argument(
        "--from",
        dest="export",
        choices=("ga4", "hubspot", "salesforce", "crm"),
        default=None,
        help="read FILE as this export: ga4 (BigQuery events, a glob allowed), hubspot "
        "(contacts; --conversions: deals), salesforce (a folder holding "
        + ", ".join(SALESFORCE_FILES.values())
        + "), crm (any touch table; --conversions: leads or deals); "
        "none: FILE is a clean touch table",
    )
    g.add_argument("--url", metavar="COL", default=None,
                   help="landing-URL column whose UTM tags give source, medium and campaign "
                   "(implies --from crm)")  # fmt: skip
    g.add_argument("--identifier", metavar="COL", action="append", default=[],
                   help="identifier column stitching touches into one person (email, "
                   "user id, phone); repeatable (implies --from crm)")  # fmt: skip
    g.add_argument("--channel-groups", action="store_true",
                   help="channel = channel group of source, medium, URL and referrer; the "
                   "--channel column is read as the raw medium (implies --from crm)")  # fmt: skip
    g.add_argument("--conversion-event", metavar="NAME", action="append", default=None,
                   help="--from ga4: conversion event name, repeatable "
                   "(default: purchase)")  # fmt: skip
    m = att.add_argument_group("model parameters")
    m.add_argument("--lookback", metavar="DURATION", default=None,
                   help="count only touches this long before a conversion, e.g. 90d, 12h "
                   "(default: no limit)")  # fmt: skip
    m.add_argument("--half-life", metavar="DURATION", default=None,
                   help="same as --param half_life=DURATION (models with a half-life: "
                   "time_decay)")  # fmt: skip
    m.add_argument("--param", metavar="NAME=VALUE", action="append", default=[],
                   help="a parameter of --model, read by the model (numbers, durations "
                   "such as 14d, true/false, [\"a\", \"b\"] lists); repeatable; "
                   "`touchcredit models` lists each model's parameters")  # fmt: skip


def duration(text: str, flag: str) -> dt.timedelta:
    """A duration flag (``"90d"``, ``"1d 12h"``) as a timedelta; the error names the flag.

    Examples
    --------
    >>> duration("1d 12h", "--lookback")
    datetime.timedelta(days=1, seconds=43200)
    >>> duration("soon", "--lookback")
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: --lookback: ...
    """
    from touchcredit.core.time import to_duration

    try:
        value = to_duration(text, field=flag)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{flag}: {exc}") from None
    out: dt.timedelta = value.astype("timedelta64[us]").item()
    return out


def build_model(args: argparse.Namespace) -> Any:
    """The model ``--model`` names, with ``--param`` (and ``--lookback``, ``--half-life``).

    Examples
    --------
    >>> args = argparse.Namespace(model="position", lookback=None, half_life=None,
    ...                           param=["first=0.6", "last=0.2"])
    >>> build_model(args)
    UShapedModel(first=0.6, last=0.2)
    """
    from touchcredit.cli.params import model_with, parse_assignment

    params: list[tuple[str, Any]] = []
    for flag, key, value in (("--lookback", "lookback", args.lookback),
                             ("--half-life", "half_life", args.half_life)):  # fmt: skip
        if value is not None:
            model_with(args.model, [(key, value)], flag, keyed=False)  # the error names the flag
            params.append((key, value))
    params.extend(parse_assignment(text) for text in getattr(args, "param", []) or [])
    return model_with(args.model, params, "--param")


def _flag_hint(exc: Exception, flags: dict[str, str]) -> UsageError:
    """The error, with the flag that names each column it mentions."""
    text = str(exc)
    named = [f"{flag} {col!r}" for col, flag in flags.items() if repr(col) in text]
    hint = f" (from {', '.join(named)})" if named else ""
    return UsageError(text + hint)


def _crm(args: argparse.Namespace, cleaning: Any) -> tuple[Any, Any]:
    from touchcredit.connectors import crm, files
    from touchcredit.core.mapping import ColumnMap

    found = files.column_names(args.file)
    value = None
    if args.conversions:
        value = value_column(files.column_names(args.conversions), args.conversion_value)
    medium = args.channel if args.channel_groups and args.channel in found else None
    channel = None if args.channel_groups or args.channel not in found else args.channel
    cols = ColumnMap(
        journey=args.journey,
        timestamp=args.timestamp,
        channel=channel,
        source=default_column(found, args.source, "source"),
        campaign=default_column(found, args.campaign, "campaign"),
        method=default_column(found, args.method, "method"),
        url=args.url,
        medium=medium,
        identifiers=args.identifier,
        conversion_journey=args.conversion_journey,
        conversion_time=args.conversion_time,
        conversion_value=value,
    )
    flags = {args.journey: "--journey", args.timestamp: "--timestamp", args.channel: "--channel",
             args.conversion_time: "--conversion-time"}  # fmt: skip
    flags.update(dict.fromkeys(args.identifier, "--identifier"))
    for name in ("source", "campaign", "method", "url", "conversion_journey", "conversion_value"):
        if getattr(args, name):
            flags[getattr(args, name)] = "--" + name.replace("_", "-")
    target = "revenue" if value else "conversions"
    conversions: Any = args.conversions
    won: dict[str, Any] = {}
    if not conversions and getattr(args, "deals", None):  # the won deals are the conversions
        from touchcredit.cli import crm_flags

        conversions, cols, won = crm_flags.won_deals(args, cols)
        target = "revenue"
        won["currency"] = getattr(args, "currency", None)
    try:
        return crm.read(args.file, cols, conversions, cleaning=cleaning, target=target, **won)
    except files.SchemaError as exc:
        raise _flag_hint(exc, flags) from None


def read_export(args: argparse.Namespace) -> tuple[Any, Any] | None:
    """(JourneySet, ConnectorReport) when the flags ask for a connector, else None."""
    kind = args.export
    deals_as_conversions = bool(getattr(args, "deals", None)) and not args.conversions
    if kind is None and (
        args.url or args.identifier or args.channel_groups or deals_as_conversions
    ):
        kind = "crm"
    if kind is None:
        return None
    from touchcredit.connectors import Cleaning, SchemaError, ga4, hubspot, salesforce

    if args.conversion_event and kind != "ga4":
        raise UsageError("--conversion-event applies to --from ga4 only")
    if args.conversions and kind in ("ga4", "salesforce"):
        hint = "--conversion-event" if kind == "ga4" else "Opportunity.csv in the FILE folder"
        raise UsageError(f"--conversions does not apply to --from {kind} (conversions: {hint})")
    cleaning = Cleaning(default_tz=args.tz, unit=args.time_unit)
    try:
        if kind == "ga4":
            events = args.conversion_event or ["purchase"]
            return ga4.read(args.file, conversions=events, cleaning=cleaning)
        if kind == "hubspot":
            if not args.conversions:
                raise UsageError("--from hubspot needs --conversions (the deals export)")
            return hubspot.read(args.file, args.conversions, cleaning=cleaning)
        if kind == "salesforce":
            folder = Path(args.file)
            paths = {k: folder / name for k, name in SALESFORCE_FILES.items()}
            absent = [p.name for p in paths.values() if not p.is_file()]
            if absent:
                raise UsageError(f"--from salesforce: FILE must be a folder holding "
                                 f"{', '.join(absent)} ({str(folder)!r} does not)")  # fmt: skip
            return salesforce.read(
                paths["campaign_members"],
                paths["campaigns"],
                paths["opportunities"],
                paths["contact_roles"],
                cleaning=cleaning,
            )
        return _crm(args, cleaning)
    except SchemaError as exc:
        raise UsageError(f"--from {kind}: {exc}") from None
