"""Column coercion shared by the builders: labels to codes, ids to indices, values.

Every function validates at the boundary, once, and names the field and the first
offending row in its error. Kernels downstream trust the arrays these return.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["as_object_array", "as_values", "factorize_ids", "factorize_labels"]

Codes = npt.NDArray[np.int32]


def as_object_array(values: Any, *, field: str) -> npt.NDArray[Any]:
    """One-dimensional ndarray view of ``values`` (no copy when already an ndarray)."""
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
        # Homogeneous str/int columns get a native dtype (faster unique/sort).
        if seq and all(type(v) is str for v in seq):
            arr = np.asarray(seq, dtype=str)
        elif seq and all(type(v) is int for v in seq):
            with contextlib.suppress(OverflowError):
                arr = np.asarray(seq, dtype=np.int64)
    else:
        raise TypeError(f"{field!r} must be an array or sequence, got {type(values).__name__}")
    if arr.ndim != 1:
        raise ValueError(f"{field!r} must be one-dimensional, got shape {arr.shape}")
    return arr


def _missing_mask(arr: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
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


def _type_name_conflict(arr: npt.NDArray[Any], field: str) -> TypeError:
    first_type: type | None = None
    first_row = -1
    for i, v in enumerate(arr.tolist()):  # error path only
        if v is None or (isinstance(v, float) and v != v):
            continue
        if first_type is None:
            first_type, first_row = type(v), i
        elif not isinstance(v, first_type) and not (
            isinstance(v, int | float) and issubclass(first_type, int | float)
        ):
            return TypeError(
                f"{field!r} mixes value types: row {first_row} is {first_type.__name__} "
                f"{arr[first_row]!r}, row {i} is {type(v).__name__} {v!r}; convert the "
                "column to one type"
            )
    return TypeError(f"{field!r} holds values that cannot be compared with each other")


def factorize_ids(
    values: npt.NDArray[Any], *, field: str
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Sorted distinct ids and the index of each row's id among them.

    Raises
    ------
    ValueError
        On a missing id (None, NaN), naming the row.
    TypeError
        On ids of mixed types (``1`` and ``"1"``), naming both rows.

    Examples
    --------
    >>> uniq, idx = factorize_ids(np.array(["b", "a", "b"]), field="journey_id")
    >>> uniq.tolist(), idx.tolist()
    (['a', 'b'], [1, 0, 1])
    """
    missing = _missing_mask(values)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        shown = values[row : row + 1].tolist()[0]
        raise ValueError(f"{field!r} must not be missing; row {row} is {shown!r}")
    if values.dtype.kind == "O":
        try:
            uniq, inverse = np.unique(values, return_inverse=True)
        except TypeError:
            raise _type_name_conflict(values, field) from None
        kinds = {type(u) for u in uniq.tolist()}
        if len(kinds) > 1 and not kinds <= {int, float, bool}:
            raise _type_name_conflict(values, field)
    else:
        uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, inverse.reshape(-1).astype(np.int64, copy=False)


def factorize_labels(values: Any, *, field: str, n: int) -> tuple[Codes, tuple[str, ...]]:
    """Integer codes (-1 = not recorded) and the sorted category table of a label column.

    Accepts None (column not recorded), a pandas ``Categorical``-like object with
    ``codes``/``categories``, or an array/sequence of ``str`` and ``None``.

    Raises
    ------
    ValueError
        When a label is empty/blank or the length differs from ``n``.
    TypeError
        When a label is not a string.

    Examples
    --------
    >>> codes, cats = factorize_labels(["email", None, "seo", "email"], field="channel", n=4)
    >>> codes.tolist(), cats
    ([0, -1, 1, 0], ('email', 'seo'))
    """
    if values is None:
        return np.full(n, -1, dtype=np.int32), ()
    if hasattr(values, "codes") and hasattr(values, "categories"):
        codes = np.asarray(values.codes, dtype=np.int32)
        cats = tuple(str(c) for c in list(values.categories))
        _check_length(codes, field, n)
        for k, c in enumerate(cats):
            if not c.strip():
                row = int(np.flatnonzero(codes == k)[0]) if (codes == k).any() else -1
                raise ValueError(_empty_message(field, row, c))
        return codes, cats
    arr = as_object_array(values, field=field)
    _check_length(arr, field, n)
    if arr.dtype.kind in "US":
        uniq, inverse = np.unique(arr, return_inverse=True)
        codes = inverse.reshape(-1).astype(np.int32)
        missing = None
    elif arr.dtype.kind == "O":
        missing = _missing_mask(arr)
        present = arr[~missing] if missing.any() else arr
        try:
            uniq, inverse = np.unique(present, return_inverse=True)
        except TypeError:
            raise _label_type_error(arr, missing, field) from None
        for u in uniq.tolist():
            if not isinstance(u, str):
                raise _label_type_error(arr, missing, field)
        codes = np.full(n, -1, dtype=np.int32)
        codes[~missing] = inverse.reshape(-1)
    else:
        raise TypeError(
            f"{field!r} must hold strings (or None for 'not recorded'), got dtype {arr.dtype}"
        )
    table = tuple(str(u) for u in uniq.tolist())
    for k, c in enumerate(table):
        if not c.strip():
            row = int(np.flatnonzero(codes == k)[0])
            raise ValueError(_empty_message(field, row, c))
    del missing
    return codes, table


def _empty_message(field: str, row: int, value: str) -> str:
    return f"{field!r} must not be empty; use None for 'not recorded'; row {row} is {value!r}"


def _label_type_error(
    arr: npt.NDArray[Any], missing: npt.NDArray[np.bool_], field: str
) -> TypeError:
    for i in np.flatnonzero(~missing).tolist():  # error path only
        v = arr[i]
        if not isinstance(v, str):
            return TypeError(
                f"{field!r} must hold strings (or None for 'not recorded'); row {i} is "
                f"{type(v).__name__} {v!r}"
            )
    return TypeError(f"{field!r} must hold strings")


def _check_length(arr: npt.NDArray[Any], field: str, n: int) -> None:
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
    ValueError: 'conversion_value' must be finite and >= 0; row 1 is -2.0
    """
    if values is None:
        return np.full(n, default, dtype=np.float64)
    arr = as_object_array(values, field=field)
    _check_length(arr, field, n)
    if arr.dtype.kind == "b":
        raise TypeError(f"{field!r} must hold numbers, got booleans")
    if arr.dtype.kind == "O":
        is_bool = np.fromiter((type(v) is bool for v in arr.tolist()), bool, arr.size)
        if is_bool.any():
            row = int(np.flatnonzero(is_bool)[0])
            raise TypeError(f"{field!r} must hold numbers; row {row} is bool {arr[row]!r}")
    try:
        out = arr.astype(np.float64)
    except (TypeError, ValueError):
        for i, v in enumerate(arr.tolist()):
            try:
                float(v)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{field!r} must hold numbers; row {i} is {type(v).__name__} {v!r}"
                ) from None
        raise
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{field!r} must be finite and >= 0; row {row} is {float(out[row])!r}")
    return out
