"""ISO 8601 text read in bulk by Arrow's parser: the fast path of the time rule.

:func:`read_iso` reads an Arrow string column of ISO 8601 dates and date-times
(``2024-03-15``, ``2024-03-15T14:30``, ``2024-03-15 14:30:05.123456789``, with ``Z``
or a ``+hh:mm``/``+hhmm``/``+hh`` offset) with a few casts in Arrow's C++ parser,
without one Python object per row:

* a column of one kind (all naive or all with an offset) is one cast, of the type its
  first rows take;
* a mixed column is split by two regular expressions (naive and zoned shapes);
  a part that still fails (``2024-02-30``) is halved until the bad rows are isolated;
* fractions of 7-9 digits are read in nanoseconds and truncated to microseconds.

Arrow's parser is stricter than the library's rule (no hour 24, no leap second, no
offset of 24 hours, no whitespace), so every row it reads has the value the strict
reading of :mod:`touchcredit.core.time.text` gives; rows it does not read, and rows
within two days of the ends of years 1-9999 (Arrow reads year 0; an offset moves an
instant by up to a day), are left to that reading, which also words their errors.
pyarrow is imported here, lazily: callers use this module only for Arrow input or when
pyarrow is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import backends
from touchcredit.core.time.epochs import MAX_US, MIN_US

__all__ = ["NAIVE_SHAPE", "ZONED_SHAPE", "IsoRead", "arrow_text", "read_iso"]

_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_TIME = r"[T ](?:[01]\d|2[0-3])(?::[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?)?"
#: ISO 8601 shapes the fast path tries: naive date or date-time, and with an offset.
NAIVE_SHAPE = f"^{_DATE}(?:{_TIME})?$"
ZONED_SHAPE = rf"^{_DATE}{_TIME}(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)$"
_DAY_US = 86_400 * 10**6
_LO, _HI = MIN_US + 2 * _DAY_US, MAX_US - 2 * _DAY_US
_SMALL = 64  # a failing part this small goes to the strict reading whole
_SAMPLE = 256


@attrs.frozen(eq=False)
class IsoRead:
    """What :func:`read_iso` read, per row.

    ``us`` holds microseconds since 1970: the wall-clock time of a naive row, the UTC
    instant of an aware one; it is meaningful where ``done`` and not ``missing``.
    """

    us: npt.NDArray[np.int64]
    aware: npt.NDArray[np.bool_]
    done: npt.NDArray[np.bool_]
    missing: npt.NDArray[np.bool_]


def _arrow() -> tuple[Any, Any]:
    return backends.pyarrow(), backends.pyarrow_compute()


def arrow_text(values: Any) -> Any | None:
    """``values`` as an Arrow string array when it is Arrow text (else None).

    Arrays and chunked arrays of string, large string, string view and dictionaries of
    those qualify; views and dictionaries are cast to plain strings.

    Examples
    --------
    >>> import pyarrow as pa
    >>> arrow_text(pa.array(["2024-01-01"], pa.string_view())).type
    DataType(large_string)
    >>> arrow_text([1]) is None
    True
    """
    if not type(values).__module__.startswith("pyarrow") or not hasattr(values, "type"):
        return None
    pa, _ = _arrow()
    typ = values.type
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            return values.cast(typ)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return values
    if pa.types.is_string_view(typ):
        return values.cast(pa.large_string())
    return None


def read_iso(column: Any) -> IsoRead:
    """Read the ISO 8601 rows of an Arrow string column (see the module docstring).

    Examples
    --------
    >>> import pyarrow as pa
    >>> got = read_iso(pa.array(["2024-03-15T14:30:00+01:00", "2024-03-15", "15/03/2024", None]))
    >>> got.us[:2].astype("datetime64[us]").tolist()
    [datetime.datetime(2024, 3, 15, 13, 30), datetime.datetime(2024, 3, 15, 0, 0)]
    >>> got.aware.tolist(), got.done.tolist(), got.missing.tolist()
    ([True, False, False, False], [True, True, False, True], [False, False, False, True])
    """
    pa, pc = _arrow()
    n = len(column)
    missing = (
        np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if column.null_count
        else np.zeros(n, dtype=bool)
    )
    whole = _cast(column, _sample_types(column))
    if whole is not None:  # the whole column in one cast
        us, aware = whole[0], np.full(n, whole[1])
        done = np.ones(n, dtype=bool)
    else:
        us = np.zeros(n, dtype=np.int64)
        aware = np.zeros(n, dtype=bool)
        done = np.zeros(n, dtype=bool)
        for shape, zoned in ((NAIVE_SHAPE, False), (ZONED_SHAPE, True)):
            match = pc.match_substring_regex(column, shape).fill_null(False)
            rows = np.flatnonzero(match.to_numpy(zero_copy_only=False))
            if rows.size:
                types = _TYPES[1::2] if zoned else _TYPES[0::2]
                _halving(column.take(pa.array(rows)), rows, types, us, done)
                aware[rows] = zoned
    if n and (int(us.min()) < _LO or int(us.max()) > _HI):  # near the ends of the range:
        done &= (us >= _LO) & (us <= _HI)  # the strict reading words them
    done |= missing
    return IsoRead(us=us, aware=aware, done=done, missing=missing)


#: Casts tried, in order: (unit, zone); the zone marks values with an offset.
_TYPES: tuple[tuple[str, str | None], ...] = (
    ("us", None),
    ("us", "UTC"),
    ("ns", None),
    ("ns", "UTC"),
)


def _sample_types(column: Any) -> tuple[tuple[str, str | None], ...]:
    """The one cast that reads the first rows (none: the column is mixed or not ISO).

    A failing cast costs far more than a succeeding one in Arrow, so the whole column
    is cast once, with the type its first rows take.
    """
    sample = column.slice(0, _SAMPLE).drop_null()
    for typ in _TYPES:
        if len(sample) and _cast(sample, (typ,)) is not None:
            return (typ,)
    return ()


def _cast(
    column: Any, types: Sequence[tuple[str, str | None]]
) -> tuple[npt.NDArray[np.int64], bool] | None:
    """Microseconds of every row by the first cast that reads them all (nulls 0)."""
    pa, pc = _arrow()
    for unit, zone in types:
        try:
            got = pc.cast(column, pa.timestamp(unit, zone))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        ticks = got.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        values = np.asarray(ticks, dtype=np.int64)
        if unit == "ns":  # the digits past microseconds are dropped, as the strict reading does
            values = values // 1000
        return values, zone is not None
    return None


def _halving(
    column: Any,
    rows: npt.NDArray[np.int64],
    types: Sequence[tuple[str, str | None]],
    us: npt.NDArray[np.int64],
    done: npt.NDArray[np.bool_],
) -> None:
    """Cast ``column`` (the values of ``rows``); split a failing part in halves."""
    got = _cast(column, types)
    if got is not None:
        us[rows] = got[0]
        done[rows] = True
        return
    if rows.size <= _SMALL:
        return
    mid = rows.size // 2
    _halving(column.slice(0, mid), rows[:mid], types, us, done)
    _halving(column.slice(mid), rows[mid:], types, us, done)
