"""The lead funnel: stage counts, stage-to-stage rates, drop-off, time in stage, quality.

Stages, in order: lead → MQL → SQL → opportunity → customer, in phases TOFU (lead),
MOFU (MQL, SQL) and BOFU (opportunity, customer). A lead *reached* a stage when that
stage or any later one is dated (CRMs skip stages; counts never grow down the funnel).
*Time in stage* is the time from a stage's date to the next dated stage of the same
lead. Cohorts group leads by their creation month in a stated time zone.

Undefined rates (a stage nobody reached) are NaN; the reason is in the table's
``notes`` (see :mod:`touchcredit.kpi.metrics`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from touchcredit.core.grouping import Groups, group_quantiles
from touchcredit.core.time import TimeZoneLike
from touchcredit.kpi.leads import STAGES, GroupKey, LeadSet
from touchcredit.kpi.ratios import checked as _checked
from touchcredit.kpi.ratios import divide as _divide
from touchcredit.kpi.ratios import key_columns as _key_columns
from touchcredit.kpi.ratios import show_key as _show
from touchcredit.kpi.tables import MetricTable

__all__ = [
    "PHASES",
    "cohorts",
    "lead_quality",
    "qualified_leads",
    "stage_funnel",
    "visitor_conversion",
]


#: Funnel phase of every stage.
PHASES: Mapping[str, str] = {
    "lead": "TOFU",
    "mql": "MOFU",
    "sql": "MOFU",
    "opportunity": "BOFU",
    "customer": "BOFU",
}

_DAY_US = 86_400e6


def _groups(leads: LeadSet, by: Any, tz: TimeZoneLike) -> Groups:
    if by is None:
        return Groups(np.zeros(leads.n_leads, dtype=np.int64), ("all",), ())
    return leads.groups(by, tz=tz)


def stage_funnel(
    leads: LeadSet,
    *,
    by: GroupKey | tuple[GroupKey, ...] | None = None,
    tz: TimeZoneLike = "UTC",
) -> MetricTable:
    """Stage counts, stage-to-stage conversion, drop-off and median time in stage.

    Parameters
    ----------
    leads : LeadSet
        The leads.
    by : str, array-like, tuple or None
        Grouping key (see :meth:`LeadSet.groups`); None for one funnel over all leads.
    tz : str or tzinfo
        Zone of the months when grouping by ``"month"``.

    Returns
    -------
    MetricTable
        One row per (group, stage). Columns: key, ``stage``, ``phase``, ``reached``,
        ``rate_from_previous`` (reached ÷ reached at the previous stage; 1 for the lead
        stage), ``rate_from_lead``, ``drop_off`` (leads lost since the previous stage),
        ``median_days_in_stage`` and ``timed`` (leads with a measured time in stage).

    Examples
    --------
    >>> ls = LeadSet.from_arrays(
    ...     lead_id=[1, 2, 3, 4], created_at=["2024-01-01"] * 4,
    ...     mql_at=["2024-01-03", "2024-01-05", "2024-01-02", None],
    ...     sql_at=["2024-01-10", None, None, None])
    >>> f = stage_funnel(ls)
    >>> f["reached"].tolist()
    [4, 3, 1, 0, 0]
    >>> f["rate_from_previous"][:3].tolist(), f["median_days_in_stage"][:2].tolist()
    ([1.0, 0.75, 0.3333333333333333], [2.0, 7.0])
    """
    g = _groups(leads, by, tz)
    notes: list[str] = []
    k, s = g.size, len(STAGES)
    reached = np.empty((k, s), dtype=np.int64)
    median = np.full((k, s), np.nan)
    timed = np.zeros((k, s), dtype=np.int64)
    times = [leads.stage_time(stage).view(np.int64) for stage in STAGES]
    nat = np.iinfo(np.int64).min  # NaT as int64
    nxt = np.full(leads.n_leads, nat, dtype=np.int64)
    for j in range(s - 1, -1, -1):  # five stages, from the bottom up
        t = times[j]
        reached[:, j] = g.counts(leads.reached(STAGES[j]))
        both = (t != nat) & (nxt != nat)
        days = np.where(both, (nxt - t) / _DAY_US, np.nan)
        median[:, j] = group_quantiles(days, g.codes, k, [0.5])[:, 0]
        timed[:, j] = g.counts(both)
        nxt = np.where(t != nat, t, nxt)
    prev = np.concatenate([reached[:, :1], reached[:, :-1]], axis=1)
    keys = [(lab, stage) for lab in g.labels for stage in STAGES]
    rate_prev = _divide(
        reached.ravel(),
        prev.ravel(),
        "rate_from_previous",
        "the previous stage's count",
        keys,
        notes,
    )
    lead_n = np.repeat(reached[:, :1], s, axis=1).astype(float).ravel()
    rate_lead = _divide(
        reached.astype(float).ravel(), lead_n, "rate_from_lead", "leads", keys, notes
    )
    data: dict[str, Any] = {}
    if g.names:
        data = _key_columns(g.names, [lab for lab in g.labels for _ in STAGES])
    stage_col = np.empty(k * s, dtype=object)
    stage_col[:] = list(STAGES) * k
    phase_col = np.empty(k * s, dtype=object)
    phase_col[:] = [PHASES[x] for x in STAGES] * k
    data.update(
        stage=stage_col,
        phase=phase_col,
        reached=reached.ravel(),
        rate_from_previous=rate_prev,
        rate_from_lead=rate_lead,
        drop_off=(prev - reached).ravel(),
        median_days_in_stage=median.ravel(),
        timed=timed.ravel(),
    )
    if (timed == 0).any():
        notes.append(
            "median_days_in_stage is NaN where no lead has both this and a later stage dated"
        )
    names = (*g.names, "stage")
    return MetricTable(
        "Funnel", data, names, ("rate_from_previous", "rate_from_lead"), tuple(notes)
    )


def cohorts(leads: LeadSet, *, tz: TimeZoneLike = "UTC") -> MetricTable:
    """The funnel per lead-creation month (calendar months in ``tz``).

    Parameters
    ----------
    leads : LeadSet
        The leads.
    tz : str or tzinfo
        Zone of the calendar months (default UTC).

    Returns
    -------
    MetricTable
        As :func:`funnel` with ``by="month"``.

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=[1, 2], created_at=["2024-01-31T23:30", "2024-02-01"],
    ...                          mql_at=[None, "2024-02-02"])
    >>> c = cohorts(ls, tz="Europe/Paris")
    >>> sorted(set(c["month"].tolist()))
    ['2024-02']
    """
    return stage_funnel(leads, by="month", tz=tz)


def _with_month(by: Any, period: str | None) -> Any:
    if period is None:
        return by
    if period != "month":
        raise ValueError(f"period must be None or 'month', got {period!r}")
    return (*(by if isinstance(by, tuple) else (by,)), "month")


def qualified_leads(
    leads: LeadSet,
    rule: str | Any = "mql",
    *,
    by: GroupKey | tuple[GroupKey, ...] = "source",
    period: str | None = None,
    tz: TimeZoneLike = "UTC",
) -> MetricTable:
    """Qualified lead volume: leads meeting a qualification rule, by group and period.

    Parameters
    ----------
    leads : LeadSet
        The leads.
    rule : str or callable
        A stage name (``"mql"``, ``"sql"``, ``"opportunity"``, ``"customer"``: the
        stage was reached), or a vectorized predicate: called once with a mapping of
        column name -> array (labels, stage dates and attributes) and returning one
        bool per lead.
    by : str, array-like or tuple
        Grouping key (see :meth:`LeadSet.groups`).
    period : None or "month"
        Add the lead-creation month to the key.
    tz : str or tzinfo
        Zone of the months.

    Returns
    -------
    MetricTable
        Columns: key, ``leads``, ``qualified``, ``qualified_rate``.

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=[1, 2, 3], created_at=["2024-01-01"] * 3,
    ...     source=["a", "a", "b"], attributes={"revenue_musd": [5.0, 80.0, 120.0]})
    >>> t = qualified_leads(ls, lambda c: c["revenue_musd"] >= 50)
    >>> t["qualified"].tolist(), t["qualified_rate"].tolist()
    ([1, 1], [0.5, 1.0])
    """
    if isinstance(rule, str):
        ok = leads.reached(rule)
    elif callable(rule):
        cols = {n: leads.column(n) for n in ("source", "channel", "campaign", "method")}
        cols.update({s: leads.stage_time(s) for s in STAGES})
        cols.update(leads.attributes)
        ok = np.asarray(rule(cols))
        if ok.dtype != np.bool_ or ok.shape != (leads.n_leads,):
            raise TypeError(
                f"the qualification rule must return one bool per lead ({leads.n_leads}), "
                f"got dtype {ok.dtype} and shape {ok.shape}"
            )
    else:
        raise TypeError(f"'rule' must be a stage name or a callable, got {type(rule).__name__}")
    g = leads.groups(_with_month(by, period), tz=tz)
    notes: list[str] = []
    n, q = g.counts(), g.counts(ok)
    data = _key_columns(g.names, g.labels)
    data.update(
        leads=n,
        qualified=q,
        qualified_rate=_divide(
            q.astype(float), n.astype(float), "qualified_rate", "leads", g.labels, notes
        ),
    )
    return MetricTable("Qualified leads", data, g.names, ("qualified_rate",), tuple(notes))


def lead_quality(
    leads: LeadSet,
    *,
    by: GroupKey | tuple[GroupKey, ...] = "source",
    tz: TimeZoneLike = "UTC",
    quantiles: Sequence[float] = (0.25, 0.5, 0.75, 0.9),
) -> MetricTable:
    """Lead quality per group: lead-to-opportunity, lead-to-customer, time to win.

    Time to conversion is the time from lead creation to won (customer), in days, over
    the leads won; its distribution is given as quantiles (``days_to_win_p50`` is the
    median).

    Parameters
    ----------
    leads : LeadSet
        The leads (a won deal makes its lead a customer when ``customer_at`` is missing).
    by : str, array-like or tuple
        Grouping key (see :meth:`LeadSet.groups`).
    tz : str or tzinfo
        Zone of the months when grouping by ``"month"``.
    quantiles : sequence of float
        Quantiles of the days to win to report.

    Returns
    -------
    MetricTable
        Columns: key, ``leads``, ``opportunities``, ``customers``,
        ``lead_to_opportunity``, ``lead_to_customer``, ``days_to_win_p<q>``.

    Examples
    --------
    >>> ls = LeadSet.from_arrays(lead_id=[1, 2, 3, 4], created_at=["2024-01-01"] * 4,
    ...     source=["a"] * 4, opportunity_at=["2024-01-05", "2024-01-06", None, None],
    ...     customer_at=["2024-01-11", "2024-01-31", None, None])
    >>> t = lead_quality(ls, quantiles=(0.5,))
    >>> t.row("a")["lead_to_opportunity"], t.row("a")["days_to_win_p50"]
    (0.5, 20.0)
    """
    g = leads.groups(by, tz=tz)
    notes: list[str] = []
    n = g.counts()
    opp = g.counts(leads.reached("opportunity"))
    cust = g.counts(leads.reached("customer"))
    days = (leads.won_at - leads.created_at).astype(np.int64) / 86_400e6
    days[np.isnat(leads.won_at)] = np.nan
    qs = group_quantiles(days, g.codes, g.size, quantiles)
    data = _key_columns(g.names, g.labels)
    data.update(leads=n, opportunities=opp, customers=cust)
    data["lead_to_opportunity"] = _divide(opp, n, "lead_to_opportunity", "leads", g.labels, notes)
    data["lead_to_customer"] = _divide(cust, n, "lead_to_customer", "leads", g.labels, notes)
    for j, q in enumerate(quantiles):
        data[f"days_to_win_p{round(q * 100):d}"] = qs[:, j]
    if (cust == 0).any():
        notes.append("days_to_win is undefined (NaN) for groups without a won lead")
    pct = ("lead_to_opportunity", "lead_to_customer")
    return MetricTable("Lead quality", data, g.names, pct, tuple(notes))


def visitor_conversion(
    visitors: Mapping[Any, float],
    leads: LeadSet | Mapping[Any, float],
    *,
    by: str = "campaign",
) -> MetricTable:
    """Visitors (or views) → leads conversion rate per asset, page or campaign.

    Parameters
    ----------
    visitors : mapping label -> int
        Visitors or views per label (one row each).
    leads : LeadSet or mapping label -> int
        The leads; a LeadSet is counted by ``by``.
    by : str
        The lead column matching the visitor labels (LeadSet input only).

    Returns
    -------
    MetricTable
        Columns: ``by``, ``visitors``, ``leads``, ``conversion_rate``.

    Examples
    --------
    >>> t = visitor_conversion({"ebook": 4_000, "demo page": 100}, {"ebook": 20, "demo page": 20})
    >>> t["conversion_rate"].tolist()
    [0.005, 0.2]
    """
    if isinstance(leads, LeadSet):
        g = leads.groups(by)
        counts: Mapping[Any, float] = dict(zip(g.labels, g.counts().tolist(), strict=True))
    else:
        counts = leads
    keys = list(visitors)
    v = _checked([visitors[k] for k in keys], "visitors")
    n = _checked([counts.get(k, 0) for k in keys], "leads")
    notes: list[str] = []
    rate = _divide(n, v, "conversion_rate", "visitors", keys, notes)
    missing = [k for k in counts if k not in visitors]
    if missing:
        notes.append("leads without a visitor count (no rate): " + ", ".join(map(_show, missing)))
    data = _key_columns((by,), keys)
    data.update(visitors=v, leads=n.astype(np.int64), conversion_rate=rate)
    return MetricTable("Visitor conversion", data, (by,), ("conversion_rate",), tuple(notes))


def __getattr__(name: str) -> Callable[..., MetricTable]:
    # tc.funnel.funnel stuttered: the function is stage_funnel now
    if name == "funnel":
        warnings.warn(
            "touchcredit.kpi.funnel.funnel is deprecated; use stage_funnel (the same function)",
            DeprecationWarning,
            stacklevel=2,
        )
        return stage_funnel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
