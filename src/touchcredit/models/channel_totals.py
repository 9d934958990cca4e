"""Channel totals that no per-conversion split reaches: per-touch credit rescaled per channel.

A Markov chain credits channels by removal effects, which are not sums over
conversions: a channel may earn more than the conversions on whose paths it appears
can give it when each conversion's credit must add up to that conversion (see
:doc:`/data_driven`, *Credit per touch*). To show the chain's totals anyway, the credit
of every touch is multiplied by a factor of its channel,
``factor_c = target_c / achieved_c``: ``target_c`` is the channel's credit and
``achieved_c`` what the per-conversion split gives it. Then the touches of a channel add
up to its credit exactly, and every drill-down (source, campaign, role, period) adds up
to those channel totals; a conversion's touches add up to its value times a weighted mean
of the factors of its channels, not to its value.

A channel with credit but no credited touch (no conversion path holds it) cannot carry
its credit; its credit is spread over the other channels in proportion to theirs, so the
total still equals the attributable total, and :class:`Factors` names such channels.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import Label, ShapleyCounts, wsum

__all__ = ["ChannelTotalsModel", "Factors", "factors_for", "set_totals"]

Measure = Literal["value", "conversions"]


@runtime_checkable
class ChannelTotalsModel(Protocol):
    """A fitted model whose channel credit the per-touch split is rescaled to reach.

    :func:`touchcredit.attribute` multiplies the credit of every touch by its channel's
    factor, so that ``by("channel")`` shows :meth:`credit` exactly (see the module
    notes). :class:`~touchcredit.models.MarkovModel` follows it.
    """

    def credit(self, journeys: JourneySet, what: Measure = "value") -> dict[Label, float]:
        """The model's channel credit on ``journeys`` in ``what``."""

    def channel_factors(self, what: Measure = "value") -> dict[Label, float]:
        """The factors learned on the fitted journeys (1 where the split reaches the
        credit): what partitions of the fitted journeys (chunks, Spark partitions) use."""


@attrs.frozen
class Factors:
    """Per-channel factors that take ``achieved`` to ``target`` (see the module notes).

    Attributes
    ----------
    factor : float64 ndarray
        One factor per channel (0 for a channel with nothing achieved).
    unplaced : bool ndarray
        Channels with credit but nothing to carry it (their credit went to the others).
    """

    factor: FloatArray
    unplaced: npt.NDArray[np.bool_]


def factors_for(target: FloatArray, achieved: FloatArray) -> Factors:
    """Factors that turn per-channel ``achieved`` totals into ``target`` totals.

    Channels with ``achieved == 0`` cannot carry credit: their target is spread over the
    channels that can, in proportion to their targets, so the factors' total is the
    target total. When no channel can carry anything, every factor is 1.

    Examples
    --------
    >>> f = factors_for(np.array([3.0, 1.0, 0.0]), np.array([2.0, 2.0, 0.0]))
    >>> f.factor.tolist(), f.unplaced.tolist()
    ([1.5, 0.5, 0.0], [False, False, False])
    >>> f = factors_for(np.array([2.0, 1.0, 1.0]), np.array([3.0, 1.0, 0.0]))
    >>> f.factor.tolist(), f.unplaced.tolist()  # channel 2's 1.0 goes 2:1 to the others
    ([0.888..., 1.333..., 0.0], [False, False, True])
    """
    target = np.maximum(np.asarray(target, dtype=np.float64), 0.0)
    achieved = np.asarray(achieved, dtype=np.float64)
    can = achieved > 0
    unplaced = ~can & (target > 0)
    placed = float(target[can].sum())
    total = float(target.sum())
    if placed <= 0:
        return Factors(np.ones(target.size), unplaced)
    grown = target * (total / placed) if unplaced.any() else target
    factor = np.divide(grown, achieved, out=np.zeros(target.size), where=can)
    return Factors(factor, unplaced)


def set_totals(sets: ShapleyCounts, scale: FloatArray, what: Measure) -> tuple[FloatArray, float]:
    """What the per-conversion split with ``scale`` gives every channel on the fitted
    journeys (from their channel-set table), and the total to share.

    Each converting set shares its conversions (or value) over its channels in proportion
    to ``scale``, equally when all its channels have scale 0, as
    :func:`~touchcredit.models._credit.scaled_weights` splits one conversion.

    Examples
    --------
    >>> c = ShapleyCounts.from_members(("a", "b"), np.array([[True, True], [True, False]]),
    ...                                np.array([2.0, 1.0]))
    >>> achieved, total = set_totals(c, np.array([3.0, 1.0]), "conversions")
    >>> achieved.tolist(), total  # {a, b}: 2 x (3/4, 1/4); {a}: 1 x 1
    ([2.5, 0.5], 3.0)
    """
    amount = sets.conversions if what == "conversions" else sets.value
    rows, cols, n_rows = sets.entries()
    n = len(sets.channels)
    s = np.asarray(scale, dtype=np.float64)[cols]
    denom = wsum(rows, s, n_rows)
    size = wsum(rows, None, n_rows)
    share = np.where(denom[rows] > 0, s / np.where(denom > 0, denom, 1.0)[rows], 1.0 / size[rows])
    return wsum(cols, share * amount[rows], n), float(amount.sum())
