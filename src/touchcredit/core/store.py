"""JourneySet: the columnar store every attribution kernel reads.

Touches are held in CSR layout: journey ``j`` owns touches
``offsets[j]:offsets[j + 1]``, sorted by time (ties by label text, never row order:
:mod:`~touchcredit.core.ties`). Labels
(source, channel, campaign, method) are integer codes into small category tables
(:class:`~touchcredit.core.dimension.Dimension`). Conversions (what is being
attributed: a lead's creation or a won deal) are arrays too, sorted by (journey,
time), each with its value and milestone times.

Builders validate once, at the boundary (:mod:`~touchcredit.core.builders`,
:mod:`~touchcredit.core.objects`); models then work on whole arrays.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import FloatArray, IntArray, TimeArray, read_only
from touchcredit.core.builders import MILESTONES, check_currency, journey_arrays, selected_fields
from touchcredit.core.dimension import DIMENSIONS, GROUP_LABELS, Dimension
from touchcredit.core.display import html_summary, text_summary
from touchcredit.core.domain import Deal, Journey, Lead
from touchcredit.core.frame_input import journey_columns, journey_fields
from touchcredit.core.mapping import UNSET, ColumnMap, Unset, column_map
from touchcredit.core.objects import journey_object, object_columns, object_labels
from touchcredit.core.pairs import Pairs, eligible_pairs
from touchcredit.core.progress import progress_bar
from touchcredit.core.time import TimeRule, TimeZoneLike, to_duration

__all__ = ["JourneySet"]


@attrs.frozen(eq=False, repr=False)
class JourneySet:
    """Journeys, their touches and their conversions, as columnar arrays.

    Build one with :meth:`from_arrays` (numpy arrays or sequences) or
    :meth:`from_objects` (domain objects); the constructor itself takes already
    validated arrays and is meant for library code.

    Attributes
    ----------
    journey_ids : ndarray
        Label of every journey (sorted distinct ids), length J.
    offsets : int64 ndarray
        CSR offsets, length J + 1: journey ``j`` owns touches ``offsets[j]:offsets[j+1]``.
    timestamp : datetime64[us] ndarray
        UTC time of every touch, sorted inside each journey (ties by label text).
    source, channel, campaign, method : Dimension
        Label columns as integer codes plus category tables.
    touch_row : int64 ndarray
        Input row of every touch (results can be mapped back to the input).
    conversion_journey : int64 ndarray
        Journey index of every conversion (sorted by journey, then time).
    conversion_time : datetime64[us] ndarray
        When each conversion happened.
    conversion_value : float64 ndarray
        Its value: 1 for a lead, the amount for a won deal.
    lead_created_at, opportunity_created_at, closed_at : datetime64[us] ndarray
        Milestone times per conversion (NaT where unknown).
    conversion_row : int64 ndarray
        Input row of every conversion.
    target : str
        What the conversions are: ``"leads"``, ``"revenue"`` or ``"conversions"``.
    currency : str or None
        Currency of the values when they are money.
    touch_labels : mapping of str to Dimension
        Per-touch labels models never read: a buying group's ``"contact"`` and ``"role"``.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=["a", "a", "b"],
    ...     timestamp=["2024-01-02", "2024-01-01", "2024-01-05"],
    ...     channel=["email", "paid search", "seo"],
    ...     conversion_journey_id=["a"],
    ...     conversion_time=["2024-01-03"],
    ...     conversion_value=[100.0],
    ... )
    >>> js  # doctest: +ELLIPSIS
    JourneySet(2 journeys, 3 touches, 1 conversions, total value 100, channels: ...)
    >>> js.channel.labels()[js.offsets[0]:js.offsets[1]].tolist()
    ['paid search', 'email']
    """

    journey_ids: npt.NDArray[Any] = attrs.field(converter=read_only)
    offsets: IntArray = attrs.field(converter=read_only)
    timestamp: TimeArray = attrs.field(converter=read_only)
    source: Dimension
    channel: Dimension
    campaign: Dimension
    method: Dimension
    touch_row: IntArray = attrs.field(converter=read_only)
    conversion_journey: IntArray = attrs.field(converter=read_only)
    conversion_time: TimeArray = attrs.field(converter=read_only)
    conversion_value: FloatArray = attrs.field(converter=read_only)
    lead_created_at: TimeArray = attrs.field(converter=read_only)
    opportunity_created_at: TimeArray = attrs.field(converter=read_only)
    closed_at: TimeArray = attrs.field(converter=read_only)
    conversion_row: IntArray = attrs.field(converter=read_only)
    target: str = "conversions"
    currency: str | None = None
    touch_labels: Mapping[str, Dimension] = attrs.field(factory=dict)
    _pairs_cache: dict[Any, Pairs] = attrs.field(factory=dict, init=False, repr=False)

    # ------------------------------------------------------------------ sizes
    @property
    def n_journeys(self) -> int:
        """Number of journeys (converting or not)."""
        return int(self.offsets.size - 1)

    @property
    def n_touches(self) -> int:
        """Number of touches."""
        return int(self.offsets[-1])

    @property
    def n_conversions(self) -> int:
        """Number of conversions."""
        return int(self.conversion_journey.size)

    @property
    def total_value(self) -> float:
        """Sum of the conversion values (what any model must account for)."""
        return float(self.conversion_value.sum())

    def __len__(self) -> int:
        return self.n_journeys

    def dimension(self, name: str) -> Dimension:
        """The label column called ``name`` (one of :data:`DIMENSIONS`).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["seo"], unit="s")
        >>> js.dimension("channel").categories
        ('seo',)
        """
        if name in self.touch_labels:
            return self.touch_labels[name]
        if name in GROUP_LABELS:  # a person's journeys: no contact or role recorded
            return Dimension(np.full(self.n_touches, -1, dtype=np.int32), ())
        if name not in DIMENSIONS:
            known = ", ".join(dict.fromkeys((*DIMENSIONS, *GROUP_LABELS, *self.touch_labels)))
            raise ValueError(f"dimension must be one of {known}; got {name!r}")
        dim: Dimension = getattr(self, name)
        return dim

    # --------------------------------------------------------- derived arrays
    @functools.cached_property
    def lengths(self) -> IntArray:
        """Number of touches per journey."""
        return np.diff(self.offsets)

    @functools.cached_property
    def touch_journey(self) -> IntArray:
        """Journey index of every touch."""
        return _segments.segment_ids(self.offsets)

    @functools.cached_property
    def timestamp_us(self) -> IntArray:
        """Touch times as int64 microseconds since the epoch (a view, no copy)."""
        return self.timestamp.view(np.int64)

    @functools.cached_property
    def conversion_offsets(self) -> IntArray:
        """CSR offsets of conversions per journey (conversions are sorted by journey)."""
        return np.searchsorted(
            self.conversion_journey, np.arange(self.n_journeys + 1), side="left"
        ).astype(np.int64)

    @functools.cached_property
    def converting(self) -> npt.NDArray[np.bool_]:
        """Whether each journey has at least one conversion."""
        return np.diff(self.conversion_offsets) > 0

    def pairs(self, lookback: dt.timedelta | np.timedelta64 | None = None) -> Pairs:
        """The (conversion, touch) pairs eligible under an optional lookback window.

        Touch ``t`` is eligible for conversion ``c`` when it is in the same journey
        and ``T_c - lookback <= ts_t <= T_c``. Computed once per window and cached.

        Examples
        --------
        >>> js = JourneySet.from_arrays(
        ...     journey_id=[1, 1, 1], timestamp=[0, 86400 * 10, 86400 * 30],
        ...     channel=["a", "b", "c"], conversion_journey_id=[1],
        ...     conversion_time=[86400 * 20], unit="s")
        >>> js.pairs().touch.tolist()
        [0, 1]
        >>> js.pairs(dt.timedelta(days=15)).touch.tolist()
        [1]
        """
        key = (
            None
            if lookback is None
            else int(to_duration(lookback, field="lookback").view(np.int64))
        )
        cached = self._pairs_cache.get(key)
        if cached is not None:
            return cached
        if key is not None and key < 0:
            raise ValueError(f"'lookback' must be >= 0, got {lookback!r}")
        pairs = eligible_pairs(
            self.timestamp_us,
            self.offsets,
            self.conversion_journey,
            self.conversion_time.view(np.int64),
            key,
        )
        self._pairs_cache[key] = pairs
        return pairs

    # --------------------------------------------------------------- builders
    @classmethod
    def from_arrays(
        cls,
        journey_id: Any,
        timestamp: Any,
        channel: Any,
        *,
        source: Any = None,
        campaign: Any = None,
        method: Any = None,
        conversion_journey_id: Any = None,
        conversion_time: Any = None,
        conversion_value: Any = None,
        lead_created_at: Any = None,
        opportunity_created_at: Any = None,
        closed_at: Any = None,
        default_tz: TimeZoneLike = None,
        target: str = "conversions",
        currency: str | None = None,
        unit: str | None = None,
        ambiguous: str = "raise",
        nonexistent: str = "raise",
    ) -> JourneySet:
        """Build a JourneySet from parallel arrays, in any row order.

        Parameters
        ----------
        journey_id : array-like of hashable
            Journey (person/account) of every touch. Ids of one type.
        timestamp : array-like
            Touch times (datetime64, datetime, strings or epoch numbers), read by
            :mod:`~.core.time.rule`; ties in a journey are ordered by label text.
        channel : array-like of str or None
            Channel of every touch (None = not recorded).
        source, campaign, method : array-like of str or None, optional
            Further label columns.
        conversion_journey_id : array-like, optional
            Journey of every conversion. A journey with conversions but no touches is
            kept (its value is reported as unattributed, never dropped).
        conversion_time : array-like, optional
            When each conversion happened (required with ``conversion_journey_id``).
        conversion_value : array-like of float, optional
            Value of each conversion (1.0 each when omitted); finite and >= 0.
        lead_created_at, opportunity_created_at, closed_at : array-like, optional
            Milestone times per conversion (None/NaT where unknown), used by the
            W-shaped and full-path models.
        default_tz, unit, ambiguous, nonexistent
            The time rule (:class:`~.core.time.rule.TimeRule`): zone of naive times (UTC
            when None); epoch unit ("s", "ms", "us", "ns"; None: the one fitting
            1990-2100); clock changes ("raise", "earliest", "latest").
        target : str
            What the conversions are: "leads", "revenue" or "conversions".
        currency : str, optional
            Currency of money-valued conversions.

        Returns
        -------
        JourneySet

        Raises
        ------
        ValueError, TypeError
            Naming the field, the first offending row (1-based) and what was expected.

        Examples
        --------
        >>> js = JourneySet.from_arrays(
        ...     journey_id=np.array([7, 7, 3]),
        ...     timestamp=np.array(["2024-01-01", "2024-01-01", "2024-01-02"],
        ...                        dtype="datetime64[us]"),
        ...     channel=np.array(["email", "seo", "email"]),
        ... )
        >>> js.journey_ids.tolist(), js.offsets.tolist(), js.touch_row.tolist()
        ([3, 7], [0, 1, 3], [2, 0, 1])
        """
        check_currency(currency)
        labels = {"source": source, "channel": channel, "campaign": campaign, "method": method}
        milestones = (lead_created_at, opportunity_created_at, closed_at)
        conversions = dict(zip(MILESTONES, milestones, strict=True))
        conversions.update(conversion_journey_id=conversion_journey_id)
        conversions.update(conversion_time=conversion_time, conversion_value=conversion_value)
        rule = TimeRule(default_tz, unit, ambiguous, nonexistent)
        fields = journey_arrays(journey_id, timestamp, labels, conversions, rule=rule)
        return cls(**fields, target=target, currency=currency)

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        conversions: Any = None,
        *,
        columns: ColumnMap | None = None,
        journey: str | Unset = UNSET,
        timestamp: str | Unset = UNSET,
        channel: str | Unset | None = UNSET,
        source: str | Unset | None = UNSET,
        campaign: str | Unset | None = UNSET,
        method: str | Unset | None = UNSET,
        conversion_journey: str | Unset | None = UNSET,
        conversion_time: str | Unset = UNSET,
        conversion_value: str | Unset | None = UNSET,
        lead_created_at: str | Unset | None = UNSET,
        opportunity_created_at: str | Unset | None = UNSET,
        closed_at: str | Unset | None = UNSET,
        default_tz: TimeZoneLike = None,
        target: str = "conversions",
        currency: str | None = None,
        progress: bool | None = None,
        unit: str | None = None,
        ambiguous: str = "raise",
        nonexistent: str = "raise",
    ) -> JourneySet:
        """Build a JourneySet from a touch frame and an optional conversion frame.

        Any frame narwhals supports: pandas, polars (eager or lazy), pyarrow, DuckDB,
        ... (:mod:`~touchcredit.core.frame_input`). Numeric and datetime columns are
        read without a copy where possible, categorical and dictionary columns as codes
        plus categories, timezone-aware datetimes as UTC.

        Parameters
        ----------
        frame : DataFrame, LazyFrame, Table or relation
            One row per touch.
        conversions : same kinds, optional
            One row per conversion (a lead's creation, a won deal).
        columns : ColumnMap, optional
            Which columns hold what (:class:`~touchcredit.ColumnMap`; its defaults when
            None: ``journey_id``, ``timestamp``, ``channel``, ``conversion_time``).
        journey, timestamp, channel, source, campaign, method : str or None, optional
            Shorthand for ``columns``: touch-table column names that build a ColumnMap
            (an error together with ``columns``); a label column of None is not recorded.
        conversion_journey, conversion_time, conversion_value : str or None, optional
            Shorthand: conversion-table column names (``conversion_journey`` defaults to
            ``journey``; without a value column each conversion counts 1.0).
        lead_created_at, opportunity_created_at, closed_at : str or None, optional
            Shorthand: milestone columns of ``conversions``.
        default_tz, unit, ambiguous, nonexistent
            The time rule, as in :meth:`from_arrays` (aware columns keep their instant).
        target : str
            ``"leads"``, ``"revenue"`` or ``"conversions"``.
        currency : str, optional
            Currency of money-valued conversions.
        progress : bool, optional
            A bar over the steps when the build is long (see
            :func:`touchcredit.core.progress.progress_bar`).

        Raises
        ------
        touchcredit.core.mapping.MissingColumnError
            (a ValueError) naming the missing column and listing the columns found.
        TypeError
            When a frame is not one narwhals supports, or ``columns`` and keywords
            are both given.

        Examples
        --------
        >>> import pandas as pd
        >>> from touchcredit import ColumnMap
        >>> touches = pd.DataFrame({"person": ["a", "a", "b"],
        ...     "ts": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"]),
        ...     "channel": ["seo", "email", "seo"]})
        >>> leads = pd.DataFrame({"person": ["a"], "created": pd.to_datetime(["2024-01-04"])})
        >>> cols = ColumnMap(journey="person", timestamp="ts", conversion_time="created")
        >>> js = JourneySet.from_frame(touches, leads, columns=cols)
        >>> js.n_journeys, js.n_touches, js.n_conversions
        (2, 3, 1)
        >>> JourneySet.from_frame(touches, journey="person", timestamp="ts").n_touches
        3
        """
        mapping = column_map(
            columns, journey=journey, timestamp=timestamp, channel=channel, source=source,
            campaign=campaign, method=method, conversion_journey=conversion_journey,
            conversion_time=conversion_time, conversion_value=conversion_value,
            lead_created_at=lead_created_at, opportunity_created_at=opportunity_created_at,
            closed_at=closed_at,
        )  # fmt: skip
        bar = progress_bar(2, "from_frame", progress=progress)
        bar.update(0, label="columns")
        rule = TimeRule(default_tz, unit, ambiguous, nonexistent)
        arrays = journey_columns(frame, conversions, mapping, rule=rule, id_codes=True)
        bar.update(label="journeys")
        try:
            check_currency(currency)  # the columns are handed over: each freed once used
            return cls(**journey_fields(arrays), target=target, currency=currency)
        finally:
            bar.update()
            bar.close()

    @classmethod
    def from_objects(
        cls,
        journeys: Iterable[Journey],
        leads: Iterable[Lead] = (),
        deals: Iterable[Deal] = (),
        *,
        target: Literal["leads", "revenue"] = "leads",
    ) -> JourneySet:
        """Build a JourneySet from domain objects.

        Parameters
        ----------
        journeys : iterable of Journey
            The touches, one Journey per person/account. Ids must be distinct.
        leads : iterable of Lead
            Leads; a lead's touches are those of the journey with its ``journey_id``.
        deals : iterable of Deal
            Deals; each must belong to a known lead.
        target : {"leads", "revenue"}
            What to attribute. ``"leads"``: every lead is a conversion of value 1 at
            ``created_at`` (milestones: lead creation, its opportunity and customer
            dates). ``"revenue"``: every *won* deal is a conversion of its amount at
            ``closed_at`` (milestones: its lead's creation, the deal's creation and
            close). Lost and open deals carry no revenue.

        Raises
        ------
        ValueError
            On duplicate journey/lead/deal ids, a deal whose lead is missing, or won
            deals in more than one currency.

        Examples
        --------
        >>> from touchcredit import Touchpoint
        >>> js = JourneySet.from_objects(
        ...     journeys=[Journey("p1", [Touchpoint("2024-01-01", channel="seo")])],
        ...     leads=[Lead("p1", "2024-01-02")],
        ...     deals=[Deal("D1", "p1", 500, "2024-01-05", "2024-02-01", won=True)],
        ...     target="revenue",
        ... )
        >>> js.n_conversions, js.total_value, js.currency
        (1, 500.0, 'USD')
        """
        columns = object_columns(journeys, leads, deals, target=target)
        labels = columns.pop("touch_labels", {})
        js = cls.from_arrays(**columns)
        return attrs.evolve(js, touch_labels=object_labels(labels, js.touch_row))

    # ------------------------------------------------------------- subsetting
    def select(self, journeys: npt.ArrayLike) -> JourneySet:
        """A new JourneySet holding the given journeys (by index), in that order.

        Indices may repeat (a bootstrap resample); each copy brings its touches and
        conversions. Fully vectorized.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=["a", "b", "b"], timestamp=[0, 1, 2],
        ...                             channel=["x", "y", "z"], unit="s")
        >>> sub = js.select([1, 1])
        >>> sub.n_journeys, sub.n_touches, sub.channel.labels().tolist()
        (2, 4, ['y', 'z', 'y', 'z'])
        """
        return attrs.evolve(self, **selected_fields(self, journeys))

    # ---------------------------------------------------------- inspection
    def journey(self, index: int) -> Journey:
        """Journey ``index`` as a :class:`~touchcredit.Journey` object."""
        if not -self.n_journeys <= index < self.n_journeys:
            raise IndexError(f"journey index {index} out of range 0..{self.n_journeys - 1}")
        index %= max(self.n_journeys, 1)
        lo, hi = int(self.offsets[index]), int(self.offsets[index + 1])
        labels = {name: self.dimension(name).labels()[lo:hi] for name in DIMENSIONS}
        return journey_object(self.journey_ids[index], self.timestamp[lo:hi], labels)

    def __getitem__(self, index: int) -> Journey:
        return self.journey(index)

    def __iter__(self) -> Iterator[Journey]:
        for j in range(self.n_journeys):
            yield self.journey(j)

    def __repr__(self) -> str:
        return text_summary(self)

    def _repr_html_(self) -> str:
        """Notebook view: sizes and the channel table, every label HTML-escaped."""
        return html_summary(self)
