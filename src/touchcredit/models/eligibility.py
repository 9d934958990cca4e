"""Which touches a model may credit: the lookback window and the exclude filters.

Every model weighs the same pairs, decided here once and not by the model: the touches
of a conversion's journey at or before it (within ``lookback``), minus the touches whose
channel or source is excluded -- unless that would leave the conversion with no touch
at all, in which case the filter is ignored for that conversion (so
``last_touch(exclude_channels=["direct"])`` is the classic last non-direct click,
falling back to the last touch).

Without exclude filters the pairs are the journey set's own cached lookback runs
(:class:`~touchcredit.core.pairs.Pairs`, no copy); with filters they are an
:class:`EligiblePairs`, which keeps the runs and drops the excluded touches from them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from touchcredit.core import segments
from touchcredit.core.arrays import BoolArray, IntArray
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.core.time import to_duration

if TYPE_CHECKING:
    from touchcredit.models.base import AttributionModel

__all__ = ["EligiblePairs", "eligible_pairs", "exclusion_mask", "select_pairs"]


_CacheKey = tuple[int | None, tuple[str, ...], tuple[str, ...]]
_CACHE: weakref.WeakKeyDictionary[JourneySet, dict[_CacheKey, Pairs]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


@attrs.frozen(eq=False)
class EligiblePairs(Pairs):
    """Pairs of the runs ``start[c]:stop[c]`` whose touches pass the exclude filters.

    ``keep`` holds one flag per touch of the runs laid end to end; the pairs are the
    kept touches (``kept_touch``, ``kept_length`` per conversion), still in time order
    and grouped by conversion, so ``offsets``, ``touch``, ``conversion``, ``position``
    and ``length`` describe them exactly as for :class:`~touchcredit.core.pairs.Pairs`.
    Only ``start``/``stop`` differ: they bound each conversion's run, which may hold
    excluded touches. Build one with :func:`select_pairs`.

    Examples
    --------
    >>> runs = Pairs(start=np.array([0, 3]), stop=np.array([3, 5]))
    >>> p = EligiblePairs.from_runs(runs, np.array([True, False, True, False, True]))
    >>> p.touch.tolist(), p.length.tolist(), p.offsets.tolist(), p.position.tolist()
    ([0, 2, 4], [2, 1], [0, 2, 3], [0, 1, 0])
    """

    keep: BoolArray
    kept_touch: IntArray
    kept_length: IntArray

    @classmethod
    def from_runs(cls, runs: Pairs, keep: BoolArray, kept: IntArray | None = None) -> EligiblePairs:
        """The pairs of ``runs`` flagged in ``keep`` (one flag per pair of ``runs``);
        ``kept``: the number of flags per conversion, when the caller has it."""
        if kept is None:
            kept = segments.segment_sum(keep.view(np.int8), runs.offsets).astype(np.int64)
        return cls(
            start=runs.start,
            stop=runs.stop,
            keep=keep,
            kept_touch=runs.touch[keep],
            kept_length=kept,
        )

    @property
    def length(self) -> IntArray:
        """Number of kept touches per conversion."""
        return self.kept_length

    @property
    def touch(self) -> IntArray:
        """Touch index of every kept pair."""
        return self.kept_touch


def exclusion_mask(
    journeys: JourneySet,
    pairs: Pairs,
    exclude_channels: Sequence[str] = (),
    exclude_sources: Sequence[str] = (),
) -> BoolArray | None:
    """Which pairs pass the exclude filters (None when no filter is set).

    A conversion whose pairs would all be excluded keeps all of them: the filter
    never turns an attributable conversion into an unattributed one.

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["seo", "direct", "direct"], conversion_journey_id=[1, 2],
    ...     conversion_time=[5, 5], unit="s")
    >>> exclusion_mask(js, js.pairs(), ["direct"]).tolist()
    [True, False, True]
    """
    flags = _kept_flags(journeys, pairs, exclude_channels, exclude_sources)
    return None if flags is None else flags[0]


def _kept_flags(
    journeys: JourneySet,
    pairs: Pairs,
    exclude_channels: Sequence[str],
    exclude_sources: Sequence[str],
) -> tuple[BoolArray, IntArray] | None:
    """:func:`exclusion_mask` and the number of kept pairs per conversion."""
    if not exclude_channels and not exclude_sources:
        return None
    touch = pairs.touch
    keep = np.ones(touch.size, dtype=bool)
    for dim, labels in (
        (journeys.channel, exclude_channels),
        (journeys.source, exclude_sources),
    ):
        codes = [c for c in (dim.code(label) for label in labels) if c >= 0]
        if codes:
            # a lookup table over the few categories (code -1 -> the last slot)
            table = np.zeros(len(dim.categories) + 1, dtype=bool)
            table[codes] = True
            keep &= ~table[dim.codes[touch]]
    kept = segments.segment_sum(keep.view(np.int8), pairs.offsets).astype(np.int64)
    fallback = (kept == 0) & (pairs.length > 0)
    if fallback.any():  # those conversions keep every pair: set just their runs
        sel = np.flatnonzero(fallback)
        keep[segments.gather_segments(pairs.offsets, sel)[0]] = True
        kept[sel] = pairs.length[sel]
    return keep, kept


def select_pairs(
    journeys: JourneySet,
    pairs: Pairs,
    exclude_channels: Sequence[str] = (),
    exclude_sources: Sequence[str] = (),
) -> Pairs:
    """``pairs`` without the excluded touches (``pairs`` itself when nothing is excluded).

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["seo", "direct", "direct"], conversion_journey_id=[1, 2],
    ...     conversion_time=[5, 5], unit="s")
    >>> select_pairs(js, js.pairs(), ["direct"]).touch.tolist()
    [0, 2]
    """
    flags = _kept_flags(journeys, pairs, exclude_channels, exclude_sources)
    if flags is None or bool((flags[1] == pairs.length).all()):  # nothing excluded
        return pairs
    return EligiblePairs.from_runs(pairs, *flags)


def eligible_pairs(model: AttributionModel, journeys: JourneySet) -> Pairs:
    """The (conversion, touch) pairs ``model`` weighs on ``journeys``.

    The lookback runs of :meth:`JourneySet.pairs`, minus the touches the model's
    ``exclude_channels``/``exclude_sources`` exclude (see the module rules). Computed
    once per journey set and filter (cached while ``journeys`` lives), so the model's
    ``weights`` and :func:`touchcredit.attribute` see the very same object.

    Examples
    --------
    >>> from touchcredit.models import LinearModel
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 1], timestamp=[0, 1, 2],
    ...     channel=["seo", "email", "ads"], conversion_journey_id=[1], conversion_time=[2],
    ...     unit="s")
    >>> eligible_pairs(LinearModel(exclude_channels=["seo"]), js).touch.tolist()
    [1, 2]
    """
    runs = journeys.pairs(model.lookback)
    channels, sources = tuple(model.exclude_channels), tuple(model.exclude_sources)
    if not channels and not sources:
        return runs
    lookback = (
        None
        if model.lookback is None
        else int(to_duration(model.lookback, field="lookback").view(np.int64))
    )
    key = (lookback, channels, sources)
    with _LOCK:
        cached = _CACHE.get(journeys, {}).get(key)
    if cached is not None:
        return cached
    out = select_pairs(journeys, runs, channels, sources)
    with _LOCK:
        _CACHE.setdefault(journeys, {})[key] = out
    return out
