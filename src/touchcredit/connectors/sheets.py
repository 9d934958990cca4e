"""Reading a user's sheet whose columns are named by keys: columns, times, labels, rows.

The helpers behind :mod:`touchcredit.connectors.crm_leads`: which column holds each
key (and the error naming the key and the column when it is absent), times through
:func:`touchcredit.hygiene.timestamps.parse` with the error naming the column, labels
trimmed (and put in their catalog spelling), lead ids compared as the cleaning path
compares emails, and rejected rows named by their sheet and 1-based row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.connectors.report import Cleaning
from touchcredit.core.arrays import ObjectArray
from touchcredit.hygiene.canon import LabelCanon
from touchcredit.hygiene.identity import normalize_email
from touchcredit.hygiene.labels import label_key
from touchcredit.hygiene.timestamps import parse

__all__ = [
    "Rejected",
    "lead_key",
    "read_sheet",
    "sheet_columns",
    "sheet_labels",
    "sheet_times",
    "won_mask",
]


def lead_key(values: Any) -> ObjectArray:
    """Comparison keys of lead ids: text trimmed; an email trimmed and lower-cased.

    The same rule as the cleaning path's email identifiers
    (:func:`touchcredit.hygiene.identity.normalize_email`), so a lead id
    ``USER5@CORP5.COM`` meets ``user5@corp5.com`` in the deals and in the touches.
    Blank values become None.

    Examples
    --------
    >>> lead_key([" USER5@Corp5.com", "007", "  ", None]).tolist()
    ['user5@corp5.com', '007', None, None]
    """
    arr = np.asarray(values, dtype=object).reshape(-1)
    out = np.empty(arr.shape[0], dtype=object)
    cache: dict[Any, Any] = {}
    for i, v in enumerate(arr.tolist()):  # distinct values are normalized once
        if v not in cache:
            text = None if v is None else str(v).strip()
            if text and "@" in text:
                text = normalize_email(text) or text
            cache[v] = text or None
        out[i] = cache[v]
    return out


def won_mask(stages: Any, won: Sequence[str] | str) -> npt.NDArray[np.bool_]:
    """Which deal stages mean won: compared without case, spaces, ``_`` or ``-``.

    Examples
    --------
    >>> won_mask(["Closed Won", "closed_won", "Closed Lost", None], ["Closed Won"]).tolist()
    [True, True, False, False]
    """
    names = [won] if isinstance(won, str) else list(won)
    keys = {label_key(str(s)).replace(" ", "") for s in names}
    arr = np.asarray(stages, dtype=object).reshape(-1)
    cache: dict[Any, bool] = {}
    out = np.zeros(arr.shape[0], dtype=bool)
    for i, v in enumerate(arr.tolist()):
        if v not in cache:
            cache[v] = v is not None and label_key(str(v)).replace(" ", "") in keys
        out[i] = cache[v]
    return out


class Rejected:
    """Rejected rows of one sheet: the reasons, and the first raised with errors='raise'."""

    def __init__(self, sheet: str, raising: bool) -> None:
        self.sheet, self.raising = sheet, raising
        self.reasons: list[str] = []

    def reject(self, mask: npt.NDArray[np.bool_], why: str, rows: npt.NDArray[np.int64]) -> None:
        for r in rows[mask].tolist():
            text = f"{self.sheet} row {r + 1}: {why}"
            if self.raising:
                raise ValueError(text)
            self.reasons.append(text)


def sheet_columns(
    given: Mapping[str, Any] | None, keys: tuple[str, ...], defaults: Mapping[str, str], where: str
) -> dict[str, str]:
    cols = dict(defaults)
    for key, col in (given or {}).items():
        if key not in keys:
            raise ValueError(f"{where}: unknown key {key!r}; expected one of {', '.join(keys)}")
        if col is None or col == "":
            cols.pop(key, None)
        elif not isinstance(col, str):
            raise ValueError(f"{where} {key}: a column name (text), got {col!r}")
        else:
            cols[key] = col
    return cols


def read_sheet(
    source: files.Source,
    sheet: str,
    cols: Mapping[str, str],
    where: str,
    *,
    amounts: Sequence[str] = ("amount",),
) -> Any:
    """The sheet's columns ``cols`` (key -> column); ``amounts``: the keys read as amounts.

    Labels and ids are read as text; amount columns as text too, for
    ``files.numbers`` to read ``1.200`` by the column's rule (Arrow would read 1.2).
    A column the sheet lacks is a SchemaError naming it and its key (``where key``).
    """
    text = [
        c for k, c in cols.items() if k in ("lead_id", "source", "channel", "campaign", "stage")
    ]
    money = [c for k, c in cols.items() if k in amounts]  # '1.200' is not Arrow's 1.2
    table = files.read_table(source, table=sheet, text=text, amounts=money)
    absent = {k: c for k, c in cols.items() if c not in table.column_names}
    if absent:
        err = files.SchemaError(sheet, missing=list(absent.values()), found=table.column_names)
        named = ", ".join(f"{c!r} is {where} {k}" for k, c in absent.items())
        err.args = (f"{err} ({named})",)
        raise err
    return table


def sheet_times(
    table: Any,
    col: str,
    key: str,
    where: str,
    cleaning: Cleaning,
    unit: str | None,
    missing_ok: bool = True,
) -> npt.NDArray[np.datetime64]:
    values = files.times(table.column(col))
    try:
        out: npt.NDArray[np.datetime64] = parse(
            values, cleaning.default_tz, cleaning.dayfirst, field=col, unit=unit
        )
    except ValueError as exc:
        raise ValueError(f"{where} {key} (column {col!r}): {exc}") from None
    return out


def sheet_labels(table: Any, col: str | None, canon: LabelCanon | None) -> ObjectArray | None:
    if col is None:
        return None
    values = files.texts(table.column(col))
    out = np.empty(values.shape[0], dtype=object)
    cache: dict[Any, Any] = {}
    for i, v in enumerate(values.tolist()):
        if v not in cache:
            text = v.strip() if isinstance(v, str) else None
            cache[v] = (canon(text) if canon is not None else text) if text else None
        out[i] = cache[v]
    return out
