"""The most common journeys: channel (or source) sequences, with conversion and value.

Every journey's path is the sequence of its touches' labels (optionally with
consecutive repeats collapsed, optionally only the last ``max_length`` touches).
Paths are grouped without a Python loop over journeys: each touch contributes a
64-bit mix of (label, position); a journey's key is the wrapping sum over its
touches plus a mix of its length. Equal keys are then *verified* touch by touch
against one representative journey, so a hash collision can never merge two
different paths (on a collision the keys are recomputed with another seed).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import IntArray
from touchcredit.core.label_text import shown_label
from touchcredit.core.store import JourneySet
from touchcredit.kpi.ratios import divide as _divide
from touchcredit.kpi.tables import MetricTable

__all__ = ["SHOWN_STEPS", "PathIndex", "path_index", "top_paths"]

#: Steps of a path shown in full; a longer one shows its first and last halves.
SHOWN_STEPS = 20

U64 = npt.NDArray[np.uint64]

_NONE_LABEL = "(not recorded)"
_EMPTY_PATH = "(no touches)"


def _mix(x: U64) -> U64:
    """splitmix64 finalizer (Steele, Lea & Flood 2014): a bijective 64-bit mix."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        out: U64 = z ^ (z >> np.uint64(31))
    return out


@attrs.frozen(eq=False)
class PathIndex:
    """Which path every journey follows.

    Attributes
    ----------
    path : int64 ndarray
        Path id of every journey (J,).
    representative : int64 ndarray
        One journey following each path (P,), its first in journey order.
    symbols : int64 ndarray
        The kept touch symbols, CSR by journey (label code + 1; 0 = not recorded).
    offsets : int64 ndarray
        CSR offsets of ``symbols`` per journey.
    categories : tuple of str
        Label table of the symbols.

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0], channel=["a", None],
    ...                             unit="s")
    >>> idx = path_index(js)
    >>> idx.label(0), idx.label(1), idx.symbols.tolist()
    ('a', '(not recorded)', [1, 0])
    """

    path: IntArray
    representative: IntArray
    symbols: IntArray
    offsets: IntArray
    categories: tuple[str, ...]

    def label(self, p: int, separator: str = " > ") -> str:
        """The readable form of path ``p`` ("paid search > email").

        A path of more than :data:`SHOWN_STEPS` steps shows its first and last steps
        around the count of those left out (a bot's 100,000-touch journey is one line,
        not 700 kB), and each label is shown as
        :func:`~touchcredit.core.label_text.shown_label` prints it.
        """
        j = int(self.representative[p])
        syms = self.symbols[self.offsets[j] : self.offsets[j + 1]].tolist()
        if not syms:
            return _EMPTY_PATH
        table = (_NONE_LABEL, *(shown_label(c, 40) for c in self.categories))
        if len(syms) <= SHOWN_STEPS:
            return separator.join(table[s] for s in syms)
        half = SHOWN_STEPS // 2
        hidden = f"({len(syms) - 2 * half:,} more steps)"
        return separator.join([*(table[s] for s in syms[:half]), hidden,
                               *(table[s] for s in syms[-half:])])  # fmt: skip


def path_index(
    journeys: JourneySet,
    *,
    by: str = "channel",
    collapse_repeats: bool = False,
    max_length: int | None = None,
    until_conversion: bool = False,
) -> PathIndex:
    """Group journeys by the sequence of their touch labels (vectorized, verified).

    Parameters
    ----------
    journeys : JourneySet
        The journeys.
    by : {"channel", "source", "campaign", "method"}
        The label making up the path.
    collapse_repeats : bool
        Merge consecutive touches with the same label ("email > email" -> "email").
    max_length : int, optional
        Keep only the last ``max_length`` touches (those nearest the conversion),
        after collapsing.
    until_conversion : bool
        For converting journeys, drop the touches after the journey's last conversion
        (the path *to* conversion). Default: the whole journey.

    Returns
    -------
    PathIndex

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2, 2, 3], timestamp=[0, 1, 0, 1, 0],
    ...     channel=["seo", "email", "seo", "email", "email"], unit="s")
    >>> idx = path_index(js)
    >>> idx.path.tolist(), [idx.label(p) for p in range(2)]
    ([0, 0, 1], ['seo > email', 'email'])
    """
    if max_length is not None and (isinstance(max_length, bool) or max_length < 1):
        raise ValueError(f"'max_length' must be a positive int or None, got {max_length!r}")
    dim = journeys.dimension(by)
    sym = dim.codes.astype(np.int64) + 1
    tj = journeys.touch_journey
    n_j = journeys.n_journeys
    keep = np.ones(sym.size, dtype=bool)
    if until_conversion and journeys.n_conversions:
        c_off = journeys.conversion_offsets
        has = c_off[1:] > c_off[:-1]
        last = np.full(n_j, np.iinfo(np.int64).max, dtype=np.int64)
        last[has] = journeys.conversion_time.view(np.int64)[c_off[1:][has] - 1]
        keep &= journeys.timestamp_us <= last[tj]
        sym, tj = sym[keep], tj[keep]
        keep = keep[keep]
    if collapse_repeats and sym.size > 1:
        keep[1:] = (sym[1:] != sym[:-1]) | (tj[1:] != tj[:-1])
    if max_length is not None:
        counts = np.bincount(tj[keep], minlength=n_j)
        kept_off = np.zeros(n_j + 1, dtype=np.int64)
        np.cumsum(counts, out=kept_off[1:])
        pos = _segments.position_in_segment(kept_off)
        keep[np.flatnonzero(keep)[pos < (counts - max_length)[tj[keep]]]] = False
    sym, tj = sym[keep], tj[keep]
    offsets = np.zeros(n_j + 1, dtype=np.int64)
    np.cumsum(np.bincount(tj, minlength=n_j), out=offsets[1:])
    pos = _segments.position_in_segment(offsets)
    lengths = np.diff(offsets)
    for seed in range(8):  # a second seed is needed with probability ~ J**2 / 2**64
        path, rep = _group(sym, pos, offsets, lengths, seed)
        if _verified(sym, pos, offsets, lengths, path, rep, tj):
            return PathIndex(path, rep, sym, offsets, dim.categories)
    raise RuntimeError("path hashing kept colliding; please report this input")  # pragma: no cover


def _group(
    sym: IntArray, pos: IntArray, offsets: IntArray, lengths: IntArray, seed: int
) -> tuple[IntArray, IntArray]:
    salt = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
    with np.errstate(over="ignore"):
        touch_key = _mix((sym.astype(np.uint64) << np.uint64(32)) + pos.astype(np.uint64) + salt)
        csum = np.zeros(sym.size + 1, dtype=np.uint64)
        np.cumsum(touch_key, out=csum[1:])
        key = csum[offsets[1:]] - csum[offsets[:-1]]  # wrapping segment sum
        key += _mix(lengths.astype(np.uint64) ^ ~salt)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    # Number paths by their first journey so ids do not depend on the hash.
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[inverse.reshape(-1)], first[order].astype(np.int64)


def _verified(
    sym: IntArray, pos: IntArray, offsets: IntArray, lengths: IntArray,
    path: IntArray, rep: IntArray, tj: IntArray,
) -> bool:  # fmt: skip
    rj = rep[path]  # representative journey of every journey
    if not np.array_equal(lengths, lengths[rj]):
        return False
    other = offsets[rj[tj]] + pos  # the same position in the representative
    return bool(np.array_equal(sym, sym[other]))


def top_paths(
    journeys: JourneySet,
    *,
    by: str = "channel",
    k: int | None = 10,
    collapse_repeats: bool = False,
    max_length: int | None = None,
    until_conversion: bool = False,
    converting_only: bool = False,
    separator: str = " > ",
) -> MetricTable:
    """The ``k`` most common paths, with conversions, conversion rate and value.

    Parameters
    ----------
    journeys : JourneySet
        The journeys and their conversions.
    by : {"channel", "source", "campaign", "method"}
        The label making up the path.
    k : int or None
        How many paths to show (None: all), most journeys first (ties: higher value,
        then first seen).
    collapse_repeats, max_length, until_conversion
        See :func:`path_index`. A path is the whole journey unless
        ``until_conversion`` is set.
    converting_only : bool
        Count only journeys with at least one conversion.
    separator : str
        Between labels in the ``path`` column.

    Returns
    -------
    MetricTable
        Columns: ``path``, ``length``, ``journeys``, ``share`` (of the journeys
        counted), ``converting`` (journeys with a conversion), ``conversions``,
        ``conversion_rate`` (converting ÷ journeys), ``value`` (conversion value) and
        ``value_per_journey``.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 2, 3, 3], timestamp=[0, 1, 0, 1, 0, 1],
    ...     channel=["seo", "email", "seo", "email", "ads", "ads"],
    ...     conversion_journey_id=[1], conversion_time=[5], conversion_value=[300.0], unit="s")
    >>> t = top_paths(js, collapse_repeats=True)
    >>> t["path"].tolist(), t["journeys"].tolist(), t["conversion_rate"].tolist()
    (['seo > email', 'ads'], [2, 1], [0.5, 0.0])
    >>> t["value"].tolist()
    [300.0, 0.0]
    """
    idx = path_index(
        journeys,
        by=by,
        collapse_repeats=collapse_repeats,
        max_length=max_length,
        until_conversion=until_conversion,
    )
    n_p = idx.representative.size
    n_conv = np.diff(journeys.conversion_offsets)
    weight = (n_conv > 0) if converting_only else np.ones(journeys.n_journeys, dtype=bool)
    j_value = np.bincount(
        journeys.conversion_journey, weights=journeys.conversion_value, minlength=len(journeys)
    )

    def per_path(values: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        out = np.bincount(idx.path, weights=values * weight, minlength=n_p)
        return out.astype(np.float64)

    count = per_path(np.ones(journeys.n_journeys))
    converting = per_path((n_conv > 0).astype(np.float64))
    conversions = per_path(n_conv.astype(np.float64))
    value = per_path(j_value)
    present = np.flatnonzero(count > 0)
    order = present[np.lexsort((present, -value[present], -count[present]))]
    if k is not None:
        order = order[: max(int(k), 0)]
    notes: list[str] = []
    keys = [idx.label(int(p), separator) for p in order.tolist()]  # top-k rendering only
    path_col = np.empty(len(keys), dtype=object)
    path_col[:] = keys
    data = {
        "path": path_col,
        "length": np.diff(idx.offsets)[idx.representative[order]],
        "journeys": count[order].astype(np.int64),
        "share": _divide(count[order], np.full(order.size, count.sum()), "share", "journeys"),
        "converting": converting[order].astype(np.int64),
        "conversions": conversions[order].astype(np.int64),
        "conversion_rate": _divide(
            converting[order], count[order], "conversion_rate", "journeys", keys, notes
        ),
        "value": value[order],
        "value_per_journey": _divide(
            value[order], count[order], "value_per_journey", "journeys", keys, notes
        ),
    }
    title = f"Top paths by {by}" + (" (repeats collapsed)" if collapse_repeats else "")
    if until_conversion:
        title += " (until conversion)"
    if max_length is not None:
        title += f" (last {max_length} touches)"
    return MetricTable(title, data, ("path",), ("share", "conversion_rate"), tuple(notes))
