"""Durations from what people type: ``timedelta``, ``timedelta64`` or text like ``"14d"``.

This is the one reader of every duration argument (``lookback``, ``half_life``,
``dedupe_window``, ``window``, the CLI's ``--lookback``/``--half-life`` and the
pipeline's keys). A bare number is ambiguous (``lookback=30`` reads as days to a
person and as seconds to ``timedelta64``), so :func:`to_duration` refuses it with one
message everywhere, unless the caller documents a unit for numbers; zero needs no unit
and is accepted. Text is one or more ``<number><unit>`` parts, spaces
allowed between them: ``w`` (weeks), ``d`` (days), ``h`` (hours), ``min`` or ``m``
(minutes), ``s`` (seconds), ``ms``, ``us``; long forms (``"14 days"``,
``"36 hours"``, ``"2 weeks"``) too. Parts add up: ``"1d 12h"`` is 36 hours.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

__all__ = ["DURATION_UNITS", "to_duration"]

#: Microseconds in one unit of every spelling :func:`to_duration` reads.
DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(("w", "wk", "week", "weeks"), 7 * 86_400_000_000),
    **dict.fromkeys(("d", "day", "days"), 86_400_000_000),
    **dict.fromkeys(("h", "hr", "hour", "hours"), 3_600_000_000),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60_000_000),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1_000_000),
    **dict.fromkeys(("ms", "millisecond", "milliseconds"), 1_000),
    **dict.fromkeys(("us", "microsecond", "microseconds"), 1),
}

_EXAMPLE = "datetime.timedelta(days=14) or a string such as '14d', '36h' or '90min'"


def _parse_text(text: str, field: str) -> int:
    """Microseconds of ``"1d 12h"``-style text (scanned by hand: no regex on input)."""
    s = text.strip().casefold()
    if _is_number(s) and float(s) != 0:
        raise ValueError(_bare(field, s))
    if not s or len(s) > 100:
        raise ValueError(f"{field!r} must be a duration like {_EXAMPLE}, got {text!r}")
    total, i = 0.0, 0
    while i < len(s):
        j = i
        while j < len(s) and (s[j].isdigit() or s[j] == "."):
            j += 1
        k = j
        while k < len(s) and s[k] == " ":
            k += 1
        u = k
        while u < len(s) and s[u].isalpha():
            u += 1
        number, unit = s[i:j], s[k:u]
        if not number or unit not in DURATION_UNITS or number.count(".") > 1:
            raise ValueError(
                f"{field!r}: cannot read {text!r} as a duration; expected parts like '14d', "
                f"'36h', '90min' (units: w, d, h, min, s, ms, us)"
            )
        total += float(number) * DURATION_UNITS[unit]
        while u < len(s) and s[u] in " ,":
            u += 1
        i = u
    return round(total)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _bare(field: str, value: Any) -> str:
    """The one message for a duration given as a bare number (value or text)."""
    return f"{field!r} must be a duration like {_EXAMPLE}; a bare number ({value}) has no unit"


def to_duration(value: Any, *, field: str, number_unit: str | None = None) -> np.timedelta64:
    """A duration as ``timedelta64[us]``, from a timedelta, timedelta64 or text.

    Parameters
    ----------
    value : datetime.timedelta, numpy.timedelta64, str or number
        The duration. A number is accepted only when ``number_unit`` is given (or
        when it is zero).
    field : str
        The argument's name, for error messages.
    number_unit : str, optional
        The unit of a bare number (a key of :data:`DURATION_UNITS`); None (default)
        rejects bare numbers.

    Returns
    -------
    numpy.timedelta64
        In microseconds.

    Raises
    ------
    TypeError
        On a bare number without ``number_unit`` (naming the field), or another type.
    ValueError
        On text that is not a duration, NaT, or a non-finite number.

    Examples
    --------
    >>> to_duration("14d", field="half_life")
    np.timedelta64(1209600000000,'us')
    >>> to_duration("1d 12h", field="x") == to_duration(dt.timedelta(hours=36), field="x")
    np.True_
    >>> to_duration(14, field="half_life")
    Traceback (most recent call last):
    ...
    TypeError: 'half_life' must be a duration like datetime.timedelta(days=14) or a string such as '14d', '36h' or '90min'; a bare number (14) has no unit
    """  # noqa: E501
    if isinstance(value, np.timedelta64):
        if np.isnat(value):
            raise ValueError(f"{field!r} must be a duration, got NaT")
        out: np.timedelta64 = value.astype("timedelta64[us]")
        return out
    if isinstance(value, dt.timedelta):
        return np.timedelta64(value, "us")
    if isinstance(value, str):
        return np.timedelta64(_parse_text(value, field), "us")
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        if value == 0:  # zero of any unit is zero
            return np.timedelta64(0, "us")
        if number_unit is None:
            raise TypeError(_bare(field, value))
        if not math.isfinite(value):
            raise ValueError(f"{field!r} must be a finite number, got {value!r}")
        return np.timedelta64(round(float(value) * DURATION_UNITS[number_unit]), "us")
    raise TypeError(f"{field!r} must be a duration like {_EXAMPLE}, got {type(value).__name__}")
