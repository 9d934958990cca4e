"""Touch deduplication: repeated touches of one person, source and channel, close in time.

Trackers fire twice, CRMs sync a touch again, exports overlap. :func:`deduplicate`
marks the repeats; :func:`deduplicate_codes` is its kernel over integer columns (what
:func:`touchcredit.clean` calls with its factorized labels). Re-exported by
:mod:`touchcredit.hygiene.identity`, its earlier home.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray
from touchcredit.core.time import to_datetime64, to_duration
from touchcredit.hygiene.labels import distinct_strings

__all__ = ["Deduplication", "deduplicate", "deduplicate_codes"]


@attrs.frozen(eq=False)
class Deduplication:
    """Result of :func:`deduplicate`.

    Attributes
    ----------
    keep : bool ndarray
        True for the rows to keep.
    duplicate_of : int64 ndarray
        For a removed row, the kept row it duplicates (-1 for kept rows).
    n_removed : int
        Rows removed.
    """

    keep: npt.NDArray[np.bool_]
    duplicate_of: IntArray
    n_removed: int


def _key_codes(columns: Sequence[Any], n: int) -> IntArray:
    """One int64 code per row for the tuple of key columns (None is a value)."""
    code = np.zeros(n, dtype=np.int64)
    for k, col in enumerate(columns):
        uniq, inverse, _ = distinct_strings(col, f"key[{k}]")
        if inverse.size != n:
            raise ValueError(f"key column {k} has {inverse.size} rows, expected {n}")
        code = code * (len(uniq) + 1) + (inverse + 1)  # -1 (None) becomes 0
        if k < len(columns) - 1:  # keep codes small: renumber the tuples seen so far
            code = np.unique(code, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return code


def deduplicate(
    person: Any,
    timestamp: Any,
    keys: Sequence[Any],
    *,
    window: Any,
    unit: str | None = None,
) -> Deduplication:
    """Mark repeated touches: same person, same key (source/channel), close in time.

    Rows are ordered by (person, key, time, row). A touch is a duplicate when the
    previous touch of the same person and key is at most ``window`` earlier; the
    first touch of each such run is kept. A burst whose gaps are all within the window
    therefore keeps only its first touch. Rows with person -1 or no time are kept.

    Parameters
    ----------
    person : array-like of int
        Person of every row (:attr:`Stitching.person`).
    timestamp : array-like
        Touch times (anything :mod:`touchcredit.hygiene.timestamps` reads; datetime64 is fastest).
    keys : sequence of array-like of str or None
        Columns that must be equal (e.g. ``[source, channel]``).
    window : datetime.timedelta, numpy.timedelta64 or text such as ``"30min"``
        Largest gap between duplicates (0: same instant only).
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch-number times (inferred from their magnitude when None).

    Returns
    -------
    Deduplication

    Raises
    ------
    ValueError
        When columns differ in length or the window is negative.

    Examples
    --------
    >>> d = deduplicate([0, 0, 0, 1], [0, 60, 7200, 0], [["ads", "ads", "ads", "ads"]],
    ...                 window="5min", unit="s")
    >>> d.keep.tolist(), d.duplicate_of.tolist(), d.n_removed
    ([True, False, True, True], [-1, 0, -1, -1], 1)
    """
    pid = np.asarray(person, dtype=np.int64).reshape(-1)
    n = pid.size
    ts = to_datetime64(timestamp, field="timestamp", unit=unit, allow_missing=True)
    ts_us: IntArray = ts.view(np.int64)
    if ts_us.size != n:
        raise ValueError(f"'timestamp' has {ts_us.size} rows, expected {n}")
    w = int(to_duration(window, field="window").view(np.int64))
    if w < 0:
        raise ValueError(f"'window' must be >= 0, got {window!r}")
    return deduplicate_codes(pid, ts_us, _key_codes(keys, n), window=w)


def _order(person: IntArray, key: IntArray, time: IntArray) -> IntArray:
    """Rows by (person, key, time); ties stay in row order (lexsort is stable)."""
    if person.size and key.size:
        lo, hi = int(key.min()), int(key.max())
        span = hi - lo + 1
        if (int(person.max()) + 2) * span < 2**62:  # one sort key: half the work
            return np.lexsort((time, (person + 1) * span + (key - lo)))
    return np.lexsort((time, key, person))


def deduplicate_codes(
    person: IntArray, time: IntArray, key: IntArray, *, window: int
) -> Deduplication:
    """:func:`deduplicate` over integer columns: the kernel, without checks.

    ``person`` (-1: none), ``time`` (int64 instants; ``int64`` minimum: none) and ``key``
    (any int64 code per row) have one entry per row; ``window`` is in the unit of ``time``.

    Examples
    --------
    >>> d = deduplicate_codes(np.array([0, 0, 0]), np.array([0, 5, 9]), np.array([1, 1, 2]),
    ...                       window=10)
    >>> d.keep.tolist(), d.duplicate_of.tolist()
    ([True, False, True], [-1, 0, -1])
    """
    n = person.size
    usable = (person >= 0) & (time != np.iinfo(np.int64).min)
    order = _order(person, key, time)
    p, c, t = person[order], key[order], time[order]
    ok = usable[order]
    dup = np.zeros(n, dtype=bool)
    if n > 1:
        dup[1:] = (
            (p[1:] == p[:-1]) & (c[1:] == c[:-1]) & (t[1:] - t[:-1] <= window) & ok[1:] & ok[:-1]
        )
    run = np.cumsum(~dup) - 1
    head = order[~dup][run]
    keep = np.empty(n, dtype=bool)
    keep[order] = ~dup
    duplicate_of = np.full(n, -1, dtype=np.int64)
    duplicate_of[order[dup]] = head[dup]
    return Deduplication(keep=keep, duplicate_of=duplicate_of, n_removed=int(dup.sum()))
