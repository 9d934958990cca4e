"""Timestamp strings to UTC instants: the library's one strict reading of text.

* with pyarrow installed, a large column (and any Arrow column) is first read by
  Arrow's ISO 8601 parser (:mod:`~touchcredit.core.time.iso`), which reads only what
  the rules below read the same way; the rest follows them;
* plain ISO 8601 (``2024-03-15``, ``2024-03-15T14:30:00``) is read by numpy, all at
  once (a batch holding a bad string is split until the bad ones are found, so one
  bad value does not send every string to the slow path);
* with ``formats`` given: each ``datetime.strptime`` format in turn, first match wins;
* otherwise python-dateutil: ISO 8601 with offsets, and common CRM exports such as
  ``03/15/2024 2:30 PM`` or ``15.03.2024 14:30``, the day/month order of such dates
  decided once per column (:mod:`~touchcredit.core.time.order`); zone suffixes such as
  ``GMT+1`` with their civil meaning (:mod:`~touchcredit.core.time.suffix`);
* numbers written as text (``"1714557600"``) are epoch times, read by the unit rule of
  :mod:`~touchcredit.core.time.epochs`; eight digits (``20240501``) are a date.

A string without a full date (``"14:30"``, ``"5"``, ``"March"``, ``"2024"``) is
rejected rather than completed with today's date or January 1st; so is a zone name
dateutil does not know (``"EST"`` would otherwise be dropped and the time read as
UTC). Strings with an offset keep their instant; naive ones are read in the default
zone by :func:`touchcredit.core.time.local.localize`. Each distinct string is parsed
once; blank strings are missing (NaT), not errors.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from dateutil import parser as _dateparser

from touchcredit.core import backends
from touchcredit.core.arrays import TimeArray
from touchcredit.core.time.epochs import (
    MAX_US,
    MIN_US,
    EpochUnit,
    is_number_text,
    read_number_text,
)
from touchcredit.core.time.iso import read_iso
from touchcredit.core.time.local import TimeChoice, localize
from touchcredit.core.time.order import decide_order
from touchcredit.core.time.suffix import civil_offset

__all__ = ["ARROW_MIN_ROWS", "TextChoices", "parse_arrow", "parse_distinct", "parse_strings"]

#: Below this many strings, pyarrow is used only when something already imported it.
ARROW_MIN_ROWS = 100_000

Rejects = dict[int, str]
NAT = np.datetime64("NaT", "us")
# Two defaults with different dates: a field dateutil took from the default differs.
_FAR = (dt.datetime(1904, 2, 29), dt.datetime(2000, 3, 3))
_SPLIT_BELOW = 16
_FIXED_WIDTH = 64  # longest string worth a fixed-width copy (a 1 MB value is not)
_NOT_FULL = "does not hold a full date (day, month and year)"
_DIGITS = "digits alone are a date only as YYYYMMDD, else an epoch time (9+ digits or unit=)"


def _one(text: str, dayfirst: bool, formats: Sequence[str] | None) -> dt.datetime:
    """Parse one string to a datetime (aware when it names an offset); ValueError why."""
    text = civil_offset(text)
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


def _distinct(strings: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """The distinct stripped strings and the index of each row's string among them."""
    n = strings.shape[0]
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
    return uniq, inverse


def _by_column(
    texts: dict[int, str],
    choices: TextChoices,
    first: npt.NDArray[np.int64],
    out: TimeArray,
    is_aware: npt.NDArray[np.bool_],
    failed: dict[int, str],
) -> set[int]:
    """What is decided for the whole column before dateutil reads a value.

    Numbers are read as epochs (in one unit), digits that are neither an epoch nor
    YYYYMMDD rejected, and the day/month order decided; settled values leave
    ``texts``. Returns the keys of the numeric dates to read day first.
    """
    numbers = [k for k, t in texts.items() if is_number_text(t)]
    for k in [k for k in numbers if not _epoch_like(texts[k], choices.unit)]:
        failed[k] = f"{texts.pop(k)!r} {_NOT_FULL}; {_DIGITS}"
    numbers = [k for k in numbers if k in texts]
    if numbers:
        epochs, bad_epochs = read_number_text([texts[k] for k in numbers], unit=choices.unit)
        for j, k in enumerate(numbers):
            if j in bad_epochs:
                failed[k] = bad_epochs[j]
            else:
                out[k], is_aware[k] = epochs[j], True
            del texts[k]
    keys = list(texts)
    order = decide_order([texts[k] for k in keys], [int(first[k]) for k in keys], choices.dayfirst)
    for j, why in order.rejects.items():
        failed[keys[j]] = why
        del texts[keys[j]]
    return {keys[j] for j in order.numeric} if order.dayfirst else set()


def _epoch_like(text: str, unit: EpochUnit | None) -> bool:
    """A number read as an epoch time: with ``unit=``, or 9+ digits (1990-2100 in s)."""
    whole = text.lstrip("+-").split(".", 1)[0]
    return unit is not None or len(whole) >= 9


def _first_rows(
    inverse: npt.NDArray[np.int64], size: int, rows: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64]:
    """The column row where each distinct string first appears."""
    first = np.full(size, inverse.shape[0], dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(inverse.shape[0], dtype=np.int64))
    return first if rows is None else np.asarray(rows, dtype=np.int64)[first]


def _in_range(values: TimeArray) -> npt.NDArray[np.bool_]:
    us = values.view(np.int64)
    out: npt.NDArray[np.bool_] = np.isnat(values) | ((us >= MIN_US) & (us <= MAX_US))
    return out


def parse_strings(
    strings: npt.NDArray[Any],
    tz: dt.tzinfo,
    *,
    dayfirst: bool | None = None,
    formats: Sequence[str] | None = None,
    ambiguous: TimeChoice = "raise",
    nonexistent: TimeChoice = "raise",
    unit: EpochUnit | None = None,
    rows: npt.NDArray[np.int64] | None = None,
) -> tuple[TimeArray, Rejects]:
    """Read an array of ``str`` as UTC ``datetime64[us]`` (see the module docstring).

    Returns the instants (NaT for blank and rejected strings) and ``{row: reason}``
    with 0-based rows; the reason starts with the value as read. A large array is read
    by :func:`parse_arrow` when pyarrow is installed (same values, same reasons).
    ``rows`` are the column rows of ``strings`` (for messages naming rows; default
    0, 1, ...); ``unit`` the unit of epoch numbers written as text.

    Raises
    ------
    touchcredit.core.time.order.DayOrderConflict
        When ``dayfirst`` is None and the numeric dates contradict each other.

    Examples
    --------
    >>> import datetime as dt
    >>> out, bad = parse_strings(np.array(["2024-03-15", "03/15/2024 2:30 PM", "14:30"]),
    ...                          dt.UTC)
    >>> out[:2].tolist(), bad
    ([datetime.datetime(2024, 3, 15, 0, 0), datetime.datetime(2024, 3, 15, 14, 30)], \
{2: "'14:30' does not hold a full date (day, month and year)"})
    """
    choices = TextChoices(
        dayfirst, tuple(formats) if formats else None, ambiguous, nonexistent, unit
    )
    column = _as_arrow(strings) if not formats else None
    if column is not None:
        got, bad = parse_arrow(column, tz, choices, rows)
        return got, bad
    return parse_distinct(strings, tz, choices, rows)


@attrs.frozen
class TextChoices:
    """How text is read beyond the zone: day/month order (None: decided by the column),
    strptime formats, clock changes, the unit of epoch numbers written as text."""

    dayfirst: bool | None = None
    formats: tuple[str, ...] | None = None
    ambiguous: TimeChoice = "raise"
    nonexistent: TimeChoice = "raise"
    unit: EpochUnit | None = None


def _as_arrow(strings: npt.NDArray[Any]) -> Any | None:
    """A large array of ``str`` as an Arrow string array (None: keep numpy)."""
    if strings.shape[0] < ARROW_MIN_ROWS and not backends.loaded("pyarrow"):
        return None  # importing pyarrow costs more than a small column
    pa = backends.optional("pyarrow")
    if pa is None:
        return None
    try:
        return pa.array(strings, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def parse_arrow(
    column: Any,
    tz: dt.tzinfo,
    choices: TextChoices,
    rows: npt.NDArray[np.int64] | None = None,
) -> tuple[TimeArray, Rejects]:
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
        return _at_rows(
            present, len(column), parse_distinct(values[present], tz, choices, _of(rows, present))
        )
    got = read_iso(column)
    n = got.us.shape[0]
    slow = np.flatnonzero(~got.done)
    if not slow.size and not got.missing.any() and (tz is dt.UTC or got.aware.all()):
        return got.us.view("datetime64[us]"), {}  # the common export: one cast, no copy
    slow_text = column.take(slow).to_numpy(zero_copy_only=False)
    out, bad = _at_rows(slow, n, parse_distinct(slow_text, tz, choices, _of(rows, slow)))
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


def _of(rows: npt.NDArray[np.int64] | None, at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The column rows of positions ``at`` (``rows`` None: positions are rows)."""
    return at if rows is None else rows[at]


def _at_rows(
    rows: npt.NDArray[np.int64], n: int, got: tuple[TimeArray, Rejects]
) -> tuple[TimeArray, Rejects]:
    """Results read for ``rows`` of an ``n``-row column placed at those rows."""
    out = np.full(n, NAT)
    out[rows] = got[0]
    return out, {int(rows[j]): why for j, why in got[1].items()}


def parse_distinct(
    strings: npt.NDArray[Any],
    tz: dt.tzinfo,
    choices: TextChoices,
    rows: npt.NDArray[np.int64] | None = None,
) -> tuple[TimeArray, Rejects]:
    """:func:`parse_strings` by numpy and dateutil, once per distinct string.

    Numbers written as text (other than eight-digit ``YYYYMMDD`` dates) are epoch
    times, read by the magnitude rule of :mod:`~touchcredit.core.time.epochs` over all
    of them; numeric dates such as ``01/05/2024`` are read in the one day/month order
    :func:`~touchcredit.core.time.order.decide_order` gives the column.

    Examples
    --------
    >>> parse_distinct(np.array(["2024-03-15", "2024-03-15"]), dt.UTC, TextChoices())[1]
    {}
    """
    formats = choices.formats
    ambiguous, nonexistent = choices.ambiguous, choices.nonexistent
    n = strings.shape[0]
    out = np.full(n, NAT)
    if n == 0:
        return out, {}
    uniq, inverse = _distinct(strings)
    naive, done = _iso_fast(uniq) if not formats else (np.full(uniq.size, NAT), None)
    aware = np.full(uniq.size, NAT)
    is_aware = np.zeros(uniq.size, dtype=bool)
    failed: dict[int, str] = {}
    todo = np.flatnonzero(~done) if done is not None else np.arange(uniq.size)
    texts = {k: str(uniq[k]) for k in todo.tolist() if uniq[k]}  # blank: missing
    day_first: set[int] = set()
    if not formats and texts:  # column-level decisions over the values left to dateutil
        first = _first_rows(inverse, uniq.size, rows)
        day_first = _by_column(texts, choices, first, aware, is_aware, failed)
    for k, text in texts.items():  # one per distinct string the fast path did not read
        try:  # dateutil's dayfirst only for d/m/y text: it reads 2024/05/01 as 5 January
            got = _one(text, k in day_first, formats)
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
        hit = np.isin(inverse, np.fromiter(failed, dtype=np.int64, count=len(failed)))
        for i in np.flatnonzero(hit).tolist():
            bad[i] = failed[int(inverse[i])]
    return out, bad
