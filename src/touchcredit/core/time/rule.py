"""Timestamp coercion: one rule for every entry point.

Every time the library stores is a ``datetime64[us]`` holding a UTC instant between
years 1 and 9999. Every builder (``from_arrays``, ``from_frame``, ``clean``, the
LeadSet builders, the CLI) and :func:`touchcredit.hygiene.timestamps.parse` read
times by this one rule:

* timezone-aware ``datetime`` objects and strings with an explicit offset keep their
  instant;
* naive values (``datetime`` without ``tzinfo``, ``numpy.datetime64``, strings
  without an offset) are wall-clock times in ``default_tz`` (UTC when None); a time
  the clocks repeat or skip there follows ``ambiguous=``/``nonexistent=``
  (:mod:`~touchcredit.core.time.local`: ``"raise"``, ``"earliest"`` or ``"latest"``);
* strings are read strictly (:mod:`~touchcredit.core.time.text`): a string without a
  full date (``"14:30"``, ``"5"``, ``"March"``, ``"2024"``) or with a zone name that
  is not known (``"EST"``) is an error, never completed with today's date or read as
  UTC;
* numbers are epoch times in ``unit=`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``);
  without ``unit`` the one unit that puts every value in 1990–2100 is used, and
  anything else is an error (:mod:`~touchcredit.core.time.epochs`);
* a column must not mix aware and naive ``datetime`` objects: that is nearly always
  two exports with different conventions, so it is an error, not a guess.

Errors name the field, the 1-based row and the value, and say what was expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import numpy as np

from touchcredit.core.arrays import TimeArray
from touchcredit.core.time.columns import EXPECTED_TYPE, TimeOptions, read_column
from touchcredit.core.time.epochs import MAX_US, MIN_US, check_unit
from touchcredit.core.time.local import check_choice, localize

__all__ = [
    "NAT",
    "UTC",
    "TimeRule",
    "TimeZoneLike",
    "as_tzinfo",
    "as_utc_datetime",
    "naive_local_to_utc",
    "read_times",
    "to_datetime64",
]

UTC = dt.UTC
NAT = np.datetime64("NaT", "us")

TimeZoneLike = dt.tzinfo | str | None
Rejects = dict[int, str]


def as_tzinfo(tz: TimeZoneLike) -> dt.tzinfo:
    """The ``tzinfo`` of a zone name or object (UTC when None).

    Examples
    --------
    >>> as_tzinfo(None) is UTC, str(as_tzinfo("Europe/Paris"))
    (True, 'Europe/Paris')
    >>> as_tzinfo("Mars/Base")
    Traceback (most recent call last):
    ...
    ValueError: time zone 'Mars/Base' is not known; expected an IANA name such as ...
    """
    if tz is None:
        return UTC
    if isinstance(tz, str):
        if tz.upper() == "UTC":
            return UTC
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):  # ValueError: "../x", absolute paths
            raise ValueError(
                f"time zone {tz!r} is not known; expected an IANA name such as "
                "'Europe/Paris', 'America/New_York' or 'UTC'"
            ) from None
    if not isinstance(tz, dt.tzinfo):
        raise TypeError(f"a time zone must be a name or a tzinfo, got {type(tz).__name__}")
    return tz


def naive_local_to_utc(values: TimeArray, tz: dt.tzinfo) -> TimeArray:
    """Read naive datetime64 values as wall-clock times in ``tz``; return UTC instants.

    Ambiguous and nonexistent local times raise (see
    :func:`touchcredit.core.time.local.localize` for the choices).

    Examples
    --------
    >>> naive_local_to_utc(np.array(["2024-07-01T12:00"], dtype="datetime64[us]"),
    ...                    as_tzinfo("Europe/Paris"))
    array(['2024-07-01T10:00:00.000000'], dtype='datetime64[us]')
    """
    out, rejects = localize(values, tz)
    if rejects:
        row = min(rejects)
        raise ValueError(f"row {row + 1}: {values[row]} {rejects[row]}")
    return out


def as_utc_datetime(
    value: Any, *, field: str, default_tz: TimeZoneLike = None, unit: str | None = None
) -> dt.datetime:
    """Turn one timestamp-like value into an aware UTC ``datetime``, by the library's rule.

    Parameters
    ----------
    value
        ``datetime``, ``date``, ``numpy.datetime64``, ISO/CRM string, or epoch number.
    field
        Name used in error messages.
    default_tz
        Zone for naive values (UTC when None).
    unit
        Unit of an epoch number (inferred when None).

    Examples
    --------
    >>> as_utc_datetime("2024-03-01T10:00:00+01:00", field="created_at")
    datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    >>> as_utc_datetime(dt.datetime(2024, 3, 1), field="created_at")
    datetime.datetime(2024, 3, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if value is None or isinstance(value, bytes | np.ndarray):
        raise TypeError(
            f"{field!r} must be a datetime, date, datetime64, date/time string or epoch "
            f"number, got {type(value).__name__} {value!r}"
        )
    one = np.empty(1, dtype=object)
    one[0] = value
    out, rejects = read_times(one, field=field, default_tz=default_tz, unit=unit)
    if rejects:
        error = TypeError if rejects[0].endswith(EXPECTED_TYPE) else ValueError
        raise error(f"{field!r} could not be read: {rejects[0]}")
    if np.isnat(out[0]):
        raise ValueError(f"{field!r} must be a timestamp, got {value!r}")
    got: dt.datetime = out[0].item()
    return got.replace(tzinfo=UTC)


def read_times(
    values: Any,
    *,
    default_tz: TimeZoneLike = None,
    unit: str | None = None,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
    dayfirst: bool | None = None,
    formats: Sequence[str] | None = None,
    field: str = "timestamp",
) -> tuple[TimeArray, Rejects]:
    """Read timestamps by the library's rule, collecting the rows that cannot be read.

    The collecting form of :func:`to_datetime64` (which raises on the first bad row);
    :func:`touchcredit.hygiene.timestamps.parse` builds on it.

    ``dayfirst`` is the day/month order of numeric dates such as ``01/05/2024``
    (None: decided by the column's values, see :mod:`touchcredit.core.time.order`).

    Returns
    -------
    values : datetime64[us] ndarray
        UTC instants; NaT for missing (None, NaN, NaT, blank) and rejected rows.
    rejects : dict of int to str
        0-based row -> why it was rejected (starting with the value).

    Raises
    ------
    ValueError, TypeError
        For column-level problems only: a bad argument, booleans, a two-dimensional
        input, aware and naive ``datetime`` objects mixed, numeric dates of both
        day/month orders (naming a row of each).

    Examples
    --------
    >>> out, bad = read_times(["2024-05-01", "14:30", None, 1714557600])
    >>> out.tolist()[0], bad
    (datetime.datetime(2024, 5, 1, 0, 0), {1: "'14:30' does not hold a full date (day, \
month and year)"})
    """
    options = TimeOptions(
        tz=as_tzinfo(default_tz),
        unit=check_unit(unit),
        ambiguous=check_choice(ambiguous, "ambiguous"),
        nonexistent=check_choice(nonexistent, "nonexistent"),
        dayfirst=dayfirst,
        formats=tuple(formats) if formats else None,
    )
    return read_column(values, options, field)


@attrs.frozen
class TimeRule:
    """The time-reading arguments of a builder, passed down as one value.

    Attributes
    ----------
    default_tz : str or tzinfo, optional
        Zone of naive values (UTC when None); an unknown name is a ValueError here.
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch numbers (inferred from their magnitude when None).
    ambiguous, nonexistent : {"raise", "earliest", "latest"}
        Naive times the clocks repeat / skip in ``default_tz``.
    dayfirst : bool, optional
        Day/month order of numeric dates such as ``01/05/2024`` (None: decided once
        per column from the values that settle it).

    Examples
    --------
    >>> TimeRule(unit="ms").read([1714557600000], field="ts")
    array(['2024-05-01T10:00:00.000000'], dtype='datetime64[us]')
    >>> TimeRule().read(["01/05/2024", "13/05/2024"], field="ts")  # one order per column
    array(['2024-05-01T00:00:00.000000', '2024-05-13T00:00:00.000000'],
          dtype='datetime64[us]')
    """

    default_tz: TimeZoneLike = attrs.field(default=None)
    unit: str | None = attrs.field(default=None, converter=check_unit)
    ambiguous: str = attrs.field(default="raise")
    nonexistent: str = attrs.field(default="raise")
    dayfirst: bool | None = attrs.field(default=None, kw_only=True)

    @default_tz.validator
    def _check_tz(self, attribute: Any, value: TimeZoneLike) -> None:
        as_tzinfo(value)

    @dayfirst.validator
    def _check_dayfirst(self, attribute: Any, value: bool | None) -> None:
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"'dayfirst' must be True, False or None, got {value!r}")

    @classmethod
    def given(
        cls,
        rule: TimeRule | None,
        *,
        default_tz: TimeZoneLike = None,
        unit: str | None = None,
        dayfirst: bool | None = None,
    ) -> TimeRule:
        """``rule``, or the rule of a builder's separate keywords (not both).

        Examples
        --------
        >>> TimeRule.given(None, unit="ms").unit
        'ms'
        >>> TimeRule.given(TimeRule(unit="s"), unit="ms")
        Traceback (most recent call last):
        ...
        ValueError: pass time= or default_tz=/unit=/dayfirst=, not both
        """
        if rule is None:
            return cls(default_tz, unit, dayfirst=dayfirst)
        if (default_tz, unit, dayfirst) != (None, None, None):
            raise ValueError("pass time= or default_tz=/unit=/dayfirst=, not both")
        return rule

    def read(
        self, values: Any, *, field: str, allow_missing: bool = False, copy: bool = True
    ) -> TimeArray:
        """:func:`to_datetime64` of ``values`` under this rule."""
        return to_datetime64(
            values,
            field=field,
            default_tz=self.default_tz,
            unit=self.unit,
            ambiguous=self.ambiguous,
            nonexistent=self.nonexistent,
            dayfirst=self.dayfirst,
            allow_missing=allow_missing,
            copy=copy,
        )


def to_datetime64(
    values: Any,
    *,
    field: str,
    default_tz: TimeZoneLike = None,
    unit: str | None = None,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
    dayfirst: bool | None = None,
    allow_missing: bool = False,
    copy: bool = True,
) -> TimeArray:
    """Coerce an array-like of timestamps to ``datetime64[us]`` UTC instants.

    Parameters
    ----------
    values
        ``numpy.datetime64`` array, array/sequence of ``datetime``/``date``/strings,
        or epoch numbers.
    field
        Column name for error messages.
    default_tz
        Zone in which naive values are read (UTC when None).
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch numbers; without it, the one unit putting every value in
        1990–2100 (see :mod:`touchcredit.core.time.epochs`).
    ambiguous, nonexistent : {"raise", "earliest", "latest"}
        Naive times the clocks repeat / skip in ``default_tz``
        (see :mod:`touchcredit.core.time.local`).
    dayfirst : bool, optional
        Day/month order of numeric dates (None: decided by the column's values).
    allow_missing
        When True, None/NaT/NaN/blank become NaT; otherwise they are an error naming
        the row.
    copy
        When False, an input that already is ``datetime64[us]`` UTC may be returned
        itself (no copy); the caller must then not modify the result.

    Raises
    ------
    ValueError, TypeError
        Naming the field, the first offending (1-based) row, its value and what was
        expected.

    Examples
    --------
    >>> to_datetime64([1714557600, 1714557600.5], field="timestamp")
    array(['2024-05-01T10:00:00.000000', '2024-05-01T10:00:00.500000'],
          dtype='datetime64[us]')
    >>> to_datetime64([0, 86400], field="timestamp", unit="s")
    array(['1970-01-01T00:00:00.000000', '1970-01-02T00:00:00.000000'],
          dtype='datetime64[us]')
    >>> to_datetime64(["2024-01-01 09:00"], field="ts", default_tz="Europe/Paris")
    array(['2024-01-01T08:00:00.000000'], dtype='datetime64[us]')
    >>> to_datetime64(["2024-01-01", "14:30"], field="ts")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'ts' could not be read: row 2: '14:30' does not hold a full date (...)
    """
    if (
        isinstance(values, np.ndarray)
        and values.dtype == np.dtype("datetime64[us]")
        and as_tzinfo(default_tz) is UTC
    ):
        out = values.copy() if copy else values
        us = out.view(np.int64)
        if out.size and (int(us.max()) > MAX_US or int(us.min()) < MIN_US):  # NaT is min
            far = ~np.isnat(out) & ((us < MIN_US) | (us > MAX_US))
            if far.any():
                row = int(np.flatnonzero(far)[0])
                raise ValueError(
                    f"{field!r} could not be read: row {row + 1}: {out[row]} is outside "
                    "years 1-9999"
                )
    else:
        out, rejects = read_times(
            values,
            default_tz=default_tz,
            unit=unit,
            ambiguous=ambiguous,
            nonexistent=nonexistent,
            dayfirst=dayfirst,
            field=field,
        )
        if rejects:
            row = min(rejects)
            error = TypeError if rejects[row].endswith(EXPECTED_TYPE) else ValueError
            raise error(f"{field!r} could not be read: row {row + 1}: {rejects[row]}")
    if out.ndim != 1:
        raise ValueError(f"{field!r} must be one-dimensional, got shape {out.shape}")
    if not allow_missing:
        nat = np.isnat(out)
        if nat.any():
            row = int(np.flatnonzero(nat)[0])
            raise ValueError(
                f"{field!r} must be a timestamp in every row; row {row + 1} is missing "
                "(NaT/None/NaN/blank)"
            )
    return out
