"""The lead, deal and spend tables of a pipeline file, and the ``leads`` output.

::

    [leads]                                 # the CRM lead sheet
    path = "exports/leads.csv"
    [leads.columns]                         # keys: LeadSet.from_frame's keywords
    lead_id = "Email"
    created_at = "Create Date"
    source = "Lead Source"
    mql_at = "MQL Date"

    [deals]                                 # the deal sheet: won, lost and open deals
    path = "exports/deals.csv"
    won = ["Closed Won"]                    # the stages that mean won
    [deals.columns]
    lead_id = "Contact Email"
    amount = "Amount"
    closed_at = "Close Date"
    stage = "Deal Stage"                    # or won = "Is Won" (a true/false column)
    deal_id = "Deal ID"                     # with contacts: the deal's buying group
    contacts = "exports/deal_contacts.csv"  # optional: every contact on each deal
    [deals.contact_columns]                 # keys: deal_id, contact, role (optional)
    deal_id = "Deal ID"
    contact = "Contact Email"
    role = "Role"

    [spend]
    path = "exports/spend.csv"
    currency = "USD"
    [spend.columns]                         # keys: SpendTable.from_frame's keywords
    amount = "Cost"
    period = "Month"
    source = "Platform"

With the ``crm`` connector and no ``[input] conversions``, the won deals are the
conversions the models credit, joined to the touches through the email identifier
(deal ids holding emails) or the journey column. With ``contacts``, a deal's journey
is the touches of every contact the deal-contact table lists (its buying group,
:mod:`touchcredit.hygiene.groups`), each with its role. Errors name the table and key of
the file and the user's column.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from touchcredit.cli.common import UsageError

__all__ = [
    "deal_conversions",
    "lead_rows",
    "leads_and_deals",
    "read_lead_sheets",
    "read_spend",
    "spend_table",
    "won_deals",
]

_SPEND_KEYS = ("amount", "period", "source", "channel", "campaign")
_COLUMNS = Mapping[str, str]
_DEAL_TABLE = {
    "path": str,
    "won": str | Sequence[str],
    "columns": _COLUMNS,
    "contacts": str,
    "contact_columns": _COLUMNS,
}
_CONTACT_KEYS = ("deal_id", "contact", "role")
_LEAD_TABLE = {"path": str, "columns": _COLUMNS}
_SPEND_TABLE = {"path": str, "currency": str, "columns": _COLUMNS}


def _table(
    spec: Mapping[str, Any], name: str, keys: Mapping[str, Any], where: str
) -> dict[str, Any]:
    from touchcredit.cli.pipeline_schema import check_table

    table = check_table(spec.get(name), keys, f"{where} [{name}]")
    if not table.get("path"):
        raise UsageError(f"{where} [{name}] path is required (a CSV, Parquet or JSON-lines file)")
    return table


def _paths(base: Path, value: str) -> str:
    return str(base / value)


def leads_and_deals(
    spec: Mapping[str, Any], base: Path, where: str, cleaning: Any, unit: str | None
) -> tuple[Any, Any]:
    """``[leads]`` and ``[deals]`` as (LeadSet, LeadsReport); (None, None) without ``[leads]``."""
    if "leads" not in spec:
        if "deals" in spec and spec.get("input", {}).get("connector") != "crm":
            raise UsageError(
                f"{where} [deals] needs [leads] (each deal belongs to a lead), or the crm "
                "connector (the won deals are then the conversions)"
            )
        return None, None
    leads = _table(spec, "leads", _LEAD_TABLE, where)
    deals = _table(spec, "deals", _DEAL_TABLE, where) if "deals" in spec else None
    currency = spec.get("input", {}).get("currency") or spec.get("spend", {}).get("currency")
    return read_lead_sheets(
        _paths(base, leads["path"]),
        None if deals is None else _paths(base, deals["path"]),
        leads.get("columns"),
        None if deals is None else deals.get("columns"),
        won=None if deals is None else deals.get("won"),
        cleaning=cleaning,
        unit=unit,
        currency=currency,
        where=(f"{where} [leads.columns]", f"{where} [deals.columns]"),
    )


def read_lead_sheets(
    leads: str,
    deals: str | None,
    columns: Mapping[str, Any] | None,
    deal_columns: Mapping[str, Any] | None,
    *,
    won: Any,
    cleaning: Any,
    unit: str | None,
    currency: str | None,
    where: tuple[str, str],
) -> tuple[Any, Any]:
    """:func:`~touchcredit.connectors.crm_leads.read_leads` with errors as UsageError.

    ``where`` names the lead and deal column keys in messages (``"p.toml
    [leads.columns]"``, or a flag such as ``"--lead-column"``).
    """
    from touchcredit.connectors import SchemaError
    from touchcredit.connectors.crm_leads import read_leads

    try:
        return read_leads(
            leads,
            deals,
            columns=columns,
            deal_columns=deal_columns,
            won=won,
            cleaning=cleaning,
            unit=unit,
            currency=currency or "USD",
            where=where,
        )
    except FileNotFoundError as exc:
        raise UsageError(f"{where[0]}: {exc}") from None
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def deal_conversions(
    spec: Mapping[str, Any], base: Path, where: str, mapping: Any
) -> tuple[Any, Any, dict[str, Any]]:
    """The won deals of ``[deals]`` as the crm connector's conversions.

    Returns the deal table (its lead column renamed to the touch column it joins),
    the ColumnMap with the conversion columns, and crm.read's ``won``/``stage`` (and
    ``groups``, the buying groups of ``[deals] contacts``).
    """
    deals = _table(spec, "deals", _DEAL_TABLE, where)
    key = f"{where} [deals.columns]"
    table, mapping, extra = won_deals(
        _paths(base, deals["path"]),
        deals.get("columns", {}),
        deals.get("won"),
        mapping,
        key=key,
        won_key=f"{where} [deals] won",
    )
    if deals.get("contacts"):  # the deal's journey: every contact on it
        deal_id = deals.get("columns", {}).get("deal_id")
        if not deal_id:
            raise UsageError(f"{key} deal_id is required with [deals] contacts")
        extra["groups"] = _deal_contacts(deals, base, where, mapping.conversion_journey)
        mapping = mapping.replace(conversion_journey=deal_id)
    return table, mapping, extra


def won_deals(
    path: str, columns: Mapping[str, Any], won: Any, mapping: Any, *, key: str, won_key: str
) -> tuple[Any, Any, dict[str, Any]]:
    """A deal sheet as the crm connector's conversions (see :func:`deal_conversions`).

    ``key`` and ``won_key`` name the column keys and the won stages in messages.
    """
    from touchcredit.connectors import files
    from touchcredit.connectors.sheets import lead_key

    cols = dict(columns)
    for need in ("lead_id", "amount", "closed_at"):
        if not cols.get(need):
            raise UsageError(f"{key} {need} is required to credit the won deals")
    stage = cols.get("stage")
    if stage and not won:
        raise UsageError(f'{won_key}: the stages that mean won (won = ["Closed Won"])')
    if not stage and not cols.get("won"):
        raise UsageError(f"{key}: name the stage column (stage) or a true/false won column (won)")
    text = [
        cols["lead_id"],
        *([stage] if stage else []),
        *([cols["deal_id"]] if cols.get("deal_id") else []),
    ]
    try:
        table = files.read_table(path, table="deals", text=text)
    except FileNotFoundError as exc:
        raise UsageError(f"deals: {exc}") from None
    absent = [f"{c!r} is {key} {k}" for k, c in cols.items() if c not in table.column_names]
    if absent:
        found = ", ".join(map(repr, table.column_names))
        raise UsageError(f"deals: no column {'; '.join(absent)}; columns found: {found}")
    ids = lead_key(files.texts(table.column(cols["lead_id"])))
    emails = any(isinstance(v, str) and "@" in v for v in ids[:1000].tolist())
    join = next((c for c, kind in mapping.identifiers if kind == "email"), None) if emails else None
    join = join or mapping.journey
    import pyarrow as pa

    names = [c for c in table.column_names if c != join or c == cols["lead_id"]]
    table = table.select(names)
    if join != cols["lead_id"]:
        table = table.append_column(join, pa.array(ids.tolist(), pa.string()))
    if not stage:
        flags = files.bools(table.column(cols["won"]), table="deals", column=cols["won"])
        stage, won = "(won)", ["won"]
        table = table.append_column(stage, pa.array(np.where(flags, "won", "not won").tolist()))
    mapping = mapping.replace(
        conversion_journey=join,
        conversion_time=cols["closed_at"],
        conversion_value=cols["amount"],
    )
    return table, mapping, {"won": won, "stage": stage}


def _deal_contacts(deals: Mapping[str, Any], base: Path, where: str, identifier: str) -> Any:
    """``[deals] contacts``: the deal-contact table as buying groups."""
    from touchcredit.connectors import SchemaError, crm

    key = f"{where} [deals.contact_columns]"
    cols = dict(deals.get("contact_columns", {}))
    unknown = [k for k in cols if k not in _CONTACT_KEYS]
    if unknown:
        raise UsageError(f"{key}: unknown key {unknown[0]!r}; expected {', '.join(_CONTACT_KEYS)}")
    try:
        return crm.members(
            _paths(base, deals["contacts"]),
            deal=cols.get("deal_id", "deal_id"),
            contact=cols.get("contact", "contact"),
            role=cols.get("role"),
            identifier=identifier,
        )
    except FileNotFoundError as exc:
        raise UsageError(f"{where} [deals] contacts: {exc}") from None
    except SchemaError as exc:
        raise UsageError(f"{where} [deals] contacts ({key}): {exc}") from None


def spend_table(spec: Mapping[str, Any], base: Path, where: str) -> Any:
    """``[spend]`` as a SpendTable; sources in their catalog spelling."""
    if "spend" not in spec:
        return None

    table = _table(spec, "spend", _SPEND_TABLE, where)
    return read_spend(
        _paths(base, table["path"]),
        table.get("columns", {}),
        table.get("currency"),
        key=f"{where} [spend.columns]",
        sheet=f"{where} [spend]",
    )


def read_spend(
    path: str, columns: Mapping[str, Any], currency: str | None, *, key: str, sheet: str
) -> Any:
    """A spend sheet as a SpendTable: its columns named by ``columns`` (SpendTable keys).

    Without ``columns``: ``amount``, ``month`` (or ``period``) and the ``source``,
    ``channel`` and ``campaign`` columns it has. Labels in their catalog spelling.
    ``key`` and ``sheet`` name the column keys and the sheet in messages.
    """
    from touchcredit.connectors import SchemaError, files
    from touchcredit.connectors.sheets import sheet_labels
    from touchcredit.hygiene.canon import LabelCanon
    from touchcredit.kpi.metrics import SpendTable

    given = dict(columns)
    unknown = [k for k in given if k not in _SPEND_KEYS]
    if unknown:
        raise UsageError(f"{key}: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"expected: {', '.join(_SPEND_KEYS)}")  # fmt: skip
    try:
        found = files.column_names(path)
    except FileNotFoundError as exc:
        raise UsageError(f"{sheet}: {exc}") from None
    cols = {"amount": "amount", "period": "month" if "month" in found else "period"}
    if not given:  # the default sheet: month, amount and the labels it has
        cols.update({k: k for k in ("source", "channel", "campaign") if k in found})
    cols.update({k: v for k, v in given.items() if v})
    absent = [f"{c!r} ({key} {k})" for k, c in cols.items() if c not in found]
    if absent:
        raise UsageError(
            f"{sheet}: no column {', '.join(absent)}; columns found: " + ", ".join(map(repr, found))
        )
    data = files.read_table(
        path,
        table="spend",
        text=[cols[k] for k in cols if k != "amount"],
        amounts=[cols["amount"]],  # '1,000' and '1.200' by the column's rule
    )
    try:
        amount = files.numbers(data.column(cols["amount"]), table="spend", column=cols["amount"])
    except SchemaError as exc:
        raise UsageError(f"{key} amount: {exc}") from None
    labels = {
        k: sheet_labels(data, cols.get(k), LabelCanon(k)) for k in ("source", "channel", "campaign")
    }
    period = files.texts(data.column(cols["period"]))
    try:
        return SpendTable.from_arrays(
            np.nan_to_num(amount, nan=0.0),
            period,
            currency=currency,
            **labels,
        )
    except ValueError as exc:
        text = str(exc).replace("'period'", f"{cols['period']!r} ({key} period)")
        text = text.replace("'amount'", f"{cols['amount']!r} ({key} amount)")
        raise UsageError(f"{sheet}: {text}") from None


def lead_rows(leads: Any, spend: Any) -> dict[str, Any]:
    """Economics by the leads' recorded source, with the funnel's stage-to-stage rates.

    Columns: source, leads, customers, revenue, spend, lead_value, cost_per_lead,
    customer_acquisition_cost, roi, roas (spend columns with a spend table), the rates
    ``lead_to_mql`` ... ``opportunity_to_customer`` between stages that are both dated
    for some lead (a lead reached a stage when it or a later one is dated), and
    ``revenue_basis`` (which revenue this is).
    """
    from touchcredit.kpi.funnel import stage_funnel
    from touchcredit.kpi.leads import STAGES
    from touchcredit.kpi.metrics import economics

    econ = economics(leads, spend=spend, by="source")
    order = ["source", "leads", "customers", "revenue", "spend", "lead_value", "cost_per_lead",
             "customer_acquisition_cost", "roi", "roas"]  # fmt: skip
    out: dict[str, Any] = {k: econ[k] for k in order if k in econ.names}
    f = stage_funnel(leads, by="source")
    labels = econ["source"].tolist()
    pairs = zip(f["source"].tolist(), f["stage"].tolist(), strict=True)
    rows = {pair: i for i, pair in enumerate(pairs)}
    for prev, stage in itertools.pairwise(STAGES):
        if any(np.isnat(leads.stage_time(s)).all() for s in (prev, stage)):
            continue  # a stage no lead has a date for: no rate
        rate = f["rate_from_previous"]
        out[f"{prev}_to_{stage}"] = np.array(
            [rate[rows[(lab, stage)]] if (lab, stage) in rows else np.nan for lab in labels],
            dtype=np.float64,
        )
    basis = np.empty(len(labels), dtype=object)
    basis[:] = "won deals, by the lead's recorded source"
    out["revenue_basis"] = basis
    return out
