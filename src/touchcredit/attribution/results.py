"""Run a model on journeys: :func:`attribute` and its result, :class:`Attribution`.

The results are immutable values: numpy arrays are read-only, the model and its
parameters travel with the numbers, and every conversion value is accounted for as
credit or as the explicit unattributed bucket.
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.attribution.calibration import Calibration, calibrate_credit
from touchcredit.attribution.checks import check_weights
from touchcredit.attribution.periods import credit_by_period
from touchcredit.attribution.tables import (
    Comparison,
    CreditTable,
    Unattributed,
    frozen_array,
    model_label,
)
from touchcredit.attribution.totals import Reading, pair_factors
from touchcredit.core.arrays import FloatArray
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeZoneLike
from touchcredit.models.base import AttributionModel, get
from touchcredit.models.fitted import is_fitted

if TYPE_CHECKING:
    from touchcredit.attribution.money import MinorUnits

__all__ = ["Attribution", "Comparison", "CreditTable", "Unattributed", "attribute"]

Label = str | None


@attrs.frozen(eq=False, repr=False)
class Attribution:
    """Credit of every touch under one model (result of :func:`attribute`).

    Attributes
    ----------
    journeys : JourneySet
    model : AttributionModel
        The (fitted) model, with its parameters.
    pairs : Pairs
        The (conversion, touch) pairs the model weighed.
    weights : float64 ndarray
        One weight per pair, summing to 1 per conversion with pairs.
    conversion_weights : float64 ndarray
        The weights of the conversion-count credit (the same array as ``weights``
        unless the model splits counts differently).
    factors, conversion_factors : float64 ndarray or None
        Per-pair factors of the value and conversion-count credit: a touch's channel
        factor for models whose channel totals no per-conversion split reaches (Markov;
        see ``totals`` in :func:`attribute`), else None (all 1).
    notes : tuple of str
        What the reader should know about these numbers (rescaled channel totals and
        how they differ from tools that split each conversion).
    unattributed : Unattributed
        Value and count of conversions with no eligible touch.
    pair_credit, touch_credit, touch_conversions : float64 ndarray
        Value credit of every pair; value and conversion-count credit of every touch
        (JourneySet touch order). Computed on first use: :meth:`by` does not need them.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2], timestamp=[1, 2, 9], channel=["seo", "email", "ads"],
    ...     conversion_journey_id=[1, 2], conversion_time=[3, 5],
    ...     conversion_value=[100.0, 20.0], unit="s")
    >>> att = tc.attribute(js, "first_touch")
    >>> att.touch_credit.tolist(), att.unattributed
    ([100.0, 0.0, 0.0], Unattributed(value=20.0, conversions=1))
    >>> att.total, att.attributed
    (120.0, 100.0)
    """

    journeys: JourneySet
    model: AttributionModel
    pairs: Pairs
    weights: FloatArray
    unattributed: Unattributed
    #: Weights of the conversion-count credit (the model's ``conversion_weights``; the
    #: value weights unless the model splits counts differently).
    conversion_weights: FloatArray
    factors: FloatArray | None = None
    conversion_factors: FloatArray | None = None
    notes: tuple[str, ...] = ()
    # derived arrays and tables, made on first use (nothing per touch unless asked for)
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def pair_credit(self) -> FloatArray:
        """Value credit of every pair: its weight times its conversion's value (times
        its factor, when the model's channel totals need one)."""

        def make() -> FloatArray:
            value = np.repeat(self.journeys.conversion_value, self.pairs.length)
            value *= self.weights
            if self.factors is not None:
                value *= self.factors
            return frozen_array(value)

        out: FloatArray = self._cached("pair_credit", make)
        return out

    @property
    def touch_credit(self) -> FloatArray:
        """Value credit of every touch (JourneySet touch order)."""
        out: FloatArray = self._cached("touch_credit", lambda: self._per_touch(self.pair_credit))
        return out

    @property
    def touch_conversions(self) -> FloatArray:
        """Conversion-count credit of every touch."""
        out: FloatArray = self._cached(
            "touch_conversions", lambda: self._per_touch(self.pair_conversions)
        )
        return out

    @property
    def pair_conversions(self) -> FloatArray:
        """Conversion-count credit of every pair (its conversion weight, times its
        factor when the model's channel totals need one)."""
        factors = self.conversion_factors
        if factors is None:
            return self.conversion_weights
        out: FloatArray = self._cached(
            "pair_conversions", lambda: frozen_array(self.conversion_weights * factors)
        )
        return out

    def _per_touch(self, per_pair: FloatArray) -> FloatArray:
        n = self.journeys.n_touches
        return frozen_array(np.bincount(self.pairs.touch, weights=per_pair, minlength=n))

    @property
    def total(self) -> float:
        """Sum of the conversion values."""
        return self.journeys.total_value

    @property
    def attributed(self) -> float:
        """Value credited to touches (``total - unattributed.value``, up to rounding)."""
        return float(self.pair_credit.sum())

    @overload
    def by(self, dimension: str, period: None = None, *, tz: TimeZoneLike = ...) -> CreditTable: ...
    @overload
    def by(self, dimension: str, period: str, *, tz: TimeZoneLike = ...) -> MetricTable: ...

    def by(
        self, dimension: str, period: str | None = None, *, tz: TimeZoneLike = "UTC"
    ) -> CreditTable | MetricTable:
        """Credit per label of ``dimension``.

        ``dimension`` is a touch label ("source", "channel", "campaign", "method") or a
        buying-group label ("role": the contact's role on the deal, "contact": the
        contact whose touch it was; "(not recorded)" where the journeys have none).

        Parameters
        ----------
        dimension : str
            The label.
        period : {None, "week", "month", "quarter", "year"}
            None: one :class:`CreditTable` over all time. Otherwise a
            :class:`~touchcredit.core.metric_table.MetricTable` of credit per period
            and label (columns ``period``, the label, ``value``, ``conversions``,
            ``share`` of the period's value), by the calendar period of the
            *conversion* time in ``tz``: months "2024-01", ISO weeks "2024-W03",
            quarters "2024-Q1", years "2024". An "unattributed" row holds a period's
            value without an eligible touch, so the rows of a period add up to its value.
        tz : str or tzinfo
            Zone of the calendar periods (default UTC).

        Raises
        ------
        ValueError
            When ``dimension`` or ``period`` is not one of those.

        Examples
        --------
        >>> import touchcredit as tc
        >>> js = tc.JourneySet.from_arrays(
        ...     journey_id=[1, 2], timestamp=["2024-01-30", "2024-02-02"],
        ...     channel=["seo", "ads"], conversion_journey_id=[1, 2],
        ...     conversion_time=["2024-01-31T23:30", "2024-02-03"], conversion_value=[10, 5])
        >>> t = tc.attribute(js, "linear").by("channel", period="month", tz="Europe/Paris")
        >>> t["period"].tolist(), t["channel"].tolist(), t["value"].tolist()
        (['2024-02', '2024-02'], ['ads', 'seo'], [5.0, 10.0])
        """
        self.journeys.dimension(dimension)  # refuses an unknown name, listing the known ones
        if period is not None:
            return self._by_period(dimension, period, tz)
        table: CreditTable = self._cached("by:" + dimension, lambda: self._table(dimension))
        return table

    def _by_period(self, dimension: str, period: str, tz: TimeZoneLike) -> MetricTable:
        dim = self.journeys.dimension(dimension)
        k = len(dim.categories)
        recorded_everywhere = dim.codes.size == 0 or int(dim.codes.min()) >= 0
        label = _pair_labels(self.pairs, dimension, dim.codes, k, recorded_everywhere)
        js = self.journeys
        return credit_by_period(
            pairs=self.pairs,
            pair_label=label,
            labels=[*dim.categories, None],
            pair_credit=self.pair_credit,
            conversion_weights=self.pair_conversions,
            conversion_time=js.conversion_time,
            conversion_value=js.conversion_value,
            dimension=dimension,
            period=period,
            tz=tz,
            title=f"Credit by {dimension} and {period} ({model_label(self.model)})",
            currency=js.currency,
        )

    def _table(self, dimension: str) -> CreditTable:
        """Credit per label straight from the pairs: the pairs' label codes (cached per
        pairs object) and one bincount; the conversion-count column on first use. No
        per-touch arrays."""
        dim = self.journeys.dimension(dimension)
        k = len(dim.categories)
        codes = dim.codes
        recorded_everywhere = codes.size == 0 or int(codes.min()) >= 0
        label = _pair_labels(self.pairs, dimension, codes, k, recorded_everywhere)
        value = np.bincount(label, weights=self.pair_credit, minlength=k + 1)
        labels: list[Label] = list(dim.categories)
        width = k if recorded_everywhere else k + 1
        if not recorded_everywhere:
            labels.append(None)

        conversion_weights = self.conversion_weights
        factors = self.conversion_factors

        def count_conversions() -> FloatArray:
            # refers to arrays only, not to self: no reference cycle keeps results alive
            per_pair = conversion_weights if factors is None else conversion_weights * factors
            conv = np.bincount(label, weights=per_pair, minlength=k + 1)
            return frozen_array(conv[:width].astype(np.float64, copy=False))

        return CreditTable(
            dimension=dimension,
            labels=tuple(labels),
            value=frozen_array(value[:width].astype(np.float64, copy=False)),
            count_conversions=count_conversions,
            unattributed_value=self.unattributed.value,
            unattributed_conversions=self.unattributed.conversions,
            model=self.model,
            currency=self.journeys.currency,
        )

    def calibrate(
        self,
        experiments: Any,
        measure: Literal["conversions", "value"] = "conversions",
        untested: Literal["keep", "pooled"] = "keep",
    ) -> Calibration:
        """Channel credit calibrated by lift experiments (geo holdouts, lift studies).

        A tested channel's credit becomes its measured incrementality; untested
        channels keep their credit (``"keep"``) or are scaled by the pooled factor of the
        tested ones (``"pooled"``: measured / credited over them, with its interval from
        ``lower``/``upper``). What no channel is credited with is
        :attr:`Calibration.baseline`, so calibrated + baseline = total. See
        :doc:`/calibration`.

        Parameters
        ----------
        experiments : frame, dict of columns, list of records or dict of single values
            ``channel``, ``incremental`` (measured incremental conversions or value
            over the same period as these journeys) and optional ``lower``/``upper``
            (a missing bound, None or NaN, is not given for that row). Other columns
            are ignored, except near misses of these (``low``, ``ci_high``, ...).
        measure : {"conversions", "value"}
        untested : {"keep", "pooled"}
            ``"pooled"`` scales untested channels by measured / credited over the
            tested channels the model credited something.

        Returns
        -------
        Calibration

        Raises
        ------
        ValueError
            On a missing column or a near miss of one, columns of different lengths, a
            channel these journeys do not have, a channel tested twice, an empty
            ``incremental``, a value that is not a finite number >= 0 (text included),
            or bounds that do not hold the measurement (naming the column and the
            1-based row).
        TypeError
            On experiments that are not a frame, a dict or a list of records.

        Warns
        -----
        CalibrationWarning
            When a tested channel had no credit from the model, or the calibrated
            credit exceeds the total (a negative baseline).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
        ...     channel=["a", "b", "b"], conversion_journey_id=[1, 2],
        ...     conversion_time=[1, 0], unit="s")
        >>> cal = attribute(js, "linear").calibrate({"channel": ["b"], "incremental": [0.5]})
        >>> cal.to_dict(), cal.baseline  # a keeps 0.5; b measured 0.5 of its 1.5
        ({'a': 0.5, 'b': 0.5}, 1.0)
        """
        per_pair = self.pair_credit if measure == "value" else self.pair_conversions
        return calibrate_credit(
            self.journeys,
            self.pairs,
            per_pair,
            experiments,
            measure=measure,
            untested=untested,
            model=self.model,
        )

    def to_minor_units(
        self,
        decimals: int = 2,
        *,
        currency: str | None = None,
        minor_amounts: Sequence[int] | npt.NDArray[np.integer] | None = None,
    ) -> MinorUnits:
        """Credit in exact integer minor units (cents) by the largest-remainder method.

        The pairs of every conversion sum exactly to its amount; per-touch credit
        plus the unattributed bucket equals the total exactly. See
        :func:`touchcredit.attribution.money.minor_units` for the parameters and errors.

        Examples
        --------
        >>> from decimal import Decimal
        >>> js = JourneySet.from_arrays(journey_id=[1, 1, 1], timestamp=[0, 1, 2],
        ...     channel=["a", "b", "c"], conversion_journey_id=[1], conversion_time=[3],
        ...     conversion_value=[Decimal("10.01")], currency="USD", unit="s")
        >>> attribute(js, "linear").to_minor_units().touch.tolist()
        [334, 334, 333]
        """
        from touchcredit.attribution.money import minor_units

        return minor_units(
            self.journeys,
            self.pairs,
            self.weights,
            decimals=decimals,
            currency=currency,
            minor_amounts=minor_amounts,
        )

    def __repr__(self) -> str:
        js = self.journeys
        return (
            f"Attribution({self.model!r}: {js.n_conversions} conversions, total "
            f"{self.total:g}, attributed {self.attributed:g}, unattributed "
            f"{self.unattributed.value:g} ({self.unattributed.conversions} conversions))"
        )

    def _repr_html_(self) -> str:
        js = self.journeys
        cur = f" {js.currency}" if js.currency else ""
        summary = (
            f"<p><b>Attribution</b> ({html.escape(repr(self.model))}): "
            f"{js.n_conversions:,} conversions, total {self.total:,.2f}{html.escape(cur)}, "
            f"attributed {self.attributed:,.2f}, unattributed {self.unattributed.value:,.2f} "
            f"({self.unattributed.conversions:,} conversions)</p>"
        )
        return f"<div>{summary}{self.by('channel')._repr_html_()}</div>"


#: Label codes of the pairs' touches, per pairs object and dimension. The pairs of the
#: models without filters are cached by their JourneySet, so a second model's ``by()``
#: (``compare``, a report) skips the gather. Weak keys: dropped with the pairs.
_PAIR_LABELS: weakref.WeakKeyDictionary[Pairs, dict[str, tuple[Any, npt.NDArray[Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _pair_labels(
    pairs: Pairs, dimension: str, codes: npt.NDArray[Any], k: int, recorded_everywhere: bool
) -> npt.NDArray[Any]:
    """Label code of every pair's touch; -1 (not recorded) becomes ``k``."""
    per_dim = _PAIR_LABELS.setdefault(pairs, {})
    cached = per_dim.get(dimension)
    if cached is None or cached[0] is not codes:
        label = np.take(codes, pairs.touch)
        if not recorded_everywhere and label.size and int(label.min()) < 0:
            label = np.where(label < 0, k, label)
        cached = (codes, frozen_array(label))
        per_dim[dimension] = cached
    return cached[1]


def attribute(
    journeys: JourneySet,
    model: AttributionModel | str,
    *,
    fit: bool | None = None,
    totals: Reading = "journeys",
) -> Attribution:
    """Split every conversion's value over its eligible touches with ``model``.

    Parameters
    ----------
    journeys : JourneySet
    model : AttributionModel or str
        A model, or a registry name (``"linear"``, ``"w_shaped"``, ...).
    fit : bool, optional
        Fit the model on ``journeys`` first. Default: only a data-driven model that is
        not fitted yet is fitted (on a clone; the model given is left untouched).
    totals : {"journeys", "fitted", "per_conversion"}
        For models whose channel totals no split of each conversion reaches (Markov):
        ``"journeys"`` (default) rescales each channel's touches so that ``by("channel")``
        equals ``model.credit(journeys, ...)`` in value and in conversions, and every
        drill-down adds up to those totals; ``"fitted"`` uses the factors learned in
        ``fit`` (for a part of the fitted journeys: chunks, Spark partitions);
        ``"per_conversion"`` splits each conversion over its own touches (channel
        totals may then differ from the model's); a
        :class:`~touchcredit.attribution.totals.ChannelFactors` gives the factors per
        channel (an out-of-core run's, computed over all its parts). Other models
        ignore it. :attr:`Attribution.notes` says when the readings differ.

    Returns
    -------
    Attribution

    Raises
    ------
    ValueError
        When the model returns weights of the wrong length, negative or non-finite
        weights, or weights that do not sum to 1 for a conversion.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1, 1], timestamp=[1, 2, 3], channel=["seo", "email", "ads"],
    ...     conversion_journey_id=[1], conversion_time=[5], conversion_value=[10.0], unit="s")
    >>> tc.attribute(js, "position").touch_credit.round(6).tolist()
    [4.0, 2.0, 4.0]
    """
    m = get(model) if isinstance(model, str) else model
    if not isinstance(m, AttributionModel):
        raise TypeError(f"'model' must be an AttributionModel or a name, got {type(m).__name__}")
    if fit or (fit is None and not is_fitted(m)):
        m = m.clone().fit(journeys) if fit is None else m.fit(journeys)
    pairs = m.pairs(journeys)
    w = np.asarray(m.weights(journeys), dtype=np.float64)
    check_weights(m, journeys, pairs, w)
    w_conv = w
    if type(m).conversion_weights is not AttributionModel.conversion_weights:
        w_conv = np.asarray(m.conversion_weights(journeys), dtype=np.float64)
        check_weights(m, journeys, pairs, w_conv)
    factors = pair_factors(m, journeys, pairs, w, w_conv, totals)
    value = journeys.conversion_value
    empty = pairs.length == 0
    unattributed = Unattributed(
        value=float(value[empty].sum()), conversions=int(np.count_nonzero(empty))
    )
    weights = _owned(w)
    return Attribution(
        journeys=journeys,
        model=m,
        pairs=pairs,
        weights=weights,
        unattributed=unattributed,
        conversion_weights=weights if w_conv is w else _owned(w_conv),
        factors=None if factors.value is None else frozen_array(factors.value),
        conversion_factors=(
            None if factors.conversions is None else frozen_array(factors.conversions)
        ),
        notes=factors.notes,
    )


def _owned(w: FloatArray) -> FloatArray:
    """``w`` read-only, copied first when it is a view or someone else's array."""
    if w.flags.writeable and w.flags.owndata:
        return frozen_array(w)
    return w if not w.flags.writeable and w.base is None else frozen_array(w.copy())
