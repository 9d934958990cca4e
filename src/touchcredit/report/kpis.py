"""The KPI sections: headline numbers with period-over-period change, monthly by source.

Both rest on :func:`touchcredit.kpi.metrics.monthly_report` (leads, stages and
customers by their own dates, spend by booking month, revenue by close month) and
:func:`touchcredit.kpi.metrics.economics` (the "cost per lead above lead value" flag).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.metrics import economics, monthly_report
from touchcredit.report import charts
from touchcredit.report.html import Table, count, label_text, money, percent
from touchcredit.report.periods import (
    data_end,
    headline_periods,
    period_codes,
    period_name,
    spend_periods,
)
from touchcredit.report.sections import Section

__all__ = ["Kpi", "headline_section", "monthly_section"]

_SUMS = ("leads", "mqls", "sqls", "opportunities", "customers", "spend", "revenue")


@attrs.frozen
class Kpi:
    """One headline number: its value now, before, and the change as text and tone."""

    name: str
    value: str
    previous: str
    change: str
    tone: str  # "good", "bad" or "flat"
    help: str = ""


def _period_of(months: np.ndarray[Any, Any], period: str) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Period code of every month, and period names ("2024-Q3", "2024-07")."""
    code = period_codes(months, period)
    return code, [period_name(c, period) for c in np.unique(code).tolist()]


def _change(now: float, before: float, rate: bool, lower_is_better: bool) -> tuple[str, str]:
    if not (math.isfinite(now) and math.isfinite(before)):
        return "n/a", "flat"
    if rate:
        diff = (now - before) * 100
        text = f"{diff:+.1f} pp"
    else:
        if before == 0:
            return ("new" if now else "no change"), "flat"
        diff = (now - before) / abs(before) * 100
        text = f"{diff:+.1f}%"
    if abs(diff) < 0.05:
        return "no change", "flat"
    good = (diff < 0) if lower_is_better else (diff > 0)
    return text, "good" if good else "bad"


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _totals(leads: LeadSet, spend: Any, period: str) -> tuple[list[str], dict[str, Any], list[int]]:
    rep = monthly_report(leads, spend=spend, by="source")
    code, names = _period_of(rep["month"].astype("datetime64[M]"), period)
    uniq, inv = np.unique(code, return_inverse=True)
    sums = {
        k: np.bincount(inv, weights=rep[k].astype(float), minlength=uniq.size)
        for k in _SUMS
        if k in rep.names
    }
    return names, sums, [int(c) for c in uniq.tolist()]


def headline_section(
    leads: LeadSet, spend: Any, currency: str | None, *, period: str = "quarter"
) -> Section:
    """Leads, qualified leads, customers, revenue, CPL, CAC, lead value, conversion rate.

    The last complete period against the one before (:mod:`touchcredit.report.periods`);
    CPL and CAC are n/a in a period without a spend line.
    """
    names, s, codes = _totals(leads, spend, period)
    if not names:
        return Section(id="kpis", title="Headline KPIs", intro="No leads in the data.")
    chosen = headline_periods(codes, data_end(leads), period)
    now, before = chosen.now, chosen.before
    spent = spend_periods(spend, period)

    def at(k: str, i: int) -> float:
        return float(s[k][i]) if k in s and i >= 0 else math.nan

    def metrics(i: int) -> dict[str, float]:
        out = {k: at(k, i) for k in ("leads", "mqls", "customers", "revenue", "spend")}
        if spent is not None and (i < 0 or codes[i] not in spent):
            out["spend"] = math.nan  # no spend line in the period: no cost known
        out["cpl"] = _ratio(out["spend"], out["leads"])
        out["cac"] = _ratio(out["spend"], out["customers"])
        out["lead_value"] = _ratio(out["revenue"], out["leads"])
        out["rate"] = _ratio(out["customers"], out["leads"])
        return out

    m_now, m_before = metrics(now), metrics(before)
    cur = currency

    def amount(x: float) -> str:
        return money(x, cur, 0 if abs(x) >= 1000 else 2) if math.isfinite(x) else "n/a"

    spec: list[tuple[str, str, Callable[[float], str], bool, bool, str]] = [
        ("Leads", "leads", count, False, False, "leads created in the period"),
        ("Qualified leads", "mqls", count, False, False, "leads reaching MQL in the period"),
        ("Customers", "customers", count, False, False, "leads won in the period"),
        ("Revenue", "revenue", amount, False, False, "won deals closed in the period"),
        ("Cost per lead", "cpl", amount, False, True, "spend ÷ leads"),
        ("Customer acquisition cost", "cac", amount, False, True, "spend ÷ customers"),
        ("Lead value", "lead_value", amount, False, False, "revenue ÷ leads"),
        ("Conversion rate", "rate", percent, True, False, "customers ÷ leads"),
    ]
    kpis = []
    for title, key, fmt, rate, lower_better, help_text in spec:
        if key in ("cpl", "cac") and spend is None:
            continue
        change, tone = _change(m_now[key], m_before[key], rate, lower_better)
        kpis.append(Kpi(title, fmt(m_now[key]), fmt(m_before[key]), change, tone, help_text))
    alerts = []
    if spend is not None and m_now["cpl"] > m_now["lead_value"]:
        alerts.append(
            f"CPL above lead value in {names[now]}: each lead costs {amount(m_now['cpl'])} "
            f"and brings {amount(m_now['lead_value'])}."
        )
    notes = []
    if spend is not None:
        econ = economics(leads, spend=spend, by="source")
        losing = [label_text(k) for k in econ.unaffordable]
        if losing:
            alerts.append(
                "CPL above lead value (loses money on every lead) over the whole data: "
                + ", ".join(losing)
                + "."
            )
    previous = names[before] if before >= 0 else "no earlier period"
    notes.append(chosen.note)
    compared = [i for i in (now, before) if i >= 0]
    if spent is not None and any(codes[i] not in spent for i in compared):
        notes.append("CPL and CAC are n/a in a period without a spend line.")
    return Section(
        id="kpis",
        title="Headline KPIs",
        intro=f"{names[now]}, with the change from {previous}.",
        kpis=tuple(kpis),
        alerts=tuple(alerts),
        notes=tuple(notes),
    )


def monthly_section(leads: LeadSet, spend: Any, *, by: str = "source", top: int = 7) -> Section:
    """Lead KPIs per source and calendar month: a stacked chart of leads and the full table."""
    rep = monthly_report(leads, spend=spend, by=by)
    cur = rep.currency
    labels = [label_text(x) for x in rep[by].tolist()]
    months = [str(x) for x in rep["month"].tolist()]
    month_names = sorted(set(months))
    col = {m: i for i, m in enumerate(month_names)}
    per: dict[str, np.ndarray[Any, Any]] = {}
    for lab, mon, n in zip(labels, months, rep["leads"].tolist(), strict=True):
        per.setdefault(lab, np.zeros(len(month_names)))[col[mon]] += n
    ranked = sorted(per, key=lambda k: (-per[k].sum(), k))
    series = [(k, per[k].tolist()) for k in ranked[:top]]
    if len(ranked) > top:
        rest = np.sum([per[k] for k in ranked[top:]], axis=0)
        series.append((f"other ({len(ranked) - top} {by}s)", rest.tolist()))
    svg = charts.stacked_columns(month_names, series, count, title=f"Leads per month by {by}")
    has_spend = "spend" in rep.names
    pivot = Table.build(
        f"Leads per {by} and month",
        [by, *month_names, "total"],
        [[k, *per[k].tolist(), float(per[k].sum())] for k in ranked],
        [str] + [count] * (len(month_names) + 1),
    )
    summary = _summary_table(leads, spend if has_spend else None, by, cur)
    full = _full_table(rep, by, cur, has_spend)
    return Section(
        id="monthly",
        title=f"Monthly KPIs by {by}",
        intro=(
            f"Every {by} and month: leads created, stages reached, customers won, spend and "
            f"revenue, with lead value, CPL, CAC and ROI. Revenue here follows each lead's "
            f"recorded {by}; each model's credit is in the revenue and ROI section above."
        ),
        tables=(summary, pivot, full),
        charts=(svg,),
        collapsed=(full.caption,),
    )


def _money_formats(cur: str | None) -> tuple[Callable[[float], str], Callable[[float], str]]:
    return (lambda x: money(x, cur, 0)), (lambda x: money(x, cur, 2))


def _summary_table(leads: LeadSet, spend: Any, by: str, cur: str | None) -> Table:
    """One row per label over the whole data: volume, money and the loss flag."""
    econ = economics(leads, spend=spend, by=by)
    m0, m2 = _money_formats(cur)
    cols: list[tuple[str, str, Any]] = [
        (by, by, str), ("leads", "leads", count), ("customers", "customers", count),
    ]  # fmt: skip
    if spend is not None:
        cols.append(("spend", "spend", m0))
    cols += [("revenue", "revenue", m0), ("lead_value", "lead value", m2)]
    if spend is not None:
        cols += [
            ("cost_per_lead", "CPL", m2),
            ("customer_acquisition_cost", "CAC", m0),
            ("roi", "ROI", percent),
        ]
    rows = [list(r) for r in zip(*(econ[c].tolist() for c, _, _ in cols), strict=True)]
    flags = econ["unaffordable"].tolist() if spend is not None else None
    notes = list(econ.notes)
    if flags and any(flags):
        notes.append("Highlighted rows: CPL above lead value (loses money on every lead).")
    basis = econ.title[econ.title.find("(revenue:") :] if "(revenue:" in econ.title else ""
    return Table.build(
        f"All months by {by} {basis}".strip(),
        [t for _, t, _ in cols],
        rows,
        [f for _, _, f in cols],
        notes=notes,
        flags=flags,
    )


def _full_table(rep: Any, by: str, cur: str | None, has_spend: bool) -> Table:
    """Every (label, month) row of the monthly report."""
    m0, m2 = _money_formats(cur)
    cols: list[tuple[str, str, Any]] = [
        (by, by, str), ("month", "month", str), ("leads", "leads", count),
        ("mqls", "MQLs", count), ("sqls", "SQLs", count),
        ("opportunities", "opportunities", count), ("customers", "customers", count),
    ]  # fmt: skip
    if has_spend:
        cols.append(("spend", "spend", m0))
    cols += [("revenue", "revenue", m0), ("lead_value", "lead value", m2)]
    if has_spend:
        cols += [
            ("cost_per_lead", "CPL", m2),
            ("customer_acquisition_cost", "CAC", m0),
            ("roi", "ROI", percent),
        ]
    rows = [list(r) for r in zip(*(rep[c].tolist() for c, _, _ in cols), strict=True)]
    flags = rep["unaffordable"].tolist() if has_spend else None
    return Table.build(
        f"Every {by} and month",
        [t for _, t, _ in cols],
        rows,
        [f for _, _, f in cols],
        notes=rep.notes,
        flags=flags,
    )
