"""Timestamp strings to UTC instants: the library's one strict reading of text.

* with pyarrow installed, a large column (and any Arrow column) is first read by
  Arrow's ISO 8601 parser (:mod:`~touchcredit.core.time.iso`), which reads only what
  the rules below read the same way; the rest follows them;
* plain ISO 8601 (``2024-03-15``, ``2024-03-15T14:30:00``) is read by numpy, all at
  once (a batch holding a bad string is split until the bad ones are found, so one
  bad value does not send every string to the slow path);
* with ``formats`` given: each ``datetime.strptime`` format in turn, first match wins;
* otherwise python-dateutil: ISO 8601 with offsets, and common CRM exports such as
  ``03/15/2024 2:30 PM`` or ``15.03.2024 14:30`` (``dayfirst`` settles ``03/04/2024``).

A string without a full date (``"14:30"``, ``"5"``, ``"March"``, ``"2024"``) is
rejected rather than completed with today's date or January 1st; so is a zone name
dateutil does not know (``"EST"`` would otherwise be dropped and the time read as
UTC). Strings with an offset keep their instant; naive ones are read in the default
zone by :func:`touchcredit.core.time.local.localize`. Each distinct string is parsed
once; blank strings are missing (NaT), not errors.
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from dateutil import parser as _dateparser

from touchcredit.core.time.epochs import MAX_US, MIN_US
from touchcredit.core.time.iso import read_iso
from touchcredit.core.time.local import TimeChoice, localize

__all__ = ["ARROW_MIN_ROWS", "TextChoices", "parse_arrow", "parse_distinct", "parse_strings"]

#: Below this many strings, pyarrow is used only when something already imported it.
ARROW_MIN_ROWS = 100_000

TimeArray = npt.NDArray[np.datetime64]
Rejects = dict[int, str]
NAT = np.datetime64("NaT", "us")
# Two defaults with different dates: a field dateutil took from the default differs.
_FAR = (dt.datetime(1904, 2, 29), dt.datetime(2000, 3, 3))
_SPLIT_BELOW = 16
_FIXED_WIDTH = 64  # longest string worth a fixed-width copy (a 1 MB value is not)
_NOT_FULL = "does not hold a full date (day, month and year)"


def _one(text: str, dayfirst: bool, formats: Sequence[str] | None) -> dt.datetime:
    """Parse one string to a datetime (aware when it names an offset); ValueError why."""
    if formats:
        for fmt in formats:
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValueError(f"matches none of the formats {list(formats)}")
    try:
        value = _dateparser.isoparse(text)
    except (ValueError, OverflowError):
        return _loose(text, dayfirst)
    date_part = text.replace("T", " ").split(" ", 1)[0]
    if sum(c.isdigit() for c in date_part) < 7:  # "2024", "2024-05", "2024-W05"
        raise ValueError(_NOT_FULL)
    return value


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
        raise ValueError(_NOT_FULL)
    return a


def _plain_iso(s: str) -> bool:
    """A date or date-time string without zone, which numpy reads without warning."""
    return (
        len(s) >= 10
        and s[4] == "-"
        and s[7] == "-"
        and s[-1].isdigit()
        and "+" not in s
        and s.count("-") == 2
    )


def _numpy_read(strings: npt.NDArray[Any], out: TimeArray, ok: npt.NDArray[np.bool_]) -> None:
    """numpy's parse of ``strings`` into ``out``; splits a failing batch in halves."""
    try:
        out[:] = strings.astype("datetime64[us]")
        ok[:] = True
        return
    except ValueError:
        pass
    if strings.size <= _SPLIT_BELOW:
        for i, s in enumerate(strings.tolist()):
            try:
                out[i] = np.datetime64(s, "us")
                ok[i] = True
            except ValueError:
                continue
        return
    mid = strings.size // 2
    _numpy_read(strings[:mid], out[:mid], ok[:mid])
    _numpy_read(strings[mid:], out[mid:], ok[mid:])


def _iso_fast(strings: npt.NDArray[Any]) -> tuple[TimeArray, npt.NDArray[np.bool_]]:
    """numpy's own parse of the plain ISO strings; mask of the strings it read."""
    out = np.full(strings.size, NAT)
    ok = np.zeros(strings.size, dtype=bool)
    plain = np.fromiter(map(_plain_iso, strings.tolist()), dtype=bool, count=strings.size)
    if plain.any():
        got = np.full(int(plain.sum()), NAT)
        read = np.zeros(got.size, dtype=bool)
        _numpy_read(strings[plain], got, read)
        out[plain] = got
        ok[plain] = read
    return out, ok


def _in_range(values: TimeArray) -> npt.NDArray[np.bool_]:
    us = values.view(np.int64)
    out: npt.NDArray[np.bool_] = np.isnat(values) | ((us >= MIN_US) & (us <= MAX_US))
    return out


def parse_strings(
    strings: npt.NDArray[Any],
    tz: dt.tzinfo,
    *,
    dayfirst: bool = False,
    formats: Sequence[str] | None = None,
    ambiguous: TimeChoice = "raise",
    nonexistent: TimeChoice = "raise",
) -> tuple[TimeArray, Rejects]:
    """Read an array of ``str`` as UTC ``datetime64[us]`` (see the module docstring).

    Returns the instants (NaT for blank and rejected strings) and ``{row: reason}``
    with 0-based rows; the reason starts with the value as read. A large array is read
    by :func:`parse_arrow` when pyarrow is installed (same values, same reasons).

    Examples
    --------
    >>> import datetime as dt
    >>> out, bad = parse_strings(np.array(["2024-03-15", "03/15/2024 2:30 PM", "14:30"]),
    ...                          dt.UTC)
    >>> out[:2].tolist(), bad
    ([datetime.datetime(2024, 3, 15, 0, 0), datetime.datetime(2024, 3, 15, 14, 30)], \
{2: "'14:30' does not hold a full date (day, month and year)"})
    """
    choices = TextChoices(dayfirst, tuple(formats) if formats else None, ambiguous, nonexistent)
    column = _as_arrow(strings) if not formats else None
    if column is not None:
        return parse_arrow(column, tz, choices)
    return parse_distinct(strings, tz, choices)


@attrs.frozen
class TextChoices:
    """How text is read beyond the zone: day first, strptime formats, clock changes."""

    dayfirst: bool = False
    formats: tuple[str, ...] | None = None
    ambiguous: TimeChoice = "raise"
    nonexistent: TimeChoice = "raise"


def _as_arrow(strings: npt.NDArray[Any]) -> Any | None:
    """A large array of ``str`` as an Arrow string array (None: keep numpy)."""
    if strings.shape[0] < ARROW_MIN_ROWS and "pyarrow" not in sys.modules:
        return None  # importing pyarrow costs more than a small column
    try:
        import pyarrow as pa
    except ImportError:
        return None
    try:
        return pa.array(strings, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def parse_arrow(column: Any, tz: dt.tzinfo, choices: TextChoices) -> tuple[TimeArray, Rejects]:
    """:func:`parse_strings` of an Arrow string column (nulls are missing).

    ISO 8601 rows are read by Arrow's parser (:func:`~touchcredit.core.time.iso.read_iso`);
    the others, one per distinct string, by :func:`parse_distinct`.

    Examples
    --------
    >>> import pyarrow as pa
    >>> out, bad = parse_arrow(pa.array(["2024-03-15T14:30Z", None, "March"]), dt.UTC,
    ...                        TextChoices())
    >>> out.tolist()[:2], bad
    ([datetime.datetime(2024, 3, 15, 14, 30), None], \
{2: "'March' does not hold a full date (day, month and year)"})
    """
    if choices.formats:  # strptime formats: each distinct string in Python
        values = column.to_numpy(zero_copy_only=False)
        present = np.flatnonzero(~column.is_null().to_numpy(zero_copy_only=False))
        return _at_rows(present, len(column), parse_distinct(values[present], tz, choices))
    got = read_iso(column)
    n = got.us.shape[0]
    slow = np.flatnonzero(~got.done)
    if not slow.size and not got.missing.any() and (tz is dt.UTC or got.aware.all()):
        return got.us.view("datetime64[us]"), {}  # the common export: one cast, no copy
    out, bad = _at_rows(
        slow, n, parse_distinct(column.take(slow).to_numpy(zero_copy_only=False), tz, choices)
    )
    fast = got.done & ~got.missing
    aware = fast & got.aware
    out[aware] = got.us[aware].view("datetime64[us]")
    naive = np.flatnonzero(fast & ~got.aware)
    if naive.size and tz is not dt.UTC:
        utc, rejects = localize(
            got.us[naive].view("datetime64[us]"),
            tz,
            ambiguous=choices.ambiguous,
            nonexistent=choices.nonexistent,
        )
        out[naive] = utc
        for j, why in rejects.items():
            row = int(naive[j])
            out[row] = NAT
            bad[row] = f"{str(column[row].as_py()).strip()!r} {why}"
    elif naive.size:
        out[naive] = got.us[naive].view("datetime64[us]")
    return out, bad


def _at_rows(
    rows: npt.NDArray[np.int64], n: int, got: tuple[TimeArray, Rejects]
) -> tuple[TimeArray, Rejects]:
    """Results read for ``rows`` of an ``n``-row column placed at those rows."""
    out = np.full(n, NAT)
    out[rows] = got[0]
    return out, {int(rows[j]): why for j, why in got[1].items()}


def parse_distinct(
    strings: npt.NDArray[Any], tz: dt.tzinfo, choices: TextChoices
) -> tuple[TimeArray, Rejects]:
    """:func:`parse_strings` by numpy and dateutil, once per distinct string.

    Examples
    --------
    >>> parse_distinct(np.array(["2024-03-15", "2024-03-15"]), dt.UTC, TextChoices())[1]
    {}
    """
    dayfirst, formats = choices.dayfirst, choices.formats
    ambiguous, nonexistent = choices.ambiguous, choices.nonexistent
    n = strings.shape[0]
    out = np.full(n, NAT)
    if n == 0:
        return out, {}
    if strings.dtype.kind == "O" and max(map(len, strings.tolist())) <= _FIXED_WIDTH:
        strings = strings.astype(str)  # short strings: numpy's strip and unique are faster
    stripped = np.char.strip(strings.astype(str)) if strings.dtype.kind != "O" else None
    if stripped is None:
        stripped_list = [s.strip() for s in strings.tolist()]
        uniq_list = sorted(set(stripped_list))
        position = {s: k for k, s in enumerate(uniq_list)}
        inverse = np.fromiter((position[s] for s in stripped_list), dtype=np.int64, count=n)
        uniq = np.empty(len(uniq_list), dtype=object)
        uniq[:] = uniq_list
    else:
        uniq, inverse = np.unique(stripped, return_inverse=True)
        inverse = inverse.reshape(-1)
    naive, done = _iso_fast(uniq) if not formats else (np.full(uniq.size, NAT), None)
    aware = np.full(uniq.size, NAT)
    is_aware = np.zeros(uniq.size, dtype=bool)
    failed: dict[int, str] = {}
    todo = np.flatnonzero(~done) if done is not None else np.arange(uniq.size)
    for k in todo.tolist():  # one per distinct string the fast path did not read
        text = str(uniq[k])
        if not text:
            continue  # blank: missing
        try:
            got = _one(text, dayfirst, formats)
        except ValueError as exc:
            failed[k] = f"{text!r} {exc}"
            continue
        try:
            off = got.utcoffset() if got.tzinfo is not None else None
        except ValueError:  # dateutil reads "+24:00"; Python refuses such an offset
            failed[k] = f"{text!r} has a UTC offset of 24 hours or more"
            continue
        if off is None:
            naive[k] = np.datetime64(got.replace(tzinfo=None), "us")
        else:  # numpy arithmetic: an offset can move year 1 before the epoch range ends
            aware[k] = np.datetime64(got.replace(tzinfo=None), "us") - np.timedelta64(off, "us")
            is_aware[k] = True
    local = ~is_aware & ~np.isnat(naive)
    year_zero = local & ~_in_range(naive)  # numpy reads year 0; Python's zones cannot
    for k in np.flatnonzero(year_zero).tolist():
        failed[k] = f"{str(uniq[k])!r} is outside years 1-9999 in UTC"
    local &= ~year_zero
    if local.any():
        utc, rejects = localize(naive[local], tz, ambiguous=ambiguous, nonexistent=nonexistent)
        aware[local] = utc
        where = np.flatnonzero(local)
        for j, why in rejects.items():
            k = int(where[j])
            failed[k] = f"{str(uniq[k])!r} {why}"
    far = ~_in_range(aware)
    for k in np.flatnonzero(far).tolist():
        failed[k] = f"{str(uniq[k])!r} is outside years 1-9999 in UTC"
    if failed:
        aware[np.fromiter(failed, dtype=np.int64, count=len(failed))] = NAT
    out = aware[inverse]
    bad: Rejects = {}
    if failed:
        rows = np.isin(inverse, np.fromiter(failed, dtype=np.int64, count=len(failed)))
        for i in np.flatnonzero(rows).tolist():
            bad[i] = failed[int(inverse[i])]
    return out, bad
