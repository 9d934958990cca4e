"""The report's sections on how journeys convert, and on credit over time and against last touch.

One function per section, each from the public results: :func:`touchcredit.paths.assisted`,
:func:`~touchcredit.paths.path_lengths`, :func:`~touchcredit.paths.time_lags`,
:meth:`Attribution.by` with ``period="month"`` and :meth:`Comparison.change`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from touchcredit.attribution.comparison import compare
from touchcredit.attribution.results import attribute
from touchcredit.attribution.tables import model_label
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.store import JourneySet
from touchcredit.kpi.conversion_paths import assisted, path_lengths, time_lags
from touchcredit.models.base import AttributionModel, get
from touchcredit.report import charts
from touchcredit.report.html import Cell, Table, cell, count, label_text, percent
from touchcredit.report.sections import Section, value_format

__all__ = [
    "against_last_touch_section",
    "assisted_section",
    "credit_over_time_section",
    "path_length_section",
    "time_lag_section",
]

_BASELINE = "last_touch"


def _role(ratio: float, typical: float) -> str:
    """Opener or closer: the label's assist ratio against the ratio of all labels together."""
    if not math.isfinite(ratio) or ratio > 1.25 * typical:
        return "opener (assists more than most)"
    if ratio < 0.8 * typical:
        return "closer (last touch more than most)"
    return "both"


def assisted_section(journeys: JourneySet, *, by: str = "channel", top: int = 12) -> Section:
    """Last-touch and assisted conversions per label: which open journeys, which close them."""
    t = assisted(journeys, by=by)
    fmt, unit = value_format(journeys)
    money_too = unit != "conversions"
    labels = [label_text(x) for x in t[by].tolist()]
    last = t["last_touch_conversions"].tolist()
    assists = t["assisted_conversions"].tolist()
    ratio = t["assist_ratio"].tolist()
    columns = [by, "last-touch conversions", "assisted conversions", "assist ratio", "role"]
    formats: list[Any] = [
        str,
        count,
        count,
        lambda r: f"{r:,.2f}" if math.isfinite(r) else "n/a",
        str,
    ]
    typical = sum(assists) / sum(last) if sum(last) else math.inf
    rows: list[list[Any]] = [
        [lab, a, b, r, _role(r, typical)]
        for lab, a, b, r in zip(labels, last, assists, ratio, strict=True)
    ]
    if money_too:
        columns += [f"last-touch {unit}", f"assisted {unit}"]
        formats += [fmt, fmt]
        for row, v1, v2 in zip(
            rows, t["last_touch_value"].tolist(), t["assisted_value"].tolist(), strict=True
        ):
            row += [v1, v2]
    notes = [*t.notes, f"All {by}s together: {typical:,.2f} assists per last touch."]
    table = Table.build(t.title, columns, rows, formats, notes=notes)
    shown = list(range(min(top, len(labels))))
    svg = charts.bars(
        [labels[i] for i in shown],
        [
            ("last touch", [float(last[i]) for i in shown]),
            ("assisted", [float(assists[i]) for i in shown]),
        ],
        count,
        title=f"Last-touch and assisted conversions by {by}",
    )
    chart_notes = []
    if len(labels) > len(shown):
        chart_notes.append(
            f"The chart shows the {len(shown)} {by}s with most assists of {len(labels)}."
        )
    return Section(
        id="assisted",
        title="Assisted conversions",
        intro=(
            f"A {by} closes a conversion when it is the last touch before it, and assists "
            "when it is on the path earlier (a conversion counts once per label, in both "
            "columns when the label is both). Assist ratio: assisted ÷ last-touch "
            f"conversions; a {by} whose ratio is well above that of all {by}s together "
            "(assists per last touch) is an opener, well below it a closer."
        ),
        tables=(table,),
        charts=(svg,),
        notes=tuple(chart_notes),
    )


def _length_bins(t: MetricTable, cap: int = 10) -> tuple[list[str], list[int]]:
    names = [str(n) for n in range(1, cap + 1)] + [f"{cap + 1}+"]
    counts = [0] * len(names)
    for n, c in zip(t["length"].tolist(), t["conversions"].tolist(), strict=True):
        if n >= 1:
            counts[min(n, cap + 1) - 1] += int(c)
    return names, counts


def _share_table(t: MetricTable, first: str, journeys: JourneySet) -> Table:
    fmt, unit = value_format(journeys)
    key = t.names[0]
    rows = [
        [k, c, s, v, vs]
        for k, c, s, v, vs in zip(
            t[key].tolist(),
            t["conversions"].tolist(),
            t["share"].tolist(),
            t["value"].tolist(),
            t["value_share"].tolist(),
            strict=True,
        )
    ]
    columns = [first, "conversions", "share", unit, f"share of {unit}"]
    formats: list[Any] = [str, count, percent, fmt, percent]
    if unit == "conversions":  # the value is the count: one pair of columns says it all
        rows = [r[:3] for r in rows]
        columns, formats = columns[:3], formats[:3]
    return Table.build(t.title, columns, rows, formats, notes=t.notes)


def path_length_section(journeys: JourneySet) -> Section:
    """Conversions by the number of eligible touches on their path."""
    t = path_lengths(journeys)
    names, counts = _length_bins(t)
    svg = charts.histogram(names, counts, title="Conversions by number of touches on the path")
    lengths = t["length"].tolist()
    conv = t["conversions"].tolist()
    reached = sum(c for n, c in zip(lengths, conv, strict=True) if n >= 1)
    one = sum(c for n, c in zip(lengths, conv, strict=True) if n == 1)
    intro = (
        "How many touches a conversion takes: the eligible touches before it (at or before "
        f"the conversion). {percent(one / reached if reached else math.nan)} of the "
        "conversions with a touch had a single one."
    )
    return Section(
        id="path-length",
        title="Path length",
        intro=intro,
        tables=(_share_table(t, "touches", journeys),),
        charts=(svg,),
    )


def time_lag_section(journeys: JourneySet) -> Section:
    """Conversions by days from the first eligible touch."""
    t = time_lags(journeys)
    days = [str(d) for d in t["days"].tolist()]
    conv = [int(c) for c in t["conversions"].tolist()]
    keep = [i for i, d in enumerate(days) if d != "no eligible touch"]
    svg = charts.histogram(
        [days[i] for i in keep],
        [conv[i] for i in keep],
        title="Conversions by days from first touch",
    )
    return Section(
        id="time-lag",
        title="Time lag",
        intro=(
            "Days from a conversion's first eligible touch to the conversion (whole days of "
            "24 hours): a long tail means long consideration, and a lookback window shorter "
            "than it cuts early touches off."
        ),
        tables=(_share_table(t, "days", journeys),),
        charts=(svg,),
    )


def credit_over_time_section(
    journeys: JourneySet,
    models: Sequence[AttributionModel],
    *,
    by: str = "channel",
    top: int = 6,
    tz: str = "UTC",
) -> Section:
    """Monthly credit per label under each model (conversion month), stacked columns."""
    fmt, unit = value_format(journeys)
    per_model = [
        (model_label(m), attribute(journeys, m).by(by, period="month", tz=tz)) for m in models
    ]
    totals: dict[Any, float] = {}
    months: set[str] = set()
    for _, t in per_model:
        months.update(t["period"].tolist())
        for lab, v in zip(t[by].tolist(), t["value"].tolist(), strict=True):
            if lab != "unattributed":
                totals[lab] = totals.get(lab, 0.0) + float(v)
    ordered = sorted(totals, key=lambda lab: (-totals[lab], label_text(lab)))
    kept = ordered[:top]
    rest = len(ordered) - len(kept)
    month_list = sorted(months)
    names = [label_text(x) for x in kept]
    if rest:
        names.append(f"other ({rest})")
    names.append("unattributed")
    svgs, tables = [], []
    for name, t in per_model:
        grid = np.zeros((len(names), len(month_list)))
        col = {m: i for i, m in enumerate(month_list)}
        for p, lab, v in zip(
            t["period"].tolist(), t[by].tolist(), t["value"].tolist(), strict=True
        ):
            if lab == "unattributed":
                row = len(names) - 1
            elif lab in kept:
                row = kept.index(lab)
            else:
                row = len(kept)
            grid[row, col[p]] += float(v)
        series = [(n, grid[i].tolist()) for i, n in enumerate(names) if grid[i].any()]
        svgs.append(
            charts.stacked_columns(month_list, series, fmt, title=f"{name}: {unit} by month")
        )
        rows = [
            [m, *grid[:, j].tolist(), float(grid[:, j].sum())] for j, m in enumerate(month_list)
        ]
        tables.append(
            Table.build(
                f"{name}: monthly credit by {by}",
                ["month", *names, "total"],
                rows,
                [str, *([fmt] * (len(names) + 1))],
            )
        )
    return Section(
        id="credit-over-time",
        title="Credit over time",
        intro=(
            f"Credit per {by} and month of the conversion ({tz}), one chart per model: each "
            f"column adds up to the month's {unit}, unattributed included."
        ),
        tables=tuple(tables),
        charts=tuple(svgs),
        collapsed=tuple(t.caption for t in tables),
    )


def _signed(x: Any, why: Any = None) -> Cell:
    if isinstance(x, float) and not math.isfinite(x):
        return Cell("n/a" if why is None else f"n/a ({why})", math.nan)
    return Cell(f"{float(x) * 100:+,.1f}%", float(x))


def against_last_touch_section(
    journeys: JourneySet,
    models: Sequence[AttributionModel],
    *,
    by: str = "channel",
    top: int = 12,
) -> Section:
    """Every model's credit against last touch, per label (GA's model comparison tool)."""
    ms = list(models)
    if not any(model_label(m) == _BASELINE for m in ms):
        ms.insert(0, get(_BASELINE))
    c = compare(journeys, ms, by=by).change(_BASELINE)
    fmt, unit = value_format(journeys)
    change_cols = [k for k in c.names if k.endswith(" change")]
    base = c[_BASELINE].tolist()
    labels = c[by].tolist()
    order = sorted(range(len(labels)), key=lambda i: (labels[i] == "unattributed", -base[i]))
    rows = []
    for i in order:
        cells = [cell(label_text(labels[i])), cell(fmt(base[i]), base[i])]
        for k in change_cols:
            why = c.reasons.get(k)
            cells.append(_signed(float(c[k][i]), None if why is None else why[i]))
        rows.append(tuple(cells))
    table = Table(
        c.title,
        (by, f"last touch ({unit})", *(k.replace(" change", "") for k in change_cols)),
        (False, True, *([True] * len(change_cols))),
        tuple(rows),
        tuple(c.notes),
    )
    shown = [i for i in order if labels[i] != "unattributed"][:top]
    svg = charts.diverging(
        [label_text(labels[i]) for i in shown],
        [(k.replace(" change", ""), [float(c[k][i]) for i in shown]) for k in change_cols],
        title=f"Change in credit against last touch, by {by}",
    )
    return Section(
        id="against-last-touch",
        title="Against last touch",
        intro=(
            f"How far each model moves a {by}'s credit from the last-touch numbers most "
            "tools report: +50% is half as much again, -100% is no credit left; n/a where "
            "last touch gives the label nothing."
        ),
        tables=(table,),
        charts=(svg,),
    )
