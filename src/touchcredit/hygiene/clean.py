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

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import DIMENSIONS, Dimension
from touchcredit.core.mapping import UNSET, ColumnMap, Unset
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeRule, TimeZoneLike, arrow_text, to_duration
from touchcredit.hygiene import channels, identity
from touchcredit.hygiene.catalog import Catalog
from touchcredit.hygiene.clean_input import (
    clean_columns,
    conversion_table,
    resolve,
    touch_table,
)
from touchcredit.hygiene.clean_steps import (
    CleanConversions,
    canonical_sources,
    column_of,
    conversions_by_value,
    paid_sources,
    parse_times,
    read_conversions,
    text_codes,
    tidy_channels,
    url_tags,
)
from touchcredit.hygiene.cleaning_report import CleaningReport, Rejections, no_rejections
from touchcredit.hygiene.groups import Grouping, Membership
from touchcredit.hygiene.source_medium import medium_labels
from touchcredit.hygiene.text_codes import TextCodes, factorize_text

__all__ = ["CleaningReport", "Rejections", "clean"]


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
    dayfirst: bool | None = None,
    errors: Literal["raise", "report"] = "report",
    unit: str | None = None,
    conversions: Any = None,
    conversion_journey: str | Unset | None = UNSET,
    conversion_time: str | Unset | None = UNSET,
    conversion_value: str | Unset | None = UNSET,
    target: str = "conversions",
    currency: str | None = None,
    progress: bool | None = None,
    ignore_placeholders: bool = True,
    max_journeys_per_identifier: int | None = identity.MAX_JOURNEYS,
    groups: Membership | None = None,
    time: TimeRule | None = None,
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
    dedupe_window : timedelta, timedelta64 or text such as ``"30min"``, optional
        Remove touches of the same person with the same source and channel that
        follow the previous one within this window (None: keep all; 0: exact repeats).
    default_tz, unit : optional
        Zone of naive timestamps (UTC when None); unit of epoch numbers ("s", "ms",
        "us", "ns"; None: the one fitting 1990-2100, :mod:`touchcredit.core.time.epochs`).
    dayfirst : bool, optional
        Day/month order of numeric dates such as ``03/04/2024`` (None: decided once
        per column from the values that settle it; see
        :func:`touchcredit.hygiene.timestamps.parse`).
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
    ignore_placeholders : bool
        Stitch nothing through placeholder identifiers (``n/a``, ``test@test.com``,
        ``000-000-0000``; :mod:`touchcredit.hygiene.placeholders`).
    max_journeys_per_identifier : int, optional
        Stitch nothing through an identifier value found with more than this many
        journey ids (a shared ``sales@`` address; None: no limit). Ignored values are
        listed in ``report.ignored_identifiers``; a row left without a usable
        identifier is rejected.
    groups : touchcredit.hygiene.groups.Membership, optional
        Buying groups: the conversions' ``conversion_journey`` column then holds group
        keys (deal or account ids), and each group's journey is the touches of all its
        members (:mod:`touchcredit.hygiene.groups`); touches record their ``contact``
        and ``role``. A person in no group keeps a journey of their own.
    time : touchcredit.core.time.TimeRule, optional
        The time options as one value (zone, unit, day/month order), as the connectors
        pass them; instead of ``default_tz``, ``unit`` and ``dayfirst``.

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
    rule = TimeRule.given(time, default_tz=default_tz, unit=unit, dayfirst=dayfirst)
    mapping = resolve(mapping, table, conversions)
    table = touch_table(table, mapping, rule=rule)
    conversions = conversion_table(conversions, mapping, rule=rule)
    id_kinds: dict[str, str | None] = dict(mapping.identifiers)
    n = len(column_of(table, mapping.journey, None, "journey"))
    cat = Catalog.default() if catalog is None else catalog
    rej = _Reasons(n)
    bar = progress_bar(6, "clean", progress=progress)
    bar.update(0, label="timestamps")
    times = _read_times(table, mapping.timestamp, n, rej, rule, errors)
    bar.update(label="labels and URL tags")
    labels = _read_labels(table, mapping, n, rej, errors)
    bar.update(label="identities")
    stitched = _stitch(
        table,
        mapping.journey,
        id_kinds,
        n,
        rej,
        errors,
        placeholders=ignore_placeholders,
        max_journeys=max_journeys_per_identifier,
    )
    bar.update(label="sources and channels")
    unmapped = _sources_and_channels(labels, cat, n)
    bar.update(label="duplicates")
    rows, duplicate_of, removed = _dedupe(
        np.flatnonzero(rej.accepted()), stitched, times, labels, dedupe_window
    )
    conv, grouping = _conversions(conversions, stitched, mapping, rule, errors, groups)
    bar.update(label="journeys")
    js = _journeys(rows, stitched, times, labels, conv, target, currency, grouping)
    report = _report(js, rows.size, rej, unmapped, stitched, removed, duplicate_of, conv)
    if grouping is not None:
        report = grouping.reported(report)
    bar.update()
    bar.close()
    return js, report


def _conversions(
    conversions: Any,
    stitched: identity.Stitching,
    mapping: ColumnMap,
    rule: TimeRule,
    errors: str,
    groups: Membership | None,
) -> tuple[CleanConversions | None, Grouping | None]:
    """The conversions matched to persons, or (with ``groups``) to their groups."""
    column = mapping.conversion_journey or mapping.journey
    grouping = Grouping(groups, stitched, conversions, column) if groups else None
    conv = read_conversions(
        conversions,
        stitched,
        journey_of=grouping.journey_of if grouping else None,
        column=column,
        time=mapping.conversion_time,
        value=mapping.conversion_value,
        rule=rule,
        errors=errors,
    )
    return conv, grouping


def _report(
    js: JourneySet,
    rows_out: int,
    rej: _Reasons,
    unmapped: Mapping[str, int],
    stitched: identity.Stitching,
    removed: int,
    duplicate_of: npt.NDArray[np.int64],
    conv: CleanConversions | None,
) -> CleaningReport:
    """The row accounting; every input row is kept, removed as a duplicate or rejected."""
    accepted = rej.accepted()
    bad_rows = np.flatnonzero(~accepted)
    report = CleaningReport(
        rows_in=accepted.size,
        rows_out=rows_out,
        duplicates_removed=removed,
        rejected=Rejections(bad_rows.astype(np.int64), tuple(rej.reason[bad_rows].tolist())),
        unmapped_sources=unmapped,
        persons=stitched.n_persons,
        identities_merged=stitched.identities_merged,
        merge_groups=stitched.groups,
        ignored_identifiers=stitched.ignored,
        person=np.where(accepted, stitched.person, -1),
        duplicate_of=duplicate_of,
        conversions_in=conv.n_in if conv else 0,
        conversions_out=conv.rows.size if conv else 0,
        conversions_rejected=conv.rejected if conv else no_rejections(),
        rejected_conversion_value=conv.rejected_value if conv else 0.0,
    )
    assert report.rows_in == report.rows_out + report.duplicates_removed + report.rows_rejected
    return report


class _Reasons:
    """Why each touch row was rejected (None: kept); the first reason given wins."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.ok = np.ones(n, dtype=bool)

    def reject(self, mask: npt.NDArray[np.bool_], why: str | Callable[[int], str]) -> None:
        new = np.flatnonzero(mask & self.ok)
        self.set(new, [why(i) if callable(why) else f"row {i + 1}: {why}" for i in new.tolist()])

    def set(self, rows: npt.NDArray[np.integer[Any]], reasons: Sequence[str]) -> None:
        self.reason[rows] = list(reasons)
        self.ok[rows] = False

    def accepted(self) -> npt.NDArray[np.bool_]:
        return self.ok.copy()

    def raise_first(self) -> None:
        bad = np.flatnonzero(~self.ok)
        if bad.size:
            raise ValueError(str(self.reason[bad[0]]))


def _read_times(
    table: Mapping[str, Any],
    name: str,
    n: int,
    rej: _Reasons,
    rule: TimeRule,
    errors: str,
) -> npt.NDArray[np.datetime64]:
    """Touch times as UTC instants; unreadable and missing ones rejected."""
    column = table[name]
    if arrow_text(column) is None:  # Arrow text (from a frame) is parsed as Arrow
        column = column_of(table, name, n, "timestamp")
    elif len(column) != n:
        raise ValueError(f"timestamp column {name!r} has {len(column)} rows, expected {n}")
    times = parse_times(column, rule, name)
    if errors == "raise" and len(times.rejected_rows):
        raise ValueError(f"{name!r} could not be read: {times.reasons[0]}")
    rej.set(times.rejected_rows, times.reasons)
    rej.reject(np.isnat(times.values), f"{name!r} is missing")
    values: npt.NDArray[np.datetime64] = times.values
    return values


_LABEL_ROLES = ("source", "medium", "channel", "campaign", "method", "referrer")


def _read_labels(
    table: Mapping[str, Any], mapping: ColumnMap, n: int, rej: _Reasons, errors: str
) -> dict[str, Any]:
    """Trimmed label columns as codes; source, medium and campaign fall back to the URL's
    tags. Every column is factorized once; the steps after work on its distinct values."""
    url = mapping.url
    tags = url_tags(column_of(table, url, n, "url"), url) if url else None
    cols: dict[str, Any] = {}
    for role in _LABEL_ROLES:
        name = getattr(mapping, role)
        if name is None:
            cols[role] = None
            continue
        values, bad = text_codes(column_of(table, name, n, role), name)
        if bad.any():
            if errors == "raise":
                row = int(np.flatnonzero(bad)[0])
                shown = column_of(table, name, n, role)
                shown = shown.labels() if isinstance(shown, TextCodes) else shown
                raise TypeError(f"{name!r} must hold text; row {row + 1} is {shown[row]!r}")
            rej.reject(bad, f"{name!r} must hold text (or be empty)")
        cols[role] = values
    for role in ("source", "medium", "campaign"):
        cols[role] = _fill(cols[role], tags[role] if tags else None, n)
    cols["paid"] = tags["paid"] if tags else None
    cols["platform"] = tags["platform"] if tags else None
    return cols


def _fill(primary: TextCodes | None, fallback: TextCodes | None, n: int) -> TextCodes:
    """``primary`` where present, else ``fallback`` (missing where neither)."""
    if primary is None:
        return fallback if fallback is not None else factorize_text([None] * n, field="none")
    return primary if fallback is None else primary.fill(fallback)


def _stitch(
    table: Mapping[str, Any],
    journey: str,
    id_kinds: Mapping[str, str | None],
    n: int,
    rej: _Reasons,
    errors: str,
    *,
    placeholders: bool,
    max_journeys: int | None,
) -> identity.Stitching:
    """Persons from the journey and identifier columns; rows with no identifier rejected."""
    ids = {journey: column_of(table, journey, n, "journey")}
    ids.update({c: column_of(table, c, n, "identifier") for c in id_kinds})
    kinds = {c: k for c, k in id_kinds.items() if k is not None}
    stitched = identity.stitch(
        ids, kinds=kinds, ignore_placeholders=placeholders, max_journeys=max_journeys
    )
    rej.reject(
        stitched.unusable,
        f"no usable identifier (only placeholder or shared values in {', '.join(map(repr, ids))})",
    )
    rej.reject(stitched.person < 0, f"no identifier ({', '.join(map(repr, ids))} all missing)")
    if errors == "raise":
        rej.raise_first()
    return stitched


def _sources_and_channels(labels: dict[str, Any], cat: Catalog, n: int) -> Mapping[str, int]:
    """Canonical sources, channel groups (an explicit channel wins) and methods, set in
    ``labels``; returns the sources the catalog does not know, with their row counts."""
    canon, unmapped, _ = canonical_sources(labels["source"], cat)
    grouped = channels.channel_group_codes(
        canon,
        labels["medium"],
        paid=labels["paid"],
        platform=labels["platform"],
        referrer=labels["referrer"],
        catalog=cat,
        n=n,
    )
    given = labels["channel"]
    labels["channel"] = grouped if given is None else tidy_channels(given).fill(grouped)
    canon, methods = paid_sources(canon, labels["channel"], cat)
    labels["method"] = _fill(labels["method"], methods, n)
    labels["source"] = canon
    return unmapped


def _dedupe(
    rows: npt.NDArray[np.intp],
    stitched: identity.Stitching,
    times: npt.NDArray[np.datetime64],
    labels: Mapping[str, Any],
    window: Any,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], int]:
    """Rows kept, the row each removed duplicate repeats (else -1), and the count removed.

    Duplicates share person, canonical source and channel: compared as integer codes."""
    duplicate_of = np.full(times.shape[0], -1, dtype=np.int64)
    if window is None or not rows.size:
        return rows, duplicate_of, 0
    w = int(to_duration(window, field="window").view(np.int64))
    if w < 0:
        raise ValueError(f"'window' must be >= 0, got {window!r}")
    source, channel = labels["source"], labels["channel"]
    key = (source.codes[rows] + 1) * (channel.values.shape[0] + 1) + channel.codes[rows] + 1
    d = identity.deduplicate_codes(stitched.person[rows], times[rows].view(np.int64), key, window=w)
    duplicate_of[rows[~d.keep]] = rows[d.duplicate_of[~d.keep]]
    return rows[d.keep], duplicate_of, d.n_removed


def _journeys(
    rows: npt.NDArray[np.intp],
    stitched: identity.Stitching,
    times: npt.NDArray[np.datetime64],
    labels: Mapping[str, Any],
    conv: CleanConversions | None,
    target: str,
    currency: str | None,
    grouping: Grouping | None = None,
) -> JourneySet:
    """The JourneySet of the kept rows, with their input rows recorded."""
    if conv is not None:  # conversions of one person at one instant: in value order, not
        conv = conversions_by_value(conv)  # row order (from_arrays keeps the input order on ties)
    touch_labels: dict[str, Dimension] = {}
    journey_id: npt.NDArray[Any] = stitched.person[rows]
    conversion_id: npt.NDArray[Any] | None = conv.person if conv else None
    if grouping is not None:  # one touch per (touch, group of its person)
        g = grouping.expand(journey_id, conv)
        rows, journey_id, conversion_id = rows[g.touch], g.journey_id, g.conversion_journey_id
        touch_labels = {"contact": g.contact, "role": g.role}
    touch_labels.update(medium_labels(labels["source"], labels["medium"], rows))
    dims = {}
    for name in DIMENSIONS:
        used = labels[name].take(rows).sorted_used()
        dims[name] = Dimension(used.codes.astype(np.int32), tuple(used.values.tolist()))
    js = JourneySet.from_arrays(
        journey_id=journey_id,
        timestamp=times[rows],
        channel=dims["channel"],
        source=dims["source"],
        campaign=dims["campaign"],
        method=dims["method"],
        conversion_journey_id=conversion_id,
        conversion_time=conv.time if conv else None,
        conversion_value=conv.value if conv else None,
        target=target,
        currency=currency,
    )
    return attrs.evolve(
        js,
        touch_labels={k: d.take(js.touch_row) for k, d in touch_labels.items()},
        touch_row=rows[js.touch_row],
        conversion_row=conv.rows[js.conversion_row] if conv else js.conversion_row,
    )
