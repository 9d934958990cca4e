"""Pairs: the (conversion, touch) pairs a model weighs, and the search that finds them."""

from __future__ import annotations

import functools

import attrs
import numpy as np

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import IntArray

__all__ = ["Pairs", "eligible_pairs"]


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
        # Pair k of conversion c is touch start[c] + (k - offsets[c]): one repeat of
        # the per-conversion shift, with no position array.
        shift = np.repeat(self.start - self.offsets[:-1], self.length)
        shift += np.arange(shift.size, dtype=np.int64)
        return shift

    @property
    def size(self) -> int:
        """Number of pairs."""
        return int(self.offsets[-1])


def eligible_pairs(
    touch_us: IntArray,
    offsets: IntArray,
    conversion_journey: IntArray,
    conversion_us: IntArray,
    lookback_us: int | None = None,
) -> Pairs:
    """The touches of each conversion's journey at or before it, within the lookback.

    Touch ``t`` is eligible for conversion ``c`` when it is in the same journey and
    ``T_c - lookback <= ts_t <= T_c``; times are int64 microseconds, sorted inside
    each journey (segment of ``offsets``).

    Parameters
    ----------
    touch_us : int64 ndarray
        Touch times, sorted inside each segment of ``offsets``.
    offsets : int64 ndarray
        CSR offsets of the touches per journey.
    conversion_journey, conversion_us : int64 ndarray
        Journey index and time of every conversion.
    lookback_us : int, optional
        Window length in microseconds (no window when None); must be >= 0.

    Returns
    -------
    Pairs

    Examples
    --------
    >>> p = eligible_pairs(np.array([0, 10, 30]), np.array([0, 3]), np.array([0]),
    ...                    np.array([20]), lookback_us=15)
    >>> p.touch.tolist()
    [1]
    """
    stop = _segments.segment_searchsorted(
        touch_us, offsets, conversion_journey, conversion_us, side="right"
    )
    if lookback_us is None:
        start = offsets[conversion_journey]
    else:
        if lookback_us < 0:
            raise ValueError(f"'lookback' must be >= 0, got {lookback_us} microseconds")
        start = _segments.segment_searchsorted(
            touch_us, offsets, conversion_journey, conversion_us - lookback_us, side="left"
        )
    return Pairs(start=np.minimum(start, stop), stop=stop)
