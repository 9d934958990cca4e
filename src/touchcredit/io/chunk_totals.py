"""Which channel totals an out-of-core run shows for a model whose totals no per-conversion
split reaches (Markov), and the note that says so.

A Markov model fitted in the run learned its channel factors on all the chunks together
(``"fitted"``). A model fitted elsewhere gets them from one more pass: every chunk's
model credit (``model.credit``, the attributable total times the channel's share, which
adds up over chunks) and per-conversion split are summed, and
:func:`~touchcredit.attribution.totals.channel_factors` turns the sums into one factor
per channel, so that the chunks' channel totals add up to ``model.credit`` of all the
journeys, as :func:`touchcredit.attribute` shows in memory (``"journeys"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from touchcredit.attribution.results import attribute
from touchcredit.attribution.totals import (
    TOTALS,
    ChannelFactors,
    Measure,
    Reading,
    Totals,
    channel_factors,
)
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel
from touchcredit.models.channel_totals import ChannelTotalsModel

__all__ = [
    "Sums",
    "add_sums",
    "choose_reading",
    "factors_over_chunks",
    "part_sums",
    "reading_notes",
]

_MEASURES: tuple[Measure, ...] = ("value", "conversions")
Label = str | None


def choose_reading(model: AttributionModel, totals: Totals | None, fitted_here: bool) -> Totals:
    """The reading a run uses: ``totals`` when given, else ``"fitted"`` for a model fitted
    in the run and ``"journeys"`` for one fitted elsewhere.

    Raises
    ------
    ValueError
        For an unknown ``totals``.
    """
    if totals is not None and totals not in TOTALS:
        raise ValueError(f"'totals' must be one of {', '.join(TOTALS)}; got {totals!r}")
    if totals is not None:
        return totals
    return "fitted" if fitted_here else "journeys"


Sums = dict[Measure, dict[Label, float]]


def part_sums(js: JourneySet, model: AttributionModel) -> tuple[Sums, Sums]:
    """The model's channel credit (target) and the per-conversion split's channel totals
    (achieved) of one part of the journeys, per measure; both add up over parts.

    Examples
    --------
    >>> from touchcredit.models import MarkovModel
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["a", "b", "a"], conversion_journey_id=[1, 2],
    ...     conversion_time=[2, 1], unit="s")
    >>> target, achieved = part_sums(js, MarkovModel().fit(js))
    >>> round(sum(target["conversions"].values()), 9), sum(achieved["value"].values())
    (2.0, 2.0)
    """
    assert isinstance(model, ChannelTotalsModel)
    table = attribute(js, model, fit=False, totals="per_conversion").by("channel")
    target: Sums = {}
    achieved: Sums = {}
    for what in _MEASURES:
        column = table.value if what == "value" else table.conversions
        achieved[what] = dict(zip(table.labels, column.tolist(), strict=True))
        target[what] = dict(model.credit(js, what))
    return target, achieved


def add_sums(into: Sums, part: Sums) -> None:
    """Add one part's sums to ``into`` (in place)."""
    for what, per_label in part.items():
        out = into.setdefault(what, {})
        for label, v in per_label.items():
            out[label] = out.get(label, 0.0) + v


def factors_over_chunks(
    chunks: Iterator[tuple[JourneySet, Any, int]], model: AttributionModel
) -> ChannelFactors:
    """One pass: the factors that take the chunks' summed per-conversion channel totals
    to the model's summed credit."""
    target: Sums = {}
    achieved: Sums = {}
    for js, _, _ in chunks:
        t, a = part_sums(js, model)
        add_sums(target, t)
        add_sums(achieved, a)
        del js  # not kept alive while the next chunk is read
    return channel_factors(target, achieved)


def reading_notes(
    model: AttributionModel,
    reading: Reading,
    n_chunks: int | None,
    *,
    part: str = "chunk",
    fitted_here: bool = True,
) -> tuple[str, ...]:
    """What a reader of the run's totals should know about them (none for models whose
    per-conversion split reaches their channel totals). ``part`` names the run's parts
    (``"chunk"``, ``"partition"``); ``n_chunks`` counts them (None: not counted);
    ``fitted_here``: the model was fitted in the run."""
    if not isinstance(model, ChannelTotalsModel):
        return ()
    name = type(model).__name__
    if reading == "per_conversion":
        return (
            f"totals='per_conversion': each conversion is split over its own touches, so the "
            f"channel totals may differ from {name}.credit() (the chain's totals, as "
            "channelattribution reports them).",
        )
    if reading == "fitted" and not fitted_here:
        return (
            f"totals='fitted': each touch's credit is multiplied by its channel's factor "
            f"learned when {name} was fitted, so the channel totals are {name}.credit() "
            "only on the journeys it was fitted on; totals='journeys' computes the factors "
            "on these journeys.",
        )
    if reading == "fitted":
        how = f"with the factors it learned in fit, on all the {part}s together"
    elif n_chunks is None:
        how = f"with factors computed over all the {part}s in a first pass"
    else:
        how = f"with factors computed over all {n_chunks} {part}(s) in a first pass"
    notes = [
        f"{name} channel totals are the model's (model.credit() of all the journeys): each "
        f"touch's credit is multiplied by its channel's factor, {how}, so a conversion's "
        "touches need not add up to it; totals='per_conversion' splits each conversion "
        "over its own touches instead."
    ]
    if isinstance(reading, ChannelFactors) and reading.unplaced:
        names = ", ".join("(not recorded)" if c is None else repr(c) for c in reading.unplaced)
        notes.append(
            f"{name} credits channel(s) {names} but no conversion has an eligible touch on "
            "them; their credit is shared by the other channels in proportion to theirs."
        )
    return tuple(notes)
