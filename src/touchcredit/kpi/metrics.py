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

from collections.abc import Mapping
from typing import Any

from touchcredit.core.time import TimeZoneLike
from touchcredit.hygiene.catalog import Catalog
from touchcredit.kpi.economics import UnmatchedLabelWarning, money_table
from touchcredit.kpi.leads import GroupKey, LeadSet
from touchcredit.kpi.ratios import UndefinedMetricWarning
from touchcredit.kpi.ratios import checked as _checked
from touchcredit.kpi.ratios import divide as _divide
from touchcredit.kpi.spend import SpendTable
from touchcredit.kpi.tables import MetricTable, MonthlyReport

__all__ = [
    "SpendTable",
    "UndefinedMetricWarning",
    "UnmatchedLabelWarning",
    "conversion_rate",
    "cost_per_lead",
    "customer_acquisition_cost",
    "economics",
    "lead_value",
    "monthly_report",
    "roas",
    "roi",
]


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


def economics(
    leads: LeadSet,
    *,
    spend: Any = None,
    revenue: Any = None,
    attribution: Any = None,
    by: GroupKey | tuple[GroupKey, ...] = "source",
    period: str | None = None,
    tz: TimeZoneLike = "UTC",
    labels: str = "catalog",
    catalog: Catalog | None = None,
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
    labels : {"catalog", "exact"}
        How the labels of leads, spend and revenue meet. ``"catalog"`` (default):
        sources in their catalog spelling (``"linkedin"`` -> ``"LinkedIn"``), channel
        groups in theirs, and other labels that differ only in case, ``_``/``-`` or
        spaces read as one (see :class:`touchcredit.hygiene.canon.LabelCanon`);
        ``"exact"``: as given.
    catalog : Catalog, optional
        The source catalog for ``labels="catalog"`` (default: the built-in one).

    Returns
    -------
    MetricTable
        Columns: key, ``leads``, ``customers``, ``spend``, ``revenue``, ``lead_value``,
        ``cost_per_lead``, ``customer_acquisition_cost``, ``roi``, ``roas``,
        ``unaffordable`` (spend columns only with ``spend``). The title says which revenue
        it is: won deals by each lead's recorded label (the default), a model's credit to
        the touches' labels (``attribution=``), or as given. ``unaffordable`` flags the
        rows whose CPL exceeds lead value: those sources lose money on every lead; they
        are also listed in ``.unaffordable`` and ``.warnings``. A row without a spend
        line has CPL, CAC, ROI and ROAS NaN, shown as ``n/a (no spend)``.

    Warns
    -----
    UnmatchedLabelWarning
        When a label is in one of the joined tables only (leads, spend, revenue);
        the same text is in the table's ``notes``.

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=list(range(20)), created_at=["2024-01-10"] * 20,
    ...                          source=["ads"] * 20)
    >>> t = economics(ls, spend={"ads": 1_000}, revenue={"ads": 800})
    >>> t.row("ads")["cost_per_lead"], t.row("ads")["lead_value"], t.unaffordable
    (50.0, 40.0, ('ads',))
    """
    monthly = _period(period)
    data, names, notes, unaffordable, cur, basis, reasons = money_table(
        leads, _spend_table(spend), revenue, attribution, by, monthly, tz, stages=False,
        labels=labels, catalog=catalog,
    )  # fmt: skip
    title = "Lead economics" + (" by month" if monthly else "") + f" (revenue: {basis})"
    return MetricTable(
        title, data, names, ("roi",), tuple(notes), unaffordable, reasons, currency=cur
    )


def _spend_table(spend: Any) -> Any:
    """Spend as given when a mapping or SpendTable; Spend objects become a SpendTable."""
    if spend is None or isinstance(spend, Mapping | SpendTable):
        return spend
    return SpendTable.from_objects(spend)


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
    labels: str = "catalog",
    catalog: Catalog | None = None,
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
    labels : {"catalog", "exact"}
        How labels of leads, spend and revenue meet (see :func:`economics`).
    catalog : Catalog, optional
        The source catalog for ``labels="catalog"``.

    Returns
    -------
    MonthlyReport

    Examples
    --------
    >>> from touchcredit import Spend
    >>> ls = LeadSet.from_arrays(lead_id=[1, 2, 3], created_at=["2024-01-05", "2024-01-09",
    ...     "2024-02-01"], source=["seo", "ads", "ads"])
    >>> r = monthly_report(ls, spend=[Spend(300, "2024-01", source="ads")])
    >>> r["month"].tolist(), r["leads"].tolist(), r["spend"].tolist()
    (['2024-01', '2024-02', '2024-01'], [1, 1, 1], [300.0, 0.0, 0.0])
    """
    data, names, notes, unaffordable, cur, basis, reasons = money_table(
        leads, _spend_table(spend), revenue, attribution, by, True, tz, stages=True,
        labels=labels, catalog=catalog,
    )  # fmt: skip
    zone = tz if isinstance(tz, str) else str(tz)
    return MonthlyReport(
        f"Monthly report by {by} ({zone} months, revenue: {basis})",
        data, names, ("roi",), tuple(notes), unaffordable, reasons,
        by=by, tz=zone, currency=cur, revenue_basis=basis,
    )  # fmt: skip
