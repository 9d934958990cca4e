"""The steps of :func:`touchcredit.clean`, each a function over columns.

Reading a column, trimming labels, filling one column from another, tidying channel
labels, and matching the conversion table to the stitched persons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.columns import as_object_array, missing_mask
from touchcredit.core.time_rule import TimeRule
from touchcredit.hygiene import identity, timestamps
from touchcredit.hygiene.catalog import CHANNEL_GROUPS
from touchcredit.hygiene.cleaning_report import Rejections
from touchcredit.hygiene.labels import distinct_strings, label_key

__all__ = [
    "CleanConversions",
    "column_of",
    "fill",
    "read_conversions",
    "text_labels",
    "tidy_channels",
]

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


def column_of(table: Mapping[str, Any], name: str, n: int, what: str) -> npt.NDArray[Any]:
    """Column ``name`` of ``table`` as an object array of ``n`` rows (else an error)."""
    arr = as_object_array(table[name], field=name)
    if arr.shape[0] != n:
        raise ValueError(f"{what} column {name!r} has {arr.shape[0]} rows, expected {n}")
    return arr


def text_labels(arr: npt.NDArray[Any], field: str) -> tuple[ObjArray, npt.NDArray[np.bool_]]:
    """Trimmed strings (None for missing/blank) and a mask of non-text values."""
    n = arr.shape[0]
    missing = missing_mask(arr)
    present = arr[~missing] if missing.any() else arr
    if present.dtype.kind in "US":
        uniq, inv = np.unique(present, return_inverse=True)
    else:
        from touchcredit.core.factorize import hash_factorize

        hashed = hash_factorize(present)
        if hashed is not None:
            uniq, inv = hashed
        else:
            keys = np.array([f"{type(v).__name__}:{v!r}" for v in present.tolist()], dtype=object)
            _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
            uniq = present[first]
    table = np.empty(len(uniq) + 1, dtype=object)
    bad_t = np.zeros(len(uniq) + 1, dtype=bool)
    for k, v in enumerate(uniq.tolist()):  # one per distinct value
        if isinstance(v, str):
            table[k] = v.strip() or None
        else:
            bad_t[k] = True
    idx = np.full(n, len(uniq), dtype=np.int64)
    idx[~missing] = np.asarray(inv, dtype=np.int64).reshape(-1)
    out: ObjArray = table[idx]
    return out, bad_t[idx]


def fill(primary: ObjArray | None, fallback: ObjArray | None, n: int) -> ObjArray:
    """``primary`` where present, else ``fallback`` (None where neither)."""
    if primary is None:
        return fallback if fallback is not None else np.full(n, None, dtype=object)
    if fallback is None:
        return primary
    return np.where(missing_mask(primary), fallback, primary)


def tidy_channels(channel: ObjArray) -> ObjArray:
    """Channel labels that spell a channel group ("Paid_Social") become that group."""
    groups = {label_key(g): g for g in CHANNEL_GROUPS}
    uniq, inverse, _ = distinct_strings(channel, "channel")
    table = np.empty(len(uniq) + 1, dtype=object)
    table[:-1] = [groups.get(label_key(u), u) for u in uniq]
    table[-1] = None
    out: ObjArray = table[inverse]
    return out


@attrs.frozen(eq=False)
class CleanConversions:
    """The conversions :func:`read_conversions` kept, and what it rejected."""

    person: IntArray
    time: npt.NDArray[np.datetime64]
    value: npt.NDArray[np.float64]
    rows: IntArray
    n_in: int
    rejected: Rejections
    rejected_value: float


def parse_times(values: Any, rule: TimeRule, dayfirst: bool, field: str) -> Any:
    """:func:`touchcredit.hygiene.timestamps.parse` under ``rule``, in report mode."""
    return timestamps.parse(
        values,
        default_tz=rule.default_tz,
        dayfirst=dayfirst,
        errors="report",
        field=field,
        unit=rule.unit,
        ambiguous=rule.ambiguous,
        nonexistent=rule.nonexistent,
    )


def read_conversions(
    conversions: Mapping[str, Any] | None,
    stitched: identity.Stitching,
    *,
    column: str,
    time: str,
    value: str | None,
    rule: TimeRule,
    dayfirst: bool,
    errors: str,
) -> CleanConversions | None:
    """Conversions matched to stitched persons; rows that cannot be used are rejected."""
    if conversions is None:
        return None
    if column not in stitched.columns:  # the names were checked by conversion_table
        raise ValueError(
            f"'conversion_journey' {column!r} must name a touch identifier column "
            f"({', '.join(map(repr, stitched.columns))})"
        )
    ids = as_object_array(conversions[column], field=column)
    m = ids.shape[0]
    reason = np.full(m, None, dtype=object)
    times = parse_times(column_of(conversions, time, m, "conversion time"), rule, dayfirst, time)
    reason[times.rejected_rows] = [f"conversion {r}" for r in times.reasons]
    for i in np.flatnonzero(np.isnat(times.values) & (reason == None)).tolist():  # noqa: E711
        reason[i] = f"conversion row {i + 1}: {time!r} is missing"
    values = np.ones(m, dtype=np.float64)
    if value is not None:
        raw = column_of(conversions, value, m, "conversion value")
        try:
            if raw.dtype.kind in "bO" and any(isinstance(v, bool) for v in raw.tolist()):
                raise TypeError("booleans are not amounts")
            values = raw.astype(np.float64)  # None becomes NaN, rejected below
        except (TypeError, ValueError):  # error path: find the unreadable rows one by one
            for i, v in enumerate(raw.tolist()):
                try:
                    values[i] = float(v) if not isinstance(v, bool) else float("nan")
                except (TypeError, ValueError):
                    values[i] = np.nan
        bad = ~np.isfinite(values) | (values < 0)
        for i in np.flatnonzero(bad & (reason == None)).tolist():  # noqa: E711
            shown = raw[i : i + 1].tolist()[0]
            reason[i] = f"conversion row {i + 1}: {value!r} must be a number >= 0, got {shown!r}"
    person = stitched.lookup(column, ids)
    # An identifier no touch carries: a journey of its own, with no touches.
    absent = missing_mask(ids)
    for i in np.flatnonzero(absent & (reason == None)).tolist():  # noqa: E711
        reason[i] = f"conversion row {i + 1}: {column!r} is missing"
    unknown = (person < 0) & ~absent
    if unknown.any():
        keys = np.array([str(v).strip() for v in ids[unknown].tolist()], dtype=object)
        _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        rank = np.empty(first.size, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(first.size)
        person[unknown] = stitched.n_persons + rank[inv.reshape(-1)]
    bad_rows = np.flatnonzero(reason != None)  # noqa: E711
    if errors == "raise" and bad_rows.size:
        raise ValueError(str(reason[bad_rows[0]]))
    keep = np.flatnonzero(reason == None)  # noqa: E711
    lost = values[bad_rows]
    return CleanConversions(
        person=person[keep],
        time=times.values[keep],
        value=values[keep],
        rows=keep.astype(np.int64),
        n_in=m,
        rejected=Rejections(bad_rows.astype(np.int64), tuple(reason[bad_rows].tolist())),
        rejected_value=float(lost[np.isfinite(lost) & (lost >= 0)].sum()),
    )
