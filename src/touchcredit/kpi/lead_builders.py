"""The arrays of a LeadSet, built and validated in named steps (and read from frames).

:meth:`LeadSet.from_arrays` runs: distinct lead ids -> stage times -> stage order ->
labels -> deals (lead of every deal, dates, outcome, currency) -> stage dates that
deals imply, in funnel order too. :func:`frame_arguments` reads the same arguments
from a lead frame and a deal frame through :mod:`touchcredit.core.frame_input`.
Errors name the field, the row and the lead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray, TimeArray
from touchcredit.core.columns import as_object_array, as_values
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.domain import Deal, Lead
from touchcredit.core.factorize import factorize_ids
from touchcredit.core.frame_input import (
    column_names,
    labels_of,
    plain_values,
    read_columns,
    times_of,
)
from touchcredit.core.mapping import require_columns
from touchcredit.core.time import NAT, TimeRule, TimeZoneLike

__all__ = [
    "STAGE_FIELDS",
    "attribute_columns",
    "check_derived_stages",
    "check_stage_order",
    "col_of",
    "deal_arrays",
    "distinct_lead_ids",
    "frame_arguments",
    "object_arguments",
    "stage_times",
]


#: The LeadSet field of every funnel stage, in order (lead, mql, sql, opportunity, customer).
STAGE_FIELDS: tuple[str, ...] = ("created_at", "mql_at", "sql_at", "opportunity_at", "customer_at")
_DEAL_TIMES = ("deal_created_at", "deal_closed_at")


def distinct_lead_ids(lead_id: Any) -> tuple[npt.NDArray[Any], npt.NDArray[Any], IntArray]:
    """The lead ids, their sorted distinct values and each row's index among them.

    Examples
    --------
    >>> distinct_lead_ids(["a", "b", "a"])
    Traceback (most recent call last):
    ...
    ValueError: duplicate lead id 'a' (rows 1 and 3); lead ids must be distinct
    """
    ids = as_object_array(lead_id, field="lead_id")
    uniq, inv = factorize_ids(ids, field="lead_id")
    if uniq.size < ids.shape[0]:
        dup = np.bincount(inv, minlength=uniq.size) > 1
        rows = np.flatnonzero(dup[inv])
        rows = rows[inv[rows] == inv[rows[0]]]
        raise ValueError(
            f"duplicate lead id {plain(ids, int(rows[0]))!r} (rows {int(rows[0]) + 1} and "
            f"{int(rows[1]) + 1}); lead ids must be distinct"
        )
    return ids, uniq, inv


def stage_times(
    created_at: Any, stages: Mapping[str, Any], *, n: int, default_tz: TimeZoneLike | TimeRule
) -> dict[str, TimeArray]:
    """``created_at`` and the later stage dates (NaT where None), ``n`` rows each.

    Examples
    --------
    >>> t = stage_times(["2024-01-01"], {"mql_at": None}, n=1, default_tz=None)
    >>> list(t), np.isnat(t["mql_at"]).tolist()
    (['created_at', 'mql_at', 'sql_at', 'opportunity_at', 'customer_at'], [True])
    """
    rule = default_tz if isinstance(default_tz, TimeRule) else TimeRule(default_tz)
    times = {"created_at": rule.read(created_at, field="created_at")}
    for name in STAGE_FIELDS[1:]:
        values = stages.get(name)
        times[name] = (
            np.full(n, NAT, dtype="datetime64[us]")
            if values is None
            else rule.read(values, field=name, allow_missing=True)
        )
    for name, arr in times.items():
        if arr.shape[0] != n:
            raise ValueError(f"{name!r} has {arr.shape[0]} rows, expected {n}")
    return times


def attribute_columns(attributes: Mapping[str, Any] | None, n: int) -> dict[str, npt.NDArray[Any]]:
    """Attribute columns as arrays of ``n`` rows each.

    Examples
    --------
    >>> attribute_columns({"industry": ["saas"]}, 2)
    Traceback (most recent call last):
    ...
    ValueError: attribute 'industry' has 1 rows, expected 2
    """
    cols: dict[str, npt.NDArray[Any]] = {}
    for key, values in (attributes or {}).items():
        arr = as_object_array(values, field=key)
        if arr.shape[0] != n:
            raise ValueError(f"attribute {key!r} has {arr.shape[0]} rows, expected {n}")
        cols[str(key)] = arr
    return cols


def check_stage_order(
    times: Mapping[str, TimeArray],
    ids: npt.NDArray[Any],
    derived: Mapping[str, npt.NDArray[np.bool_]] | None = None,
    rows: IntArray | None = None,
) -> None:
    """Raise a ValueError naming the first lead whose dated stages run backwards.

    ``derived`` marks stage dates taken from deals (named so in the message);
    ``rows`` maps positions back to lead rows when ``times`` is a subset.

    Examples
    --------
    >>> t = stage_times(["2024-01-05"], {"sql_at": ["2024-01-02"]}, n=1, default_tz=None)
    >>> check_stage_order(t, np.array(["a"]))  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    ValueError: 'sql_at' must not precede 'created_at'; row 1 (lead 'a') has
    sql_at=2024-01-02T00:00:00.000000 before created_at=2024-01-05T00:00:00.000000
    """
    prev = times["created_at"].copy()
    prev_name = np.zeros(prev.size, dtype=np.int64)
    for s, name in enumerate(STAGE_FIELDS[1:], start=1):
        t = times[name]
        bad = ~np.isnat(t) & (t < prev)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            row = k if rows is None else int(rows[k])
            earlier = STAGE_FIELDS[int(prev_name[k])]
            source = ""
            if derived is not None and name in derived and derived[name][k]:
                source = " (taken from its deals)"
            raise ValueError(
                f"{name!r} must not precede {earlier!r}; row {row + 1} "
                f"(lead {plain(ids, k)!r}) has "
                f"{name}={t[k]}{source} before {earlier}={prev[k]}"
            )
        dated = ~np.isnat(t)
        prev[dated] = t[dated]
        prev_name[dated] = s


def check_derived_stages(
    times: Mapping[str, TimeArray], opened_at: TimeArray, won_at: TimeArray, ids: npt.NDArray[Any]
) -> None:
    """Stage dates taken from deals (first deal opened, first won) respect the funnel too.

    Checked on the leads that have such a date only.
    """
    derived = {
        "opportunity_at": np.isnat(times["opportunity_at"]) & ~np.isnat(opened_at),
        "customer_at": np.isnat(times["customer_at"]) & ~np.isnat(won_at),
    }
    rows = np.flatnonzero(derived["opportunity_at"] | derived["customer_at"])
    if rows.size:
        effective = {**times, "opportunity_at": opened_at, "customer_at": won_at}
        check_stage_order(
            {k: v[rows] for k, v in effective.items()},
            ids[rows],
            {k: v[rows] for k, v in derived.items()},
            rows,
        )


def col_of(items: Sequence[Any], name: str) -> npt.NDArray[Any]:
    """Object array of attribute ``name`` of every item (builder helper)."""
    out = np.empty(len(items), dtype=object)
    out[:] = [getattr(x, name) for x in items]
    return out


def plain(arr: npt.NDArray[Any], row: int) -> Any:
    """Row ``row`` as a plain Python value (for messages)."""
    return arr[row : row + 1].tolist()[0]


def deal_arrays(
    uniq: npt.NDArray[Any],
    inv: IntArray,
    ids: npt.NDArray[Any],
    lead_created: TimeArray,
    deal_lead_id: Any,
    amount: Any,
    created_at: Any,
    closed_at: Any,
    won: Any,
    currency: Any,
    default_tz: TimeZoneLike | TimeRule,
) -> dict[str, Any]:
    """The deal fields of a LeadSet, validated (see :meth:`LeadSet.from_arrays`).

    ``uniq``/``inv`` are the lead ids factorized (:func:`distinct_lead_ids`) and
    ``lead_created`` their creation times.
    """
    if deal_lead_id is None:
        if any(v is not None for v in (amount, created_at, closed_at, won)):
            raise ValueError("deal columns were given without 'deal_lead_id'")
        deal_lead_id = ids[:0]
    did = as_object_array(deal_lead_id, field="deal_lead_id")
    m = int(did.shape[0])
    if m and (amount is None or created_at is None):
        raise ValueError("'deal_amount' and 'deal_created_at' are required with 'deal_lead_id'")
    lead = _lead_of_deals(uniq, inv, did)
    rule = default_tz if isinstance(default_tz, TimeRule) else TimeRule(default_tz)
    amt = as_values(amount, field="deal_amount", n=m, default=0.0)
    created = (
        rule.read(created_at, field="deal_created_at") if m else np.empty(0, dtype="datetime64[us]")
    )
    closed = (
        np.full(m, NAT, dtype="datetime64[us]")
        if closed_at is None
        else rule.read(closed_at, field="deal_closed_at", allow_missing=True)
    )
    outcome = np.zeros(m, dtype=bool) if won is None else np.asarray(won)
    if outcome.dtype != np.bool_:
        raise TypeError(f"'deal_won' must hold booleans, got dtype {outcome.dtype}")
    cur = _currencies(currency, m)
    for name, arr in (("deal_created_at", created), ("deal_closed_at", closed),
                      ("deal_won", outcome), ("deal_currency", cur)):  # fmt: skip
        if arr.shape[0] != m:
            raise ValueError(f"{name!r} has {arr.shape[0]} rows, expected {m}")
    checks = (
        (outcome & np.isnat(closed), "a won deal needs 'deal_closed_at'"),
        (closed < created, "'deal_closed_at' must not precede 'deal_created_at'"),
        (
            created < lead_created[lead],
            "'deal_created_at' must not precede its lead's 'created_at'",
        ),
    )
    for mask, message in checks:
        if mask.any():
            row = int(np.flatnonzero(mask)[0])
            raise ValueError(f"{message}; deal row {row + 1} (lead {plain(did, row)!r})")
    return {
        "deal_lead": lead.astype(np.int64),
        "deal_amount": amt,
        "deal_currency": cur.astype(str) if m else np.zeros(0, dtype="U3"),
        "deal_created_at": created,
        "deal_closed_at": closed,
        "deal_won": outcome,
    }


def _lead_of_deals(uniq: npt.NDArray[Any], inv: IntArray, did: npt.NDArray[Any]) -> IntArray:
    """Lead row of every deal (an error naming the deal row when its lead is unknown)."""
    m = int(did.shape[0])
    row_of_uniq = np.empty(uniq.size, dtype=np.int64)
    row_of_uniq[inv] = np.arange(inv.size)
    try:
        pos = np.searchsorted(uniq, did) if uniq.size else np.zeros(m, dtype=np.int64)
        found = (pos < uniq.size) & (uniq[np.minimum(pos, max(uniq.size - 1, 0))] == did)
    except TypeError:
        raise TypeError("'deal_lead_id' and 'lead_id' hold ids of different types") from None
    if m and not np.all(found):
        row = int(np.flatnonzero(~found)[0])
        raise ValueError(
            f"'deal_lead_id' row {row + 1} refers to lead {plain(did, row)!r}, which is not among "
            "the leads"
        )
    return row_of_uniq[pos] if m else np.zeros(0, dtype=np.int64)


def _currencies(currency: Any, m: int) -> npt.NDArray[Any]:
    """One ISO 4217 code per deal (one code given for all, or a column of them)."""
    if isinstance(currency, str):
        cur = np.full(m, currency, dtype="U3" if len(currency) == 3 else object)
    else:
        cur = as_object_array(currency, field="deal_currency")
    invalid = [
        c for c in set(cur.tolist()) if not (isinstance(c, str) and len(c) == 3 and c.isalpha())
    ]
    if invalid:
        row = next(i for i, c in enumerate(cur.tolist()) if c in invalid)
        raise ValueError(
            f"'deal_currency' must be a 3-letter ISO 4217 code; row {row + 1} is "
            f"{plain(cur, row)!r}"
        )
    return cur


def frame_arguments(
    leads: Any,
    deals: Any,
    lead_columns: Mapping[str, str | None],
    deal_columns: Mapping[str, str | None],
    *,
    attributes: Sequence[str] = (),
    deal_currency: str = "USD",
    default_tz: TimeZoneLike = None,
) -> dict[str, Any]:
    """Keyword arguments of :meth:`LeadSet.from_arrays` read from a lead and a deal frame.

    ``lead_columns``/``deal_columns`` map the arguments of ``from_arrays`` to column
    names (None: not given). ``deal_currency`` is a column of ``deals`` when it names
    one, else the ISO 4217 code of every deal. Times come out as UTC instants (aware
    columns keep theirs, naive ones are read in ``default_tz``), so ``from_arrays``
    is then called without a zone.
    """
    wanted = {k: v for k, v in lead_columns.items() if v is not None}
    wanted.update({f"attribute {a}": a for a in attributes})
    require_columns("leads", wanted, column_names(leads, table="leads"))
    out: dict[str, Any] = {}
    if deals is not None:
        found = column_names(deals, table="deals")
        dwanted = {k: v for k, v in deal_columns.items() if v is not None}
        if deal_currency in found:
            dwanted["deal_currency"] = deal_currency
        require_columns("deals", dwanted, found)
        out.update(_read(deals, dwanted, "deals", default_tz))
        out.setdefault("deal_currency", deal_currency)
    read = _read(leads, wanted, "leads", default_tz)
    out["attributes"] = {a: read.pop(f"attribute {a}") for a in attributes}
    out.update(read)
    return out


def _read(frame: Any, wanted: Mapping[str, str], table: str, tz: TimeZoneLike) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in read_columns(frame, wanted, table=table).items():
        if key in STAGE_FIELDS or key in _DEAL_TIMES:
            out[key] = times_of(value, key, tz)
        elif key in DIMENSIONS:
            out[key] = labels_of(value)
        else:
            out[key] = plain_values(value)
    return out


def object_arguments(leads: Iterable[Lead], deals: Iterable[Deal] = ()) -> dict[str, Any]:
    """Keyword arguments of :meth:`LeadSet.from_arrays` for Lead and Deal objects.

    See :meth:`LeadSet.from_objects` for how attributes become columns.

    Examples
    --------
    >>> object_arguments([Lead("L1", "2024-01-02", source="seo")])["source"].tolist()
    ['seo']
    """
    leads = list(leads)
    deals = list(deals)
    for i, lead in enumerate(leads):
        if not isinstance(lead, Lead):
            raise TypeError(f"'leads' must hold Lead objects; item {i} is {type(lead)}")
    keys = sorted({k for lead in leads for k in lead.attributes} - set(DIMENSIONS))

    def col(get: Any) -> npt.NDArray[Any]:
        out = np.empty(len(leads), dtype=object)
        out[:] = [get(lead) for lead in leads]
        return out

    def times(values: list[dt.datetime | None]) -> TimeArray:
        return np.array(
            [NAT if v is None else np.datetime64(v.replace(tzinfo=None), "us") for v in values],
            dtype="datetime64[us]",
        )

    return {
        "lead_id": col(lambda x: x.id),
        "created_at": times([x.created_at for x in leads]),
        "source": col(lambda x: x.source),
        "channel": col(lambda x: x.attributes.get("channel")),
        "campaign": col(lambda x: x.attributes.get("campaign")),
        "method": col(lambda x: x.attributes.get("method")),
        "mql_at": times([x.mql_at for x in leads]),
        "sql_at": times([x.sql_at for x in leads]),
        "opportunity_at": times([x.opportunity_at for x in leads]),
        "customer_at": times([x.customer_at for x in leads]),
        "attributes": {k: col(lambda x, k=k: x.attributes.get(k)) for k in keys},
        "deal_lead_id": col_of(deals, "lead_id"),
        "deal_amount": np.array([d.amount for d in deals], dtype=np.float64),
        "deal_created_at": times([d.created_at for d in deals]),
        "deal_closed_at": times([d.closed_at for d in deals]),
        "deal_won": np.array([d.won for d in deals], dtype=bool),
        "deal_currency": np.array([d.currency for d in deals], dtype="U3"),
    }
