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
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.frame_input import as_narwhals
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel

__all__ = ["Calibration", "calibrate_credit"]

FloatArray = npt.NDArray[np.float64]
Label = str | None
Measure = Literal["conversions", "value"]
Untested = Literal["keep", "pooled"]


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
        Measured over credited on the tested channels, and its bounds (NaN without).
    total : float
        Total conversions (or value), those without an eligible touch included.
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
    model: AttributionModel | None = attrs.field(default=None, repr=False, kw_only=True)

    @property
    def journeys(self) -> JourneySet:
        """The journeys whose credit was calibrated."""
        return self._journeys

    @property
    def baseline(self) -> float:
        """What no channel is credited with: ``total - sum(calibrated)``."""
        return self.total - float(self.calibrated.sum())

    def to_dict(self) -> dict[Label, float]:
        """Calibrated credit per channel."""
        return dict(zip(self.channels, self.calibrated.tolist(), strict=True))

    def by(self, dimension: str) -> MetricTable:
        """Calibrated credit per label of ``dimension``, and a ``baseline`` row.

        Each touch's credit is scaled by its channel's factor, so the rows add up to the
        calibrated channel totals and, with the baseline, to the total.

        Raises
        ------
        ValueError
            When ``dimension`` is not a label column.
        """
        if dimension not in DIMENSIONS:
            raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}; got {dimension!r}")
        js, p = self._journeys, self._pairs
        width = len(js.channel.categories) + 1
        channel = js.channel.codes[p.touch].astype(np.int64) % width
        dim = js.dimension(dimension)
        k = len(dim.categories) + 1
        label = dim.codes[p.touch].astype(np.int64) % k
        scaled = self._per_pair * self.factor[channel]
        credited = np.bincount(label, weights=self._per_pair, minlength=k)
        calibrated = np.bincount(label, weights=scaled, minlength=k)
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
            "happened anyway, and those without an eligible touch)"
        ]
        if abs(rest - self.baseline) > 1e-9 * max(abs(self.total), 1.0):
            notes.append(
                "a tested channel the model credited nothing has no touch to carry its "
                f"measured credit; {self.baseline - rest:,.4g} of it is in the baseline row"
            )
        title = f"Calibrated {self.measure} by {dimension} (untested channels: {self.untested})"
        return MetricTable(title, data, (dimension,), (), tuple(notes))

    def __repr__(self) -> str:
        rows = ", ".join(
            f"{c}: {v:.4g}{' (tested)' if t else ''}"
            for c, v, t in zip(self.channels, self.calibrated, self.tested, strict=True)
        )
        head = f"Calibration({self.measure}, untested={self.untested}"
        return f"{head}: {rows}; baseline {self.baseline:.4g})"


def _experiment_columns(experiments: Any) -> dict[str, list[Any]]:
    """The columns of ``experiments`` (a frame narwhals supports, or a dict of columns)."""
    if isinstance(experiments, Mapping):
        return {str(k): list(v) for k, v in experiments.items()}
    import narwhals as nw

    df = as_narwhals(experiments, table="experiments")
    if isinstance(df, nw.LazyFrame):
        df = df.collect()
    return {str(name): df.get_column(name).to_list() for name in df.columns}


def _number(value: Any, column: str, row: int) -> float:
    if value is None or isinstance(value, bool):
        raise ValueError(f"experiments: {column!r} must be a number, got {value!r} (row {row})")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"experiments: {column!r} must be a number, got {value!r} (row {row})"
        ) from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(
            f"experiments: {column!r} must be finite and >= 0, got {value!r} (row {row})"
        )
    return v


def _read_rows(
    cols: dict[str, list[Any]], channels: tuple[Label, ...]
) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray, FloatArray]:
    """Per channel slot: tested, measured, lower and upper (NaN: not given)."""
    width = len(channels)
    pos = {c: i for i, c in enumerate(channels[:-1])}
    n_rows = len(cols["channel"])
    tested = np.zeros(width, dtype=bool)
    measured = np.zeros(width)
    lower = np.full(width, np.nan)
    upper = np.full(width, np.nan)
    for r in range(n_rows):  # one row per experiment: a handful, not per journey
        row = r + 1
        name = cols["channel"][r]
        if name not in pos:
            raise ValueError(
                f"experiments: channel {name!r} (row {row}) is not a channel of these "
                f"journeys; they have {', '.join(map(repr, pos))}"
            )
        i = pos[name]
        if tested[i]:
            raise ValueError(f"experiments: channel {name!r} is tested twice (row {row})")
        tested[i] = True
        measured[i] = _number(cols["incremental"][r], "incremental", row)
        for column, out in (("lower", lower), ("upper", upper)):
            if column in cols and cols[column][r] is not None:
                out[i] = _number(cols[column][r], column, row)
        if not (np.isnan(lower[i]) or lower[i] <= measured[i]) or not (
            np.isnan(upper[i]) or measured[i] <= upper[i]
        ):
            raise ValueError(
                f"experiments: channel {name!r} needs lower <= incremental <= upper, got "
                f"{lower[i]:g} <= {measured[i]:g} <= {upper[i]:g} (row {row})"
            )
    return tested, measured, lower, upper


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

    See :meth:`touchcredit.Attribution.calibrate` for the rules and the errors.
    """
    if measure not in ("conversions", "value"):
        raise ValueError(f"'measure' must be 'conversions' or 'value', got {measure!r}")
    if untested not in ("keep", "pooled"):
        raise ValueError(f"'untested' must be 'keep' or 'pooled', got {untested!r}")
    cols = _experiment_columns(experiments)
    missing = [c for c in ("channel", "incremental") if c not in cols]
    if missing:
        raise ValueError(
            f"experiments: missing column(s) {', '.join(map(repr, missing))}; expected "
            f"'channel', 'incremental' and optional 'lower'/'upper'; found {', '.join(cols)}"
        )
    channels: tuple[Label, ...] = (*journeys.channel.categories, None)
    width = len(channels)
    slot = journeys.channel.codes[pairs.touch].astype(np.int64) % width
    credited = np.bincount(slot, weights=per_pair, minlength=width).astype(np.float64)
    tested, measured, lower, upper = _read_rows(cols, channels)
    base = float(credited[tested].sum())
    nan = float("nan")
    pooled = float(measured[tested].sum()) / base if base > 0 else nan
    lo_sum = np.where(np.isnan(lower), measured, lower)[tested].sum()
    hi_sum = np.where(np.isnan(upper), measured, upper)[tested].sum()
    has_lo, has_hi = bool((~np.isnan(lower[tested])).any()), bool((~np.isnan(upper[tested])).any())
    pooled_lo = float(lo_sum) / base if base > 0 and has_lo else nan
    pooled_hi = float(hi_sum) / base if base > 0 and has_hi else nan
    calibrated = np.where(tested, measured, credited)
    if untested == "pooled" and not math.isnan(pooled):
        calibrated = np.where(tested, measured, credited * pooled)
        lower = np.where(tested, lower, credited * pooled_lo)
        upper = np.where(tested, upper, credited * pooled_hi)
    factor = np.divide(calibrated, credited, out=np.ones(width), where=credited > 0)
    amount = journeys.conversion_value if measure == "value" else np.ones(journeys.n_conversions)
    return Calibration(
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
