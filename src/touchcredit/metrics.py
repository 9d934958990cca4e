"""Lead KPIs (home: :mod:`touchcredit.kpi.metrics`).

A stable public path kept from before the areas existed; the names below are
the home module's public API, unchanged.
"""

from touchcredit.kpi.metrics import (
    SpendTable,
    UndefinedMetricWarning,
    UnmatchedLabelWarning,
    conversion_rate,
    cost_per_lead,
    customer_acquisition_cost,
    economics,
    lead_value,
    monthly_report,
    roas,
    roi,
)

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
