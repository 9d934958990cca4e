"""Benchmark the lead KPIs at 1M leads (and top paths at 1M journeys / ~5M touches).

Run: ``python benchmarks/bench_metrics.py`` (``--leads`` / ``--touches`` to scale).
Seeded synthetic data: leads over 12 months and 40 sources (3 channels each way),
stage dates along the funnel, ~8% won deals, monthly spend per source. Each step is
timed best-of-3 and quoted against a plain numpy pass (a ``bincount`` of the source
codes, the least any grouped KPI must do) measured in the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from touchcredit import JourneySet, LeadSet
from touchcredit.kpi.funnel import lead_quality, qualified_leads, stage_funnel
from touchcredit.kpi.metrics import SpendTable, economics, monthly_report
from touchcredit.kpi.paths import top_paths

DAY_US = 86_400_000_000


def make_leads(n: int, seed: int) -> tuple[dict[str, Any], SpendTable]:
    """Seeded lead columns (numpy arrays) and a monthly spend table."""
    rng = np.random.default_rng(seed)
    sources = np.array([f"source {k:02d}" for k in range(40)], dtype=object)
    channels = np.array(["paid", "organic", "outbound", "partner"], dtype=object)
    src = rng.choice(40, size=n, p=rng.dirichlet(np.full(40, 0.8)))
    start = np.datetime64("2024-01-01T00:00", "us").astype(np.int64)
    created = start + rng.integers(0, 365 * DAY_US, n)
    cols: dict[str, Any] = {
        "lead_id": np.arange(n, dtype=np.int64),
        "created_at": created.astype("datetime64[us]"),
        "source": sources[src],
        "channel": channels[src % 4],
        "campaign": np.array([f"c{k}" for k in range(120)], dtype=object)[rng.integers(0, 120, n)],
        "attributes": {"employees": rng.lognormal(4, 1.5, n)},
    }
    t = created.copy()
    alive = np.ones(n, dtype=bool)
    for name, p in (
        ("mql_at", 0.5),
        ("sql_at", 0.5),
        ("opportunity_at", 0.6),
        ("customer_at", 0.4),
    ):
        alive &= rng.random(n) < p
        t = t + rng.integers(DAY_US, 30 * DAY_US, n)
        col = t.astype("datetime64[us]")
        col[~alive] = np.datetime64("NaT")
        cols[name] = col
    won = np.flatnonzero(alive)
    cols.update(
        deal_lead_id=won,
        deal_amount=rng.gamma(2.0, 5_000.0, won.size),
        deal_created_at=cols["opportunity_at"][won],
        deal_closed_at=cols["customer_at"][won],
        deal_won=np.ones(won.size, dtype=bool),
    )
    months = np.repeat(np.arange(np.datetime64("2024-01"), np.datetime64("2025-01")), 40)
    spend = SpendTable.from_arrays(
        rng.uniform(1_000, 50_000, months.size), months, source=np.tile(sources, 12)
    )
    return cols, spend


def make_journeys(n_journeys: int, n_touches: int, seed: int) -> JourneySet:
    rng = np.random.default_rng(seed)
    lengths = 1 + rng.poisson(n_touches / n_journeys - 1, n_journeys)
    total = int(lengths.sum())
    journey = np.repeat(np.arange(n_journeys, dtype=np.int64), lengths)
    names = np.array([f"ch{c:02d}" for c in range(12)], dtype=object)
    channel = names[rng.choice(12, size=total, p=rng.dirichlet(np.full(12, 0.5)))]
    ts = (np.arange(total) * 1_000_000).astype("datetime64[us]")
    conv = np.flatnonzero(rng.random(n_journeys) < 0.1)
    last = np.cumsum(lengths)[conv] - 1
    return JourneySet.from_arrays(
        journey_id=journey, timestamp=ts, channel=channel,
        conversion_journey_id=conv, conversion_time=ts[last],
        conversion_value=rng.gamma(2.0, 50.0, conv.size),
    )  # fmt: skip


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    n = args.leads

    cols, spend = make_leads(n, args.seed)
    t_build, leads = best_of(lambda: LeadSet.from_arrays(**cols), repeat=1)
    codes = leads.source.codes
    t_base, _ = best_of(lambda: np.bincount(codes, minlength=40))
    print(f"{n:,} leads, {leads.n_deals:,} deals, {spend.amount.size} spend lines")
    print(f"  plain numpy bincount of source codes      {t_base * 1e3:8.2f} ms  (baseline)")
    print(f"  LeadSet.from_arrays                       {t_build * 1e3:8.2f} ms")
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("funnel (all leads)", lambda: stage_funnel(leads)),
        ("funnel by source", lambda: stage_funnel(leads, by="source")),
        ("cohorts (funnel by month, Europe/Paris)", lambda: stage_funnel(
            leads, by="month", tz="Europe/Paris")),
        ("qualified_leads (predicate, by month)", lambda: qualified_leads(
            leads, lambda c: c["employees"] > 100, period="month")),
        ("lead_quality by source", lambda: lead_quality(leads)),
        ("economics by source + spend", lambda: economics(leads, spend=spend)),
        ("monthly_report by source (UTC)", lambda: monthly_report(leads, spend=spend)),
        ("monthly_report by source (Europe/Paris)", lambda: monthly_report(
            leads, spend=spend, tz="Europe/Paris")),
    ]  # fmt: skip
    for name, fn in steps:
        t, _ = best_of(fn)
        print(f"  {name:<42}{t * 1e3:8.2f} ms  ({t / t_base:6.0f}x baseline)")

    js = make_journeys(n, args.touches, args.seed)
    ch = js.channel.codes
    t_base_j, _ = best_of(lambda: np.bincount(ch, minlength=12))
    print(f"{js.n_journeys:,} journeys, {js.n_touches:,} touches")
    print(f"  plain numpy bincount of channel codes     {t_base_j * 1e3:8.2f} ms  (baseline)")
    for name, kw in (
        ("top_paths", {}),
        ("top_paths collapse_repeats", {"collapse_repeats": True}),
        ("top_paths max_length=4", {"max_length": 4}),
    ):
        t, out = best_of(lambda kw=kw: top_paths(js, **kw))
        rate = js.n_touches / t / 1e6
        print(
            f"  {name:<42}{t * 1e3:8.2f} ms  ({t / t_base_j:6.0f}x baseline, "
            f"{rate:.0f} M touches/s)"
        )
    print(out)


if __name__ == "__main__":
    main()
