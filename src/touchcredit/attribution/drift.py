"""Drift: a model refitted per calendar period, each label's share with its interval.

:func:`compare_periods` splits the journeys by the calendar period of their conversions
(a journey converting in two quarters takes part in both, each time with that quarter's
conversions only; a journey that never converts belongs to the period of its last
touch), fits the model anew on each period and bootstraps it, and reports every
label's share of the period's credit with a percentile interval and the change of that
share since the period before.
"""

from __future__ import annotations

from typing import Literal

import attrs
import numpy as np

from touchcredit.attribution.periods import period_codes
from touchcredit.attribution.uncertainty import bootstrap
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


def period_journeys(
    journeys: JourneySet, period: str = "quarter", tz: TimeZoneLike = "UTC"
) -> tuple[list[str], list[JourneySet]]:
    """The journeys of each calendar period, in time order, with that period's conversions.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=["2024-01-02", "2024-04-02", "2024-02-01",
    ...     "2024-05-01"], channel=["a", "b", "a", "c"], conversion_journey_id=[1, 1],
    ...     conversion_time=["2024-01-05", "2024-04-05"])
    >>> names, parts = period_journeys(js)
    >>> names, [p.n_conversions for p in parts], [p.journey_ids.tolist() for p in parts]
    (['2024-Q1', '2024-Q2'], [1, 1], [[1, 2], [1, 3]])
    """
    n = journeys.n_journeys
    last_touch = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    has = journeys.lengths > 0
    last_touch[has] = journeys.timestamp[journeys.offsets[1:][has] - 1]
    converting = journeys.converting
    idle = np.flatnonzero(~converting & has)
    times = np.concatenate([journeys.conversion_time, last_touch[idle]])
    codes, names = period_codes(times, period, tz)
    conv_code, idle_code = codes[: journeys.n_conversions], codes[journeys.n_conversions :]
    parts = []
    for p in range(len(names)):
        keep = np.flatnonzero(conv_code == p)
        masked = attrs.evolve(
            journeys, **{f: getattr(journeys, f)[keep] for f in _CONVERSION_FIELDS}
        )
        chosen: IntArray = np.union1d(journeys.conversion_journey[keep], idle[idle_code == p])
        parts.append(masked.select(chosen))
    return names, parts


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
    interval, and its change since the period before.

    Parameters
    ----------
    journeys : JourneySet
    model : AttributionModel or str
        The model (data-driven models are fitted anew on each period's journeys).
    period : {"week", "month", "quarter"}
        Calendar period of the conversion time in ``tz``.
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
        One row per period and label: ``credit`` (the point estimate), ``share`` of the
        period's credited total, ``share_lower``/``share_upper`` (percentiles of the
        share over the resamples), ``change`` (share minus the label's share in the
        period before; NaN in the first period).

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 2, 3, 4], channel=["a", "b", "a", "a"],
    ...     timestamp=["2024-01-02", "2024-01-03", "2024-04-02", "2024-04-03"],
    ...     conversion_journey_id=[1, 2, 3, 4],
    ...     conversion_time=["2024-01-05", "2024-01-06", "2024-04-05", "2024-04-06"])
    >>> t = compare_periods(js, "last_touch", n=20)
    >>> t["period"].tolist(), t["channel"].tolist(), t["share"].tolist()
    (['2024-Q1', '2024-Q1', '2024-Q2', '2024-Q2'], ['a', 'b', 'a', 'b'], [0.5, 0.5, 1.0, 0.0])
    >>> t["change"].tolist()[2:]
    [0.5, -0.5]
    """
    proto = get(model) if isinstance(model, str) else model
    names, parts = period_journeys(journeys, period, tz)
    categories = list(journeys.dimension(by).categories)
    labels: list[str | None] = [*categories, None]
    rows_period: list[str] = []
    rows_label: list[str | None] = []
    columns: dict[str, list[float]] = {k: [] for k in ("credit", "share", "lo", "hi", "change")}
    previous: dict[str | None, float] = {}
    for name, part in zip(names, parts, strict=True):
        b = bootstrap(part, proto, n=n, seed=seed, by=by, ci=ci, what=what)
        index = {lab: i for i, lab in enumerate(b.labels)}
        total = float(b.estimate.sum())
        sample_total = b.samples.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares: FloatArray = b.samples / sample_total
        alpha = (1.0 - ci) / 2.0
        current: dict[str | None, float] = {}
        for lab in labels:
            i = index.get(lab)
            if i is None or (lab is None and not b.estimate[i]):
                continue
            credit = float(b.estimate[i])
            share = credit / total if total else float("nan")
            lo, hi = np.nanquantile(shares[:, i], [alpha, 1.0 - alpha]) if n else (np.nan,) * 2
            rows_period.append(name)
            rows_label.append(lab)
            columns["credit"].append(credit)
            columns["share"].append(share)
            columns["lo"].append(float(lo))
            columns["hi"].append(float(hi))
            columns["change"].append(share - previous[lab] if lab in previous else float("nan"))
            current[lab] = share
        previous = current
    table = {
        "period": np.array(rows_period, dtype=object),
        by: np.array(rows_label, dtype=object),
        "credit": np.array(columns["credit"], dtype=np.float64),
        "share": np.array(columns["share"], dtype=np.float64),
        "share_lower": np.array(columns["lo"], dtype=np.float64),
        "share_upper": np.array(columns["hi"], dtype=np.float64),
        "change": np.array(columns["change"], dtype=np.float64),
    }
    return MetricTable(
        f"Share of credit by {by} and {period}, refitted per {period} "
        f"({proto.name or type(proto).__name__}, {ci:.0%} bootstrap intervals, n={n})",
        table,
        key=("period", by),
        percent=("share", "share_lower", "share_upper", "change"),
        notes=(
            "change: the share minus the label's share in the period before, in "
            "percentage points (n/a in the first period).",
        ),
        currency=journeys.currency if what == "value" else None,
    )
