"""Reading one column of timestamps, by dtype: the engine behind the time rule.

:mod:`touchcredit.core.time.rule` states the rule and checks the arguments; this
module reads a column under :class:`TimeOptions`, collecting ``{row: reason}`` for the
rows it cannot read (0-based rows; every reason starts with the value): datetime64
(range-checked in its own unit, localized), epoch numbers
(:mod:`~touchcredit.core.time.epochs`), strings (:mod:`~touchcredit.core.time.text`; Arrow
string columns are read in Arrow) and object columns holding any mix of these,
``datetime`` and ``date`` objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import TimeArray
from touchcredit.core.time.epochs import MAX_US, MIN_US, EpochUnit, read_epochs, read_numbers
from touchcredit.core.time.iso import arrow_text
from touchcredit.core.time.local import TimeChoice, localize
from touchcredit.core.time.order import DayOrderConflict
from touchcredit.core.time.text import TextChoices, parse_arrow, parse_strings

__all__ = ["EXPECTED_TYPE", "TimeOptions", "as_array", "read_column"]

NAT = np.datetime64("NaT", "us")
Rejects = dict[int, str]
#: Ends the reason of a value of the wrong type (raised as TypeError, not ValueError).
EXPECTED_TYPE = "; expected a datetime, date, datetime64, date/time string or epoch number"


@attrs.frozen
class TimeOptions:
    """How to read one time column: the options, checked once and passed down together.

    Examples
    --------
    >>> TimeOptions(tz=dt.UTC, unit="ms").nonexistent
    'raise'
    """

    tz: dt.tzinfo = dt.UTC
    unit: EpochUnit | None = None
    ambiguous: TimeChoice = "raise"
    nonexistent: TimeChoice = "raise"
    dayfirst: bool | None = None
    formats: tuple[str, ...] | None = None


def read_column(values: Any, options: TimeOptions, field: str) -> tuple[TimeArray, Rejects]:
    """Read one column of timestamps by its dtype; ``{row: reason}`` for bad rows.

    See :func:`touchcredit.core.time.rule.read_times` (which checks the options).

    Examples
    --------
    >>> out, bad = read_column(np.array([1714557600, 7]), TimeOptions(), "ts")
    >>> out[0], bad[1][:30]
    (np.datetime64('2024-05-01T10:00:00.000000'), '7 is not a time in 1990-2100 a')
    """
    try:
        return _read_column(values, options, field)
    except DayOrderConflict as exc:
        raise ValueError(f"{field!r} could not be read: {exc}") from None


def _read_column(values: Any, options: TimeOptions, field: str) -> tuple[TimeArray, Rejects]:
    text = None if isinstance(values, np.ndarray) else arrow_text(values)
    if text is not None:  # Arrow text: read in Arrow, one Python string per odd row only
        return parse_arrow(text, options.tz, _choices(options))
    arr = values if isinstance(values, np.ndarray) else as_array(values, field)
    if arr.ndim != 1:
        raise ValueError(f"{field!r} must be one-dimensional, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind == "M":
        return _datetimes(arr, options)
    if kind in "iuf":
        out, _, rejects = read_epochs(arr, unit=options.unit)
        return out, {i: f"{arr[i].item()!r} {why}" for i, why in rejects.items()}
    if kind == "b":
        raise TypeError(f"{field!r} must hold timestamps, got booleans")
    if kind in "US":
        return _strings(arr, options)
    if kind == "O":
        return _objects(arr, options, field)
    raise TypeError(f"{field!r} must hold timestamps, got dtype {arr.dtype}")


def _datetimes(arr: npt.NDArray[Any], opts: TimeOptions) -> tuple[TimeArray, Rejects]:
    """Naive datetime64 of any unit: range-checked in its own unit, then localized."""
    rejects: Rejects = {}
    unit = np.datetime_data(arr.dtype)[0]
    if unit in ("Y", "M", "W", "D", "h", "m", "s", "generic"):  # coarser: may not fit in us
        lo = np.datetime64(MIN_US, "us").astype(arr.dtype)
        hi = np.datetime64(MAX_US, "us").astype(arr.dtype)
        far = ~np.isnat(arr) & ((arr < lo) | (arr > hi))
        if far.any():
            for i in np.flatnonzero(far).tolist():
                rejects[i] = f"{arr[i]} is outside years 1-9999"
            arr = np.where(far, np.datetime64("NaT"), arr)
    out = arr.astype("datetime64[us]")
    if opts.tz is not dt.UTC:
        out, more = localize(out, opts.tz, ambiguous=opts.ambiguous, nonexistent=opts.nonexistent)
        rejects.update({i: f"{arr[i]} {why}" for i, why in more.items()})
    return out, rejects


def _objects(arr: npt.NDArray[Any], opts: TimeOptions, field: str) -> tuple[TimeArray, Rejects]:
    """An object column: strings, datetimes, dates, datetime64 and numbers, row by row."""
    values = arr.tolist()
    if all(type(v) is str for v in values):  # the common case: text only
        return _strings(arr, opts)
    n = arr.shape[0]
    out = np.full(n, NAT)
    rejects: Rejects = {}
    strings: list[int] = []
    numbers: list[int] = []
    naive: list[int] = []
    naive_values: list[Any] = []
    aware_seen: int | None = None
    naive_seen: int | None = None
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            continue
        if isinstance(v, str):
            strings.append(i)
        elif isinstance(v, bool | np.bool_):
            rejects[i] = f"{v!r} is a bool{EXPECTED_TYPE}"
        elif isinstance(v, dt.datetime):
            if v.tzinfo is not None and v.utcoffset() is not None:
                aware_seen = i if aware_seen is None else aware_seen
                local = np.datetime64(v.replace(tzinfo=None), "us")
                out[i] = local - np.timedelta64(v.utcoffset(), "us")
            else:
                naive_seen = i if naive_seen is None else naive_seen
                naive.append(i)
                naive_values.append(v)
        elif isinstance(v, dt.date | np.datetime64):
            if isinstance(v, np.datetime64) and np.isnat(v):
                continue
            naive.append(i)
            naive_values.append(v)
        elif isinstance(v, int | float | np.integer | np.floating):
            numbers.append(i)
        elif _is_missing(v):  # pandas.NaT, pandas.NA and other missing markers
            continue
        else:
            rejects[i] = f"{v!r} is a {type(v).__name__}{EXPECTED_TYPE}"
    if aware_seen is not None and naive_seen is not None:
        raise ValueError(
            f"{field!r} mixes timezone-aware and naive datetimes (row {aware_seen + 1} is "
            f"aware, row {naive_seen + 1} is naive); make them all aware, or all naive and "
            "pass default_tz"
        )
    for rows, read in (
        (strings, lambda a: _strings(a, opts, np.asarray(strings, dtype=np.int64))),
        (numbers, _numbers_reader(opts)),
        (naive, lambda a: _naive_objects(a, opts)),
    ):
        if rows:
            idx = np.asarray(rows, dtype=np.int64)
            sub = arr[idx] if rows is not naive else _object_array(naive_values)
            got, bad = read(sub)
            out[idx] = got
            rejects.update({int(idx[j]): why for j, why in bad.items()})
    far = ~np.isnat(out) & ((out.view(np.int64) < MIN_US) | (out.view(np.int64) > MAX_US))
    for i in np.flatnonzero(far).tolist():
        rejects.setdefault(i, f"{arr[i]!r} is outside years 1-9999 in UTC")
    if rejects:
        out[np.fromiter(rejects, dtype=np.int64, count=len(rejects))] = NAT
    return out, rejects


def _is_missing(v: Any) -> bool:
    try:
        return bool(v != v)
    except (TypeError, ValueError):  # pandas.NA: its truth value is ambiguous
        return True


def _strings(
    sub: npt.NDArray[Any], opts: TimeOptions, rows: npt.NDArray[np.int64] | None = None
) -> tuple[TimeArray, Rejects]:
    return parse_strings(
        sub,
        opts.tz,
        dayfirst=opts.dayfirst,
        formats=opts.formats,
        ambiguous=opts.ambiguous,
        nonexistent=opts.nonexistent,
        unit=opts.unit,
        rows=rows,
    )


def _choices(opts: TimeOptions) -> TextChoices:
    return TextChoices(opts.dayfirst, opts.formats, opts.ambiguous, opts.nonexistent, opts.unit)


def _numbers_reader(opts: TimeOptions) -> Any:
    def read(sub: npt.NDArray[Any]) -> tuple[TimeArray, Rejects]:
        return read_numbers(sub.tolist(), unit=opts.unit)

    return read


def _naive_objects(sub: npt.NDArray[Any], opts: TimeOptions) -> tuple[TimeArray, Rejects]:
    naive = np.empty(sub.shape[0], dtype="datetime64[us]")
    for j, v in enumerate(sub.tolist()):
        naive[j] = np.datetime64(v, "us")
    return localize(naive, opts.tz, ambiguous=opts.ambiguous, nonexistent=opts.nonexistent)


def _object_array(values: list[Any]) -> npt.NDArray[Any]:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def as_array(values: Any, field: str) -> npt.NDArray[Any]:
    """An object array of a Python sequence (never a fixed-width string copy)."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{field!r} must be an array or sequence of timestamps, got one string")
    if hasattr(values, "to_numpy"):
        got: npt.NDArray[Any] = values.to_numpy()
        return got
    if not isinstance(values, Sequence) and hasattr(values, "__array__"):
        return np.asarray(values)
    seq = list(values)
    if seq and all(type(v) is int for v in seq):
        try:
            return np.asarray(seq, dtype=np.int64)
        except OverflowError:
            pass
    elif seq and all(type(v) is float for v in seq):
        return np.asarray(seq, dtype=np.float64)
    return _object_array(seq)
