"""HubSpot: the contacts export and the deals export to a JourneySet.

Export *Contacts* (all properties, or at least those below) and *Deals* with their
associated contacts, as CSV (or XLSX saved as CSV), from HubSpot's list views
(*Export view*). Each contact gives up to two touches: its **original source** at its
create date and, when the export has ``Latest Source Timestamp``, its **latest
source** at that time. HubSpot's source values map onto the channel groups; the
drill-downs give the source and campaign:

=======================  =================  ===============================  =============
HubSpot source           channel            source                           campaign
=======================  =================  ===============================  =============
Organic Search           organic search     drill-down 1 (engine)            drill-down 2
Paid Search              paid search        drill-down 1 (engine)            drill-down 2
Social Media             organic social     drill-down 1 (network)           drill-down 2
Paid Social              paid social        drill-down 1 (network)           drill-down 2
Referrals                referral           drill-down 1 (referring site)    drill-down 2
AI Referrals             referral           drill-down 1                     drill-down 2
Email Marketing          email              ``email``                        drill-down 1
Other Campaigns          other              ``other campaigns``              drill-down 1
Direct Traffic           direct             ``(direct)``                     --
Offline Sources          offline            ``offline``                      drill-down 1
=======================  =================  ===============================  =============

Contacts (one row per contact):

==================================  ======  ========
column                              type    required
==================================  ======  ========
``Record ID``                       text    yes
``Create Date``                     time    yes
``Original Source``                 text    yes
``Email``                           text    no (stitches duplicate contacts)
``Original Source Drill-Down 1/2``  text    no
``Latest Source``                   text    no
``Latest Source Drill-Down 1/2``    text    no
``Latest Source Timestamp``         time    no
==================================  ======  ========

Deals (one row per deal): ``Record ID`` (text), ``Amount`` (number), ``Close Date``
(time), ``Deal Stage`` (text) and the association column (``Associated Contact IDs``
by default; ``;``- or ``,``-separated, the first contact is the deal's journey; a column whose
name contains "mail" links by email instead). Won deals (stage ``closedwon`` or
``Closed Won`` by default) are the conversions; ``conversions="leads"`` makes every
contact a lead conversion at ``Became a Lead Date`` (else its create date).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.connectors.report import (
    Cleaning,
    ConnectorReport,
    Table,
    combine,
    finish,
    once_per_id,
    rejections,
)
from touchcredit.core import backends
from touchcredit.core.arrays import IntArray, ObjectArray
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet
from touchcredit.hygiene import timestamps
from touchcredit.hygiene.groups import Membership, matching_pairs
from touchcredit.hygiene.labels import map_distinct

__all__ = ["CHANNELS", "read"]


#: HubSpot source value (lower case, ``_`` as space) -> (channel group, source label rule).
CHANNELS: dict[str, tuple[str, str]] = {
    "organic search": ("organic search", "drill"),
    "paid search": ("paid search", "drill"),
    "social media": ("organic social", "drill"),
    "organic social": ("organic social", "drill"),
    "paid social": ("paid social", "drill"),
    "referrals": ("referral", "drill"),
    "ai referrals": ("referral", "drill"),
    "email marketing": ("email", "email"),
    "other campaigns": ("other", "other campaigns"),
    "direct traffic": ("direct", "(direct)"),
    "offline sources": ("offline", "offline"),
    "offline": ("offline", "offline"),
}
_CONTACTS: dict[str, files.Kind] = {
    "Record ID": "text",
    "Create Date": "time",
    "Original Source": "text",
}
_CONTACTS_OPT: dict[str, files.Kind] = {
    "Email": "text",
    "Original Source Drill-Down 1": "text",
    "Original Source Drill-Down 2": "text",
    "Latest Source": "text",
    "Latest Source Drill-Down 1": "text",
    "Latest Source Drill-Down 2": "text",
    "Latest Source Timestamp": "time",
    "Became a Lead Date": "time",
}
_DEALS: dict[str, files.Kind] = {
    "Record ID": "text",
    "Amount": "number",
    "Close Date": "time",
    "Deal Stage": "text",
}


def _key(values: ObjectArray) -> ObjectArray:
    out = np.full(values.size, "", dtype=object)
    ok = values != None  # noqa: E711
    if ok.any():
        out[ok] = map_distinct(values[ok], lambda v: str(v).lower().replace("_", " ").strip())
    return out


def _column(table: Any, name: str) -> ObjectArray:
    if name in table.column_names:
        return files.texts(table.column(name))
    return np.full(table.num_rows, None, dtype=object)


def _source_touch(table: Any, prefix: str) -> dict[str, ObjectArray]:
    """Channel, source and campaign of the ``Original``/``Latest`` source of each contact."""
    value = _column(table, f"{prefix} Source")
    dd1 = _column(table, f"{prefix} Source Drill-Down 1")
    dd2 = _column(table, f"{prefix} Source Drill-Down 2")
    keys = _key(value)
    uniq, inv = np.unique(keys, return_inverse=True)  # str objects: no fixed-width copy
    channel = np.empty(uniq.size, dtype=object)
    rule = np.empty(uniq.size, dtype=object)
    for k, u in enumerate(uniq.tolist()):  # one per distinct HubSpot source
        channel[k], rule[k] = CHANNELS.get(u, (None, "value"))
    ch, rl = channel[inv], rule[inv]
    drill = rl == "drill"
    source = np.where(drill, dd1, np.where(rl == "value", value, rl))
    no_campaign = np.full(dd1.size, None, dtype=object)
    campaign = np.where(drill, dd2, np.where(rl == "(direct)", no_campaign, dd1))
    return {"channel": ch, "source": source, "campaign": campaign}


def _touches(contacts: Any) -> tuple[Table, dict[str, int]]:
    n = contacts.num_rows
    ids, email = _column(contacts, "Record ID"), _column(contacts, "Email")
    first = _source_touch(contacts, "Original")
    parts = [{"time": files.times(contacts.column("Create Date")), **first}]
    rows = [np.arange(n, dtype=np.int64)]
    if (
        "Latest Source Timestamp" in contacts.column_names
        and "Latest Source" in contacts.column_names
    ):
        latest_time = files.times(contacts.column("Latest Source Timestamp"))
        latest = _source_touch(contacts, "Latest")
        has = (_column(contacts, "Latest Source") != None) & _present(latest_time)  # noqa: E711
        has &= _instants(latest_time) != _instants(parts[0]["time"])  # not the same touch
        keep = np.flatnonzero(has)
        parts.append({"time": latest_time[keep], **{k: v[keep] for k, v in latest.items()}})
        rows.append(keep.astype(np.int64))
    row = np.concatenate(rows)
    cols = {
        k: np.concatenate([p[k] for p in parts]) for k in ("time", "channel", "source", "campaign")
    }
    cols = {"contact_id": ids[row], "email": email[row], **cols}
    return Table("contacts", cols, row), {"contacts": n}


def _instants(values: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Times as datetime64 (NaT where unreadable), only to compare two columns."""
    return timestamps.parse(values, errors="report").values


def _present(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    missing: npt.NDArray[np.bool_] = (
        np.isnat(values) if values.dtype.kind == "M" else values == None  # noqa: E711
    )
    return ~missing


def _first_contact(deals: Any, column: str) -> ObjectArray:
    raw = files.texts(deals.column(column))
    out = np.full(raw.size, None, dtype=object)
    ok = raw != None  # noqa: E711
    if ok.any():
        pc = backends.pyarrow_compute()
        pa = backends.pyarrow()
        parts = pc.split_pattern_regex(pa.array(raw[ok], type=pa.string()), "[;,]")
        first = pc.utf8_trim_whitespace(pc.list_element(parts, 0))
        out[ok] = files.texts(first)
        out[out == ""] = None
    return out


def _won(deals: Any, won_stages: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Deals whose stage is a won stage (compared without case, spaces or underscores)."""
    stages = files.texts(deals.column("Deal Stage"))
    wanted = {"".join(s.lower().replace("_", " ").split()) for s in won_stages}
    distinct = {v for v in stages.tolist() if v is not None}  # a few stages: one test each
    won = {v for v in distinct if "".join(v.lower().replace("_", " ").split()) in wanted}
    return np.fromiter((v in won for v in stages.tolist()), dtype=bool, count=stages.size)


def _associations(table: Any, column: str) -> tuple[IntArray, ObjectArray]:
    """Every (row, associated id) pair of a ``;``- or ``,``-separated association column."""
    raw = files.texts(table.column(column))
    ok = np.flatnonzero(raw != None)  # noqa: E711
    if not ok.size:
        return np.zeros(0, np.int64), np.zeros(0, dtype=object)
    pa = backends.pyarrow()
    pc = backends.pyarrow_compute()
    parts = pc.split_pattern_regex(pa.array(raw[ok], type=pa.string()), "[;,]")
    row = ok[np.asarray(pc.list_parent_indices(parts).to_numpy(), dtype=np.int64)]
    ids = files.texts(pc.utf8_trim_whitespace(pc.list_flatten(parts)))
    keep = (ids != None) & (ids != "")  # noqa: E711
    return row[keep].astype(np.int64), ids[keep]


def _company_members(
    deals: Any, contacts: Any, company_column: str, contact_company_column: str
) -> tuple[IntArray, ObjectArray]:
    """(deal row, contact Record ID) of every contact of every company of each deal."""
    deal_row, company = _associations(deals, company_column)
    person_row, person_company = _associations(contacts, contact_company_column)
    left, right = matching_pairs(company, person_company, field=company_column)
    return deal_row[left], _column(contacts, "Record ID")[person_row[right]]


def _lead_conversions(contacts: Any) -> Table:
    """Every contact as a lead, at ``Became a Lead Date`` (else its create date)."""
    when = "Became a Lead Date" if "Became a Lead Date" in contacts.column_names else "Create Date"
    lead_time = files.times(contacts.column(when))
    if when != "Create Date":
        created = files.times(contacts.column("Create Date"))
        lead_time = np.where(~_present(lead_time), created, lead_time)
    rows = np.arange(contacts.num_rows, dtype=np.int64)
    return Table(
        "contacts", {"contact_id": _column(contacts, "Record ID"), "time": lead_time}, rows
    )


def _membership(
    deals: Any, contacts: Any, group: str, key: str, columns: tuple[str, str, str]
) -> Membership:
    """Every associated contact of each deal, and (``"company"``) every contact of its
    companies. ``columns``: the deals' contact and company columns, the contacts'
    company column."""
    contact_column, company_column, contact_company_column = columns
    row, member = _associations(deals, contact_column)
    if group == "company":
        files.check_schema(deals.schema, "deals", {company_column: "text"})
        files.check_schema(contacts.schema, "contacts", {contact_company_column: "text"})
        c_row, c_member = _company_members(deals, contacts, company_column, contact_company_column)
        if key == "email":  # members named by email: company contacts by their email
            at = files.index_in(c_member, _column(contacts, "Record ID"))
            c_member = _column(contacts, "Email")[at]
        row, member = np.concatenate([row, c_row]), np.concatenate([member, c_member])
    return Membership(group=_column(deals, "Record ID")[row], member=member, identifier=key)


def _deal_conversions(
    deals: Any,
    contact_column: str,
    won_stages: Sequence[str],
    conversions: str,
    membership: Membership | None,
) -> tuple[Table, dict[str, int], Any]:
    """Won (or all created) deals as conversions of their first contact or their group."""
    chosen = _won(deals, won_stages) if conversions == "won" else np.ones(deals.num_rows, bool)
    not_used = {"deals not won (stage not in won_stages)": int(np.count_nonzero(~chosen))}
    keep, merged, clash = once_per_id(
        deals,
        "Record ID",
        ["Amount", "Close Date", "Create Date", "Deal Stage", contact_column],
        name="deals",
    )
    not_used["deal rows repeating a deal (same Record ID and values)"] = merged
    chosen &= keep
    if membership is None:
        contact = _first_contact(deals, contact_column)
        key = "email" if "mail" in contact_column.lower() else "contact_id"
    else:  # the deal is its group; it needs at least one member
        contact = _column(deals, "Record ID")
        named = np.isin(contact, membership.group.astype(object))
        contact[~named] = None
        key = "deal"
    linked = chosen & (contact != None)  # noqa: E711
    rows = np.flatnonzero(linked).astype(np.int64)
    amount = deals.column("Amount")
    value = files.amounts(amount, table="deals", column="Amount")
    at = "Close Date" if conversions == "won" else "Create Date"
    cols = {key: contact[rows], "time": files.times(deals.column(at))[rows]}
    cols["value"] = value[rows]
    lost = rejections(
        np.flatnonzero(chosen & ~linked), "deals", f"no contact in {contact_column!r}"
    )
    return Table("deals", cols, rows), not_used, combine(lost, clash)


def read(
    contacts: files.Source,
    deals: files.Source | None = None,
    *,
    conversions: Literal["won", "created", "deals", "leads"] = "won",
    won_stages: Sequence[str] = ("closedwon", "Closed Won"),
    contact_column: str = "Associated Contact IDs",
    cleaning: Cleaning | None = None,
    currency: str | None = None,
    group: Literal["deal", "company", "contact"] = "deal",
    company_column: str = "Associated Company IDs",
    contact_company_column: str = "Associated Company ID",
) -> tuple[JourneySet, ConnectorReport]:
    """Read HubSpot contacts (touches) and deals (conversions) into journeys.

    Parameters
    ----------
    contacts : path, glob, list of paths, or data frame
        The contacts export.
    deals : path, glob, list of paths, or data frame, optional
        The deals export with associated contacts (needed for ``conversions="deals"``).
    conversions : {"won", "created", "leads"}
        ``"won"`` (default; ``"deals"`` is the same): won deals at their ``Close
        Date``, worth ``Amount``. ``"created"``: every deal at its ``Create Date``
        with its amount (pipeline attribution). ``"leads"``: every contact as a lead
        (value 1).
    won_stages : sequence of str
        Deal stages that mean won (compared without case, spaces or underscores).
    contact_column : str
        Deals column of the associated contacts (ids, or emails when its name
        contains "mail").
    cleaning : Cleaning, optional
        Time zone of the export (HubSpot writes the portal's zone), dedup, errors.
    currency : str, optional
        Currency of the amounts.
    group : {"deal", "company", "contact"}
        Whose touches a deal is credited to. ``"deal"`` (default): every contact
        associated with it (its buying group). ``"company"``: also every contact of
        the deal's associated companies (``company_column`` on deals,
        ``contact_company_column`` on contacts). ``"contact"``: the first associated
        contact only.
    company_column, contact_company_column : str
        The association columns for ``group="company"`` (``;``- or ``,``-separated).

    Returns
    -------
    (JourneySet, ConnectorReport)

    Examples
    --------
    >>> import pyarrow as pa
    >>> contacts = pa.table({
    ...     "Record ID": ["101", "102"], "Email": ["ann@x.io", "bob@x.io"],
    ...     "Create Date": ["2024-03-01 10:00", "2024-03-02 09:00"],
    ...     "Original Source": ["Paid Search", "Email Marketing"],
    ...     "Original Source Drill-Down 1": ["google", "March newsletter"],
    ...     "Original Source Drill-Down 2": ["brand", None]})
    >>> deals = pa.table({"Record ID": ["9"], "Amount": [500.0],
    ...     "Close Date": ["2024-03-09"], "Deal Stage": ["Closed Won"],
    ...     "Associated Contact IDs": ["101;102"]})
    >>> js, report = read(contacts, deals)
    >>> js.channel.labels().tolist(), js.total_value
    (['paid search', 'email'], 500.0)
    """
    if conversions not in ("won", "created", "deals", "leads"):
        raise ValueError(
            "conversions must be 'won', 'created' or 'leads' ('deals' = 'won'), "
            f"got {conversions!r}"
        )
    if group not in ("deal", "company", "contact"):
        raise ValueError(f"group must be 'deal', 'company' or 'contact', got {group!r}")
    conversions = "won" if conversions == "deals" else conversions
    text = [*_CONTACTS, *(c for c, k in _CONTACTS_OPT.items() if k == "text")]
    text.append(contact_company_column)
    c_table = files.read_table(contacts, table="contacts", text=text)
    files.check_schema(c_table.schema, "contacts", _CONTACTS, _CONTACTS_OPT)
    touches, tables = _touches(c_table)
    columns = ColumnMap(
        journey="contact_id",
        timestamp="time",
        channel="channel",
        source="source",
        campaign="campaign",
        identifiers={"email": "email"},
        conversion_journey="contact_id",
        conversion_time="time",
    )
    if conversions == "leads":
        lead_conv = _lead_conversions(c_table)
        return finish(
            touches,
            lead_conv,
            columns=columns,
            cleaning=cleaning,
            source="hubspot",
            tables=tables,
            target="leads",
        )
    if deals is None:
        raise ValueError(f"conversions={conversions!r} needs the deals export (deals=...)")
    d_table = files.read_table(
        deals,
        table="deals",
        text=["Record ID", "Deal Stage", contact_column, company_column],
        amounts=["Amount"],
    )
    files.check_schema(d_table.schema, "deals", {**_DEALS, contact_column: "text"})
    if conversions == "created":
        files.check_schema(d_table.schema, "deals", {"Create Date": "time"})
    key = "email" if "mail" in contact_column.lower() else "contact_id"
    membership = None
    if group != "contact":
        assoc = (contact_column, company_column, contact_company_column)
        membership = _membership(d_table, c_table, group, key, assoc)
        key = "deal"
    conv, not_used, lost = _deal_conversions(
        d_table, contact_column, won_stages, conversions, membership
    )
    return finish(
        touches,
        conv,
        columns=columns.replace(conversion_journey=key, conversion_value="value"),
        cleaning=cleaning,
        source="hubspot",
        tables={**tables, "deals": d_table.num_rows},
        not_used=not_used,
        target="revenue",
        currency=currency,
        rejected_conversions=lost,
        groups=membership,
    )
