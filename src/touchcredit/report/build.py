"""The :class:`Report`: the monthly review as one self-contained HTML page."""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from touchcredit.attribution.calibration import Calibration
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.io.atomic import atomic_path
from touchcredit.kpi.leads import LeadSet
from touchcredit.models.base import AttributionModel, models_from
from touchcredit.report.calibrated import model_index
from touchcredit.report.calibration import calibration_section
from touchcredit.report.groups import buying_group_section, is_grouped
from touchcredit.report.html import render_page
from touchcredit.report.journeys import (
    against_last_touch_section,
    assisted_section,
    credit_over_time_section,
    path_length_section,
    time_lag_section,
)
from touchcredit.report.kpis import headline_section, monthly_section
from touchcredit.report.revenue_views import revenue_views_section
from touchcredit.report.sections import (
    Section,
    cleaning_section,
    credit_section,
    funnel_section,
    paths_section,
    time_to_convert_section,
    value_format,
)

__all__ = ["DEFAULT_MODELS", "Report"]

#: Models a report compares when none are chosen: a rule at each end and a data-driven one.
DEFAULT_MODELS = ("first_touch", "last_touch", "linear", "markov")


def _version() -> str:
    try:
        return importlib.metadata.version("touchcredit")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "(development)"


def _checked(
    calibration: Calibration | None, journeys: JourneySet, models: Sequence[AttributionModel]
) -> Calibration | None:
    """``calibration`` when it calibrates one of ``models`` on ``journeys``."""
    if calibration is None:
        return None
    if not isinstance(calibration, Calibration):
        raise TypeError(
            f"'calibration' must be a Calibration (Attribution.calibrate) or None, "
            f"got {type(calibration).__name__}"
        )
    if calibration.journeys is not journeys:
        raise ValueError("'calibration' was made on other journeys than the report's")
    model_index(models, calibration)  # raises when its model is not among them
    return calibration


class Report:
    """The monthly review of leads, revenue, cost and credit, as one HTML page.

    Sections: headline KPIs of the last complete period with the change from the one
    before (and the "cost per lead above lead value" flag), credit by channel and by
    source under every chosen model side by side (with bootstrap intervals when asked),
    credit over time (monthly, per model) and against last touch, revenue and ROI by each
    lead's recorded source next to each model's credit, monthly KPIs by source, the
    funnel, the top converting paths, assisted conversions, path length, time lag, time
    to convert, and the cleaning report the numbers rest on. The page needs no network:
    CSS, script and SVG charts are inline, every label is escaped, tables sort on a click
    and it prints cleanly.

    Parameters
    ----------
    journeys : JourneySet
        Touches and conversions (won deals for revenue credit, or leads).
    leads : LeadSet, optional
        Leads and deals: headline KPIs, monthly KPIs and the funnel need them.
    spend : SpendTable, optional
        Spend per source and month: CPL, CAC and ROI need it.
    models : iterable of AttributionModel or str
        The models to compare (default :data:`DEFAULT_MODELS`).
    by : sequence of str
        Dimensions of the credit sections (default channel and source).
    bootstrap : int
        Resamples for credit intervals (0: no intervals).
    seed : int
        Seed of the resampling.
    cleaning : CleaningReport, optional
        The report of :func:`touchcredit.clean` that built ``journeys``.
    title : str
        Heading of the page.
    period : {"quarter", "month"}
        Period of the headline KPIs (the last one, against the one before).
    progress : bool, optional
        Progress bar while building (see :func:`touchcredit.core.progress.progress_bar`).
    calibration : Calibration, optional
        Credit of one of ``models`` calibrated by experiments
        (``attribute(journeys, model).calibrate(experiments)``): a "Calibrated" column
        next to that model's credit with a ``baseline`` row, and a section listing the
        experiments (:doc:`/calibration`).

    Attributes
    ----------
    sections : tuple of Section
        The computed sections, in page order.

    Examples
    --------
    >>> from touchcredit.datasets import load_example
    >>> data = load_example()
    >>> report = Report(data.journeys("revenue"), leads=data.lead_set(),
    ...                 spend=data.spend_table(), models=["last_touch", "linear"])
    >>> [s.id for s in report.sections]  # doctest: +NORMALIZE_WHITESPACE
    ['kpis', 'credit-channel', 'credit-source', 'credit-over-time', 'against-last-touch',
     'revenue-views-source', 'monthly', 'funnel', 'paths', 'assisted', 'path-length',
     'time-lag', 'time-to-convert', 'cleaning']
    >>> report.html().startswith("<!DOCTYPE html>")
    True
    """

    def __init__(
        self,
        journeys: JourneySet,
        *,
        leads: LeadSet | None = None,
        spend: Any = None,
        models: Iterable[AttributionModel | str] = DEFAULT_MODELS,
        by: Sequence[str] = ("channel", "source"),
        bootstrap: int = 0,
        seed: int = 0,
        cleaning: Any = None,
        title: str = "Attribution report",
        period: str = "quarter",
        progress: bool | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        if not isinstance(journeys, JourneySet):
            raise TypeError(f"'journeys' must be a JourneySet, got {type(journeys).__name__}")
        if leads is not None and not isinstance(leads, LeadSet):
            raise TypeError(f"'leads' must be a LeadSet or None, got {type(leads).__name__}")
        if isinstance(by, str):
            by = (by,)
        known = (*DIMENSIONS, *journeys.touch_labels)  # with "medium", "source / medium"
        bad = [d for d in by if d not in known]
        if bad:
            raise ValueError(f"'by' must name dimensions among {', '.join(known)}; got {bad}")
        if period not in ("quarter", "month"):
            raise ValueError(f"'period' must be 'quarter' or 'month', got {period!r}")
        if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
            raise ValueError(f"'bootstrap' must be 0 or an integer >= 2, got {bootstrap!r}")
        if bootstrap == 1:
            raise ValueError("'bootstrap' must be 0 or an integer >= 2, got 1")
        self.journeys = journeys
        self.leads = leads
        self.spend = spend
        self.models: tuple[AttributionModel, ...] = tuple(models_from(models))
        if not self.models:
            raise ValueError("'models' must name at least one model")
        self.by = tuple(by)
        self.calibration = _checked(calibration, journeys, self.models)
        self.bootstrap = bootstrap
        self.seed = seed
        self.cleaning = cleaning
        self.title = title
        self.period = period
        self.created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.sections: tuple[Section, ...] = self._build(progress)

    @classmethod
    def from_example(cls, **options: Any) -> Report:
        """The report of the bundled example data (won-deal revenue, leads, spend).

        The cleaning section reports :func:`touchcredit.clean` run on the example's
        raw touch columns (``source_raw``, ``medium_raw``, ``url``), which is how
        its ``source`` and ``channel`` columns were derived.

        Parameters
        ----------
        **options
            Any keyword of :class:`Report` (``models``, ``bootstrap``, ``title``...).

        Returns
        -------
        Report

        Examples
        --------
        >>> Report.from_example(models=["linear"], by=["channel"]).sections[-1].intro
        'Rows in = out + duplicates removed + rejected: 12,896 = 12,896 + 0 + 0 (holds).'
        """
        from touchcredit.datasets import load_example
        from touchcredit.hygiene.clean import clean

        data = load_example()
        if "cleaning" not in options:
            t = data.touches
            _, options["cleaning"] = clean(
                t, journey="person_id", timestamp="timestamp", url="url",
                source="source_raw", medium="medium_raw", campaign="campaign",
            )  # fmt: skip
        options.setdefault("title", "Attribution report: example data (2024)")
        return cls(
            data.journeys("revenue"), leads=data.lead_set(), spend=data.spend_table(), **options
        )

    def _build(self, progress: bool | None) -> tuple[Section, ...]:
        js, leads = self.journeys, self.leads
        currency = js.currency or (leads.currency() if leads is not None else None)
        steps: list[tuple[str, Any]] = []
        if leads is not None:
            steps.append(
                ("KPIs", lambda: headline_section(leads, self.spend, currency, period=self.period))
            )
        for dim in self.by:
            steps.append(
                (
                    f"credit by {dim}",
                    lambda dim=dim: credit_section(
                        js,
                        self.models,
                        dim,
                        n_bootstrap=self.bootstrap,
                        seed=self.seed,
                        calibration=self.calibration,
                    ),
                )
            )
        if self.calibration is not None:
            cal, fmt = self.calibration, value_format(js)[0]
            steps.append(("calibration", lambda: calibration_section(cal, js, fmt)))
        if is_grouped(js):
            members = getattr(self.cleaning, "group_members", None) or None
            steps.append(
                (
                    "buying group",
                    lambda: buying_group_section(js, self.models, members=members),
                )
            )
        steps += self._journey_steps(before_kpis=True)
        if leads is not None:
            steps.append(("revenue views", lambda: self._revenue_views(leads)))
            steps.append(("monthly KPIs", lambda: monthly_section(leads, self.spend)))
            steps.append(("funnel", lambda: funnel_section(leads)))
        steps.append(("paths", lambda: paths_section(js)))
        steps += self._journey_steps(before_kpis=False)
        steps.append(("time to convert", lambda: time_to_convert_section(js)))
        steps.append(("cleaning", lambda: cleaning_section(self.cleaning, js)))
        out = []
        with progress_bar(len(steps), "report", progress=progress) as bar:
            for name, make in steps:
                bar.update(0, label=name)
                out.append(make())
                bar.update()
        return tuple(out)

    def _revenue_views(self, leads: LeadSet) -> Section:
        """Revenue and ROI by recorded source next to each model's credit."""
        return revenue_views_section(self.journeys, leads, self.spend, self.models)

    def _journey_steps(self, *, before_kpis: bool) -> list[tuple[str, Any]]:
        """The sections on credit over time and against last touch (after the credit
        sections), or on how journeys convert (after the top paths)."""
        js, by = self.journeys, self.by[0] if self.by else "channel"
        if before_kpis:
            return [
                ("credit over time", lambda: credit_over_time_section(js, self.models, by=by)),
                ("against last touch", lambda: against_last_touch_section(js, self.models, by=by)),
            ]
        return [
            ("assisted conversions", lambda: assisted_section(js, by=by)),
            ("path length", lambda: path_length_section(js)),
            ("time lag", lambda: time_lag_section(js)),
        ]

    def __repr__(self) -> str:
        names = ", ".join(m.name or type(m).__name__ for m in self.models)
        return (
            f"Report({self.title!r}: {len(self.sections)} sections, {self.journeys.n_journeys:,} "
            f"journeys, models: {names})"
        )

    def html(self) -> str:
        """The whole page as one HTML document (no external resource)."""
        js = self.journeys
        summary = (
            f"{js.n_journeys:,} journeys, {js.n_touches:,} touches, {js.n_conversions:,} "
            f"conversions ({js.target})"
        )
        if self.leads is not None:
            summary += f"; {self.leads.n_leads:,} leads, {self.leads.n_deals:,} deals"
        return render_page(
            {
                "title": self.title,
                "summary": summary,
                "created": self.created.strftime("%Y-%m-%d %H:%M UTC"),
                "models": [repr(m) for m in self.models],
                "sections": self.sections,
                "version": _version(),
            }
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (atomically: a temporary file, then a rename).

        Returns
        -------
        pathlib.Path
            The path written.
        """
        target = Path(path)
        text = self.html()
        with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        return target

    def _repr_html_(self) -> str:
        """The page in a sandboxed frame (its CSS and script stay out of the notebook)."""
        doc = html.escape(self.html(), quote=True)
        return (
            f'<iframe title="{html.escape(self.title, quote=True)}" srcdoc="{doc}" '
            'style="width:100%;height:640px;border:1px solid #ccc" sandbox=allow-scripts>'
            "</iframe>"
        )
