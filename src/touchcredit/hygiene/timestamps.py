"""Timestamps from CRM and analytics exports: strings to UTC ``datetime64[us]``.

The library's one rule (:mod:`touchcredit.core.time.rule`), with two additions for
messy exports: ``formats`` (``strptime`` formats to try) and ``errors="report"``
(unreadable rows listed instead of raised). Strings are read as

* plain ISO 8601 (``2024-03-15``, ``2024-03-15T14:30:00``): by numpy, all at once;
* with ``formats`` given: each ``datetime.strptime`` format in turn, first match wins;
* otherwise by python-dateutil: ISO 8601 with offsets, and common CRM exports such as
  ``03/15/2024 2:30 PM`` or ``15.03.2024 14:30`` (``dayfirst`` settles ambiguous
  ``03/04/2024``).

A string without a full date (``"14:30"``, ``"March"``, ``"2024"``) is rejected rather
than completed with today's date; so is a zone name dateutil does not know (``"EST"``
would otherwise be silently dropped). Each distinct string is parsed once. Missing
values (None, NaN, NaT, blank strings) become NaT and are not errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import TimeArray
from touchcredit.core.time import TimeZoneLike, read_times

__all__ = ["ParsedTimes", "parse"]


@attrs.frozen(eq=False)
class ParsedTimes:
    """Result of ``parse(..., errors="report")``.

    Attributes
    ----------
    values : datetime64[us] ndarray
        UTC instants; NaT for missing and rejected rows.
    rejected_rows : int64 ndarray
        Rows that could not be read, ascending (0-based positions in the input).
    reasons : tuple of str
        Why, one per rejected row, naming the row 1-based (``"row 3: ..."``).
    """

    values: TimeArray
    rejected_rows: npt.NDArray[np.int64]
    reasons: tuple[str, ...]


@overload
def parse(
    values: Any,
    default_tz: TimeZoneLike = ...,
    dayfirst: bool | None = ...,
    formats: Sequence[str] | None = ...,
    *,
    errors: Literal["raise"] = ...,
    field: str = ...,
    unit: str | None = ...,
    ambiguous: str = ...,
    nonexistent: str = ...,
) -> TimeArray: ...


@overload
def parse(
    values: Any,
    default_tz: TimeZoneLike = ...,
    dayfirst: bool | None = ...,
    formats: Sequence[str] | None = ...,
    *,
    errors: Literal["report"],
    field: str = ...,
    unit: str | None = ...,
    ambiguous: str = ...,
    nonexistent: str = ...,
) -> ParsedTimes: ...


def parse(
    values: Any,
    default_tz: TimeZoneLike = None,
    dayfirst: bool | None = None,
    formats: Sequence[str] | None = None,
    *,
    errors: Literal["raise", "report"] = "raise",
    field: str = "timestamp",
    unit: str | None = None,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
) -> TimeArray | ParsedTimes:
    """Read timestamps (strings, datetimes, datetime64, epoch numbers) as UTC instants.

    Parameters
    ----------
    values : array-like
        One value per row, read by :func:`touchcredit.core.time.rule.read_times`.
    default_tz : str or tzinfo, optional
        Zone of naive values (UTC when None), e.g. ``"America/New_York"``.
    dayfirst : bool, optional
        Day/month order of numeric dates such as ``03/04/2024``: True reads 3 April,
        False 4 March; None (default) decides once for the column from the values that
        settle it (``13/04/2024``), dotted dates day first, others month first
        (:mod:`touchcredit.core.time.order`).
    formats : sequence of str, optional
        ``strptime`` formats to try, in order, instead of dateutil.
    errors : {"raise", "report"}
        ``"raise"``: the first unreadable row raises. ``"report"``: unreadable rows
        become NaT and are listed in the returned :class:`ParsedTimes`.
    field : str
        Column name used in messages.
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch numbers (inferred from their magnitude when None).
    ambiguous, nonexistent : {"raise", "earliest", "latest"}
        Naive times the clocks repeat / skip in ``default_tz``
        (:mod:`touchcredit.core.time.local`).

    Returns
    -------
    datetime64[us] ndarray, or ParsedTimes with ``errors="report"``

    Raises
    ------
    ValueError
        With ``errors="raise"``, naming the field, the first bad row (1-based), its
        value and why.

    Examples
    --------
    >>> parse(["2024-03-15", "03/15/2024 2:30 PM", "03/15/2024 14:30",
    ...        "2024-03-15T14:30:00+01:00", None])
    array(['2024-03-15T00:00:00.000000', '2024-03-15T14:30:00.000000',
           '2024-03-15T14:30:00.000000', '2024-03-15T13:30:00.000000',
                                  'NaT'], dtype='datetime64[us]')
    >>> parse(["2024-07-01 09:00"], default_tz="Europe/Paris")
    array(['2024-07-01T07:00:00.000000'], dtype='datetime64[us]')
    >>> r = parse(["2024-01-02", "soon", "14:30"], errors="report")
    >>> r.rejected_rows.tolist(), r.reasons[1]
    ([1, 2], "row 3: '14:30' does not hold a full date (day, month and year)")
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report'; got {errors!r}")
    out, rejects = read_times(
        values,
        default_tz=default_tz,
        unit=unit,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
        dayfirst=dayfirst,
        formats=formats,
        field=field,
    )
    rows = sorted(rejects)
    if errors == "raise":
        if rows:
            raise ValueError(f"{field!r} could not be read: row {rows[0] + 1}: {rejects[rows[0]]}")
        return out
    return ParsedTimes(
        values=out,
        rejected_rows=np.asarray(rows, dtype=np.int64),
        reasons=tuple(f"row {r + 1}: {rejects[r]}" for r in rows),
    )
