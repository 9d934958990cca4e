"""Salesforce: campaign responses are touches, won opportunities are conversions.

Export four objects (Data Loader, Data Export, or a report per object) as CSV: the
way Marketo Measure reads Salesforce. A **touch** is a campaign member who responded
(``HasResponded``), at ``FirstRespondedDate`` (else the member's ``CreatedDate``),
labelled by its campaign: ``source`` is the campaign's ``Type`` (Webinar, Email, Trade
Show, Advertisement...; normalised and grouped into channels by the catalog's rules),
``campaign`` its ``Name``, and ``channel`` a campaign field of your own when you keep one
(``channel_field="Channel__c"``). A **conversion** is a won opportunity (``IsWon``), at
``CloseDate``, worth ``Amount``, credited to the journey of its contact: the primary
contact role, else the first one. A member's ``LeadId`` and ``ContactId`` are one person
(Salesforce keeps both on the member when a lead converts).

=========================  ========================================  ==============
object                     columns                                   rows become
=========================  ========================================  ==============
CampaignMember             CampaignId, LeadId and/or ContactId,      touches
                           HasResponded, FirstRespondedDate
                           (optional), CreatedDate
Campaign                   Id, Name, Type (optional), your channel   touch labels
                           field (optional)
Opportunity                Id, Amount, CloseDate, IsWon              conversions
OpportunityContactRole     OpportunityId, ContactId, IsPrimary       the link
                           (optional)
=========================  ========================================  ==============

Rows not used are counted by reason (members who did not respond, opportunities not
won); responses to a campaign missing from the Campaign export, and won opportunities
without a contact role, are rejected with their row.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.connectors.report import Cleaning, ConnectorReport, Table, finish, rejections
from touchcredit.core.store import JourneySet

__all__ = ["read"]

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

_MEMBERS: dict[str, files.Kind] = {
    "CampaignId": "text",
    "CreatedDate": "time",
    "HasResponded": "bool",
}
_MEMBERS_OPT: dict[str, files.Kind] = {
    "LeadId": "text",
    "ContactId": "text",
    "FirstRespondedDate": "time",
}
_CAMPAIGNS: dict[str, files.Kind] = {"Id": "text", "Name": "text"}
_OPPS: dict[str, files.Kind] = {
    "Id": "text",
    "Amount": "number",
    "CloseDate": "time",
    "IsWon": "bool",
}
_ROLES: dict[str, files.Kind] = {"OpportunityId": "text", "ContactId": "text"}


def _texts(table: Any, name: str) -> ObjArray:
    if name in table.column_names:
        return files.texts(table.column(name))
    return np.full(table.num_rows, None, dtype=object)


def _index_in(values: ObjArray, keys: ObjArray) -> IntArray:
    """Position of each value in ``keys`` (-1 when absent), by hashing (pyarrow)."""
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    idx = pc.index_in(
        pa.array(values, type=pa.string()), value_set=pa.array(keys, type=pa.string())
    )
    return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _touches(
    members: Any, campaigns: Any, channel_field: str | None
) -> tuple[Table, dict[str, int], Any]:
    responded = files.bools(
        members.column("HasResponded"), table="campaign members", column="HasResponded"
    )
    which = _index_in(_texts(members, "CampaignId"), _texts(campaigns, "Id"))
    known = which >= 0
    rows = np.flatnonzero(responded & known).astype(np.int64)
    created = files.times(members.column("CreatedDate"))
    if "FirstRespondedDate" in members.column_names:
        first = files.times(members.column("FirstRespondedDate"))
        gap = np.isnat(first) if first.dtype.kind == "M" else first == None  # noqa: E711
        if first.dtype.kind != created.dtype.kind:
            first, created = first.astype(object), created.astype(object)
        time = np.where(gap, created, first)
    else:
        time = created
    pick = which[rows]
    cols = {
        "contact": _texts(members, "ContactId")[rows],
        "lead": _texts(members, "LeadId")[rows],
        "time": time[rows],
        "source": _texts(campaigns, "Type")[pick],
        "campaign": _texts(campaigns, "Name")[pick],
        "channel": _texts(campaigns, channel_field)[pick]
        if channel_field
        else np.full(rows.size, None, dtype=object),
    }
    lost = rejections(np.flatnonzero(responded & ~known), "campaign members",
                      "its CampaignId is not in the Campaign export")  # fmt: skip
    not_used = {"campaign members who did not respond": int(np.count_nonzero(~responded))}
    return Table("campaign members", cols, rows), not_used, lost


def _conversions(opps: Any, roles: Any) -> tuple[Table, dict[str, int], Any]:
    won = files.bools(opps.column("IsWon"), table="opportunities", column="IsWon")
    opp_ids = _texts(opps, "Id")
    role_opp = _index_in(_texts(roles, "OpportunityId"), opp_ids)
    role_contact = _texts(roles, "ContactId")
    primary = (
        files.bools(roles.column("IsPrimary"), table="contact roles", column="IsPrimary")
        if "IsPrimary" in roles.column_names
        else np.zeros(roles.num_rows, dtype=bool)
    )
    usable = (role_opp >= 0) & (role_contact != None)  # noqa: E711
    r = np.flatnonzero(usable)
    order = r[np.lexsort((r, ~primary[r], role_opp[r]))]  # per opportunity: primary, then first
    opp_of, first = np.unique(role_opp[order], return_index=True)
    contact = np.full(opps.num_rows, None, dtype=object)
    contact[opp_of] = role_contact[order[first]]
    linked = won & (contact != None)  # noqa: E711
    rows = np.flatnonzero(linked).astype(np.int64)
    amount = opps.column("Amount")
    value = (
        files.texts(amount)
        if files.is_text(amount)
        else files.numbers(amount, table="opportunities", column="Amount")
    )
    cols = {
        "contact": contact[rows],
        "time": files.times(opps.column("CloseDate"))[rows],
        "value": value[rows],
    }
    lost = rejections(np.flatnonzero(won & ~linked), "opportunities", "won, but no contact role")
    not_used = {"opportunities not won": int(np.count_nonzero(~won))}
    return Table("opportunities", cols, rows), not_used, lost


def read(
    campaign_members: files.Source,
    campaigns: files.Source,
    opportunities: files.Source,
    contact_roles: files.Source,
    *,
    channel_field: str | None = None,
    cleaning: Cleaning | None = None,
    currency: str | None = None,
) -> tuple[JourneySet, ConnectorReport]:
    """Read Salesforce campaign responses and won opportunities into journeys.

    Parameters
    ----------
    campaign_members, campaigns, opportunities, contact_roles : path, glob or frame
        The CampaignMember, Campaign, Opportunity and OpportunityContactRole exports.
    channel_field : str, optional
        A Campaign column holding your own channel (e.g. ``"Channel__c"``); without
        it the channel comes from the campaign ``Type`` through the catalog.
    cleaning : Cleaning, optional
        Time zone of the export, dedup window, error mode.
    currency : str, optional
        Currency of the amounts.

    Returns
    -------
    (JourneySet, ConnectorReport)

    Examples
    --------
    >>> import pyarrow as pa
    >>> members = pa.table({"CampaignId": ["C1", "C2"], "LeadId": ["00Q1", None],
    ...     "ContactId": ["003A", "003A"], "HasResponded": [True, True],
    ...     "CreatedDate": ["2024-02-01", "2024-02-10"]})
    >>> campaigns = pa.table({"Id": ["C1", "C2"], "Name": ["Spring webinar", "Expo"],
    ...                       "Type": ["Webinar", "Trade Show"]})
    >>> opps = pa.table({"Id": ["006X"], "Amount": [1000.0], "CloseDate": ["2024-03-01"],
    ...                  "IsWon": [True]})
    >>> roles = pa.table({"OpportunityId": ["006X"], "ContactId": ["003A"]})
    >>> js, report = read(members, campaigns, opps, roles)
    >>> js.n_touches, js.total_value, js.campaign.labels().tolist()
    (2, 1000.0, ['Spring webinar', 'Expo'])
    """
    m = files.read_table(campaign_members, table="campaign members",
                         text=["CampaignId", "LeadId", "ContactId"])  # fmt: skip
    files.check_schema(m.schema, "campaign members", _MEMBERS, _MEMBERS_OPT)
    if "LeadId" not in m.column_names and "ContactId" not in m.column_names:
        raise files.SchemaError("campaign members", missing=["LeadId or ContactId"])
    c = files.read_table(campaigns, table="campaigns", text=["Id"])
    optional: dict[str, files.Kind] = {"Type": "text"}
    if channel_field:
        optional[channel_field] = "text"
    files.check_schema(c.schema, "campaigns", _CAMPAIGNS, optional)
    o = files.read_table(opportunities, table="opportunities", text=["Id"])
    files.check_schema(o.schema, "opportunities", _OPPS)
    r = files.read_table(contact_roles, table="contact roles", text=["OpportunityId", "ContactId"])
    files.check_schema(r.schema, "contact roles", _ROLES, {"IsPrimary": "bool"})
    touches, unused_members, lost_members = _touches(m, c, channel_field)
    conv, unused_opps, lost_opps = _conversions(o, r)
    roles = {
        "journey": "contact",
        "timestamp": "time",
        "identifiers": {"lead": "id"},
        "source": "source",
        "campaign": "campaign",
        "channel": "channel",
        "conversion_journey": "contact",
        "conversion_time": "time",
        "conversion_value": "value",
    }
    tables = {"campaign members": m.num_rows, "campaigns": c.num_rows,
              "opportunities": o.num_rows, "contact roles": r.num_rows}  # fmt: skip
    return finish(
        touches,
        conv,
        roles=roles,
        cleaning=cleaning,
        source="salesforce",
        tables=tables,
        not_used={**unused_members, **unused_opps},
        target="revenue",
        currency=currency,
        rejected_touches=lost_members,
        rejected_conversions=lost_opps,
    )
