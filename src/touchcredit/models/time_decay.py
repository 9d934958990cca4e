"""Time decay: credit halves for every ``half_life`` a touch lies before the conversion."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import numpy as np

from touchcredit.core.arrays import FloatArray
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, register
from touchcredit.models.parameters import duration

__all__ = ["TimeDecayModel"]


def _half_life(value: Any) -> dt.timedelta:
    return duration(value, field="half_life")


@register(name="time_decay")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class TimeDecayModel(AttributionModel):
    """Weights proportional to ``2 ** (-(T - ts) / half_life)``.

    Computed relative to the latest eligible touch of every conversion (its exponent
    is 0), so touches however old never make all weights underflow to zero; a touch
    far older than the others simply gets (close to) nothing.

    Parameters
    ----------
    half_life : datetime.timedelta, numpy.timedelta64 or str
        Time after which a touch's credit halves (default 7 days); must be > 0; kept
        as a ``datetime.timedelta``. Text
        such as ``"14d"``, ``"36h"`` or ``"1d 12h"`` is read by
        :func:`touchcredit.core.time.durations.to_duration`. A bare number is refused: it
        has no unit (``14`` would be 14 seconds to numpy, 14 days to a person).
    lookback, exclude_channels, exclude_sources
        As for :class:`~touchcredit.models.AttributionModel`.

    Raises
    ------
    ValueError
        When ``half_life`` is not positive or is text that is not a duration.
    TypeError
        When ``half_life`` is a bare number (or not a duration at all).

    Examples
    --------
    >>> day = 86400
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[0, 7 * day], channel=["a", "b"],
    ...     conversion_journey_id=[1], conversion_time=[7 * day], unit="s")
    >>> TimeDecayModel().weights(js).round(4).tolist()
    [0.3333, 0.6667]
    >>> TimeDecayModel(half_life="14d").weights(js).round(4).tolist()
    [0.4142, 0.5858]
    >>> TimeDecayModel(half_life="14d")
    TimeDecayModel(half_life=datetime.timedelta(days=14))
    """

    half_life: dt.timedelta = attrs.field(default=dt.timedelta(days=7), converter=_half_life)

    @half_life.validator
    def _check_half_life(self, attribute: attrs.Attribute[Any], value: dt.timedelta) -> None:
        if value <= dt.timedelta(0):
            raise ValueError(f"'half_life' must be > 0, got {value!r}")

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair of ``self.pairs(journeys)``."""
        p = self.pairs(journeys)
        n = p.length
        nonempty = n > 0
        if p.size == 0:
            return np.zeros(0, dtype=np.float64)
        ts = journeys.timestamp_us
        touch = p.touch
        # reference: each conversion's latest pair (its last, pairs being in time order)
        latest = ts[touch[np.maximum(p.offsets[1:] - 1, 0)]].astype(np.float64)
        # exponent (ts - latest) * ln2 / half_life, built in one float buffer
        w = ts[touch].astype(np.float64)
        w -= np.repeat(latest, n)
        w *= math.log(2.0) / (self.half_life / dt.timedelta(microseconds=1))
        np.exp(w, out=w)
        total = np.zeros(n.size, dtype=np.float64)
        total[nonempty] = np.add.reduceat(w, p.offsets[:-1][nonempty])
        w /= np.repeat(total, n)
        return w
