"""The one cleaning path of every connector, and its report in the user's own rows.

A connector turns its export into a touch table and a conversion table (columns of
numpy arrays, one row per candidate touch or conversion, each remembering the input
row it came from), then calls :func:`finish`, which runs :func:`touchcredit.clean`
(UTM parsing, catalog normalisation, channel groups, identity stitching, dedup, the
time rule) and restates its report in the rows of the user's files: rejected rows
are input rows (1-based in messages), ``journeys.touch_row`` and
``journeys.conversion_row`` index the input tables, and input rows that are neither
touches nor conversions are counted by reason in ``not_used``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np

from touchcredit.core.arrays import BoolArray, IntArray
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeRule, TimeZoneLike, check_unit
from touchcredit.hygiene.catalog import Catalog
from touchcredit.hygiene.clean import CleaningReport, Rejections, clean
from touchcredit.hygiene.groups import Membership
from touchcredit.hygiene.identity import MAX_JOURNEYS

__all__ = [
    "Cleaning",
    "ConnectorReport",
    "Table",
    "combine",
    "empty_rows",
    "finish",
    "merge_counts",
    "once_per_id",
    "rejections",
]

_ROW = re.compile(r"^(?:conversion )?row \d+:\s*")


@attrs.frozen(kw_only=True)
class Cleaning:
    """The cleaning options every connector passes to :func:`touchcredit.clean`.

    Parameters
    ----------
    catalog : touchcredit.hygiene.catalog.Catalog, optional
        Source catalog (the default one when None).
    dedupe_window : timedelta, timedelta64 or text such as ``"30min"``, optional
        Remove repeated touches of one person with the same source and channel within
        this window (None: keep all).
    default_tz : str or tzinfo, optional
        Zone of naive times in the export (UTC when None).
    dayfirst : bool, optional
        Day/month order of numeric dates such as ``03/04/2024`` (None: decided once per
        column from the values that settle it).
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch-number times (None: the one unit putting them in 1990-2100).
    errors : {"report", "raise"}
        ``"report"``: unreadable rows are rejected and listed in the report;
        ``"raise"``: the first one raises, naming its input row.
    progress : bool, optional
        Progress bar while cleaning (see :func:`touchcredit.core.progress.progress_bar`;
        ``TOUCHCREDIT_PROGRESS=0`` turns it off).
    ignore_placeholders : bool
        Stitch nothing through placeholder identifiers (``n/a``, ``000-000-0000``).
    max_journeys_per_identifier : int, optional
        Stitch nothing through an identifier found with more journey ids (None: no
        limit); see :func:`touchcredit.clean`.

    Examples
    --------
    >>> Cleaning(default_tz="Europe/Paris").errors
    'report'
    >>> Cleaning(unit="us").time_rule.unit
    'us'
    """

    catalog: Catalog | None = None
    dedupe_window: Any = None
    default_tz: TimeZoneLike = None
    dayfirst: bool | None = None
    errors: Literal["report", "raise"] = attrs.field(
        default="report", validator=attrs.validators.in_(("report", "raise"))
    )
    progress: bool | None = None
    ignore_placeholders: bool = True
    max_journeys_per_identifier: int | None = MAX_JOURNEYS
    unit: str | None = attrs.field(default=None, converter=check_unit)
    time_rule: TimeRule = attrs.field(init=False)

    @time_rule.default
    def _time_rule(self) -> TimeRule:
        """The time options as the one value every door passes down (checked here)."""
        return TimeRule(self.default_tz, self.unit, dayfirst=self.dayfirst)


@attrs.frozen(eq=False)
class Table:
    """Columns handed to :func:`touchcredit.clean` and the input row of each of their rows.

    ``name`` is the input table the rows come from (``"events"``, ``"deals"``), used
    in messages; ``rows`` holds 0-based input rows.
    """

    name: str
    columns: Mapping[str, Any]
    rows: IntArray


@attrs.frozen(eq=False)
class ConnectorReport(CleaningReport):
    """A :class:`~touchcredit.CleaningReport` in the rows of the connector's input.

    It has every attribute of CleaningReport, with rejected rows counted in the input
    tables, and these.

    Attributes
    ----------
    source : str
        The connector (``"ga4"``, ``"hubspot"``, ...).
    tables : mapping of str to int
        Rows read per input table.
    not_used : mapping of str to int
        Input rows that are neither a touch nor a conversion, by reason (for example
        GA4 events that are not session starts). They are not errors.
    touch_table, conversion_table : str
        The input tables whose rows ``rejected`` and ``conversions_rejected`` index.
    touch_rows : int64 ndarray
        Input row of each candidate touch handed to :func:`touchcredit.clean`;
        ``person`` and ``duplicate_of`` are indexed by candidate touch, as in clean's
        report (a HubSpot contact row can give two candidate touches).
    rates : mapping of str to float
        The exchange rates the amounts were converted with (other currency -> units of
        the JourneySet's currency), as the user gave them; empty when none was needed.
    """

    source: str = ""
    tables: Mapping[str, int] = attrs.field(factory=dict)
    not_used: Mapping[str, int] = attrs.field(factory=dict)
    touch_table: str = ""
    conversion_table: str = ""
    touch_rows: IntArray = attrs.field(factory=lambda: np.zeros(0, np.int64))
    rates: Mapping[str, float] = attrs.field(factory=dict)

    def __str__(self) -> str:
        read = ", ".join(f"{name}: {n:,}" for name, n in self.tables.items())
        lines = [f"{self.source}: rows read ({read})", super().__str__()]
        lines += [f"not used: {n:,} {why}" for why, n in self.not_used.items()]
        lines += [
            f"converted: 1 {c} = {r:g} in the journeys' currency (rate given)"
            for c, r in self.rates.items()
        ]
        shown = list(self.rejected.reasons[:5]) + list(self.conversions_rejected.reasons[:5])
        lines += [f"  rejected {why}" for why in shown]
        return "\n".join(lines)


def _restate(rej: Rejections, rows: IntArray, table: str) -> Rejections:
    """Rejections of clean's rows, restated in input rows (1-based in the text)."""
    src = rows[rej.rows] if rej.rows.size else np.zeros(0, np.int64)
    reasons = [
        f"{table} row {int(r) + 1}: {_ROW.sub('', why, count=1)}"
        for r, why in zip(src.tolist(), rej.reasons, strict=True)
    ]
    order = np.argsort(src, kind="stable")
    return Rejections(src[order].astype(np.int64), tuple(reasons[i] for i in order.tolist()))


def _merge(a: Rejections, b: Rejections | None) -> Rejections:
    if b is None or not len(b):
        return a
    rows = np.concatenate([a.rows, b.rows])
    reasons = a.reasons + b.reasons
    order = np.argsort(rows, kind="stable")
    return Rejections(rows[order], tuple(reasons[i] for i in order.tolist()))


def combine(a: Rejections, b: Rejections) -> Rejections:
    """Two sets of rejected input rows of one table as one, ascending by row."""
    return _merge(a, b)


def rejections(rows: IntArray, table: str, why: str) -> Rejections:
    """Rejections of 0-based input ``rows`` of ``table``, all for one reason.

    Examples
    --------
    >>> rejections(np.array([2]), "deals", "no associated contact").reasons
    ('deals row 3: no associated contact',)
    """
    rows = np.asarray(rows, dtype=np.int64)
    return Rejections(rows, tuple(f"{table} row {r + 1}: {why}" for r in rows.tolist()))


def finish(
    touches: Table,
    conversions: Table | None,
    *,
    columns: ColumnMap,
    cleaning: Cleaning | None,
    source: str,
    tables: Mapping[str, int],
    not_used: Mapping[str, int] | None = None,
    target: str = "conversions",
    currency: str | None = None,
    rejected_touches: Rejections | None = None,
    rejected_conversions: Rejections | None = None,
    groups: Membership | None = None,
    rates: Mapping[str, float] | None = None,
) -> tuple[JourneySet, ConnectorReport]:
    """Run :func:`touchcredit.clean` on a connector's tables; restate its report.

    Parameters
    ----------
    touches, conversions : Table
        Candidate touches and conversions with their input rows.
    columns : touchcredit.ColumnMap
        Which columns of ``touches`` and ``conversions`` hold what, handed to
        :func:`touchcredit.clean` as it is (``clean(columns=...)``).
    cleaning : Cleaning, optional
        Cleaning options (defaults when None).
    source : str
        Connector name for the report.
    tables, not_used : mapping of str to int
        Rows read per input table; input rows not used, by reason.
    target, currency : str
        Passed to :func:`touchcredit.clean`.
    rejected_touches, rejected_conversions : Rejections, optional
        Input rows the connector itself rejected (0-based rows, full reasons), added
        to the report (``rows_in`` and ``conversions_in`` count them).
    groups : Membership, optional
        Buying groups (:mod:`touchcredit.hygiene.groups`), passed to ``clean``.

    Raises
    ------
    ValueError
        With ``errors="raise"``, the first rejected row, named by its input row.
    """
    opts = cleaning or Cleaning()
    js, rep = clean(
        touches.columns,
        columns=columns,
        catalog=opts.catalog,
        dedupe_window=opts.dedupe_window,
        time=opts.time_rule,
        errors="report",
        conversions=None if conversions is None else conversions.columns,
        target=target,
        currency=currency,
        progress=opts.progress,
        ignore_placeholders=opts.ignore_placeholders,
        max_journeys_per_identifier=opts.max_journeys_per_identifier,
        groups=groups,
    )
    rejected = _merge(_restate(rep.rejected, touches.rows, touches.name), rejected_touches)
    conv_rows = conversions.rows if conversions is not None else np.zeros(0, np.int64)
    conv_name = conversions.name if conversions is not None else ""
    conv_rejected = _merge(
        _restate(rep.conversions_rejected, conv_rows, conv_name), rejected_conversions
    )
    if opts.errors == "raise" and (len(rejected) or len(conv_rejected)):
        raise ValueError((rejected.reasons + conv_rejected.reasons)[0])
    js = attrs.evolve(
        js,
        touch_row=touches.rows[js.touch_row],
        conversion_row=conv_rows[js.conversion_row]
        if conversions is not None
        else js.conversion_row,
    )
    base = {f.name: getattr(rep, f.name) for f in attrs.fields(CleaningReport)}
    base.update(
        rejected=rejected,
        conversions_rejected=conv_rejected,
        rows_in=rep.rows_in + len(rejected_touches or ()),
        conversions_in=rep.conversions_in + len(rejected_conversions or ()),
    )
    report = ConnectorReport(
        **base,
        source=source,
        tables=dict(tables),
        not_used={k: v for k, v in (not_used or {}).items() if v},
        touch_table=touches.name,
        conversion_table=conv_name,
        touch_rows=touches.rows,
        rates=dict(rates or {}),
    )
    return js, report


def once_per_id(
    table: Any, id_column: str, columns: Sequence[str], *, name: str
) -> tuple[BoolArray, int, Rejections]:
    """Rows of an export to read once per id (:mod:`touchcredit.connectors.duplicates`):
    the keep mask, the equal copies merged, and the disagreeing copies rejected."""
    from touchcredit.connectors import files
    from touchcredit.connectors.duplicates import repeated_ids

    values = [files.texts(table.column(c)) for c in columns if c in table.column_names]
    ids = files.texts(table.column(id_column))
    found = repeated_ids(ids, values, table=name, column=id_column)
    return found.keep, found.merged, Rejections(found.conflicts, found.reasons)


def empty_rows() -> IntArray:
    """An empty row index (a table with no rows)."""
    return np.zeros(0, dtype=np.int64)


def merge_counts(*counts: Mapping[str, int]) -> dict[str, int]:
    """Add up reason -> count mappings."""
    out: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            out[k] = out.get(k, 0) + int(v)
    return out
