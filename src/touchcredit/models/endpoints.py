"""The positional kernel for shapes anchored on the first and last touch only.

First touch, last touch, position-based (U) and the J shapes have no milestone
anchor: every non-empty conversion's anchors are present, and they meet on one touch
exactly when the conversion has one eligible touch. :func:`endpoint_weights` uses
that to give the weights of :func:`touchcredit.models.positional.positional_weights`
(bit for bit: the same operations on the same values) in a handful of
conversion-sized passes and one pair-sized repeat, instead of the general kernel's
role-by-role comparisons.
"""

from __future__ import annotations

import numpy as np

from touchcredit.core.arrays import FloatArray, IntArray

__all__ = ["endpoint_weights"]


def endpoint_weights(
    offsets: IntArray, first: float, last: float, empty_middle: str = "equal"
) -> FloatArray:
    """Positional weights with anchors on the first and last touch only.

    Parameters
    ----------
    offsets : int64 ndarray, length C + 1
        Pair offsets: conversion ``c`` owns pairs ``offsets[c]:offsets[c + 1]``.
    first, last : float
        Shares of the first and last touch (>= 0, summing to at most 1); the rest is
        spread equally over the other touches.
    empty_middle : {"equal", "proportional"}
        When every touch is an anchor: spread the middle share equally over the
        anchors, or renormalise the anchor shares to sum to 1.

    Returns
    -------
    float64 ndarray
        One weight per pair, summing to 1 over every non-empty conversion.

    Examples
    --------
    >>> off = np.array([0, 1, 3, 7])
    >>> endpoint_weights(off, 0.4, 0.4).round(3).tolist()
    [1.0, 0.5, 0.5, 0.4, 0.1, 0.1, 0.4]
    >>> endpoint_weights(np.array([0, 2]), 0.25, 0.5, "proportional").round(4).tolist()
    [0.3333, 0.6667]
    """
    n = np.diff(offsets)
    n_conv = int(n.size)
    nonempty = n > 0
    middle = 1.0 - first - last
    anchors = [(share, at) for share, at in ((first, offsets[:-1]), (last, offsets[1:] - 1))]
    anchors = [(share, at) for share, at in anchors if share > 0]
    if not anchors:  # no anchor: the middle share over every touch (linear)
        each = np.divide(middle, n, out=np.zeros(n_conv), where=nonempty)
        return np.repeat(each, n)
    single = n == 1  # both anchors on the one touch
    if len(anchors) == 2:
        distinct = np.where(single, 1, 2)
        distinct[~nonempty] = 0
    else:
        distinct = nonempty.astype(np.int64)
    others = n - distinct
    if middle == 0.0:  # first or last touch alone: nothing between the anchors
        w = np.zeros(int(offsets[-1]) if offsets.size else 0)
    else:
        w = np.repeat(np.divide(middle, others, out=np.zeros(n_conv), where=others > 0), n)
    empty = (others == 0) & nonempty
    divisor: FloatArray | None = None
    add = np.zeros(n_conv)
    if empty_middle == "proportional":
        # the anchors' own shares, not 1 - middle: with a subnormal share 1 - middle
        # rounds to 0 and the path's weights would not add up to 1
        anchored = sum((share for share, _ in anchors), start=0.0)
        divisor = np.where(empty & (anchored > 0), anchored, 1.0)
    else:
        np.divide(middle, distinct, out=add, where=empty & (distinct > 0))
    for r, (share, at) in enumerate(anchors):
        total = np.where(nonempty, share, 0.0)
        # the other anchor's share on the same touch, added as the general kernel adds it
        other = np.zeros(n_conv)
        if len(anchors) == 2:
            other += np.where(single, anchors[1 - r][0], 0.0)
        total += other
        if divisor is not None:
            total /= divisor
        total += add
        if nonempty.all():
            w[at] = total
        else:
            w[at[nonempty]] = total[nonempty]
    return w
