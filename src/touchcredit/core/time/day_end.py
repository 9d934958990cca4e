"""Date-only conversion times mean the end of their local day.

CRMs record when a deal closed or a lead converted as a date (Salesforce's
``CloseDate``, ``2024-03-01``). Read as 00:00 it would come before every touch of that
day, so an email opened at 09:00 on the closing day would not count. The rule, applied
in one place (the cleaning path's conversion reader, behind :func:`touchcredit.clean`,
every connector, the CLI and the pipeline): **a conversion time written as a date alone
is the last microsecond of that day in the zone of naive times** (``default_tz``), so
every touch of that day is before it. Touch times written as dates stay at the start
of their day. A value is a date alone when it is a ``datetime.date`` (not a
``datetime``), a ``datetime64`` of day (or coarser) unit, or text without a time of
day (no ``:``, no ``AM``/``PM``, not an epoch number).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import TimeArray
from touchcredit.core.time.epochs import is_number_text
from touchcredit.core.time.local import localize

__all__ = ["date_only", "end_of_day"]

_DAY = dt.timedelta(days=1)


def _text_is_date(text: str) -> bool:
    s = text.strip().casefold()
    if not s or ":" in s or is_number_text(s):
        return False
    for i in range(1, len(s) - 1):
        if s[i] == "t" and s[i - 1].isdigit() and s[i + 1].isdigit():
            return False  # 2024-03-01T10
    return not any(word in s.replace(".", "").split() for word in ("am", "pm"))


def date_only(values: Any) -> npt.NDArray[np.bool_]:
    """Which rows of ``values`` hold a date without a time of day.

    Examples
    --------
    >>> date_only(["2024-03-01", "2024-03-01 09:00", dt.date(2024, 3, 1), 1714557600, None])
    array([ True, False,  True, False, False])
    >>> date_only(np.array(["2024-03-01"], dtype="datetime64[D]"))
    array([ True])
    """
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        unit = np.datetime_data(values.dtype)[0]
        coarse = unit in ("Y", "M", "W", "D")
        return np.full(values.shape, coarse) & ~np.isnat(values)
    if type(values).__module__.startswith("pyarrow") and hasattr(values, "to_pylist"):
        values = values.to_pylist()
    elif isinstance(values, np.ndarray) and values.dtype.kind in "iufb":
        return np.zeros(values.shape, dtype=bool)
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    out = np.zeros(len(items), dtype=bool)
    for i, v in enumerate(items):
        if isinstance(v, str):
            out[i] = _text_is_date(v)
        elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            out[i] = True
        elif isinstance(v, np.datetime64) and not np.isnat(v):
            out[i] = np.datetime_data(v.dtype)[0] in ("Y", "M", "W", "D")
    return out


def end_of_day(instants: TimeArray, tz: dt.tzinfo) -> TimeArray:
    """The last microsecond of the local day (in ``tz``) that each UTC instant starts.

    Examples
    --------
    >>> from zoneinfo import ZoneInfo
    >>> paris = np.array(["2024-02-29T23:00"], dtype="datetime64[us]")  # 1 March, 00:00
    >>> end_of_day(paris, ZoneInfo("Europe/Paris"))
    array(['2024-03-01T22:59:59.999999'], dtype='datetime64[us]')
    >>> spring = np.array(["2024-03-30T23:00"], dtype="datetime64[us]")  # a 23-hour day
    >>> end_of_day(spring, ZoneInfo("Europe/Paris"))
    array(['2024-03-31T21:59:59.999999'], dtype='datetime64[us]')
    """
    out = instants.copy()
    present = ~np.isnat(instants)
    uniq, inverse = np.unique(instants[present], return_inverse=True)
    next_midnight = np.empty(uniq.size, dtype="datetime64[us]")
    for k, value in enumerate(uniq.tolist()):  # one per distinct day
        local = value.replace(tzinfo=dt.UTC).astimezone(tz).date() + _DAY
        next_midnight[k] = np.datetime64(dt.datetime.combine(local, dt.time()), "us")
    utc, _ = localize(next_midnight, tz, ambiguous="earliest", nonexistent="latest")
    out[present] = (utc - np.timedelta64(1, "us"))[inverse.reshape(-1)]
    return out
