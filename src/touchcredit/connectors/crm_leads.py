"""A CRM's lead sheet and deal sheet, as exported, to a :class:`~touchcredit.kpi.leads.LeadSet`.

The lead and deal sides of the monthly review: one row per lead (its id, creation
date, recorded source and stage dates) and one row per deal (its lead, amount, close
date and stage). Which column holds what is said with the keyword names of
:meth:`LeadSet.from_frame <touchcredit.kpi.leads.LeadSet.from_frame>`:

================  ==========================================================
leads key         meaning
================  ==========================================================
``lead_id``       lead id (an email is compared as the cleaning path
                  compares emails: trimmed and lower-cased)
``created_at``    lead creation time
``source``        the lead's recorded source (read through the catalog:
                  ``linkedin`` and ``LinkedIn`` are one source)
``channel``       channel (default: the catalog channel of the source)
``campaign``      campaign
``mql_at`` ...    stage dates: ``mql_at``, ``sql_at``, ``opportunity_at``,
                  ``customer_at``
================  ==========================================================

================  ==========================================================
deals key         meaning
================  ==========================================================
``lead_id``       the deal's lead (the same ids as the leads' ``lead_id``)
``amount``        deal amount
``closed_at``     close date (needed for a won deal)
``created_at``    optional; without it a deal counts as opened at its close
                  (or at its lead's last dated stage while it is open)
``stage``         deal stage; the stages in ``won`` mean won
``won``           or: a true/false column
================  ==========================================================

Lost deals stay in the LeadSet (they count for the opportunity stage), never as
revenue. Rows that cannot be used are counted in the :class:`LeadsReport` with
their reason (1-based rows of the user's files), or raise with ``errors="raise"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.connectors.report import Cleaning
from touchcredit.connectors.sheets import (
    Rejected,
    lead_key,
    read_sheet,
    sheet_columns,
    sheet_labels,
    sheet_times,
    won_mask,
)
from touchcredit.core.arrays import ObjectArray
from touchcredit.hygiene.canon import LabelCanon
from touchcredit.hygiene.catalog import Catalog
from touchcredit.kpi.leads import LeadSet

__all__ = ["DEAL_KEYS", "LEAD_KEYS", "LeadsReport", "read_leads"]

#: The keys of a lead sheet's columns (the keyword names of ``LeadSet.from_frame``).
LEAD_KEYS = (
    "lead_id",
    "created_at",
    "source",
    "channel",
    "campaign",
    "mql_at",
    "sql_at",
    "opportunity_at",
    "customer_at",
)
#: The keys of a deal sheet's columns.
DEAL_KEYS = ("lead_id", "amount", "closed_at", "created_at", "stage", "won", "deal_id")
_STAGES = ("mql_at", "sql_at", "opportunity_at", "customer_at")
_LEAD_DEFAULTS = {"lead_id": "lead_id", "created_at": "created_at"}
_DEAL_DEFAULTS = {"lead_id": "lead_id", "amount": "amount", "closed_at": "closed_at"}


@attrs.frozen
class LeadsReport:
    """What :func:`read_leads` did with the rows of the lead and deal sheets.

    Attributes
    ----------
    tables : mapping of str to int
        Rows read per sheet (``leads``, ``deals``).
    merged : int
        Lead rows whose id repeats an earlier one (``Ann@x.io`` and ``ann@x.io``):
        one lead, the earliest created row kept.
    not_used : mapping of str to int
        Rows that are not errors but bring no lead or revenue, by reason (lost and
        open deals).
    rejected : tuple of str
        Rows that could not be used, each naming its sheet, 1-based row and why.
    respelled : mapping of str to str
        Source spellings read in their catalog spelling (``linkedin`` -> ``LinkedIn``).
    won_revenue, rejected_revenue : float
        Won-deal amounts in the LeadSet, and in rejected deal rows (money no lead
        carries, reported rather than dropped).
    """

    tables: Mapping[str, int]
    merged: int = 0
    not_used: Mapping[str, int] = attrs.field(factory=dict)
    rejected: tuple[str, ...] = ()
    respelled: Mapping[str, str] = attrs.field(factory=dict)
    won_revenue: float = 0.0
    rejected_revenue: float = 0.0

    def __str__(self) -> str:
        read = ", ".join(f"{k}: {n:,}" for k, n in self.tables.items())
        lines = [f"leads and deals: rows read ({read})"]
        if self.merged:
            lines.append(f"merged: {self.merged:,} lead rows repeating an earlier lead id")
        lines += [f"not used: {n:,} {why}" for why, n in self.not_used.items() if n]
        if self.rejected:
            lines.append(f"rejected: {len(self.rejected):,} rows")
            lines += [f"  {why}" for why in self.rejected[:5]]
        if self.rejected_revenue:
            lines.append(f"won revenue in rejected deal rows: {self.rejected_revenue:,.2f}")
        if self.respelled:
            shown = ", ".join(f"{a!r} -> {b!r}" for a, b in list(self.respelled.items())[:8])
            lines.append(f"sources in their catalog spelling: {shown}")
        return "\n".join(lines)


def read_leads(
    leads: files.Source,
    deals: files.Source | None = None,
    *,
    columns: Mapping[str, str | None] | None = None,
    deal_columns: Mapping[str, str | None] | None = None,
    won: Sequence[str] | str | None = None,
    cleaning: Cleaning | None = None,
    unit: str | None = None,
    currency: str = "USD",
    where: tuple[str, str] = ("leads", "deals"),
) -> tuple[LeadSet, LeadsReport]:
    """Read a lead sheet and a deal sheet as exported into a LeadSet.

    Parameters
    ----------
    leads : path, glob, list of paths, or data frame
        One row per lead (CSV with or without a BOM, Parquet, JSON lines, a frame).
    deals : path, glob, list of paths, or data frame, optional
        One row per deal, won, lost or open.
    columns : mapping of str to str, optional
        Lead key -> column name (keys: :data:`LEAD_KEYS`; default ``lead_id`` and
        ``created_at`` columns of those names).
    deal_columns : mapping of str to str, optional
        Deal key -> column name (keys: :data:`DEAL_KEYS`; default ``lead_id``,
        ``amount`` and ``closed_at``); ``stage`` with ``won``, or a ``won`` column.
    won : str or sequence of str, optional
        The stage values that mean won (``["Closed Won"]``), compared without case,
        spaces or underscores. Needed with a ``stage`` column.
    cleaning : Cleaning, optional
        Zone of naive times, ``dayfirst``, the catalog, ``errors``.
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch-number times (default: ``cleaning.unit``, else the one putting
        them in 1990-2100).
    currency : str
        ISO 4217 code of the amounts.
    where : (str, str)
        How messages name the lead and deal column tables (the pipeline passes
        ``"[leads.columns]"``, ``"[deals.columns]"``).

    Returns
    -------
    (LeadSet, LeadsReport)

    Raises
    ------
    touchcredit.connectors.files.SchemaError
        A named column is not in its sheet (listing the columns found).
    ValueError
        An unreadable value, naming the user's column and the key; with
        ``errors="raise"``, the first rejected row.

    Examples
    --------
    >>> import pandas as pd
    >>> leads = pd.DataFrame({"Email": ["Ann@X.io", "bob@x.io", "ann@x.io"],
    ...                       "Created": ["2024-03-01", "2024-03-02", "2024-03-04"],
    ...                       "Lead Source": ["linkedin", "LinkedIn", "Google Ads"]})
    >>> deals = pd.DataFrame({"Contact": ["ann@x.io", "bob@x.io"], "Amount": [900, 500],
    ...                       "Close Date": ["2024-03-20", "2024-03-21"],
    ...                       "Stage": ["Closed Won", "Closed Lost"]})
    >>> ls, rep = read_leads(leads, deals,
    ...     columns={"lead_id": "Email", "created_at": "Created", "source": "Lead Source"},
    ...     deal_columns={"lead_id": "Contact", "amount": "Amount",
    ...                   "closed_at": "Close Date", "stage": "Stage"}, won=["Closed Won"])
    >>> ls.n_leads, ls.source.labels().tolist(), float(ls.won_revenue.sum())
    (2, ['LinkedIn', 'LinkedIn'], 900.0)
    >>> rep.merged, dict(rep.not_used)
    (1, {'deals not won (lost or open)': 1})
    """
    opts = cleaning or Cleaning()
    unit = unit if unit is not None else opts.unit
    cat = Catalog.default() if opts.catalog is None else opts.catalog
    raising = opts.errors == "raise"
    lcols = sheet_columns(columns, LEAD_KEYS, _LEAD_DEFAULTS, where[0])
    table = read_sheet(leads, "leads", lcols, where[0])
    n = table.num_rows
    rows = np.arange(n, dtype=np.int64)
    rej = Rejected("leads", raising)
    keys = lead_key(files.texts(table.column(lcols["lead_id"])))
    created = sheet_times(table, lcols["created_at"], "created_at", where[0], opts, unit)
    rej.reject(keys == None, f"no lead id in {lcols['lead_id']!r}", rows)  # noqa: E711
    rej.reject(
        (keys != None) & np.isnat(created),  # noqa: E711
        f"no creation time in {lcols['created_at']!r}",
        rows,
    )
    ok = (keys != None) & ~np.isnat(created)  # noqa: E711
    # one row per lead: the earliest created row of each id
    order = np.lexsort((rows, created.view(np.int64)))
    order = order[ok[order]]
    _, first = np.unique(keys[order].astype(object), return_index=True)  # no fixed width
    keep = np.sort(order[first])
    merged = int(ok.sum()) - int(keep.size)
    canon = LabelCanon("source", cat)
    source = sheet_labels(table, lcols.get("source"), canon)
    respelled: dict[str, str] = {}
    if source is not None:
        raw = sheet_labels(table, lcols["source"], None)
        assert raw is not None
        for a, b in zip(raw.tolist(), source.tolist(), strict=True):
            if a is not None and a != b:
                respelled.setdefault(a, b)
    channel = sheet_labels(table, lcols.get("channel"), LabelCanon("channel"))
    if channel is None and source is not None:
        channel = np.array([_catalog_channel(cat, s) for s in source.tolist()], dtype=object)
    campaign = sheet_labels(table, lcols.get("campaign"), LabelCanon("campaign"))
    stages = {
        k: sheet_times(table, lcols[k], k, where[0], opts, unit)[keep]
        for k in _STAGES
        if k in lcols
    }
    kwargs: dict[str, Any] = {
        "source": None if source is None else source[keep],
        "channel": None if channel is None else channel[keep],
        "campaign": None if campaign is None else campaign[keep],
        **stages,
    }
    tables = {"leads": n}
    report: dict[str, Any] = {"merged": merged, "respelled": respelled}
    if deals is not None:
        deal_kwargs, deal_report = _deals(
            deals, deal_columns, won, keys[keep], created[keep], stages, opts, unit, where[1]
        )
        kwargs.update(deal_kwargs)
        tables["deals"] = deal_report.pop("rows")
        rej.reasons += deal_report.pop("rejected")
        report.update(deal_report)
    try:
        lead_set = LeadSet.from_arrays(keys[keep], created[keep], deal_currency=currency, **kwargs)
    except ValueError as exc:
        raise ValueError(_in_usersheet_columns(str(exc), lcols, deal_columns, where)) from None
    report["won_revenue"] = float(lead_set.won_revenue.sum())
    return lead_set, LeadsReport(tables, rejected=tuple(rej.reasons), **report)


def _catalog_channel(cat: Catalog, source: Any) -> Any:
    if source is None:
        return None
    entry = cat.get(source)
    return None if entry is None else entry.channel


def _deals(
    source: files.Source,
    given: Mapping[str, str | None] | None,
    won: Sequence[str] | str | None,
    lead_ids: ObjectArray,
    lead_created: npt.NDArray[np.datetime64],
    stages: Mapping[str, npt.NDArray[np.datetime64]],
    opts: Cleaning,
    unit: str | None,
    where: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    cols = sheet_columns(given, DEAL_KEYS, _DEAL_DEFAULTS, where)
    if "stage" in cols and "won" in cols:
        raise ValueError(f"{where}: give 'stage' (with the won stages) or 'won', not both")
    if "stage" in cols and not won:
        raise ValueError(
            f'{where} stage = {cols["stage"]!r}: say which stages mean won (won = ["Closed Won"])'
        )
    if "stage" not in cols and "won" not in cols:
        raise ValueError(
            f'{where}: name the deal stage column (stage, with won = ["Closed Won"]) or a '
            "true/false won column (won); without one no deal counts as won"
        )
    table = read_sheet(source, "deals", cols, where)
    m = table.num_rows
    rows = np.arange(m, dtype=np.int64)
    rej = Rejected("deals", opts.errors == "raise")
    ids = lead_key(_first_listed(files.texts(table.column(cols["lead_id"]))))
    amount = files.numbers(table.column(cols["amount"]), table="deals", column=cols["amount"])
    closed = sheet_times(table, cols["closed_at"], "closed_at", where, opts, unit)
    if "stage" in cols:
        assert won is not None
        is_won = won_mask(files.texts(table.column(cols["stage"])), won)
    else:
        is_won = files.bools(table.column(cols["won"]), table="deals", column=cols["won"])
    lead_row = _lead_rows(lead_ids, ids)
    unknown = lead_row < 0
    rej.reject(ids == None, f"no lead id in {cols['lead_id']!r}", rows)  # noqa: E711
    rej.reject(unknown & (ids != None), "its lead is not among the leads", rows)  # noqa: E711
    bad_amount = ~unknown & is_won & ~np.isfinite(amount)
    rej.reject(bad_amount, f"a won deal without an amount in {cols['amount']!r}", rows)
    no_close = ~unknown & is_won & np.isnat(closed)
    rej.reject(
        no_close & ~bad_amount, f"a won deal without a close date in {cols['closed_at']!r}", rows
    )
    ok = ~unknown & ~bad_amount & ~no_close
    lr = np.maximum(lead_row, 0)
    early = ok & ~np.isnat(closed) & (closed < lead_created[lr])
    rej.reject(early, f"closes ({cols['closed_at']!r}) before its lead was created", rows)
    ok &= ~early
    if "created_at" in cols:
        opened = sheet_times(table, cols["created_at"], "created_at", where, opts, unit)
    else:  # opened at its close, or (open deals) at its lead's last dated stage
        latest = lead_created.copy()
        for name in ("mql_at", "sql_at", "opportunity_at"):
            if name in stages:
                t = stages[name]
                latest = np.where(~np.isnat(t) & (t > latest), t, latest)
        opened = np.where(np.isnat(closed), latest[lr], closed)
    opened = np.where(np.isnat(opened), lead_created[lr], opened)
    rejected_revenue = float(np.nansum(np.where(is_won & ~ok, amount, 0.0)))
    not_won = int((ok & ~is_won).sum())
    kwargs = {
        "deal_lead_id": lead_ids[lr[ok]],
        "deal_amount": np.nan_to_num(amount[ok], nan=0.0),
        "deal_created_at": opened[ok],
        "deal_closed_at": closed[ok],
        "deal_won": is_won[ok],
    }
    report = {
        "rows": m,
        "rejected": rej.reasons,
        "not_used": {"deals not won (lost or open)": not_won},
        "rejected_revenue": rejected_revenue,
    }
    return kwargs, report


def _first_listed(values: ObjectArray) -> ObjectArray:
    """The first id of a ``;``- or ``,``-separated list (a deal's associated contacts, as
    HubSpot exports them: the deal belongs to that lead; the others are its buying group).

    Examples
    --------
    >>> _first_listed(np.array(["101;102", "a@x.io", None], dtype=object)).tolist()
    ['101', 'a@x.io', None]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.split_pattern_regex(pa.array(values, type=pa.string()), "[;,]", max_splits=1)
    return files.texts(pc.list_element(parts, 0))


def _lead_rows(lead_ids: ObjectArray, ids: ObjectArray) -> npt.NDArray[np.int64]:
    """Row of each deal's lead among ``lead_ids`` (-1: not among them)."""
    index = {k: i for i, k in enumerate(lead_ids.tolist())}
    return np.array([index.get(k, -1) for k in ids.tolist()], dtype=np.int64)


def _in_usersheet_columns(
    text: str, lcols: Mapping[str, str], dcols: Mapping[str, Any] | None, where: tuple[str, str]
) -> str:
    """A LeadSet error restated with the user's column names and the table/key."""
    names = {f"'{k}'": f"'{c}' ({where[0]} {k})" for k, c in lcols.items()}
    deal = dict(dcols or {})
    deal.setdefault("closed_at", "closed_at")
    for key, arg in (
        ("amount", "deal_amount"),
        ("created_at", "deal_created_at"),
        ("closed_at", "deal_closed_at"),
        ("lead_id", "deal_lead_id"),
    ):
        col = deal.get(key)
        names[f"'{arg}'"] = (
            f"'{col}' ({where[1]} {key})" if col else f"the deal {key} ({where[1]} {key})"
        )
    for old, new in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    return text
