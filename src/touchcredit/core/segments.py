"""Segmented array kernels.

Plain functions over flat arrays split into contiguous segments by an ``offsets``
array (CSR layout: segment ``s`` is ``values[offsets[s]:offsets[s + 1]]``). There are
no domain words here; models are written in terms of these kernels.

Every kernel is vectorized: no Python loop runs over segments or elements. Empty
segments are allowed everywhere.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray

__all__ = [
    "gather_segments",
    "lengths",
    "position_in_segment",
    "segment_ids",
    "segment_max",
    "segment_searchsorted",
    "segment_sum",
    "sort_order",
]


def lengths(offsets: IntArray) -> IntArray:
    """Length of every segment.

    Examples
    --------
    >>> lengths(np.array([0, 2, 2, 5]))
    array([2, 0, 3])
    """
    return np.diff(offsets)


def segment_ids(offsets: IntArray) -> IntArray:
    """Segment index of every element.

    Examples
    --------
    >>> segment_ids(np.array([0, 2, 2, 5]))
    array([0, 0, 2, 2, 2])
    """
    n_seg = offsets.size - 1
    return np.repeat(np.arange(n_seg, dtype=np.int64), np.diff(offsets))


def gather_segments(offsets: IntArray, sel: IntArray) -> tuple[IntArray, IntArray]:
    """Element indices of segments ``sel`` (in that order, repeats allowed) and their offsets.

    Examples
    --------
    >>> idx, off = gather_segments(np.array([0, 2, 2, 5]), np.array([2, 0, 2]))
    >>> idx.tolist(), off.tolist()
    ([2, 3, 4, 0, 1, 2, 3, 4], [0, 3, 5, 8])
    """
    lens = (offsets[1:] - offsets[:-1])[sel]
    new_off = np.zeros(sel.size + 1, dtype=np.int64)
    np.cumsum(lens, out=new_off[1:])
    shift = np.repeat(offsets[:-1][sel] - new_off[:-1], lens)
    return np.arange(int(new_off[-1]), dtype=np.int64) + shift, new_off


def position_in_segment(offsets: IntArray) -> IntArray:
    """Zero-based position of every element inside its segment.

    Examples
    --------
    >>> position_in_segment(np.array([0, 2, 2, 5]))
    array([0, 1, 0, 1, 2])
    """
    total = int(offsets[-1]) if offsets.size else 0
    starts = np.repeat(offsets[:-1], np.diff(offsets))
    return np.arange(total, dtype=np.int64) - starts


def segment_sum(values: npt.NDArray[np.floating | np.integer], offsets: IntArray) -> FloatArray:
    """Sum of ``values`` over every segment (0 for an empty segment).

    Empty segments are skipped before ``np.add.reduceat`` (which would return an
    element, not 0, for them) and get 0.

    Examples
    --------
    >>> segment_sum(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 1, 1, 4]))
    array([1., 0., 9.])
    """
    n_seg = offsets.size - 1
    out = np.zeros(n_seg, dtype=np.float64)
    nonempty = offsets[1:] > offsets[:-1]
    if values.size and nonempty.any():
        # segments are contiguous, so reduceat over the non-empty starts sums each one
        # in element order (as bincount would), without a segment id per element
        out[nonempty] = np.add.reduceat(
            values[: int(offsets[-1])], offsets[:-1][nonempty], dtype=np.float64
        )
    return out


def segment_max(values: FloatArray, offsets: IntArray, empty: float = -np.inf) -> FloatArray:
    """Maximum of ``values`` over every segment (``empty`` for an empty segment).

    Examples
    --------
    >>> segment_max(np.array([1.0, 5.0, 3.0]), np.array([0, 2, 2, 3]))
    array([  5., -inf,   3.])
    """
    n_seg = offsets.size - 1
    out = np.full(n_seg, empty, dtype=np.float64)
    nonempty = offsets[1:] > offsets[:-1]
    if values.size:
        out[nonempty] = np.maximum.reduceat(values, offsets[:-1][nonempty])
    return out


def segment_searchsorted(
    values: npt.NDArray[np.int64],
    offsets: IntArray,
    segment: IntArray,
    queries: npt.NDArray[np.int64],
    side: str = "left",
) -> IntArray:
    """Insertion point of each query inside one segment of a segment-wise sorted array.

    ``values`` must be sorted inside every segment (not globally). For query ``k`` the
    search runs over segment ``segment[k]`` and the result is an absolute index into
    ``values`` between ``offsets[segment[k]]`` and ``offsets[segment[k] + 1]``, as
    :func:`numpy.searchsorted` would return on that slice plus its start.

    All queries are bisected together, so the cost is ``O(Q log L)`` array operations
    for ``Q`` queries and longest segment ``L``, with no loop over queries.

    Examples
    --------
    >>> v = np.array([1, 3, 3, 7, 2, 4])
    >>> off = np.array([0, 4, 6])
    >>> segment_searchsorted(v, off, np.array([0, 0, 1]), np.array([3, 3, 9]), side="right")
    array([3, 3, 6])
    >>> segment_searchsorted(v, off, np.array([0, 0, 1]), np.array([3, 0, 3]), side="left")
    array([1, 0, 5])
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    lo = offsets[segment].astype(np.int64, copy=True)
    hi = offsets[segment + 1].astype(np.int64, copy=True)
    if lo.size == 0:
        return lo
    active = lo < hi
    # The usual answers in one pass: a query beyond its segment's last value (a
    # conversion after the journey's last touch), or before its first (a lookback
    # window opening before the journey). Only the rest are bisected.
    if side == "right":
        past_end = active.copy()
        past_end[active] = values[hi[active] - 1] <= queries[active]
        lo[past_end] = hi[past_end]
        active &= ~past_end
    else:
        at_start = active.copy()
        at_start[active] = values[lo[active]] >= queries[active]
        active &= ~at_start
    while active.any():
        idx = np.flatnonzero(active)
        l_a, h_a = lo[idx], hi[idx]
        mid = (l_a + h_a) // 2
        v = values[mid]
        q = queries[idx]
        go_right = v <= q if side == "right" else v < q
        lo[idx] = np.where(go_right, mid + 1, l_a)
        hi[idx] = np.where(go_right, h_a, mid)
        active[idx] = lo[idx] < hi[idx]
    return lo


_INT64_MAX = np.iinfo(np.int64).max
_CHUNK = 1 << 20


def sort_order(major: npt.NDArray[np.integer], minor: IntArray) -> tuple[IntArray | None, IntArray]:
    """Stable sort order by ``(major, minor)`` and the ``major`` keys in that order.

    The order is ``None`` when the rows are already sorted (nothing to permute). Ties
    keep input order. Instead of a lexicographic sort of two keys, the rows are sorted
    once on a single ``int64`` key ``(major - min) << b | rank``, where ``rank`` is the
    row's position in time order: the input order itself when ``minor`` is already
    non-decreasing (an event log), else a stable argsort of ``minor``. The key is
    unique, so an unstable (fast, in-place) sort is exact. When the key would overflow
    ``int64``, a lexicographic sort is used instead.

    Examples
    --------
    >>> order, keys = sort_order(np.array([7, 3, 7, 3]), np.array([5, 9, 1, 2]))
    >>> order.tolist(), keys.tolist()
    ([3, 1, 2, 0], [3, 3, 7, 7])
    >>> sort_order(np.array([1, 1, 2]), np.array([0, 0, 5]))[0] is None
    True
    """
    n = int(major.shape[0])
    keys = major.astype(np.int64, copy=False)
    if n < 2:
        return None, keys
    later = keys[1:] > keys[:-1]
    if (later | (keys[1:] == keys[:-1])).all() and (later | (minor[1:] >= minor[:-1])).all():
        return None, keys
    del later
    runs = _sort_runs(keys, minor)
    if runs is not None:
        return runs
    lo, hi = int(keys.min()), int(keys.max())
    bits = max(n - 1, 1).bit_length()  # the rank takes the low bits of the key
    if (hi - lo) >= (_INT64_MAX >> bits):  # (major - lo) << bits | rank would overflow
        order = np.lexsort((minor, keys)).astype(np.int64, copy=False)
        return order, keys[order]
    pre: IntArray | None = None
    if not (minor[1:] >= minor[:-1]).all():
        pre = _stable_argsort(minor)
    key = np.empty(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):  # chunks bound the temporaries; a handful of steps
        stop = min(start + _CHUNK, n)
        part = key[start:stop]
        np.subtract(keys[start:stop] if pre is None else keys[pre[start:stop]], lo, out=part)
        part <<= bits
        part |= np.arange(start, stop, dtype=np.int64)
    _sort_in_place(key)
    rank = key & ((1 << bits) - 1)
    key >>= bits
    key += lo
    return (rank if pre is None else pre[rank]), key


def _sort_runs(keys: IntArray, minor: IntArray) -> tuple[IntArray, IntArray] | None:
    """Order of rows grouped by key (one run per key, ``minor`` sorted inside each run).

    Such input (an export grouped by journey) needs only its runs sorted, not its rows:
    ``O(n)`` work plus a sort of one key per run. None when the rows are not so grouped.
    """
    n = int(keys.shape[0])
    change = keys[1:] != keys[:-1]
    n_runs = int(np.count_nonzero(change)) + 1
    if n_runs > n // 2 or not (change | (minor[1:] >= minor[:-1])).all():
        return None
    starts = np.concatenate([[0], np.flatnonzero(change) + 1]).astype(np.int64)
    del change
    run_keys = keys[starts]
    run_order = np.argsort(run_keys, kind="stable")
    sorted_keys = run_keys[run_order]
    if not (sorted_keys[1:] > sorted_keys[:-1]).all():  # a key in several runs
        return None
    sizes = np.diff(np.append(starts, n))[run_order]
    new_starts = np.zeros(n_runs, dtype=np.int64)
    np.cumsum(sizes[:-1], out=new_starts[1:])
    order = np.arange(n, dtype=np.int64)
    order += np.repeat(starts[run_order] - new_starts, sizes)
    return order, np.repeat(sorted_keys, sizes)


_PARALLEL_MIN = 1 << 20


def _sort_in_place(key: IntArray) -> None:
    """Sort ``key`` in place; large arrays as two halves on two threads, then merged.

    numpy releases the GIL while sorting, so the halves sort on two cores; the final
    stable sort (timsort) finds the two sorted runs and merges them in one pass.
    """
    n = int(key.shape[0])
    if n < _PARALLEL_MIN or (os.cpu_count() or 1) < 2:
        key.sort()
        return
    half = n // 2
    with ThreadPoolExecutor(max_workers=1) as pool:
        upper = pool.submit(key[half:].sort)
        key[:half].sort()
        upper.result()
    key.sort(kind="stable")


def _stable_argsort(values: IntArray) -> IntArray:
    """``np.argsort(values, kind="stable")``, on two threads for large arrays.

    Each half is argsorted on its own core; one more stable sort merges the two sorted
    runs (timsort finds them). Ties stay in index order: within a half by stability,
    across halves because the lower half's run comes first.
    """
    n = int(values.shape[0])
    if n < _PARALLEL_MIN or (os.cpu_count() or 1) < 2:
        return np.argsort(values, kind="stable").astype(np.int64, copy=False)
    half = n // 2
    with ThreadPoolExecutor(max_workers=1) as pool:
        upper = pool.submit(np.argsort, values[half:], kind="stable")
        idx = np.empty(n, dtype=np.int64)
        idx[:half] = np.argsort(values[:half], kind="stable")
        idx[half:] = upper.result()
    idx[half:] += half
    merged = np.argsort(np.take(values, idx), kind="stable")
    return np.take(idx, merged)
