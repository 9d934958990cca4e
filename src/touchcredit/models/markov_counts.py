"""The sufficient statistics of a Markov model: states and transition counts.

A path ``s1 -> ... -> sm`` of channel codes becomes a walk over states of the last
``order`` channels (:func:`path_state_ids`); :func:`count_paths` counts its transitions
into a :class:`MarkovCounts`, which is additive, so counts of journey partitions (Parquet
chunks, Spark partitions) merge into the counts of the whole.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.models._credit import Label, Paths, ShapleyCounts, sort_labels, wsum

__all__ = [
    "CONVERSION",
    "NULL",
    "START",
    "MarkovCounts",
    "count_paths",
    "pack_states",
    "path_state_ids",
]


#: Special state codes in :class:`MarkovCounts` transitions.
START, CONVERSION, NULL = -1, -2, -3


def path_state_ids(
    codes: npt.NDArray[np.integer[Any]],
    offsets: IntArray,
    order: int,
    n_channels: int,
    collapse: bool,
) -> tuple[npt.NDArray[np.integer[Any]], IntArray]:
    """State id of every step of every (non-empty) path, and the CSR offsets of the steps.

    A state is the window of ``order`` consecutive channels; a path shorter than
    ``order`` has one state, the whole path (as the reference tool builds them).
    The id packs the window's channel indices + 1 in base ``n_channels + 1`` with 0
    padding, so ids sort like the windows. With ``collapse``, consecutive equal
    states of a path are merged.
    """
    base = n_channels + 1
    if float(base) ** order >= 2.0**62:
        raise ValueError(
            f"order={order} with {n_channels} channels has too many possible states; "
            "lower the order or merge channels"
        )
    if order == 1:
        ids = codes + 1
        w_off = offsets
    else:
        lengths = np.diff(offsets)
        n_win = np.maximum(lengths - order + 1, 1) * (lengths > 0)
        w_off = np.zeros(n_win.size + 1, dtype=np.int64)
        np.cumsum(n_win, out=w_off[1:])
        path = _segments.segment_ids(w_off)
        first = np.repeat(offsets[:-1], n_win) + _segments.position_in_segment(w_off)
        plen = lengths[path]
        ids = np.zeros(first.size, dtype=np.int64)
        last = max(int(codes.size) - 1, 0)
        for j in range(order):
            digit = codes[np.minimum(first + j, last)] + 1 if codes.size else first + 1
            ids = ids * base + np.where(j < plen, digit, 0)
    if collapse and ids.size:
        keep = np.empty(ids.size, dtype=bool)
        keep[0] = True
        np.not_equal(ids[1:], ids[:-1], out=keep[1:])
        keep[w_off[:-1][w_off[:-1] < ids.size]] = True
        ids = ids[keep]
        kept_before = np.zeros(keep.size + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        w_off = kept_before[w_off]
    return ids, w_off


def _decode(ids: IntArray, order: int, n_channels: int) -> IntArray:
    """Channel indices (-1 = padding) of packed state ids, one row per state."""
    base = n_channels + 1
    out = np.empty((ids.size, order), dtype=np.int64)
    rest = ids.copy()
    for j in range(order - 1, -1, -1):
        out[:, j] = rest % base - 1
        rest //= base
    return out


def pack_states(states: IntArray, n_channels: int) -> IntArray:
    ids = np.zeros(states.shape[0], dtype=np.int64)
    for j in range(states.shape[1]):
        ids = ids * (n_channels + 1) + states[:, j] + 1
    return ids


def _aggregate(
    parts: list[
        tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]], FloatArray | None]
    ],
) -> tuple[IntArray, IntArray, FloatArray]:
    """Sum the weights (1 each when None) of (src, dst) pairs given in several parts;
    returns the distinct (src, dst), sorted, and their sums."""
    parts = [p for p in parts if p[0].size]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    lo = min(min(int(a.min()), int(b.min())) for a, b, _ in parts)
    span = max(max(int(a.max()), int(b.max())) for a, b, _ in parts) - lo + 1
    if span * span <= 20_000_000:  # small key space: count (int32 keys, no sort)
        sums = np.zeros(span * span)
        for a, b, w in parts:
            key = (a - lo).astype(np.int32) * np.int32(span) + (b - lo).astype(np.int32)
            sums += np.bincount(key, weights=w, minlength=span * span)
        uniq = np.flatnonzero(sums)
        sums = sums[uniq]
    else:
        keys = np.concatenate([(a - lo).astype(np.int64) * span + (b - lo) for a, b, _ in parts])
        weights = (
            None
            if all(w is None for *_, w in parts)
            else np.concatenate([np.ones(a.size) if w is None else w for a, _, w in parts])
        )
        uniq, inv = np.unique(keys, return_inverse=True)
        sums = wsum(inv.reshape(-1), weights, uniq.size)
    return uniq // span + lo, uniq % span + lo, sums.astype(np.float64)


@attrs.frozen(eq=False)
class MarkovCounts:
    """Sufficient statistics of a Markov model: transition counts keyed by labels.

    Additive: counts of two partitions of the journeys merge with ``+`` (or
    :meth:`merge`) into the counts of the union, whatever category tables the
    partitions had, because states are stored as channel *labels* (sorted).

    Attributes
    ----------
    order : int
        Number of channels per state.
    collapse : bool
        Whether consecutive equal states were merged.
    channels : tuple of str or None
        Channel labels, sorted (None, an unrecorded channel, last).
    states : int64 ndarray, shape (S, order)
        Channel indices of every state (-1 pads a state shorter than ``order``),
        sorted.
    source, target : int64 ndarray
        Transition ends: a state index, or ``START`` (-1), ``CONVERSION`` (-2),
        ``NULL`` (-3).
    count : float64 ndarray
        Number of paths that made each transition.
    sets : ShapleyCounts
        The distinct channel sets of the paths (used to spread credit over touches).
    state_value : float64 ndarray, shape (S,), optional
        Conversion value of the paths that converted from each state (their last
        state): what the value-weighted chain needs. None in counts made before it
        existed (read as: every conversion worth the same).

    Examples
    --------
    >>> from touchcredit.core.store import JourneySet
    >>> from touchcredit.models import MarkovModel
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["a", "b", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
    >>> c = MarkovModel().count(js)
    >>> c.channels, c.states.ravel().tolist()
    (('a', 'b'), [0, 1])
    >>> (c + c).count.tolist() == [2 * x for x in c.count.tolist()]
    True
    """

    order: int
    collapse: bool
    channels: tuple[Label, ...]
    states: IntArray
    source: IntArray
    target: IntArray
    count: FloatArray
    sets: ShapleyCounts
    state_value: FloatArray | None = None

    def merge(self, *others: MarkovCounts) -> MarkovCounts:
        """Counts of the union of the journeys behind ``self`` and ``others``."""
        parts = [self, *others]
        for o in others:
            if (o.order, o.collapse) != (self.order, self.collapse):
                raise ValueError(
                    f"cannot merge Markov counts of order={o.order}, collapse={o.collapse} "
                    f"into order={self.order}, collapse={self.collapse}"
                )
        channels = sort_labels({c for p in parts for c in p.channels})
        pos = {c: i for i, c in enumerate(channels)}
        n = len(channels)
        all_ids, srcs, dsts, cnts, vals = [], [], [], [], []
        for p in parts:
            lut = np.array([pos[c] for c in p.channels] + [-1], dtype=np.int64)
            ids = pack_states(lut[p.states], n)
            all_ids.append(ids)

            def remap(x: IntArray, ids: IntArray = ids) -> IntArray:
                return np.where(x >= 0, ids[np.maximum(x, 0)] if ids.size else 0, x)

            vals.append(p.state_value)
            srcs.append(remap(p.source))
            dsts.append(remap(p.target))
            cnts.append(p.count)
        uniq = np.unique(np.concatenate(all_ids))
        # packed ids -> new state index (ids >= 1; specials stay negative)
        src = np.concatenate(srcs)
        dst = np.concatenate(dsts)
        src = np.where(src >= 0, np.searchsorted(uniq, src), src)
        dst = np.where(dst >= 0, np.searchsorted(uniq, dst), dst)
        s, d, c = _aggregate([(src, dst, np.concatenate(cnts))])
        value = None
        if all(v is not None for v in vals):
            index = np.searchsorted(uniq, np.concatenate(all_ids))
            value = wsum(index, np.concatenate([v for v in vals if v is not None]), uniq.size)
        return MarkovCounts(
            order=self.order,
            collapse=self.collapse,
            channels=channels,
            states=_decode(uniq, self.order, n),
            source=s,
            target=d,
            count=c.astype(np.float64),
            sets=self.sets.merge(*(o.sets for o in others)),
            state_value=value,
        )

    def __add__(self, other: MarkovCounts) -> MarkovCounts:
        return self.merge(other)

    def __radd__(self, other: object) -> MarkovCounts:
        if isinstance(other, int) and other == 0:  # sum(counts) starts from 0
            return self
        return NotImplemented

    def state_labels(self) -> tuple[str, ...]:
        """Readable state names: channel labels joined by ``" > "``."""
        names = [str(c) if c is not None else "(unrecorded)" for c in self.channels]
        return tuple(" > ".join(names[i] for i in row if i >= 0) for row in self.states.tolist())


def count_paths(paths: Paths, order: int, collapse: bool) -> MarkovCounts:
    """Transition counts of ``paths`` with states of ``order`` channels."""
    n = len(paths.channels)
    ids, w_off = path_state_ids(paths.codes, paths.offsets, order, n, collapse)
    state: npt.NDArray[np.integer[Any]]
    if (n + 1) ** order <= 20_000_000:  # small id space: count instead of sorting
        present = np.bincount(ids, minlength=(n + 1) ** order) > 0
        uniq = np.flatnonzero(present).astype(np.int64)
        lut = (np.cumsum(present) - 1).astype(np.int32)
        state = lut[ids]
    else:
        uniq, inv = np.unique(ids, return_inverse=True)
        state = inv.reshape(-1).astype(np.int64)
    n_steps = np.diff(w_off)
    first = np.zeros(state.size, dtype=bool)
    nonempty = n_steps > 0
    first[w_off[:-1][nonempty]] = True
    prev = np.empty_like(state)
    prev[1:] = state[:-1]
    prev[first] = START
    last_state = state[w_off[1:][nonempty] - 1]
    ends = np.where(paths.converted[nonempty], CONVERSION, NULL)
    s, d, c = _aggregate([(prev, state, None), (last_state, ends, None)])
    conv = paths.converted[nonempty]
    state_value = wsum(last_state[conv].astype(np.int64), paths.value[nonempty][conv], uniq.size)
    return MarkovCounts(
        order=order,
        collapse=collapse,
        channels=paths.channels,
        states=_decode(uniq, order, n),
        source=s,
        target=d,
        count=c.astype(np.float64),
        sets=ShapleyCounts.from_paths(paths),
        state_value=state_value,
    )
