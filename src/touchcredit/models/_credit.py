"""Paths, channel sets and per-touch credit shared by the data-driven models.

A *path* is what the Markov and Shapley models learn from: the eligible touches of
one conversion (in time order, ending in a conversion), or all touches of a journey
without conversions (ending in null). Touches after a journey's last conversion
belong to no path. Paths with no touch are left out.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments
from touchcredit.core.arrays import BoolArray, CodeArray, FloatArray, IntArray
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.core.time import to_duration
from touchcredit.models.base import AttributionModel, check_is_fitted
from touchcredit.models.channel_sets import distinct_members, group_sets
from touchcredit.models.eligibility import select_pairs

#: A channel label; None stands for touches whose channel was not recorded.
Label = str | None


def sort_labels(labels: Iterable[Label]) -> tuple[Label, ...]:
    """Labels in canonical order: sorted strings, then None."""
    distinct = set(labels)
    out: list[Label] = [*sorted(x for x in distinct if x is not None)]
    if None in distinct:
        out.append(None)
    return tuple(out)


def wsum(index: IntArray, weights: npt.NDArray[np.floating] | None, n: int) -> FloatArray:
    """Sum of ``weights`` (1 each when None) by ``index`` into ``n`` bins, as float64."""
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


@attrs.frozen(eq=False)
class Paths:
    """Channel paths as CSR arrays over a sorted channel table."""

    channels: tuple[Label, ...]
    codes: CodeArray
    offsets: IntArray
    converted: BoolArray
    value: FloatArray
    #: Index of the journey each path comes from.
    journey: IntArray


def _null_pairs(model: AttributionModel, js: JourneySet) -> Pairs:
    """Touch runs of the journeys without conversions (with the lookback window
    measured back from the journey's last touch)."""
    nj = np.flatnonzero(~js.converting & (js.lengths > 0))
    stop = js.offsets[nj + 1]
    start = js.offsets[nj]
    if model.lookback is not None and nj.size:
        w = int(to_duration(model.lookback, field="lookback").view(np.int64))
        t_last = js.timestamp_us[stop - 1]
        start = segments.segment_searchsorted(
            js.timestamp_us, js.offsets, nj, t_last - w, side="left"
        )
    return Pairs(start=start.astype(np.int64), stop=stop.astype(np.int64))


def extract_paths(model: AttributionModel, js: JourneySet) -> Paths:
    """The converting and non-converting paths of ``js`` under ``model``'s filters."""
    conv = model.pairs(js)
    null = select_pairs(js, _null_pairs(model, js), model.exclude_channels, model.exclude_sources)
    t1, len1 = conv.touch, conv.length
    t2, len2 = null.touch, null.length
    n_cat = len(js.channel.categories)
    codes = js.channel.codes
    raw = np.concatenate([codes[t1], codes[t2]])
    raw %= n_cat + 1  # unrecorded (-1) -> n_cat
    lengths = np.concatenate([len1, len2])
    converted = np.concatenate([np.ones(len1.size, bool), np.zeros(len2.size, bool)])
    value = np.concatenate([js.conversion_value, np.zeros(len2.size)])
    nulls = np.flatnonzero(~js.converting & (js.lengths > 0))  # as in _null_pairs
    journey = np.concatenate([js.conversion_journey, nulls]).astype(np.int64)
    nonempty = lengths > 0
    lengths, converted, value = lengths[nonempty], converted[nonempty], value[nonempty]
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    # canonical channel table: the labels in use, sorted
    all_labels: list[Label] = [*js.channel.categories, None]
    used = np.flatnonzero(np.bincount(raw, minlength=n_cat + 1) > 0)
    channels = sort_labels(all_labels[i] for i in used)
    pos = {c: i for i, c in enumerate(channels)}
    lut = np.full(n_cat + 1, -1, dtype=np.int32)
    for i in used:
        lut[i] = pos[all_labels[i]]
    return Paths(
        channels, lut[raw], offsets, converted, value.astype(np.float64), journey[nonempty]
    )


def _masks_to_sets(masks: npt.NDArray[np.uint64], n: int) -> tuple[CodeArray, IntArray]:
    """CSR sets of one-word bitmasks (bit c = member c), members sorted."""
    words = np.ascontiguousarray(masks, dtype="<u8")[:, None]
    bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")[:, :n]
    rows, cols = np.nonzero(bits)  # row-major: members ascending within a row
    offsets = np.zeros(masks.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=masks.size), out=offsets[1:])
    return cols.astype(np.int32), offsets


def _path_sets(
    paths: Paths, *columns: FloatArray
) -> tuple[CodeArray, IntArray, tuple[FloatArray, ...]]:
    """The distinct channel sets of ``paths`` with each column summed per set."""
    n = len(paths.channels)
    if n > 63:
        codes, offsets = distinct_members(paths.codes, paths.offsets, n)
        return group_sets(codes, offsets, n, *columns)
    # few channels: one 64-bit mask per path, grouped by value (fast path)
    starts = paths.offsets[:-1]
    masks = np.zeros(starts.size, dtype=np.uint64)
    if paths.codes.size:
        masks = np.bitwise_or.reduceat(
            np.left_shift(np.uint64(1), paths.codes.astype(np.uint64)), starts
        )
    if n <= 22:
        flat = masks.astype(np.int64)
        seen = np.bincount(flat, minlength=1 << n) > 0
        uniq = np.flatnonzero(seen).astype(np.uint64)
        inv = (np.cumsum(seen) - 1)[flat]
    else:
        uniq, inv = np.unique(masks, return_inverse=True)
    inv = inv.reshape(-1)
    sums = [wsum(inv, c, uniq.size) for c in columns]
    codes, offsets = _masks_to_sets(uniq, n)
    return group_sets(codes, offsets, n, *sums)  # canonical order


#: Largest dense ``members`` matrix (sets x channels) :attr:`ShapleyCounts.members` builds.
DENSE_MEMBERS_LIMIT = 200_000_000


@attrs.frozen(eq=False)
class ShapleyCounts:
    """Paths grouped by their set of distinct channels (keyed by channel labels).

    Additive: ``a + b`` (or ``a.merge(b, ...)``) is the table of the union of the
    journeys, whatever category tables they came from. This is the sufficient
    statistic of the Shapley model; the Markov model keeps one for its converting paths.
    The sets are stored sparsely (CSR), so the table costs memory in proportion to
    the channels the sets hold, however many channels exist.

    Attributes
    ----------
    channels : tuple of str or None
        Channel labels, sorted (None last).
    offsets : int64 ndarray, shape (P + 1,)
        Set ``p`` holds the channels ``codes[offsets[p]:offsets[p + 1]]``.
    codes : int32 ndarray
        Channel indices (into ``channels``) of every set, sorted within a set. Sets are
        distinct, in a canonical order (:func:`~touchcredit.models.channel_sets.group_sets`).
    conversions, value, nulls : float64 ndarray
        Per set: converting paths, their conversion value, non-converting paths.

    Examples
    --------
    >>> from touchcredit.models import ShapleyModel
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["a", "b", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
    >>> c = ShapleyModel().count(js)
    >>> sorted(zip(c.sets(), c.conversions.tolist(), c.nulls.tolist()))
    [((0, 1), 1.0, 0.0), ((1,), 0.0, 1.0)]
    """

    channels: tuple[Label, ...]
    offsets: IntArray
    codes: CodeArray
    conversions: FloatArray
    value: FloatArray
    nulls: FloatArray

    @property
    def n_sets(self) -> int:
        """Number of distinct channel sets."""
        return int(self.offsets.size - 1)

    def sets(self) -> list[tuple[int, ...]]:
        """The sets as tuples of channel indices (for display and tests)."""
        c, o = self.codes.tolist(), self.offsets.tolist()
        return [tuple(c[a:b]) for a, b in itertools.pairwise(o)]

    def entries(self, rows: BoolArray | None = None) -> tuple[IntArray, IntArray, int]:
        """(set, channel) index of every membership, of the sets where ``rows`` (renumbered
        0.. in order), and the number of those sets."""
        size = np.diff(self.offsets)
        owner = np.repeat(np.arange(self.n_sets, dtype=np.int64), size)
        cols = self.codes.astype(np.int64)
        if rows is None:
            return owner, cols, self.n_sets
        renum = np.cumsum(rows) - 1
        keep = rows[owner]
        return renum[owner[keep]], cols[keep], int(rows.sum())

    @property
    def members(self) -> BoolArray:
        """Dense ``members[p, c]`` (channel ``c`` is in set ``p``), for small tables.

        Raises
        ------
        ValueError
            When sets x channels exceeds :data:`DENSE_MEMBERS_LIMIT`.
        """
        n = len(self.channels)
        if self.n_sets * n > DENSE_MEMBERS_LIMIT:
            raise ValueError(
                f"a dense membership matrix of {self.n_sets:,} sets x {n:,} channels is too "
                f"large (limit {DENSE_MEMBERS_LIMIT:,} cells); use .offsets/.codes or .entries()"
            )
        out = np.zeros((self.n_sets, n), dtype=bool)
        rows, cols, _ = self.entries()
        out[rows, cols] = True
        return out

    @classmethod
    def from_members(
        cls, channels: tuple[Label, ...], members: BoolArray, conversions: FloatArray,
        value: FloatArray | None = None, nulls: FloatArray | None = None,
    ) -> ShapleyCounts:  # fmt: skip
        """A table from a dense membership matrix (rows: sets, columns: ``channels``).

        Examples
        --------
        >>> c = ShapleyCounts.from_members(("a", "b"), np.array([[True, True], [False, True]]),
        ...                                np.array([3.0, 1.0]))
        >>> sorted(zip(c.sets(), c.conversions.tolist()))
        [((0, 1), 3.0), ((1,), 1.0)]
        """
        m = np.asarray(members, dtype=bool)
        rows, cols = np.nonzero(m)
        offsets = np.zeros(m.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=m.shape[0]), out=offsets[1:])
        zero = np.zeros(m.shape[0])
        conv = np.asarray(conversions, dtype=np.float64)
        val = zero if value is None else np.asarray(value, dtype=np.float64)
        nul = zero if nulls is None else np.asarray(nulls, dtype=np.float64)
        codes, out_off, (c, v, u) = group_sets(
            cols.astype(np.int32), offsets, len(channels), conv, val, nul
        )
        return cls(tuple(channels), out_off, codes, c, v, u)

    @classmethod
    def from_paths(cls, paths: Paths) -> ShapleyCounts:
        """Group ``paths`` by channel set."""
        conv = paths.converted.astype(np.float64)
        codes, offsets, (conversions, value, nulls) = _path_sets(
            paths, conv, paths.value, 1.0 - conv
        )
        return cls(paths.channels, offsets, codes, conversions, value, nulls)

    def merge(self, *others: ShapleyCounts) -> ShapleyCounts:
        """Table of the union of the journeys behind ``self`` and ``others``."""
        parts = [self, *others]
        channels = sort_labels(c for p in parts for c in p.channels)
        pos = {c: i for i, c in enumerate(channels)}
        codes, sizes = [], []
        for p in parts:  # labels sorted in both tables: the remap keeps members sorted
            lut = np.array([pos[c] for c in p.channels], dtype=np.int32)
            codes.append(lut[p.codes] if p.codes.size else p.codes)
            sizes.append(np.diff(p.offsets))
        offsets = np.zeros(sum(s.size for s in sizes) + 1, dtype=np.int64)
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
        all_codes, out_off, (conv, value, nulls) = group_sets(
            np.concatenate(codes).astype(np.int32),
            offsets,
            len(channels),
            np.concatenate([p.conversions for p in parts]),
            np.concatenate([p.value for p in parts]),
            np.concatenate([p.nulls for p in parts]),
        )
        return ShapleyCounts(channels, out_off, all_codes, conv, value, nulls)

    def __add__(self, other: ShapleyCounts) -> ShapleyCounts:
        return self.merge(other)

    def __radd__(self, other: object) -> ShapleyCounts:
        if isinstance(other, int) and other == 0:  # sum(counts) starts from 0
            return self
        return NotImplemented


_TINY = 1e-250


def _incidence(
    rows: IntArray, cols: IntArray, shape: tuple[int, int]
) -> tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]:
    """``x -> M @ x`` and ``y -> y @ M`` for the 0/1 matrix ``M`` with ones at
    ``(rows, cols)``: dense products while the matrix is small (one BLAS call each,
    far cheaper than a gather and a bincount), bincounts over the entries otherwise."""
    n_rows, n = shape
    if n_rows * n <= 4_000_000:
        dense = np.zeros(shape)
        dense[rows, cols] = 1.0
        return (lambda x: dense @ x), (lambda y: y @ dense)
    return (lambda x: wsum(rows, x[cols], n_rows)), (lambda y: wsum(cols, y[rows], n))


def fit_scale_entries(
    rows: IntArray,
    cols: IntArray,
    shape: tuple[int, int],
    weight: FloatArray,
    target: FloatArray,
    *,
    max_iter: int = 20_000,
) -> tuple[FloatArray, float]:
    """Per-channel scales ``s`` so that sharing each row's ``weight`` over its members
    in proportion to ``s`` gives every channel its ``target`` (iterative proportional
    fitting, Deming & Stephan 1940). The rows' members are given sparsely: one
    ``(rows[k], cols[k])`` entry per (set, member channel), ``shape`` = (sets, channels).

    Returns the scales and the largest remaining gap as a fraction of the total; the
    targets may be unattainable (a channel credited more than the rows holding it
    can give), and then the gap stays positive.
    """
    n = shape[1]
    total = float(weight.sum())
    if total <= 0 or n == 0:
        return np.ones(n), 0.0
    row_sum, col_sum = _incidence(rows, cols, shape)
    size = row_sum(np.ones(n))
    s = np.where(target > 0, 1.0, 0.0)
    gap = best = math.inf
    since_best = 0
    for _ in range(max_iter):
        d = row_sum(s)
        # a denominator this small would overflow the division; such rows are treated
        # like rows whose members all have scale 0 (an equal split)
        live = d > _TINY
        r = np.divide(weight, d, out=np.zeros_like(weight), where=live)
        flat = np.divide(weight, size, out=np.zeros_like(weight), where=~live & (size > 0))
        col = s * col_sum(r) + col_sum(flat)
        gap = float(np.abs(col - target).max()) / total
        if gap <= 1e-13:
            break
        # unattainable targets: stop once the gap has stopped shrinking
        if gap < best * (1 - 1e-9):
            best, since_best = gap, 0
        else:
            since_best += 1
            if since_best >= 200:
                break
        s = s * np.divide(target, col, out=np.ones_like(s), where=col > 0)
        top = s.max()
        if top <= 0:
            break
        s /= top
    return s, gap


def scaled_weights(
    model: AttributionModel, js: JourneySet, channels: tuple[Label, ...], scale: FloatArray
) -> FloatArray:
    """Pair weights: each conversion shares 1 over the distinct channels on its path
    in proportion to ``scale`` (equally when they all have scale 0), and each channel's
    share equally over its touches among the pairs."""
    p = model.pairs(js)
    local, inv_m = _pair_channels(p, js)
    pos = {c: i for i, c in enumerate(channels)}
    labels: list[Label] = [*js.channel.categories, None]
    lut = np.array([scale[pos[c]] if c in pos else 0.0 for c in labels], dtype=np.float64)
    conv = p.conversion
    n_conv = p.start.size
    sv = lut[local] * inv_m
    denom = wsum(conv, sv, n_conv)
    w = sv / np.where(denom > 0, denom, 1.0)[conv]
    flat = denom <= 0
    if flat.any():
        n_distinct = wsum(conv, inv_m, n_conv)
        fb = flat[conv]
        w[fb] = inv_m[fb] / n_distinct[conv[fb]]
    return np.asarray(w, dtype=np.float64)


#: What :func:`scaled_weights` needs that does not depend on the scales, per pairs
#: object: the value and the conversion weights of a model share it. Weak keys.
_PAIR_CHANNELS: weakref.WeakKeyDictionary[Pairs, tuple[Any, npt.NDArray[np.int64], FloatArray]] = (
    weakref.WeakKeyDictionary()
)


def _pair_channels(p: Pairs, js: JourneySet) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Each pair's channel slot (not recorded: the last) and 1 / the number of pairs of
    its conversion on the same channel."""
    codes = js.channel.codes
    cached = _PAIR_CHANNELS.get(p)
    if cached is not None and cached[0] is codes:
        return cached[1], cached[2]
    width = len(js.channel.categories) + 1
    local = codes[p.touch].astype(np.int64)
    local %= width
    conv = p.conversion
    n_conv = p.start.size
    key = conv * width + local
    if n_conv * width <= 50_000_000:
        per = np.bincount(key, minlength=n_conv * width)[key]
    else:
        uniq, cnt = np.unique(key, return_counts=True)
        per = cnt[np.searchsorted(uniq, key)]
    inv_m = 1.0 / per
    _PAIR_CHANNELS[p] = (codes, local, inv_m)
    return local, inv_m


def fit_measure_scales(
    sets: ShapleyCounts, shares: FloatArray, value_shares: FloatArray | None = None
) -> tuple[FloatArray, float, FloatArray, float]:
    """Per-channel scales (and gaps) for the value weights and for the conversion
    weights: each reproduces its shares (``value_shares`` for value, ``shares`` when
    None) of its own total on the fitted paths."""
    v_shares = shares if value_shares is None else value_shares
    conv_rows = sets.conversions > 0
    rows, cols, n_rows = sets.entries(conv_rows)
    shape = (n_rows, len(sets.channels))
    count = sets.conversions[conv_rows]
    c_scale, c_gap = fit_scale_entries(rows, cols, shape, count, shares * float(count.sum()))
    value = sets.value[conv_rows]
    if value.sum() <= 0:  # no values (leads): value credit is the count credit
        return c_scale, c_gap, c_scale, c_gap
    v_scale, v_gap = fit_scale_entries(rows, cols, shape, value, v_shares * float(value.sum()))
    return v_scale, v_gap, c_scale, c_gap


def share_credit(
    model: AttributionModel, journeys: JourneySet, shares: dict[Label, float], what: str
) -> dict[Label, float]:
    """Each label's share of the attributable total (value or count) of ``journeys``."""
    check_is_fitted(model)
    p = model.pairs(journeys)
    vals = journeys.conversion_value if what == "value" else np.ones(journeys.n_conversions)
    total = float(vals[p.length > 0].sum())
    return {k: total * v for k, v in shares.items()}
