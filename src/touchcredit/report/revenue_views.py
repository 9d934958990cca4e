"""Two meanings of revenue per source, side by side: recorded source and model credit.

A lead's *recorded source* (the CRM's "Lead Source") gets all of its won revenue; a
model gives each touch of the journey its share. The two answer different questions
("which source brought the leads that paid" and "which touches earned the revenue"),
and a source can lose money under one and pay under the other. This section shows
spend, revenue and ROI by recorded source next to revenue and ROI under each model,
as HubSpot's attribution reports do; every column says which revenue it is.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from touchcredit.attribution.results import attribute
from touchcredit.core.store import JourneySet
from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.metrics import economics
from touchcredit.models.base import AttributionModel
from touchcredit.report import charts
from touchcredit.report.html import Table, label_text, money, percent
from touchcredit.report.sections import Section

__all__ = ["RECORDED", "revenue_views_section"]

#: The column heading of revenue that follows each lead's recorded source.
RECORDED = "recorded source"


def _by_label(table: Any, by: str) -> dict[Any, dict[str, float]]:
    cols = [c for c in ("spend", "revenue", "roi") if c in table.names]
    return {lab: {c: float(table[c][i]) for c in cols} for i, lab in enumerate(table[by].tolist())}


def revenue_views_section(
    journeys: JourneySet,
    leads: LeadSet,
    spend: Any,
    models: Sequence[AttributionModel],
    *,
    by: str = "source",
    top: int = 12,
) -> Section:
    """Revenue and ROI by ``by``: the leads' recorded label next to each model's credit.

    Parameters
    ----------
    journeys : JourneySet
        Touches and won deals (``target="revenue"``, with a currency).
    leads : LeadSet
        The leads and their deals (revenue by recorded label).
    spend : SpendTable or None
        Spend per label (ROI needs it).
    models : sequence of AttributionModel
        The report's models.
    by : str
        ``"source"`` or ``"channel"``.
    top : int
        Labels shown in the chart (the table has them all).

    Returns
    -------
    Section
    """
    sid, title = f"revenue-views-{by}", f"Revenue and ROI by {by}: recorded {by} and model credit"
    if journeys.target == "leads" or journeys.currency is None:
        return Section(
            id=sid,
            title=title,
            intro=(
                "The journeys credit leads, not revenue: there is no model credit of revenue "
                f"to set beside the revenue of each lead's recorded {by}."
            ),
        )
    views, notes = _views(journeys, leads, spend, models, by)
    labels = sorted({lab for _, rows in views for lab in rows}, key=_order(views))
    cur = journeys.currency

    def m0(x: float) -> str:
        return money(x, cur, 0) if math.isfinite(x) else "n/a"

    columns, formats, rows = _columns(views, labels, by, spend is not None, m0)
    notes.insert(
        0,
        f"revenue: {RECORDED}: each lead's won deals, all to the {by} the CRM recorded for "
        f"the lead; revenue: <model>: the model's credit of the won deals to the touches' "
        f"{by}s. ROI = (revenue - spend) / spend; n/a where no spend line was given.",
    )
    table = Table.build(
        f"Revenue and ROI by {by}, recorded {by} and per model", columns, rows, formats,
        notes=notes,
    )  # fmt: skip
    shown = labels[:top]
    series = [(name, [r.get(lab, {}).get("revenue", 0.0) for lab in shown]) for name, r in views]
    svg = charts.bars(
        [label_text(lab) for lab in shown], series, m0,
        title=f"Revenue by {by}: recorded {by} and per model",
    )  # fmt: skip
    return Section(
        id=sid,
        title=title,
        intro=(
            f"Two meanings of revenue side by side: the revenue of the leads whose recorded "
            f"{by} it is, and the revenue each model credits to the {by}'s touches. A {by} "
            "can lose money under one and pay under the other."
        ),
        tables=(table,),
        charts=(svg,),
    )


def _order(views: Views) -> Any:
    """Labels by their largest revenue under any view, then by text."""

    def key(lab: Any) -> tuple[float, str]:
        best = max(r.get(lab, {}).get("revenue", 0.0) for _, r in views)
        return (-best, label_text(lab))

    return key


Views = list[tuple[str, dict[Any, dict[str, float]]]]


def _views(
    journeys: JourneySet, leads: LeadSet, spend: Any, models: Sequence[AttributionModel], by: str
) -> tuple[Views, list[str]]:
    """(name, label -> spend/revenue/roi) for the recorded label and every model."""
    notes: list[str] = []
    with warnings.catch_warnings():  # labels in one table only: said in the notes
        warnings.simplefilter("ignore")
        recorded = economics(leads, spend=spend, by=by)
        views = [(RECORDED, _by_label(recorded, by))]
        for model in models:
            name = model.name or type(model).__name__
            try:
                credited = economics(
                    leads, spend=spend, attribution=attribute(journeys, model), by=by
                )
            except ValueError as exc:  # currencies that differ, a label the model cannot use
                notes.append(f"{name}: {exc}")
                continue
            views.append((name, _by_label(credited, by)))
            notes += [n for n in credited.notes if "unattributed" in n]
    return views, notes


def _columns(
    views: Views, labels: list[Any], by: str, has_spend: bool, m0: Any
) -> tuple[list[str], list[Any], list[list[Any]]]:
    """The table's headings, formats and rows: spend, then revenue and ROI per view."""
    columns = [by]
    formats: list[Any] = [str]
    if has_spend:
        columns.append("spend")
        formats.append(m0)
    for name, _ in views:
        columns.append(f"revenue: {name}")
        formats.append(m0)
        if has_spend:
            columns.append(f"ROI: {name}")
            formats.append(percent)
    rows = []
    for lab in labels:
        row: list[Any] = [lab]
        if has_spend:
            row.append(next((r[lab]["spend"] for _, r in views if lab in r), math.nan))
        for _, r in views:
            got = r.get(lab, {})
            row.append(got.get("revenue", 0.0))
            if has_spend:
                row.append(got.get("roi", math.nan))
        rows.append(row)
    return columns, formats, rows
