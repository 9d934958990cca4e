"""Per-pair factors that make a model's channel totals the per-touch totals.

For a model that follows :class:`~touchcredit.models.channel_totals.ChannelTotalsModel`
(Markov), :func:`touchcredit.attribute` multiplies the credit of every (conversion,
touch) pair by its channel's factor, so that the credit of a channel's touches adds up
to the model's channel credit exactly, in value and in conversions (see
:mod:`touchcredit.models.channel_totals`). Three readings, chosen with ``totals=``:

- ``"journeys"`` (default): the factors are computed on the journeys attributed, so
  ``by("channel")`` equals ``model.credit(journeys, ...)`` for any journeys;
- ``"fitted"``: the factors learned in ``fit``, for a part of the fitted journeys (a
  chunk, a Spark partition): summed over the parts, the channel totals are the model's;
- ``"per_conversion"``: no factors; each conversion's touches add up to its value (the
  reading of tools that split each conversion), and the channel totals may differ from
  the model's credit;
- a :class:`ChannelFactors`: factors given per channel label, as an out-of-core run
  computes them over all its parts (:func:`channel_factors` from the parts' summed
  targets and per-conversion totals), so the parts' channel totals add up to
  ``model.credit`` of all the journeys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeAlias

import attrs
import numpy as np

from touchcredit.core.arrays import FloatArray
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel
from touchcredit.models.channel_totals import ChannelTotalsModel, factors_for

__all__ = [
    "TOTALS",
    "ChannelFactors",
    "PairFactors",
    "Reading",
    "Totals",
    "channel_factors",
    "pair_factors",
]

Totals = Literal["journeys", "fitted", "per_conversion"]
Measure = Literal["value", "conversions"]
TOTALS: tuple[str, ...] = ("journeys", "fitted", "per_conversion")
Label = str | None


@attrs.frozen
class ChannelFactors:
    """Per-channel factors given explicitly (a ``totals=`` reading of
    :func:`touchcredit.attribute`): a label not listed keeps factor 1.

    Attributes
    ----------
    value, conversions : dict
        ``{channel label: factor}`` for the value and the conversion-count credit.
    unplaced : tuple of str or None
        Channels with credit that no touch could carry (spread over the others).
    """

    value: Mapping[Label, float]
    conversions: Mapping[Label, float]
    unplaced: tuple[Label, ...] = ()

    def of(self, what: Measure) -> Mapping[Label, float]:
        """The factors of ``what``."""
        return self.value if what == "value" else self.conversions


Reading: TypeAlias = Totals | ChannelFactors


def channel_factors(
    target: Mapping[Measure, Mapping[Label, float]],
    achieved: Mapping[Measure, Mapping[Label, float]],
) -> ChannelFactors:
    """Factors taking the per-conversion channel totals ``achieved`` to ``target`` (the
    model's credit), per measure, over every label either names.

    Examples
    --------
    >>> f = channel_factors({"value": {"a": 6.0, "b": 2.0}, "conversions": {"a": 1.0}},
    ...                     {"value": {"a": 4.0, "b": 4.0}, "conversions": {"a": 1.0}})
    >>> dict(f.value), dict(f.conversions)
    ({'a': 1.5, 'b': 0.5}, {'a': 1.0})
    """
    out: dict[Measure, dict[Label, float]] = {}
    unplaced: dict[Label, None] = {}
    for what in ("value", "conversions"):
        t, a = target.get(what, {}), achieved.get(what, {})
        labels = sorted({*t, *a}, key=lambda c: (c is None, c or ""))
        found = factors_for(
            np.array([float(t.get(c, 0.0)) for c in labels]),
            np.array([float(a.get(c, 0.0)) for c in labels]),
        )
        out[what] = dict(zip(labels, found.factor.tolist(), strict=True))
        unplaced.update((labels[i], None) for i in np.flatnonzero(found.unplaced))
    return ChannelFactors(out["value"], out["conversions"], tuple(unplaced))


#: Factors this close to 1 (the per-conversion split's own rounding) need no note.
_NOTE_TOLERANCE = 1e-6


@attrs.frozen
class PairFactors:
    """Factors per pair for the value and the conversion-count credit (None: all 1)."""

    value: FloatArray | None
    conversions: FloatArray | None
    notes: tuple[str, ...]


def pair_factors(
    model: AttributionModel,
    js: JourneySet,
    pairs: Pairs,
    weights: FloatArray,
    conversion_weights: FloatArray,
    totals: Reading,
) -> PairFactors:
    """The per-pair factors of ``model`` on ``js`` under the ``totals`` reading.

    Examples
    --------
    >>> from touchcredit.models import LinearModel
    >>> js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["a"],
    ...     conversion_journey_id=[1], conversion_time=[0], unit="s")
    >>> w = np.ones(1)
    >>> pair_factors(LinearModel(), js, LinearModel().pairs(js), w, w, "journeys")
    PairFactors(value=None, conversions=None, notes=())
    """
    if not isinstance(totals, ChannelFactors) and totals not in TOTALS:
        raise ValueError(f"'totals' must be one of {', '.join(TOTALS)}; got {totals!r}")
    if not isinstance(model, ChannelTotalsModel) or pairs.size == 0:
        return PairFactors(None, None, ())
    k = len(js.channel.categories)
    labels: list[Label] = [*js.channel.categories, None]
    known = set(labels)
    slot = js.channel.codes[pairs.touch].astype(np.int64) % (k + 1)
    lost: dict[Label, None] = {}
    spans: dict[str, str] = {}
    out: list[FloatArray | None] = []
    measures: tuple[tuple[Measure, FloatArray], ...] = (
        ("value", weights),
        ("conversions", conversion_weights),
    )
    for what, w in measures:
        amount = js.conversion_value if what == "value" else np.ones(js.n_conversions)
        per_pair = w * amount[pairs.conversion]
        if totals == "journeys":
            credit = model.credit(js, what)
            # credit of channels absent from these journeys: one more slot, nothing to carry it
            missing = {c: v for c, v in credit.items() if v > 0 and c not in known}
            target = np.array([*(credit.get(c, 0.0) for c in labels), sum(missing.values())])
            achieved = np.bincount(slot, weights=per_pair, minlength=k + 2).astype(np.float64)
            found = factors_for(target, achieved)
            factor = found.factor[: k + 1]
            for c in [labels[i] for i in np.flatnonzero(found.unplaced[: k + 1])] + list(missing):
                lost[c] = None
        else:
            given = totals.of(what) if isinstance(totals, ChannelFactors) else None
            fitted = model.channel_factors(what) if given is None else given
            factor = np.array([fitted.get(c, 1.0) for c in labels])
        carries = np.bincount(slot, weights=per_pair, minlength=k + 1) > 0
        used = factor[carries]
        if used.size and float(np.abs(used - 1.0).max()) > _NOTE_TOLERANCE:
            sums = np.add.reduceat(factor[slot] * w, pairs.offsets[:-1][pairs.length > 0])
            spans[what] = (
                f"{what}: factors {float(used.min()):.4g} to {float(used.max()):.4g}, a "
                f"conversion's touches add up to {float(sums.min()):.1%} to "
                f"{float(sums.max()):.1%} of it"
            )
        out.append(None if totals == "per_conversion" else factor[slot])
    notes: list[str] = []
    name = type(model).__name__
    if spans and totals == "per_conversion":
        notes.append(
            f"totals='per_conversion': each conversion is split over its own touches, so the "
            f"channel totals differ from {name}.credit() (the chain's totals, as "
            "channelattribution reports them)."
        )
    elif spans:
        notes.append(
            f"{name} channel totals are the model's (model.credit(), the numbers "
            "channelattribution reports): no split of each conversion over its own touches "
            "reaches them, so each touch's credit is multiplied by its channel's factor ("
            + "; ".join(spans.values())
            + "). Tools that split each conversion show other channel totals; "
            "attribute(..., totals='per_conversion') gives that reading."
        )
    if isinstance(totals, ChannelFactors):
        lost.update((c, None) for c in totals.unplaced)
    if lost:
        names = ", ".join("(not recorded)" if c is None else repr(c) for c in lost)
        notes.append(
            f"{name} credits channel(s) {names} but no conversion of these journeys has an "
            "eligible touch on them; their credit is shared by the other channels in "
            "proportion to their credit, so the total is kept."
        )
    return PairFactors(out[0], out[1], tuple(notes))
