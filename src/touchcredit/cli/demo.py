"""``touchcredit demo``: compare the models and show the KPIs on the bundled example data."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from touchcredit.cli.common import Progress, model_names, progress
from touchcredit.cli.credit import credit_by

__all__ = ["DEMO_MODELS", "add_parser", "compare_table", "monthly_kpis", "run", "write_report"]

#: Models compared by ``touchcredit demo`` (those registered), in this order.
DEMO_MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position",
    "j_shaped",
    "inverse_j",
    "w_shaped",
    "full_path",
    "markov",
    "shapley",
)


def add_parser(sub: Any) -> None:
    """Add the ``demo`` command to the subparsers ``sub``."""
    demo = sub.add_parser("demo", help="compare the models and show the KPIs on example data")
    demo.add_argument("--target", choices=("revenue", "leads"), default="revenue")
    demo.add_argument("--by", choices=("channel", "source"), default="channel")
    demo.set_defaults(func=run)


def monthly_kpis(leads: Any, spend: Any) -> Any:
    """One row per month over all sources: leads, stages, spend, revenue, CPL, CAC, ROI."""
    from touchcredit.kpi.metrics import monthly_report
    from touchcredit.kpi.tables import MetricTable

    rep = monthly_report(leads, spend=spend, by="channel")
    months, code = np.unique(rep["month"].astype(str), return_inverse=True)
    sums = {
        name: np.bincount(code, weights=rep[name].astype(float), minlength=months.size)
        for name in ("leads", "mqls", "sqls", "opportunities", "customers", "spend", "revenue")
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        cpl = np.where(sums["leads"] > 0, sums["spend"] / sums["leads"], np.nan)
        cac = np.where(sums["customers"] > 0, sums["spend"] / sums["customers"], np.nan)
        roi = np.where(sums["spend"] > 0, (sums["revenue"] - sums["spend"]) / sums["spend"], np.nan)
    data: dict[str, Any] = {"month": months.astype(object)}
    for name in ("leads", "mqls", "sqls", "opportunities", "customers"):
        data[name] = sums[name].astype(np.int64)
    data.update(
        spend=sums["spend"],
        revenue=sums["revenue"],
        cost_per_lead=cpl,
        customer_acquisition_cost=cac,
        roi=roi,
    )
    notes = ("revenue: won deals closed in the month; n/a where the denominator is 0",)
    return MetricTable(
        "Monthly KPIs (all sources)",
        data,
        key=("month",),
        percent=("roi",),
        notes=notes,
        currency=spend.currency,
    )


def compare_table(
    journeys: Any, names: Sequence[str], by: str, bar: Progress, title: str | None = None
) -> Any:
    """Share of the total value per label (rows) and model (columns), as a MetricTable.

    Uses :func:`touchcredit.compare` when available, else the model contract directly.
    """
    import touchcredit as tc
    from touchcredit.kpi.tables import MetricTable

    fitted = []
    for name in names:
        model = tc.models.get(name)
        fitted.append(model.fit(journeys))
        bar.step(name)
    compare = getattr(tc, "compare", None)
    if compare is not None:
        cmp = compare(journeys, fitted, by=by)
        labels = list(cmp.labels)
        values = np.vstack([cmp.values, cmp.unattributed[None, :]])
    else:
        dim = journeys.dimension(by)
        labels = [*dim.categories, None]
        cols = []
        for model in fitted:
            credit, unattributed = credit_by(journeys, model, by)
            cols.append(np.append(credit, max(unattributed, 0.0)))
        values = np.stack(cols, axis=1) if cols else np.zeros((len(labels) + 1, 0))
        if values[-2].sum() == 0:  # no touch without a label: drop the "not recorded" row
            values = np.delete(values, -2, axis=0)
            labels = labels[:-1]
    total = float(journeys.total_value)
    column = np.empty(len(labels) + 1, dtype=object)
    column[:] = [*labels, "unattributed"]
    if not values[-1].any():  # nothing unattributed under any model: an empty row
        column, values = column[:-1], values[:-1]
    data: dict[str, Any] = {by: column}
    for j, name in enumerate(names):
        data[name] = values[:, j] / total if total > 0 else np.full(values.shape[0], np.nan)
    heading = title or f"Share of the total by {by}, per model"
    return MetricTable(heading, data, key=(by,), percent=tuple(names))


def run(args: argparse.Namespace) -> int:
    """Compare the registered demo models and print the economics and monthly KPIs.

    The lead economics come twice: revenue by each lead's recorded label, then the
    revenue the linear model credits to the touches' labels (each title says which).
    """
    from touchcredit.datasets import load_example

    start = time.perf_counter()
    registered = set(model_names())
    names = [n for n in DEMO_MODELS if n in registered]
    with progress(len(names) + 3, "touchcredit demo") as bar:
        data = load_example()
        journeys = data.journeys(args.target)
        bar.step("models")
        if args.target == "revenue":
            what = f"won-deal revenue ({journeys.total_value:,.0f} {journeys.currency})"
        else:
            what = f"leads ({journeys.n_conversions:,})"
        heading = f"Credit for {what} by {args.by}, per model (shares of the total)"
        comparison = compare_table(journeys, names, args.by, bar, heading)
        leads = data.lead_set()
        spend = data.spend_table()
        bar.step("economics")
        from touchcredit.kpi.metrics import economics

        econ = economics(leads, spend=spend, by=args.by)
        credited = None
        if args.target == "revenue":  # the same table with the revenue a model credits
            import warnings

            from touchcredit.attribution import attribute

            with warnings.catch_warnings():  # labels in one table only: in the notes
                warnings.simplefilter("ignore")
                credited = economics(
                    leads, spend=spend, by=args.by, attribution=attribute(journeys, "linear")
                )
        kpis = monthly_kpis(leads, spend)
        bar.step("done")
    print(
        f"touchcredit demo: example data, {journeys.n_journeys:,} journeys, "
        f"{journeys.n_touches:,} touches, {journeys.n_conversions:,} conversions\n"
    )
    print(comparison)
    print()
    print(econ)
    print()
    if credited is not None:
        print(credited)
        print()
    print(kpis)
    print(f"\n(done in {time.perf_counter() - start:.1f} s)")
    print(write_report())
    return 0


def write_report() -> str:
    """Write the example's HTML report to a temporary file; the line saying where."""
    import tempfile

    from touchcredit.report import Report

    try:
        report = Report.from_example(progress=False)
        fd, name = tempfile.mkstemp(prefix="touchcredit-demo-", suffix=".html")
        os.close(fd)
        path = report.save(name)
    except ImportError as exc:  # Jinja2 missing: the text report above still stands
        return f"HTML report skipped: {exc}"
    return f"HTML report: {path} (open it in a browser)"
