"""Run a model on journeys: :func:`attribute`, :func:`compare` and their results.

The results are immutable values: numpy arrays are read-only, the model and its
parameters travel with the numbers, and every conversion value is accounted for as
credit or as the explicit unattributed bucket.
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.display import html_table, quantity
from touchcredit.core.frame_output import to_frame
from touchcredit.core.pairs import Pairs
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, available, get, models_from

if TYPE_CHECKING:
    from touchcredit.attribution.money import MinorUnits

__all__ = ["Attribution", "Comparison", "CreditTable", "Unattributed", "attribute", "compare"]

FloatArray = npt.NDArray[np.float64]
Label = str | None


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.flags.writeable = False
    return a


#: How the row of value no touch took credit for is named, in every table.
UNATTRIBUTED = "unattributed"


def _text(label: Label) -> str:
    return "(not recorded)" if label is None else str(label)


@attrs.frozen
class Unattributed:
    """Value and number of conversions no touch could take credit for.

    Examples
    --------
    >>> Unattributed(value=12.5, conversions=1)
    Unattributed(value=12.5, conversions=1)
    """

    value: float
    conversions: int


def _model_label(model: AttributionModel) -> str:
    return model.name or type(model).__name__


@attrs.frozen(eq=False)
class CreditTable:
    """Credit per label of one dimension (result of :meth:`Attribution.by`).

    Attributes
    ----------
    dimension : str
        ``"source"``, ``"channel"``, ``"campaign"`` or ``"method"``.
    labels : tuple of str or None
        The labels, in category order; None (label not recorded) last when present.
    value, conversions : float64 ndarray
        Value credit and conversion-count credit of every label.
    unattributed_value : float
        Value no touch took credit for.
    unattributed_conversions : int
        Conversions with no eligible touch.
    model : AttributionModel
        The model that made the credit.
    currency : str or None
        Currency of the value credit (None: counts or unknown).

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
    ...     conversion_journey_id=[1], conversion_time=[3], conversion_value=[100.0], unit="s")
    >>> tc.attribute(js, "linear").by("channel").to_dict()
    {'email': 50.0, 'seo': 50.0}
    """

    dimension: str
    labels: tuple[Label, ...]
    value: FloatArray
    unattributed_value: float
    unattributed_conversions: int
    model: AttributionModel
    # the conversion-count column is summed on first use (most callers read values)
    _count_conversions: Callable[[], FloatArray] = attrs.field(repr=False)
    currency: str | None = None
    _cache: dict[str, FloatArray] = attrs.field(factory=dict, init=False, repr=False)

    @property
    def conversions(self) -> FloatArray:
        """Conversion-count credit of every label."""
        if "conversions" not in self._cache:
            self._cache["conversions"] = self._count_conversions()
        return self._cache["conversions"]

    def to_dict(self, what: str = "value") -> dict[Label, float]:
        """Credit per label: ``"value"`` (default) or ``"conversions"``.

        Raises
        ------
        ValueError
            When ``what`` is neither.
        """
        if what not in ("value", "conversions"):
            raise ValueError(f"'what' must be 'value' or 'conversions', got {what!r}")
        col = self.value if what == "value" else self.conversions
        return {label: float(x) for label, x in zip(self.labels, col, strict=True)}

    def _columns(self) -> dict[str, npt.NDArray[Any]]:
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = list(self.labels)
        return {self.dimension: labels, "value": self.value, "conversions": self.conversions}

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return to_frame(self._columns(), "pandas")

    def to_polars(self) -> Any:
        """The table as a polars DataFrame (needs polars)."""
        return to_frame(self._columns(), "polars")

    def to_arrow(self) -> Any:
        """The table as a pyarrow Table (needs pyarrow)."""
        return to_frame(self._columns(), "pyarrow")

    def _rows(self) -> list[tuple[str, str, str]]:
        """Label, value and conversions as text; unattributed last when not zero."""
        rows = [
            (_text(label), f"{v:,.2f}", quantity(c))
            for label, v, c in zip(self.labels, self.value, self.conversions, strict=True)
        ]
        if self.unattributed_value or self.unattributed_conversions:
            rows.append(
                (
                    UNATTRIBUTED,
                    f"{self.unattributed_value:,.2f}",
                    quantity(self.unattributed_conversions),
                )
            )
        return rows

    def _value_header(self) -> str:
        return f"value ({self.currency})" if self.currency else "value"

    def __repr__(self) -> str:
        rows = self._rows()
        head = (self.dimension, self._value_header(), "conversions")
        widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(head)]
        lines = [
            f"CreditTable({self.model!r}, by={self.dimension!r})",
            f"  {head[0]:<{widths[0]}}  {head[1]:>{widths[1]}}  {head[2]:>{widths[2]}}",
        ]
        lines += [f"  {a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(
            (self.dimension, self._value_header(), "conversions"),
            self._rows(),
            caption=f"{self.model!r} by {self.dimension}",
            numeric=(False, True, True),
        )


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
    # derived arrays and tables, made on first use (nothing per touch unless asked for)
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def pair_credit(self) -> FloatArray:
        """Value credit of every pair: its weight times its conversion's value."""

        def make() -> FloatArray:
            value = np.repeat(self.journeys.conversion_value, self.pairs.length)
            value *= self.weights
            return _frozen(value)

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
            "touch_conversions", lambda: self._per_touch(self.conversion_weights)
        )
        return out

    def _per_touch(self, per_pair: FloatArray) -> FloatArray:
        n = self.journeys.n_touches
        return _frozen(np.bincount(self.pairs.touch, weights=per_pair, minlength=n))

    @property
    def total(self) -> float:
        """Sum of the conversion values."""
        return self.journeys.total_value

    @property
    def attributed(self) -> float:
        """Value credited to touches (``total - unattributed.value``, up to rounding)."""
        return float(self.pair_credit.sum())

    def by(self, dimension: str) -> CreditTable:
        """Credit per label of ``dimension`` ("source", "channel", "campaign", "method").

        Raises
        ------
        ValueError
            When ``dimension`` is not one of those.
        """
        if dimension not in DIMENSIONS:
            raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}; got {dimension!r}")
        table: CreditTable = self._cached("by:" + dimension, lambda: self._table(dimension))
        return table

    def _table(self, dimension: str) -> CreditTable:
        """Credit per label straight from the pairs: the pairs' label codes (cached per
        pairs object) and one bincount; the conversion-count column on first use. No
        per-touch arrays."""
        dim = self.journeys.dimension(dimension)
        k = len(dim.categories)
        codes = dim.codes
        recorded_everywhere = codes.size == 0 or int(codes.min()) >= 0
        label = _pair_labels(self.pairs, dimension, codes, k)
        value = np.bincount(label, weights=self.pair_credit, minlength=k + 1)
        labels: list[Label] = list(dim.categories)
        width = k if recorded_everywhere else k + 1
        if not recorded_everywhere:
            labels.append(None)

        conversion_weights = self.conversion_weights

        def count_conversions() -> FloatArray:
            # refers to arrays only, not to self: no reference cycle keeps results alive
            conv = np.bincount(label, weights=conversion_weights, minlength=k + 1)
            return _frozen(conv[:width].astype(np.float64, copy=False))

        return CreditTable(
            dimension=dimension,
            labels=tuple(labels),
            value=_frozen(value[:width].astype(np.float64, copy=False)),
            count_conversions=count_conversions,
            unattributed_value=self.unattributed.value,
            unattributed_conversions=self.unattributed.conversions,
            model=self.model,
            currency=self.journeys.currency,
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


def _pair_labels(pairs: Pairs, dimension: str, codes: npt.NDArray[Any], k: int) -> npt.NDArray[Any]:
    """Label code of every pair's touch; -1 (not recorded) becomes ``k``."""
    per_dim = _PAIR_LABELS.setdefault(pairs, {})
    cached = per_dim.get(dimension)
    if cached is None or cached[0] is not codes:
        label = codes[pairs.touch]
        if label.size and int(label.min()) < 0:
            label = np.where(label < 0, k, label)
        cached = (codes, _frozen(label))
        per_dim[dimension] = cached
    return cached[1]


def attribute(
    journeys: JourneySet, model: AttributionModel | str, *, fit: bool | None = None
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
    if fit or (fit is None and not m.is_fitted):
        m = m.clone().fit(journeys) if fit is None else m.fit(journeys)
    pairs = m.pairs(journeys)
    w = np.asarray(m.weights(journeys), dtype=np.float64)
    _check_weights(m, journeys, pairs, w)
    w_conv = w
    if type(m).conversion_weights is not AttributionModel.conversion_weights:
        w_conv = np.asarray(m.conversion_weights(journeys), dtype=np.float64)
        _check_weights(m, journeys, pairs, w_conv)
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
    )


def _owned(w: FloatArray) -> FloatArray:
    """``w`` read-only, copied first when it is a view or someone else's array."""
    if w.flags.writeable and w.flags.owndata:
        return _frozen(w)
    return w if not w.flags.writeable and w.base is None else _frozen(w.copy())


def _check_weights(m: AttributionModel, js: JourneySet, pairs: Pairs, w: FloatArray) -> None:
    if w.shape != (pairs.size,):
        raise ValueError(
            f"{m!r}.weights returned shape {w.shape}, expected ({pairs.size},) (one per pair)"
        )
    # fast path: NaN and negatives fail ``w >= 0``; an infinite weight makes its
    # conversion's sum infinite or NaN, which the sum check below rejects
    if w.size == 0 or bool((w >= 0).all()):
        nonempty = pairs.length > 0
        sums = np.add.reduceat(w, pairs.offsets[:-1][nonempty]) if w.size else w
        if bool((np.abs(sums - 1.0) <= 1e-9).all()):
            return
    _explain_bad_weights(m, js, pairs, w)


def _explain_bad_weights(m: AttributionModel, js: JourneySet, pairs: Pairs, w: FloatArray) -> None:
    """Raise the error that names the first bad weight (the error path only)."""
    bad = ~(w >= 0) | ~np.isfinite(w)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        c = int(pairs.conversion[k])
        raise ValueError(
            f"{m!r}.weights must be finite and >= 0; got {w[k]!r} for conversion row "
            f"{int(js.conversion_row[c])}"
        )
    nonempty = pairs.length > 0
    if w.size:
        sums = np.add.reduceat(w, pairs.offsets[:-1][nonempty])
        off = np.abs(sums - 1.0) > 1e-9
        if off.any():
            c = int(np.flatnonzero(nonempty)[np.flatnonzero(off)[0]])
            raise ValueError(
                f"{m!r}.weights must sum to 1 per conversion; conversion row "
                f"{int(js.conversion_row[c])} sums to {float(sums[off][0])!r}"
            )


@attrs.frozen(eq=False)
class Comparison:
    """Credit per label under several models (result of :func:`compare`).

    Attributes
    ----------
    by : str
        The dimension.
    labels : tuple of str or None
        Row labels.
    models : tuple of AttributionModel
        Column models (fitted when data-driven).
    values : float64 ndarray, shape (k, m)
        Value credit of label ``i`` under model ``j``.
    unattributed : float64 ndarray, shape (m,)
        Unattributed value per model.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
    ...     conversion_journey_id=[1], conversion_time=[3], unit="s")
    >>> tc.compare(js, ["first_touch", "linear"]).to_dict()
    {'first_touch': {'email': 0.0, 'seo': 1.0}, 'linear': {'email': 0.5, 'seo': 0.5}}
    """

    by: str
    labels: tuple[Label, ...]
    models: tuple[AttributionModel, ...]
    values: FloatArray
    unattributed: FloatArray

    @property
    def names(self) -> tuple[str, ...]:
        """Column names: the registry names, or reprs when names repeat."""
        names = tuple(_model_label(m) for m in self.models)
        if len(set(names)) < len(names):
            names = tuple(repr(m) for m in self.models)
        return names

    def to_dict(self) -> dict[str, dict[Label, float]]:
        """``{model name: {label: value credit}}``."""
        return {
            name: {label: float(v) for label, v in zip(self.labels, self.values[:, j], strict=True)}
            for j, name in enumerate(self.names)
        }

    def _columns(self) -> dict[str, npt.NDArray[Any]]:
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = list(self.labels)
        out: dict[str, npt.NDArray[Any]] = {self.by: labels}
        for j, name in enumerate(self.names):
            out[name] = self.values[:, j]
        return out

    def to_pandas(self) -> Any:
        """The comparison as a pandas DataFrame (one column per model)."""
        return to_frame(self._columns(), "pandas")

    def to_polars(self) -> Any:
        """The comparison as a polars DataFrame."""
        return to_frame(self._columns(), "polars")

    def to_arrow(self) -> Any:
        """The comparison as a pyarrow Table."""
        return to_frame(self._columns(), "pyarrow")

    def _rows(self) -> list[list[str]]:
        """Label and one value per model as text; unattributed last when not all zero."""
        rows = [
            [_text(label), *(f"{v:,.2f}" for v in self.values[i])]
            for i, label in enumerate(self.labels)
        ]
        if bool(np.any(self.unattributed != 0)):
            rows.append([UNATTRIBUTED, *(f"{v:,.2f}" for v in self.unattributed)])
        return rows

    def __repr__(self) -> str:
        head = [self.by, *self.names]
        rows = self._rows()
        widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(head)]

        def line(cells: Sequence[str]) -> str:
            first = f"{cells[0]:<{widths[0]}}"
            rest = (f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))
            return "  " + "  ".join([first, *rest])

        return "\n".join([f"Comparison(by={self.by!r})", line(head), *map(line, rows)])

    def _repr_html_(self) -> str:
        return html_table(
            [self.by, *self.names],
            self._rows(),
            numeric=[False, *([True] * len(self.names))],
        )


def compare(
    journeys: JourneySet,
    models: Iterable[AttributionModel | str] | str,
    *,
    by: str = "channel",
    progress: bool | None = None,
) -> Comparison:
    """Credit per label of ``by`` under several models, side by side.

    Parameters
    ----------
    journeys : JourneySet
    models : iterable of AttributionModel or str, or "all"
        Models or registry names; ``"all"``: every registered model
        (:func:`touchcredit.models.available`), with its default parameters.
    by : str
        Dimension: "channel" (default), "source", "campaign" or "method".
    progress : bool, optional
        A bar over the models when the run is long (see
        :func:`touchcredit.core.progress.progress_bar`; ``TOUCHCREDIT_PROGRESS=0`` turns
        every bar off).

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        When no model is given or ``by`` is unknown.
    TypeError
        When ``models`` is a single string other than ``"all"``.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
    ...     conversion_journey_id=[1], conversion_time=[3], unit="s")
    >>> tc.compare(js, ["last_touch"]).values.tolist()
    [[1.0], [0.0]]
    """
    if isinstance(models, str):
        if models != "all":
            raise TypeError(
                f"'models' must be a list of models or names, or 'all'; got the string "
                f"{models!r} (for one model write [{models!r}])"
            )
        models = available()
    ms: Sequence[AttributionModel] = models_from(models)
    if not ms:
        raise ValueError("'models' must name at least one model")
    tables = []
    with progress_bar(len(ms), "compare", progress=progress, unit="model") as bar:
        for m in ms:
            bar.update(0, label=_model_label(m))
            tables.append(attribute(journeys, m).by(by))
            bar.update()
    values = np.stack([t.value for t in tables], axis=1) if tables else np.zeros((0, 0))
    return Comparison(
        by=by,
        labels=tables[0].labels,
        models=tuple(t.model for t in tables),
        values=_frozen(values),
        unattributed=_frozen(np.array([t.unattributed_value for t in tables])),
    )
