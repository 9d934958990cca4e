"""Timestamps from CRM and analytics exports: strings to UTC ``datetime64[us]``.

One rule (the library's, see :mod:`touchcredit.core.time_rule`): a value with an explicit zone
or offset keeps its instant; a naive value is read in ``default_tz`` (UTC when None).
Strings are read as

* plain ISO 8601 (``2024-03-15``, ``2024-03-15T14:30:00``): by numpy, all at once;
* with ``formats`` given: each ``datetime.strptime`` format in turn, first match wins;
* otherwise by python-dateutil: ISO 8601 with offsets, and common CRM exports such as
  ``03/15/2024 2:30 PM`` or ``15.03.2024 14:30`` (``dayfirst`` settles ambiguous
  ``03/04/2024``).

A string without a full date (``"14:30"``, ``"March"``) is rejected rather than
completed with today's date; so is a zone name dateutil does not know (``"EST"``
would otherwise be silently dropped). Each distinct string is parsed once. Missing
values (None, NaN, NaT, blank strings) become NaT and are not errors.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from typing import Any, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt
from dateutil import parser as _dateparser

from touchcredit.core.columns import missing_mask
from touchcredit.core.time_rule import (
    NAT,
    TimeZoneLike,
    as_tzinfo,
    naive_local_to_utc,
    to_datetime64,
)

__all__ = ["ParsedTimes", "parse"]

TimeArray = npt.NDArray[np.datetime64]
# Two defaults with different dates: a field dateutil took from the default differs.
_FAR = (dt.datetime(1904, 2, 29), dt.datetime(2000, 3, 3))


@attrs.frozen(eq=False)
class ParsedTimes:
    """Result of ``parse(..., errors="report")``.

    Attributes
    ----------
    values : datetime64[us] ndarray
        UTC instants; NaT for missing and rejected rows.
    rejected_rows : int64 ndarray
        Rows that could not be read, ascending.
    reasons : tuple of str
        Why, one per rejected row.
    """

    values: TimeArray
    rejected_rows: npt.NDArray[np.int64]
    reasons: tuple[str, ...]


def _one(text: str, tz: dt.tzinfo, dayfirst: bool, formats: Sequence[str] | None) -> dt.datetime:
    """Parse one string to an aware UTC datetime; ValueError with the reason."""
    value: dt.datetime | None = None
    if formats:
        for fmt in formats:
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None:
            raise ValueError(f"matches none of the formats {list(formats)}")
    else:
        try:
            value = _dateparser.isoparse(text)
        except (ValueError, OverflowError):
            value = _loose(text, dayfirst)
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.UTC)


def _loose(text: str, dayfirst: bool) -> dt.datetime:
    """dateutil's flexible parse, refusing incomplete dates and unknown zone names."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", _dateparser.UnknownTimezoneWarning)
        try:
            a, b = (_dateparser.parse(text, dayfirst=dayfirst, default=d) for d in _FAR)
        except _dateparser.UnknownTimezoneWarning:
            raise ValueError("names a time zone that is not known") from None
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"is not a recognised date/time ({exc})") from None
    if a != b:
        raise ValueError("does not hold a full date (day, month and year)")
    return a


def _iso_fast(strings: npt.NDArray[Any]) -> tuple[TimeArray, npt.NDArray[np.bool_]]:
    """numpy's own parse of plain ISO strings; mask of the strings it read."""
    out = np.full(strings.size, NAT)
    ok = np.zeros(strings.size, dtype=bool)
    # Only date or date-time strings without zone: numpy would warn on offsets.
    plain = np.array(
        [
            len(s) >= 10
            and s[4] == "-"
            and s[7] == "-"
            and s[-1].isdigit()
            and "+" not in s
            and s.count("-") == 2
            for s in strings.tolist()
        ],
        dtype=bool,
    )
    if plain.any():
        try:
            out[plain] = strings[plain].astype("datetime64[us]")
            ok = plain
        except ValueError:  # some are not plain ISO after all: leave them to dateutil
            pass
    return out, ok


@overload
def parse(
    values: Any,
    default_tz: TimeZoneLike = ...,
    dayfirst: bool = ...,
    formats: Sequence[str] | None = ...,
    *,
    errors: Literal["raise"] = ...,
    field: str = ...,
) -> TimeArray: ...


@overload
def parse(
    values: Any,
    default_tz: TimeZoneLike = ...,
    dayfirst: bool = ...,
    formats: Sequence[str] | None = ...,
    *,
    errors: Literal["report"],
    field: str = ...,
) -> ParsedTimes: ...


def parse(
    values: Any,
    default_tz: TimeZoneLike = None,
    dayfirst: bool = False,
    formats: Sequence[str] | None = None,
    *,
    errors: Literal["raise", "report"] = "raise",
    field: str = "timestamp",
) -> TimeArray | ParsedTimes:
    """Read timestamps (strings, datetimes, datetime64, epoch seconds) as UTC instants.

    Parameters
    ----------
    values : array-like
        One value per row. Non-string values follow
        :func:`touchcredit.core.time_rule.to_datetime64`.
    default_tz : str or tzinfo, optional
        Zone of naive values (UTC when None), e.g. ``"America/New_York"``.
    dayfirst : bool
        Read ambiguous ``03/04/2024`` as 3 April (dateutil path only).
    formats : sequence of str, optional
        ``strptime`` formats to try, in order, instead of dateutil.
    errors : {"raise", "report"}
        ``"raise"``: the first unreadable row raises. ``"report"``: unreadable rows
        become NaT and are listed in the returned :class:`ParsedTimes`.
    field : str
        Column name used in messages.

    Returns
    -------
    datetime64[us] ndarray, or ParsedTimes with ``errors="report"``

    Raises
    ------
    ValueError
        With ``errors="raise"``, naming the field, the first bad row, its value and why.

    Examples
    --------
    >>> parse(["2024-03-15", "03/15/2024 2:30 PM", "15.03.2024 14:30",
    ...        "2024-03-15T14:30:00+01:00", None])
    array(['2024-03-15T00:00:00.000000', '2024-03-15T14:30:00.000000',
           '2024-03-15T14:30:00.000000', '2024-03-15T13:30:00.000000',
                                  'NaT'], dtype='datetime64[us]')
    >>> parse(["2024-07-01 09:00"], default_tz="Europe/Paris")
    array(['2024-07-01T07:00:00.000000'], dtype='datetime64[us]')
    >>> r = parse(["2024-01-02", "soon", "14:30"], errors="report")
    >>> r.rejected_rows.tolist(), r.reasons[1]
    ([1, 2], "row 2: '14:30' does not hold a full date (day, month and year)")
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report'; got {errors!r}")
    tz = as_tzinfo(default_tz)
    arr = values if isinstance(values, np.ndarray) else _as_array(values)
    if arr.ndim != 1:
        raise ValueError(f"{field!r} must be one-dimensional, got shape {arr.shape}")
    n = arr.shape[0]
    if arr.dtype.kind not in "OUS":
        out = to_datetime64(arr, field=field, default_tz=tz, allow_missing=True)
        return out if errors == "raise" else ParsedTimes(out, np.zeros(0, np.int64), ())
    is_str = (
        np.ones(n, dtype=bool)
        if arr.dtype.kind in "US"
        else np.array([isinstance(v, str) for v in arr.tolist()], dtype=bool)
    )
    out = np.full(n, NAT)
    other = ~is_str & ~missing_mask(arr)
    if other.any():  # datetime objects, numbers...: the library's one rule
        out[other] = to_datetime64(arr[other], field=field, default_tz=tz, allow_missing=True)
    bad_rows: list[int] = []
    reasons: list[str] = []
    if is_str.any():
        rows = np.flatnonzero(is_str)
        strings = np.char.strip(arr[rows].astype(str))
        uniq, inverse = np.unique(strings, return_inverse=True)
        inverse = inverse.reshape(-1)
        parsed, done = _iso_fast(uniq) if formats is None else (np.full(uniq.size, NAT), None)
        if done is not None and done.any() and tz is not dt.UTC:
            parsed[done] = naive_local_to_utc(parsed[done], tz)
        failed: dict[int, str] = {}
        todo = np.flatnonzero(~done) if done is not None else np.arange(uniq.size)
        for k in todo.tolist():  # one per distinct string the fast path did not read
            text = str(uniq[k])
            if not text:
                continue  # blank: missing
            try:
                got = _one(text, tz, dayfirst, formats)
            except ValueError as exc:
                failed[k] = str(exc)
                continue
            parsed[k] = np.datetime64(got.replace(tzinfo=None), "us")
        out[rows] = parsed[inverse]
        if failed:
            bad = np.isin(inverse, np.fromiter(failed, dtype=np.int64, count=len(failed)))
            for i in np.flatnonzero(bad).tolist():
                k = int(inverse[i])
                row = int(rows[i])
                msg = f"row {row}: {str(uniq[k])!r} {failed[k]}"
                if errors == "raise":
                    raise ValueError(f"{field!r} could not be read: {msg}")
                bad_rows.append(row)
                reasons.append(msg)
    if errors == "raise":
        return out
    order = np.argsort(np.asarray(bad_rows, dtype=np.int64), kind="stable")
    return ParsedTimes(
        values=out,
        rejected_rows=np.asarray(bad_rows, dtype=np.int64)[order],
        reasons=tuple(reasons[i] for i in order.tolist()),
    )


def _as_array(values: Any) -> npt.NDArray[Any]:
    if isinstance(values, str | bytes):
        raise TypeError("expected an array or sequence of timestamps, got a single string")
    if hasattr(values, "to_numpy"):
        out: npt.NDArray[Any] = values.to_numpy()
        return out
    seq = list(values)
    if seq and all(isinstance(v, int | float) and not isinstance(v, bool) for v in seq):
        return np.asarray(seq, dtype=np.float64)
    arr = np.empty(len(seq), dtype=object)
    arr[:] = seq
    return arr
