"""The lead, deal and spend sheets on the command line, with the pipeline's keys.

``touchcredit report`` and ``touchcredit attribute`` take the same sheets as a pipeline
file's ``[leads]``, ``[deals]`` and ``[spend]`` tables::

    --leads leads.csv --lead-column lead_id=Email --lead-column "created_at=Create Date"
    --deals deals.csv --deal-column "lead_id=Contact Email" --deal-column stage="Deal Stage"
    --won "Closed Won"
    --spend spend.csv --spend-column amount=Cost --spend-column period=Month

``KEY`` is a key of ``[leads.columns]`` (``lead_id``, ``created_at``, ``source``,
``channel``, ``campaign``, ``mql_at``, ``sql_at``, ``opportunity_at``, ``customer_at``),
``[deals.columns]`` (``lead_id``, ``amount``, ``closed_at``, ``created_at``, ``stage``,
``won``) or ``[spend.columns]`` (``amount``, ``period``, ``source``, ``channel``,
``campaign``). Without column flags a sheet's columns are read by those names. Errors
name the flag and the user's column.
"""

from __future__ import annotations

import argparse
from typing import Any

from touchcredit.cli.common import UsageError

__all__ = ["add_flags", "columns_of", "lead_set", "spend_table", "won_deals"]


def add_flags(p: argparse.ArgumentParser, *, conversions: bool) -> None:
    """Add ``--leads``/``--deals``/``--spend`` with their column flags and ``--won``.

    ``conversions``: the won deals are the conversions when ``--conversions`` is absent
    (``attribute``); said in the help.
    """
    g = p.add_argument_group(
        "CRM sheets (the keys of a pipeline's [leads.columns], [deals.columns], [spend.columns])"
    )
    g.add_argument("--leads", metavar="FILE", help="the lead sheet: one row per lead")
    g.add_argument(
        "--lead-column",
        metavar="KEY=COL",
        action="append",
        default=[],
        help="which column holds KEY (lead_id, created_at, source, channel, "
        "campaign, mql_at, sql_at, opportunity_at, customer_at); repeatable",
    )
    extra = (
        "; without --conversions its won deals are the conversions (joined through the "
        "email --identifier, else --journey)"
        if conversions
        else ""
    )
    g.add_argument(
        "--deals", metavar="FILE", help="the deal sheet: won, lost and open deals" + extra
    )
    g.add_argument(
        "--deal-column",
        metavar="KEY=COL",
        action="append",
        default=[],
        help="which column holds KEY (lead_id, amount, closed_at, created_at, "
        "stage, won); repeatable",
    )
    g.add_argument(
        "--won",
        metavar="STAGE",
        action="append",
        default=None,
        help="a deal stage that means won (e.g. 'Closed Won'); repeatable",
    )
    g.add_argument("--spend", metavar="FILE", help="the spend sheet: amount, month, labels")
    if conversions:  # report has its own --currency
        g.add_argument(
            "--currency", default="USD", help="currency of the deal amounts and the spend"
        )
    g.add_argument(
        "--spend-column",
        metavar="KEY=COL",
        action="append",
        default=[],
        help="which column holds KEY (amount, period, source, channel, campaign); repeatable",
    )


def columns_of(values: list[str], flag: str, path: str | None, keys: tuple[str, ...]) -> Any:
    """``KEY=COL`` flags as a dict; without any, the sheet's columns named like the keys.

    Examples
    --------
    >>> columns_of(["lead_id=Email", "created_at=Create Date"], "--lead-column", None, ())
    {'lead_id': 'Email', 'created_at': 'Create Date'}
    >>> columns_of(["Email"], "--lead-column", None, ())
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: --lead-column: expected KEY=COL, got 'Email'
    """
    out: dict[str, str] = {}
    for item in values:
        key, sep, col = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{flag}: expected KEY=COL, got {item!r}")
        out[key.strip()] = col.strip()
    if out or path is None:
        return out
    from touchcredit.connectors import files

    try:
        found = files.column_names(path)
    except FileNotFoundError as exc:
        raise UsageError(f"{flag.removesuffix('-column')}s: {exc}") from None
    return {k: k for k in keys if k in found}


def _cleaning(args: argparse.Namespace) -> Any:
    from touchcredit.connectors import Cleaning

    return Cleaning(default_tz=getattr(args, "tz", None), unit=getattr(args, "time_unit", None))


def lead_set(args: argparse.Namespace) -> tuple[Any, Any]:
    """(LeadSet, LeadsReport) of ``--leads``/``--deals``; (None, None) without ``--leads``."""
    from touchcredit.cli.pipeline_inputs import read_lead_sheets
    from touchcredit.connectors.crm_leads import DEAL_KEYS, LEAD_KEYS

    if not args.leads:
        return None, None
    lead_cols = columns_of(args.lead_column, "--lead-column", args.leads, LEAD_KEYS)
    deal_cols = (
        columns_of(args.deal_column, "--deal-column", args.deals, DEAL_KEYS) if args.deals else None
    )
    return read_lead_sheets(
        args.leads,
        args.deals,
        lead_cols,
        deal_cols,
        won=args.won,
        cleaning=_cleaning(args),
        unit=None,  # the Cleaning's
        currency=getattr(args, "currency", None),
        where=("--lead-column", "--deal-column"),
    )


def spend_table(args: argparse.Namespace) -> Any:
    """The SpendTable of ``--spend`` (None without it)."""
    from touchcredit.cli.pipeline_inputs import read_spend

    if not args.spend:
        return None
    given = columns_of(args.spend_column, "--spend-column", None, ())
    return read_spend(
        args.spend,
        given,
        getattr(args, "currency", None) or "USD",
        key="--spend-column",
        sheet="--spend",
    )


def won_deals(args: argparse.Namespace, mapping: Any) -> tuple[Any, Any, dict[str, Any]]:
    """``--deals`` as the crm connector's conversions: (table, ColumnMap, won and stage)."""
    from touchcredit.cli import pipeline_inputs
    from touchcredit.connectors.crm_leads import DEAL_KEYS

    cols = columns_of(args.deal_column, "--deal-column", args.deals, DEAL_KEYS)
    return pipeline_inputs.won_deals(
        args.deals, cols, args.won, mapping, key="--deal-column", won_key="--won"
    )
