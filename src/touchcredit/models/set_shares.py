"""Per-conversion shares over the distinct channels of its path, as pair weights.

The probabilistic and logistic models credit a conversion to the *distinct channels* on
its path (each channel's share split equally over its touches), with shares that depend
only on the path's channel set. Shares are computed once per distinct set, not per
conversion: :func:`conversion_sets` groups the conversions' paths by set, a model gives a
share for every (set, member) entry, and :func:`pair_weights` spreads them over the pairs.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import Label, _masks_to_sets, _pair_channels, wsum
from touchcredit.models.base import AttributionModel
from touchcredit.models.channel_sets import distinct_members, set_groups

__all__ = ["ConversionSets", "conversion_sets", "normalise", "pair_weights", "set_pairs"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@attrs.frozen(eq=False)
class ConversionSets:
    """The distinct channel sets of the converting paths of a JourneySet.

    Attributes
    ----------
    channels : tuple of str or None
        The channel slots: the JourneySet's channel categories, then None (not recorded).
    offsets, codes : int64 ndarray
        Set ``s`` holds channels ``codes[offsets[s]:offsets[s + 1]]`` (sorted).
    pair_entry : int64 ndarray
        For every pair of the model, the index of its (set, channel) entry in ``codes``.
    inv_m : float64 ndarray
        For every pair, 1 / the number of its conversion's pairs on the same channel.
    """

    channels: tuple[Label, ...]
    offsets: IntArray
    codes: IntArray
    pair_entry: IntArray
    inv_m: FloatArray

    @property
    def owner(self) -> IntArray:
        """The set of every entry."""
        return segments.segment_ids(self.offsets)


def conversion_sets(model: AttributionModel, js: JourneySet) -> ConversionSets:
    """Group the converting paths of ``js`` (under ``model``'s filters) by channel set.

    Channels are the slots of ``js``'s channel categories (the last one: not recorded).

    Examples
    --------
    >>> from touchcredit.models import LinearModel
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 1, 2], timestamp=[0, 1, 2, 0],
    ...     channel=["a", "b", "a", "b"], conversion_journey_id=[1, 2],
    ...     conversion_time=[2, 0], unit="s")
    >>> cs = conversion_sets(LinearModel(), js)
    >>> cs.channels, cs.offsets.tolist(), cs.codes.tolist()
    (('a', 'b', None), [0, 1, 3], [1, 0, 1])
    >>> cs.pair_entry.tolist(), cs.inv_m.tolist()  # sets {b} and {a, b}
    ([1, 2, 1, 0], [0.5, 1.0, 0.5, 1.0])
    """
    p = model.pairs(js)
    local, inv_m = _pair_channels(p, js)
    labels: tuple[Label, ...] = (*js.channel.categories, None)
    width = len(labels)
    nonempty = p.length > 0
    starts = p.offsets[:-1][nonempty]
    if width <= 63:  # one 64-bit mask per conversion (members ascending by bit)
        masks = np.zeros(starts.size, dtype=np.uint64)
        if local.size:
            bits = np.left_shift(np.uint64(1), local.astype(np.uint64))
            masks = np.bitwise_or.reduceat(bits, starts)
        uniq, inv = np.unique(masks, return_inverse=True)
        codes32, offsets = _masks_to_sets(uniq, width)
        codes = codes32.astype(np.int64)
        conv_set = inv.reshape(-1).astype(np.int64)
    else:  # many channels: distinct members hashed per path
        seq = local.astype(np.int32)
        first = np.zeros(starts.size + 1, dtype=np.int64)
        first[:-1] = starts
        first[-1] = local.size
        members, member_off = distinct_members(seq, first, width)
        codes32, offsets, conv_set = set_groups(members, member_off, width)
        codes = codes32.astype(np.int64)
    per_conv = np.full(js.n_conversions, -1, dtype=np.int64)
    per_conv[np.flatnonzero(nonempty)] = conv_set
    keys = segments.segment_ids(offsets) * width + codes
    entry = np.searchsorted(keys, per_conv[p.conversion] * width + local)
    return ConversionSets(labels, offsets, codes, entry.astype(np.int64), inv_m)


def set_pairs(offsets: IntArray, codes: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Every ordered pair of distinct members of every set: (entry of the first member,
    its channel, the second member's channel). ``sum(size**2)`` work over the sets.

    Examples
    --------
    >>> e, i, j = set_pairs(np.array([0, 2, 3]), np.array([4, 7, 4]))
    >>> e.tolist(), i.tolist(), j.tolist()
    ([0, 1], [4, 7], [7, 4])
    """
    size = np.diff(offsets)
    owner = segments.segment_ids(offsets)
    m = size[owner]
    rep = np.repeat(np.arange(codes.size, dtype=np.int64), m)
    rep_off = np.zeros(codes.size + 1, dtype=np.int64)
    np.cumsum(m, out=rep_off[1:])
    partner = offsets[owner][rep] + segments.position_in_segment(rep_off)
    keep = rep != partner
    rep, partner = rep[keep], partner[keep]
    return rep, codes[rep].astype(np.int64), codes[partner].astype(np.int64)


def normalise(score: FloatArray, owner: IntArray, n_sets: int) -> FloatArray:
    """Shares per entry: ``max(score, 0)`` over its set's total, equal when all are 0.

    Examples
    --------
    >>> normalise(np.array([3.0, -1.0, 1.0, 0.0, 0.0]), np.array([0, 0, 0, 1, 1]), 2).tolist()
    [0.75, 0.0, 0.25, 0.5, 0.5]
    """
    pos = np.maximum(np.nan_to_num(score, nan=0.0), 0.0)
    total = wsum(owner, pos, n_sets)
    size = wsum(owner, None, n_sets)
    live = total[owner] > 0
    return np.where(live, pos / np.where(live, total[owner], 1.0), 1.0 / size[owner])


def pair_weights(sets: ConversionSets, entry_share: npt.NDArray[Any]) -> FloatArray:
    """Pair weights: the entry's share split equally over the channel's touches."""
    return np.asarray(entry_share[sets.pair_entry] * sets.inv_m, dtype=np.float64)
