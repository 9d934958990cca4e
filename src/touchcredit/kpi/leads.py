"""LeadSet: the columnar lead table that the metrics, funnel and reports read.

One row per lead: creation time, the dates of the funnel stages reached, the
integer-coded labels (source, channel, campaign, method) and free-form attribute
columns (industry, annual revenue, intent...). Deals are parallel arrays pointing at
their lead. Built once, validated at the boundary; the KPI code works on whole arrays.

Grouping keys (``by=``) are resolved here, once, into integer group codes: a label
column, ``"month"`` (calendar month of lead creation in a stated time zone), an
attribute column name, an array with one key per lead, or a tuple of those.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.columns import as_object_array, as_values
from touchcredit.core.dimension import DIMENSIONS, Dimension
from touchcredit.core.display import html_table
from touchcredit.core.domain import Deal, Lead
from touchcredit.core.factorize import factorize_ids, factorize_labels
from touchcredit.core.grouping import Groups, compact, factorize_any, local_months
from touchcredit.core.time_rule import NAT, TimeZoneLike, to_datetime64

__all__ = ["STAGES", "Groups", "LeadSet", "local_months"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
TimeArray = npt.NDArray[np.datetime64]

#: The funnel stages, in order.
STAGES: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "customer")
_FIELDS = ("created_at", "mql_at", "sql_at", "opportunity_at", "customer_at")

GroupKey = str | Sequence[Any] | npt.NDArray[Any]


@attrs.frozen(eq=False, repr=False)
class LeadSet:
    """Leads, their funnel stage dates, labels, attributes and deals, as arrays.

    Build one with :meth:`from_arrays` or :meth:`from_objects`.

    Attributes
    ----------
    lead_ids : ndarray
        Lead identifiers, input order.
    created_at, mql_at, sql_at, opportunity_at, customer_at : datetime64[us] ndarray
        UTC stage dates (NaT = stage not reached or not recorded).
    source, channel, campaign, method : Dimension
        Label columns (codes into category tables; -1 = not recorded).
    attributes : mapping of str to ndarray
        Attribute columns, one value per lead.
    deal_lead : int64 ndarray
        Lead index (row) of every deal.
    deal_amount : float64 ndarray
        Deal amounts.
    deal_currency : ndarray of str
        ISO 4217 code of every deal.
    deal_created_at, deal_closed_at : datetime64[us] ndarray
        Deal dates (``deal_closed_at`` NaT while open).
    deal_won : bool ndarray
        Whether each deal closed won.

    Examples
    --------
    >>> ls = LeadSet.from_arrays(
    ...     lead_id=["L1", "L2", "L3"],
    ...     created_at=["2024-01-05", "2024-01-20", "2024-02-02"],
    ...     source=["seo", "seo", "ads"],
    ...     mql_at=["2024-01-07", None, "2024-02-03"],
    ...     deal_lead_id=["L1"], deal_amount=[5000], deal_created_at=["2024-01-10"],
    ...     deal_closed_at=["2024-02-01"], deal_won=[True],
    ... )
    >>> ls
    LeadSet(3 leads, 1 deals, sources: ads, seo)
    >>> ls.reached("mql").tolist(), ls.reached("customer").tolist()
    ([True, False, True], [True, False, False])
    """

    lead_ids: npt.NDArray[Any]
    created_at: TimeArray
    source: Dimension
    channel: Dimension
    campaign: Dimension
    method: Dimension
    mql_at: TimeArray
    sql_at: TimeArray
    opportunity_at: TimeArray
    customer_at: TimeArray
    attributes: Mapping[str, npt.NDArray[Any]]
    deal_lead: IntArray
    deal_amount: FloatArray
    deal_currency: npt.NDArray[Any]
    deal_created_at: TimeArray
    deal_closed_at: TimeArray
    deal_won: npt.NDArray[np.bool_]

    @property
    def n_leads(self) -> int:
        """Number of leads."""
        return int(self.lead_ids.shape[0])

    @property
    def n_deals(self) -> int:
        """Number of deals."""
        return int(self.deal_lead.shape[0])

    def __len__(self) -> int:
        return self.n_leads

    def __repr__(self) -> str:
        cats = self.source.categories
        shown = ", ".join(cats[:8]) + (f", ... ({len(cats)} in all)" if len(cats) > 8 else "")
        return f"LeadSet({self.n_leads} leads, {self.n_deals} deals, sources: {shown})"

    def _repr_html_(self) -> str:
        """Notebook view: sizes and leads per source (labels escaped)."""
        src = self.source
        counts = np.bincount(src.codes[src.codes >= 0], minlength=len(src.categories))
        order = np.argsort(-counts, kind="stable")[:12].tolist()
        rows: list[tuple[Any, str]] = [(src.categories[k], f"{int(counts[k]):,}") for k in order]
        missing = int((src.codes < 0).sum())
        if missing:
            rows.append((None, f"{missing:,}"))
        won = int(self.deal_won.sum())
        caption = (
            f"LeadSet: {self.n_leads:,} leads, {self.n_deals:,} deals ({won:,} won); "
            f"{len(src.categories):,} sources"
        )
        return html_table(("source", "leads"), rows, caption=caption, numeric=(False, True))

    # ------------------------------------------------------------- stages
    def _first_deal_time(self, times: TimeArray, mask: npt.NDArray[np.bool_]) -> TimeArray:
        """Earliest of ``times`` over each lead's deals where ``mask`` (NaT without one)."""
        big = np.iinfo(np.int64).max
        first = np.full(self.n_leads, big, dtype=np.int64)
        np.minimum.at(first, self.deal_lead[mask], times[mask].view(np.int64))
        return np.where(first == big, NAT.view(np.int64), first).view("datetime64[us]")

    @functools.cached_property
    def opened_at(self) -> TimeArray:
        """When each lead became an opportunity: ``opportunity_at``, else its first deal's start."""
        out = self.opportunity_at.copy()
        gap = np.isnat(out)
        if gap.any() and self.n_deals:
            out[gap] = self._first_deal_time(self.deal_created_at, np.ones(self.n_deals, bool))[gap]
        return out

    @functools.cached_property
    def won_at(self) -> TimeArray:
        """When each lead became a customer: ``customer_at``, else its first won deal's close."""
        out = self.customer_at.copy()
        gap = np.isnat(out)
        if gap.any() and self.deal_won.any():
            out[gap] = self._first_deal_time(self.deal_closed_at, self.deal_won)[gap]
        return out

    def stage_time(self, stage: str) -> TimeArray:
        """Date each lead entered ``stage`` (one of :data:`STAGES`; NaT where not recorded).

        Parameters
        ----------
        stage : str
            One of :data:`STAGES`; ``"lead"`` is ``created_at``, ``"opportunity"`` is
            :attr:`opened_at` and ``"customer"`` is :attr:`won_at` (deals fill in
            missing dates).

        Returns
        -------
        datetime64[us] ndarray

        Examples
        --------
        >>> ls = LeadSet.from_arrays(lead_id=[1], created_at=["2024-01-01"], sql_at=["2024-01-09"])
        >>> ls.stage_time("sql").tolist()
        [datetime.datetime(2024, 1, 9, 0, 0)]
        """
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}; got {stage!r}")
        if stage == "customer":
            return self.won_at
        if stage == "opportunity":
            return self.opened_at
        out: TimeArray = getattr(self, _FIELDS[STAGES.index(stage)])
        return out

    def reached(self, stage: str) -> npt.NDArray[np.bool_]:
        """Whether each lead reached ``stage``: that stage or any later one is dated.

        CRMs often skip stages (a lead goes straight to SQL); such a lead counts as
        having passed the skipped ones, so stage counts never grow down the funnel.

        Parameters
        ----------
        stage : str
            One of :data:`STAGES`.

        Returns
        -------
        bool ndarray

        Examples
        --------
        >>> ls = LeadSet.from_arrays(lead_id=[1, 2], created_at=[0, 0], sql_at=[None, 9])
        >>> ls.reached("mql").tolist()
        [False, True]
        """
        self.stage_time(stage)  # validates the name
        k = STAGES.index(stage)
        out = np.zeros(self.n_leads, dtype=bool)
        for later in STAGES[k:]:  # at most five stages
            out |= ~np.isnat(self.stage_time(later))
        return out

    @functools.cached_property
    def won_revenue(self) -> FloatArray:
        """Sum of the won deal amounts of each lead (see :meth:`currency`)."""
        self.currency()
        won = self.deal_won
        return np.bincount(
            self.deal_lead[won], weights=self.deal_amount[won], minlength=self.n_leads
        ).astype(np.float64)

    def currency(self) -> str | None:
        """The one currency of the won deals (None without won deals).

        Raises
        ------
        ValueError
            When won deals are in more than one currency (amounts are never added
            across currencies silently).
        """
        cur = np.unique(self.deal_currency[self.deal_won])
        if cur.size > 1:
            raise ValueError(
                f"won deals are in more than one currency ({', '.join(map(str, cur))}); "
                "convert the amounts to one currency first"
            )
        return str(cur[0]) if cur.size else None

    # ------------------------------------------------------------- grouping
    def column(self, name: str) -> npt.NDArray[Any]:
        """A column by name: a label column (as labels), a stage date or an attribute.

        Parameters
        ----------
        name : str
            ``"source"``, ``"channel"``, ``"campaign"``, ``"method"``, a stage date
            field (``"mql_at"``...) or an attribute name.

        Returns
        -------
        ndarray

        Raises
        ------
        KeyError
            When there is no such column (the known ones are listed).

        Examples
        --------
        >>> ls = LeadSet.from_arrays(lead_id=[1], created_at=[0], attributes={"tier": ["a"]})
        >>> ls.column("tier").tolist(), ls.column("source").tolist()
        (['a'], [None])
        """
        if name in DIMENSIONS:
            dim: Dimension = getattr(self, name)
            return dim.labels()
        if name in _FIELDS:
            out: npt.NDArray[Any] = getattr(self, name)
            return out
        if name in self.attributes:
            return self.attributes[name]
        known = (*DIMENSIONS, *_FIELDS, *sorted(self.attributes))
        raise KeyError(f"no column {name!r}; known columns: {', '.join(known)}")

    def groups(self, by: GroupKey | tuple[GroupKey, ...], *, tz: TimeZoneLike = "UTC") -> Groups:
        """Split the leads into groups by a key (see the module docstring).

        Parameters
        ----------
        by : str, array-like or tuple
            ``"source"``, ``"channel"``, ``"campaign"``, ``"method"``, ``"month"``
            (lead-creation month in ``tz``), an attribute name, an array with one key
            per lead, or a tuple of these (combined key; labels are tuples).
        tz : str or tzinfo
            Time zone of the calendar months.

        Returns
        -------
        Groups

        Examples
        --------
        >>> ls = LeadSet.from_arrays(lead_id=[1, 2, 3], created_at=["2024-01-31T23:00",
        ...     "2024-02-01", "2024-01-02"], source=["a", None, "a"])
        >>> ls.groups("source").labels, ls.groups("source").codes.tolist()
        (('a', None), [0, 1, 0])
        >>> ls.groups("month", tz="Europe/Paris").labels
        ('2024-01', '2024-02')
        >>> ls.groups(("source", "month")).labels
        (('a', '2024-01'), (None, '2024-02'))
        """
        if isinstance(by, tuple):
            parts = [self.groups(b, tz=tz) for b in by]
            if not parts:
                raise ValueError("'by' must name at least one key")
            combined = np.zeros(self.n_leads, dtype=np.int64)
            for g in parts:  # mixed-radix code; a handful of keys
                combined = combined * (g.size + 1) + (g.codes + 1)
            uniq, codes = compact(combined)
            first = np.zeros(uniq.size, dtype=np.int64)
            first[codes[::-1]] = np.arange(self.n_leads - 1, -1, -1)
            labels = tuple(
                zip(
                    *(tuple(g.labels[c] for c in g.codes[first].tolist()) for g in parts),
                    strict=True,
                )
            )
            return Groups(codes, labels, tuple(n for g in parts for n in g.names))
        if isinstance(by, str):
            if by in DIMENSIONS:
                dim: Dimension = getattr(self, by)
                k = len(dim.categories)
                codes = dim.codes.astype(np.int64)
                if (codes < 0).any():
                    return Groups(np.where(codes < 0, k, codes), (*dim.categories, None), (by,))
                return Groups(codes, dim.categories, (by,))
            if by == "month":
                months = local_months(self.created_at, tz)
                m = months.astype(np.int64)
                lo = int(m.min()) if m.size else 0
                uniq, codes = compact(m - lo)
                month_labels = tuple(str(x) for x in (uniq + lo).astype("datetime64[M]"))
                return Groups(codes, month_labels, (by,))
            codes, labels = factorize_any(self.column(by), by)
            return Groups(codes, labels, (by,))
        arr = as_object_array(by, field="by")
        if arr.shape[0] != self.n_leads:
            raise ValueError(
                f"'by' has {arr.shape[0]} keys, expected one per lead ({self.n_leads})"
            )
        codes, labels = factorize_any(arr, "by")
        return Groups(codes, labels, ("key",))

    # ------------------------------------------------------------- builders
    @classmethod
    def from_arrays(
        cls,
        lead_id: Any,
        created_at: Any,
        *,
        source: Any = None,
        channel: Any = None,
        campaign: Any = None,
        method: Any = None,
        mql_at: Any = None,
        sql_at: Any = None,
        opportunity_at: Any = None,
        customer_at: Any = None,
        attributes: Mapping[str, Any] | None = None,
        deal_lead_id: Any = None,
        deal_amount: Any = None,
        deal_created_at: Any = None,
        deal_closed_at: Any = None,
        deal_won: Any = None,
        deal_currency: Any = "USD",
        default_tz: TimeZoneLike = None,
    ) -> LeadSet:
        """Build a LeadSet from parallel arrays (one row per lead, one per deal).

        Parameters
        ----------
        lead_id : array-like of hashable
            Distinct lead ids.
        created_at : array-like
            Lead creation times (naive values read in ``default_tz``, else UTC).
        source, channel, campaign, method : array-like of str or None, optional
            Label columns.
        mql_at, sql_at, opportunity_at, customer_at : array-like, optional
            Stage dates (None/NaT where not reached). Each dated stage must not
            precede ``created_at`` nor any earlier dated stage.
        attributes : mapping of str to array-like, optional
            Attribute columns (industry, annual revenue, intent...), one value per lead.
        deal_lead_id : array-like, optional
            Lead id of every deal; each must be one of ``lead_id``.
        deal_amount : array-like of float
            Deal amounts (finite, >= 0).
        deal_created_at, deal_closed_at : array-like
            Deal dates (``deal_closed_at`` None while open).
        deal_won : array-like of bool
            Outcome (False when omitted); a won deal needs ``deal_closed_at``.
        deal_currency : str or array-like of str
            ISO 4217 code(s).
        default_tz : str or tzinfo, optional
            Zone of naive timestamps.

        Returns
        -------
        LeadSet

        Raises
        ------
        ValueError, TypeError
            Naming the field, the row (and lead id) and what was expected.

        Examples
        --------
        >>> LeadSet.from_arrays(lead_id=["a"], created_at=["2024-01-05"], mql_at=["2024-01-01"])
        Traceback (most recent call last):
        ...
        ValueError: 'mql_at' must not precede 'created_at'; row 0 (lead 'a') has mql_at=2024-01-01T00:00:00.000000 before created_at=2024-01-05T00:00:00.000000
        """  # noqa: E501
        ids = as_object_array(lead_id, field="lead_id")
        n = int(ids.shape[0])
        uniq, inv = factorize_ids(ids, field="lead_id")
        if uniq.size < n:
            dup = np.bincount(inv, minlength=uniq.size) > 1
            rows = np.flatnonzero(dup[inv])
            rows = rows[inv[rows] == inv[rows[0]]]
            raise ValueError(
                f"duplicate lead id {_plain(ids, int(rows[0]))!r} (rows {int(rows[0])} and "
                f"{int(rows[1])}); "
                "lead ids must be distinct"
            )
        times = {"created_at": to_datetime64(created_at, field="created_at", default_tz=default_tz)}
        for name, values in zip(
            _FIELDS[1:], (mql_at, sql_at, opportunity_at, customer_at), strict=True
        ):
            times[name] = (
                np.full(n, NAT, dtype="datetime64[us]")
                if values is None
                else to_datetime64(values, field=name, default_tz=default_tz, allow_missing=True)
            )
        for name, arr in times.items():
            if arr.shape[0] != n:
                raise ValueError(f"{name!r} has {arr.shape[0]} rows, expected {n}")
        _check_stage_order(times, ids)
        dims = {
            name: Dimension(*factorize_labels(values, field=name, n=n))
            for name, values in zip(DIMENSIONS, (source, channel, campaign, method), strict=True)
        }
        cols: dict[str, npt.NDArray[Any]] = {}
        for key, values in (attributes or {}).items():
            arr = as_object_array(values, field=key)
            if arr.shape[0] != n:
                raise ValueError(f"attribute {key!r} has {arr.shape[0]} rows, expected {n}")
            cols[str(key)] = arr
        deals = _deal_arrays(
            uniq, inv, ids, times["created_at"], deal_lead_id, deal_amount,
            deal_created_at, deal_closed_at, deal_won, deal_currency, default_tz,
        )  # fmt: skip
        out = cls(
            lead_ids=ids,
            created_at=times["created_at"],
            source=dims["source"],
            channel=dims["channel"],
            campaign=dims["campaign"],
            method=dims["method"],
            mql_at=times["mql_at"],
            sql_at=times["sql_at"],
            opportunity_at=times["opportunity_at"],
            customer_at=times["customer_at"],
            attributes=MappingProxyType(cols),
            **deals,
        )
        # Stage dates taken from deals must respect the funnel order too (checked on the
        # leads that have such a date only).
        derived = {
            "opportunity_at": np.isnat(times["opportunity_at"]) & ~np.isnat(out.opened_at),
            "customer_at": np.isnat(times["customer_at"]) & ~np.isnat(out.won_at),
        }
        rows = np.flatnonzero(derived["opportunity_at"] | derived["customer_at"])
        if rows.size:
            effective = {**times, "opportunity_at": out.opened_at, "customer_at": out.won_at}
            _check_stage_order(
                {k: v[rows] for k, v in effective.items()},
                ids[rows],
                {k: v[rows] for k, v in derived.items()},
                rows,
            )
        return out

    @classmethod
    def from_objects(cls, leads: Iterable[Lead], deals: Iterable[Deal] = ()) -> LeadSet:
        """Build a LeadSet from domain :class:`~touchcredit.Lead` and ``Deal`` objects.

        A ``Lead`` records its ``source``; ``channel``, ``campaign`` and ``method`` are
        read from its ``attributes`` under those names when present. The other
        attributes become attribute columns (None where a lead lacks the key).

        Parameters
        ----------
        leads : iterable of Lead
            Leads with distinct ids.
        deals : iterable of Deal
            Deals; each must belong to one of the leads.

        Returns
        -------
        LeadSet

        Examples
        --------
        >>> ls = LeadSet.from_objects(
        ...     [Lead("L1", "2024-01-02", source="seo", attributes={"industry": "saas"}),
        ...      Lead("L2", "2024-01-03", attributes={"channel": "email"})],
        ...     [Deal("D1", "L1", 900, "2024-01-04", "2024-01-09", won=True)])
        >>> ls.channel.labels().tolist(), ls.attributes["industry"].tolist()
        ([None, 'email'], ['saas', None])
        >>> ls.won_revenue.tolist()
        [900.0, 0.0]
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

        return cls.from_arrays(
            lead_id=col(lambda x: x.id),
            created_at=times([x.created_at for x in leads]),
            source=col(lambda x: x.source),
            channel=col(lambda x: x.attributes.get("channel")),
            campaign=col(lambda x: x.attributes.get("campaign")),
            method=col(lambda x: x.attributes.get("method")),
            mql_at=times([x.mql_at for x in leads]),
            sql_at=times([x.sql_at for x in leads]),
            opportunity_at=times([x.opportunity_at for x in leads]),
            customer_at=times([x.customer_at for x in leads]),
            attributes={k: col(lambda x, k=k: x.attributes.get(k)) for k in keys},
            deal_lead_id=col_of(deals, "lead_id"),
            deal_amount=np.array([d.amount for d in deals], dtype=np.float64),
            deal_created_at=times([d.created_at for d in deals]),
            deal_closed_at=times([d.closed_at for d in deals]),
            deal_won=np.array([d.won for d in deals], dtype=bool),
            deal_currency=np.array([d.currency for d in deals], dtype="U3"),
        )


def col_of(items: Sequence[Any], name: str) -> npt.NDArray[Any]:
    """Object array of attribute ``name`` of every item (builder helper)."""
    out = np.empty(len(items), dtype=object)
    out[:] = [getattr(x, name) for x in items]
    return out


def _plain(arr: npt.NDArray[Any], row: int) -> Any:
    """Row ``row`` as a plain Python value (for messages)."""
    return arr[row : row + 1].tolist()[0]


def _check_stage_order(
    times: dict[str, TimeArray],
    ids: npt.NDArray[Any],
    derived: dict[str, npt.NDArray[np.bool_]] | None = None,
    rows: IntArray | None = None,
) -> None:
    prev = times["created_at"].copy()
    prev_name = np.zeros(prev.size, dtype=np.int64)
    for s, name in enumerate(_FIELDS[1:], start=1):
        t = times[name]
        bad = ~np.isnat(t) & (t < prev)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            row = k if rows is None else int(rows[k])
            earlier = _FIELDS[int(prev_name[k])]
            source = ""
            if derived is not None and name in derived and derived[name][k]:
                source = " (taken from its deals)"
            raise ValueError(
                f"{name!r} must not precede {earlier!r}; row {row} (lead {_plain(ids, k)!r}) has "
                f"{name}={t[k]}{source} before {earlier}={prev[k]}"
            )
        dated = ~np.isnat(t)
        prev[dated] = t[dated]
        prev_name[dated] = s


def _deal_arrays(
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
    default_tz: TimeZoneLike,
) -> dict[str, Any]:
    if deal_lead_id is None:
        if any(v is not None for v in (amount, created_at, closed_at, won)):
            raise ValueError("deal columns were given without 'deal_lead_id'")
        deal_lead_id = ids[:0]
    did = as_object_array(deal_lead_id, field="deal_lead_id")
    m = int(did.shape[0])
    if m and (amount is None or created_at is None):
        raise ValueError("'deal_amount' and 'deal_created_at' are required with 'deal_lead_id'")
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
            f"'deal_lead_id' row {row} refers to lead {_plain(did, row)!r}, which is not among "
            "the leads"
        )
    lead = row_of_uniq[pos] if m else np.zeros(0, dtype=np.int64)
    amt = as_values(amount, field="deal_amount", n=m, default=0.0)
    created = (
        to_datetime64(created_at, field="deal_created_at", default_tz=default_tz)
        if m
        else np.empty(0, dtype="datetime64[us]")
    )
    closed = (
        np.full(m, NAT, dtype="datetime64[us]")
        if closed_at is None
        else to_datetime64(
            closed_at, field="deal_closed_at", default_tz=default_tz, allow_missing=True
        )
    )
    outcome = np.zeros(m, dtype=bool) if won is None else np.asarray(won)
    if outcome.dtype != np.bool_:
        raise TypeError(f"'deal_won' must hold booleans, got dtype {outcome.dtype}")
    if isinstance(currency, str):
        cur = np.full(m, currency, dtype="U3" if len(currency) == 3 else object)
    else:
        cur = as_object_array(currency, field="deal_currency")
    for name, arr in (("deal_created_at", created), ("deal_closed_at", closed),
                      ("deal_won", outcome), ("deal_currency", cur)):  # fmt: skip
        if arr.shape[0] != m:
            raise ValueError(f"{name!r} has {arr.shape[0]} rows, expected {m}")
    invalid = [
        c for c in set(cur.tolist()) if not (isinstance(c, str) and len(c) == 3 and c.isalpha())
    ]
    if invalid:
        row = next(i for i, c in enumerate(cur.tolist()) if c in invalid)
        raise ValueError(
            f"'deal_currency' must be a 3-letter ISO 4217 code; row {row} is {_plain(cur, row)!r}"
        )
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
            raise ValueError(f"{message}; deal row {row} (lead {_plain(did, row)!r})")
    return {
        "deal_lead": lead.astype(np.int64),
        "deal_amount": amt,
        "deal_currency": cur.astype(str) if m else np.zeros(0, dtype="U3"),
        "deal_created_at": created,
        "deal_closed_at": closed,
        "deal_won": outcome,
    }
