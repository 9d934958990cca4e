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

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.connectors.currency import one_currency
from touchcredit.connectors.report import (
    Cleaning,
    ConnectorReport,
    Table,
    combine,
    finish,
    once_per_id,
    rejections,
)
from touchcredit.core.arrays import IntArray, ObjectArray
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet
from touchcredit.hygiene.groups import Membership, matching_pairs

__all__ = ["Conversions", "Group", "read"]

#: Whose touches a deal is credited to (see :func:`read`).
Group = Literal["deal", "account", "contact"]
#: Which opportunities are conversions, and when.
Conversions = Literal["won", "created"]


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


def _texts(table: Any, name: str) -> ObjectArray:
    if name in table.column_names:
        return files.texts(table.column(name))
    return np.full(table.num_rows, None, dtype=object)


def _touches(
    members: Any, campaigns: Any, channel_field: str | None
) -> tuple[Table, dict[str, int], Any]:
    responded = files.bools(
        members.column("HasResponded"), table="campaign members", column="HasResponded"
    )
    which = files.index_in(_texts(members, "CampaignId"), _texts(campaigns, "Id"))
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


def _role_links(
    opps: Any, roles: Any
) -> tuple[IntArray, ObjectArray, ObjectArray, npt.NDArray[np.bool_]]:
    """Usable contact-role rows: their opportunity row, contact, role and primary flag."""
    role_opp = files.index_in(_texts(roles, "OpportunityId"), _texts(opps, "Id"))
    contact = _texts(roles, "ContactId")
    primary = (
        files.bools(roles.column("IsPrimary"), table="contact roles", column="IsPrimary")
        if "IsPrimary" in roles.column_names
        else np.zeros(roles.num_rows, dtype=bool)
    )
    r = np.flatnonzero((role_opp >= 0) & (contact != None))  # noqa: E711
    return role_opp[r], contact[r], _texts(roles, "Role")[r], primary[r]


def _primary_contact(opps: Any, roles: Any) -> ObjectArray:
    """Each opportunity's primary contact role, else its first one (None without)."""
    opp, contact, _, primary = _role_links(opps, roles)
    r = np.arange(opp.size)
    order = r[np.lexsort((r, ~primary, opp))]  # per opportunity: primary, then first
    opp_of, first = np.unique(opp[order], return_index=True)
    out = np.full(opps.num_rows, None, dtype=object)
    out[opp_of] = contact[order[first]]
    return out


def _account_pairs(opps: Any, contacts: Any) -> tuple[IntArray, ObjectArray]:
    """Every (opportunity row, contact id) pair whose AccountIds match."""
    opp_row, contact_row = matching_pairs(
        _texts(opps, "AccountId"), _texts(contacts, "AccountId"), field="AccountId"
    )
    return opp_row, _texts(contacts, "Id")[contact_row]


def _membership(opps: Any, roles: Any, contacts: Any | None, group: Group) -> Membership:
    """Who is on each opportunity: its contact roles, plus (``"account"``) every contact
    of its account (with no role unless a contact role gives one)."""
    opp, contact, role, _ = _role_links(opps, roles)
    opp_ids = _texts(opps, "Id")
    groups, members, role_of = [opp_ids[opp]], [contact], [role]
    if group == "account" and contacts is not None:
        opp_row, account_contact = _account_pairs(opps, contacts)
        groups.append(opp_ids[opp_row])
        members.append(account_contact)
        role_of.append(np.full(opp_row.size, None, dtype=object))
    return Membership(
        group=np.concatenate(groups),
        member=np.concatenate(members),
        identifier="contact",
        role=np.concatenate(role_of),
    )


def _conversions(
    opps: Any, roles: Any, contacts: Any | None, group: Group, conversions: Conversions
) -> tuple[Table, dict[str, int], Any, Membership | None]:
    """Won (or all created) opportunities as conversions of their contact or group."""
    won = files.bools(opps.column("IsWon"), table="opportunities", column="IsWon")
    chosen = won if conversions == "won" else np.ones(opps.num_rows, dtype=bool)
    not_used = {"opportunities not won": int(np.count_nonzero(~chosen))}
    keep, merged, clash = once_per_id(
        opps,
        "Id",
        ["Amount", "CloseDate", "CreatedDate", "IsWon", "StageName", "AccountId"],
        name="opportunities",
    )
    not_used["opportunity rows repeating an opportunity (same Id and values)"] = merged
    chosen = chosen & keep  # a repeated row is not "won, but no contact role"
    membership = None if group == "contact" else _membership(opps, roles, contacts, group)
    if membership is None:
        key = _primary_contact(opps, roles)
    else:  # the group is the opportunity itself; it needs at least one member
        key = _texts(opps, "Id")
        named = np.zeros(opps.num_rows, dtype=bool)
        on = files.index_in(membership.group[membership.member != None], key)  # noqa: E711
        named[on[on >= 0]] = True
        key[~named] = None
    linked = chosen & (key != None)  # noqa: E711
    rows = np.flatnonzero(linked).astype(np.int64)
    amount = opps.column("Amount")
    value = files.amounts(amount, table="opportunities", column="Amount")
    at = "CloseDate" if conversions == "won" else "CreatedDate"
    cols = {
        "contact" if membership is None else "opportunity": key[rows],
        "time": files.times(opps.column(at))[rows],
        "value": value[rows],
    }
    what = "won" if conversions == "won" else "created"
    why = f"{what}, but no contact role" + ("" if group != "account" else " or account contact")
    lost = rejections(np.flatnonzero(chosen & ~linked), "opportunities", why)
    return Table("opportunities", cols, rows), not_used, combine(lost, clash), membership


def _one_currency(
    opps: Any, conv: Table, currency: str | None, rates: Mapping[str, float] | None
) -> tuple[Table, str | None, dict[str, float]]:
    """The won amounts in one currency (``CurrencyIsoCode``), converted or refused."""
    if "CurrencyIsoCode" not in opps.column_names:
        return conv, currency, {}
    codes = _texts(opps, "CurrencyIsoCode")[conv.rows]
    value, currency, used = one_currency(
        codes,
        np.asarray(conv.columns["value"]),
        currency=currency,
        rates=rates,
        table="opportunities",
        column="CurrencyIsoCode",
    )
    return Table(conv.name, {**conv.columns, "value": value}, conv.rows), currency, used


def read(
    campaign_members: files.Source,
    campaigns: files.Source,
    opportunities: files.Source,
    contact_roles: files.Source,
    *,
    channel_field: str | None = None,
    cleaning: Cleaning | None = None,
    currency: str | None = None,
    rates: Mapping[str, float] | None = None,
    group: Group = "deal",
    contacts: files.Source | None = None,
    conversions: Conversions = "won",
) -> tuple[JourneySet, ConnectorReport]:
    """Read Salesforce campaign responses and won opportunities into journeys.

    Parameters
    ----------
    campaign_members, campaigns, opportunities, contact_roles : path, glob or frame
        The CampaignMember, Campaign, Opportunity and OpportunityContactRole exports.
    group : {"deal", "account", "contact"}
        Whose touches an opportunity is credited to. ``"deal"`` (default): every
        contact with a contact role on it (its buying group; touches record each
        contact's ``Role``). ``"account"``: also every contact of the opportunity's
        account (needs ``contacts=`` and ``Opportunity.AccountId``). ``"contact"``:
        the primary contact role only, else the first one.
    contacts : path, glob or frame, optional
        The Contact export (``Id``, ``AccountId``), for ``group="account"``.
    conversions : {"won", "created"}
        ``"won"`` (default): won opportunities at their ``CloseDate``. ``"created"``:
        every opportunity at its ``CreatedDate`` with its amount (pipeline attribution).
    channel_field : str, optional
        A Campaign column holding your own channel (e.g. ``"Channel__c"``); without
        it the channel comes from the campaign ``Type`` through the catalog.
    cleaning : Cleaning, optional
        Time zone of the export, dedup window, error mode.
    currency : str, optional
        Currency of the amounts. With a ``CurrencyIsoCode`` column (multi-currency
        orgs) the opportunities' code is used; a different ``currency`` is an error
        unless ``rates`` converts it.
    rates : mapping of str to float, optional
        Units of ``currency`` per unit of each other ``CurrencyIsoCode`` (``{"JPY":
        0.0067}``): opportunities in several currencies are converted, and the rates
        used are in ``report.rates``. Without it several currencies are an error naming
        both (1000 USD and 500 JPY are never 1500 USD).

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
    if group not in ("deal", "account", "contact"):
        raise ValueError(f"group must be 'deal', 'account' or 'contact', got {group!r}")
    if conversions not in ("won", "created"):
        raise ValueError(f"conversions must be 'won' or 'created', got {conversions!r}")
    m = files.read_table(campaign_members, table="campaign members",
                         text=["CampaignId", "LeadId", "ContactId"])  # fmt: skip
    files.check_schema(m.schema, "campaign members", _MEMBERS, _MEMBERS_OPT)
    if "LeadId" not in m.column_names and "ContactId" not in m.column_names:
        raise files.SchemaError("campaign members", missing=["LeadId or ContactId"])
    c = files.read_table(campaigns, table="campaigns", text=["Id"])
    optional: dict[str, files.Kind] = {"Type": "text"}
    if channel_field:
        optional[channel_field] = "text"
    required = {**_CAMPAIGNS, channel_field: "text"} if channel_field else _CAMPAIGNS
    files.check_schema(c.schema, "campaigns", required, optional)  # a typo'd field is named
    o = files.read_table(
        opportunities, table="opportunities", text=["Id", "AccountId"], amounts=["Amount"]
    )
    files.check_schema(o.schema, "opportunities", _OPPS)
    r = files.read_table(contact_roles, table="contact roles", text=["OpportunityId", "ContactId"])
    files.check_schema(r.schema, "contact roles", _ROLES, {"IsPrimary": "bool", "Role": "text"})
    if conversions == "created":
        files.check_schema(o.schema, "opportunities", {"CreatedDate": "time"})
    people = None
    if group == "account":
        if contacts is None:
            raise ValueError("group='account' needs the Contact export (contacts=...)")
        files.check_schema(o.schema, "opportunities", {"AccountId": "text"})
        people = files.read_table(contacts, table="contacts", text=["Id", "AccountId"])
        files.check_schema(people.schema, "contacts", {"Id": "text", "AccountId": "text"})
    touches, unused_members, lost_members = _touches(m, c, channel_field)
    conv, unused_opps, lost_opps, membership = _conversions(o, r, people, group, conversions)
    conv, currency, used_rates = _one_currency(o, conv, currency, rates)
    columns = ColumnMap(
        journey="contact",
        timestamp="time",
        identifiers={"lead": "id"},
        source="source",
        campaign="campaign",
        channel="channel",
        conversion_journey="contact" if membership is None else "opportunity",
        conversion_time="time",
        conversion_value="value",
    )
    tables = {"campaign members": m.num_rows, "campaigns": c.num_rows,
              "opportunities": o.num_rows, "contact roles": r.num_rows}  # fmt: skip
    if people is not None:
        tables["contacts"] = people.num_rows
    return finish(
        touches,
        conv,
        columns=columns,
        cleaning=cleaning,
        source="salesforce",
        tables=tables,
        not_used={**unused_members, **unused_opps},
        target="revenue",
        currency=currency,
        rates=used_rates,
        rejected_touches=lost_members,
        rejected_conversions=lost_opps,
        groups=membership,
    )
