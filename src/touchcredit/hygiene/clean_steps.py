"""The steps of :func:`touchcredit.clean`, each a function over columns.

Reading a column, trimming labels, filling one column from another, tidying channel
labels, and matching the conversion table to the stitched persons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray
from touchcredit.core.columns import as_object_array, missing_mask
from touchcredit.core.time import TimeRule, as_tzinfo, date_only, end_of_day
from touchcredit.hygiene import identity, timestamps, utm
from touchcredit.hygiene.catalog import CHANNEL_GROUPS, PAID_GROUPS, Catalog
from touchcredit.hygiene.cleaning_report import Rejections
from touchcredit.hygiene.labels import label_key
from touchcredit.hygiene.text_codes import TextCodes, factorize_text

__all__ = [
    "CleanConversions",
    "canonical_sources",
    "column_of",
    "conversions_by_value",
    "read_conversions",
    "text_codes",
    "tidy_channels",
    "url_tags",
]


def column_of(table: Mapping[str, Any], name: str, n: int | None, what: str) -> Any:
    """Column ``name`` of ``table``: an array of ``n`` rows, or the :class:`TextCodes` a
    frame's coded column was read as (else an error). ``n=None``: any length."""
    value = table[name]
    arr = value if isinstance(value, TextCodes) else as_object_array(value, field=name)
    if n is not None and len(arr) != n:
        raise ValueError(f"{what} column {name!r} has {len(arr)} rows, expected {n}")
    return arr


def text_codes(arr: Any, field: str) -> tuple[TextCodes, npt.NDArray[np.bool_]]:
    """Trimmed strings as codes (-1 for missing/blank) and a mask of non-text rows.

    Examples
    --------
    >>> col, bad = text_codes(np.array([" a ", 7, None, "", "a"], dtype=object), "src")
    >>> col.labels().tolist(), bad.tolist()
    (['a', None, None, None, 'a'], [False, True, False, False, False])
    """
    col = factorize_text(arr, field=field)
    values = col.values.tolist()
    bad = np.array([not isinstance(v, str) for v in values], dtype=bool)
    trimmed = col.map(lambda v: (v.strip() or None) if isinstance(v, str) else None)
    return trimmed, col.per_row(bad, False)


def tidy_channels(channel: TextCodes) -> TextCodes:
    """Channel labels that spell a channel group ("Paid_Social") become that group."""
    groups = {label_key(g): g for g in CHANNEL_GROUPS}
    return channel.map(lambda v: groups.get(label_key(v), v))


def url_tags(arr: Any, field: str) -> dict[str, Any]:
    """UTM tags of a URL column, each distinct URL parsed once (non-text: no tags).

    Returns source, medium, campaign and platform as :class:`TextCodes` and ``paid``
    as a bool per row.
    """
    col = factorize_text(arr, field=field)
    fields = utm.parse_fields(col.values.tolist())
    out: dict[str, Any] = {
        name: col.with_values(fields[name]) for name in ("source", "medium", "campaign", "platform")
    }
    out["paid"] = col.per_row(np.array(fields["paid"], dtype=bool), False)
    return out


def canonical_sources(
    source: TextCodes, cat: Catalog
) -> tuple[TextCodes, Mapping[str, int], npt.NDArray[np.object_]]:
    """Catalog names of trimmed sources (unknown ones unchanged), the unknown ones with
    their row counts (most frequent first, ties by first row), and each canonical
    value's category (None for a name the catalog does not hold)."""
    raw = source.values.tolist()
    names = [cat.lookup(v) for v in raw]
    canon = source.with_values(
        [v if name is None else name for v, name in zip(raw, names, strict=True)]
    )
    unknown = np.array([name is None for name in names], dtype=bool)
    counts = np.bincount(source.codes[source.codes >= 0], minlength=len(raw))
    counts[~unknown] = 0
    unmapped: dict[str, int] = {}
    if counts.any():
        hit = np.flatnonzero(counts)
        first = np.full(len(raw), len(source), dtype=np.int64)
        rows = np.flatnonzero(np.isin(source.codes, hit))
        np.minimum.at(first, source.codes[rows], rows)
        for k in sorted(hit.tolist(), key=lambda k: (-int(counts[k]), int(first[k]))):
            unmapped[raw[k]] = int(counts[k])
    entries = [cat.get(v) for v in canon.values.tolist()]
    category = np.array([None if e is None else e.category for e in entries], dtype=object)
    return canon, MappingProxyType(unmapped), category


def paid_sources(
    source: TextCodes, channel: TextCodes, cat: Catalog
) -> tuple[TextCodes, TextCodes]:
    """A paid touch of a site credited to its ad platform (the catalog entry's ``paid``:
    ``LinkedIn`` in a paid channel group is ``LinkedIn Ads``), and every touch's source
    category (for methods; None where the catalog does not hold the source).

    Examples
    --------
    >>> from touchcredit.hygiene.text_codes import factorize_text
    >>> src = factorize_text(["LinkedIn", "LinkedIn", "Google", None], field="source")
    >>> ch = factorize_text(["paid social", "organic social", "paid search", "direct"],
    ...                     field="channel")
    >>> out, methods = paid_sources(src, ch, Catalog.default())
    >>> out.labels().tolist(), methods.labels().tolist()
    (['LinkedIn Ads', 'LinkedIn', 'Google Ads', None], ['paid media & events', 'inbound', \
'paid media & events', None])
    """
    counterpart = [None if (e := cat.get(v)) is None else e.paid for v in source.values.tolist()]
    is_paid = [str(g).strip().casefold() in PAID_GROUPS for g in channel.values.tolist()]
    rows = np.append(np.array(is_paid, dtype=bool), False)[channel.codes]
    has = np.append(np.array([c is not None for c in counterpart], dtype=bool), False)
    rows &= has[source.codes]
    if rows.any():
        paid = source.with_values(counterpart)
        source = TextCodes(np.where(rows, paid.codes, -1), paid.values).fill(source)
    category = [None if (e := cat.get(v)) is None else e.category for v in source.values.tolist()]
    return source, source.with_values(category)


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


def parse_times(values: Any, rule: TimeRule, field: str) -> Any:
    """:func:`touchcredit.hygiene.timestamps.parse` under ``rule``, in report mode."""
    return timestamps.parse(
        values,
        default_tz=rule.default_tz,
        dayfirst=rule.dayfirst,
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
    errors: str,
    journey_of: Callable[[Any], IntArray] | None = None,
) -> CleanConversions | None:
    """Conversions matched to stitched persons; rows that cannot be used are rejected.

    ``journey_of`` maps the ids of ``column`` to journey numbers instead of the
    stitched persons (a buying group's key, :mod:`touchcredit.hygiene.groups`)."""
    if conversions is None:
        return None
    if (
        journey_of is None and column not in stitched.columns
    ):  # the names were checked by conversion_table
        raise ValueError(
            f"'conversion_journey' {column!r} must name a touch identifier column "
            f"({', '.join(map(repr, stitched.columns))})"
        )
    ids = as_object_array(conversions[column], field=column)
    m = ids.shape[0]
    reason = np.full(m, None, dtype=object)
    raw_times = column_of(conversions, time, m, "conversion time")
    times = parse_times(raw_times, rule, time)
    when = times.values
    day = date_only(raw_times) & ~np.isnat(when)
    if day.any():  # a date alone is the end of that local day (core.time.day_end)
        when = when.copy()
        when[day] = end_of_day(when[day], as_tzinfo(rule.default_tz))
    reason[times.rejected_rows] = [f"conversion {r}" for r in times.reasons]
    for i in np.flatnonzero(np.isnat(when) & (reason == None)).tolist():  # noqa: E711
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
    person = stitched.lookup(column, ids) if journey_of is None else journey_of(ids)
    # An identifier no touch carries: a journey of its own, with no touches.
    absent = missing_mask(ids)
    for i in np.flatnonzero(absent & (reason == None)).tolist():  # noqa: E711
        reason[i] = f"conversion row {i + 1}: {column!r} is missing"
    unknown = (person < 0) & ~absent
    if unknown.any():
        keys = np.array([str(v).strip() for v in ids[unknown].tolist()], dtype=object)
        _, inv = np.unique(keys, return_inverse=True)  # numbered in text order, not row order
        person[unknown] = stitched.n_persons + inv.reshape(-1)
    bad_rows = np.flatnonzero(reason != None)  # noqa: E711
    if errors == "raise" and bad_rows.size:
        raise ValueError(str(reason[bad_rows[0]]))
    keep = np.flatnonzero(reason == None)  # noqa: E711
    lost = values[bad_rows]
    return CleanConversions(
        person=person[keep],
        time=when[keep],
        value=values[keep],
        rows=keep.astype(np.int64),
        n_in=m,
        rejected=Rejections(bad_rows.astype(np.int64), tuple(reason[bad_rows].tolist())),
        rejected_value=float(lost[np.isfinite(lost) & (lost >= 0)].sum()),
    )


def conversions_by_value(conv: CleanConversions) -> CleanConversions:
    """The conversions ordered by (person, time, value): the same order for any row order."""
    order = np.lexsort((conv.value, conv.time.view(np.int64), conv.person))
    return attrs.evolve(
        conv,
        person=conv.person[order],
        time=conv.time[order],
        value=conv.value[order],
        rows=conv.rows[order],
    )
