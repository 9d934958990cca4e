"""Graph kernels: connected components and first-seen relabelling.

Plain functions over node-index arrays, without domain words: identity stitching
(:mod:`touchcredit.hygiene.identity`) is connected components of identifier values.
"""

from __future__ import annotations

import numpy as np

from touchcredit.core.arrays import IntArray

__all__ = ["components_hook_compress", "connected_components", "dense_first_seen"]


def components_hook_compress(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Smallest node of each node's component, in numpy only.

    Hook roots to the smaller label, then compress paths (pointer jumping), until every
    edge joins equal labels (Shiloach-Vishkin style, vectorized over all edges).

    Examples
    --------
    >>> components_hook_compress(4, np.array([3, 1]), np.array([2, 2])).tolist()
    [0, 1, 1, 1]
    """
    label = np.arange(n, dtype=np.int64)
    while a.size:
        la, lb = label[a], label[b]
        open_ = la != lb
        if not open_.any():
            break
        a, b, la, lb = a[open_], b[open_], la[open_], lb[open_]  # settled edges stay settled
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)
        np.minimum.at(label, lb, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
    return label


def connected_components(n: int, a: IntArray, b: IntArray, use_scipy: bool = True) -> IntArray:
    """Component label of each of ``n`` nodes of the undirected graph with edges ``a[i]-b[i]``.

    scipy's ``connected_components`` when ``use_scipy`` and scipy is installed; otherwise
    :func:`components_hook_compress` (same partition; labels are its smallest node).

    Examples
    --------
    >>> lab = connected_components(5, np.array([0, 3]), np.array([1, 4]), use_scipy=False)
    >>> lab.tolist()
    [0, 0, 2, 3, 3]
    """
    if use_scipy:
        try:
            from scipy.sparse import coo_matrix
            from scipy.sparse.csgraph import connected_components
        except ImportError:
            pass
        else:
            graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
            labels: IntArray = connected_components(graph, directed=False)[1].astype(np.int64)
            return labels
    return components_hook_compress(n, a, b)


def dense_first_seen(labels: IntArray) -> tuple[IntArray, int]:
    """Renumber labels 0..k-1 in order of first appearance (-1 stays -1); also return k.

    Labels below a few times the row count (node indices, component labels) take a
    first-row table and a sort of the distinct labels only; others one ``np.unique``.

    Examples
    --------
    >>> out, k = dense_first_seen(np.array([7, -1, 3, 7]))
    >>> out.tolist(), k
    ([0, -1, 1, 0], 2)
    """
    out = np.full(labels.size, -1, dtype=np.int64)
    ok = labels >= 0
    if not ok.any():
        return out, 0
    rows = np.flatnonzero(ok)
    present = labels[rows]
    top = int(present.max()) + 1
    if top <= 4 * labels.size + 1024:
        first = np.full(top, labels.size, dtype=np.int64)
        np.minimum.at(first, present, rows)
        used = np.flatnonzero(first < labels.size)
        rank = np.zeros(top, dtype=np.int64)
        rank[used[np.argsort(first[used], kind="stable")]] = np.arange(used.size)
        out[rows] = rank[present]
        return out, int(used.size)
    uniq, first_at, inv = np.unique(present, return_index=True, return_inverse=True)
    order = np.empty(uniq.size, dtype=np.int64)
    order[np.argsort(first_at, kind="stable")] = np.arange(uniq.size)
    out[rows] = order[inv.reshape(-1)]
    return out, int(uniq.size)
