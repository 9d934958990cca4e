"""Drift: a model refitted per calendar period, each label's share with its interval.

:func:`compare_periods` splits the journeys by the calendar period of their conversions
(a journey converting in two quarters takes part in both, each time with that quarter's
conversions only; a journey that never converts belongs to the period of its last
touch), fits the model anew on each period and bootstraps it, and reports every
label's share of the period's credit with a percentile interval and the change of that
share since the latest earlier period with credit, named in the ``compared_with``
column. Every calendar period from the first to the last is a row, the empty ones too:
a period with no conversions (or none credited) has no shares, says why, and is never
the base of a change.
"""

from __future__ import annotations

from typing import Literal

import attrs
import numpy as np

from touchcredit.attribution.periods import period_codes
from touchcredit.attribution.uncertainty import Bootstrap, bootstrap
from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeZoneLike
from touchcredit.models.base import AttributionModel, get

__all__ = ["compare_periods", "period_journeys"]

_CONVERSION_FIELDS = (
    "conversion_journey",
    "conversion_time",
    "conversion_value",
    "lead_created_at",
    "opportunity_created_at",
    "closed_at",
    "conversion_row",
)
#: Periods named one by one in a note; more are counted.
_LISTED = 12
_NO_CONVERSIONS = "no conversions"
_NO_CREDIT = "no credit"


def period_journeys(
    journeys: JourneySet, period: str = "quarter", tz: TimeZoneLike = "UTC"
) -> tuple[list[str], list[JourneySet]]:
    """The journeys of each calendar period, in time order, with that period's conversions.

    Every period from the first to the last is listed, those with nothing in them as an
    empty JourneySet. A journey that never converts belongs to the period of its last
    touch.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=["2024-01-02", "2024-07-02", "2024-02-01",
    ...     "2024-08-01"], channel=["a", "b", "a", "c"], conversion_journey_id=[1, 1],
    ...     conversion_time=["2024-01-05", "2024-07-05"])
    >>> names, parts = period_journeys(js)
    >>> names, [p.n_conversions for p in parts], [p.journey_ids.tolist() for p in parts]
    (['2024-Q1', '2024-Q2', '2024-Q3'], [1, 0, 1], [[1, 2], [], [1, 3]])
    """
    n = journeys.n_journeys
    last_touch = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    has = journeys.lengths > 0
    last_touch[has] = journeys.timestamp[journeys.offsets[1:][has] - 1]
    idle = np.flatnonzero(~journeys.converting & has)
    times = np.concatenate([journeys.conversion_time, last_touch[idle]])
    codes, names = period_codes(times, period, tz, fill=True)
    conv_code, idle_code = codes[: journeys.n_conversions], codes[journeys.n_conversions :]
    # the conversions (and idle journeys) of every period: one stable sort, then slices
    conv_order = np.argsort(conv_code, kind="stable")
    conv_bounds = np.searchsorted(conv_code[conv_order], np.arange(len(names) + 1))
    idle_order = np.argsort(idle_code, kind="stable")
    idle_bounds = np.searchsorted(idle_code[idle_order], np.arange(len(names) + 1))
    parts = []
    for p in range(len(names)):
        keep = conv_order[conv_bounds[p] : conv_bounds[p + 1]]
        masked = attrs.evolve(
            journeys, **{f: getattr(journeys, f)[keep] for f in _CONVERSION_FIELDS}
        )
        idle_here = idle[idle_order[idle_bounds[p] : idle_bounds[p + 1]]]
        chosen: IntArray = np.union1d(journeys.conversion_journey[keep], idle_here)
        parts.append(masked.select(chosen))
    return names, parts


@attrs.define
class _Rows:
    """The table's columns, per-cell reasons and notes, filled one period at a time."""

    categories: list[str | None]
    columns: dict[str, list[object]]
    reasons: dict[str, list[str | None]]
    empty: list[str] = attrs.Factory(list)  # periods without conversions
    uncredited: list[str] = attrs.Factory(list)  # with conversions, nothing credited
    partly: list[str] = attrs.Factory(list)  # some conversions without an eligible touch
    left_out: list[str] = attrs.Factory(list)  # some resamples credited nothing
    valueless: bool = False  # a period's eligible conversions carry no value
    previous: tuple[str, dict[str | None, float]] | None = None  # latest credited period

    @classmethod
    def new(cls, categories: list[str | None], by: str) -> _Rows:
        keys = ("period", by, "period_conversions", "credit", "share", "share_lower")
        cols = (*keys, "share_upper", "change", "compared_with")
        reasons = ("share", "share_lower", "share_upper", "change")
        return cls(categories, {k: [] for k in cols}, {k: [] for k in reasons})

    def _add(self, values: tuple[object, ...], why: tuple[str | None, ...]) -> None:
        for col, v in zip(self.columns.values(), values, strict=True):
            col.append(v)
        for reason, w in zip(self.reasons.values(), why, strict=True):
            reason.append(w)

    def without_credit(self, name: str, n_conv: int, no_touch: int) -> None:
        """A period with nothing credited: credit 0 for every label, no shares, no change."""
        if n_conv == 0:
            self.empty.append(name)
        else:
            self.uncredited.append(f"{name} ({no_touch} of {n_conv} without an eligible touch)")
            self.valueless |= no_touch < n_conv
        why = _NO_CONVERSIONS if n_conv == 0 else _NO_CREDIT
        nan = float("nan")
        for lab in self.categories:
            self._add((name, lab, n_conv, 0.0, nan, nan, nan, nan, ""), (why,) * 4)

    def credited(self, name: str, n_conv: int, no_touch: int, b: Bootstrap) -> None:
        """A period with credit: shares, intervals, and the change since ``previous``."""
        if no_touch:
            self.partly.append(f"{name} ({no_touch} of {n_conv})")
        before = {} if self.previous is None else self.previous[1]
        # the 'not recorded' label where it has credit now or had it in the base period
        missing = None in b.labels and bool(b.estimate[b.labels.index(None)])
        shown = [*self.categories, *([None] if missing or None in before else [])]
        s = _shares(b, shown)
        if s.left_out:
            self.left_out.append(f"{name} ({s.left_out} of {b.n})")
        for k, lab in enumerate(s.labels):
            share = float(s.share[k])
            no_interval = "no resample with credit" if np.isnan(s.lower[k]) else None
            if self.previous is None:
                change, compared, first = float("nan"), "", "no earlier credit"
            else:
                change, compared, first = share - before.get(lab, 0.0), self.previous[0], None
            interval = (float(s.lower[k]), float(s.upper[k]))
            values = (name, lab, n_conv, float(s.credit[k]), share, *interval, change, compared)
            self._add(values, (None, no_interval, no_interval, first))
        self.previous = (name, dict(zip(s.labels, s.share.tolist(), strict=True)))

    def notes(self, period: str, tz: TimeZoneLike) -> tuple[str, ...]:
        notes = [
            "change: the share minus the label's share in the period named in "
            "compared_with (the latest earlier period with credit), in percentage points; "
            "n/a in the first period with credit and in periods without credit.",
        ]
        if self.empty:
            notes.append(f"no conversions in {_listed(self.empty)}: no shares, no change.")
        if self.uncredited:
            why = "; its conversions with an eligible touch have no value" * self.valueless
            notes.append(f"nothing credited in {_listed(self.uncredited)}: no shares{why}.")
        if self.partly:
            notes.append(
                "conversions without an eligible touch, outside the shares: "
                f"{_listed(self.partly)}."
            )
        if self.left_out:
            notes.append(
                "resamples that credited nothing are left out of the share intervals: "
                f"{_listed(self.left_out)}."
            )
        notes.append(
            f"periods: every calendar {period} of the conversion time in {tz} from the "
            "first to the last, the empty ones too."
        )
        return tuple(notes)


@attrs.frozen
class _Shares:
    """One credited period: every shown label's credit, share and share interval (a
    label the period's journeys lack has credit 0)."""

    labels: list[str | None]
    credit: FloatArray
    share: FloatArray
    lower: FloatArray
    upper: FloatArray
    left_out: int  # resamples that credited nothing (no share to take a percentile of)


def _shares(b: Bootstrap, shown: list[str | None]) -> _Shares:
    """Shares of the point estimate, and their percentile interval over the resamples
    that credited something (a resample crediting nothing has no shares)."""
    index = {lab: i for i, lab in enumerate(b.labels)}
    credit = np.zeros(len(shown))
    samples = np.zeros((b.n, len(shown)))  # a label the period lacks has credit 0
    for k, lab in enumerate(shown):
        if lab in index:
            credit[k], samples[:, k] = b.estimate[index[lab]], b.samples[:, index[lab]]
    sample_total = b.samples.sum(axis=1)
    ok = sample_total > 0
    alpha = (1.0 - b.ci) / 2.0
    lower = upper = np.full(len(shown), np.nan)
    if ok.any():
        shares = samples[ok] / sample_total[ok, None]
        lower, upper = np.quantile(shares, [alpha, 1.0 - alpha], axis=0)
    left_out = int(np.count_nonzero(~ok))
    return _Shares(shown, credit, credit / float(b.estimate.sum()), lower, upper, left_out)


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown if len(items) <= _LISTED else f"{shown} and {len(items) - _LISTED} more"


def compare_periods(
    journeys: JourneySet,
    model: AttributionModel | str,
    period: str = "quarter",
    *,
    by: str = "channel",
    n: int = 200,
    seed: int = 0,
    ci: float = 0.95,
    tz: TimeZoneLike = "UTC",
    what: Literal["value", "conversions"] = "value",
) -> MetricTable:
    """Refit ``model`` per calendar period and report each label's share, its bootstrap
    interval, and its change since the latest earlier period with credit.

    Parameters
    ----------
    journeys : JourneySet
    model : AttributionModel or str
        The model (data-driven models are fitted anew on each period's journeys).
    period : {"week", "month", "quarter", "year"}
        Calendar period of the conversion time in ``tz``, named as by
        :meth:`Attribution.by` (``"2024-W03"``, ``"2024-01"``, ``"2024-Q1"``, ``"2024"``).
    by : str
        Label column (``"channel"``, ``"source"``...).
    n, seed, ci
        Bootstrap resamples per period, their seed and the interval level
        (:func:`touchcredit.bootstrap`).
    tz : str or tzinfo
        Zone of the calendar periods.
    what : {"value", "conversions"}
        Shares of the credited value, or of the credited conversions.

    Returns
    -------
    MetricTable
        One row per period and label, every period from the first to the last (the
        empty ones too): ``period_conversions`` (the period's conversions), ``credit``
        (the point estimate), ``share`` of the period's credited total,
        ``share_lower``/``share_upper`` (percentiles of the share over the resamples),
        ``change`` (share minus the label's share in the period named in
        ``compared_with``: the latest earlier period with credit; ``""`` and
        ``change`` n/a where there is none). A period without credit (no conversions,
        or none with an eligible touch) has credit 0, shares n/a with the reason, and
        the notes name it.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 2, 3, 4], channel=["a", "b", "a", "a"],
    ...     timestamp=["2024-01-02", "2024-01-03", "2024-07-02", "2024-07-03"],
    ...     conversion_journey_id=[1, 2, 3, 4],
    ...     conversion_time=["2024-01-05", "2024-01-06", "2024-07-05", "2024-07-06"])
    >>> t = compare_periods(js, "last_touch", n=20)
    >>> t["period"].tolist(), t["channel"].tolist(), t["share"].tolist()[::2]
    (['2024-Q1', '2024-Q1', '2024-Q2', '2024-Q2', '2024-Q3', '2024-Q3'], ['a', 'b', 'a', \
'b', 'a', 'b'], [0.5, nan, 1.0])
    >>> t["change"].tolist()[4:], t["compared_with"].tolist()[4:]
    ([0.5, -0.5], ['2024-Q1', '2024-Q1'])
    """
    proto = get(model) if isinstance(model, str) else model
    names, parts = period_journeys(journeys, period, tz)
    rows = _Rows.new(list(journeys.dimension(by).categories), by)
    for name, part in zip(names, parts, strict=True):
        n_conv = part.n_conversions
        no_touch = int(np.count_nonzero(proto.pairs(part).length == 0))
        b = None
        if no_touch < n_conv:
            b = bootstrap(part, proto, n=n, seed=seed, by=by, ci=ci, what=what)
        if b is None or not float(b.estimate.sum()) > 0:
            rows.without_credit(name, n_conv, no_touch)
        else:
            rows.credited(name, n_conv, no_touch, b)
    data = {
        k: np.array(v, dtype=object if k in ("period", by, "compared_with") else None)
        for k, v in rows.columns.items()
    }
    return MetricTable(
        f"Share of credit by {by} and {period}, refitted per {period} "
        f"({proto.name or type(proto).__name__}, {ci:.0%} bootstrap intervals, n={n})",
        data,
        key=("period", by),
        percent=("share", "share_lower", "share_upper", "change"),
        notes=rows.notes(period, tz),
        reasons=rows.reasons,
        currency=journeys.currency if what == "value" else None,
    )
