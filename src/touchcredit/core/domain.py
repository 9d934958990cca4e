"""Domain values: touchpoints, journeys, leads and deals.

Small frozen, slotted attrs classes, validated once at construction. Times are stored
as timezone-aware UTC ``datetime`` objects; the rule for naive input is the library's
one rule (see :mod:`touchcredit.core.time.rule`): a naive ``datetime`` is read as UTC. To read
naive times in another zone, localize them first or use the array builders'
``default_tz`` argument.

*source*, *channel*, *campaign* and *method* are kept apart on purpose (see the
glossary in the docs): ``source="LinkedIn Ads"``, ``channel="paid social"``,
``campaign="q2_demo_push"``, ``method="cold outreach"``. ``None`` means "not
recorded"; an empty or blank string is rejected because it is almost always an
export bug that would otherwise become a source of its own.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from touchcredit.core.time import as_utc_datetime

__all__ = ["MILESTONES", "Deal", "Journey", "Lead", "Spend", "Touchpoint"]

#: Milestone times of a conversion, in the order they happen: the columns of a
#: JourneySet and a ColumnMap, and what a positional model can anchor on.
MILESTONES: tuple[str, ...] = ("lead_created_at", "opportunity_created_at", "closed_at")


def _timestamp(value: Any) -> dt.datetime:
    return as_utc_datetime(value, field="timestamp")


def _created_at(value: Any) -> dt.datetime:
    return as_utc_datetime(value, field="created_at")


def _mql_at(value: Any) -> dt.datetime | None:
    return None if value is None else as_utc_datetime(value, field="mql_at")


def _sql_at(value: Any) -> dt.datetime | None:
    return None if value is None else as_utc_datetime(value, field="sql_at")


def _opportunity_at(value: Any) -> dt.datetime | None:
    return None if value is None else as_utc_datetime(value, field="opportunity_at")


def _customer_at(value: Any) -> dt.datetime | None:
    return None if value is None else as_utc_datetime(value, field="customer_at")


def _closed_at(value: Any) -> dt.datetime | None:
    return None if value is None else as_utc_datetime(value, field="closed_at")


def _label(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(
            f"{attribute.name!r} must be a str or None, got {type(value).__name__} {value!r}"
            f"{_where(instance)}"
        )
    if not value.strip():
        raise ValueError(
            f"{attribute.name!r} must not be empty; use None for 'not recorded', "
            f"got {value!r}{_where(instance)}"
        )


def _where(instance: Any) -> str:
    ident = getattr(instance, "id", None)
    return f" ({type(instance).__name__.lower()} {ident!r})" if ident is not None else ""


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        raise TypeError(f"{field!r} must be a number, got {type(value).__name__} {value!r}")
    return float(value)  # finiteness is checked by the validator, which knows the id


def _amount(value: Any) -> float:
    return _number(value, "amount")


def _cost(value: Any) -> float | None:
    return None if value is None else _number(value, "cost")


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{attribute.name!r} must be finite, got {value!r}{_where(instance)}")
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name!r} must be >= 0, got {value!r}{_where(instance)}")


def _contacts(value: Any) -> tuple[tuple[Any, str | None], ...]:
    """A deal's contacts as (journey id, role) pairs, from a mapping or a sequence.

    >>> _contacts({"p1": "Decision Maker", "p2": None})
    (('p1', 'Decision Maker'), ('p2', None))
    >>> _contacts(["p1", ("p2", "Influencer")])
    (('p1', None), ('p2', 'Influencer'))
    """
    if value is None:
        return ()
    items = list(value.items()) if isinstance(value, Mapping) else list(value)
    out: list[tuple[Any, str | None]] = []
    for item in items:
        ident, role = item if isinstance(item, tuple) and len(item) == 2 else (item, None)
        if ident is None:
            raise ValueError("'contacts' must not hold None as a contact")
        hash(ident)  # a TypeError names an unhashable id
        if role is not None and not isinstance(role, str):
            raise TypeError(f"a contact's role must be text or None, got {role!r}")
        out.append((ident, role))
    return tuple(out)


def _hashable_id(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        raise ValueError(f"{attribute.name!r} must not be None")
    try:
        hash(value)
    except TypeError:
        raise TypeError(
            f"{attribute.name!r} must be hashable, got {type(value).__name__} {value!r}"
        ) from None


@attrs.frozen
class Touchpoint:
    """One interaction of a person with the business, at one instant.

    Parameters
    ----------
    timestamp : datetime, str, numpy.datetime64 or float
        When it happened. Naive values are read as UTC.
    channel : str or None
        The broad medium ("paid social", "organic search", "email").
    source : str or None
        Where exactly the touch came from ("LinkedIn Ads", "Google search").
    campaign : str or None
        The specific initiative ("q2_demo_push").
    method : str or None
        How the person was worked ("cold outreach", "inbound", "event").
    cost : float or None
        What this touch cost, when known (>= 0).
    attributes : mapping
        Free-form extra fields (landing URL, device, ...), stored read-only.

    Examples
    --------
    >>> tp = Touchpoint("2024-05-01T12:00:00Z", channel="paid social", source="LinkedIn Ads")
    >>> tp.timestamp.isoformat()
    '2024-05-01T12:00:00+00:00'
    >>> Touchpoint("2024-05-01", channel="")
    Traceback (most recent call last):
    ...
    ValueError: 'channel' must not be empty; use None for 'not recorded', got ''
    """

    timestamp: dt.datetime = attrs.field(converter=_timestamp)
    channel: str | None = attrs.field(default=None, validator=_label)
    source: str | None = attrs.field(default=None, validator=_label)
    campaign: str | None = attrs.field(default=None, validator=_label)
    method: str | None = attrs.field(default=None, validator=_label)
    cost: float | None = attrs.field(
        default=None,
        converter=_cost,
        validator=_non_negative,
    )
    attributes: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=False, repr=False
    )


def _sorted_touchpoints(value: Iterable[Touchpoint]) -> tuple[Touchpoint, ...]:
    items = tuple(value)
    for i, tp in enumerate(items):
        if not isinstance(tp, Touchpoint):
            raise TypeError(
                f"'touchpoints' must hold Touchpoint objects; item {i} is {type(tp).__name__}"
            )
    # sorted() is stable: touches at the same instant keep their given order.
    return tuple(sorted(items, key=lambda tp: tp.timestamp))


@attrs.frozen
class Journey:
    """One person's (or account's) touchpoints, kept in time order.

    Parameters
    ----------
    id : hashable
        The person or account identifier.
    touchpoints : iterable of Touchpoint
        In any order; stored sorted by time, ties in the given order.

    Examples
    --------
    >>> j = Journey("p1", [Touchpoint("2024-01-02", channel="email"),
    ...                    Touchpoint("2024-01-01", channel="paid search")])
    >>> [tp.channel for tp in j.touchpoints]
    ['paid search', 'email']
    >>> len(j)
    2
    """

    id: Any = attrs.field(validator=_hashable_id)
    touchpoints: tuple[Touchpoint, ...] = attrs.field(factory=tuple, converter=_sorted_touchpoints)

    def __len__(self) -> int:
        return len(self.touchpoints)


@attrs.frozen
class Lead:
    """A person captured as a contact, with the dates of the funnel stages reached.

    Parameters
    ----------
    id : hashable
        Lead identifier.
    created_at : datetime-like
        When the lead was captured (form fill, demo request, badge scan).
    journey_id : hashable, optional
        The journey holding this person's touches; defaults to ``id``.
    source : str or None
        The lead source recorded in the CRM (self-reported or set by a rep).
    mql_at, sql_at, opportunity_at, customer_at : datetime-like or None
        Dates the lead became marketing-qualified, sales-qualified, an opportunity,
        a customer. Each must not precede ``created_at``.
    attributes : mapping
        Qualification attributes (industry, annual revenue, technographics, intent...).

    Examples
    --------
    >>> lead = Lead("L1", "2024-02-01", mql_at="2024-02-03")
    >>> lead.journey_id
    'L1'
    >>> Lead("L2", "2024-02-01", sql_at="2024-01-01")
    Traceback (most recent call last):
    ...
    ValueError: 'sql_at' (2024-01-01 00:00:00+00:00) must not precede 'created_at' (...) (lead 'L2')
    """

    id: Any = attrs.field(validator=_hashable_id)
    created_at: dt.datetime = attrs.field(converter=_created_at)
    journey_id: Any = attrs.field(default=None)
    source: str | None = attrs.field(default=None, validator=_label)
    mql_at: dt.datetime | None = attrs.field(default=None, converter=_mql_at)
    sql_at: dt.datetime | None = attrs.field(default=None, converter=_sql_at)
    opportunity_at: dt.datetime | None = attrs.field(default=None, converter=_opportunity_at)
    customer_at: dt.datetime | None = attrs.field(default=None, converter=_customer_at)
    attributes: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if self.journey_id is None:
            object.__setattr__(self, "journey_id", self.id)
        for name in ("mql_at", "sql_at", "opportunity_at", "customer_at"):
            when = getattr(self, name)
            if when is not None and when < self.created_at:
                raise ValueError(
                    f"{name!r} ({when}) must not precede 'created_at' ({self.created_at})"
                    f"{_where(self)}"
                )


@attrs.frozen
class Deal:
    """An opportunity for a lead: amount, dates and outcome.

    Parameters
    ----------
    id : hashable
        Deal identifier.
    lead_id : hashable
        The lead the deal belongs to.
    amount : int, float or Decimal
        Deal value (>= 0), in ``currency``.
    created_at : datetime-like
        When the opportunity was created.
    closed_at : datetime-like or None
        When it was closed (won or lost); not before ``created_at``.
    won : bool
        Whether it closed won. A won deal needs ``closed_at``.
    currency : str
        ISO 4217 code; amounts in different currencies are never added silently.
    contacts : mapping of journey id to role, or sequence of journey ids or (id, role)
        The buying group: every person on the deal (by their journey id) and their role
        on it ("Decision Maker", "Influencer"...; None when not recorded). Empty (the
        default): the deal belongs to its lead's journey alone. With contacts,
        :meth:`JourneySet.from_objects <touchcredit.JourneySet.from_objects>` credits
        the deal over the touches of all of them.

    Examples
    --------
    >>> d = Deal("D1", "L1", 12_000, "2024-03-01", "2024-04-15", won=True)
    >>> d.amount
    12000.0
    >>> Deal("D-17", "L1", -5.0, "2024-03-01")
    Traceback (most recent call last):
    ...
    ValueError: 'amount' must be >= 0, got -5.0 (deal 'D-17')
    """

    id: Any = attrs.field(validator=_hashable_id)
    lead_id: Any = attrs.field(validator=_hashable_id)
    amount: float = attrs.field(converter=_amount, validator=_non_negative)
    created_at: dt.datetime = attrs.field(converter=_created_at)
    closed_at: dt.datetime | None = attrs.field(default=None, converter=_closed_at)
    won: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    currency: str = attrs.field(default="USD", validator=attrs.validators.instance_of(str))
    contacts: tuple[tuple[Any, str | None], ...] = attrs.field(default=(), converter=_contacts)

    def __attrs_post_init__(self) -> None:
        if self.closed_at is not None and self.closed_at < self.created_at:
            raise ValueError(
                f"'closed_at' ({self.closed_at}) must not precede 'created_at' "
                f"({self.created_at}){_where(self)}"
            )
        if self.won and self.closed_at is None:
            raise ValueError(f"a won deal needs 'closed_at'{_where(self)}")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(
                f"'currency' must be a 3-letter ISO 4217 code, got {self.currency!r}{_where(self)}"
            )


def _period(value: Any) -> dt.date:
    """The calendar month of a spend line, as the first day of that month."""
    if isinstance(value, str) and len(value.strip()) == 7 and value.strip()[4] == "-":
        value = value.strip() + "-01"  # "2024-03"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.replace(day=1)
    if isinstance(value, str):
        try:
            parsed = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError(
                f"'period' must be a month like '2024-03' or a date, got {value!r}"
            ) from None
        return parsed.replace(day=1)
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)  # the wall-clock month of the value as given
    raise TypeError(
        f"'period' must be a month like '2024-03', a date or a datetime, "
        f"got {type(value).__name__} {value!r}"
    )


def _spend_currency(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise ValueError(f"'currency' must be a 3-letter ISO 4217 code, got {value!r}")


@attrs.frozen
class Spend:
    """Money spent on a source, channel or campaign in one calendar month.

    Spend is booked per month, not per instant, so ``period`` is a calendar month
    (stored as its first day) and is not shifted between time zones.

    Parameters
    ----------
    amount : int, float or Decimal
        What was spent (>= 0), in ``currency``.
    period : str, date or datetime
        The month: ``"2024-03"``, or any date/datetime inside it.
    source, channel, campaign : str or None
        What the money was spent on (None = not broken down by that label).
    currency : str
        ISO 4217 code.

    Examples
    --------
    >>> s = Spend(1_000, "2024-03", source="LinkedIn Ads", channel="paid social")
    >>> s.amount, s.period.isoformat()
    (1000.0, '2024-03-01')
    >>> Spend(-1, "2024-03")
    Traceback (most recent call last):
    ...
    ValueError: 'amount' must be >= 0, got -1.0
    """

    amount: float = attrs.field(converter=_amount, validator=_non_negative)
    period: dt.date = attrs.field(converter=_period)
    source: str | None = attrs.field(default=None, validator=_label)
    channel: str | None = attrs.field(default=None, validator=_label)
    campaign: str | None = attrs.field(default=None, validator=_label)
    currency: str = attrs.field(default="USD", validator=_spend_currency)
