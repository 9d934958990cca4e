"""The report's section on a calibration by experiments: the experiments listed.

Each tested channel with its measured incrementality, its bounds, the calibrated model's
credit and the factor between them; the pooled factor when untested channels take it.
The "Calibrated" column of the credit tables is :mod:`touchcredit.report.calibrated`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from touchcredit.attribution.calibration import Calibration
from touchcredit.attribution.tables import model_label
from touchcredit.core.store import JourneySet
from touchcredit.report.calibrated import amount_format
from touchcredit.report.html import Table, label_text, number
from touchcredit.report.sections import Section

__all__ = ["calibration_section"]


def _factor(v: Any) -> str:
    return number(v, 3)


def calibration_section(calibration: Calibration, journeys: JourneySet, fmt: Any) -> Section:
    """The experiments: measured incrementality, bounds, the model's credit, the factor.

    ``fmt`` formats an amount of the credit tables (used when the calibration's
    measure is theirs).

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
    ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
    >>> cal = tc.attribute(js, "linear").calibrate({"channel": ["b"], "incremental": [0.2]})
    >>> s = calibration_section(cal, js, lambda v: number(v, 1))
    >>> [c.text for c in s.tables[0].rows[0]]
    ['b', '0.2', 'n/a', 'n/a', '0.5', '0.400']
    """
    cal = calibration
    name = model_label(cal.model) if cal.model is not None else "the model"
    show = amount_format(cal, journeys, fmt)
    tested = np.flatnonzero(cal.tested)
    order = tested[np.argsort(-cal.calibrated[tested], kind="stable")]
    rows = [
        [cal.channels[i], cal.calibrated[i], cal.lower[i], cal.upper[i], cal.credited[i]]
        for i in order.tolist()
    ]
    for row, i in zip(rows, order.tolist(), strict=True):
        row.append(cal.factor[i] if cal.credited[i] > 0 else math.nan)
    notes = [
        f"factor: measured / {name}'s credit; n/a where the model credited the channel "
        "nothing. lower, upper: the experiment's bounds (n/a: not given).",
        f"Total {cal.measure}: {show(cal.total)}; calibrated channels {show(cal.calibrated.sum())}"
        f", baseline {show(cal.baseline)}.",
    ]
    if cal.untested == "pooled" and math.isnan(cal.pooled_factor):
        notes.append(
            f"No tested channel has credit from {name}, so there is no pooled factor: "
            "untested channels keep their credit."
        )
    elif cal.untested == "pooled":
        notes.append(
            f"Untested channels are scaled by the pooled factor {_factor(cal.pooled_factor)} "
            f"(from {_factor(cal.pooled_lower)} to {_factor(cal.pooled_upper)}), measured "
            f"over credited on the tested channels {name} credited something."
        )
    lost = tested[(cal.credited[tested] <= 0) & (cal.calibrated[tested] > 0)]
    orphans = [label_text(cal.channels[i]) for i in lost.tolist()]
    if orphans:
        notes.append(
            f"{name} credited {', '.join(orphans)} nothing: no touch carries the measured "
            "credit, so the channel table shows it and the tables by source, campaign or "
            "method leave it in their baseline row."
        )
    table = Table.build(
        "Experiments",
        ["channel", "measured incremental", "lower", "upper", f"{name} credit", "factor"],
        rows,
        [str, show, show, show, show, _factor],
        notes=notes,
    )
    alerts: tuple[str, ...] = ()
    if cal.baseline < 0:
        alerts = (
            "The experiments credit more than the journeys converted (negative baseline): "
            "check that the tests and the journeys measure the same conversions and period.",
        )
    return Section(
        id="calibration",
        title="Calibration by experiments",
        intro=(
            f"Lift tests measure what a channel added. The Calibrated column of the credit "
            f"tables gives each tested channel its measured incrementality in place of "
            f"{name}'s credit; within a channel, sources and campaigns keep the model's "
            "proportions. Trust it only when the tests measured the same period and "
            "conversions as these journeys."
        ),
        tables=(table,),
        alerts=alerts,
    )
