"""JourneySet: the columnar store every attribution kernel reads.

Touches are held in CSR layout: journey ``j`` owns touches
``offsets[j]:offsets[j + 1]``, sorted by time (ties keep input order). Labels
(source, channel, campaign, method) are integer codes into small category tables.
Conversions (what is being attributed: a lead's creation or a won deal) are arrays
too, sorted by (journey, time), each with its value and milestone times.

Builders validate once, at the boundary; models then work on whole arrays.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.columns import (
    as_object_array,
    as_values,
    factorize_ids,
    factorize_labels,
    index_int_journeys,
)
from touchcredit.core.domain import Deal, Journey, Lead, Touchpoint
from touchcredit.core.time_rule import NAT, TimeZoneLike, to_datetime64, to_timedelta64

__all__ = ["DIMENSIONS", "Dimension", "JourneySet", "Pairs"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
TimeArray = npt.NDArray[np.datetime64]

#: The label columns of a touch, in the order reports list them.
DIMENSIONS: tuple[str, ...] = ("source", "channel", "campaign", "method")


@attrs.frozen(eq=False)
class Dimension:
    """One label column of the touches: integer codes and their category table.

    ``codes[i] == -1`` means the label was not recorded for touch ``i``.

    Examples
    --------
    >>> d = Dimension(np.array([1, -1, 0], dtype=np.int32), ("email", "seo"))
    >>> d.labels().tolist()
    ['seo', None, 'email']
    """

    codes: npt.NDArray[np.int32]
    categories: tuple[str, ...]

    def labels(self) -> npt.NDArray[np.object_]:
        """Label of every touch as an object array (None where not recorded)."""
        table = np.empty(len(self.categories) + 1, dtype=object)
        table[:-1] = self.categories
        table[-1] = None
        return table[self.codes]  # code -1 picks the trailing None

    def code(self, label: str) -> int:
        """Code of ``label`` in this column (-1 when it does not occur)."""
        try:
            return self.categories.index(label)
        except ValueError:
            return -1

    def __len__(self) -> int:
        return int(self.codes.shape[0])


@attrs.frozen(eq=False)
class Pairs:
    """The (conversion, touch) pairs a model weighs.

    The touches eligible for conversion ``c`` (in its journey, at or before its time,
    within the lookback window) are one contiguous run of the touch arrays,
    ``start[c]:stop[c]``, because touches are sorted by time inside each journey.
    The pairs are those runs laid end to end: pairs of conversion ``c`` are
    ``offsets[c]:offsets[c + 1]``. A conversion with an empty run has no eligible
    touch and goes to the unattributed bucket.

    Examples
    --------
    >>> p = Pairs(start=np.array([0, 3, 5]), stop=np.array([2, 3, 8]))
    >>> p.offsets.tolist(), p.touch.tolist(), p.conversion.tolist()
    ([0, 2, 2, 5], [0, 1, 5, 6, 7], [0, 0, 2, 2, 2])
    >>> p.position.tolist(), p.length.tolist()
    ([0, 1, 0, 1, 2], [2, 0, 3])
    """

    start: IntArray
    stop: IntArray

    @functools.cached_property
    def length(self) -> IntArray:
        """Number of eligible touches per conversion."""
        return self.stop - self.start

    @functools.cached_property
    def offsets(self) -> IntArray:
        """CSR offsets of the pairs, one segment per conversion."""
        out = np.zeros(self.start.size + 1, dtype=np.int64)
        np.cumsum(self.length, out=out[1:])
        return out

    @functools.cached_property
    def conversion(self) -> IntArray:
        """Conversion index of every pair."""
        return _segments.segment_ids(self.offsets)

    @functools.cached_property
    def position(self) -> IntArray:
        """Zero-based position of every pair inside its conversion's run (time order)."""
        return _segments.position_in_segment(self.offsets)

    @functools.cached_property
    def touch(self) -> IntArray:
        """Touch index of every pair."""
        return np.repeat(self.start, self.length) + self.position

    @property
    def size(self) -> int:
        """Number of pairs."""
        return int(self.offsets[-1])


def _check_order(
    earlier: TimeArray, later: TimeArray, earlier_name: str, later_name: str, rows: IntArray
) -> None:
    bad = ~np.isnat(earlier) & ~np.isnat(later) & (later < earlier)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{later_name!r} must not precede {earlier_name!r}; conversion row {int(rows[k])} "
            f"has {later_name}={later[k]} before {earlier_name}={earlier[k]}"
        )


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
        UTC time of every touch, sorted inside each journey (ties in input order).
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

    journey_ids: npt.NDArray[Any]
    offsets: IntArray
    timestamp: TimeArray
    source: Dimension
    channel: Dimension
    campaign: Dimension
    method: Dimension
    touch_row: IntArray
    conversion_journey: IntArray
    conversion_time: TimeArray
    conversion_value: FloatArray
    lead_created_at: TimeArray
    opportunity_created_at: TimeArray
    closed_at: TimeArray
    conversion_row: IntArray
    target: str = "conversions"
    currency: str | None = None
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
        >>> js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["seo"])
        >>> js.dimension("channel").categories
        ('seo',)
        """
        if name not in DIMENSIONS:
            raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}; got {name!r}")
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
        ...     conversion_time=[86400 * 20])
        >>> js.pairs().touch.tolist()
        [0, 1]
        >>> js.pairs(dt.timedelta(days=15)).touch.tolist()
        [1]
        """
        key = (
            None
            if lookback is None
            else int(to_timedelta64(lookback, field="lookback").view(np.int64))
        )
        cached = self._pairs_cache.get(key)
        if cached is not None:
            return cached
        t_conv = self.conversion_time.view(np.int64)
        stop = _segments.segment_searchsorted(
            self.timestamp_us, self.offsets, self.conversion_journey, t_conv, side="right"
        )
        if key is None:
            start = self.offsets[self.conversion_journey]
        else:
            if key < 0:
                raise ValueError(f"'lookback' must be >= 0, got {lookback!r}")
            start = _segments.segment_searchsorted(
                self.timestamp_us,
                self.offsets,
                self.conversion_journey,
                t_conv - key,
                side="left",
            )
        start = np.minimum(start, stop)
        pairs = Pairs(start=start, stop=stop)
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
    ) -> JourneySet:
        """Build a JourneySet from parallel arrays, in any row order.

        Parameters
        ----------
        journey_id : array-like of hashable
            Journey (person/account) of every touch. Ids of one type.
        timestamp : array-like
            Touch times: ``datetime64``, epoch seconds, ``datetime`` objects or strings.
            Naive values are read in ``default_tz`` (UTC when None).
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
        default_tz : str or tzinfo, optional
            Zone of naive timestamps.
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
            Naming the field, the first offending row and what was expected.

        Examples
        --------
        >>> import numpy as np
        >>> js = JourneySet.from_arrays(
        ...     journey_id=np.array([7, 7, 3]),
        ...     timestamp=np.array(["2024-01-01", "2024-01-01", "2024-01-02"],
        ...                        dtype="datetime64[us]"),
        ...     channel=np.array(["email", "seo", "email"]),
        ... )
        >>> js.journey_ids.tolist(), js.offsets.tolist(), js.touch_row.tolist()
        ([3, 7], [0, 1, 3], [2, 0, 1])
        """
        if currency is not None and not (
            isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
        ):
            raise ValueError(f"'currency' must be a 3-letter ISO 4217 code, got {currency!r}")
        jid = as_object_array(journey_id, field="journey_id")
        n = int(jid.shape[0])
        # No copy of datetime64[us] input: the sorted gather below makes one (and an
        # already sorted input is copied there), so the input is never aliased.
        ts = to_datetime64(timestamp, field="timestamp", default_tz=default_tz, copy=False)
        if ts.shape[0] != n:
            raise ValueError(f"'timestamp' has {ts.shape[0]} rows, expected {n}")
        given = {"source": source, "channel": channel, "campaign": campaign, "method": method}

        if conversion_journey_id is None:
            if any(
                v is not None
                for v in (
                    conversion_time,
                    conversion_value,
                    lead_created_at,
                    opportunity_created_at,
                    closed_at,
                )
            ):
                raise ValueError("conversion columns were given without 'conversion_journey_id'")
            cjid = jid[:0]
        else:
            cjid = as_object_array(conversion_journey_id, field="conversion_journey_id")
            if conversion_time is None:
                raise ValueError("'conversion_time' is required with 'conversion_journey_id'")
        m = int(cjid.shape[0])
        ctime = (
            to_datetime64(conversion_time, field="conversion_time", default_tz=default_tz)
            if conversion_time is not None
            else np.empty(0, dtype="datetime64[us]")
        )
        if ctime.shape[0] != m:
            raise ValueError(f"'conversion_time' has {ctime.shape[0]} rows, expected {m}")
        cvalue = as_values(conversion_value, field="conversion_value", n=m)
        milestones: dict[str, TimeArray] = {}
        for name, values in (
            ("lead_created_at", lead_created_at),
            ("opportunity_created_at", opportunity_created_at),
            ("closed_at", closed_at),
        ):
            if values is None:
                milestones[name] = np.full(m, NAT, dtype="datetime64[us]")
            else:
                arr = to_datetime64(values, field=name, default_tz=default_tz, allow_missing=True)
                if arr.shape[0] != m:
                    raise ValueError(f"{name!r} has {arr.shape[0]} rows, expected {m}")
                milestones[name] = arr

        # Integer ids need no factorizing: one sort orders the touches and finds the
        # journeys (see index_int_journeys). On large inputs that sort (numpy, which
        # releases the GIL) runs in a worker thread while the label columns are
        # factorized (pandas/Python objects, which hold it): two cores overlap them.
        ts_us = ts.view(np.int64)
        indexed, labels = _overlapped(
            lambda: index_int_journeys(jid, cjid, ts_us),
            lambda: {
                name: factorize_labels(values, field=name, n=n) for name, values in given.items()
            },
            parallel=n >= _THREAD_MIN_ROWS and jid.dtype.kind in "iu",
        )
        if indexed is not None:
            uniq, offsets, order, cj = indexed
        else:
            # One id space for touches and conversions; a bad conversion id is reported
            # by its own field and row, not by its place in the concatenation.
            all_ids = _concat_ids(jid, cjid)
            try:
                uniq, inverse = factorize_ids(all_ids, field="journey_id")
            except (TypeError, ValueError):
                factorize_ids(jid, field="journey_id")
                factorize_ids(cjid, field="conversion_journey_id")
                raise _id_type_conflict(jid, cjid) from None
            tj, cj = inverse[:n], inverse[n:]
            n_j = int(uniq.size)

            order = _stable_order(tj, ts.view(np.int64))
            counts = np.bincount(tj, minlength=n_j)
            offsets = np.zeros(n_j + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            del tj, inverse, counts

        def take(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return a if order is None else np.take(a, order)  # np.take: faster than a[order]

        def take_ts(a: TimeArray) -> TimeArray:
            if order is None:  # keep no reference to the caller's array
                return a.copy() if a is timestamp or a.base is not None else a
            return np.take(a, order)

        # Gather one column at a time, dropping the unsorted one: peak memory stays
        # near the size of the result. An unrecorded column (all -1) needs no gather.
        # The timestamps are gathered in a worker thread meanwhile (numpy releases the
        # GIL; random gathers are bound by memory latency, so two overlap well).
        def gather_labels() -> dict[str, Dimension]:
            out: dict[str, Dimension] = {}
            for name in DIMENSIONS:
                codes, cats = labels.pop(name)
                unrecorded = given[name] is None
                out[name] = Dimension(codes=codes if unrecorded else take(codes), categories=cats)
                del codes
            return out

        sorted_ts, dims = _overlapped(
            functools.partial(take_ts, ts),
            gather_labels,
            parallel=order is not None and n >= _THREAD_MIN_ROWS,
        )
        del ts
        c_order = _stable_order(cj, ctime.view(np.int64))
        crow = np.arange(m, dtype=np.int64)

        def ctake(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return a if c_order is None else a[c_order]

        out = cls(
            journey_ids=uniq,
            offsets=offsets,
            timestamp=sorted_ts,
            source=dims["source"],
            channel=dims["channel"],
            campaign=dims["campaign"],
            method=dims["method"],
            touch_row=np.arange(n, dtype=np.int64) if order is None else order,
            conversion_journey=ctake(cj),
            conversion_time=ctake(ctime),
            conversion_value=ctake(cvalue),
            lead_created_at=ctake(milestones["lead_created_at"]),
            opportunity_created_at=ctake(milestones["opportunity_created_at"]),
            closed_at=ctake(milestones["closed_at"]),
            conversion_row=ctake(crow),
            target=target,
            currency=currency,
        )
        _check_order(
            out.lead_created_at,
            out.opportunity_created_at,
            "lead_created_at",
            "opportunity_created_at",
            out.conversion_row,
        )
        _check_order(
            out.opportunity_created_at,
            out.closed_at,
            "opportunity_created_at",
            "closed_at",
            out.conversion_row,
        )
        _check_order(
            out.lead_created_at, out.closed_at, "lead_created_at", "closed_at", out.conversion_row
        )
        return out

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        journey: str = "journey_id",
        timestamp: str = "timestamp",
        channel: str = "channel",
        source: str | None = None,
        campaign: str | None = None,
        method: str | None = None,
        conversions: Any = None,
        conversion_journey: str | None = None,
        conversion_time: str = "conversion_time",
        conversion_value: str | None = None,
        lead_created_at: str | None = None,
        opportunity_created_at: str | None = None,
        closed_at: str | None = None,
        default_tz: TimeZoneLike = None,
        target: str = "conversions",
        currency: str | None = None,
    ) -> JourneySet:
        """Build a JourneySet from a pandas/polars DataFrame or a pyarrow Table.

        One code path for the three libraries (:mod:`touchcredit.io.frames`): numeric
        and datetime columns are read without a copy where possible, categorical and
        dictionary columns as codes plus categories, timezone-aware datetimes as UTC.

        Parameters
        ----------
        frame : pandas.DataFrame, polars.DataFrame or pyarrow.Table
            One row per touch.
        journey, timestamp, channel : str
            Names of the journey-id, touch-time and channel columns.
        source, campaign, method : str, optional
            Names of further label columns (not recorded when None).
        conversions : DataFrame or Table, optional
            One row per conversion (a lead's creation, a won deal).
        conversion_journey : str, optional
            Journey-id column of ``conversions`` (default: the ``journey`` name).
        conversion_time : str
            Conversion-time column of ``conversions``.
        conversion_value : str, optional
            Value column of ``conversions`` (1.0 each when None).
        lead_created_at, opportunity_created_at, closed_at : str, optional
            Milestone columns of ``conversions``.
        default_tz : str or tzinfo, optional
            Zone of naive times (UTC when None); aware columns keep their instant.
        target : str
            ``"leads"``, ``"revenue"`` or ``"conversions"``.
        currency : str, optional
            Currency of money-valued conversions.

        Returns
        -------
        JourneySet

        Raises
        ------
        touchcredit.io.frames.MissingColumnError
            (a ValueError) naming the missing columns and listing the columns found.
        ImportError
            When the frame's library is missing.

        Examples
        --------
        >>> import pandas as pd
        >>> touches = pd.DataFrame({"person": ["a", "a", "b"],
        ...     "ts": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"]),
        ...     "channel": ["seo", "email", "seo"]})
        >>> leads = pd.DataFrame({"person": ["a"], "created": pd.to_datetime(["2024-01-04"])})
        >>> js = JourneySet.from_frame(touches, journey="person", timestamp="ts",
        ...                            conversions=leads, conversion_time="created")
        >>> js.n_journeys, js.n_touches, js.n_conversions
        (2, 3, 1)
        """
        from touchcredit.io.frames import journeys_from_frame

        return journeys_from_frame(
            frame,
            journey=journey,
            timestamp=timestamp,
            channel=channel,
            source=source,
            campaign=campaign,
            method=method,
            conversions=conversions,
            conversion_journey=conversion_journey,
            conversion_time=conversion_time,
            conversion_value=conversion_value,
            lead_created_at=lead_created_at,
            opportunity_created_at=opportunity_created_at,
            closed_at=closed_at,
            default_tz=default_tz,
            target=target,
            currency=currency,
        )

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
        >>> js = JourneySet.from_objects(
        ...     journeys=[Journey("p1", [Touchpoint("2024-01-01", channel="seo")])],
        ...     leads=[Lead("p1", "2024-01-02")],
        ...     deals=[Deal("D1", "p1", 500, "2024-01-05", "2024-02-01", won=True)],
        ...     target="revenue",
        ... )
        >>> js.n_conversions, js.total_value, js.currency
        (1, 500.0, 'USD')
        """
        journeys = list(journeys)
        leads = list(leads)
        deals = list(deals)
        if target not in ("leads", "revenue"):
            raise ValueError(f"target must be 'leads' or 'revenue', got {target!r}")
        _no_duplicates([j.id for j in journeys], "journey")
        _no_duplicates([lead.id for lead in leads], "lead")
        _no_duplicates([d.id for d in deals], "deal")

        touches: list[tuple[Any, Touchpoint]] = [
            (j.id, tp) for j in journeys for tp in j.touchpoints
        ]
        jid = _object_array([j for j, _ in touches])
        ts = np.array(
            [tp.timestamp.replace(tzinfo=None) for _, tp in touches], dtype="datetime64[us]"
        )

        def col(name: str) -> npt.NDArray[Any]:
            return _object_array([getattr(tp, name) for _, tp in touches])

        lead_by_id = {lead.id: lead for lead in leads}
        cj: list[Any] = []
        ct: list[Any] = []
        cv: list[float] = []
        l_at: list[Any] = []
        o_at: list[Any] = []
        c_at: list[Any] = []
        currency: str | None = None
        if target == "leads":
            for lead in leads:
                cj.append(lead.journey_id)
                ct.append(lead.created_at)
                cv.append(1.0)
                l_at.append(lead.created_at)
                o_at.append(lead.opportunity_at)
                c_at.append(lead.customer_at)
        else:
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
                cj.append(owner.journey_id)
                ct.append(deal.closed_at)
                cv.append(deal.amount)
                l_at.append(owner.created_at)
                o_at.append(deal.created_at)
                c_at.append(deal.closed_at)

        def times(values: list[Any]) -> npt.NDArray[np.datetime64]:
            return np.array(
                [NAT if v is None else np.datetime64(v.replace(tzinfo=None), "us") for v in values],
                dtype="datetime64[us]",
            )

        return cls.from_arrays(
            journey_id=jid,
            timestamp=ts,
            channel=col("channel"),
            source=col("source"),
            campaign=col("campaign"),
            method=col("method"),
            conversion_journey_id=_object_array(cj),
            conversion_time=times(ct),
            conversion_value=np.asarray(cv, dtype=np.float64),
            lead_created_at=times(l_at),
            opportunity_created_at=times(o_at),
            closed_at=times(c_at),
            target=target,
            currency=currency,
        )

    # ------------------------------------------------------------- subsetting
    def select(self, journeys: npt.ArrayLike) -> JourneySet:
        """A new JourneySet holding the given journeys (by index), in that order.

        Indices may repeat (a bootstrap resample); each copy brings its touches and
        conversions. Fully vectorized.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=["a", "b", "b"], timestamp=[0, 1, 2],
        ...                             channel=["x", "y", "z"])
        >>> sub = js.select([1, 1])
        >>> sub.n_journeys, sub.n_touches, sub.channel.labels().tolist()
        (2, 4, ['y', 'z', 'y', 'z'])
        """
        sel = np.asarray(journeys, dtype=np.int64).reshape(-1)
        if sel.size and (sel.min() < 0 or sel.max() >= self.n_journeys):
            raise IndexError(f"journey index out of range 0..{self.n_journeys - 1}")
        t_idx, t_off = _gather_segments(self.offsets, sel)
        c_idx, _ = _gather_segments(self.conversion_offsets, sel)
        c_counts = np.diff(self.conversion_offsets)[sel]
        new_cj = np.repeat(np.arange(sel.size, dtype=np.int64), c_counts)
        return attrs.evolve(
            self,
            journey_ids=self.journey_ids[sel],
            offsets=t_off,
            timestamp=self.timestamp[t_idx],
            source=Dimension(self.source.codes[t_idx], self.source.categories),
            channel=Dimension(self.channel.codes[t_idx], self.channel.categories),
            campaign=Dimension(self.campaign.codes[t_idx], self.campaign.categories),
            method=Dimension(self.method.codes[t_idx], self.method.categories),
            touch_row=self.touch_row[t_idx],
            conversion_journey=new_cj,
            conversion_time=self.conversion_time[c_idx],
            conversion_value=self.conversion_value[c_idx],
            lead_created_at=self.lead_created_at[c_idx],
            opportunity_created_at=self.opportunity_created_at[c_idx],
            closed_at=self.closed_at[c_idx],
            conversion_row=self.conversion_row[c_idx],
        )

    # ---------------------------------------------------------- inspection
    def journey(self, index: int) -> Journey:
        """Journey ``index`` as a :class:`~touchcredit.Journey` object."""
        if not -self.n_journeys <= index < self.n_journeys:
            raise IndexError(f"journey index {index} out of range 0..{self.n_journeys - 1}")
        index %= max(self.n_journeys, 1)
        lo, hi = int(self.offsets[index]), int(self.offsets[index + 1])
        cols = {name: self.dimension(name).labels()[lo:hi].tolist() for name in DIMENSIONS}
        stamps = self.timestamp[lo:hi].tolist()
        tps = [
            Touchpoint(
                stamps[k].replace(tzinfo=dt.UTC),
                channel=cols["channel"][k],
                source=cols["source"][k],
                campaign=cols["campaign"][k],
                method=cols["method"][k],
            )
            for k in range(hi - lo)
        ]
        ident = self.journey_ids[index]
        return Journey(ident.item() if isinstance(ident, np.generic) else ident, tps)

    def __getitem__(self, index: int) -> Journey:
        return self.journey(index)

    def __iter__(self) -> Iterator[Journey]:
        for j in range(self.n_journeys):
            yield self.journey(j)

    def __repr__(self) -> str:
        chans = ", ".join(self.channel.categories[:8])
        if len(self.channel.categories) > 8:
            chans += f", ... ({len(self.channel.categories)} in all)"
        total = f"{self.total_value:,.6g}"
        cur = f" {self.currency}" if self.currency else ""
        return (
            f"JourneySet({self.n_journeys} journeys, {self.n_touches} touches, "
            f"{self.n_conversions} conversions, total value {total}{cur}, channels: {chans})"
        )

    def _repr_html_(self) -> str:
        """Notebook view: sizes and the channel table, every label HTML-escaped."""
        esc = html.escape
        counts = np.bincount(
            self.channel.codes[self.channel.codes >= 0], minlength=len(self.channel.categories)
        )
        top = np.argsort(-counts, kind="stable")[:12]
        rows = "".join(
            f"<tr><td>{esc(self.channel.categories[k])}</td><td>{int(counts[k]):,}</td></tr>"
            for k in top.tolist()
        )
        more = len(self.channel.categories) - top.size
        extra = f"<p>... and {more} more channels</p>" if more > 0 else ""
        cur = f" {esc(self.currency)}" if self.currency else ""
        return (
            f"<div><p><b>JourneySet</b>: {self.n_journeys:,} journeys, {self.n_touches:,} "
            f"touches, {self.n_conversions:,} conversions ({esc(self.target)}), total value "
            f"{self.total_value:,.6g}{cur}</p><table><thead><tr><th>channel</th>"
            f"<th>touches</th></tr></thead><tbody>{rows}</tbody></table>{extra}</div>"
        )


def _gather_segments(offsets: IntArray, sel: IntArray) -> tuple[IntArray, IntArray]:
    """Flat element indices of segments ``sel`` (in that order) and their new offsets."""
    lens = (offsets[1:] - offsets[:-1])[sel]
    new_off = np.zeros(sel.size + 1, dtype=np.int64)
    np.cumsum(lens, out=new_off[1:])
    shift = np.repeat(offsets[:-1][sel] - new_off[:-1], lens)
    return np.arange(int(new_off[-1]), dtype=np.int64) + shift, new_off


_THREAD_MIN_ROWS = 1_000_000
_A = TypeVar("_A")
_B = TypeVar("_B")


def _overlapped(
    background: Callable[[], _A], foreground: Callable[[], _B], *, parallel: bool
) -> tuple[_A, _B]:
    """``(background(), foreground())``, the first in a worker thread when ``parallel``."""
    if not parallel:
        fg = foreground()
        return background(), fg
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(background)
        fg = foreground()
        return future.result(), fg


def _stable_order(major: IntArray, minor: IntArray) -> IntArray | None:
    """Stable sort order by (major, minor); None when the rows are already sorted."""
    if major.size < 2:
        return None
    return _segments.sort_order(major, minor)[0]


def _concat_ids(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
    if b.size == 0:
        return a
    if a.size == 0:
        return b
    if a.dtype.kind == b.dtype.kind and a.dtype.kind in "iuUS":
        return np.concatenate([a, b])
    out = np.empty(a.size + b.size, dtype=object)
    out[: a.size] = a.tolist() if a.dtype.kind != "O" else a
    out[a.size :] = b.tolist() if b.dtype.kind != "O" else b
    return out


def _id_type_conflict(jid: npt.NDArray[Any], cjid: npt.NDArray[Any]) -> TypeError:
    a, b = jid[:1].tolist()[0], cjid[:1].tolist()[0]  # plain Python values for the message
    return TypeError(
        f"'conversion_journey_id' and 'journey_id' hold ids of different types: "
        f"'journey_id' row 0 is {type(a).__name__} {a!r}, 'conversion_journey_id' row 0 is "
        f"{type(b).__name__} {b!r}; use one id type for both"
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
