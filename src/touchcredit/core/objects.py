"""Domain objects (journeys, leads, deals) to the columns of a JourneySet, and back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import DIMENSIONS, Dimension
from touchcredit.core.domain import Deal, Journey, Lead, Touchpoint
from touchcredit.core.time import NAT

__all__ = ["journey_object", "object_columns", "object_labels"]


def object_columns(
    journeys: Iterable[Journey],
    leads: Iterable[Lead] = (),
    deals: Iterable[Deal] = (),
    *,
    target: Literal["leads", "revenue"] = "leads",
) -> dict[str, Any]:
    """Keyword arguments of :meth:`JourneySet.from_arrays` for domain objects.

    See :meth:`JourneySet.from_objects` for the meaning of ``target`` and the errors.

    Examples
    --------
    >>> from touchcredit.core.domain import Touchpoint
    >>> cols = object_columns([Journey("p", [Touchpoint("2024-01-01", channel="seo")])],
    ...                       [Lead("p", "2024-01-02")])
    >>> cols["channel"].tolist(), cols["conversion_value"].tolist(), cols["currency"]
    (['seo'], [1.0], None)
    """
    journeys, leads, deals = list(journeys), list(leads), list(deals)
    if target not in ("leads", "revenue"):
        raise ValueError(f"target must be 'leads' or 'revenue', got {target!r}")
    _no_duplicates([j.id for j in journeys], "journey")
    _no_duplicates([lead.id for lead in leads], "lead")
    _no_duplicates([d.id for d in deals], "deal")
    grouped = target == "revenue" and any(d.contacts for d in deals)
    if grouped:  # buying groups: a deal's journey is its contacts' touches
        rows, members = _group_rows(journeys, deals, leads)
    else:
        rows, members = [(j.id, tp) for j in journeys for tp in j.touchpoints], []
    touches: dict[str, Any] = {
        "journey_id": _object_array([j for j, _ in rows]),
        "timestamp": np.array(
            [tp.timestamp.replace(tzinfo=None) for _, tp in rows], dtype="datetime64[us]"
        ),
    }
    touches.update({d: _object_array([getattr(tp, d) for _, tp in rows]) for d in DIMENSIONS})
    conversions, currency = (
        (_lead_rows(leads), None) if target == "leads" else _won_deal_rows(deals, leads)
    )
    if grouped:  # each won deal is its own group's conversion
        won = [d for d in deals if d.won]
        conversions = [(str(d.id), *row[1:]) for d, row in zip(won, conversions, strict=True)]
        touches["touch_labels"] = {
            "contact": _object_array([c for c, _ in members]),
            "role": _object_array([r for _, r in members]),
        }
    columns = list(zip(*conversions, strict=True)) if conversions else [()] * 6
    cj, ct, cv, l_at, o_at, c_at = columns
    return {
        **touches,
        "conversion_journey_id": _object_array(cj),
        "conversion_time": _times(ct),
        "conversion_value": np.asarray(cv, dtype=np.float64),
        "lead_created_at": _times(l_at),
        "opportunity_created_at": _times(o_at),
        "closed_at": _times(c_at),
        "target": target,
        "currency": currency,
    }


def object_labels(
    labels: Mapping[str, npt.NDArray[Any]], touch_row: npt.NDArray[np.int64]
) -> dict[str, Dimension]:
    """Per-touch labels (object arrays in input row order) as Dimensions in touch order.

    Examples
    --------
    >>> d = object_labels({"role": np.array(["b", None, "a"], dtype=object)}, np.array([2, 0, 1]))
    >>> d["role"].labels().tolist()
    ['a', 'b', None]
    """
    out = {}
    for name, values in labels.items():
        cats = sorted({v for v in values.tolist() if v is not None})
        index = {v: i for i, v in enumerate(cats)}
        codes = np.array([index.get(v, -1) for v in values.tolist()], dtype=np.int32)
        out[name] = Dimension(codes[touch_row], tuple(cats))
    return out


def journey_object(
    journey_id: Any, timestamp: npt.NDArray[np.datetime64], labels: Mapping[str, npt.NDArray[Any]]
) -> Journey:
    """One journey's touches (UTC times, label columns by dimension) as a :class:`Journey`.

    Examples
    --------
    >>> j = journey_object(np.int64(7), np.array([0], dtype="datetime64[us]"),
    ...                    {"channel": np.array(["seo"], dtype=object)})
    >>> j.id, j.touchpoints[0].channel, j.touchpoints[0].source
    (7, 'seo', None)
    """
    stamps = timestamp.tolist()
    cols = {name: labels[name].tolist() if name in labels else None for name in DIMENSIONS}
    tps = [
        Touchpoint(
            stamp.replace(tzinfo=dt.UTC),
            **{name: None if col is None else col[k] for name, col in cols.items()},
        )
        for k, stamp in enumerate(stamps)
    ]
    return Journey(journey_id.item() if isinstance(journey_id, np.generic) else journey_id, tps)


_Row = tuple[Any, Any, float, Any, Any, Any]
#: Journey id of a person who is on no deal, when the journeys are buying groups.
_PERSON = "(person {})"


def _group_rows(
    journeys: list[Journey], deals: list[Deal], leads: list[Lead]
) -> tuple[list[tuple[Any, Touchpoint]], list[tuple[Any, str | None]]]:
    """Touch rows of buying-group journeys (deal id as text), and each row's (contact,
    role). A deal without contacts is its lead's journey alone; a person on no deal keeps
    a journey of their own, ``"(person <id>)"``."""
    lead_journey = {lead.id: lead.journey_id for lead in leads}
    by_id = {j.id: j for j in journeys}
    rows: list[tuple[Any, Touchpoint]] = []
    members: list[tuple[Any, str | None]] = []
    on_a_deal: set[Any] = set()
    for deal in deals:
        people = deal.contacts or ((lead_journey.get(deal.lead_id), None),)
        seen: set[Any] = set()
        for person, role in people:
            if person in seen or person not in by_id:  # listed twice, or no touches
                continue
            seen.add(person)
            on_a_deal.add(person)
            for tp in by_id[person].touchpoints:
                rows.append((str(deal.id), tp))
                members.append((str(person), role))
    for j in journeys:
        if j.id not in on_a_deal:
            for tp in j.touchpoints:
                rows.append((_PERSON.format(j.id), tp))
                members.append((None, None))
    return rows, members


def _lead_rows(leads: list[Lead]) -> list[_Row]:
    """Every lead: a conversion of value 1 at its creation, with its milestones."""
    return [
        (
            lead.journey_id,
            lead.created_at,
            1.0,
            lead.created_at,
            lead.opportunity_at,
            lead.customer_at,
        )
        for lead in leads
    ]


def _won_deal_rows(deals: list[Deal], leads: list[Lead]) -> tuple[list[_Row], str | None]:
    """Every won deal: a conversion of its amount at its close; and their one currency."""
    lead_by_id = {lead.id: lead for lead in leads}
    rows: list[_Row] = []
    currency: str | None = None
    for deal in deals:
        owner = lead_by_id.get(deal.lead_id)
        if owner is None:
            raise ValueError(
                f"deal {deal.id!r} refers to lead {deal.lead_id!r}, which is not among "
                "the leads given"
            )
        if not deal.won:
            continue
        if deal.created_at < owner.created_at:
            raise ValueError(
                f"deal {deal.id!r}: 'created_at' ({deal.created_at}) must not precede "
                f"the 'created_at' of its lead {owner.id!r} ({owner.created_at})"
            )
        if currency is None:
            currency = deal.currency
        elif deal.currency != currency:
            raise ValueError(
                f"won deals are in more than one currency ({currency} and "
                f"{deal.currency}, deal {deal.id!r}); convert the amounts to one "
                "currency first"
            )
        rows.append(
            (
                owner.journey_id,
                deal.closed_at,
                deal.amount,
                owner.created_at,
                deal.created_at,
                deal.closed_at,
            )
        )
    return rows, currency


def _times(values: Sequence[Any]) -> npt.NDArray[np.datetime64]:
    return np.array(
        [NAT if v is None else np.datetime64(v.replace(tzinfo=None), "us") for v in values],
        dtype="datetime64[us]",
    )


def _object_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _no_duplicates(ids: list[Any], what: str) -> None:
    seen: set[Any] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise ValueError(f"duplicate {what} id {ident!r} (item {i}); ids must be distinct")
        seen.add(ident)
