"""Credit over time, and how far each model is from a baseline model.

:func:`credit_by_period` is :meth:`Attribution.by` with ``period=``: credit per label
and calendar period of the *conversion* (ISO week, month, quarter or year, in the
user's time zone), one bincount over the pairs. :func:`change_against` is
:meth:`Comparison.change`: the relative change of every model's credit against a
baseline model, as Google Analytics' model comparison tool shows it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.grouping import local_days
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.pairs import Pairs
from touchcredit.core.time import TimeZoneLike

if TYPE_CHECKING:
    from touchcredit.attribution.tables import Comparison

__all__ = ["PERIODS", "change_against", "credit_by_period", "period_codes"]


#: Calendar periods of :meth:`Attribution.by`.
PERIODS: tuple[str, ...] = ("week", "month", "quarter", "year")
_EPOCH = dt.date(1970, 1, 1)


def period_codes(
    times: npt.NDArray[np.datetime64],
    period: str,
    tz: TimeZoneLike = "UTC",
    *,
    fill: bool = False,
) -> tuple[IntArray, list[str]]:
    """Index of every instant's calendar period in ``tz``, and the periods' names.

    Names: ``"2024-01"`` (month), ``"2024-Q1"`` (quarter), ``"2024-W03"`` (ISO week,
    Monday to Sunday), ``"2024"`` (year). Periods are numbered in time order: only
    those that occur, or with ``fill=True`` every period from the first to the last
    (the empty ones too).

    Examples
    --------
    >>> t = np.array(["2024-01-31T23:30", "2024-04-01T00:30"], dtype="datetime64[us]")
    >>> period_codes(t, "month", "Europe/Paris")
    (array([0, 1]), ['2024-02', '2024-04'])
    >>> period_codes(t, "month", "Europe/Paris", fill=True)
    (array([0, 2]), ['2024-02', '2024-03', '2024-04'])
    >>> period_codes(t, "quarter")[1], period_codes(t, "week")[1]
    (['2024-Q1', '2024-Q2'], ['2024-W05', '2024-W14'])
    >>> period_codes(np.array(["2024-12-31T23:30"], dtype="datetime64[us]"), "year", "Asia/Tokyo")
    (array([0]), ['2025'])
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    days = local_days(times, tz).view(np.int64)
    if days.size == 0:
        return np.zeros(0, dtype=np.int64), []
    lo = int(days.min())
    span = int(days.max()) - lo + 1
    if span > 4 * days.size + 100_000:  # a few conversions spread over many years
        raw = _raw(days, period)
        if fill:
            first = int(raw.min())
            names = [_name(c, period) for c in range(first, int(raw.max()) + 1)]
            return (raw - first).astype(np.int64), names
        uniq, inverse = np.unique(raw, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64), [_name(int(c), period) for c in uniq]
    # The period of every day of the covered range (a small table), then one gather.
    per_day = _raw(np.arange(lo, lo + span, dtype=np.int64), period)
    per_day -= per_day[0]  # nondecreasing from 0
    of_conversion = per_day[days - lo]
    first = int(_raw(np.array([lo]), period)[0])
    if fill:
        names = [_name(first + c, period) for c in range(int(per_day[-1]) + 1)]
        return of_conversion.astype(np.int64), names
    used = np.bincount(of_conversion, minlength=int(per_day[-1]) + 1) > 0
    rank = np.cumsum(used) - 1
    names = [_name(first + int(c), period) for c in np.flatnonzero(used)]
    return rank[of_conversion].astype(np.int64), names


def _raw(days: IntArray, period: str) -> IntArray:
    """Period number of days since 1970-01-01 (weeks from Monday 1969-12-29)."""
    if period == "week":
        # 1970-01-01 was a Thursday: day d is in Monday-based week (d + 3) // 7
        out: IntArray = (days + 3) // 7
        return out
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    if period == "month":
        return months
    years: IntArray = months // 12
    return months // 3 if period == "quarter" else years


def _name(code: int, period: str) -> str:
    if period == "year":
        return str(1970 + code)
    if period == "month":
        return str(np.datetime64(code, "M"))
    if period == "quarter":
        return f"{1970 + code // 4}-Q{code % 4 + 1}"
    year, week, _ = (_EPOCH + dt.timedelta(days=code * 7)).isocalendar()  # its Thursday
    return f"{year}-W{week:02d}"


def credit_by_period(
    *,
    pairs: Pairs,
    pair_label: npt.NDArray[Any],
    labels: list[str | None],
    pair_credit: FloatArray,
    conversion_weights: FloatArray,
    conversion_time: npt.NDArray[np.datetime64],
    conversion_value: FloatArray,
    dimension: str,
    period: str,
    tz: TimeZoneLike,
    title: str,
    currency: str | None,
) -> MetricTable:
    """Credit per period and label; the unattributed value of each period in its own row.

    ``pair_label`` indexes ``labels`` (length W). The rows of a period add up to the
    value of the conversions in it.
    """
    code, names = period_codes(conversion_time, period, tz)
    n_p, width = len(names), len(labels) + 1  # the last slot: unattributed
    key = np.repeat(code * width, pairs.length)  # each pair's period slot...
    key += pair_label  # ...plus its label
    size = n_p * width
    value = np.bincount(key, weights=pair_credit, minlength=size).astype(np.float64)
    conv = np.bincount(key, weights=conversion_weights, minlength=size).astype(np.float64)
    empty = pairs.length == 0
    lost = code[empty] * width + (width - 1)
    value += np.bincount(lost, weights=conversion_value[empty], minlength=size)
    conv += np.bincount(lost, minlength=size)
    keep = np.flatnonzero((value != 0) | (conv != 0))
    p, lab = np.divmod(keep, width)
    totals = np.bincount(code, weights=conversion_value, minlength=n_p)
    period_col = np.empty(keep.size, dtype=object)
    period_col[:] = [names[i] for i in p.tolist()]
    label_col = np.empty(keep.size, dtype=object)
    table = [*labels, "unattributed"]
    label_col[:] = [table[i] for i in lab.tolist()]
    notes: list[str] = []
    share = np.full(keep.size, np.nan)
    ok = totals[p] != 0
    share[ok] = value[keep][ok] / totals[p][ok]
    if not ok.all():
        notes.append("share is undefined (NaN) in periods whose conversions have no value")
    if empty.any():
        notes.append("unattributed: the value of conversions without an eligible touch")
    notes.append(f"periods: calendar {period}s of the conversion time in {tz}")
    data = {
        "period": period_col,
        dimension: label_col,
        "value": value[keep],
        "conversions": conv[keep],
        "share": share,
    }
    return MetricTable(
        title, data, ("period", dimension), ("share",), tuple(notes), currency=currency
    )


def change_against(comparison: Comparison, baseline: str) -> MetricTable:
    """The relative change of every model's credit against ``baseline`` (-1.0 = -100 %)."""
    names = comparison.names
    if baseline not in names:
        raise ValueError(
            f"baseline {baseline!r} is not among the compared models ({', '.join(names)}); "
            f"compare it too, e.g. compare(journeys, [{baseline!r}, ...])"
        )
    b = names.index(baseline)
    values = comparison.values
    rows: list[str | None] = list(comparison.labels)
    if bool(np.any(comparison.unattributed != 0)):
        values = np.vstack([values, comparison.unattributed[None, :]])
        rows.append("unattributed")
    base = values[:, b]
    label_col = np.empty(len(rows), dtype=object)
    label_col[:] = rows
    data: dict[str, npt.NDArray[Any]] = {comparison.by: label_col, baseline: base}
    reasons: dict[str, list[str | None]] = {}
    zero = base == 0
    for j, name in enumerate(names):
        if j == b:
            continue
        col = np.full(base.size, np.nan)
        np.divide(values[:, j] - base, base, out=col, where=~zero)
        data[f"{name} change"] = col
        if zero.any():
            reasons[f"{name} change"] = [
                ("new credit" if values[i, j] > 0 else "no credit") if zero[i] else None
                for i in range(base.size)
            ]
    notes = [f"change: (model - {baseline}) / {baseline}; -100 % = no credit left"]
    if zero.any():
        notes.append(f"change is undefined (n/a) where {baseline} gives no credit")
    percent = tuple(k for k in data if k.endswith(" change"))
    title = f"Credit by {comparison.by}: change against {baseline}"
    return MetricTable(title, data, (comparison.by,), percent, tuple(notes), reasons=reasons)
