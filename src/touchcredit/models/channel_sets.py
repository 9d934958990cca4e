"""Sets of small integers stored sparsely (CSR), grouped exactly: the kernels behind
:class:`~touchcredit.models.ShapleyCounts`.

A collection of sets is ``offsets`` (int64, one more than the sets) and ``codes``
(int32, the members of each set, sorted, no repeats). Memory and time are linear in
the number of members stored (the sum of the set sizes), never in sets × universe:
20,000 channels cost no more than 20.

Identical sets are found by two independent 64-bit hashes of their members (sums of
random words, order-free) and then *verified* member by member, so grouping is exact.
Groups come out in one canonical order (by hash) whatever order the sets came in,
so tables built in pieces and merged equal the table built at once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import CodeArray, FloatArray, IntArray

__all__ = ["distinct_members", "group_sets", "hash_words", "set_groups", "set_sizes"]

U64 = npt.NDArray[np.uint64]


def hash_words(n: int) -> tuple[U64, U64]:
    """Two fixed random 64-bit words per code ``0..n-1`` (the same words for every n).

    Examples
    --------
    >>> a, _ = hash_words(3)
    >>> b, _ = hash_words(5)
    >>> bool((a == b[:3]).all())
    True
    """
    rng = np.random.default_rng(0x5E75)
    both = rng.integers(0, np.iinfo(np.uint64).max, size=(max(n, 0), 2), dtype=np.uint64,
                        endpoint=True)  # fmt: skip
    return np.ascontiguousarray(both[:, 0]), np.ascontiguousarray(both[:, 1])


def set_sizes(offsets: IntArray) -> IntArray:
    """Number of members of every set."""
    return np.diff(offsets).astype(np.int64)


def distinct_members(codes: CodeArray, offsets: IntArray, n: int) -> tuple[CodeArray, IntArray]:
    """Every segment's distinct codes, sorted: a CSR of sets from a CSR of sequences.

    Examples
    --------
    >>> c, o = distinct_members(np.array([2, 0, 2, 1, 1], np.int32), np.array([0, 3, 5]), 3)
    >>> c.tolist(), o.tolist()
    ([0, 2, 1], [0, 2, 3])
    """
    seg = np.repeat(np.arange(offsets.size - 1, dtype=np.int64), np.diff(offsets))
    key = np.unique(seg * max(n, 1) + codes.astype(np.int64))
    owner = key // max(n, 1)
    out_off = np.zeros(offsets.size, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=offsets.size - 1), out=out_off[1:])
    return (key % max(n, 1)).astype(np.int32), out_off


def _hashes(codes: CodeArray, offsets: IntArray, n: int) -> tuple[U64, U64]:
    w1, w2 = hash_words(n)
    starts = offsets[:-1]
    nonempty = np.diff(offsets) > 0
    h1 = np.zeros(starts.size, dtype=np.uint64)
    h2 = np.zeros(starts.size, dtype=np.uint64)
    if codes.size:
        h1[nonempty] = np.add.reduceat(w1[codes], starts[nonempty])
        h2[nonempty] = np.add.reduceat(w2[codes], starts[nonempty])
    return h1, h2


def set_groups(codes: CodeArray, offsets: IntArray, n: int) -> tuple[CodeArray, IntArray, IntArray]:
    """Distinct sets of a CSR of sets (members sorted), in canonical order, and the
    group (index of its distinct set) of every input set.

    Raises
    ------
    RuntimeError
        If two different sets share both hashes (probability about 2^-128).

    Examples
    --------
    >>> codes = np.array([0, 2, 1, 0, 2], np.int32)   # {0, 2}, {1}, {0, 2}
    >>> c, o, g = set_groups(codes, np.array([0, 2, 3, 5]), 3)
    >>> bool(g[0] == g[2] != g[1]), sorted(tuple(c[a:b].tolist()) for a, b in zip(o[:-1], o[1:]))
    (True, [(0, 2), (1,)])
    """
    k = offsets.size - 1
    if k == 0:
        return codes[:0], offsets[:1].copy(), np.zeros(0, dtype=np.int64)
    size = set_sizes(offsets)
    h1, h2 = _hashes(codes, offsets, n)
    order = np.lexsort((size, h2, h1))
    s1, s2, ss = h1[order], h2[order], size[order]
    new = np.ones(k, dtype=bool)
    new[1:] = (s1[1:] != s1[:-1]) | (s2[1:] != s2[:-1]) | (ss[1:] != ss[:-1])
    group = np.empty(k, dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    rep = order[new]  # one set per group, groups in hash order
    # verify: every set's members equal its representative's, position by position
    rep_of = rep[group]
    pos = np.arange(codes.size, dtype=np.int64) - np.repeat(offsets[:-1], size)
    theirs = codes[np.repeat(offsets[rep_of], size) + pos]
    if not np.array_equal(codes, theirs):
        raise RuntimeError("two different channel sets share a 128-bit hash; please report")
    rsize = size[rep]
    out_off = np.zeros(rep.size + 1, dtype=np.int64)
    np.cumsum(rsize, out=out_off[1:])
    take = np.repeat(offsets[rep], rsize) + (
        np.arange(int(out_off[-1]), dtype=np.int64) - np.repeat(out_off[:-1], rsize)
    )
    return codes[take].astype(np.int32, copy=False), out_off, group


def group_sets(
    codes: CodeArray, offsets: IntArray, n: int, *columns: FloatArray
) -> tuple[CodeArray, IntArray, tuple[FloatArray, ...]]:
    """Distinct sets of a CSR of sets (members sorted), in canonical order, with the
    sum of every column over the sets that are equal (:func:`set_groups`).

    Raises
    ------
    RuntimeError
        If two different sets share both hashes (probability about 2^-128).

    Examples
    --------
    >>> codes = np.array([0, 2, 1, 0, 2], np.int32)   # {0, 2}, {1}, {0, 2}
    >>> c, o, (w,) = group_sets(codes, np.array([0, 2, 3, 5]), 3, np.array([1.0, 2.0, 4.0]))
    >>> sorted(zip([tuple(c[a:b].tolist()) for a, b in zip(o[:-1], o[1:])], w.tolist()))
    [((0, 2), 5.0), ((1,), 2.0)]
    """
    out_codes, out_off, group = set_groups(codes, offsets, n)
    sums = tuple(
        np.bincount(
            group, weights=np.asarray(c, dtype=np.float64), minlength=out_off.size - 1
        ).astype(np.float64, copy=False)
        for c in columns
    )
    return out_codes, out_off, sums
