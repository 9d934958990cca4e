"""Timestamp coercion: one rule for every entry point.

Every time the library stores is a ``datetime64[us]`` holding a UTC instant. Inputs
are turned into that by one documented rule:

* timezone-aware ``datetime`` objects and strings with an explicit offset are
  converted to UTC;
* naive values (``datetime`` without ``tzinfo``, ``numpy.datetime64``, strings
  without an offset) are read in ``default_tz`` when one is given, else as UTC;
* ``int``/``float`` values are seconds since the Unix epoch (always UTC);
* a column must not mix aware and naive ``datetime`` objects: that is nearly always
  two exports with different conventions, so it is an error, not a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from dateutil import parser as _dateparser

__all__ = [
    "NAT",
    "UTC",
    "TimeZoneLike",
    "as_tzinfo",
    "as_utc_datetime",
    "naive_local_to_utc",
    "to_datetime64",
    "to_timedelta64",
]

UTC = dt.UTC
NAT = np.datetime64("NaT", "us")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

TimeZoneLike = dt.tzinfo | str | None
DatetimeArray = npt.NDArray[np.datetime64]


def as_tzinfo(tz: TimeZoneLike) -> dt.tzinfo:
    """The ``tzinfo`` of a zone name or object (UTC when None).

    Examples
    --------
    >>> as_tzinfo(None) is UTC, str(as_tzinfo("Europe/Paris"))
    (True, 'Europe/Paris')
    """
    if tz is None:
        return UTC
    if isinstance(tz, str):
        return UTC if tz.upper() == "UTC" else ZoneInfo(tz)
    return tz


def as_utc_datetime(value: Any, *, field: str, default_tz: TimeZoneLike = None) -> dt.datetime:
    """Turn one timestamp-like value into an aware UTC ``datetime``.

    Parameters
    ----------
    value
        ``datetime``, ``date``, ``numpy.datetime64``, ISO/CRM string, or epoch seconds.
    field
        Name used in error messages.
    default_tz
        Zone for naive values (UTC when None).

    Examples
    --------
    >>> as_utc_datetime("2024-03-01T10:00:00+01:00", field="created_at")
    datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    >>> as_utc_datetime(dt.datetime(2024, 3, 1), field="created_at")
    datetime.datetime(2024, 3, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError(f"{field!r} must be a timestamp, got NaT")
        value = value.astype("datetime64[us]").astype(dt.datetime)
    if isinstance(value, bool):
        raise TypeError(f"{field!r} must be a timestamp, got bool {value!r}")
    if isinstance(value, int | float | np.integer | np.floating):
        if not np.isfinite(value):
            raise ValueError(f"{field!r} must be a finite epoch time in seconds, got {value!r}")
        return _EPOCH + dt.timedelta(seconds=float(value))
    if isinstance(value, str):
        try:
            value = _dateparser.isoparse(value)
        except ValueError:
            try:
                value = _dateparser.parse(value)
            except (ValueError, OverflowError) as exc:
                raise ValueError(
                    f"{field!r} could not be parsed as a timestamp: {value!r} ({exc})"
                ) from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, dt.datetime):
        raise TypeError(
            f"{field!r} must be a datetime, date, datetime64, ISO string or epoch seconds, "
            f"got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=as_tzinfo(default_tz))
    out: dt.datetime = value.astimezone(UTC)
    return out


def naive_local_to_utc(values: DatetimeArray, tz: dt.tzinfo) -> DatetimeArray:
    """Read naive datetime64 values as wall-clock times in ``tz``; return UTC instants.

    Offsets are looked up once per distinct hour, not per value.

    Examples
    --------
    >>> naive_local_to_utc(np.array(["2024-07-01T12:00"], dtype="datetime64[us]"),
    ...                    as_tzinfo("Europe/Paris"))
    array(['2024-07-01T10:00:00.000000'], dtype='datetime64[us]')
    """
    hours = values.astype("datetime64[h]")
    uniq, inverse = np.unique(hours, return_inverse=True)
    offsets = np.empty(uniq.size, dtype="timedelta64[us]")
    for k, h in enumerate(uniq):  # one per distinct hour: a few thousand at most
        if np.isnat(h):
            offsets[k] = np.timedelta64(0, "us")
            continue
        local = h.astype(dt.datetime).replace(tzinfo=tz)
        off = local.utcoffset() or dt.timedelta(0)
        offsets[k] = np.timedelta64(off, "us")
    return values - offsets[inverse.reshape(values.shape)]


def _first_bad(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def to_datetime64(
    values: Any,
    *,
    field: str,
    default_tz: TimeZoneLike = None,
    allow_missing: bool = False,
    copy: bool = True,
) -> DatetimeArray:
    """Coerce an array-like of timestamps to ``datetime64[us]`` UTC instants.

    Parameters
    ----------
    values
        ``numpy.datetime64`` array, array/sequence of ``datetime``/``date``/strings,
        or numbers (epoch seconds).
    field
        Column name for error messages.
    default_tz
        Zone in which naive values are read (UTC when None).
    allow_missing
        When True, None/NaT/NaN become NaT; otherwise they are an error naming the row.
    copy
        When False, an input that already is ``datetime64[us]`` UTC may be returned
        itself (no copy); the caller must then not modify the result.

    Raises
    ------
    ValueError, TypeError
        Naming the field, the first offending row and what was expected.

    Examples
    --------
    >>> to_datetime64([0, 86400.5], field="timestamp")
    array(['1970-01-01T00:00:00.000000', '1970-01-02T00:00:00.500000'],
          dtype='datetime64[us]')
    >>> to_datetime64(["2024-01-01 09:00"], field="ts", default_tz="Europe/Paris")
    array(['2024-01-01T08:00:00.000000'], dtype='datetime64[us]')
    """
    tz = as_tzinfo(default_tz)
    arr = values if isinstance(values, np.ndarray) else _as_array(values)
    if arr.ndim != 1:
        raise ValueError(f"{field!r} must be one-dimensional, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind == "M":
        out = arr.astype("datetime64[us]", copy=copy or tz is not UTC)
        if tz is not UTC:
            out = naive_local_to_utc(out, tz)
    elif kind in "iu":
        out = (arr.astype(np.int64) * 1_000_000).astype("datetime64[us]")
    elif kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any() and not allow_missing:
            row = _first_bad(bad)
            raise ValueError(
                f"{field!r} must be a finite epoch time in seconds; row {row} is "
                f"{float(arr[row])!r}"
            )
        us = np.where(bad, 0.0, np.round(arr * 1e6)).astype(np.int64)
        out = us.astype("datetime64[us]")
        out[bad] = NAT
    elif kind == "b":
        raise TypeError(f"{field!r} must hold timestamps, got booleans")
    elif kind in "OUS":
        out = _objects_to_datetime64(arr, field=field, tz=tz)
    else:
        raise TypeError(f"{field!r} must hold timestamps, got dtype {arr.dtype}")
    if not allow_missing:
        nat = np.isnat(out)
        if nat.any():
            row = _first_bad(nat)
            raise ValueError(
                f"{field!r} must be a timestamp in every row; row {row} is missing (NaT/None)"
            )
    return out


def _as_array(values: Any) -> npt.NDArray[Any]:
    if isinstance(values, str | bytes):
        raise TypeError("expected an array or sequence of timestamps, got a single string")
    if not isinstance(values, Sequence) and hasattr(values, "__array__"):
        return np.asarray(values)
    seq = list(values)
    if seq and all(isinstance(v, int | float) and not isinstance(v, bool) for v in seq):
        return np.asarray(seq, dtype=np.float64)
    arr = np.empty(len(seq), dtype=object)
    arr[:] = seq
    return arr


def _objects_to_datetime64(arr: npt.NDArray[Any], *, field: str, tz: dt.tzinfo) -> DatetimeArray:
    """Convert an object/str array, looking at each distinct value once."""
    n = arr.size
    out = np.empty(n, dtype="datetime64[us]")
    if n == 0:
        return out
    obj = arr.astype(object) if arr.dtype.kind in "US" else arr
    # Group identical objects so each distinct string/datetime is parsed once. Mixed
    # types cannot be sorted, so fall back to a dict keyed by the value itself.
    cache: dict[Any, np.datetime64] = {}
    aware_seen: int | None = None
    naive_seen: int | None = None
    for i, v in enumerate(obj.tolist()):
        if v is None or (isinstance(v, float) and v != v):
            out[i] = NAT
            continue
        if isinstance(v, dt.datetime):
            if v.tzinfo is not None and v.utcoffset() is not None:
                aware_seen = i if aware_seen is None else aware_seen
            else:
                naive_seen = i if naive_seen is None else naive_seen
            if aware_seen is not None and naive_seen is not None:
                raise ValueError(
                    f"{field!r} mixes timezone-aware and naive datetimes (row {aware_seen} is "
                    f"aware, row {naive_seen} is naive); make them all aware, or all naive "
                    "and pass default_tz"
                )
        hit = cache.get(v) if isinstance(v, str | dt.datetime | dt.date) else None
        if hit is None:
            try:
                conv = as_utc_datetime(v, field=field, default_tz=tz)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"row {i}: {exc}") from None
            hit = np.datetime64(conv.replace(tzinfo=None), "us")
            if isinstance(v, str | dt.datetime | dt.date):
                cache[v] = hit
        out[i] = hit
    return out


def to_timedelta64(value: Any, *, field: str) -> np.timedelta64:
    """Coerce a ``timedelta``/``numpy.timedelta64``/seconds to ``timedelta64[us]``.

    Examples
    --------
    >>> to_timedelta64(dt.timedelta(days=7), field="half_life")
    np.timedelta64(604800000000,'us')
    """
    if isinstance(value, np.timedelta64):
        if np.isnat(value):
            raise ValueError(f"{field!r} must be a duration, got NaT")
        out: np.timedelta64 = value.astype("timedelta64[us]")
        return out
    if isinstance(value, dt.timedelta):
        return np.timedelta64(value, "us")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not np.isfinite(value):
            raise ValueError(f"{field!r} must be a finite number of seconds, got {value!r}")
        return np.timedelta64(round(value * 1e6), "us")
    raise TypeError(
        f"{field!r} must be a datetime.timedelta, numpy.timedelta64 or seconds, "
        f"got {type(value).__name__} {value!r}"
    )
