"""What :func:`touchcredit.clean` reads: a :class:`~touchcredit.ColumnMap` and the tables.

The column keywords of ``clean`` are a shorthand for a ColumnMap with the ColumnMap's
defaults, as at every other door; two of them follow the tables, the same way for both
(:func:`resolve`: no ``channel`` column means the channel is derived; no
``conversion_time`` column means the conversion time is in the column named like the
touch time). Tables are mappings of columns or any frame narwhals
supports; a frame's mapped columns are read once, as plain values (the hygiene steps
read raw text), and the names are checked in one place
(:meth:`ColumnMap.check_touches`, :meth:`ColumnMap.check_conversions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from touchcredit.core.coded import Coded
from touchcredit.core.frame_input import UtcTimes, column_names, plain_values, read_columns
from touchcredit.core.mapping import ColumnMap, column_map, require_columns
from touchcredit.core.time import UTC, TimeRule, TimeZoneLike, as_tzinfo
from touchcredit.hygiene.text_codes import from_codes

__all__ = ["clean_columns", "conversion_table", "resolve", "touch_table"]


#: ColumnMap fields a ``clean`` keyword cannot set to None (None there means "not given").
_REQUIRED = ("journey", "timestamp", "conversion_time")


def clean_columns(columns: ColumnMap | None, **keywords: Any) -> ColumnMap:
    """The ColumnMap of a ``clean`` call: ``columns``, or one built from its keywords with
    the ColumnMap's own defaults (the same as every other door; see :func:`resolve`).

    Examples
    --------
    >>> from touchcredit.core.mapping import UNSET
    >>> cols = clean_columns(None, journey="cookie", timestamp="ts", channel=UNSET,
    ...                      conversion_time=None)
    >>> cols.journey, cols.channel, cols.conversion_time
    ('cookie', 'channel', 'conversion_time')
    """
    given = {
        k: v
        for k, v in keywords.items()
        if not (v is None and (k in _REQUIRED or k == "identifiers"))
    }
    return column_map(columns, **given)


def resolve(columns: ColumnMap, touches: Any, conversions: Any) -> ColumnMap:
    """The ColumnMap ``clean`` reads the tables with: two defaults follow the tables.

    A ``channel`` left at its default name with no such touch column means "derive the
    channel" (from source, medium and referrer); a ``conversion_time`` left at its
    default name with no such conversion column reads the column named like the touch
    time. Whether the map came from keywords or ``columns=``, the rule is the same.

    Examples
    --------
    >>> cols = resolve(ColumnMap(journey="id", timestamp="ts"), {"id": [], "ts": []},
    ...                {"id": [], "ts": []})
    >>> cols.channel, cols.conversion_time
    (None, 'ts')
    """
    default = ColumnMap()
    changes: dict[str, Any] = {}
    if columns.channel == default.channel and columns.channel not in _names(touches, "touches"):
        changes["channel"] = None
    if conversions is not None and columns.conversion_time == default.conversion_time:
        names = _names(conversions, "conversions")
        if columns.conversion_time not in names and columns.timestamp in names:
            changes["conversion_time"] = columns.timestamp
    return columns.replace(**changes) if changes else columns


def _names(table: Any, what: str) -> list[str]:
    if isinstance(table, Mapping):
        return [str(k) for k in table]
    return column_names(table, table=what)


def touch_table(table: Any, columns: ColumnMap, *, rule: TimeRule) -> Mapping[str, Any]:
    """The touch table as columns, its mapped names checked (times read later by ``rule``)."""
    if isinstance(table, Mapping):
        columns.check_touches([str(k) for k in table])
        return table
    columns.check_touches(column_names(table, table="touches"))
    read = read_columns(
        table,
        {n: n for n in columns.touch_columns().values()},
        table="touches",
        times=[columns.timestamp],
    )
    return {name: _touch_column(value, rule.default_tz) for name, value in read.items()}


def conversion_table(table: Any, columns: ColumnMap, *, rule: TimeRule) -> Mapping[str, Any] | None:
    """The conversion table as columns (None stays None), its mapped names checked."""
    if table is None:
        return None
    wanted = columns.conversion_columns()
    wanted.pop("conversion_id", None)
    names = [str(k) for k in table] if isinstance(table, Mapping) else column_names(table)
    require_columns("conversions", wanted, names)  # as check_conversions, without the id
    if isinstance(table, Mapping):
        return table
    return _read(table, wanted.values(), "conversions", rule.default_tz)


def _read(frame: Any, names: Any, table: str, tz: TimeZoneLike) -> dict[str, Any]:
    read = read_columns(frame, {n: n for n in names}, table=table)
    return {name: _raw(value, tz) for name, value in read.items()}


def _touch_column(value: Any, tz: TimeZoneLike) -> Any:
    """As :func:`_raw`, but a column the frame library coded stays coded (no string per
    row is made): the hygiene steps work on its distinct values."""
    if isinstance(value, Coded):
        return from_codes(value.codes, value.categories)
    return _raw(value, tz)


def _raw(value: Any, tz: TimeZoneLike) -> Any:
    """Plain values; aware times as UTC text when naive ones are read in another zone."""
    if isinstance(value, UtcTimes) and as_tzinfo(tz) is not UTC:
        return np.datetime_as_string(value.values, unit="us", timezone="UTC")
    return plain_values(value)
