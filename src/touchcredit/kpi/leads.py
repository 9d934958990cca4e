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

import functools
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray, TimeArray, read_only, read_only_values
from touchcredit.core.dimension import DIMENSIONS, Dimension
from touchcredit.core.display import html_table
from touchcredit.core.domain import Deal, Lead
from touchcredit.core.factorize import factorize_labels
from touchcredit.core.grouping import Groups, local_months
from touchcredit.core.time import NAT, TimeRule, TimeZoneLike
from touchcredit.kpi.lead_builders import (
    STAGE_FIELDS,
    attribute_columns,
    check_derived_stages,
    check_stage_order,
    deal_arrays,
    distinct_lead_ids,
    frame_arguments,
    object_arguments,
    stage_times,
)
from touchcredit.kpi.lead_groups import lead_column, lead_groups

__all__ = ["STAGES", "Groups", "LeadSet", "local_months"]


#: The funnel stages, in order.
STAGES: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "customer")
_FIELDS = STAGE_FIELDS

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

    lead_ids: npt.NDArray[Any] = attrs.field(converter=read_only)
    created_at: TimeArray = attrs.field(converter=read_only)
    source: Dimension
    channel: Dimension
    campaign: Dimension
    method: Dimension
    mql_at: TimeArray = attrs.field(converter=read_only)
    sql_at: TimeArray = attrs.field(converter=read_only)
    opportunity_at: TimeArray = attrs.field(converter=read_only)
    customer_at: TimeArray = attrs.field(converter=read_only)
    attributes: Mapping[str, npt.NDArray[Any]] = attrs.field(converter=read_only_values)
    deal_lead: IntArray = attrs.field(converter=read_only)
    deal_amount: FloatArray = attrs.field(converter=read_only)
    deal_currency: npt.NDArray[Any] = attrs.field(converter=read_only)
    deal_created_at: TimeArray = attrs.field(converter=read_only)
    deal_closed_at: TimeArray = attrs.field(converter=read_only)
    deal_won: npt.NDArray[np.bool_] = attrs.field(converter=read_only)

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
        >>> ls = LeadSet.from_arrays(lead_id=[1, 2], created_at=[0, 0], sql_at=[None, 9], unit="s")
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
        >>> x = LeadSet.from_arrays(lead_id=[1], created_at=["2024-01-02"], attributes={"t": [1]})
        >>> x.column("t").tolist(), x.column("source").tolist()
        ([1], [None])
        """
        return lead_column(self, name)

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
        return lead_groups(self, by, tz=tz)

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
        unit: str | None = None,
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
        default_tz, unit
            Zone of naive times; unit of epoch numbers ("s", "ms", "us", "ns"; None: the
            one fitting 1990-2100, :mod:`touchcredit.core.time.epochs`).

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
        ValueError: 'mql_at' must not precede 'created_at'; row 1 (lead 'a') has mql_at=2024-01-01T00:00:00.000000 before created_at=2024-01-05T00:00:00.000000
        """  # noqa: E501
        ids, uniq, inv = distinct_lead_ids(lead_id)
        n = int(ids.shape[0])
        stages = {"mql_at": mql_at, "sql_at": sql_at, "opportunity_at": opportunity_at}
        stages["customer_at"] = customer_at
        rule = TimeRule(default_tz, unit)
        times = stage_times(created_at, stages, n=n, default_tz=rule)
        check_stage_order(times, ids)
        labels = zip(DIMENSIONS, (source, channel, campaign, method), strict=True)
        dims: dict[str, Any] = {
            name: Dimension(*factorize_labels(v, field=name, n=n)) for name, v in labels
        }
        deals = deal_arrays(
            uniq, inv, ids, times["created_at"], deal_lead_id, deal_amount,
            deal_created_at, deal_closed_at, deal_won, deal_currency, rule,
        )  # fmt: skip
        fields: dict[str, Any] = {**times, **dims, **deals}
        attrs_ = MappingProxyType(attribute_columns(attributes, n))
        out = cls(lead_ids=ids, attributes=attrs_, **fields)
        check_derived_stages(times, out.opened_at, out.won_at, ids)
        return out

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        deals: Any = None,
        *,
        lead_id: str = "lead_id",
        created_at: str = "created_at",
        source: str | None = None,
        channel: str | None = None,
        campaign: str | None = None,
        method: str | None = None,
        mql_at: str | None = None,
        sql_at: str | None = None,
        opportunity_at: str | None = None,
        customer_at: str | None = None,
        attributes: Sequence[str] = (),
        deal_lead_id: str = "lead_id",
        deal_amount: str = "amount",
        deal_created_at: str = "created_at",
        deal_closed_at: str | None = None,
        deal_won: str | None = None,
        deal_currency: str = "USD",
        default_tz: TimeZoneLike = None,
    ) -> LeadSet:
        """Build a LeadSet from a lead frame and an optional deal frame.

        Any frame narwhals supports (pandas, polars eager or lazy, pyarrow, DuckDB,
        ...). The keywords name the columns holding :meth:`from_arrays`' arguments
        (None: not given); ``attributes`` names the attribute columns to keep.
        ``deal_currency`` is a column of ``deals`` when it names one, else the ISO
        4217 code of every deal. Timezone-aware columns keep their instant; naive
        ones are read in ``default_tz``.

        Raises
        ------
        touchcredit.core.mapping.MissingColumnError
            (a ValueError) naming every missing column and listing the columns found.

        Examples
        --------
        >>> import pandas as pd
        >>> leads = pd.DataFrame({"id": ["L1", "L2"], "created": ["2024-01-02", "2024-01-03"],
        ...                       "src": ["seo", "ads"], "industry": ["saas", "retail"]})
        >>> deals = pd.DataFrame({"lead": ["L1"], "value": [900.0], "opened": ["2024-01-04"],
        ...                       "closed": ["2024-01-09"], "won": [True]})
        >>> ls = LeadSet.from_frame(leads, deals, lead_id="id", created_at="created",
        ...     source="src", attributes=["industry"], deal_lead_id="lead", deal_amount="value",
        ...     deal_created_at="opened", deal_closed_at="closed", deal_won="won")
        >>> ls.won_revenue.tolist(), ls.attributes["industry"].tolist()
        ([900.0, 0.0], ['saas', 'retail'])
        """
        lead_cols: dict[str, str | None] = {"lead_id": lead_id, "created_at": created_at}
        lead_cols.update(channel=channel, campaign=campaign, method=method, mql_at=mql_at)
        lead_cols.update(sql_at=sql_at, source=source)
        lead_cols.update(opportunity_at=opportunity_at, customer_at=customer_at)
        deal_cols: dict[str, str | None] = {"deal_lead_id": deal_lead_id}
        deal_cols.update(deal_amount=deal_amount, deal_won=deal_won)
        deal_cols.update(deal_created_at=deal_created_at, deal_closed_at=deal_closed_at)
        arguments = frame_arguments(frame, deals, lead_cols, deal_cols, attributes=attributes,
                                    deal_currency=deal_currency, default_tz=default_tz)  # fmt: skip
        return cls.from_arrays(**arguments)

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
        return cls.from_arrays(**object_arguments(leads, deals))
