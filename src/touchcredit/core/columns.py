"""Column coercion shared by the builders: arrays, missing values, values, journey indices.

Every function validates at the boundary, once, and names the field and the first
offending row in its error. Kernels downstream trust the arrays these return.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import IntArray

__all__ = ["as_object_array", "as_values", "check_length", "index_int_journeys", "missing_mask"]


def as_object_array(values: Any, *, field: str) -> npt.NDArray[Any]:
    """One-dimensional ndarray view of ``values`` (no copy when already an ndarray).

    A Python sequence becomes an object array (a column of ints an int64 array):
    never a fixed-width string array, which would strip trailing NUL characters
    (merging ``"ann"`` and ``"ann\\x00"``) and pad every value to the longest one
    (one 1 MB label in 1,000 rows would take 4 GB).

    Examples
    --------
    >>> as_object_array(["ann", "ann\\x00"], field="journey_id").tolist()
    ['ann', 'ann\\x00']
    >>> as_object_array([3, 1], field="journey_id").dtype
    dtype('int64')
    """
    if isinstance(values, np.ndarray):
        arr = values
    elif hasattr(values, "to_numpy"):  # pandas/polars Series, pyarrow arrays
        arr = values.to_numpy()
    elif isinstance(values, str | bytes):
        raise TypeError(f"{field!r} must be an array or sequence, got a single string")
    elif isinstance(values, Sequence) or hasattr(values, "__iter__"):
        seq = list(values)
        arr = np.empty(len(seq), dtype=object)
        arr[:] = seq
        # Integer columns get a native dtype (faster sort); strings stay objects.
        if seq and all(type(v) is int for v in seq):
            with contextlib.suppress(OverflowError):
                arr = np.asarray(seq, dtype=np.int64)
    else:
        raise TypeError(f"{field!r} must be an array or sequence, got {type(values).__name__}")
    if arr.ndim != 1:
        raise ValueError(f"{field!r} must be one-dimensional, got shape {arr.shape}")
    return arr


def missing_mask(arr: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Where a column holds no value: None or NaN (object), NaN (float), NaT (datetime).

    Examples
    --------
    >>> missing_mask(np.array(["a", None, float("nan")], dtype=object)).tolist()
    [False, True, True]
    """
    if arr.dtype.kind == "O":
        # Elementwise in C: None compares equal to None only; NaN is the value != itself.
        none = np.asarray(arr == None, dtype=bool)  # noqa: E711  (elementwise)
        nan = np.asarray(arr != arr, dtype=bool)
        out: npt.NDArray[np.bool_] = none | nan
        return out
    if arr.dtype.kind == "f":
        return np.asarray(np.isnan(arr), dtype=bool)
    if arr.dtype.kind == "M":
        return np.asarray(np.isnat(arr), dtype=bool)
    return np.zeros(arr.shape, dtype=bool)


def check_length(arr: npt.NDArray[Any], field: str, n: int) -> None:
    """Raise a ValueError naming ``field`` when ``arr`` does not have ``n`` rows."""
    if arr.shape[0] != n:
        raise ValueError(f"{field!r} has {arr.shape[0]} rows, expected {n}")


def as_values(values: Any, *, field: str, n: int, default: float = 1.0) -> npt.NDArray[np.float64]:
    """Finite, non-negative float64 conversion values (``default`` when None).

    Examples
    --------
    >>> as_values([1, 2.5], field="conversion_value", n=2)
    array([1. , 2.5])
    >>> as_values([1, -2], field="conversion_value", n=2)
    Traceback (most recent call last):
    ...
    ValueError: 'conversion_value' must be finite and >= 0; row 2 is -2.0
    """
    if values is None:
        return np.full(n, default, dtype=np.float64)
    arr = as_object_array(values, field=field)
    check_length(arr, field, n)
    if arr.dtype.kind == "b":
        raise TypeError(f"{field!r} must hold numbers, got booleans")
    if arr.dtype.kind == "O":
        is_bool = np.fromiter((type(v) is bool for v in arr.tolist()), bool, arr.size)
        if is_bool.any():
            row = int(np.flatnonzero(is_bool)[0])
            raise TypeError(f"{field!r} must hold numbers; row {row + 1} is bool {arr[row]!r}")
    try:
        out = arr.astype(np.float64)
    except (TypeError, ValueError):
        for i, v in enumerate(arr.tolist()):
            try:
                float(v)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{field!r} must hold numbers; row {i + 1} is {type(v).__name__} {v!r}"
                ) from None
        raise
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{field!r} must be finite and >= 0; row {row + 1} is {float(out[row])!r}")
    if out.size and not np.isfinite(out.sum()):  # each finite, the total is not
        with np.errstate(over="ignore"):
            row = int(np.flatnonzero(~np.isfinite(np.cumsum(out)))[0])
        raise ValueError(
            f"{field!r} must add up to a finite total; the running total overflows at row "
            f"{row + 1} ({float(out[row])!r}); use a larger unit (thousands, millions)"
        )
    return out


def index_int_journeys(
    journey_id: npt.NDArray[Any], conversion_journey_id: npt.NDArray[Any], timestamp: IntArray
) -> tuple[npt.NDArray[Any], IntArray, IntArray | None, IntArray] | None:
    """Journeys of integer ids without factorizing: one sort orders the touches.

    Returns the sorted distinct ids (touches and conversions), the CSR offsets of the
    touches per journey, the touch order (None when already sorted by journey and
    time) and the journey index of every conversion; None when the ids are not
    integers that fit ``int64`` (the caller then factorizes them).

    Examples
    --------
    >>> uniq, off, order, cj = index_int_journeys(
    ...     np.array([30, 10, 30]), np.array([20, 30]), np.array([5, 9, 1]))
    >>> uniq.tolist(), off.tolist(), order.tolist(), cj.tolist()
    ([10, 20, 30], [0, 1, 1, 3], [1, 2, 0], [1, 2])
    """
    jid, cjid = journey_id, conversion_journey_id
    if cjid.size == 0:
        dtype = jid.dtype
    elif jid.size == 0:
        dtype = cjid.dtype
    else:
        dtype = np.concatenate([jid[:0], cjid[:0]]).dtype
    if dtype.kind not in "iu":
        return None
    if dtype.kind == "u" and dtype.itemsize == 8:
        top = max((int(a.max()) for a in (jid, cjid) if a.size), default=0)
        if top > np.iinfo(np.int64).max:
            return None
    n = int(jid.shape[0])
    keys = jid.astype(np.int64, copy=False)
    ckeys = cjid.astype(np.int64, copy=False)
    if n and (int(keys.max()) - int(keys.min())) >= np.iinfo(np.int64).max // n:
        # Sparse 64-bit ids (hashes): sort on dense codes instead.
        distinct, dense = np.unique(keys, return_inverse=True)
        order, sorted_dense = _segments.sort_order(dense.reshape(-1), timestamp)
        sorted_keys = distinct[sorted_dense]
    else:
        order, sorted_keys = _segments.sort_order(keys, timestamp)
    new = np.ones(n, dtype=bool)
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    del new
    touch_keys = sorted_keys[starts]
    del sorted_keys
    conv_journey = np.searchsorted(touch_keys, ckeys).astype(np.int64, copy=False)
    known = conv_journey < touch_keys.size
    known[known] = touch_keys[conv_journey[known]] == ckeys[known]
    if known.all():  # the usual case: every converting journey has touches
        offsets = np.append(starts, n).astype(np.int64, copy=False)
        return touch_keys.astype(dtype, copy=False), offsets, order, conv_journey
    # Journeys with conversions but no touches are kept, with no touches.
    all_keys = np.union1d(touch_keys, ckeys[~known])
    counts = np.zeros(all_keys.size, dtype=np.int64)
    counts[np.searchsorted(all_keys, touch_keys)] = np.diff(np.append(starts, n))
    offsets = np.zeros(all_keys.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    conv_journey = np.searchsorted(all_keys, ckeys).astype(np.int64, copy=False)
    return all_keys.astype(dtype, copy=False), offsets, order, conv_journey
