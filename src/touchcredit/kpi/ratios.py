"""Ratios with a stated reason: the one place a KPI divides.

A ratio whose denominator is zero is undefined: the result is NaN, and the reason
(metric, denominator, which groups) is either emitted as an
:class:`UndefinedMetricWarning` (scalar/array functions) or appended to a table's notes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray

__all__ = ["UndefinedMetricWarning", "checked", "divide", "key_columns", "show_key"]


class UndefinedMetricWarning(RuntimeWarning):
    """A KPI had a zero denominator (no leads, no spend...); NaN was returned.

    The message names the metric, the denominator and where (which groups).

    Examples
    --------
    >>> import warnings
    >>> from touchcredit.kpi.metrics import lead_value
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", UndefinedMetricWarning)
    ...     lead_value(500.0, 0)
    nan
    >>> str(caught[0].message)
    'lead_value is undefined (NaN) where leads == 0'
    """


def checked(values: Any, name: str) -> FloatArray:
    """``values`` as float64, rejecting negative or non-finite numbers (naming the item)."""
    arr = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        if arr.ndim == 0:
            raise ValueError(f"{name!r} must be finite and >= 0, got {float(arr)!r}")
        i = int(np.flatnonzero(bad.reshape(-1))[0])
        raise ValueError(
            f"{name!r} must be finite and >= 0; item {i} is {float(arr.reshape(-1)[i])!r}"
        )
    return arr


def divide(
    num: npt.NDArray[Any],
    den: npt.NDArray[Any],
    metric: str,
    den_name: str,
    keys: Sequence[Any] | None = None,
    notes: list[str] | None = None,
) -> FloatArray:
    """num / den with NaN (and a stated reason) where den == 0."""
    num, den = np.broadcast_arrays(num.astype(np.float64), den.astype(np.float64))
    zero = den == 0
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=~zero)
    if zero.any():
        where = ""
        if keys is not None:
            hit = [keys[i] for i in np.flatnonzero(zero.reshape(-1))[:5].tolist()]
            more = int(zero.sum()) - len(hit)
            where = (
                ": " + ", ".join(show_key(k) for k in hit) + (f" and {more} more" if more else "")
            )
        message = f"{metric} is undefined (NaN) where {den_name} == 0{where}"
        if notes is None:
            warnings.warn(message, UndefinedMetricWarning, stacklevel=4)  # the caller of the KPI
        else:
            notes.append(message)
    return out


def show_key(key: Any) -> str:
    """A group key as text: tuples joined with " / ", None as "(not recorded)"."""
    if isinstance(key, tuple):
        return " / ".join(show_key(k) for k in key)
    return "(not recorded)" if key is None else str(key)


def key_columns(names: tuple[str, ...], labels: Sequence[Any]) -> dict[str, Any]:
    """Object columns of the group keys (one per name; tuple labels are split)."""
    if len(names) == 1:
        col = np.empty(len(labels), dtype=object)
        col[:] = list(labels)
        return {names[0]: col}
    out = {}
    for j, name in enumerate(names):
        col = np.empty(len(labels), dtype=object)
        col[:] = [lab[j] for lab in labels]
        out[name] = col
    return out
