"""The money-table engine behind :func:`touchcredit.kpi.metrics.economics` and ``monthly_report``.

Every input (leads, stage events, customers, spend lines, plain or attributed revenue)
becomes *entries*: a row label index, an optional month and an amount. Rows are every
(label, month) any input mentions, found with one compaction of packed integer keys;
the columns are then ``bincount`` sums and ratios over them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.grouping import compact, local_months
from touchcredit.core.journeys import Dimension
from touchcredit.core.time_rule import TimeZoneLike
from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.ratios import checked as _checked
from touchcredit.kpi.ratios import divide as _divide
from touchcredit.kpi.ratios import key_columns as _key_columns

__all__ = ["money_table"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class _Universe:
    """Row labels of a money table; inputs may bring labels the leads lack."""

    def __init__(self, labels: Sequence[Any]) -> None:
        self.labels = list(labels)
        self._index = {lab: i for i, lab in enumerate(self.labels)}

    def codes(self, labels: Sequence[Any]) -> IntArray:
        out = np.empty(len(labels), dtype=np.int64)
        for i, lab in enumerate(labels):  # distinct labels of one input: a handful
            if lab not in self._index:
                self._index[lab] = len(self.labels)
                self.labels.append(lab)
            out[i] = self._index[lab]
        return out

    def of_dimension(self, dim: Dimension) -> IntArray:
        """Universe index of every code of ``dim`` (code -1 -> the None label)."""
        table = self.codes([*dim.categories, None])
        return table[np.where(dim.codes < 0, len(dim.categories), dim.codes)]


#: One input as entries: (universe index, month as int64 months since 1970 or None, amount)
_Entries = tuple[IntArray, IntArray | None, FloatArray]


def _month_int(label: Any, what: str) -> int:
    try:
        return int(np.datetime64(str(label), "M").astype(np.int64))
    except ValueError:
        raise ValueError(f"{what}: month {label!r} is not like '2024-03'") from None


def _mapping_entries(
    values: Mapping[Any, Any], uni: _Universe, monthly: bool, what: str
) -> _Entries:
    keys = list(values)
    amounts = _checked([float(values[k]) for k in keys], what)
    if not monthly:
        return uni.codes(keys), None, amounts.reshape(-1)
    for k in keys:
        if not (isinstance(k, tuple) and len(k) == 2):
            raise ValueError(
                f"{what} by label has no month; in a monthly table key it by (label, 'YYYY-MM'), "
                f"got key {k!r} (or pass attribution=, which carries conversion months)"
            )
    months = np.array([_month_int(k[1], what) for k in keys], dtype=np.int64)
    return uni.codes([k[0] for k in keys]), months, amounts.reshape(-1)


def _spend_entries(
    spend: Any, by: Any, uni: _Universe, monthly: bool
) -> tuple[_Entries, str | None]:
    if isinstance(spend, Mapping):
        return _mapping_entries(spend, uni, monthly, "spend"), None
    table = spend  # a metrics.SpendTable (normalized by the caller)
    if by not in ("source", "channel", "campaign"):
        raise ValueError(
            f"spend lines are booked by source, channel or campaign; cannot group them by {by!r}"
        )
    dim: Dimension = getattr(table, by)
    months = table.month.astype(np.int64) if monthly else None
    return (uni.of_dimension(dim), months, table.amount), table.currency


def _revenue_entries(
    leads: LeadSet, codes: IntArray, revenue: Any, attribution: Any, by: Any,
    uni: _Universe, monthly: bool, tz: TimeZoneLike, notes: list[str],
) -> tuple[_Entries, str | None, str]:  # fmt: skip
    if attribution is not None:
        js = attribution.journeys
        if getattr(js, "target", None) == "leads":
            raise ValueError(
                "this attribution credits leads, not revenue; attribute a JourneySet built "
                "with target='revenue' to get attributed revenue"
            )
        if by not in ("source", "channel", "campaign", "method"):
            raise ValueError(f"attributed revenue can be grouped by a touch label, not {by!r}")
        pairs = attribution.pairs
        conv = pairs.conversion
        credit = np.asarray(attribution.weights, dtype=np.float64) * js.conversion_value[conv]
        dim = js.dimension(by)
        lab = uni.of_dimension(Dimension(dim.codes[pairs.touch], dim.categories))
        months = local_months(js.conversion_time[conv], tz).astype(np.int64) if monthly else None
        lost = js.total_value - float(credit.sum())
        if lost > 1e-9 * max(js.total_value, 1.0):
            notes.append(f"{lost:,.2f} of revenue is unattributed (no eligible touch), in no row")
        model = getattr(attribution, "model", None)
        return (lab, months, credit), js.currency, f"attributed ({model!r})"
    if revenue is None:
        won = leads.deal_won
        months = local_months(leads.deal_closed_at[won], tz).astype(np.int64) if monthly else None
        entries = (codes[leads.deal_lead[won]], months, leads.deal_amount[won])
        return entries, leads.currency(), "won deals"
    if isinstance(revenue, Mapping):
        return _mapping_entries(revenue, uni, monthly, "revenue"), None, "given"
    if hasattr(revenue, "labels") and hasattr(revenue, "value"):
        dimension = getattr(revenue, "dimension", by)
        if dimension != by:
            raise ValueError(f"the revenue table is by {dimension!r}, the report by {by!r}")
        values = dict(zip(revenue.labels, np.asarray(revenue.value).tolist(), strict=True))
        model = getattr(revenue, "model", None)
        basis = "attributed" + (f" ({model!r})" if model is not None else "")
        return _mapping_entries(values, uni, monthly, "revenue"), None, basis
    raise TypeError(
        "'revenue' must be a mapping label -> revenue or a table with .labels and .value, "
        f"got {type(revenue).__name__}"
    )


def money_table(
    leads: LeadSet, spend: Any, revenue: Any, attribution: Any, by: Any,
    monthly: bool, tz: TimeZoneLike, stages: bool,
) -> tuple[dict[str, Any], tuple[str, ...], list[str], tuple[Any, ...], str | None, str]:  # fmt: skip  # noqa: E501
    if revenue is not None and attribution is not None:
        raise ValueError("give 'revenue' or 'attribution', not both")
    g = leads.groups(by, tz=tz)
    uni = _Universe(g.labels)
    notes: list[str] = []
    ones = np.ones(leads.n_leads)

    def event(times: npt.NDArray[np.datetime64]) -> _Entries:
        hit = ~np.isnat(times)
        months = local_months(times[hit], tz).astype(np.int64) if monthly else None
        return g.codes[hit], months, ones[hit]

    inputs: dict[str, _Entries] = {"leads": event(leads.created_at)}
    if stages:
        for stage, name in (("mql", "mqls"), ("sql", "sqls"), ("opportunity", "opportunities")):
            inputs[name] = event(leads.stage_time(stage))
    inputs["customers"] = event(leads.won_at)
    inputs["revenue"], rev_cur, basis = _revenue_entries(
        leads, g.codes, revenue, attribution, by, uni, monthly, tz, notes
    )
    spend_cur = None
    if spend is not None:
        inputs["spend"], spend_cur = _spend_entries(spend, by, uni, monthly)
    if rev_cur is not None and spend_cur is not None and rev_cur != spend_cur:
        raise ValueError(f"revenue is in {rev_cur} and spend in {spend_cur}; convert first")
    # Rows: every (label, month) any input mentions, label-major.
    month_all = [e[1] for e in inputs.values() if e[1] is not None]
    lo = min((int(m.min()) for m in month_all if m.size), default=0)
    span = max((int(m.max()) for m in month_all if m.size), default=0) - lo + 1
    packed = {k: e[0] * span + (e[1] - lo if e[1] is not None else 0) for k, e in inputs.items()}
    keys, inverse = compact(np.concatenate(list(packed.values())))
    bounds = np.cumsum([0, *(p.size for p in packed.values())])
    sums = {
        k: np.bincount(
            inverse[bounds[i] : bounds[i + 1]], weights=inputs[k][2], minlength=keys.size
        ).astype(np.float64)
        for i, k in enumerate(packed)
    }
    label_of = [uni.labels[i] for i in (keys // span).tolist()]
    names = g.names
    data = _key_columns(names, label_of)
    row_keys: list[Any] = label_of
    if monthly:
        month = (keys % span + lo).astype("datetime64[M]").astype(str).astype(object)
        data["month"] = month
        names = (*names, "month")
        row_keys = [
            (*(k if len(g.names) > 1 else (k,)), m) for k, m in zip(label_of, month, strict=True)
        ]
    for k in inputs:
        if k != "revenue" and k != "spend":
            data[k] = np.rint(sums[k]).astype(np.int64)
    n_leads, n_cust, rev = sums["leads"], sums["customers"], sums["revenue"]
    if "spend" in sums:
        data["spend"] = sums["spend"]
    data["revenue"] = rev
    data["lead_value"] = _divide(rev, n_leads, "lead_value", "leads", row_keys, notes)
    unaffordable: tuple[Any, ...] = ()
    if "spend" in sums:
        sp = sums["spend"]
        cpl = _divide(sp, n_leads, "cost_per_lead", "leads", row_keys, notes)
        data["cost_per_lead"] = cpl
        data["customer_acquisition_cost"] = _divide(
            sp, n_cust, "customer_acquisition_cost", "customers", row_keys, notes
        )
        ratio = _divide(rev, sp, "roi/roas", "spend", row_keys, notes)
        data["roi"] = ratio - 1.0
        data["roas"] = ratio
        flag = np.isfinite(cpl) & np.isfinite(data["lead_value"]) & (cpl > data["lead_value"])
        data["unaffordable"] = flag
        unaffordable = tuple(row_keys[i] for i in np.flatnonzero(flag).tolist())
    cur = rev_cur or spend_cur
    return data, names, notes, unaffordable, cur, basis
