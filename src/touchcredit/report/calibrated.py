"""The "Calibrated" column of the report's credit tables.

A :class:`~touchcredit.attribution.calibration.Calibration` (from
:meth:`Attribution.calibrate <touchcredit.Attribution.calibrate>`) puts a "Calibrated"
column next to the calibrated model's column in every credit table whose dimension it
can drill into (channel, source, campaign, method), with a ``baseline`` row: what no
channel is credited with. The experiments themselves are listed by
:mod:`touchcredit.report.calibration`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from touchcredit.attribution.calibration import Calibration
from touchcredit.attribution.tables import Comparison, model_label
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel
from touchcredit.report.html import Cell, Table, cell, number, percent

__all__ = ["amount_format", "calibrated_column", "model_index", "with_calibrated"]

#: The text of a cell that has no value in its column (the baseline under a model).
EMPTY = "—"


def model_index(models: Sequence[AttributionModel], calibration: Calibration) -> int:
    """Which of ``models`` made the calibrated credit (the same object, else the same repr).

    Raises
    ------
    ValueError
        When the calibration does not record its model, or none of ``models`` is it.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
    ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
    >>> cal = tc.attribute(js, "linear").calibrate({"channel": ["b"], "incremental": [0.2]})
    >>> model_index([tc.models.get("last_touch"), tc.models.get("linear")], cal)
    1
    """
    model = calibration.model
    if model is None:
        raise ValueError(
            "'calibration' does not record its model; make it with "
            "attribute(journeys, model).calibrate(experiments)"
        )
    for i, m in enumerate(models):
        if m is model:
            return i
    for i, m in enumerate(models):
        if repr(m) == repr(model):
            return i
    raise ValueError(
        f"'calibration' calibrates {model_label(model)!r} ({model!r}), which is not among "
        f"the report's models ({', '.join(map(model_label, models))})"
    )


def _same_unit(calibration: Calibration, journeys: JourneySet) -> bool:
    """Whether the calibrated numbers are in the unit of the credit tables (value)."""
    values = journeys.conversion_value
    return calibration.measure == "value" or bool(np.all(values == 1.0))


def calibrated_column(calibration: Calibration, journeys: JourneySet) -> str:
    """The heading of the column: "Calibrated", with its unit when the tables' differs."""
    if _same_unit(calibration, journeys):
        return "Calibrated"
    return f"Calibrated ({calibration.measure})"


def amount_format(calibration: Calibration, journeys: JourneySet, fmt: Any) -> Any:
    """How a calibrated amount reads: as the tables' credit, or as a count."""
    return fmt if _same_unit(calibration, journeys) else (lambda v: number(v, 1))


def with_calibrated(
    table: Table,
    labels: Sequence[Any],
    cmp: Comparison,
    calibration: Calibration,
    journeys: JourneySet,
    fmt: Any,
) -> Table:
    """``table`` (a credit table of ``cmp``) with a Calibrated column and a baseline row.

    ``labels`` are the labels of the table's first rows, in their order; a last row
    beyond them is the unattributed one, which the calibration counts in its baseline.
    Tables of a dimension the calibration cannot drill into come back unchanged.
    """
    if cmp.by not in DIMENSIONS:
        return table
    if cmp.by == "channel":  # exactly the calibration's channel totals
        values, baseline = calibration.to_dict(), calibration.baseline
    else:
        by = calibration.by(cmp.by)
        names = by[cmp.by].tolist()[:-1]  # the last row is the baseline
        values = dict(zip(names, by["calibrated"].tolist()[:-1], strict=True))
        baseline = float(by["calibrated"][-1])
    at = 1 + model_index(cmp.models, calibration)
    show = amount_format(calibration, journeys, fmt)
    total = calibration.total

    def amount(v: float) -> Cell:
        share = v / total if total else math.nan
        return Cell(f"{show(v)} ({percent(share)})", float(v))

    empty = Cell(EMPTY, math.nan)
    rows = [
        _insert(row, at, amount(values.get(labels[i], 0.0)) if i < len(labels) else empty)
        for i, row in enumerate(table.rows)
    ]
    baseline_row = (cell("baseline"), *([empty] * (len(table.columns) - 1)))
    rows.append(_insert(baseline_row, at, amount(baseline)))
    heading = calibrated_column(calibration, journeys)
    return Table(
        table.caption,
        _insert(table.columns, at, heading),
        _insert(table.numeric, at, True),
        tuple(rows),
        (*table.notes, _note(calibration, cmp.names[at - 1])),
    )


def _insert(row: tuple[Any, ...], at: int, new: Any) -> tuple[Any, ...]:
    """``row`` with ``new`` right after its item ``at``."""
    return (*row[: at + 1], new, *row[at + 1 :])


def _note(calibration: Calibration, name: str) -> str:
    n = int(calibration.tested.sum())
    rest = "untested channels keep their credit"
    if calibration.untested == "pooled" and math.isnan(calibration.pooled_factor):
        rest = "no tested channel has credit to pool, so untested channels keep their credit"
    elif calibration.untested == "pooled":
        pooled = number(calibration.pooled_factor, 3)
        rest = f"untested channels are scaled by the pooled factor {pooled}"
    return (
        f"Calibrated: {name}'s {calibration.measure} credit calibrated by {n} experiment"
        f"{'' if n == 1 else 's'} (tested channels take their measured incrementality; {rest}). "
        "baseline: what no channel is credited with (conversions that would have happened "
        "anyway, and those without an eligible touch, the unattributed row included)."
    )
