"""Naive wall-clock times read in a time zone, including the hours clocks skip or repeat.

When clocks go back, a wall-clock time happens twice (*ambiguous*); when they go
forward, some wall-clock times never happen (*nonexistent*). Both have two candidate
instants: the time read with the offset before the change and with the offset after
it. The rule, for ``ambiguous=`` and ``nonexistent=`` alike:

* ``"raise"`` (the default): an error naming the row; the data needs a decision;
* ``"earliest"``: the earlier of the two candidate instants;
* ``"latest"``: the later one.

For 01:30 on the night New York falls back (EDT to EST), ``"earliest"`` is 05:30
UTC and ``"latest"`` 06:30 UTC. For 02:30 on the night it springs forward (a time
that never happened), ``"earliest"`` is 06:30 UTC (read as EDT) and ``"latest"``
07:30 UTC (read as EST).

Offsets are looked up once per distinct hour; an hour in which the zone's offset
changes (also at :30 or :45, as in Australia/Lord_Howe and Pacific/Chatham) is
resolved value by value.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np

from touchcredit.core.arrays import TimeArray

__all__ = ["TIME_CHOICES", "TimeChoice", "check_choice", "localize"]

TimeChoice = Literal["raise", "earliest", "latest"]
#: Accepted values of ``ambiguous=`` and ``nonexistent=``.
TIME_CHOICES: tuple[TimeChoice, ...] = ("raise", "earliest", "latest")

Rejects = dict[int, str]
_HOUR_END = dt.timedelta(hours=1) - dt.timedelta(microseconds=1)


def check_choice(value: str, name: str) -> TimeChoice:
    """Validate an ``ambiguous=``/``nonexistent=`` argument.

    Examples
    --------
    >>> check_choice("earliest", "ambiguous")
    'earliest'
    >>> check_choice("NaT", "nonexistent")
    Traceback (most recent call last):
    ...
    ValueError: 'nonexistent' must be 'raise', 'earliest' or 'latest', got 'NaT'
    """
    for choice in TIME_CHOICES:
        if value == choice:
            return choice
    raise ValueError(f"{name!r} must be 'raise', 'earliest' or 'latest', got {value!r}")


def _fixed_offset(tz: dt.tzinfo) -> dt.timedelta | None:
    if isinstance(tz, dt.timezone):
        return tz.utcoffset(None)
    return None


def localize(
    values: TimeArray,
    tz: dt.tzinfo,
    *,
    ambiguous: TimeChoice = "raise",
    nonexistent: TimeChoice = "raise",
) -> tuple[TimeArray, Rejects]:
    """Read naive ``datetime64[us]`` values as wall-clock times in ``tz``.

    Returns the UTC instants (NaT stays NaT; rejected rows become NaT) and
    ``{row: reason}`` (0-based rows) for ambiguous or nonexistent times under
    ``"raise"``.

    Examples
    --------
    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> fall_back = np.array(["2024-11-03T01:30"], dtype="datetime64[us]")
    >>> localize(fall_back, ny, ambiguous="earliest")[0]
    array(['2024-11-03T05:30:00.000000'], dtype='datetime64[us]')
    >>> print(localize(fall_back, ny)[1][0])
    is ambiguous in America/New_York (clocks go back): pass ambiguous="earliest" or "latest"
    >>> chatham = ZoneInfo("Pacific/Chatham")  # clocks go forward at 02:45
    >>> localize(np.array(["2024-09-29T02:50"], dtype="datetime64[us]"), chatham)[0]
    array(['NaT'], dtype='datetime64[us]')
    >>> localize(np.array(["2024-09-29T02:40"], dtype="datetime64[us]"), chatham)[0]
    array(['2024-09-28T13:55:00.000000'], dtype='datetime64[us]')
    """
    values = values.astype("datetime64[us]", copy=False)
    fixed = _fixed_offset(tz)
    if fixed is not None:
        return values - np.timedelta64(fixed, "us"), {}
    hours = values.astype("datetime64[h]")
    uniq, inverse = np.unique(hours, return_inverse=True)
    inverse = inverse.reshape(values.shape)
    offsets = np.zeros(uniq.size, dtype="timedelta64[us]")
    changing = np.zeros(uniq.size, dtype=bool)
    for k, hour in enumerate(uniq.tolist()):  # one per distinct hour
        if hour is None:  # NaT
            continue
        start = hour.replace(tzinfo=tz)
        end = (hour + _HOUR_END).replace(tzinfo=tz)
        seen = {
            start.utcoffset(),
            start.replace(fold=1).utcoffset(),
            end.utcoffset(),
            end.replace(fold=1).utcoffset(),
        }
        if len(seen) == 1:
            offsets[k] = np.timedelta64(seen.pop() or dt.timedelta(0), "us")
        else:
            changing[k] = True
    out = values - offsets[inverse]
    rejects: Rejects = {}
    if changing.any():
        for i in np.flatnonzero(changing[inverse]).tolist():  # hours with a clock change
            got, why = _one(values[i].item(), tz, ambiguous, nonexistent)
            out[i] = np.datetime64("NaT", "us") if got is None else np.datetime64(got, "us")
            if why is not None:
                rejects[i] = why
    return out, rejects


def _one(
    local: dt.datetime, tz: dt.tzinfo, ambiguous: TimeChoice, nonexistent: TimeChoice
) -> tuple[dt.datetime | None, str | None]:
    """UTC (naive) instant of one wall-clock time, or None with the reason."""
    candidates = []
    for fold in (0, 1):
        off = local.replace(tzinfo=tz, fold=fold).utcoffset() or dt.timedelta(0)
        utc = local - off
        back = utc.replace(tzinfo=dt.UTC).astimezone(tz).replace(tzinfo=None)
        candidates.append((utc, back == local))
    real = [utc for utc, ok in candidates if ok]
    if len(set(real)) == 1:
        return real[0], None
    both = sorted(utc for utc, _ in candidates)
    if len(set(real)) > 1:
        choice, what, why = ambiguous, "ambiguous", "clocks go back"
    else:
        choice, what, why = nonexistent, "nonexistent", "clocks skip it"
    if choice == "raise":
        return None, f'is {what} in {tz} ({why}): pass {what}="earliest" or "latest"'
    return (both[0] if choice == "earliest" else both[-1]), None
