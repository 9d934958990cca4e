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

__all__ = ["choose_reading", "factors_over_chunks", "reading_notes"]

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


def factors_over_chunks(
    chunks: Iterator[tuple[JourneySet, Any, int]], model: AttributionModel
) -> ChannelFactors:
    """One pass: the factors that take the chunks' summed per-conversion channel totals
    to the model's summed credit."""
    assert isinstance(model, ChannelTotalsModel)
    target: dict[Measure, dict[Label, float]] = {m: {} for m in _MEASURES}
    achieved: dict[Measure, dict[Label, float]] = {m: {} for m in _MEASURES}
    for js, _, _ in chunks:
        table = attribute(js, model, fit=False, totals="per_conversion").by("channel")
        for what in _MEASURES:
            column = table.value if what == "value" else table.conversions
            for label, v in zip(table.labels, column.tolist(), strict=True):
                achieved[what][label] = achieved[what].get(label, 0.0) + v
            for label, v in model.credit(js, what).items():
                target[what][label] = target[what].get(label, 0.0) + v
        del js, table  # not kept alive while the next chunk is read
    return channel_factors(target, achieved)


def reading_notes(model: AttributionModel, reading: Reading, n_chunks: int) -> tuple[str, ...]:
    """What a reader of the run's totals should know about them (none for models whose
    per-conversion split reaches their channel totals)."""
    if not isinstance(model, ChannelTotalsModel):
        return ()
    name = type(model).__name__
    if reading == "per_conversion":
        return (
            f"totals='per_conversion': each conversion is split over its own touches, so the "
            f"channel totals may differ from {name}.credit() (the chain's totals, as "
            "channelattribution reports them).",
        )
    if reading == "fitted":
        how = "with the factors it learned in fit, on all the chunks together"
    else:
        how = f"with factors computed over all {n_chunks} chunk(s) in a first pass"
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
