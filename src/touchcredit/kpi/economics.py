"""The money-table engine behind :func:`touchcredit.kpi.metrics.economics` and ``monthly_report``.

Every input (leads, stage events, customers, spend lines, plain or attributed revenue)
becomes *entries*: a row label index, an optional month and an amount. Rows are every
(label, month) any input mentions, found with one compaction of packed integer keys;
the columns are then ``bincount`` sums and ratios over them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.dimension import Dimension
from touchcredit.core.grouping import compact, local_months
from touchcredit.core.time import TimeZoneLike
from touchcredit.hygiene.canon import LabelCanon
from touchcredit.hygiene.catalog import Catalog
from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.ratios import checked as _checked
from touchcredit.kpi.ratios import divide as _divide
from touchcredit.kpi.ratios import key_columns as _key_columns
from touchcredit.kpi.ratios import show_key

__all__ = ["UnmatchedLabelWarning", "money_table"]


class _Universe:
    """Row labels of a money table; inputs may bring labels the leads lack.

    Every label is put in its canonical spelling first (:class:`LabelCanon`, one per
    key column that is a touch label), so ``"linkedin"`` in spend and ``"LinkedIn"``
    in leads are one row; the spellings changed are kept for the table's notes.
    """

    def __init__(self, names: tuple[str, ...], canon: bool, catalog: Catalog | None) -> None:
        self.labels: list[Any] = []
        self._index: dict[Any, int] = {}
        self._canon = [
            LabelCanon(n, catalog) if canon and n in ("source", "channel", "campaign", "method")
            else None
            for n in names
        ]  # fmt: skip
        self.respelled: dict[Any, Any] = {}

    def _canonical(self, label: Any) -> Any:
        if len(self._canon) == 1:
            fix = self._canon[0]
            out = label if fix is None else fix(label)
        elif isinstance(label, tuple) and len(label) == len(self._canon):
            out = tuple(
                x if fix is None else fix(x) for fix, x in zip(self._canon, label, strict=True)
            )
        else:
            out = label
        if out != label:
            self.respelled.setdefault(label, out)
        return out

    def codes(self, labels: Sequence[Any]) -> IntArray:
        out = np.empty(len(labels), dtype=np.int64)
        for i, raw in enumerate(labels):  # distinct labels of one input: a handful
            lab = self._canonical(raw)
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
        credit = _pair_value(attribution, js, conv)
        dim = js.dimension(by)
        lab = uni.of_dimension(Dimension(dim.codes[pairs.touch], dim.categories))
        months = local_months(js.conversion_time[conv], tz).astype(np.int64) if monthly else None
        lost = js.total_value - float(credit.sum())
        if lost > 1e-9 * max(js.total_value, 1.0):
            notes.append(f"{lost:,.2f} of revenue is unattributed (no eligible touch), in no row")
        model = getattr(attribution, "model", None)
        name = getattr(model, "name", None) or model
        basis = f"attributed ({name!r}): the model's credit to the touches' {by}"
        return (lab, months, credit), js.currency, basis
    if revenue is None:
        won = leads.deal_won
        months = local_months(leads.deal_closed_at[won], tz).astype(np.int64) if monthly else None
        entries = (codes[leads.deal_lead[won]], months, leads.deal_amount[won])
        whose = f"the lead's recorded {by}" if isinstance(by, str) else "each group's leads"
        return entries, leads.currency(), f"won deals, by {whose}"
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


class UnmatchedLabelWarning(UserWarning):
    """A label is in one of the joined tables only (leads, spend, revenue).

    Usually one source spelled two ways that the catalog does not know as one
    (``"google"`` spend and ``"Google Ads"`` leads): give them one spelling, or add
    the alias with :meth:`touchcredit.sources.Catalog.extend`. The table's ``notes``
    say the same.
    """


def _one_table_only(uni: _Universe, present: Mapping[str, IntArray], notes: list[str]) -> None:
    """Note the labels found in one of the joined tables only; warn when spend or
    revenue has a label no lead has (money that reaches no row of leads)."""
    if len(present) < 2:
        return
    seen = {k: set(np.unique(v).tolist()) for k, v in present.items()}
    alone = {}
    for table, idx in seen.items():
        others = set().union(*(v for k, v in seen.items() if k != table))
        labs = [uni.labels[i] for i in sorted(idx - others) if uni.labels[i] is not None]
        if labs:
            alone[table] = labs
    if not alone:
        return
    parts = []
    for table, labs in alone.items():
        shown = ", ".join(repr(show_key(lab)) + _hint(lab, alone, table) for lab in labs[:8])
        more = f" and {len(labs) - 8} more" if len(labs) > 8 else ""
        parts.append(f"in {table} only: {shown}{more}")
    message = "labels found in one table only: " + "; ".join(parts)
    notes.append(message)
    if any(table != "leads" for table in alone):
        warnings.warn(
            message + " (one source spelled two ways? give them one spelling, or add the "
            "alias with touchcredit.sources.Catalog.extend)",
            UnmatchedLabelWarning,
            stacklevel=4,
        )


def _hint(label: Any, alone: Mapping[str, list[Any]], table: str) -> str:
    """' (maybe 'Google Ads'?)' when a label of another table extends this one's words."""
    if table == "leads" or not isinstance(label, str):
        return ""
    key = label.casefold()
    near = [
        lab
        for t, labs in alone.items() if t != table
        for lab in labs
        if isinstance(lab, str) and lab.casefold().startswith(key + " ")
    ]  # fmt: skip
    return f" (maybe {near[0]!r}?)" if near else ""


def _respelled_note(uni: _Universe, notes: list[str]) -> None:
    if uni.respelled:
        pairs = [f"{show_key(a)!r} -> {show_key(b)!r}" for a, b in uni.respelled.items()]
        more = f" and {len(pairs) - 8} more" if len(pairs) > 8 else ""
        notes.append("labels read in their catalog spelling: " + ", ".join(pairs[:8]) + more)


def _check_currencies(rev_cur: str | None, spend_cur: str | None, attribution: Any,
                      spend: Any) -> None:  # fmt: skip
    if rev_cur is not None and spend_cur is not None and rev_cur != spend_cur:
        raise ValueError(f"revenue is in {rev_cur} and spend in {spend_cur}; convert first")
    if attribution is None or spend is None or isinstance(spend, Mapping):
        return
    if rev_cur is None and spend_cur is not None:
        raise ValueError(
            f"the attributed revenue has no currency (the JourneySet was built without "
            f"currency=) and spend is in {spend_cur}; build the journeys with "
            f"currency={spend_cur!r} (or convert the spend)"
        )
    if rev_cur is not None and spend_cur is None:
        raise ValueError(
            f"the attributed revenue is in {rev_cur} and the spend table has no currency; "
            f"build it with currency={rev_cur!r}"
        )


def money_table(
    leads: LeadSet, spend: Any, revenue: Any, attribution: Any, by: Any,
    monthly: bool, tz: TimeZoneLike, stages: bool, labels: str = "catalog",
    catalog: Catalog | None = None,
) -> tuple[dict[str, Any], tuple[str, ...], list[str], tuple[Any, ...], str | None, str,
           dict[str, Any]]:  # fmt: skip
    if revenue is not None and attribution is not None:
        raise ValueError("give 'revenue' or 'attribution', not both")
    if labels not in ("catalog", "exact"):
        raise ValueError(f"'labels' must be 'catalog' or 'exact', got {labels!r}")
    g = leads.groups(by, tz=tz)
    uni = _Universe(g.names, labels == "catalog", catalog)
    lead_codes = np.where(g.codes >= 0, uni.codes(g.labels)[np.maximum(g.codes, 0)], -1)
    notes: list[str] = []
    ones = np.ones(leads.n_leads)

    def event(times: npt.NDArray[np.datetime64]) -> _Entries:
        hit = ~np.isnat(times)
        months = local_months(times[hit], tz).astype(np.int64) if monthly else None
        return lead_codes[hit], months, ones[hit]

    inputs: dict[str, _Entries] = {"leads": event(leads.created_at)}
    if stages:
        for stage, name in (("mql", "mqls"), ("sql", "sqls"), ("opportunity", "opportunities")):
            inputs[name] = event(leads.stage_time(stage))
    inputs["customers"] = event(leads.won_at)
    inputs["revenue"], rev_cur, basis = _revenue_entries(
        leads, lead_codes, revenue, attribution, by, uni, monthly, tz, notes
    )
    spend_cur = None
    if spend is not None:
        inputs["spend"], spend_cur = _spend_entries(spend, by, uni, monthly)
    _check_currencies(rev_cur, spend_cur, attribution, spend)
    present = {"leads": lead_codes[lead_codes >= 0]}
    present.update({k: inputs[k][0] for k in ("spend", "revenue") if k in inputs and (
        k == "spend" or revenue is not None or attribution is not None)})  # fmt: skip
    _respelled_note(uni, notes)
    _one_table_only(uni, present, notes)
    data, names, unaffordable, reasons = _columns(uni, g.names, inputs, monthly, notes)
    return data, names, notes, unaffordable, rev_cur or spend_cur, basis, reasons


def _columns(
    uni: _Universe, key_names: tuple[str, ...], inputs: dict[str, _Entries], monthly: bool,
    notes: list[str],
) -> tuple[dict[str, Any], tuple[str, ...], tuple[Any, ...], dict[str, Any]]:  # fmt: skip
    """Rows: every (label, month) any input mentions, label-major; then the columns."""
    month_all = [e[1] for e in inputs.values() if e[1] is not None]
    lo = min((int(m.min()) for m in month_all if m.size), default=0)
    span = max((int(m.max()) for m in month_all if m.size), default=0) - lo + 1
    packed = {k: e[0] * span + (e[1] - lo if e[1] is not None else 0) for k, e in inputs.items()}
    keys, inverse = compact(np.concatenate(list(packed.values())))
    bounds = np.cumsum([0, *(p.size for p in packed.values())])
    part = {k: inverse[bounds[i] : bounds[i + 1]] for i, k in enumerate(packed)}
    sums = {
        k: np.bincount(part[k], weights=inputs[k][2], minlength=keys.size).astype(np.float64)
        for k in packed
    }
    label_of = [uni.labels[i] for i in (keys // span).tolist()]
    names = key_names
    data = _key_columns(names, label_of)
    row_keys: list[Any] = label_of
    if monthly:
        month = (keys % span + lo).astype("datetime64[M]").astype(str).astype(object)
        data["month"] = month
        names = (*names, "month")
        row_keys = [
            (*(k if len(key_names) > 1 else (k,)), m) for k, m in zip(label_of, month, strict=True)
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
    reasons: dict[str, Any] = {}
    if "spend" in sums:
        # A row without a spend line has no cost: its CPL is unknown, not 0.
        lines = np.bincount(part["spend"], minlength=keys.size)
        sp = np.where(lines > 0, sums["spend"], np.nan)
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
        _no_spend(lines == 0, row_keys, reasons, notes)
    return data, names, unaffordable, reasons


def _no_spend(
    none: npt.NDArray[np.bool_], row_keys: list[Any], reasons: dict[str, Any], notes: list[str]
) -> None:
    if not none.any():
        return
    why = np.empty(none.shape[0], dtype=object)
    why[none] = "no spend"
    for col in ("cost_per_lead", "customer_acquisition_cost", "roi", "roas"):
        reasons[col] = why
    hit = [show_key(row_keys[i]) for i in np.flatnonzero(none)[:8].tolist()]
    more = int(none.sum()) - len(hit)
    notes.append(
        "cost_per_lead, customer_acquisition_cost, roi and roas are n/a (no spend) where no "
        "spend line was given: " + ", ".join(hit) + (f" and {more} more" if more else "")
    )


def _pair_value(attribution: Any, js: Any, conv: IntArray) -> FloatArray:
    """Value credit of every pair: the result's own (with any channel factors) when it
    has one, else weight times conversion value (an Attribution-like value)."""
    own = getattr(attribution, "pair_credit", None)
    if own is not None:
        return np.asarray(own, dtype=np.float64)
    weights = np.asarray(attribution.weights, dtype=np.float64)
    return np.asarray(weights * js.conversion_value[conv], dtype=np.float64)
