"""The arrays of a JourneySet, built from columns in named steps.

:func:`journey_arrays` (what :meth:`JourneySet.from_arrays` calls) runs them in order:

1. coerce: every column to its dtype, validated once (:func:`coerce_touch_times`,
   :func:`coerce_conversions`);
2. index: find the journeys and the touch order, and factorize the label columns
   (:func:`index_journeys`, :func:`index_and_factorize`);
3. order: gather touches and conversions into (journey, time) order, touches at the
   same instant by their labels' text (:func:`order_touches`,
   :func:`touchcredit.core.ties.order_ties`, :func:`order_conversions`);
4. validate: milestones in time order (:func:`check_milestone_order`);
5. assemble: the constructor arguments of a JourneySet.

:func:`selected_fields` builds the arrays of a subset of an existing JourneySet.

Each step is a function over arrays that can be called and tested alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import FloatArray, IntArray, TimeArray
from touchcredit.core.columns import as_object_array, as_values, index_int_journeys
from touchcredit.core.dimension import DIMENSIONS, Dimension
from touchcredit.core.domain import MILESTONES
from touchcredit.core.factorize import factorize_ids, factorize_labels
from touchcredit.core.ties import order_ties
from touchcredit.core.time import NAT, TimeRule

if TYPE_CHECKING:
    from touchcredit.core.store import JourneySet

__all__ = [
    "MILESTONES",
    "Conversions",
    "JourneyIndex",
    "check_currency",
    "check_milestone_order",
    "coerce_conversions",
    "coerce_touch_times",
    "index_and_factorize",
    "index_journeys",
    "journey_arrays",
    "order_conversions",
    "order_touches",
    "selected_fields",
]

Codes = npt.NDArray[np.int32]
Labels = dict[str, tuple[Codes, tuple[str, ...]]]


#: From this many touches on, independent steps overlap in two threads.
THREAD_MIN_ROWS = 1_000_000

_A = TypeVar("_A")
_B = TypeVar("_B")


@attrs.frozen(eq=False)
class Conversions:
    """Coerced conversion columns, in input order (see :func:`coerce_conversions`)."""

    journey_id: npt.NDArray[Any]
    time: TimeArray
    value: FloatArray
    milestones: dict[str, TimeArray]

    @property
    def size(self) -> int:
        """Number of conversions."""
        return int(self.journey_id.shape[0])


@attrs.frozen(eq=False)
class JourneyIndex:
    """The journeys found in the ids (see :func:`index_journeys`).

    ``journey_ids`` are the sorted distinct ids of touches and conversions, ``offsets``
    the CSR offsets of the touches per journey, ``order`` the touch order (None when
    the input already is in journey and time order) and ``conversion_journey`` the
    journey index of every conversion.
    """

    journey_ids: npt.NDArray[Any]
    offsets: IntArray
    order: IntArray | None
    conversion_journey: IntArray


def check_currency(currency: str | None) -> None:
    """Raise a ValueError unless ``currency`` is None or a 3-letter code.

    Examples
    --------
    >>> check_currency("EUR")
    >>> check_currency("euro")
    Traceback (most recent call last):
    ...
    ValueError: 'currency' must be a 3-letter ISO 4217 code, got 'euro'
    """
    if currency is not None and not (
        isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
    ):
        raise ValueError(f"'currency' must be a 3-letter ISO 4217 code, got {currency!r}")


def coerce_touch_times(timestamp: Any, *, n: int, rule: TimeRule) -> TimeArray:
    """Touch times as UTC ``datetime64[us]``, ``n`` of them (the input itself when it is one).

    No copy of ``datetime64[us]`` input: the gather of :func:`order_touches` makes one
    (and copies an already sorted input), so the caller's array is never aliased.

    Examples
    --------
    >>> coerce_touch_times([0, 60], n=2, rule=TimeRule(unit="s")).tolist()[1]
    datetime.datetime(1970, 1, 1, 0, 1)
    """
    ts = rule.read(timestamp, field="timestamp", copy=False)
    if ts.shape[0] != n:
        raise ValueError(f"'timestamp' has {ts.shape[0]} rows, expected {n}")
    return ts


def coerce_conversions(
    journey_id: Any,
    time: Any,
    value: Any,
    milestones: Mapping[str, Any],
    *,
    no_ids: npt.NDArray[Any],
    rule: TimeRule,
) -> Conversions:
    """Conversion columns coerced and checked for equal lengths.

    ``journey_id=None`` means no conversions (then every other column must be None
    too; ``no_ids`` gives the empty id array its dtype). ``milestones`` maps names of
    :data:`MILESTONES` to columns or None (unknown: all NaT).

    Examples
    --------
    >>> c = coerce_conversions(["a"], ["2024-01-02"], None, {}, no_ids=np.array([]),
    ...                        rule=TimeRule())
    >>> c.size, c.value.tolist(), np.isnat(c.milestones["closed_at"]).tolist()
    (1, [1.0], [True])
    """
    if journey_id is None:
        if any(v is not None for v in (time, value, *milestones.values())):
            raise ValueError("conversion columns were given without 'conversion_journey_id'")
        cjid = no_ids[:0]
    else:
        cjid = as_object_array(journey_id, field="conversion_journey_id")
        if time is None:
            raise ValueError("'conversion_time' is required with 'conversion_journey_id'")
    m = int(cjid.shape[0])
    ctime = (
        rule.read(time, field="conversion_time")
        if time is not None
        else np.empty(0, dtype="datetime64[us]")
    )
    if ctime.shape[0] != m:
        raise ValueError(f"'conversion_time' has {ctime.shape[0]} rows, expected {m}")
    cvalue = as_values(value, field="conversion_value", n=m)
    times: dict[str, TimeArray] = {}
    for name in MILESTONES:
        values = milestones.get(name)
        if values is None:
            times[name] = np.full(m, NAT, dtype="datetime64[us]")
            continue
        arr = rule.read(values, field=name, allow_missing=True)
        if arr.shape[0] != m:
            raise ValueError(f"{name!r} has {arr.shape[0]} rows, expected {m}")
        times[name] = arr
    return Conversions(journey_id=cjid, time=ctime, value=cvalue, milestones=times)


def index_journeys(
    journey_id: npt.NDArray[Any], conversion_journey_id: npt.NDArray[Any], touch_us: IntArray
) -> JourneyIndex:
    """Journeys of touches and conversions, and the (journey, time) order of the touches.

    Integer ids need no factorizing: one sort orders the touches and finds the
    journeys (:func:`~touchcredit.core.columns.index_int_journeys`). Other ids are
    factorized in one id space for touches and conversions; a bad conversion id is
    reported by its own field and row, not by its place in the concatenation.

    Examples
    --------
    >>> ix = index_journeys(np.array(["b", "a", "b"]), np.array(["c"]), np.array([5, 0, 1]))
    >>> ix.journey_ids.tolist(), ix.offsets.tolist(), ix.order.tolist()
    (['a', 'b', 'c'], [0, 1, 3, 3], [1, 2, 0])
    >>> ix.conversion_journey.tolist()
    [2]
    """
    jid, cjid = journey_id, conversion_journey_id
    indexed = index_int_journeys(jid, cjid, touch_us)
    if indexed is not None:
        return JourneyIndex(*indexed)
    try:
        uniq, inverse = factorize_ids(_concat_ids(jid, cjid), field="journey_id")
    except (TypeError, ValueError):
        factorize_ids(jid, field="journey_id")
        factorize_ids(cjid, field="conversion_journey_id")
        raise _id_type_conflict(jid, cjid) from None
    n = int(jid.shape[0])
    tj = inverse[:n]
    counts = np.bincount(tj, minlength=int(uniq.size))
    offsets = np.zeros(uniq.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return JourneyIndex(uniq, offsets, _stable_order(tj, touch_us), inverse[n:])


def index_and_factorize(
    journey_id: npt.NDArray[Any],
    conversion_journey_id: npt.NDArray[Any],
    touch_us: IntArray,
    labels: Mapping[str, Any],
) -> tuple[JourneyIndex, Labels]:
    """:func:`index_journeys` and the codes of every label column (None: not recorded).

    On large inputs with integer ids, the sort (numpy, which releases the GIL) runs
    in a worker thread while the labels are factorized (pandas/Python objects, which
    hold it): two cores overlap them.

    Examples
    --------
    >>> ix, codes = index_and_factorize(np.array([2, 1]), np.array([], dtype=int),
    ...                                 np.array([0, 0]), {"channel": ["seo", None]})
    >>> ix.order.tolist(), codes["channel"][0].tolist(), codes["channel"][1]
    ([1, 0], [0, -1], ('seo',))
    """
    n = int(journey_id.shape[0])
    return _overlapped(
        lambda: index_journeys(journey_id, conversion_journey_id, touch_us),
        lambda: {
            name: factorize_labels(values, field=name, n=n) for name, values in labels.items()
        },
        parallel=n >= THREAD_MIN_ROWS and journey_id.dtype.kind in "iu",
    )


def order_touches(
    timestamp: TimeArray,
    labels: Labels,
    order: IntArray | None,
    *,
    recorded: Mapping[str, bool],
    caller: object = None,
) -> tuple[TimeArray, dict[str, Dimension]]:
    """Touch times and label columns gathered into ``order`` (None: already in order).

    The label codes are taken out of ``labels`` one column at a time, so peak memory
    stays near the size of the result; a column that was not recorded (all -1) needs
    no gather. The times are gathered in a worker thread meanwhile on large inputs
    (numpy releases the GIL; random gathers are bound by memory latency, so two
    overlap well). The returned times never alias ``caller`` (the user's array).

    Examples
    --------
    >>> ts = np.array([2, 1], dtype="datetime64[us]")
    >>> codes = {d: (np.array([0, -1], dtype=np.int32), ("x",)) for d in DIMENSIONS}
    >>> t, dims = order_touches(ts, codes, np.array([1, 0]),
    ...                         recorded={d: True for d in DIMENSIONS})
    >>> t.view(np.int64).tolist(), dims["channel"].codes.tolist()
    ([1, 2], [-1, 0])
    """

    def gather_times() -> TimeArray:
        if order is None:  # keep no reference to the caller's array
            copy = timestamp is caller or timestamp.base is not None
            return timestamp.copy() if copy else timestamp
        return np.take(timestamp, order)  # np.take: faster than a[order]

    def gather_labels() -> dict[str, Dimension]:
        out: dict[str, Dimension] = {}
        for name in DIMENSIONS:
            codes, cats = labels.pop(name)
            if order is not None and recorded[name]:
                codes = np.take(codes, order)
            out[name] = Dimension(codes=codes, categories=cats)
        return out

    parallel = order is not None and timestamp.shape[0] >= THREAD_MIN_ROWS
    return _overlapped(gather_times, gather_labels, parallel=parallel)


def order_conversions(conversions: Conversions, journey: IntArray) -> dict[str, Any]:
    """Conversion fields of a JourneySet, sorted by (journey, time), input order on ties.

    Examples
    --------
    >>> c = coerce_conversions(["a", "a"], [5, 1], [2.0, 3.0], {}, no_ids=np.array([]),
    ...                        rule=TimeRule(unit="s"))
    >>> f = order_conversions(c, np.array([0, 0]))
    >>> f["conversion_row"].tolist(), f["conversion_value"].tolist()
    ([1, 0], [3.0, 2.0])
    """
    order = _stable_order(journey, conversions.time.view(np.int64))

    def take(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a if order is None else a[order]

    fields = {
        "conversion_journey": take(journey),
        "conversion_time": take(conversions.time),
        "conversion_value": take(conversions.value),
    }
    fields.update({name: take(t) for name, t in conversions.milestones.items()})
    fields["conversion_row"] = take(np.arange(conversions.size, dtype=np.int64))
    return fields


def check_milestone_order(fields: Mapping[str, Any]) -> None:
    """Raise a ValueError naming the conversion row whose milestones are out of order.

    Examples
    --------
    >>> t = np.array(["2024-01-05", "2024-01-01"], dtype="datetime64[us]")
    >>> check_milestone_order({"lead_created_at": t[:1], "opportunity_created_at": t[1:],
    ...     "closed_at": t[:1], "conversion_row": np.array([7])})
    Traceback (most recent call last):
    ...
    ValueError: 'opportunity_created_at' must not precede 'lead_created_at'; conversion \
row 8 has opportunity_created_at=2024-01-01T00:00:00.000000 before \
lead_created_at=2024-01-05T00:00:00.000000
    """
    lead, opportunity, closed = MILESTONES
    for earlier, later in ((lead, opportunity), (opportunity, closed), (lead, closed)):
        _check_order(fields[earlier], fields[later], earlier, later, fields["conversion_row"])


def journey_arrays(
    journey_id: Any,
    timestamp: Any,
    labels: Mapping[str, Any],
    conversions: Mapping[str, Any],
    *,
    rule: TimeRule | None = None,
) -> dict[str, Any]:
    """Constructor arguments of a JourneySet: coerce, index, order, validate, assemble.

    ``labels`` maps names of :data:`~touchcredit.core.dimension.DIMENSIONS` to
    columns (None or absent: not recorded); ``conversions`` maps the conversion
    keywords of :meth:`JourneySet.from_arrays` to columns.

    Examples
    --------
    >>> f = journey_arrays(["b", "a"], [1, 0], {"channel": ["x", "y"]}, {}, rule=TimeRule(unit="s"))
    >>> f["journey_ids"].tolist(), f["offsets"].tolist(), f["touch_row"].tolist()
    (['a', 'b'], [0, 1, 2], [1, 0])
    """
    jid = as_object_array(journey_id, field="journey_id")
    n = int(jid.shape[0])
    rule = TimeRule() if rule is None else rule
    ts = coerce_touch_times(timestamp, n=n, rule=rule)
    conv = coerce_conversions(
        conversions.get("conversion_journey_id"),
        conversions.get("conversion_time"),
        conversions.get("conversion_value"),
        {name: conversions.get(name) for name in MILESTONES},
        no_ids=jid,
        rule=rule,
    )
    given = {name: labels.get(name) for name in DIMENSIONS}
    index, codes = index_and_factorize(jid, conv.journey_id, ts.view(np.int64), given)
    recorded = {name: values is not None for name, values in given.items()}
    del jid, given, journey_id, labels  # a caller may hand over its only references
    sorted_ts, dims = order_touches(ts, codes, index.order, recorded=recorded, caller=timestamp)
    del ts, timestamp  # the unsorted times: peak memory stays near the size of the result
    # Touches at the same instant: ordered by their labels' text (core.ties), so no
    # model's credit depends on the input row order.
    touch_row, tied = order_ties(
        index.offsets,
        sorted_ts.view(np.int64),
        np.arange(n, dtype=np.int64) if index.order is None else index.order,
        {name: (dims[name].codes, dims[name].categories) for name in DIMENSIONS},
    )
    fields: dict[str, Any] = {
        "journey_ids": index.journey_ids,
        "offsets": index.offsets,
        "timestamp": sorted_ts,
        **{name: Dimension(tied[name], dims[name].categories) for name in DIMENSIONS},
        "touch_row": touch_row,
        **order_conversions(conv, index.conversion_journey),
    }
    check_milestone_order(fields)
    return fields


def selected_fields(journeys: JourneySet, index: npt.ArrayLike) -> dict[str, Any]:
    """Array fields of the journeys ``index`` of a JourneySet, in that order (repeats allowed).

    Each copy of a journey brings its touches and conversions; fully vectorized.

    Examples
    --------
    >>> from touchcredit import JourneySet
    >>> js = JourneySet.from_arrays(journey_id=["a", "b"], timestamp=[0, 1], channel=["x", "y"],
    ...                             unit="s")
    >>> f = selected_fields(js, [1, 1, 0])
    >>> f["journey_ids"].tolist(), f["offsets"].tolist(), f["touch_row"].tolist()
    (['b', 'b', 'a'], [0, 1, 2, 3], [1, 1, 0])
    """
    sel = np.asarray(index, dtype=np.int64).reshape(-1)
    n_journeys = journeys.n_journeys
    if sel.size and (sel.min() < 0 or sel.max() >= n_journeys):
        raise IndexError(f"journey index out of range 0..{n_journeys - 1}")
    t_idx, t_off = _segments.gather_segments(journeys.offsets, sel)
    c_idx, _ = _segments.gather_segments(journeys.conversion_offsets, sel)
    c_counts = np.diff(journeys.conversion_offsets)[sel]
    fields: dict[str, Any] = {
        "journey_ids": journeys.journey_ids[sel],
        "offsets": t_off,
        "timestamp": journeys.timestamp[t_idx],
        **{name: journeys.dimension(name).take(t_idx) for name in DIMENSIONS},
        "touch_row": journeys.touch_row[t_idx],
        "touch_labels": {k: d.take(t_idx) for k, d in journeys.touch_labels.items()},
        "conversion_journey": np.repeat(np.arange(sel.size, dtype=np.int64), c_counts),
    }
    for name in ("conversion_time", "conversion_value", *MILESTONES, "conversion_row"):
        fields[name] = getattr(journeys, name)[c_idx]
    return fields


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


def _check_order(
    earlier: TimeArray, later: TimeArray, earlier_name: str, later_name: str, rows: IntArray
) -> None:
    bad = ~np.isnat(earlier) & ~np.isnat(later) & (later < earlier)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{later_name!r} must not precede {earlier_name!r}; conversion row {int(rows[k]) + 1} "
            f"has {later_name}={later[k]} before {earlier_name}={earlier[k]}"
        )


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
        f"'journey_id' row 1 is {type(a).__name__} {a!r}, 'conversion_journey_id' row 1 is "
        f"{type(b).__name__} {b!r}; use one id type for both"
    )
