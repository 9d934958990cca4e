"""The report's sections, each computed from the library's own results.

One function per section: it calls the public API (:func:`touchcredit.compare`,
:func:`touchcredit.bootstrap`, :func:`touchcredit.kpi.metrics.monthly_report`,
:func:`touchcredit.kpi.funnel.stage_funnel`, :func:`touchcredit.kpi.paths.top_paths`...) and
turns the numbers into a :class:`Section` of formatted tables and SVG charts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.attribution.calibration import Calibration
from touchcredit.attribution.comparison import compare
from touchcredit.attribution.results import Comparison
from touchcredit.attribution.uncertainty import Bootstrap, bootstrap
from touchcredit.core.store import JourneySet
from touchcredit.kpi.funnel import stage_funnel
from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.paths import top_paths
from touchcredit.models.base import AttributionModel
from touchcredit.report import charts
from touchcredit.report.calibrated import with_calibrated
from touchcredit.report.html import (
    Cell,
    Table,
    cell,
    count,
    days,
    label_text,
    money,
    number,
    percent,
)

__all__ = [
    "Section",
    "cleaning_section",
    "credit_section",
    "funnel_section",
    "paths_section",
    "time_to_convert_section",
]


@attrs.frozen
class Section:
    """One part of the report: title, a sentence of context, tables, charts and notes."""

    id: str
    title: str
    intro: str
    tables: tuple[Table, ...] = ()
    charts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    kpis: tuple[Any, ...] = ()
    collapsed: tuple[str, ...] = ()


def value_format(journeys: JourneySet) -> tuple[Callable[[float], str], str]:
    """How a credit value reads: money in the currency, or a count of conversions."""
    if journeys.currency is not None and journeys.target != "leads":
        cur = journeys.currency
        return (lambda v: money(v, cur)), f"value ({cur})"
    return (lambda v: number(v, 1)), "conversions"


# ----------------------------------------------------------------- credit
_UNATTRIBUTED = object()  # the row of value no touch took credit for


def _intervals(
    journeys: JourneySet, models: Sequence[AttributionModel], by: str, n: int, seed: int
) -> list[Bootstrap]:
    if journeys.target == "leads":
        return [bootstrap(journeys, m, n=n, seed=seed, by=by, what="conversions") for m in models]
    return [bootstrap(journeys, m, n=n, seed=seed, by=by, what="value") for m in models]


def _credit_table(
    cmp: Comparison, boots: Sequence[Bootstrap], order: Sequence[int], journeys: JourneySet
) -> Table:
    """Rows: labels by mean credit, then unattributed when non-zero; a column per model."""
    fmt, unit = value_format(journeys)
    total = journeys.total_value
    level = f"{boots[0].ci:.0%}" if boots else ""

    def credit_cell(v: float, j: int, label: Any) -> Cell:
        share = v / total if total else np.nan
        sub = ""
        if boots and label is not _UNATTRIBUTED and label in boots[j].labels:
            k = boots[j].labels.index(label)
            sub = f"{level}: {fmt(boots[j].lower[k])} – {fmt(boots[j].upper[k])}"
        return Cell(f"{fmt(v)} ({percent(share)})", float(v), sub=sub)

    m = len(cmp.names)
    rows = [
        (
            cell(label_text(cmp.labels[i])),
            *tuple(credit_cell(float(cmp.values[i, j]), j, cmp.labels[i]) for j in range(m)),
        )
        for i in order
    ]
    if float(np.abs(cmp.unattributed).sum()) > 0:  # an all-zero row says nothing
        rows.append(
            (
                cell("unattributed"),
                *tuple(credit_cell(float(cmp.unattributed[j]), j, _UNATTRIBUTED) for j in range(m)),
            )
        )
    notes = [
        f"Total {unit}: {fmt(total)} over {journeys.n_conversions:,} conversions; "
        "each cell: credit (share of the total)."
    ]
    if boots:
        notes.append(
            f"Below each credit: its {level} bootstrap percentile interval over "
            f"{boots[0].n:,} resamples of whole journeys (seed {boots[0].seed})."
        )
    return Table(
        f"Credit by {cmp.by}, per model",
        (cmp.by, *cmp.names),
        (False, *([True] * m)),
        tuple(rows),
        tuple(notes),
    )


def credit_section(
    journeys: JourneySet,
    models: Sequence[AttributionModel],
    by: str,
    *,
    n_bootstrap: int = 0,
    seed: int = 0,
    top: int = 12,
    calibration: Calibration | None = None,
) -> Section:
    """Credit per label of ``by`` under every model, side by side (the model comparison).

    With ``calibration``, a "Calibrated" column follows its model's column, and a
    ``baseline`` row ends the table (:func:`touchcredit.report.calibrated.with_calibrated`).
    """
    cmp = compare(journeys, models, by=by)
    fmt, unit = value_format(journeys)
    boots = _intervals(journeys, cmp.models, by, n_bootstrap, seed) if n_bootstrap else []
    order = np.argsort(-cmp.values.mean(axis=1), kind="stable").tolist()
    table = _credit_table(cmp, boots, order, journeys)
    if calibration is not None:
        labels = [cmp.labels[i] for i in order]
        table = with_calibrated(table, labels, cmp, calibration, journeys, fmt)
    shown = order[:top]
    series = [(name, [float(cmp.values[i, j]) for i in shown]) for j, name in enumerate(cmp.names)]
    whiskers: list[Any] | None = None
    if boots:
        whiskers = []
        for b in boots:
            idx = [b.labels.index(cmp.labels[i]) for i in shown]
            whiskers.append(([float(b.lower[k]) for k in idx], [float(b.upper[k]) for k in idx]))
    svg = charts.bars(
        [label_text(cmp.labels[i]) for i in shown],
        series,
        fmt,
        title=f"Credit by {by}, per model",
        intervals=whiskers,
    )
    more = len(order) > len(shown)
    chart_notes = (
        [f"The chart shows the {len(shown)} largest of {len(order)} {by}s."] if more else []
    )
    return Section(
        id="credit-" + "-".join("".join(c if c.isalnum() else " " for c in by).split()),
        title=f"Credit by {by}",
        intro=(
            f"How each model splits the {unit} over the {by}s that touched the journeys "
            f"(the models' credit, not each lead's recorded {by}). Where the models "
            f"disagree, the credit of that {by} depends on the model chosen."
        ),
        tables=(table,),
        charts=(svg,),
        notes=tuple(chart_notes),
    )


# ----------------------------------------------------------------- funnel
def funnel_section(leads: LeadSet) -> Section:
    """Stage counts, stage-to-stage conversion, drop-off and median time in stage."""
    f = stage_funnel(leads)
    stages = [str(s) for s in f["stage"].tolist()]
    reached = [int(x) for x in f["reached"].tolist()]
    rate_prev = f["rate_from_previous"].tolist()
    rows = [
        [s, n, rp, rl, d, m]
        for s, n, rp, rl, d, m in zip(
            stages,
            reached,
            rate_prev,
            f["rate_from_lead"].tolist(),
            f["drop_off"].tolist(),
            f["median_days_in_stage"].tolist(),
            strict=True,
        )
    ]
    table = Table.build(
        "Funnel",
        ["stage", "leads reaching it", "from previous stage", "from lead", "drop-off",
         "median time in stage"],
        rows,
        [str, count, percent, percent, count, days],
        notes=f.notes,
    )  # fmt: skip
    rates = ["" if i == 0 else f"{percent(r)} of previous" for i, r in enumerate(rate_prev)]
    svg = charts.funnel(stages, reached, rates, title="Lead funnel")
    return Section(
        id="funnel",
        title="Funnel",
        intro=(
            "Leads reaching each stage (a lead that skipped a stage counts as having passed "
            "it), the conversion from the previous stage, and where leads drop off."
        ),
        tables=(table,),
        charts=(svg,),
    )


# ----------------------------------------------------------------- paths
def _paths_table(journeys: JourneySet, t: Any, caption: str) -> Table:
    fmt, unit = value_format(journeys)
    rows = zip(
        [str(p) for p in t["path"].tolist()],
        t["length"].tolist(),
        t["journeys"].tolist(),
        t["share"].tolist(),
        t["conversion_rate"].tolist(),
        t["value"].tolist(),
        t["value_per_journey"].tolist(),
        strict=True,
    )
    return Table.build(
        caption,
        ["path", "length", "journeys", "share", "conversion rate", unit, f"{unit} per journey"],
        [list(r) for r in rows],
        [str, count, count, percent, percent, fmt, fmt],
        notes=t.notes,
    )


def paths_section(journeys: JourneySet, *, by: str = "channel", k: int = 10) -> Section:
    """The most common paths to conversion (repeats collapsed), and of all journeys one
    click away (a collapsed table)."""
    t = top_paths(
        journeys, by=by, k=k, collapse_repeats=True, until_conversion=True, converting_only=True
    )
    every = top_paths(journeys, by=by, k=k, collapse_repeats=True)
    sep = " > "
    path_text = [str(p) for p in t["path"].tolist()]
    steps = [p.split(sep) if p else [] for p in path_text]
    cats = journeys.dimension(by).categories
    colours = {str(c): charts.PALETTE[i % len(charts.PALETTE)] for i, c in enumerate(cats)}
    fmt, _ = value_format(journeys)
    svg = charts.paths(
        steps,
        [int(x) for x in t["journeys"].tolist()],
        [f"{fmt(v)} per journey" for v in t["value_per_journey"].tolist()],
        colours,
        title=f"Top converting paths by {by}",
    )
    main = _paths_table(journeys, t, f"Top converting paths by {by} (up to the last conversion)")
    all_caption = f"Top paths of all journeys by {by} (converting or not)"
    return Section(
        id="paths",
        title="Top paths",
        intro=(
            f"The {len(path_text)} most common sequences of {by}s among the journeys that "
            f"convert, up to their last conversion (a {by} repeated in a row counts once). "
            "The paths of all journeys, converting or not, are one click below."
        ),
        tables=(main, _paths_table(journeys, every, all_caption)),
        charts=(svg,),
        collapsed=(all_caption,),
    )


# ----------------------------------------------------------------- time to convert
def _first_touch_days(journeys: JourneySet) -> tuple[npt.NDArray[np.float64], npt.NDArray[Any]]:
    """Days from each conversion's first eligible touch, and its touch count."""
    pairs = journeys.pairs()
    has = pairs.length > 0
    first = pairs.touch[pairs.offsets[:-1][has]]
    t_conv = journeys.conversion_time[has].astype("datetime64[us]").astype(np.int64)
    t_first = journeys.timestamp_us[first]
    return (t_conv - t_first) / 86_400e6, pairs.length[has]


def time_to_convert_section(journeys: JourneySet) -> Section:
    """How long from first touch to conversion, and how many touches it takes: quantiles
    (the distribution itself is the "Time lag" section's chart)."""
    d, n = _first_touch_days(journeys)
    qs = (0.1, 0.25, 0.5, 0.75, 0.9)
    dq = np.quantile(d, qs).tolist() if d.size else [np.nan] * len(qs)
    nq = np.quantile(n, qs).tolist() if n.size else [np.nan] * len(qs)
    rows = [[f"{q:.0%} convert within", a, b] for q, a, b in zip(qs, dq, nq, strict=True)]
    rows.append(
        ["mean", float(d.mean()) if d.size else np.nan, float(n.mean()) if n.size else np.nan]
    )
    table = Table.build(
        "Time to convert",
        ["quantile", "days from first touch", "touches before converting"],
        rows,
        [str, days, lambda x: number(x, 1)],
        notes=(
            f"{journeys.n_conversions - d.size:,} of {journeys.n_conversions:,} conversions "
            "had no touch before them and are not counted.",
        ),
    )  # fmt: skip
    return Section(
        id="time-to-convert",
        title="Time to convert",
        intro=(
            "How quickly conversions come: the days from a journey's first touch within "
            "which a share of the conversions happened, and the touches on the way (the "
            "Time lag section charts the days)."
        ),
        tables=(table,),
    )


# ----------------------------------------------------------------- cleaning
def cleaning_section(report: Any, journeys: JourneySet) -> Section:
    """What the numbers rest on: the cleaning accounting, unmapped sources, merged identities."""
    if report is None:
        rows = [
            ["journeys", journeys.n_journeys],
            ["touches", journeys.n_touches],
            ["conversions", journeys.n_conversions],
            ["touches without a source", int((journeys.dimension("source").codes < 0).sum())],
            ["touches without a channel", int((journeys.dimension("channel").codes < 0).sum())],
        ]
        table = Table.build("Input", ["what", "count"], rows, [str, count])
        return Section(
            id="cleaning",
            title="Data and cleaning",
            intro="No cleaning report was given: the touches were used as supplied.",
            tables=(table,),
        )
    balance = report.rows_out + report.duplicates_removed + report.rows_rejected
    ok = "holds" if balance == report.rows_in else "DOES NOT HOLD"
    rows = [
        ["touch rows in", report.rows_in],
        ["touch rows out (in the journeys)", report.rows_out],
        ["duplicates removed", report.duplicates_removed],
        ["rows rejected", report.rows_rejected],
        ["persons (journeys)", report.persons],
        ["identities merged", report.identities_merged],
        ["merge groups", len(report.merge_groups)],
    ]
    if report.conversions_in:
        rows += [
            ["conversion rows in", report.conversions_in],
            ["conversion rows out", report.conversions_out],
            ["conversion rows rejected", len(report.conversions_rejected)],
        ]
    tables = [Table.build("Cleaning accounting", ["what", "rows"], rows, [str, count])]
    unmapped = sorted(report.unmapped_sources.items(), key=lambda kv: (-kv[1], kv[0]))
    if unmapped:
        tables.append(
            Table.build(
                "Sources the catalog does not know (kept as they were)",
                ["source value", "rows"],
                [list(kv) for kv in unmapped],
                [str, count],
            )
        )
    reasons: dict[str, int] = {}
    for why in report.rejected.reasons:
        reasons[why] = reasons.get(why, 0) + 1
    if reasons:
        tables.append(
            Table.build(
                "Why rows were rejected",
                ["reason", "rows"],
                sorted(([k, v] for k, v in reasons.items()), key=lambda r: -r[1]),
                [str, count],
            )
        )
    alerts = () if balance == report.rows_in else ("The row accounting does not balance.",)
    return Section(
        id="cleaning",
        title="Data and cleaning",
        intro=(
            f"Rows in = out + duplicates removed + rejected: {report.rows_in:,} = "
            f"{report.rows_out:,} + {report.duplicates_removed:,} + {report.rows_rejected:,} "
            f"({ok})."
        ),
        tables=tuple(tables),
        alerts=alerts,
    )
