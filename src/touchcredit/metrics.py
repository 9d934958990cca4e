"""Lead KPIs: lead value, cost per lead, CAC, conversion rates, ROI, lead quality.

The formulas (see the metrics glossary in the docs):

* lead value = revenue ÷ leads (same period and group)
* cost per lead (CPL) = spend ÷ leads
* customer acquisition cost (CAC) = spend ÷ new customers
* conversion rate = conversions ÷ visitors (or views)
* ROI = (revenue − spend) ÷ spend; ROAS = revenue ÷ spend

**Undefined values.** A ratio whose denominator is zero (no leads, no spend, no
visitors) is undefined: the result is NaN, never an exception or a silent zero. The
scalar/array functions say why with an :class:`UndefinedMetricWarning`; the table
builders (:func:`economics`, :func:`monthly_report`...) instead record the reason in
the table's ``notes``.

**Periods** are calendar months in a stated time zone (``tz``, default UTC): a lead
counts in the month of its ``created_at``, a customer in the month it was won, revenue
in the month its deal closed (or its attributed conversion happened), spend in the
month it was booked.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit._columns import as_values, factorize_labels
from touchcredit._grouping import compact, local_months
from touchcredit._time import TimeZoneLike
from touchcredit.domain import Spend
from touchcredit.journeys import Dimension
from touchcredit.leads import GroupKey, LeadSet
from touchcredit.report import MetricTable, MonthlyReport

__all__ = [
    "SpendTable",
    "UndefinedMetricWarning",
    "conversion_rate",
    "cost_per_lead",
    "customer_acquisition_cost",
    "economics",
    "lead_value",
    "monthly_report",
    "roas",
    "roi",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class UndefinedMetricWarning(RuntimeWarning):
    """A KPI had a zero denominator (no leads, no spend...); NaN was returned.

    The message names the metric, the denominator and where (which groups).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", UndefinedMetricWarning)
    ...     lead_value(500.0, 0)
    nan
    """


# ----------------------------------------------------------------- formulas
def _checked(values: Any, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        if arr.ndim == 0:
            raise ValueError(f"{name!r} must be finite and >= 0, got {float(arr)!r}")
        i = int(np.flatnonzero(bad.reshape(-1))[0])
        raise ValueError(
            f"{name!r} must be finite and >= 0; item {i} is {float(arr.reshape(-1)[i])!r}"
        )
    return arr


def _divide(
    num: npt.NDArray[Any],
    den: npt.NDArray[Any],
    metric: str,
    den_name: str,
    keys: Sequence[Any] | None = None,
    notes: list[str] | None = None,
) -> FloatArray:
    """num / den with NaN (and a stated reason) where den == 0."""
    num, den = np.broadcast_arrays(num.astype(np.float64), den.astype(np.float64))
    zero = den == 0
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=~zero)
    if zero.any():
        where = ""
        if keys is not None:
            hit = [keys[i] for i in np.flatnonzero(zero.reshape(-1))[:5].tolist()]
            more = int(zero.sum()) - len(hit)
            where = ": " + ", ".join(_show(k) for k in hit) + (f" and {more} more" if more else "")
        message = f"{metric} is undefined (NaN) where {den_name} == 0{where}"
        if notes is None:
            warnings.warn(message, UndefinedMetricWarning, stacklevel=3)
        else:
            notes.append(message)
    return out


def _show(key: Any) -> str:
    if isinstance(key, tuple):
        return " / ".join(_show(k) for k in key)
    return "(not recorded)" if key is None else str(key)


def _ratio(num: Any, den: Any, metric: str, a: str, b: str) -> Any:
    if isinstance(num, Mapping) or isinstance(den, Mapping):
        if not (isinstance(num, Mapping) and isinstance(den, Mapping)):
            raise TypeError(f"{a!r} and {b!r} must both be mappings (label -> number) or neither")
        keys = list(num) + [k for k in den if k not in num]
        x = _checked([num.get(k, 0.0) for k in keys], a)
        y = _checked([den.get(k, 0.0) for k in keys], b)
        out = _divide(x, y, metric, b, keys)
        return {k: float(v) for k, v in zip(keys, out.tolist(), strict=True)}
    res = _divide(_checked(num, a), _checked(den, b), metric, b)
    return float(res) if res.ndim == 0 else res


def lead_value(revenue: Any, leads: Any) -> Any:
    """Lead value: revenue ÷ leads of the same period (and group).

    Parameters
    ----------
    revenue : float, array-like or mapping label -> float
        Revenue (plain or attributed), >= 0.
    leads : int, array-like or mapping label -> int
        Number of leads, >= 0.

    Returns
    -------
    float, ndarray or dict
        Same shape as the input; NaN where ``leads == 0``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``leads == 0`` (NaN returned).

    Examples
    --------
    >>> lead_value(100_000, 200)
    500.0
    >>> lead_value({"A": 85_000, "B": 15_000}, {"A": 60, "B": 60})
    {'A': 1416.6666666666667, 'B': 250.0}
    """
    return _ratio(revenue, leads, "lead_value", "revenue", "leads")


def cost_per_lead(spend: Any, leads: Any) -> Any:
    """Cost per lead (CPL): spend ÷ leads.

    Parameters
    ----------
    spend : float, array-like or mapping label -> float
        Spend (>= 0).
    leads : int, array-like or mapping label -> int
        Number of leads (>= 0).

    Returns
    -------
    float, ndarray or dict
        NaN where ``leads == 0`` (with an :class:`UndefinedMetricWarning`).

    Examples
    --------
    >>> cost_per_lead(1_000, 20)
    50.0
    >>> cost_per_lead([1_000, 300], [20, 3]).tolist()
    [50.0, 100.0]
    """
    return _ratio(spend, leads, "cost_per_lead", "spend", "leads")


def customer_acquisition_cost(spend: Any, customers: Any) -> Any:
    """Customer acquisition cost (CAC): spend ÷ new customers.

    Parameters
    ----------
    spend : float, array-like or mapping label -> float
        Spend (>= 0).
    customers : int, array-like or mapping label -> int
        New customers won in the same period (>= 0).

    Returns
    -------
    float, ndarray or dict
        NaN where ``customers == 0`` (with an :class:`UndefinedMetricWarning`).

    Examples
    --------
    >>> customer_acquisition_cost(10_000, 4)
    2500.0
    """
    return _ratio(spend, customers, "customer_acquisition_cost", "spend", "customers")


def conversion_rate(conversions: Any, visitors: Any) -> Any:
    """Conversion rate: conversions ÷ visitors (or views), as a fraction.

    Parameters
    ----------
    conversions : int, array-like or mapping label -> int
        Conversions (leads captured, stage reached...).
    visitors : int, array-like or mapping label -> int
        Visitors, views or entrants of the previous stage.

    Returns
    -------
    float, ndarray or dict
        NaN where ``visitors == 0`` (with an :class:`UndefinedMetricWarning`).

    Examples
    --------
    >>> conversion_rate(20, 4_000), conversion_rate(20, 100)
    (0.005, 0.2)
    """
    return _ratio(conversions, visitors, "conversion_rate", "conversions", "visitors")


def roi(revenue: Any, spend: Any) -> Any:
    """Return on investment: (revenue − spend) ÷ spend.

    Pass attributed revenue for attributed ROI.

    Parameters
    ----------
    revenue : float, array-like or mapping label -> float
        Revenue (plain or attributed), >= 0.
    spend : float, array-like or mapping label -> float
        Spend (>= 0).

    Returns
    -------
    float, ndarray or dict
        NaN where ``spend == 0`` (with an :class:`UndefinedMetricWarning`).

    Examples
    --------
    >>> roi(3_000, 1_000)
    2.0
    """
    if isinstance(revenue, Mapping) and isinstance(spend, Mapping):
        keys = list(revenue) + [k for k in spend if k not in revenue]
        r = {k: float(revenue.get(k, 0.0)) for k in keys}
        return {k: v - 1.0 for k, v in _ratio(r, spend, "roi", "revenue", "spend").items()}
    return _ratio(revenue, spend, "roi", "revenue", "spend") - 1.0


def roas(revenue: Any, spend: Any) -> Any:
    """Return on ad spend: revenue ÷ spend.

    Parameters
    ----------
    revenue : float, array-like or mapping label -> float
        Revenue (plain or attributed), >= 0.
    spend : float, array-like or mapping label -> float
        Spend (>= 0).

    Returns
    -------
    float, ndarray or dict
        NaN where ``spend == 0`` (with an :class:`UndefinedMetricWarning`).

    Examples
    --------
    >>> roas(3_000, 1_000)
    3.0
    """
    return _ratio(revenue, spend, "roas", "revenue", "spend")


# ----------------------------------------------------------------- spend table
@attrs.frozen(eq=False)
class SpendTable:
    """Spend lines as columns: amount, booked month, source/channel/campaign codes.

    Examples
    --------
    >>> t = SpendTable.from_arrays([100, 50], ["2024-01", "2024-02-10"], source=["a", "b"])
    >>> t.month.astype(str).tolist(), t.total
    (['2024-01', '2024-02'], 150.0)
    """

    amount: FloatArray
    month: npt.NDArray[np.datetime64]
    source: Dimension
    channel: Dimension
    campaign: Dimension
    currency: str | None = None

    @property
    def total(self) -> float:
        """Total spend."""
        return float(self.amount.sum())

    @classmethod
    def from_arrays(
        cls,
        amount: Any,
        period: Any,
        *,
        source: Any = None,
        channel: Any = None,
        campaign: Any = None,
        currency: str | None = "USD",
    ) -> SpendTable:
        """Build from parallel arrays; ``period`` holds months (``"2024-03"``) or dates.

        Parameters
        ----------
        amount : array-like of float
            Spend per line (finite, >= 0).
        period : array-like
            Month of every line: ``"2024-03"``, a date, or ``datetime64``.
        source, channel, campaign : array-like of str or None, optional
            What each line was spent on.
        currency : str or None
            ISO 4217 code of all the amounts.

        Returns
        -------
        SpendTable

        Raises
        ------
        ValueError
            On a negative/non-finite amount or an unparseable month, naming the row.

        Examples
        --------
        >>> SpendTable.from_arrays([5.0], ["2024-07"], channel=["email"]).channel.categories
        ('email',)
        """
        amt = as_values(amount, field="amount", n=len(amount))
        n = amt.shape[0]
        try:
            months = np.asarray(period, dtype="datetime64[D]").astype("datetime64[M]")
        except (ValueError, TypeError) as exc:
            raise ValueError(f"'period' must hold months like '2024-03' or dates ({exc})") from None
        if months.shape != (n,):
            raise ValueError(f"'period' has {months.shape[0]} rows, expected {n}")
        if np.isnat(months).any():
            raise ValueError(
                f"'period' is missing in row {int(np.flatnonzero(np.isnat(months))[0])}"
            )
        dims = [Dimension(*factorize_labels(v, field=f, n=n)) for f, v in
                (("source", source), ("channel", channel), ("campaign", campaign))]  # fmt: skip
        return cls(amt, months, dims[0], dims[1], dims[2], currency=currency)

    @classmethod
    def from_objects(cls, spends: Iterable[Spend]) -> SpendTable:
        """Build from :class:`~touchcredit.Spend` values (one currency).

        Parameters
        ----------
        spends : iterable of Spend
            The spend lines, all in one currency.

        Returns
        -------
        SpendTable

        Raises
        ------
        ValueError
            When the lines are in more than one currency.

        Examples
        --------
        >>> SpendTable.from_objects([Spend(10, "2024-01", source="a")]).total
        10.0
        """
        items = list(spends)
        currencies = sorted({s.currency for s in items})
        if len(currencies) > 1:
            raise ValueError(
                f"spend is in more than one currency ({', '.join(currencies)}); convert first"
            )
        return cls.from_arrays(
            [s.amount for s in items],
            np.array([s.period for s in items], dtype="datetime64[D]"),
            source=[s.source for s in items],
            channel=[s.channel for s in items],
            campaign=[s.campaign for s in items],
            currency=currencies[0] if currencies else None,
        )


# ----------------------------------------------------------------- lead tables
def _key_columns(names: tuple[str, ...], labels: Sequence[Any]) -> dict[str, Any]:
    if len(names) == 1:
        col = np.empty(len(labels), dtype=object)
        col[:] = list(labels)
        return {names[0]: col}
    out = {}
    for j, name in enumerate(names):
        col = np.empty(len(labels), dtype=object)
        col[:] = [lab[j] for lab in labels]
        out[name] = col
    return out


# ----------------------------------------------------------------- money tables
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
    table = spend if isinstance(spend, SpendTable) else SpendTable.from_objects(spend)
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


def _money_table(
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


def economics(
    leads: LeadSet,
    *,
    spend: Any = None,
    revenue: Any = None,
    attribution: Any = None,
    by: GroupKey | tuple[GroupKey, ...] = "source",
    period: str | None = None,
    tz: TimeZoneLike = "UTC",
) -> MetricTable:
    """Lead value, CPL, CAC, ROI and ROAS per group (and month), with the loss warning.

    Parameters
    ----------
    leads : LeadSet
        The leads (and their deals, for plain revenue).
    spend : SpendTable, iterable of Spend, or mapping, optional
        Spend per ``by`` label (mapping keys: label, or ``(label, "YYYY-MM")`` with
        ``period="month"``).
    revenue : mapping or CreditTable-like, optional
        Revenue per label, e.g. ``touchcredit.attribute(js, "linear").by("source")``
        (anything with ``.labels`` and ``.value``). Default: the won deal amounts of
        each group's leads.
    attribution : Attribution-like, optional
        An attribution result (``.journeys``, ``.pairs``, ``.weights``): attributed
        revenue per touch label and conversion month.
    by : str, array-like or tuple
        Grouping key (see :meth:`LeadSet.groups`).
    period : None or "month"
        One row per group, or per group and calendar month.
    tz : str or tzinfo
        Zone of the calendar months.

    Returns
    -------
    MetricTable
        Columns: key, ``leads``, ``customers``, ``spend``, ``revenue``, ``lead_value``,
        ``cost_per_lead``, ``customer_acquisition_cost``, ``roi``, ``roas``,
        ``unaffordable`` (spend columns only with ``spend``). ``unaffordable`` flags the
        rows whose CPL exceeds lead value: those sources lose money on every lead; they
        are also listed in ``.unaffordable`` and ``.warnings``.

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=list(range(20)), created_at=["2024-01-10"] * 20,
    ...                          source=["ads"] * 20)
    >>> t = economics(ls, spend={"ads": 1_000}, revenue={"ads": 800})
    >>> t.row("ads")["cost_per_lead"], t.row("ads")["lead_value"], t.unaffordable
    (50.0, 40.0, ('ads',))
    """
    monthly = _period(period)
    data, names, notes, unaffordable, _, _ = _money_table(
        leads, spend, revenue, attribution, by, monthly, tz, stages=False
    )
    title = "Lead economics" + (" by month" if monthly else "")
    return MetricTable(title, data, names, ("roi",), tuple(notes), unaffordable)


def _period(period: str | None) -> bool:
    if period not in (None, "month"):
        raise ValueError(f"period must be None or 'month', got {period!r}")
    return period == "month"


def monthly_report(
    leads: LeadSet,
    spend: Any = None,
    revenue: Any = None,
    attribution: Any = None,
    *,
    by: str = "source",
    tz: TimeZoneLike = "UTC",
) -> MonthlyReport:
    """The monthly review: lead KPIs per source (or channel) and calendar month.

    Each row is one label and month: leads created, MQLs/SQLs/opportunities reached and
    customers won in that month, spend booked, revenue closed (or attributed), lead
    value, CPL, CAC, ROI, ROAS and the ``unaffordable`` flag (CPL above lead value).
    Parameters
    ----------
    leads : LeadSet
        The leads and their deals.
    spend : SpendTable, iterable of Spend, or mapping, optional
        Spend; mapping keys are ``(label, "YYYY-MM")``.
    revenue : mapping, optional
        Revenue keyed by ``(label, "YYYY-MM")`` (default: won deal amounts by close month).
    attribution : Attribution-like, optional
        Attributed revenue per touch label and conversion month (see :func:`economics`).
    by : {"source", "channel", "campaign", "method"} or other group key
        The label of the rows (spend lines are booked by source, channel or campaign).
    tz : str or tzinfo
        Zone of the calendar months (default UTC).

    Returns
    -------
    MonthlyReport

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=[1, 2, 3], created_at=["2024-01-05", "2024-01-09",
    ...     "2024-02-01"], source=["seo", "ads", "ads"])
    >>> r = monthly_report(ls, spend=[Spend(300, "2024-01", source="ads")])
    >>> r["month"].tolist(), r["leads"].tolist(), r["spend"].tolist()
    (['2024-01', '2024-02', '2024-01'], [1, 1, 1], [300.0, 0.0, 0.0])
    """
    data, names, notes, unaffordable, cur, basis = _money_table(
        leads, spend, revenue, attribution, by, True, tz, stages=True
    )
    zone = tz if isinstance(tz, str) else str(tz)
    return MonthlyReport(
        f"Monthly report by {by} ({zone} months, revenue: {basis})",
        data, names, ("roi",), tuple(notes), unaffordable,
        by=by, tz=zone, currency=cur, revenue_basis=basis,
    )  # fmt: skip
