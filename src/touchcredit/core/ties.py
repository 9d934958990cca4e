"""Touches at the same instant: an order taken from the data, never from the row order.

CRM exports often carry dates only, so one journey can hold several touches at the
same timestamp. Sorting by (journey, time) alone would leave them in input-row
order, and first-touch, last-touch, position-based, Markov and Shapley credit would
change when the rows are shuffled. The rule: inside a journey, touches with equal
timestamps are ordered by their labels' text — channel, then source, campaign and
method (a label that was not recorded comes before any text). Touches equal in all
of these are indistinguishable: every model gives them the same credit as a group.

:func:`order_runs` is the domain-free kernel (sort the runs of equal keys inside each
segment by further keys); :func:`order_ties` applies it to a built journey store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray

__all__ = ["TIE_ORDER", "order_runs", "order_ties", "text_rank", "tie_runs"]

Codes = npt.NDArray[np.int32]

#: Label columns that order touches at the same instant, most significant first.
TIE_ORDER: tuple[str, ...] = ("channel", "source", "campaign", "method")


def text_rank(codes: Codes, categories: Sequence[str]) -> npt.NDArray[np.int32]:
    """Rank of every code's label in text order (-1, not recorded, ranks first).

    Examples
    --------
    >>> text_rank(np.array([0, 1, -1], dtype=np.int32), ("seo", "email")).tolist()
    [2, 1, 0]
    """
    table = np.empty(len(categories), dtype=object)
    table[:] = list(categories)
    lookup = np.empty(len(categories) + 1, dtype=np.int32)
    lookup[np.argsort(table, kind="stable") if len(categories) else []] = np.arange(
        1, len(categories) + 1, dtype=np.int32
    )
    lookup[-1] = 0  # code -1 picks the trailing slot
    out: npt.NDArray[np.int32] = lookup[codes]
    return out


def order_runs(
    offsets: IntArray, primary: npt.NDArray[np.int64], keys: Sequence[npt.NDArray[np.int32]]
) -> tuple[IntArray, IntArray] | None:
    """Reorder runs of equal ``primary`` inside each segment by ``keys``.

    ``primary`` is sorted inside every segment. Returns ``(positions, perm)``: the
    positions that lie in a run of two or more equal values (ascending), and for them
    the stable order by (run, ``keys[0]``, ``keys[1]``, ...), so that
    ``a[positions] = a[positions][perm]`` reorders any per-element array. None when
    no segment holds two equal values.

    Examples
    --------
    >>> offsets = np.array([0, 3, 5])
    >>> t = np.array([1, 1, 2, 7, 7])      # segment 0: a tie at 1; segment 1: at 7
    >>> k = np.array([5, 3, 0, 2, 9], dtype=np.int32)
    >>> pos, perm = order_runs(offsets, t, [k])
    >>> pos.tolist(), pos[perm].tolist()
    ([0, 1, 3, 4], [1, 0, 3, 4])
    """
    runs = tie_runs(offsets, primary)
    if runs is None:
        return None
    positions, run = runs
    perm = np.lexsort([k[positions] for k in reversed(keys)] + [run])
    return positions, perm.astype(np.int64, copy=False)


def tie_runs(offsets: IntArray, primary: npt.NDArray[np.int64]) -> tuple[IntArray, IntArray] | None:
    """Positions in a run of two or more equal ``primary`` values inside a segment.

    Returns ``(positions, run)`` (ascending positions and the 1-based run of each), or
    None when no segment holds two equal values: one pass over ``primary``, so that
    callers build their sort keys only for the tied positions (usually few).

    Examples
    --------
    >>> pos, run = tie_runs(np.array([0, 3, 5]), np.array([1, 1, 2, 7, 7]))
    >>> pos.tolist(), run.tolist()
    ([0, 1, 3, 4], [1, 1, 2, 2])
    """
    n = primary.shape[0]
    if n < 2:
        return None
    same = primary[1:] == primary[:-1]
    starts = offsets[1:-1]
    starts = starts[(starts > 0) & (starts < n)]
    same[starts - 1] = False  # never a run across two segments
    if not same.any():
        return None
    tied = np.zeros(n, dtype=bool)
    tied[:-1] = same
    tied[1:] |= same
    positions = np.flatnonzero(tied)
    # A run starts where an element is tied to the next but not to the previous one.
    first = np.ones(positions.size, dtype=bool)
    first[1:] = ~same[positions[1:] - 1]
    return positions, np.cumsum(first)


def order_ties(
    offsets: IntArray,
    timestamp_us: npt.NDArray[np.int64],
    touch_row: IntArray,
    labels: dict[str, tuple[Codes, Sequence[str]]],
) -> tuple[IntArray, dict[str, Codes]]:
    """Apply the tie rule (module docstring) to touches sorted by (journey, time).

    ``labels`` maps each name of :data:`TIE_ORDER` to its (codes, categories). Returns
    the touch rows and codes in the new order; the inputs are never modified (when
    there is no tie they are returned as they are).

    Examples
    --------
    >>> off = np.array([0, 3])
    >>> ts = np.array([5, 5, 9])
    >>> rows = np.array([0, 1, 2])
    >>> chan = (np.array([1, 0, 0], dtype=np.int32), ("email", "seo"))
    >>> none = (np.full(3, -1, dtype=np.int32), ())
    >>> got_rows, codes = order_ties(off, ts, rows, {"channel": chan, "source": none,
    ...                                              "campaign": none, "method": none})
    >>> got_rows.tolist(), codes["channel"].tolist()
    ([1, 0, 2], [0, 1, 0])
    """
    codes = {name: labels[name][0] for name in TIE_ORDER}
    runs = tie_runs(offsets, timestamp_us)
    if runs is None:
        return touch_row, codes
    positions, run = runs
    # keys only for the tied touches: ranks of their labels' text
    keys = [text_rank(codes[name][positions], labels[name][1]) for name in TIE_ORDER]
    sort_keys: list[npt.NDArray[np.int64] | npt.NDArray[np.int32]] = [*reversed(keys), run]
    perm = np.lexsort(sort_keys)
    moved = positions[perm]

    def reorder(a: npt.NDArray[np.int64] | Codes) -> npt.NDArray[np.int64] | Codes:
        out = a.copy()
        out[positions] = a[moved]
        return out

    new_rows = reorder(touch_row).astype(np.int64, copy=False)
    return new_rows, {name: reorder(c).astype(np.int32, copy=False) for name, c in codes.items()}
