"""Each conversion once: rows of an export that repeat a deal, opportunity or transaction id.

An export run twice into one file, or a report joined to a related object, repeats rows.
A repeated deal would be credited twice. The rule, per id:

* copies that agree on every column that matters (amount, dates, stage, contacts) are one
  conversion: the first copy is kept, the others are counted in the report's
  ``not_used`` ("... repeated: same id and values");
* copies that disagree are refused: every copy is rejected, naming the rows that share
  the id, so the money is reported instead of guessed.

Which copy is "first" does not change the result (the copies are equal), so the outcome
is the same for any row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray

__all__ = ["Repeats", "repeated_ids"]


@attrs.frozen(eq=False)
class Repeats:
    """What :func:`repeated_ids` found.

    Attributes
    ----------
    keep : bool ndarray
        Rows to read (one per id, and every row without an id); conflicting copies
        are not kept.
    merged : int
        Rows dropped as equal copies of a kept row.
    conflicts : int64 ndarray
        Rows whose id has copies that disagree (0-based, ascending).
    reasons : tuple of str
        Why, per conflicting row, naming the other rows (1-based).
    """

    keep: npt.NDArray[np.bool_]
    merged: int
    conflicts: IntArray
    reasons: tuple[str, ...]


def _key(v: Any) -> Any:
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else v.astype("datetime64[us]").astype(np.int64).item()
    return v.strip() if isinstance(v, str) else v


def repeated_ids(
    ids: npt.NDArray[Any], values: Sequence[npt.NDArray[Any]], *, table: str, column: str
) -> Repeats:
    """Rows repeating an id: equal copies merged, disagreeing copies refused.

    Parameters
    ----------
    ids : object ndarray
        The id of each row (None: no id, never a repeat).
    values : sequence of arrays
        The columns that must agree between copies.
    table, column : str
        Names for the messages.

    Examples
    --------
    >>> ids = np.array(["9001", "9002", "9001", "9003", "9003"], dtype=object)
    >>> amount = np.array([600.0, 10.0, 600.0, 5.0, 7.0])
    >>> r = repeated_ids(ids, [amount], table="deals", column="Record ID")
    >>> r.keep.tolist(), r.merged, r.conflicts.tolist()
    ([True, True, False, False, False], 1, [3, 4])
    >>> r.reasons[0]
    "deals row 4: 'Record ID' '9003' is also on row 5 with other values"
    """
    n = int(ids.shape[0])
    keep = np.ones(n, dtype=bool)
    groups: dict[Any, list[int]] = {}
    for i, v in enumerate(ids.tolist()):
        k = _key(v)
        if k is not None and k != "":
            groups.setdefault(k, []).append(i)
    merged = 0
    conflicts: list[int] = []
    reasons: dict[int, str] = {}
    cols = [np.asarray(c) for c in values]
    for key, rows in groups.items():
        if len(rows) == 1:
            continue
        sig = {tuple(_key(c[i]) for c in cols) for i in rows}
        if len(sig) == 1:
            keep[rows[1:]] = False
            merged += len(rows) - 1
            continue
        keep[rows] = False
        for i in rows:
            others = ", ".join(str(j + 1) for j in rows if j != i)
            conflicts.append(i)
            plural = "s" if len(rows) > 2 else ""
            reasons[i] = (
                f"{table} row {i + 1}: {column!r} {key!r} is also on row{plural} {others} "
                "with other values"
            )
    order = sorted(conflicts)
    return Repeats(
        keep=keep,
        merged=merged,
        conflicts=np.array(order, dtype=np.int64),
        reasons=tuple(reasons[i] for i in order),
    )
