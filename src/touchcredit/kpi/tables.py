"""Result tables of the KPI functions.

:class:`MetricTable` lives in :mod:`touchcredit.core.metric_table` (attribution
results return it too); :class:`MonthlyReport` is the monthly review's table.
"""

from __future__ import annotations

import attrs

from touchcredit.core.metric_table import MONEY_COLUMNS, WIDTH, MetricTable

__all__ = ["MONEY_COLUMNS", "WIDTH", "MetricTable", "MonthlyReport"]


@attrs.frozen(eq=False, repr=False)
class MonthlyReport(MetricTable):
    """Lead KPIs per source (or channel) and calendar month, side by side.

    Built by :func:`touchcredit.kpi.metrics.monthly_report`; a :class:`MetricTable` with
    the grouping, time zone, currency and revenue basis it was built with.

    Examples
    --------
    >>> import numpy as np
    >>> r = MonthlyReport("r", {"source": np.array(["a"], dtype=object)}, key=("source",),
    ...                   by="source", tz="UTC")
    >>> r.by, len(r)
    ('source', 1)
    """

    by: str = "source"
    tz: str = "UTC"
    revenue_basis: str = "won deals"
