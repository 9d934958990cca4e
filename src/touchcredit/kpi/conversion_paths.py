"""How journeys convert: assisted conversions, path lengths and time lags.

The measures of Google Analytics' multi-channel funnels, over the same eligible
(conversion, touch) pairs the models weigh (:meth:`JourneySet.pairs`: the touches of
a conversion's journey at or before it, within the lookback window). Every function
works on whole arrays: the pairs' runs, one stable sort of the touch labels and
bincounts; nothing loops over journeys.

- A conversion's **last touch** is its last eligible touch (touches at one instant
  are ordered by label text, :mod:`touchcredit.core.ties`; touches identical in time
  and every label are one touch for this purpose, as every model credits them as a
  group). A label **assists** a conversion when it is on an eligible touch other
  than the last; a label that is both last and earlier counts in both columns, and
  a label on several earlier touches assists that conversion once.
- A **path length** is the number of eligible touches; a **time lag** the whole
  days (periods of 24 hours) from the first eligible touch to the conversion.
- A conversion without an eligible touch has no last touch and no assist; it is
  path length 0 and has no time lag (its own row), and every table says how many
  there were and their value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.core.ties import TIE_ORDER
from touchcredit.core.time import to_duration
from touchcredit.kpi.ratios import divide as _divide
from touchcredit.kpi.tables import MetricTable

__all__ = ["LAG_BUCKETS", "assisted", "path_lengths", "time_lags"]


_DAY_US = 86_400_000_000
#: Time-lag buckets: (first day, label); a bucket runs to the next one's first day.
LAG_BUCKETS: tuple[tuple[int, str], ...] = (
    *((d, str(d)) for d in range(7)),
    (7, "7–13"),
    (14, "14–29"),
    (30, "30–59"),
    (60, "60+"),
)
_NO_TOUCH = "no eligible touch"


def _pairs(journeys: JourneySet, lookback: Any) -> Pairs:
    if lookback is None:
        return journeys.pairs(None)
    window = to_duration(lookback, field="lookback")
    if int(window.view(np.int64)) < 0:
        raise ValueError(f"'lookback' must be >= 0, got {lookback!r}")
    return journeys.pairs(window)


def _unreached_note(journeys: JourneySet, pairs: Pairs) -> list[str]:
    empty = pairs.length == 0
    n = int(np.count_nonzero(empty))
    if not n:
        return []
    value = float(journeys.conversion_value[empty].sum())
    return [
        f"{n:,} conversions (value {value:,.2f}) have no eligible touch (unattributed): "
        "no last touch, no assist"
    ]


def _label_index(journeys: JourneySet, by: str) -> tuple[npt.NDArray[Any], list[str | None]]:
    """Per touch, its label's index in ``labels`` (categories, then None)."""
    dim = journeys.dimension(by)
    k = len(dim.categories)
    codes = dim.codes
    small = np.int16 if k < np.iinfo(np.int16).max else np.int32
    index = codes.astype(small)
    if codes.size and int(codes.min()) < 0:
        index[codes < 0] = k
    return index, [*dim.categories, None]


def _previous_same(index: npt.NDArray[Any], touch_journey: IntArray) -> IntArray:
    """Per touch, the previous touch of its journey with the same label (-1: none).

    One stable sort by label (a radix sort for 16-bit codes) keeps journey and time
    order inside every label, so the previous element of the sorted order is the
    previous same-label touch when it is in the same journey.
    """
    order = np.argsort(index, kind="stable")
    prev = np.full(index.size, -1, dtype=np.int64)
    if index.size > 1:
        a, b = order[:-1], order[1:]
        same = (index[a] == index[b]) & (touch_journey[a] == touch_journey[b])
        prev[b[same]] = a[same]
    return prev


def _group_start(journeys: JourneySet, last: IntArray) -> IntArray:
    """First touch of the run of touches identical to ``last`` (time and every label)."""
    ts = journeys.timestamp_us
    n = ts.size
    if n < 2:
        return last
    same = ts[1:] == ts[:-1]
    if not same.any():
        return last
    starts = journeys.offsets[1:-1]
    same[starts[(starts > 0) & (starts < n)] - 1] = False
    for name in TIE_ORDER:
        codes = journeys.dimension(name).codes
        hit = np.flatnonzero(same)
        same[hit] = codes[hit + 1] == codes[hit]
    if not same.any():
        return last
    run_start = np.arange(n, dtype=np.int64)
    run_start[1:][same] = 0
    np.maximum.accumulate(run_start, out=run_start)
    return run_start[last]


#: Up to this many labels (and "not recorded"), assists are found with bit masks.
_MASK_LABELS = 64


def _assists_by_mask(
    index: npt.NDArray[Any], width: int, start: IntArray, before: IntArray, value: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Assists per label from one bit per label: OR over each conversion's earlier touches.

    One shift per touch and one ``bitwise_or.reduceat`` over the runs (laid as
    start, stop pairs: the odd segments between runs are computed and dropped), then
    an unpacking of the conversions' masks into 0/1 label columns. No sort, no
    per-pair array.
    """
    kind = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(t).bits >= width)
    bits = np.zeros(index.size + 1, dtype=kind)  # the trailing 0: a run may end at the end
    np.left_shift(kind(1), index.astype(kind), out=bits[:-1])
    n_c = start.size
    if n_c == 0:
        return np.zeros(width, dtype=np.int64), np.zeros(width, dtype=np.float64)
    edges = np.empty(2 * n_c, dtype=np.intp)
    edges[0::2] = start
    edges[1::2] = before
    mask = np.bitwise_or.reduceat(bits, edges)[0::2]
    # contiguous and little-endian, so that bit k of a label mask is bit k of its bytes
    mask = np.ascontiguousarray(mask, dtype=mask.dtype.newbyteorder("<"))
    mask[before <= start] = 0  # reduceat gives bits[start] for an empty run
    # Unpack the masks a block of conversions at a time into one 0/1 column per label;
    # one matrix product with the rows (value, 1) gives each label's value and count.
    sums = np.zeros((2, width), dtype=np.float64)
    step = 1 << 16
    for lo in range(0, n_c, step):
        block = mask[lo : lo + step]
        octets = block.view(np.uint8).reshape(block.size, -1)
        flags = np.unpackbits(octets, axis=1, bitorder="little")[:, :width]
        weights = np.ones((2, block.size), dtype=np.float64)
        weights[0] = value[lo : lo + step]
        sums += weights @ flags.astype(np.float64)
    return np.rint(sums[1]).astype(np.int64), sums[0]


def _assists_by_sort(
    index: npt.NDArray[Any],
    width: int,
    pairs: Pairs,
    before: IntArray,
    value: FloatArray,
    journeys: JourneySet,
) -> tuple[IntArray, FloatArray]:
    """Assists per label for many labels: an earlier pair counts when no earlier touch of
    its run has its label (the previous same-label touch lies before the run)."""
    prev = _previous_same(index, journeys.touch_journey)
    touch = pairs.touch
    conv = pairs.conversion
    counts = (touch < before[conv]) & (prev[touch] < pairs.start[conv])
    hit_label = index[touch[counts]]
    as_conv = np.bincount(hit_label, minlength=width).astype(np.int64)
    as_value = np.bincount(hit_label, weights=value[conv[counts]], minlength=width)
    return as_conv, as_value.astype(np.float64)


def assisted(journeys: JourneySet, by: str = "channel", lookback: Any = None) -> MetricTable:
    """Last-touch and assisted conversions per label (GA's assisted conversions).

    Parameters
    ----------
    journeys : JourneySet
        The journeys and their conversions.
    by : {"channel", "source", "campaign", "method"}
        The label.
    lookback : datetime.timedelta, numpy.timedelta64 or str, optional
        Only touches this long before a conversion are on its path (``"30d"``).

    Returns
    -------
    MetricTable
        One row per label with a last touch or an assist, most assists first: the
        label, ``last_touch_conversions`` (conversions whose last eligible touch has
        the label), ``assisted_conversions`` (conversions with the label on an
        eligible touch other than the last), ``assist_ratio`` (assisted ÷ last touch:
        above 1 the label mostly opens or carries journeys, below 1 it closes them;
        NaN where it never closes), ``last_touch_value`` and ``assisted_value`` (the
        conversions' value).

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 1, 2], timestamp=[0, 1, 2, 0],
    ...     channel=["seo", "email", "seo", "ads"],
    ...     conversion_journey_id=[1, 2], conversion_time=[5, 5],
    ...     conversion_value=[100.0, 10.0], unit="s")
    >>> t = assisted(js)
    >>> t["channel"].tolist(), t["assisted_conversions"].tolist()
    (['seo', 'email', 'ads'], [1, 1, 0])
    >>> t.row("seo")["last_touch_conversions"], t.row("seo")["assist_ratio"]
    (1, 1.0)
    """
    pairs = _pairs(journeys, lookback)
    index, labels = _label_index(journeys, by)
    width = len(labels)
    value = journeys.conversion_value
    has = pairs.length > 0
    last = pairs.stop[has] - 1
    last_label = index[last]
    lt_conv = np.bincount(last_label, minlength=width)
    lt_value = np.bincount(last_label, weights=value[has], minlength=width).astype(np.float64)

    # The earlier touches of conversion c: start[c]:before[c] (before the last touch's group).
    before = pairs.start.copy()
    before[has] = _group_start(journeys, last)
    if width <= _MASK_LABELS:
        as_conv, as_value = _assists_by_mask(index, width, pairs.start, before, value)
    else:
        as_conv, as_value = _assists_by_sort(index, width, pairs, before, value, journeys)

    present = np.flatnonzero((lt_conv > 0) | (as_conv > 0))
    text = np.array(["" if labels[i] is None else str(labels[i]) for i in present], dtype=object)
    order = present[np.lexsort((text, -lt_conv[present], -as_conv[present]))]
    keys = [labels[i] for i in order.tolist()]
    label_col = np.empty(len(keys), dtype=object)
    label_col[:] = keys
    notes: list[str] = []
    ratio = _divide(
        as_conv[order], lt_conv[order], "assist_ratio", "last_touch_conversions", keys, notes
    )
    data = {
        by: label_col,
        "last_touch_conversions": lt_conv[order].astype(np.int64),
        "assisted_conversions": as_conv[order].astype(np.int64),
        "assist_ratio": ratio,
        "last_touch_value": lt_value[order],
        "assisted_value": as_value[order],
    }
    notes += _unreached_note(journeys, pairs)
    title = f"Assisted conversions by {by}"
    return MetricTable(title, data, (by,), (), tuple(notes), currency=journeys.currency)


def _share_columns(
    counts: IntArray, values: FloatArray, notes: list[str]
) -> dict[str, npt.NDArray[Any]]:
    total_c = np.full(counts.size, counts.sum())
    total_v = np.full(values.size, values.sum())
    return {
        "conversions": counts.astype(np.int64),
        "share": _divide(counts, total_c, "share", "conversions", None, notes),
        "value": values,
        "value_share": _divide(values, total_v, "value_share", "value", None, notes),
    }


def path_lengths(journeys: JourneySet, lookback: Any = None) -> MetricTable:
    """Conversions and value by the number of eligible touches on their path.

    Parameters
    ----------
    journeys : JourneySet
        The journeys and their conversions.
    lookback : datetime.timedelta, numpy.timedelta64 or str, optional
        Only touches this long before a conversion are on its path.

    Returns
    -------
    MetricTable
        One row per path length that occurs, shortest first: ``length`` (0: no
        eligible touch), ``conversions``, ``share`` (of the conversions), ``value``
        and ``value_share``. The conversions add up to all conversions.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2], timestamp=[0, 1, 0], channel=["seo", "ads", "seo"],
    ...     conversion_journey_id=[1, 2, 2], conversion_time=[5, 5, 9],
    ...     conversion_value=[1.0, 1.0, 1.0], unit="s")
    >>> t = path_lengths(js)
    >>> t["length"].tolist(), t["conversions"].tolist()
    ([1, 2], [2, 1])
    """
    pairs = _pairs(journeys, lookback)
    length = pairs.length
    counts = np.bincount(length, minlength=1)
    values = np.bincount(length, weights=journeys.conversion_value, minlength=1)
    present = np.flatnonzero(counts)
    notes = _unreached_note(journeys, pairs)
    data = {"length": present.astype(np.int64)}
    data |= _share_columns(counts[present], values[present].astype(np.float64), notes)
    title = "Path length (eligible touches per conversion)"
    percent = ("share", "value_share")
    return MetricTable(title, data, ("length",), percent, tuple(notes), currency=journeys.currency)


def time_lags(journeys: JourneySet, lookback: Any = None) -> MetricTable:
    """Conversions and value by days from the first eligible touch to the conversion.

    Parameters
    ----------
    journeys : JourneySet
        The journeys and their conversions.
    lookback : datetime.timedelta, numpy.timedelta64 or str, optional
        Only touches this long before a conversion are on its path.

    Returns
    -------
    MetricTable
        One row per bucket of :data:`LAG_BUCKETS` (``days``: "0", "1", ..., "6",
        "7–13", "14–29", "30–59", "60+"; whole periods of 24 hours), always all of
        them, then a "no eligible touch" row when some conversion has none; columns
        ``conversions``, ``share``, ``value`` and ``value_share``. The conversions add
        up to all conversions.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2], timestamp=["2024-01-01", "2024-01-03", "2024-01-10"],
    ...     channel=["seo", "ads", "seo"], conversion_journey_id=[1, 2],
    ...     conversion_time=["2024-01-20", "2024-01-10"])
    >>> t = time_lags(js)
    >>> dict(zip(t["days"].tolist(), t["conversions"].tolist()))["14–29"]
    1
    >>> t.row("0")["conversions"]
    1
    """
    pairs = _pairs(journeys, lookback)
    has = pairs.length > 0
    lag = journeys.conversion_time.view(np.int64)[has] - journeys.timestamp_us[pairs.start[has]]
    edges = np.array([first for first, _ in LAG_BUCKETS[1:]], dtype=np.int64)
    bucket = np.searchsorted(edges, lag // _DAY_US, side="right")
    n_b = len(LAG_BUCKETS)
    counts = np.bincount(bucket, minlength=n_b)
    values = np.bincount(bucket, weights=journeys.conversion_value[has], minlength=n_b)
    labels = [label for _, label in LAG_BUCKETS]
    n_empty = int(has.size - np.count_nonzero(has))
    if n_empty:
        counts = np.append(counts, n_empty)
        values = np.append(values, journeys.conversion_value[~has].sum())
        labels.append(_NO_TOUCH)
    days = np.empty(len(labels), dtype=object)
    days[:] = labels
    notes = [
        "days: whole 24-hour periods from the first eligible touch to the conversion",
        *_unreached_note(journeys, pairs),
    ]
    data = {"days": days} | _share_columns(counts, values.astype(np.float64), notes)
    title = "Time lag (days from first touch to conversion)"
    percent = ("share", "value_share")
    return MetricTable(title, data, ("days",), percent, tuple(notes), currency=journeys.currency)
