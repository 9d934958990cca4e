"""Calibrate attribution with experiments: lift tests set the credit of the channels tested.

A lift test (geo holdout, conversion lift study) measures how many conversions (or how
much value) a channel added over a period. :meth:`Attribution.calibrate
<touchcredit.Attribution.calibrate>` makes a tested channel's credit its measured
incrementality; untested channels keep their credit (``untested="keep"``) or are scaled by
the pooled factor of the tested ones (``"pooled"``: measured / credited over the tested
channels, with its interval from the tests' ``lower``/``upper``). What no channel is
credited with is the ``baseline``: conversions that would have happened anyway (and those
without an eligible touch), so ``sum(calibrated) + baseline = total``. A drill-down
(``by("campaign")``, ...) scales each touch's credit by its channel's factor
(calibrated / credited), so it adds up to the calibrated channel totals.

A tested channel the model credited nothing keeps its measurement as its calibrated
total (``by("channel")`` shows it), is left out of the pooled factor (it has no factor),
and has no touch to carry it in the other drill-downs, whose baseline row holds it; a
:class:`CalibrationWarning` says so, and says when the calibrated credit exceeds the
total (a negative baseline).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.attribution.experiments import experiment_rows
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel

__all__ = ["Calibration", "CalibrationWarning", "calibrate_credit"]

FloatArray = npt.NDArray[np.float64]
Label = str | None
Measure = Literal["conversions", "value"]
Untested = Literal["keep", "pooled"]


class CalibrationWarning(UserWarning):
    """A calibration whose numbers need a second look.

    Emitted when a tested channel had no credit from the model (its measurement is its
    calibrated total, but no touch carries it into ``by("campaign")`` and the other
    drill-downs, and it has no place in the pooled factor), and when the calibrated
    credit exceeds the total (a negative baseline: the experiments claim more than the
    journeys converted). ``Calibration.notes`` holds the same sentences.
    """


@attrs.frozen(eq=False, repr=False)
class Calibration:
    """Channel credit calibrated by experiments (result of ``Attribution.calibrate``).

    Attributes
    ----------
    measure : {"conversions", "value"}
    untested : {"keep", "pooled"}
    channels : tuple of str or None
        The channels (None: not recorded), in category order.
    credited : float64 ndarray
        The model's credit of every channel.
    calibrated : float64 ndarray
        The calibrated credit.
    factor : float64 ndarray
        ``calibrated / credited`` (1 where nothing was credited).
    tested : bool ndarray
        Whether an experiment measured the channel.
    lower, upper : float64 ndarray
        Interval of the calibrated credit: the experiment's bounds for a tested channel,
        the pooled factor's bounds times the credit for an untested one with
        ``"pooled"``; NaN where unknown.
    pooled_factor, pooled_lower, pooled_upper : float
        Measured over credited on the tested channels the model credited something,
        and its bounds (NaN without such a channel, or without bounds).
    total : float
        Total conversions (or value), those without an eligible touch included.
    notes : tuple of str
        What the numbers mean where they need a second look (tested channels without
        credit, a missing pooled factor, a negative baseline).
    model : AttributionModel or None
        The model whose credit was calibrated (None when not recorded).
    """

    measure: str
    untested: str
    channels: tuple[Label, ...]
    credited: FloatArray
    calibrated: FloatArray
    factor: FloatArray
    tested: npt.NDArray[np.bool_]
    lower: FloatArray
    upper: FloatArray
    pooled_factor: float
    pooled_lower: float
    pooled_upper: float
    total: float
    _journeys: JourneySet = attrs.field(repr=False)
    _pairs: Pairs = attrs.field(repr=False)
    _per_pair: FloatArray = attrs.field(repr=False)
    notes: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    model: AttributionModel | None = attrs.field(default=None, repr=False, kw_only=True)

    @property
    def journeys(self) -> JourneySet:
        """The journeys whose credit was calibrated."""
        return self._journeys

    @property
    def baseline(self) -> float:
        """What no channel is credited with: ``total - sum(calibrated)``."""
        return self.total - float(self.calibrated.sum())

    @property
    def uncarried(self) -> npt.NDArray[np.bool_]:
        """Tested channels the model credited nothing: no touch carries their measurement."""
        return self.tested & (self.credited <= 0)

    def to_dict(self) -> dict[Label, float]:
        """Calibrated credit per channel (None: not recorded, when the journeys have such
        touches)."""
        out = dict(zip(self.channels, self.calibrated.tolist(), strict=True))
        if not bool((self._journeys.channel.codes < 0).any()):
            del out[None]
        return out

    def by(self, dimension: str) -> MetricTable:
        """Calibrated credit per label of ``dimension``, and a ``baseline`` row.

        By channel, the rows are the calibrated channel totals and the baseline row is
        :attr:`baseline`. By another dimension, each touch's credit is scaled by its
        channel's factor, so the rows add up to the calibrated channel totals and, with
        the baseline, to the total; a tested channel the model credited nothing has no
        touch there, so its measurement stays in that table's baseline row (a note says
        how much).

        Raises
        ------
        ValueError
            When ``dimension`` is not a label column.
        """
        if dimension not in DIMENSIONS:
            raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}; got {dimension!r}")
        js, p = self._journeys, self._pairs
        dim = js.dimension(dimension)
        k = len(dim.categories) + 1
        label = dim.codes[p.touch].astype(np.int64) % k
        if dimension == "channel":  # the calibration's own totals, exactly
            credited, calibrated = self.credited, self.calibrated
        else:
            channel = js.channel.codes[p.touch].astype(np.int64) % len(self.channels)
            scaled = self._per_pair * self.factor[channel]
            credited = np.bincount(label, weights=self._per_pair, minlength=k).astype(np.float64)
            calibrated = np.bincount(label, weights=scaled, minlength=k).astype(np.float64)
        names = np.empty(k + 1, dtype=object)
        names[:] = [*dim.categories, None, "baseline"]
        keep = np.ones(k + 1, dtype=bool)
        keep[k - 1] = bool((dim.codes[p.touch] < 0).any())
        rest = self.total - float(calibrated.sum())
        data = {
            dimension: names[keep],
            "credited": np.append(credited, self.total - float(credited.sum()))[keep],
            "calibrated": np.append(calibrated, rest)[keep],
        }
        notes = [
            "baseline: what no channel is credited with (conversions that would have "
            "happened anyway, and those without an eligible touch)",
            *self.notes,
        ]
        if dimension != "channel" and self.uncarried.any():
            held = float(self.calibrated[self.uncarried].sum())
            notes.append(
                f"the baseline row here holds {held:,.6g} measured for "
                f"{_names(self.channels, self.uncarried)}, which no touch carries: "
                f"{rest:,.6g} here, {self.baseline:,.6g} by channel"
            )
        title = f"Calibrated {self.measure} by {dimension} (untested channels: {self.untested})"
        return MetricTable(title, data, (dimension,), (), tuple(notes))

    def __repr__(self) -> str:
        rows = ", ".join(
            f"{c}: {v:.4g}{' (tested)' if t else ''}"
            for c, v, t in zip(self.channels, self.calibrated, self.tested, strict=True)
            if c is not None or v != 0
        )
        head = f"Calibration({self.measure}, untested={self.untested}"
        return f"{head}: {rows}; baseline {self.baseline:.4g})"


def _names(channels: tuple[Label, ...], which: npt.NDArray[np.bool_]) -> str:
    return ", ".join(repr(channels[i]) for i in np.flatnonzero(which).tolist())


def _pooled(
    credited: FloatArray, measured: FloatArray, lower: FloatArray, upper: FloatArray, pool: Any
) -> tuple[float, float, float]:
    """The pooled factor over the channels ``pool`` and its bounds (NaN: none)."""
    base = float(credited[pool].sum())
    nan = float("nan")
    if not base > 0:
        return nan, nan, nan
    lo_sum = float(np.where(np.isnan(lower), measured, lower)[pool].sum())
    hi_sum = float(np.where(np.isnan(upper), measured, upper)[pool].sum())
    has_lo, has_hi = bool((~np.isnan(lower[pool])).any()), bool((~np.isnan(upper[pool])).any())
    return (
        float(measured[pool].sum()) / base,
        lo_sum / base if has_lo else nan,
        hi_sum / base if has_hi else nan,
    )


def _notes(cal: Calibration) -> tuple[str, ...]:
    """What needs a second look in ``cal``, in words (also emitted as warnings)."""
    out = []
    uncarried = cal.uncarried
    if uncarried.any():
        names = _names(cal.channels, uncarried)
        pooled = ""
        if cal.untested == "pooled":
            pooled = "; they are left out of the pooled factor (no credit: no factor)"
            if math.isnan(cal.pooled_factor):
                pooled += ", and with no other tested channel there is no pooled factor: "
                pooled += "untested channels keep their credit"
        out.append(
            f"the model credited tested channel(s) {names} nothing: their calibrated total "
            "is the measurement (by('channel') shows it), but no touch carries it into "
            f"by('source'), by('campaign') and the other drill-downs{pooled}"
        )
    if cal.baseline < -1e-9 * max(abs(cal.total), 1.0):
        out.append(
            f"the calibrated credit ({float(cal.calibrated.sum()):,.6g}) is more than the "
            f"total {cal.measure} ({cal.total:,.6g}), so the baseline is negative "
            f"({cal.baseline:,.6g}): the experiments (with the credit of the untested "
            "channels) claim more than the journeys converted; check that the tests "
            "measured the same period, population and conversions"
        )
    return tuple(out)


def calibrate_credit(
    journeys: JourneySet,
    pairs: Pairs,
    per_pair: FloatArray,
    experiments: Any,
    *,
    measure: Measure,
    untested: Untested,
    model: AttributionModel | None = None,
) -> Calibration:
    """Calibrate the per-pair credit ``per_pair`` (in ``measure``) by ``experiments``.

    See :meth:`touchcredit.Attribution.calibrate` for the rules and the errors; emits a
    :class:`CalibrationWarning` for each of the calibration's ``notes``.
    """
    if measure not in ("conversions", "value"):
        raise ValueError(f"'measure' must be 'conversions' or 'value', got {measure!r}")
    if untested not in ("keep", "pooled"):
        raise ValueError(f"'untested' must be 'keep' or 'pooled', got {untested!r}")
    channels: tuple[Label, ...] = (*journeys.channel.categories, None)
    width = len(channels)
    tested, measured, lower, upper = experiment_rows(experiments, channels)
    slot = journeys.channel.codes[pairs.touch].astype(np.int64) % width
    credited = np.bincount(slot, weights=per_pair, minlength=width).astype(np.float64)
    pooled, pooled_lo, pooled_hi = _pooled(
        credited, measured, lower, upper, tested & (credited > 0)
    )
    calibrated = np.where(tested, measured, credited)
    if untested == "pooled" and not math.isnan(pooled):
        calibrated = np.where(tested, measured, credited * pooled)
        lower = np.where(tested, lower, credited * pooled_lo)
        upper = np.where(tested, upper, credited * pooled_hi)
    factor = np.divide(calibrated, credited, out=np.ones(width), where=credited > 0)
    amount = journeys.conversion_value if measure == "value" else np.ones(journeys.n_conversions)
    cal = Calibration(
        measure=measure,
        untested=untested,
        channels=channels,
        credited=credited,
        calibrated=calibrated,
        factor=factor,
        tested=tested,
        lower=lower,
        upper=upper,
        pooled_factor=pooled,
        pooled_lower=pooled_lo,
        pooled_upper=pooled_hi,
        total=float(amount.sum()),
        journeys=journeys,
        pairs=pairs,
        per_pair=np.asarray(per_pair, dtype=np.float64),
        model=model,
    )
    notes = _notes(cal)
    for note in notes:
        warnings.warn(f"calibrate: {note}", CalibrationWarning, stacklevel=3)
    return attrs.evolve(cal, notes=notes)
