"""From a raw touch table to a JourneySet, with a report of everything that changed.

:func:`clean` chains the hygiene steps: timestamps (:mod:`touchcredit.hygiene.timestamps`),
identity stitching (:mod:`touchcredit.hygiene.identity`), UTM tags (:mod:`touchcredit.hygiene.utm`),
source normalization (:mod:`touchcredit.hygiene.catalog`), channel groups
(:mod:`touchcredit.hygiene.channels`), deduplication,
and builds the :class:`~touchcredit.JourneySet`. Nothing disappears silently: every
input row is either in the result, removed as a duplicate, or rejected with its
reason, and ``rows_in == rows_out + duplicates_removed + rows_rejected`` always holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.columns import as_object_array, missing_mask
from touchcredit.core.display import html_table
from touchcredit.core.mapping import UNSET, ColumnMap, Unset
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.core.time_rule import TimeZoneLike
from touchcredit.hygiene import channels, identity, timestamps, utm
from touchcredit.hygiene.catalog import CHANNEL_GROUPS, Catalog, normalize
from touchcredit.hygiene.clean_input import clean_columns, conversion_table, touch_table
from touchcredit.hygiene.labels import distinct_strings, label_key

__all__ = ["CleaningReport", "Rejections", "clean"]

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


@attrs.frozen(eq=False)
class Rejections:
    """Rows that were rejected, ascending, each with its reason."""

    rows: IntArray
    reasons: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.rows.size)


@attrs.frozen(eq=False)
class CleaningReport:
    """What :func:`clean` did to the touch table (and the conversions).

    Attributes
    ----------
    rows_in, rows_out : int
        Touch rows read, and touches in the JourneySet.
    duplicates_removed : int
        Touches removed as duplicates (``dedupe_window``).
    rejected : Rejections
        Touch rows that could not be used, with reasons.
    unmapped_sources : mapping of str to int
        Source values the catalog did not know (kept as they were), with row counts.
    persons : int
        Persons (journeys) the identifiers stitched the touches into.
    identities_merged : int
        Identifier values folded into another person's identity.
    merge_groups : touchcredit.hygiene.identity.MergeGroups
        Persons made of more than one identifier value.
    person : int64 ndarray
        Person (journey id) of every input row; -1 for rejected rows.
    duplicate_of : int64 ndarray
        For every input row removed as a duplicate, the row it repeats; else -1.
    conversions_in, conversions_out : int
        Conversion rows read and kept.
    conversions_rejected : Rejections
        Conversion rows that could not be used, with reasons.
    rejected_conversion_value : float
        Sum of the readable values of rejected conversions (money that is not in the
        JourneySet, stated rather than dropped).
    """

    rows_in: int
    rows_out: int
    duplicates_removed: int
    rejected: Rejections
    unmapped_sources: Mapping[str, int]
    persons: int
    identities_merged: int
    merge_groups: identity.MergeGroups
    person: IntArray
    duplicate_of: IntArray
    conversions_in: int = 0
    conversions_out: int = 0
    conversions_rejected: Rejections = attrs.field(
        factory=lambda: Rejections(np.zeros(0, np.int64), ())
    )
    rejected_conversion_value: float = 0.0

    @property
    def rows_rejected(self) -> int:
        """Number of rejected touch rows."""
        return len(self.rejected)

    def __str__(self) -> str:
        lines = [
            f"rows in: {self.rows_in:,}; out: {self.rows_out:,}; duplicates removed: "
            f"{self.duplicates_removed:,}; rejected: {self.rows_rejected:,}",
            f"persons: {self.persons:,} ({self.identities_merged:,} identities merged in "
            f"{len(self.merge_groups):,} groups)",
        ]
        if self.unmapped_sources:
            top = ", ".join(f"{k!r} ({v:,})" for k, v in list(self.unmapped_sources.items())[:5])
            lines.append(f"unmapped sources: {len(self.unmapped_sources):,} ({top})")
        if self.conversions_in:
            lines.append(
                f"conversions in: {self.conversions_in:,}; out: {self.conversions_out:,}; "
                f"rejected: {len(self.conversions_rejected):,} "
                f"(value {self.rejected_conversion_value:,.2f})"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook view: the row accounting and the unmapped sources (escaped)."""
        rows = [
            ("touch rows in", f"{self.rows_in:,}"),
            ("touch rows out", f"{self.rows_out:,}"),
            ("duplicates removed", f"{self.duplicates_removed:,}"),
            ("rows rejected", f"{self.rows_rejected:,}"),
            ("persons", f"{self.persons:,}"),
            ("identities merged", f"{self.identities_merged:,}"),
        ]
        if self.conversions_in:
            rows += [
                ("conversion rows in", f"{self.conversions_in:,}"),
                ("conversion rows out", f"{self.conversions_out:,}"),
                ("conversion rows rejected", f"{len(self.conversions_rejected):,}"),
            ]
        out = html_table(("cleaning", "rows"), rows, numeric=(False, True))
        if self.unmapped_sources:
            top = sorted(self.unmapped_sources.items(), key=lambda kv: -kv[1])[:12]
            out += html_table(
                ("unmapped source", "rows"),
                [(k, f"{v:,}") for k, v in top],
                caption=f"{len(self.unmapped_sources):,} sources the catalog does not know",
                numeric=(False, True),
            )
        return f"<div>{out}</div>"


def _column(table: Mapping[str, Any], name: str, n: int, what: str) -> npt.NDArray[Any]:
    arr = as_object_array(table[name], field=name)
    if arr.shape[0] != n:
        raise ValueError(f"{what} column {name!r} has {arr.shape[0]} rows, expected {n}")
    return arr


def _text(arr: npt.NDArray[Any], field: str) -> tuple[ObjArray, npt.NDArray[np.bool_]]:
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


def _fill(primary: ObjArray | None, fallback: ObjArray | None, n: int) -> ObjArray:
    """``primary`` where present, else ``fallback`` (None where neither)."""
    if primary is None:
        return fallback if fallback is not None else np.full(n, None, dtype=object)
    if fallback is None:
        return primary
    return np.where(missing_mask(primary), fallback, primary)


def clean(
    table: Any,
    *,
    columns: ColumnMap | None = None,
    journey: str | Unset = UNSET,
    timestamp: str | Unset = UNSET,
    url: str | Unset | None = UNSET,
    source: str | Unset | None = UNSET,
    medium: str | Unset | None = UNSET,
    channel: str | Unset | None = UNSET,
    campaign: str | Unset | None = UNSET,
    method: str | Unset | None = UNSET,
    referrer: str | Unset | None = UNSET,
    identifiers: Sequence[str] | Mapping[str, str] | Unset | None = UNSET,
    catalog: Catalog | None = None,
    dedupe_window: Any = None,
    default_tz: TimeZoneLike = None,
    dayfirst: bool = False,
    errors: Literal["raise", "report"] = "report",
    conversions: Any = None,
    conversion_journey: str | Unset | None = UNSET,
    conversion_time: str | Unset | None = UNSET,
    conversion_value: str | Unset | None = UNSET,
    target: str = "conversions",
    currency: str | None = None,
    progress: bool | None = None,
) -> tuple[JourneySet, CleaningReport]:
    """Clean a raw touch table into a JourneySet and report every change.

    Steps, per touch row: read the timestamp (:func:`touchcredit.hygiene.timestamps.parse`);
    stitch the person from ``journey`` and ``identifiers``
    (:func:`touchcredit.hygiene.identity.stitch`); take source, medium and campaign from their
    columns, falling back to the UTM tags of ``url``; normalize the source through the
    catalog (unknown sources pass through unchanged and are counted); take the channel
    from ``channel`` where given, else the channel group of (source, medium, click
    ids, referrer); ``method`` defaults to the catalog category of the source
    (inbound, outbound...); drop duplicates within ``dedupe_window``.

    Parameters
    ----------
    table : mapping of str to array-like, or a DataFrame
        The touch table: columns (a dict of arrays or lists) or any frame narwhals
        supports (pandas, polars eager or lazy, pyarrow, DuckDB, ...).
    columns : ColumnMap, optional
        Which columns hold what; the column keywords below are a shorthand that builds
        one (giving both is an error). Without a channel column the channel is derived.
    journey : str
        Column of the primary person/journey identifier (e.g. a cookie id).
    timestamp : str
        Column of touch times.
    url, source, medium, channel, campaign, method, referrer : str, optional
        Columns (landing URL, raw source, ...). An explicit column wins where present.
    identifiers : sequence of str, or mapping of column to kind, optional
        Further identifier columns linking touches to one person (email, user id,
        phone...); kinds ``"id"``, ``"email"``, ``"phone"`` (inferred from the name
        when a sequence is given).
    catalog : touchcredit.sources.Catalog, optional
        Source catalog (the default one when None).
    dedupe_window : timedelta, timedelta64 or seconds, optional
        Remove touches of the same person with the same source and channel that
        follow the previous one within this window (None: keep all; 0: exact repeats).
    default_tz : str or tzinfo, optional
        Zone of naive timestamps (UTC when None).
    dayfirst : bool
        Read ambiguous dates day first.
    errors : {"report", "raise"}
        ``"report"``: rows that cannot be read are rejected and listed;
        ``"raise"``: the first such row raises.
    conversions : mapping of str to array-like, or a DataFrame, optional
        Conversion table (leads or won deals).
    conversion_journey : str, optional
        Column of ``conversions`` holding an identifier of the same name as a touch
        identifier column (default: ``journey``).
    conversion_time : str, optional
        Conversion-time column (default: ``timestamp``).
    conversion_value : str, optional
        Value column (1 per conversion when None).
    target, currency : str, optional
        Passed to :meth:`JourneySet.from_arrays`.
    progress : bool, optional
        A bar over the steps when the run is long (see
        :func:`touchcredit.core.progress.progress_bar`).

    Returns
    -------
    (JourneySet, CleaningReport)
        Journey ids are person numbers (``report.person`` maps input rows to them);
        ``journeys.touch_row`` indexes the input table.

    Raises
    ------
    ValueError
        On a missing column (listing the columns found), columns of different lengths,
        or (``errors="raise"``) the first unreadable row.

    Examples
    --------
    >>> table = {
    ...     "cookie": ["c1", "c1", "c2", "c2", None],
    ...     "email": [None, "Ann@x.io", " ann@x.io", None, None],
    ...     "ts": ["2024-03-01 09:00", "2024-03-02", "03/05/2024 2:30 PM", "soon", "2024-03-09"],
    ...     "url": ["https://x.io/?utm_source=LinkedIn&utm_medium=cpc", None,
    ...             "x.io/?UTM_SOURCE=newsletter&utm_medium=email", None, None],
    ...     "source": [None, "Trade Show", None, None, "lnkd.in"],
    ... }
    >>> js, report = clean(table, journey="cookie", timestamp="ts", url="url",
    ...                    source="source", identifiers=["email"])
    >>> js.n_journeys, js.channel.labels().tolist()
    (1, ['paid social', 'offline', 'email'])
    >>> report.rows_in, report.rows_out, report.rows_rejected
    (5, 3, 2)
    >>> for why in report.rejected.reasons:
    ...     print(why)
    row 4: 'soon' is not a recognised date/time (...)
    row 5: no identifier ('cookie', 'email' all missing)
    """
    mapping = clean_columns(
        columns, journey=journey, timestamp=timestamp, url=url, source=source, medium=medium,
        channel=channel, campaign=campaign, method=method, referrer=referrer,
        identifiers=identifiers, conversion_journey=conversion_journey,
        conversion_time=conversion_time, conversion_value=conversion_value,
    )  # fmt: skip
    table = touch_table(table, mapping, default_tz=default_tz)
    conversions = conversion_table(conversions, mapping, default_tz=default_tz)
    journey, timestamp, channel = mapping.journey, mapping.timestamp, mapping.channel
    url, source, medium, referrer = mapping.url, mapping.source, mapping.medium, mapping.referrer
    campaign, method = mapping.campaign, mapping.method
    id_kinds: dict[str, str | None] = (
        dict(identifiers) if isinstance(identifiers, Mapping) else dict(mapping.identifiers)
    )
    if columns is None and not isinstance(identifiers, Mapping):
        id_kinds = dict.fromkeys(id_kinds)  # kinds inferred by identity.stitch, as before
    n = as_object_array(table[journey], field=journey).shape[0]
    cat = Catalog.default() if catalog is None else catalog
    reason = np.full(n, None, dtype=object)

    def reject(mask: npt.NDArray[np.bool_], why: Any) -> None:
        new = mask & (reason == None)  # noqa: E711  (elementwise)
        for i in np.flatnonzero(new).tolist():  # rejected rows only
            reason[i] = why(i) if callable(why) else f"row {i + 1}: {why}"

    bar = progress_bar(6, "clean", progress=progress)
    bar.update(0, label="timestamps")
    times = timestamps.parse(
        _column(table, timestamp, n, "timestamp"),
        default_tz=default_tz,
        dayfirst=dayfirst,
        errors="report",
        field=timestamp,
    )
    if errors == "raise" and len(times.rejected_rows):
        raise ValueError(f"{timestamp!r} could not be read: {times.reasons[0]}")
    reason[times.rejected_rows] = list(times.reasons)
    reject(np.isnat(times.values), f"{timestamp!r} is missing")

    bar.update(label="labels and URL tags")
    tags = utm.parse_many(_column(table, url, n, "url")) if url else None
    cols: dict[str, ObjArray | None] = {}
    for role, name in (
        ("source", source),
        ("medium", medium),
        ("channel", channel),
        ("campaign", campaign),
        ("method", method),
        ("referrer", referrer),
    ):
        if name is None:
            cols[role] = None
            continue
        values, bad = _text(_column(table, name, n, role), name)
        if bad.any():
            if errors == "raise":
                row = int(np.flatnonzero(bad)[0])
                raise TypeError(f"{name!r} must hold text; row {row + 1} is {table[name][row]!r}")
            reject(bad, f"{name!r} must hold text (or be empty)")
        cols[role] = values
    raw_source = _fill(cols["source"], tags["source"] if tags else None, n)
    medium_v = _fill(cols["medium"], tags["medium"] if tags else None, n)
    campaign_v = _fill(cols["campaign"], tags["campaign"] if tags else None, n)

    bar.update(label="identities")
    ids = {journey: _column(table, journey, n, "journey")}
    ids.update({c: _column(table, c, n, "identifier") for c in id_kinds})
    kinds = {c: k for c, k in id_kinds.items() if k is not None}
    stitched = identity.stitch(ids, kinds=kinds)
    reject(stitched.person < 0, f"no identifier ({', '.join(map(repr, ids))} all missing)")
    if errors == "raise" and (reason != None).any():  # noqa: E711
        raise ValueError(str(reason[reason != None][0]))  # noqa: E711

    bar.update(label="sources and channels")
    norm = normalize(raw_source, cat)
    canon = norm.values
    grouped = channels.channel_groups(
        canon,
        medium_v,
        paid=tags["paid"] if tags else None,
        platform=tags["platform"] if tags else None,
        referrer=cols["referrer"],
        catalog=cat,
    )
    channel_v = grouped if cols["channel"] is None else _fill(_tidy(cols["channel"]), grouped, n)
    method_v = _fill(cols["method"], cat.categories(canon), n)

    bar.update(label="duplicates")
    accepted = reason == None  # noqa: E711  (elementwise)
    rows = np.flatnonzero(accepted)
    duplicate_of = np.full(n, -1, dtype=np.int64)
    removed = 0
    if dedupe_window is not None and rows.size:
        d = identity.deduplicate(
            stitched.person[rows],
            times.values[rows],
            [canon[rows], channel_v[rows]],
            window=dedupe_window,
        )
        dup_rows = rows[~d.keep]
        duplicate_of[dup_rows] = rows[d.duplicate_of[~d.keep]]
        removed = d.n_removed
        rows = rows[d.keep]

    conv = _conversions(
        conversions,
        stitched,
        column=mapping.conversion_journey or journey,
        time=mapping.conversion_time,
        value=mapping.conversion_value,
        default_tz=default_tz,
        dayfirst=dayfirst,
        errors=errors,
    )
    bar.update(label="journeys")
    js = JourneySet.from_arrays(
        journey_id=stitched.person[rows],
        timestamp=times.values[rows],
        channel=channel_v[rows],
        source=canon[rows],
        campaign=campaign_v[rows],
        method=method_v[rows],
        conversion_journey_id=conv.person if conv else None,
        conversion_time=conv.time if conv else None,
        conversion_value=conv.value if conv else None,
        target=target,
        currency=currency,
    )
    js = attrs.evolve(
        js,
        touch_row=rows[js.touch_row],
        conversion_row=conv.rows[js.conversion_row] if conv else js.conversion_row,
    )
    bad_rows = np.flatnonzero(~accepted)
    person = np.where(accepted, stitched.person, -1)
    report = CleaningReport(
        rows_in=n,
        rows_out=js.n_touches,
        duplicates_removed=removed,
        rejected=Rejections(bad_rows.astype(np.int64), tuple(reason[bad_rows].tolist())),
        unmapped_sources=norm.unmapped,
        persons=stitched.n_persons,
        identities_merged=stitched.identities_merged,
        merge_groups=stitched.groups,
        person=person,
        duplicate_of=duplicate_of,
        conversions_in=conv.n_in if conv else 0,
        conversions_out=conv.rows.size if conv else 0,
        conversions_rejected=conv.rejected if conv else Rejections(np.zeros(0, np.int64), ()),
        rejected_conversion_value=conv.rejected_value if conv else 0.0,
    )
    assert report.rows_in == report.rows_out + report.duplicates_removed + report.rows_rejected
    bar.update()
    bar.close()
    return js, report


def _tidy(channel: ObjArray) -> ObjArray:
    """Channel labels that spell a channel group ("Paid_Social") become that group."""
    groups = {label_key(g): g for g in CHANNEL_GROUPS}
    uniq, inverse, _ = distinct_strings(channel, "channel")
    table = np.empty(len(uniq) + 1, dtype=object)
    table[:-1] = [groups.get(label_key(u), u) for u in uniq]
    table[-1] = None
    out: ObjArray = table[inverse]
    return out


@attrs.frozen(eq=False)
class _Conversions:
    person: IntArray
    time: npt.NDArray[np.datetime64]
    value: npt.NDArray[np.float64]
    rows: IntArray
    n_in: int
    rejected: Rejections
    rejected_value: float


def _conversions(
    conversions: Mapping[str, Any] | None,
    stitched: identity.Stitching,
    *,
    column: str,
    time: str,
    value: str | None,
    default_tz: TimeZoneLike,
    dayfirst: bool,
    errors: str,
) -> _Conversions | None:
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
    times = timestamps.parse(
        _column(conversions, time, m, "conversion time"),
        default_tz=default_tz,
        dayfirst=dayfirst,
        errors="report",
        field=time,
    )
    reason[times.rejected_rows] = [f"conversion {r}" for r in times.reasons]
    for i in np.flatnonzero(np.isnat(times.values) & (reason == None)).tolist():  # noqa: E711
        reason[i] = f"conversion row {i + 1}: {time!r} is missing"
    values = np.ones(m, dtype=np.float64)
    if value is not None:
        raw = _column(conversions, value, m, "conversion value")
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
    return _Conversions(
        person=person[keep],
        time=times.values[keep],
        value=values[keep],
        rows=keep.astype(np.int64),
        n_in=m,
        rejected=Rejections(bad_rows.astype(np.int64), tuple(reason[bad_rows].tolist())),
        rejected_value=float(lost[np.isfinite(lost) & (lost >= 0)].sum()),
    )
