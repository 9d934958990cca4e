"""Any touch table plus a lead or deal table, described by a :class:`~touchcredit.ColumnMap`.

The generic connector: for exports that are not GA4, HubSpot or Salesforce (another
CRM, a marketing-automation tool, a warehouse table). The touch table has one row per
touch; the conversion table one row per lead or won deal. Which column holds what is
said once, in a :class:`~touchcredit.ColumnMap`:

=======================  ===========  ==================================================
ColumnMap role           type         meaning
=======================  ===========  ==================================================
``journey``              text         person or account id (read as text: ``007`` is
                                      not ``7``)
``timestamp``            time         touch time (text, timestamp, date or epoch)
``channel``              text         channel (a channel group name is kept; other
                                      values too)
``source``, ``medium``   text         raw source and medium (normalised, grouped)
``campaign``             text         campaign name
``url``                  text         landing URL (UTM tags fill source, medium and
                                      campaign where those are empty)
``referrer``             text         referring URL
``identifiers``          text         further ids stitching touches into one person
                                      (email, user id, phone)
``conversion_journey``   text         conversion-table id column (default: ``journey``)
``conversion_time``      time         lead creation or deal close time
``conversion_value``     number       amount (each conversion counts 1 when None)
=======================  ===========  ==================================================

A deal sheet with lost and open deals is read with ``stage=`` (its stage column)
and ``won=`` (the stages that mean won): only won deals become conversions, the
others are counted in the report's ``not_used``. The lead and deal sheets themselves
(for lead KPIs: CPL, lead value, conversion rates) are read by :func:`read_leads`
(:mod:`touchcredit.connectors.crm_leads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from touchcredit.connectors import files
from touchcredit.connectors.crm_leads import read_leads
from touchcredit.connectors.report import Cleaning, ConnectorReport, Table, finish, once_per_id
from touchcredit.connectors.sheets import lead_key, won_mask
from touchcredit.core.arrays import IntArray
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet
from touchcredit.hygiene.cleaning_report import Rejections
from touchcredit.hygiene.groups import Membership

__all__ = ["conversion_schema", "members", "read", "read_leads", "touch_schema"]

_TEXT_ROLES = ("channel", "source", "campaign", "method", "url", "medium", "referrer")


def touch_schema(mapping: ColumnMap) -> dict[str, files.Kind]:
    """Touch-table column -> the kind it must hold, for the roles ``mapping`` sets.

    Examples
    --------
    >>> touch_schema(ColumnMap(journey="email", timestamp="ts", channel=None, url="page"))
    {'email': 'text', 'ts': 'time', 'page': 'text'}
    """
    out: dict[str, files.Kind] = {mapping.journey: "text", mapping.timestamp: "time"}
    for role in _TEXT_ROLES:
        name = getattr(mapping, role)
        if name is not None:
            out[name] = "text"
    for name, _ in mapping.identifiers:
        out[name] = "text"
    return out


def conversion_schema(mapping: ColumnMap) -> dict[str, files.Kind]:
    """Conversion-table column -> the kind it must hold.

    Examples
    --------
    >>> conversion_schema(ColumnMap(journey="email", timestamp="ts",
    ...                             conversion_time="closed", conversion_value="amount"))
    {'email': 'text', 'closed': 'time', 'amount': 'number'}
    """
    out: dict[str, files.Kind] = {
        mapping.conversion_journey or mapping.journey: "text",
        mapping.conversion_time: "time",
    }
    if mapping.conversion_value is not None:
        out[mapping.conversion_value] = "number"
    return out


def _columns(table: Any, schema: dict[str, files.Kind], name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col, kind in schema.items():
        arrow = table.column(col)
        if kind == "time":
            out[col] = files.times(arrow)
        elif kind == "number":  # text by the column's separator rule; clean rejects the rest
            out[col] = files.amounts(arrow, table=name, column=col)
        else:
            out[col] = files.texts(arrow)
    return out


def read(
    touches: files.Source,
    mapping: ColumnMap,
    conversions: files.Source | None = None,
    *,
    cleaning: Cleaning | None = None,
    target: str = "conversions",
    currency: str | None = None,
    won: Sequence[str] | str | None = None,
    stage: str | None = None,
    groups: Membership | None = None,
) -> tuple[JourneySet, ConnectorReport]:
    """Read a touch table (and a lead or deal table) through the cleaning path.

    Parameters
    ----------
    touches : path, glob, list of paths, or data frame
        One row per touch (CSV, Parquet, newline-delimited JSON, or a frame).
    mapping : touchcredit.ColumnMap
        Which columns hold what (see the module's table).
    conversions : path, glob, list of paths, or data frame, optional
        One row per lead or won deal.
    cleaning : Cleaning, optional
        Time zone, dedup window, catalog, error mode.
    target, currency : str
        What the conversions are (``"leads"``, ``"revenue"``...) and their currency.
    won : str or sequence of str, optional
        The values of the ``stage`` column that mean won (``["Closed Won"]``),
        compared without case, spaces or underscores: the other conversion rows (lost
        and open deals) are not credited and are counted in ``report.not_used``.
    stage : str, optional
        The conversion table's deal stage column (needed with ``won``).
    groups : touchcredit.hygiene.groups.Membership, optional
        Buying groups: who is on each deal (a deal-to-contact table, read with
        :func:`members`). The ``conversion_journey`` column then holds the deal ids,
        and each deal's journey is the touches of all its contacts.

    Returns
    -------
    (JourneySet, ConnectorReport)

    Raises
    ------
    touchcredit.connectors.files.SchemaError
        Naming every missing or mistyped column.

    Examples
    --------
    >>> import pandas as pd
    >>> import touchcredit as tc
    >>> touches = pd.DataFrame({
    ...     "email": ["ann@x.io", "ann@x.io", "bob@x.io"],
    ...     "ts": ["2024-03-01", "2024-03-04", "2024-03-02"],
    ...     "url": ["https://x.io/?utm_source=google&utm_medium=cpc", None,
    ...             "https://x.io/?utm_source=newsletter&utm_medium=email"],
    ... })
    >>> deals = pd.DataFrame({"email": ["ANN@x.io"], "closed": ["2024-03-05"],
    ...                       "amount": [900.0]})
    >>> cols = tc.ColumnMap(journey="email", timestamp="ts", channel=None, url="url",
    ...                     conversion_time="closed", conversion_value="amount")
    >>> js, report = read(touches, cols, deals)
    >>> js.n_journeys, js.n_conversions, js.total_value
    (2, 1, 900.0)
    >>> js.channel.labels().tolist()
    ['paid search', 'direct', 'email']

    Only won deals are credited:

    >>> deals["stage"] = ["Closed Won"]
    >>> lost = pd.DataFrame({"email": ["bob@x.io"], "closed": ["2024-03-06"],
    ...                      "amount": [400.0], "stage": ["Closed Lost"]})
    >>> js, report = read(touches, cols, pd.concat([deals, lost]), won=["Closed Won"],
    ...                   stage="stage")
    >>> js.total_value, dict(report.not_used)
    (900.0, {'conversions not won (stage not in won)': 1})
    """
    if (won is None) != (stage is None):
        raise ValueError(
            "give 'won' (the stages that mean won) and 'stage' (the stage column) together"
        )
    t_schema = touch_schema(mapping)
    t_text = [c for c, k in t_schema.items() if k != "number"]
    t_table = files.read_table(touches, table="touches", text=t_text)
    files.check_schema(t_table.schema, "touches", t_schema)
    ids = [mapping.journey, *(c for c, _ in mapping.identifiers)]
    # the map clean reads: the tables below hold no conversion id or milestone columns
    columns = mapping.replace(
        conversion_id=None, lead_created_at=None, opportunity_created_at=None, closed_at=None
    )
    tables = {"touches": t_table.num_rows}
    not_used: dict[str, int] = {}
    clash: Rejections | None = None
    conv = None
    if conversions is not None:
        cols, c_rows, tables["conversions"], clash = _conversions(
            conversions, mapping, stage, won, not_used
        )
        key = mapping.conversion_journey or mapping.journey
        if key not in ids and groups is None:  # the journey's values under another name
            cols[mapping.journey] = cols.pop(key)
            key = mapping.journey
        columns = columns.replace(conversion_journey=key)
        conv = Table("conversions", cols, c_rows)
    touch = Table(
        "touches",
        _columns(t_table, t_schema, "touches"),
        np.arange(t_table.num_rows, dtype=np.int64),
    )
    return finish(
        touch,
        conv,
        columns=columns,
        cleaning=cleaning,
        source="crm",
        tables=tables,
        not_used=not_used,
        rejected_conversions=clash,
        target=target,
        currency=currency,
        groups=groups,
    )


def _conversions(
    source: files.Source,
    mapping: ColumnMap,
    stage: str | None,
    won: Sequence[str] | str | None,
    not_used: dict[str, int],
) -> tuple[dict[str, Any], IntArray, int, Rejections | None]:
    """The conversion table's columns and input rows: each conversion id once, won deals
    only (with ``stage``); rows set aside are counted in ``not_used``."""
    c_schema = conversion_schema(mapping)
    c_text = [c for c, k in c_schema.items() if k != "number"]
    if stage is not None:
        c_schema[stage] = "text"
        c_text.append(stage)
    cid = mapping.conversion_id
    c_table = files.read_table(
        source,
        table="conversions",
        text=[*c_text, *([cid] if cid else [])],
        amounts=[c for c, k in c_schema.items() if k == "number"],
    )
    id_kind: dict[str, files.Kind] = {} if cid is None else {cid: "text"}
    files.check_schema(c_table.schema, "conversions", {**c_schema, **id_kind})
    cols = _columns(c_table, c_schema, "conversions")
    c_rows = np.arange(c_table.num_rows, dtype=np.int64)
    clash = None
    if cid is not None:  # each conversion once (connectors.duplicates)
        once, merged, clash = once_per_id(c_table, cid, list(c_schema), name="conversions")
        cols = {k: v[once] for k, v in cols.items()}
        c_rows = c_rows[once]
        not_used["conversion rows repeating a conversion id (same values)"] = merged
    if stage is not None and won is not None:
        keep = won_mask(cols.pop(stage), won)  # after the repeats: rows of one id
        cols = {k: v[keep] for k, v in cols.items()}
        c_rows = c_rows[keep]
        not_used["conversions not won (stage not in won)"] = int((~keep).sum())
    return cols, c_rows, c_table.num_rows, clash


def members(
    source: files.Source,
    *,
    deal: str = "deal_id",
    contact: str = "contact",
    role: str | None = None,
    identifier: str,
) -> Membership:
    """A deal-to-contact table (one row per contact on a deal) as buying groups.

    Parameters
    ----------
    source : path, glob, list of paths, or data frame
        The table.
    deal, contact, role : str
        Its deal id, contact and (optional) role columns.
    identifier : str
        The touch identifier column the contacts are values of (an email column,
        or the journey column); emails are compared as the cleaning path compares them.

    Returns
    -------
    touchcredit.hygiene.groups.Membership

    Examples
    --------
    >>> import pandas as pd
    >>> m = members(pd.DataFrame({"deal_id": ["D1", "D1"], "contact": ["a@x.io", "B@x.io"]}),
    ...             identifier="email")
    >>> m.member.tolist()
    ['a@x.io', 'b@x.io']
    """
    cols = {"deal": deal, "contact": contact, **({"role": role} if role else {})}
    table = files.read_table(source, table="deal contacts", text=list(cols.values()))
    files.check_schema(table.schema, "deal contacts", dict.fromkeys(cols.values(), "text"))
    return Membership(
        group=files.texts(table.column(deal)),
        member=lead_key(files.texts(table.column(contact))),
        identifier=identifier,
        role=files.texts(table.column(role)) if role else None,
    )
