"""Which headline period is complete, and which periods have spend.

The headline KPIs compare one period with the one before. The last period with any
row is often not over: an export taken on 15 October holds two weeks of the fourth
quarter, or only a few late deal closes. Comparing it with a whole quarter reads as a
collapse ("leads -100 %"). A period is *complete* when the data reaches its last day
(the latest dated lead event, stage or deal close falls on that day or later); the
headline compares the last complete period with the one before and says which days
the partial one holds. A period without a spend line has no cost: its CPL and CAC are
n/a, never 0.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.kpi.leads import STAGES, LeadSet

__all__ = [
    "HeadlinePeriods",
    "data_end",
    "headline_periods",
    "period_codes",
    "period_name",
    "spend_periods",
]


def period_codes(months: npt.NDArray[np.datetime64], period: str) -> npt.NDArray[np.int64]:
    """Period code of every month: months since 1970-01 (``"month"``) or quarters since 1970.

    Examples
    --------
    >>> period_codes(np.array(["2024-03", "2024-04"], dtype="datetime64[M]"), "quarter")
    array([216, 217])
    """
    m = months.astype("datetime64[M]").astype(np.int64)
    return m if period == "month" else m // 3


def period_name(code: int, period: str) -> str:
    """``"2024-Q3"`` or ``"2024-07"`` for a period code.

    Examples
    --------
    >>> period_name(218, "quarter"), period_name(654, "month")
    ('2024-Q3', '2024-07')
    """
    if period == "month":
        return str(np.datetime64(int(code), "M"))
    return f"{1970 + int(code) // 4}-Q{int(code) % 4 + 1}"


def _first_month(code: int, period: str) -> np.datetime64:
    return np.datetime64(int(code) * (1 if period == "month" else 3), "M")


def _last_day(code: int, period: str) -> np.datetime64:
    months = 1 if period == "month" else 3
    after = (_first_month(code, period) + np.timedelta64(months, "M")).astype("datetime64[D]")
    last: np.datetime64 = after - np.timedelta64(1, "D")
    return last


def data_end(leads: LeadSet) -> np.datetime64 | None:
    """The latest dated event of the leads: a creation, a stage or a deal close (UTC day).

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=[1], created_at=["2024-03-01"], sql_at=["2024-04-02"])
    >>> data_end(ls)
    np.datetime64('2024-04-02')
    """
    times = [leads.stage_time(s) for s in STAGES] + [leads.deal_closed_at]
    latest = [t[~np.isnat(t)].max() for t in times if (~np.isnat(t)).any()]
    if not latest:
        return None
    day: np.datetime64 = max(latest).astype("datetime64[D]")
    return day


@attrs.frozen
class HeadlinePeriods:
    """The periods the headline compares.

    Attributes
    ----------
    now, before : int
        Indexes (into the sorted period codes) of the compared period and the one
        before it (-1: none).
    note : str
        What is compared, and the partial period left out (with the days it holds).
    """

    now: int
    before: int
    note: str


def headline_periods(codes: list[int], end: np.datetime64 | None, period: str) -> HeadlinePeriods:
    """The last complete period and the one before it, among sorted period ``codes``.

    Examples
    --------
    >>> p = headline_periods([217, 218, 219], np.datetime64("2024-10-15"), "quarter")
    >>> (p.now, p.before)
    (1, 0)
    >>> print(p.note)
    2024-Q3 compared with 2024-Q2. 2024-Q4 is partial (the data runs from 2024-10-01 to 2024-10-15) and is left out.
    >>> headline_periods([217, 218], np.datetime64("2024-09-30"), "quarter").note
    '2024-Q3 compared with 2024-Q2.'
    """  # noqa: E501
    now = len(codes) - 1
    partial = ""
    if end is not None and now >= 0 and end < _last_day(codes[now], period):
        first = _first_month(codes[now], period).astype("datetime64[D]")
        partial = (
            f" {period_name(codes[now], period)} is partial (the data runs from {first} to "
            f"{end}) and is left out."
        )
        now -= 1
    if now < 0:  # one period, and partial: shown as it is, nothing to compare with
        return HeadlinePeriods(
            len(codes) - 1,
            -1,
            partial.strip().replace(" and is left out.", "; no earlier period to compare with."),
        )
    before = now - 1
    earlier = period_name(codes[before], period) if before >= 0 else "no earlier period"
    note = f"{period_name(codes[now], period)} compared with {earlier}." + partial
    return HeadlinePeriods(now, before, note)


def spend_periods(spend: Any, period: str) -> set[int] | None:
    """The period codes with at least one spend line (None: the spend has no months)."""
    months = getattr(spend, "month", None)
    if months is None:
        return None
    return {int(c) for c in np.unique(period_codes(np.asarray(months), period)).tolist()}
