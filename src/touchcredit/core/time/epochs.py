"""Epoch numbers (seconds, milliseconds, microseconds, nanoseconds) to UTC instants.

Exports count time since 1970-01-01 UTC in different units: a CRM in seconds,
JavaScript in milliseconds, GA4's ``event_timestamp`` in microseconds, Spark and
pandas in nanoseconds. The unit is never guessed silently:

* with ``unit=`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) every value is read in it;
* without, the unit is the one in which **every** value of the column is a time in
  1990–2100 (the four ranges do not overlap, so at most one unit fits a value). A
  value that fits no unit, or a column whose values fit different units, is an error
  naming the field, the row and the units tried.

Values are checked before they are scaled, so nothing wraps around int64: a result
outside years 1–9999 is an error, never a wrong date. This is the one place that
reads epoch numbers; connectors, chunked and Spark readers call
:func:`epoch_to_datetime64` (or :func:`read_epochs` to collect bad rows).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import TimeArray

__all__ = [
    "EPOCH_UNITS",
    "MAX_US",
    "MIN_US",
    "EpochUnit",
    "check_unit",
    "epoch_to_datetime64",
    "epoch_unit",
    "is_number_text",
    "read_epochs",
    "read_number_text",
    "read_numbers",
]

EpochUnit = Literal["s", "ms", "us", "ns"]
#: The units an epoch number may be in, coarsest first.
EPOCH_UNITS: tuple[EpochUnit, ...] = ("s", "ms", "us", "ns")
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
# 1990-01-01 and 2100-01-01 UTC, in seconds: the window a unit must put values in.
_LO, _HI = 631_152_000, 4_102_444_800
#: First and last instant the library stores (0001-01-01, 9999-12-31T23:59:59.999999
#: UTC), as microseconds since the epoch: what Python's ``datetime`` can represent.
MIN_US = -62_135_596_800 * 10**6
MAX_US = 253_402_300_800 * 10**6 - 1

Rejects = dict[int, str]


def check_unit(unit: str | None) -> EpochUnit | None:
    """Validate a ``unit=`` argument; None means "infer".

    Examples
    --------
    >>> check_unit("ms")
    'ms'
    >>> check_unit("sec")
    Traceback (most recent call last):
    ...
    ValueError: 'unit' must be one of 's', 'ms', 'us', 'ns' (or None to infer), got 'sec'
    """
    if unit is None:
        return None
    for u in EPOCH_UNITS:
        if unit == u:
            return u
    raise ValueError(
        f"'unit' must be one of 's', 'ms', 'us', 'ns' (or None to infer), got {unit!r}"
    )


def _fits(values: npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """Index into EPOCH_UNITS of the unit putting each value in 1990–2100; -1 for none."""
    out = np.full(values.shape, -1, dtype=np.int8)
    for k, u in enumerate(EPOCH_UNITS):
        f = _PER_SECOND[u]
        out[(values >= _LO * f) & (values <= _HI * f)] = k
    return out


def epoch_unit(values: npt.ArrayLike, *, field: str = "timestamp") -> EpochUnit:
    """The one unit in which every value is a time in 1990–2100.

    Raises
    ------
    ValueError
        Naming the field, the (1-based) row and the units tried, when a value fits no
        unit or the values fit different units.

    Examples
    --------
    >>> epoch_unit([1714557600, 1714557601])
    's'
    >>> epoch_unit([1714557600123])
    'ms'
    >>> epoch_unit([1714557600, 5], field="ts")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'ts' could not be read: row 2: 5 is not a time in 1990-2100 as epoch s, ms, ...
    """
    arr = np.asarray(values)
    unit, rejects = _infer(arr)
    if rejects:
        raise _first_error(field, arr, rejects)
    return unit or "s"


def _infer(values: npt.NDArray[Any]) -> tuple[EpochUnit | None, Rejects]:
    """The unit most values fit, and the rows that do not fit it (with why)."""
    present = ~np.isnan(values) if values.dtype.kind == "f" else np.ones(values.shape, bool)
    fit = _fits(values)
    counts = np.bincount(fit[present & (fit >= 0)], minlength=len(EPOCH_UNITS))
    chosen = EPOCH_UNITS[int(np.argmax(counts))] if counts.sum() else None
    rejects: Rejects = {}
    bad = present & (fit != (EPOCH_UNITS.index(chosen) if chosen else -2))
    for i in np.flatnonzero(bad)[:1000].tolist():  # error path; messages are capped
        k = int(fit[i])
        if k < 0 or chosen is None:
            rejects[i] = (
                "is not a time in 1990-2100 as epoch s, ms, us or ns; pass unit= "
                "('s', 'ms', 'us' or 'ns') to read it in one unit"
            )
        else:
            rejects[i] = (
                f"reads as epoch {_NAMES[EPOCH_UNITS[k]]} while the column's other values "
                f"read as {_NAMES[chosen]}; pass unit= to choose one"
            )
    if int(bad.sum()) > len(rejects):  # beyond the cap: same reason, shorter
        for i in np.flatnonzero(bad)[1000:].tolist():
            rejects[i] = "does not fit the column's epoch unit; pass unit="
    return chosen, rejects


def read_epochs(
    values: npt.ArrayLike, *, unit: str | None = None
) -> tuple[TimeArray, EpochUnit | None, Rejects]:
    """Epoch numbers to UTC ``datetime64[us]``, collecting bad rows instead of raising.

    Returns the instants (NaT for NaN and rejected rows), the unit used (None when no
    value fitted any) and ``{row: reason}`` with 0-based rows.

    Examples
    --------
    >>> out, unit, bad = read_epochs([1714557600000, 17145576000000000000.0, 7])
    >>> out[0], unit, sorted(bad)
    (np.datetime64('2024-05-01T10:00:00.000000'), 'ms', [1, 2])
    """
    arr = np.asarray(values)
    if arr.dtype.kind == "u":
        big = arr > np.iinfo(np.int64).max
        if big.any():
            return _with_rejects(
                read_epochs(np.where(big, 0, arr).astype(np.int64), unit=unit),
                {int(i): "is out of range for an epoch time" for i in np.flatnonzero(big)},
            )
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "if":
        raise TypeError(f"epoch values must be numbers, got dtype {arr.dtype}")
    chosen = check_unit(unit)
    rejects: Rejects = {}
    if chosen is None:
        chosen, rejects = _infer(arr)
        if chosen is None:
            return np.full(arr.shape, np.datetime64("NaT", "us")), None, rejects
    f = _PER_SECOND[chosen]
    per_us = 10**6 / f  # microseconds per unit
    if arr.dtype.kind == "i":
        i64 = np.iinfo(np.int64)
        lo = max(-((-MIN_US * f) // 10**6), int(i64.min))
        hi = min((MAX_US * f) // 10**6, int(i64.max))
        ok = (arr >= lo) & (arr <= hi)
        safe = np.where(ok, arr, 0).astype(np.int64)
        us = safe * int(per_us) if f <= 10**6 else safe // (f // 10**6)
    else:
        ok = np.isfinite(arr)
        scaled = np.where(ok, arr, 0.0) * per_us
        ok &= (scaled >= MIN_US) & (scaled <= MAX_US)
        us = np.round(np.where(ok, scaled, 0.0)).astype(np.int64)
    out = us.astype("datetime64[us]")
    nan = np.isnan(arr) if arr.dtype.kind == "f" else np.zeros(arr.shape, bool)
    for i in np.flatnonzero(~ok & ~nan).tolist():
        rejects.setdefault(i, f"is outside years 1-9999 as epoch {_NAMES[chosen]}")
    dropped = ~ok | nan
    if rejects:
        dropped[np.fromiter(rejects, dtype=np.int64, count=len(rejects))] = True
    out[dropped] = np.datetime64("NaT", "us")
    return out, chosen, rejects


def read_numbers(values: list[Any], *, unit: str | None = None) -> tuple[TimeArray, Rejects]:
    """:func:`read_epochs` of Python numbers (ints beyond int64 are rejected, not wrapped).

    Reasons start with the value. A float among the values makes them all floats.

    Examples
    --------
    >>> out, bad = read_numbers([1714557600, 10**30])
    >>> out[0], bad[1][:30]
    (np.datetime64('2024-05-01T10:00:00.000000'), '1000000000000000000000000000...')
    """
    got, why = _numbers(values, unit)
    return got, {j: f"{_short(values[j])} {reason}" for j, reason in why.items()}


def _numbers(values: list[Any], unit: str | None) -> tuple[TimeArray, Rejects]:
    """:func:`read_numbers` with reasons that do not start with the value."""
    values = list(values)
    rejects: Rejects = {}
    i64 = np.iinfo(np.int64)
    as_float = any(isinstance(v, float | np.floating) for v in values)
    for j, v in enumerate(values):
        if isinstance(v, int) and not i64.min <= v <= i64.max:
            rejects[j] = "is out of range for an epoch time"
            values[j] = 0
    nums = np.asarray(values, dtype=np.float64 if as_float else np.int64)
    got, _, bad = read_epochs(nums, unit=unit)
    for j, why in bad.items():
        rejects.setdefault(j, why)
    got[np.fromiter(rejects, dtype=np.int64, count=len(rejects))] = np.datetime64("NaT", "us")
    return got, rejects


def is_number_text(text: str) -> bool:
    """Whether ``text`` is a number (digits, a sign, one decimal point), not a date.

    Eight digits are a ``YYYYMMDD`` date (ISO 8601's basic form), not a number.

    Examples
    --------
    >>> is_number_text("1714557600"), is_number_text("20240501"), is_number_text("1.5.2024")
    (True, False, False)
    """
    body = text[1:] if text[:1] in "+-" else text
    digits = body.replace(".", "", 1)
    return digits.isdigit() and digits.isascii() and not (len(body) == 8 and body.isdigit())


def read_number_text(texts: list[str], *, unit: str | None = None) -> tuple[TimeArray, Rejects]:
    """Numbers written as text (:func:`is_number_text`) as epoch times, in one unit.

    ``240501`` is not read as a date (24 May 2001 or 1 May 2024?): as an epoch number
    it is not a time in 1990-2100 in any unit, so it is rejected unless ``unit`` says
    otherwise.

    Examples
    --------
    >>> out, bad = read_number_text(["1714557600", "240501"])
    >>> out[0]
    np.datetime64('2024-05-01T10:00:00.000000')
    >>> bad[1][:54]
    "'240501' (a number, read as an epoch time) is not a ti"
    """
    values: list[Any] = [float(t) if "." in t else int(t) for t in texts]
    got, why = _numbers(values, unit)
    shown = [t if len(t) <= 40 else f"{t[:20]}...({len(t)} digits)" for t in texts]
    rejects = {j: f"{shown[j]!r} (a number, read as an epoch time) {w}" for j, w in why.items()}
    return got, rejects


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} digits)"


def _with_rejects(
    got: tuple[TimeArray, EpochUnit | None, Rejects], more: Rejects
) -> tuple[TimeArray, EpochUnit | None, Rejects]:
    out, unit, rejects = got
    out[np.fromiter(more, dtype=np.int64, count=len(more))] = np.datetime64("NaT", "us")
    return out, unit, {**rejects, **more}


def epoch_to_datetime64(
    values: npt.ArrayLike, *, field: str = "timestamp", unit: str | None = None
) -> TimeArray:
    """Epoch numbers to UTC ``datetime64[us]``; NaN becomes NaT.

    Parameters
    ----------
    values : array-like of int or float
        Time since 1970-01-01 UTC.
    field : str
        Column name for messages.
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of the values; inferred when None (see the module docstring).

    Raises
    ------
    ValueError
        Naming the field, the first bad (1-based) row, its value and why: no unit fits,
        values fit different units, or the time is outside years 1-9999.

    Examples
    --------
    >>> epoch_to_datetime64([1714557600123456])  # GA4 event_timestamp: microseconds
    array(['2024-05-01T10:00:00.123456'], dtype='datetime64[us]')
    >>> epoch_to_datetime64([86400], unit="s")
    array(['1970-01-02T00:00:00.000000'], dtype='datetime64[us]')
    >>> epoch_to_datetime64([10**18], unit="s")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'timestamp' could not be read: row 1: 1000000000000000000 is outside years ...
    """
    arr = np.asarray(values)
    out, _, rejects = read_epochs(arr, unit=unit)
    if rejects:
        raise _first_error(field, arr, rejects)
    return out


def _first_error(field: str, arr: npt.NDArray[Any], rejects: Rejects) -> ValueError:
    row = min(rejects)
    return ValueError(
        f"{field!r} could not be read: row {row + 1}: {arr[row].item()!r} {rejects[row]}"
    )
