"""The unit of epoch-number time columns on Spark, decided once per column on the driver.

A numeric time column (epoch seconds, milliseconds, microseconds as GA4's
``event_timestamp``, nanoseconds) is read in the ``unit=`` the caller gives, or else in the
one unit that puts the column's smallest and largest values in 1990–2100 (the house rule
of :mod:`touchcredit.core.time.epochs`), found with one aggregate Spark job per input (a
given unit is checked against the same range: numbers it cannot read as times stop the
run on the driver, naming the column, not inside a Spark task).
Deciding on the driver keeps every partition in the same unit: a partition on its own
could not tell 1.7e9 seconds from 1.7e9 of anything else. The layout carries the unit in
the column's kind (``"epoch:us"``); a bare ``"epoch"`` reads seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from touchcredit.core.time import EPOCH_UNITS, epoch_unit, to_datetime64
from touchcredit.io.spark.stream import Layout

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["epoch_kinds", "unit_of_kind"]


def unit_of_kind(kind: str) -> str:
    """The epoch unit of a layout kind (``"epoch:ms"`` -> ``"ms"``; ``"epoch"``: seconds).

    Examples
    --------
    >>> unit_of_kind("epoch:us"), unit_of_kind("epoch")
    ('us', 's')
    """
    return kind.partition(":")[2] or "s"


def _range_unit(low: Any, high: Any, column: str, what: str) -> str:
    """The one unit putting both ends of a column's range in 1990-2100."""
    if low is None:  # every value null (an unused milestone): any unit reads it
        return "s"
    try:
        lo: str = epoch_unit([low], field=column)
        hi: str = epoch_unit([high], field=column)
    except ValueError:
        lo = hi = ""
    if lo and lo == hi:
        return lo
    raise ValueError(
        f"column {column!r} of the {what} holds epoch numbers from {low} to {high}, which no "
        f"one unit of {', '.join(EPOCH_UNITS)} puts in 1990-2100; pass unit= (the unit of "
        "every numeric time column)"
    )


def _readable(low: Any, high: Any, unit: str, column: str, what: str) -> str:
    """``unit``, after checking that the column's range reads as times in it."""
    if low is not None:
        try:
            to_datetime64(np.array([low, high], dtype=np.float64), field=column, unit=unit)
        except (ValueError, OverflowError) as exc:
            raise ValueError(
                f"column {column!r} of the {what} holds epoch numbers from {low} to {high}, "
                f"which are not times in unit={unit!r}: {exc}"
            ) from None
    return unit


def _units(df: DataFrame, names: list[str], what: str, unit: str | None) -> dict[str, str]:
    """One aggregate job: each column's unit from its minimum and maximum (``unit``, when
    given, checked against them)."""
    from pyspark.sql import functions as F

    if not names:
        return {}
    lows = [F.min(F.col(n)).alias(f"lo_{i}") for i, n in enumerate(names)]
    highs = [F.max(F.col(n)).alias(f"hi_{i}") for i, n in enumerate(names)]
    row = df.agg(*lows, *highs).collect()[0]
    ends = [(n, row[f"lo_{i}"], row[f"hi_{i}"]) for i, n in enumerate(names)]
    if unit is None:
        return {n: _range_unit(lo, hi, n, what) for n, lo, hi in ends}
    return {n: _readable(lo, hi, unit, n, what) for n, lo, hi in ends}


def epoch_kinds(
    layout: Layout, df: DataFrame, conversions: DataFrame | None, unit: str | None
) -> Layout:
    """``layout`` with every ``"epoch"`` kind made ``"epoch:<unit>"``: ``unit`` when given
    (checked against each column's range), else each column's own unit (one aggregate job
    per input that has epoch columns)."""
    conv_cols = [(i, k) for _, i, k in layout.milestones]
    if layout.conv_time is not None:
        conv_cols.append((layout.conv_time, layout.conv_time_kind))
    conv_epochs = [i for i, k in conv_cols if k == "epoch"]
    touch_name = layout.touch_columns[layout.time]
    touch_epochs = [touch_name] if layout.time_kind == "epoch" else []
    touch_units = _units(df, touch_epochs, "touches", unit)
    names = sorted({layout.conv_columns[i] for i in conv_epochs})
    conv_units = {} if conversions is None else _units(conversions, names, "conversions", unit)

    def kind(k: str, name: str, units: dict[str, str]) -> str:
        return f"epoch:{units[name]}" if k == "epoch" else k

    return attrs.evolve(
        layout,
        time_kind=kind(layout.time_kind, touch_name, touch_units),
        conv_time_kind=(
            layout.conv_time_kind
            if layout.conv_time is None
            else kind(layout.conv_time_kind, layout.conv_columns[layout.conv_time], conv_units)
        ),
        milestones=tuple(
            (role, i, kind(k, layout.conv_columns[i], conv_units))
            for role, i, k in layout.milestones
        ),
    )
