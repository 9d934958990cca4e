"""GA4 events counted once: overlapping daily/intraday tables and repeated transactions.

BigQuery keeps a day's events in ``events_intraday_YYYYMMDD`` until the day is final,
then in ``events_YYYYMMDD``; for a while both exist, and ``events_*`` matches both. A
day present as both is read from the daily table only (:func:`daily_tables`).

A purchase whose page is reloaded is sent again with the same
``ecommerce.transaction_id``. Purchases repeating a transaction id with the same value
are one conversion, at the earliest copy's time; copies whose values differ are refused
(:func:`once_per_transaction`), as :mod:`touchcredit.connectors.duplicates` does for
deal ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.core import backends
from touchcredit.hygiene.cleaning_report import Rejections

__all__ = ["daily_tables", "ga4_value", "once_per_transaction"]

_DAY = re.compile(r"^events_(intraday_)?(\d{8})(?:\D|$)")


def _rows(p: Path) -> int:
    """Rows of a skipped table (Parquet: from its footer; other formats: read)."""

    name = p.name.lower()
    if name.endswith((".parquet", ".pq")):
        pq = backends.pyarrow_parquet()
        return int(pq.ParquetFile(p).metadata.num_rows)
    return int(files.read_table(p, table="events").num_rows)


def daily_tables(events: Any) -> tuple[Any, dict[str, int]]:
    """The files to read, without intraday tables whose day has a daily table, and the
    events skipped so (reason -> rows) for the report's ``not_used``; a frame is read as
    it is."""
    if not files.is_path_source(events):
        return events, {}
    return _daily(files.paths(events))


def _daily(paths: Sequence[Path]) -> tuple[list[Path], dict[str, int]]:
    """:func:`daily_tables` of a list of files.

    Examples
    --------
    >>> names = ["events_20240101.parquet", "events_intraday_20240101.parquet",
    ...          "events_intraday_20240102.parquet"]
    >>> kept, _ = _daily([Path(n) for n in names[:1] + names[2:]])
    >>> [p.name for p in kept]
    ['events_20240101.parquet', 'events_intraday_20240102.parquet']
    """
    days = {m.group(2) for p in paths if (m := _DAY.match(p.name)) and not m.group(1)}
    kept: list[Path] = []
    skipped = 0
    for p in paths:
        m = _DAY.match(p.name)
        if m and m.group(1) and m.group(2) in days:
            skipped += _rows(p)
        else:
            kept.append(p)
    why = "events in events_intraday_ tables whose day is in an events_ table (read once)"
    return kept, ({why: skipped} if skipped else {})


def once_per_transaction(
    transaction: npt.NDArray[np.object_],
    time: npt.NDArray[np.datetime64],
    value: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.bool_], int, Rejections]:
    """Conversions to keep (one per transaction id), the copies merged, and the rows of
    transaction ids whose copies disagree on the value (rejected, naming each other).

    Examples
    --------
    >>> t = np.array(["T1", "T1", None, "T2", "T2"], dtype=object)
    >>> when = np.array([5, 3, 1, 1, 2]).astype("datetime64[us]")
    >>> keep, merged, clash = once_per_transaction(t, when, np.array([9., 9., 1., 4., 5.]),
    ...                                            np.arange(5))
    >>> keep.tolist(), merged, clash.rows.tolist()
    ([False, True, True, False, False], 1, [3, 4])
    """
    n = int(transaction.shape[0])
    keep = np.ones(n, dtype=bool)
    groups: dict[Any, list[int]] = {}
    for i, t in enumerate(transaction.tolist()):
        if t is not None and str(t).strip() not in ("", "(not set)"):
            groups.setdefault(str(t).strip(), []).append(i)
    merged = 0
    bad: dict[int, str] = {}
    stamp = time.astype("datetime64[us]").astype(np.int64)
    for key, members in groups.items():
        if len(members) == 1:
            continue
        if len({float(value[i]) for i in members}) == 1:
            first = min(members, key=lambda i: (stamp[i], int(rows[i])))
            keep[members] = False
            keep[first] = True
            merged += len(members) - 1
            continue
        keep[members] = False
        for i in members:
            others = ", ".join(str(int(rows[j]) + 1) for j in members if j != i)
            bad[int(rows[i])] = (
                f"events row {int(rows[i]) + 1}: transaction_id {key!r} is also on events "
                f"row(s) {others} with another value"
            )
    order = sorted(bad)
    return keep, merged, Rejections(np.array(order, dtype=np.int64), tuple(bad[r] for r in order))


def ga4_value(
    mode: str,
    local: npt.NDArray[np.float64],
    usd: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int64],
    currency: str | None,
) -> tuple[npt.NDArray[np.float64], str | None, Rejections]:
    """Conversion values in one currency: (values, currency, rows rejected).

    ``local`` is ``purchase_revenue`` else the ``value`` parameter (the property's
    currency), ``usd`` is ``event_value_in_usd``; NaN where absent. See ``ga4.read``'s
    ``value`` for the modes.

    Raises
    ------
    ValueError
        ``"revenue"`` with some conversions valued only locally and others only in USD
        (naming a row of each), or a USD value with another ``currency``.

    Examples
    --------
    >>> nan = float("nan")
    >>> local, usd = np.array([100.0, nan]), np.array([110.0, 50.0])
    >>> ga4_value("usd", local, usd, np.array([4, 7]), None)[:2]
    (array([110.,  50.]), 'USD')
    >>> ga4_value("local", local, usd, np.array([4, 7]), "EUR")[2].reasons
    ("events row 8: only event_value_in_usd, no local-currency value (value='usd' reads it)",)
    """
    has_local, has_usd = ~np.isnan(local), ~np.isnan(usd)
    empty = Rejections(np.zeros(0, np.int64), ())
    if mode == "count":
        return np.zeros(local.size), currency, empty
    if mode == "revenue":
        only_usd = has_usd & ~has_local
        if only_usd.any() and has_local.any():
            a, b = int(rows[np.flatnonzero(has_local)[0]]), int(rows[np.flatnonzero(only_usd)[0]])
            raise ValueError(
                f"events: conversion values mix the local currency (purchase_revenue or the "
                f"value parameter, events row {a + 1}) and event_value_in_usd (events row "
                f"{b + 1}, which has no local value); choose value='local' or value='usd'"
            )
        mode = "usd" if only_usd.any() else "local"
    if mode == "usd" and currency not in (None, "USD"):
        raise ValueError(f"value='usd' reads event_value_in_usd: currency is USD, not {currency!r}")
    want, other = (usd, has_local) if mode == "usd" else (local, has_usd)
    lost = np.flatnonzero(np.isnan(want) & other)
    why = (
        "only a local-currency value, no event_value_in_usd (value='local' reads it)"
        if mode == "usd"
        else "only event_value_in_usd, no local-currency value (value='usd' reads it)"
    )
    bad = Rejections(
        rows[lost].astype(np.int64), tuple(f"events row {int(rows[i]) + 1}: {why}" for i in lost)
    )
    out = np.where(np.isnan(want), 0.0, want)
    out[lost] = np.nan  # rejected: removed below
    return out, ("USD" if mode == "usd" else currency), bad
