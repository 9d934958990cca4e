"""Grouping kernels for lead tables: local calendar months, group codes, quantiles.

Plain functions over arrays, without domain words beyond "month": turning UTC instants
into calendar months of a time zone without a per-value loop, compacting integer keys
into group codes without a sort, and per-group quantiles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray, TimeArray
from touchcredit.core.columns import missing_mask
from touchcredit.core.factorize import factorize_ids
from touchcredit.core.time import TimeZoneLike, as_tzinfo

__all__ = ["Groups", "compact", "factorize_any", "group_quantiles", "local_days", "local_months"]


_HOUR = 3_600_000_000
_DAY = 24 * _HOUR
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def local_months(times: TimeArray, tz: TimeZoneLike = "UTC") -> npt.NDArray[np.datetime64]:
    """Calendar month (``datetime64[M]``) of UTC instants, read in time zone ``tz``.

    The months of :func:`local_days`.

    Examples
    --------
    >>> t = np.array(["2024-01-31T23:30", "2024-02-01T00:30"], dtype="datetime64[us]")
    >>> local_months(t).tolist()
    [datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)]
    >>> local_months(t, "Europe/Paris").tolist()
    [datetime.date(2024, 2, 1), datetime.date(2024, 2, 1)]
    """
    return local_days(times, tz).astype("datetime64[M]")


def local_days(times: TimeArray, tz: TimeZoneLike = "UTC") -> npt.NDArray[np.datetime64]:
    """Calendar day (``datetime64[D]``) of UTC instants, read in time zone ``tz``.

    The zone offset is looked up once per day of the covered range (and per hour on
    the days a zone changes its offset), never per value, and without sorting. NaT
    stays NaT.

    Parameters
    ----------
    times : datetime64 ndarray
        UTC instants.
    tz : str or tzinfo
        The zone whose calendar months are wanted (default UTC).

    Returns
    -------
    datetime64[D] ndarray

    Examples
    --------
    >>> t = np.array(["2024-01-31T23:30", "2024-02-01T00:30"], dtype="datetime64[us]")
    >>> local_days(t, "America/New_York").tolist()
    [datetime.date(2024, 1, 31), datetime.date(2024, 1, 31)]
    """
    zone = as_tzinfo(tz)
    t = times.astype("datetime64[us]")
    ok = ~np.isnat(t)
    if zone is dt.UTC or not ok.any():
        return t.astype("datetime64[D]")
    us = t.view(np.int64)[ok]
    day = us // _DAY
    d0 = int(day.min())
    n_days = int(day.max()) - d0 + 1

    def offset_at(when_us: int) -> int:
        instant = _EPOCH + dt.timedelta(microseconds=when_us)
        off = instant.astimezone(zone).utcoffset() or dt.timedelta(0)
        return int(off / dt.timedelta(microseconds=1))

    # Offset at the start of every day in the range (one call per day, not per value).
    per_day = np.array([offset_at((d0 + i) * _DAY) for i in range(n_days + 1)], dtype=np.int64)
    off = per_day[day - d0]
    changed = np.flatnonzero(per_day[:-1] != per_day[1:])
    if changed.size:  # days with a transition (two a year): refine per UTC hour
        hourly = np.array(
            [[offset_at((d0 + int(c)) * _DAY + h * _HOUR) for h in range(24)] for c in changed],
            dtype=np.int64,
        )
        sel = np.isin(day - d0, changed)
        row = np.searchsorted(changed, day[sel] - d0)
        off[sel] = hourly[row, (us[sel] - day[sel] * _DAY) // _HOUR]
    local = t.view(np.int64).copy()
    local[ok] += off
    return local.view("datetime64[us]").astype("datetime64[D]")


@attrs.frozen(eq=False)
class Groups:
    """Leads split into groups: a code per lead (-1 = in no group) and the group labels.

    ``labels[k]`` is the label of group ``k``: a string, None (label not recorded),
    a ``"YYYY-MM"`` month, or a tuple of those for a combined key.

    Examples
    --------
    >>> g = Groups(np.array([0, 1, 0]), ("a", "b"), ("source",))
    >>> g.size, g.counts().tolist()
    (2, [2, 1])
    """

    codes: IntArray
    labels: tuple[Any, ...]
    names: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of groups."""
        return len(self.labels)

    def counts(self, mask: npt.NDArray[np.bool_] | None = None) -> IntArray:
        """Number of leads (where ``mask``) per group."""
        codes = self.codes if mask is None else self.codes[mask]
        return np.bincount(codes[codes >= 0], minlength=self.size).astype(np.int64)

    def sum(self, values: FloatArray | None = None) -> FloatArray:
        """Sum of ``values`` (one per lead; 1 each when None) per group."""
        ok = self.codes >= 0
        w = None if values is None else values[ok]
        return np.bincount(self.codes[ok], weights=w, minlength=self.size).astype(np.float64)


def compact(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct non-negative int keys and each key's index among them.

    Uses a ``bincount`` (no sort) when the key range is small, else ``np.unique``.

    Examples
    --------
    >>> uniq, idx = compact(np.array([7, 3, 7, 9]))
    >>> uniq.tolist(), idx.tolist()
    ([3, 7, 9], [1, 0, 1, 2])
    """
    if keys.size == 0:
        return keys.astype(np.int64), keys.astype(np.int64)
    top = int(keys.max()) + 1
    if int(keys.min()) >= 0 and top <= max(4 * keys.size, 1 << 20):
        present = np.bincount(keys, minlength=top) > 0
        slot = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(np.int64), slot[keys].astype(np.int64)
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), inv.reshape(-1).astype(np.int64)


def group_quantiles(
    values: FloatArray, codes: IntArray, k: int, q: Sequence[float]
) -> npt.NDArray[np.float64]:
    """Per-group quantiles (linear interpolation), NaN values and code -1 ignored.

    Parameters
    ----------
    values : float64 ndarray
        One value per row (NaN = no value).
    codes : int64 ndarray
        Group of every row (-1 = none).
    k : int
        Number of groups.
    q : sequence of float
        Quantiles in [0, 1].

    Returns
    -------
    ndarray
        Shape ``(k, len(q))``; an empty group gives NaN.

    Examples
    --------
    >>> group_quantiles(np.array([1.0, 3.0, 10.0, np.nan]), np.array([0, 0, 1, 1]), 3, [0.5])
    array([[ 2.],
           [10.],
           [nan]])
    """
    ok = ~np.isnan(values) & (codes >= 0)
    v, c = values[ok], codes[ok]
    # Sort by value, then stably by group: a radix sort when the codes fit in int16.
    order = np.argsort(v)
    small = c[order].astype(np.int16) if k < 2**15 else c[order]
    order = order[np.argsort(small, kind="stable")]
    v, c = v[order], c[order]
    counts = np.bincount(c, minlength=k)
    starts = np.cumsum(counts) - counts
    out = np.full((k, len(q)), np.nan)
    has = counts > 0
    for j, qq in enumerate(q):  # a handful of quantiles
        pos = starts[has] + qq * (counts[has] - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.ceil(pos).astype(np.int64)
        out[has, j] = v[lo] + (v[hi] - v[lo]) * (pos - lo)
    return out


def factorize_any(values: npt.NDArray[Any], field: str) -> tuple[IntArray, tuple[Any, ...]]:
    """Codes and sorted labels of any key column; missing values form a None group (last)."""
    missing = missing_mask(values)
    codes = np.full(values.shape[0], -1, dtype=np.int64)
    uniq, inv = factorize_ids(values[~missing], field=field)
    codes[~missing] = inv
    labels = tuple(uniq.tolist())
    if missing.any():
        codes[missing] = len(labels)
        labels = (*labels, None)
    return codes, labels
