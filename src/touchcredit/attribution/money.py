"""Exact money: attribution credit in integer minor units (cents) that reconciles exactly.

Attribution weights are floats; finance reconciles to the cent. This module turns the
float split of every conversion into whole minor units by the **largest-remainder
method** (Hamilton's method): each (conversion, touch) pair first gets the floor of its
exact share ``weight * amount``; the cents still missing from the conversion's amount
go, one each, to the pairs with the largest fractional remainders. So the pairs of
every conversion sum *exactly* to its amount, per-touch credits plus the unattributed
bucket sum exactly to the total, and no pair is ever off its exact share by a cent or
more.

How exact amounts are carried
-----------------------------
A :class:`~touchcredit.JourneySet` stores conversion values as float64. A value given
as :class:`decimal.Decimal` (``Decimal("10.01")``) or as a float with at most
``decimals`` decimal places is recovered exactly: ``value * 10**decimals`` is rounded
to the nearest integer, after checking that it is within ``4 ε |x|`` of it (ε the float64
epsilon) and below 2**50, where a float still tells half a unit from rounding noise. A
value that is not (``10.005`` at two decimals, ``1/3``, ``3e12 + 0.005``, ``1e-30``) is
an error naming the conversion row, never a silent rounding. To hand over exact
integer amounts instead, pass ``minor_amounts`` (integer minor units per conversion, in
input row order); they are checked against the float values. Amounts up to 2**53 minor
units in total are exact (about 90 trillion at two decimals).

Ties between equal remainders go to the earlier touch (lower position in the
conversion's run), so the result is deterministic; remainders closer than 2**-32 of a
unit count as equal, so that shares equal by design are not ordered by float noise.

Currencies are never mixed: a JourneySet holds one currency (``currency``), and asking
for another one is an error until the amounts are converted.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet

__all__ = ["MinorUnits", "allocate", "minor_units", "to_minor"]


#: Largest total (in minor units) that float64 and int64 sums carry exactly.
MAX_EXACT = 2**53
_EPS = float(np.finfo(np.float64).eps)
_MAX_SINGLE = 2**50  # minor units: above, a float cannot tell half a unit from noise


def _check_decimals(decimals: int) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int | np.integer):
        raise TypeError(f"'decimals' must be an int, got {type(decimals).__name__} {decimals!r}")
    if not 0 <= int(decimals) <= 9:
        raise ValueError(f"'decimals' must be between 0 and 9, got {decimals!r}")
    return int(decimals)


def to_minor(
    values: Any,
    decimals: int = 2,
    *,
    field: str = "conversion_value",
    rows: npt.ArrayLike | None = None,
) -> IntArray:
    """Exact integer minor units of amounts given as floats, ints or Decimals.

    Parameters
    ----------
    values : array-like of float, int or Decimal
        Amounts in major units (``10.01`` dollars). Decimals are converted exactly.
    decimals : int
        Number of minor-unit digits (2 for cents, 0 for yen, 3 for dinars).
    field : str
        Name used in error messages.
    rows : array-like of int, optional
        Row number to report for each value (its input row); ``arange`` when None.

    Returns
    -------
    int64 ndarray
        ``values * 10**decimals`` as exact integers.

    Raises
    ------
    ValueError
        When a value is negative, not finite, or not a whole number of minor units,
        naming the field and the row.

    Examples
    --------
    >>> from decimal import Decimal
    >>> to_minor([10.01, 0.1 + 0.2, 3]).tolist()
    [1001, 30, 300]
    >>> to_minor([Decimal("10.01"), Decimal("0.005")], decimals=3).tolist()
    [10010, 5]
    >>> to_minor([1.0, 10.005])
    Traceback (most recent call last):
    ...
    ValueError: 'conversion_value' must be a whole number of minor units ... row 2 is 10.005 ...
    """
    decimals = _check_decimals(decimals)
    seq = values.tolist() if isinstance(values, np.ndarray) else list(values)
    row_of = np.arange(len(seq)) if rows is None else np.asarray(rows).reshape(-1)
    scale = 10**decimals
    if any(isinstance(v, decimal.Decimal) for v in seq):
        out = np.empty(len(seq), dtype=np.int64)
        for i, v in enumerate(seq):  # Decimal input: small, exact by nature
            if isinstance(v, decimal.Decimal):
                if not v.is_finite() or v < 0:
                    raise ValueError(
                        f"{field!r} must be finite and >= 0; row {int(row_of[i]) + 1} is {v!r}"
                    )
                scaled = v.scaleb(decimals)
                if scaled != scaled.to_integral_value():
                    raise ValueError(
                        f"{field!r} must be a whole number of minor units at decimals="
                        f"{decimals}; row {int(row_of[i]) + 1} is {v!r}; round the amounts first"
                    )
                out[i] = int(scaled)
            else:
                out[i] = to_minor([v], decimals, field=field, rows=[row_of[i]])[0]
        return out
    arr = np.asarray(seq, dtype=np.float64) if seq else np.zeros(0, dtype=np.float64)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{field!r} must be finite and >= 0; row {int(row_of[k]) + 1} is {float(arr[k])!r}"
        )
    x = arr * scale
    k_int = np.rint(x)
    off = (np.abs(x - k_int) > 4 * _EPS * np.abs(x)) | (x > _MAX_SINGLE)
    if off.any():
        k = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"{field!r} must be a whole number of minor units at decimals={decimals}; "
            f"row {int(row_of[k]) + 1} is {float(arr[k])!r} ({float(x[k])!r} minor units); round "
            "the amounts first or pass exact minor_amounts"
        )
    if k_int.size and float(k_int.sum()) > MAX_EXACT:
        raise ValueError(
            f"{field!r} totals {float(k_int.sum()):.6g} minor units, above 2**53; "
            "exact cents cannot be guaranteed"
        )
    out_int: IntArray = k_int.astype(np.int64)
    return out_int


def allocate(weights: FloatArray, offsets: IntArray, amounts: IntArray) -> IntArray:
    """Split integer amounts over weighted segments by the largest-remainder method.

    Segment ``s`` (elements ``offsets[s]:offsets[s + 1]``) shares ``amounts[s]``; element
    ``i`` gets ``floor(w_i / W_s * amounts[s])`` plus one unit if its remainder is among
    the ``amounts[s] - sum(floors)`` largest of its segment (ties: earlier element
    first; remainders closer than 2**-32 of a unit count as ties). Vectorized: one
    stable sort on a packed (segment, remainder) key, no loop over segments.

    Parameters
    ----------
    weights : float64 ndarray, length P
        Non-negative weights; only their proportions inside a segment matter.
    offsets : int64 ndarray, length S + 1
        CSR offsets of the segments.
    amounts : int64 ndarray, length S
        Integer amount of every segment. Empty segments receive nothing (their amount
        is the caller's to report as unattributed).

    Returns
    -------
    int64 ndarray, length P
        Integer share of every element; each non-empty segment sums exactly to its
        amount and every share is within one unit of its exact share.

    Raises
    ------
    ValueError
        On negative or non-finite weights, or a non-empty segment whose weights sum to 0.

    Examples
    --------
    >>> allocate(np.array([1, 1, 1.0]), np.array([0, 3]), np.array([100])).tolist()
    [34, 33, 33]
    >>> allocate(np.array([0.5, 0.25, 0.25, 1.0]), np.array([0, 3, 3, 4]),
    ...          np.array([1001, 7, 5])).tolist()
    [501, 250, 250, 5]
    """
    w = np.asarray(weights, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    amounts = np.asarray(amounts, dtype=np.int64)
    n_seg = offsets.size - 1
    if amounts.shape != (n_seg,):
        raise ValueError(
            f"'amounts' has {amounts.size} entries, expected {n_seg} (one per segment)"
        )
    if w.size != int(offsets[-1]):
        raise ValueError(f"'weights' has {w.size} entries, expected {int(offsets[-1])}")
    if w.size == 0:
        return np.zeros(0, dtype=np.int64)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"weights must be finite and >= 0; pair {k} has weight {float(w[k])!r}")
    seg = _segments.segment_ids(offsets)
    total_w = _segments.segment_sum(w, offsets)
    length = np.diff(offsets)
    dead = (length > 0) & (total_w <= 0) & (amounts > 0)
    if dead.any():
        s = int(np.flatnonzero(dead)[0])
        raise ValueError(f"segment {s} has weights summing to 0; cannot split {amounts[s]}")
    safe_w = np.where(total_w > 0, total_w, 1.0)
    exact = w / safe_w[seg] * amounts[seg].astype(np.float64)
    floor = np.floor(exact)
    remainder = exact - floor
    share = floor.astype(np.int64)
    seg_floor = np.bincount(seg, weights=floor, minlength=n_seg).astype(np.int64)
    # Float error can only move the shortfall by a unit; clip keeps it inside [0, length].
    short = np.clip(amounts - seg_floor, 0, length)
    # Rank of each remainder inside its segment: largest first, ties by position.
    position = np.arange(w.size, dtype=np.int64)
    order = _rank_order(seg, remainder, n_seg)
    rank = np.empty(w.size, dtype=np.int64)
    rank[order] = position - offsets[seg[order]]
    share += rank < short[seg]
    # Defensive: with proportions the identity below always holds; never return a
    # split that does not add up.
    over = np.bincount(seg, weights=share, minlength=n_seg).astype(np.int64) - amounts
    over[length == 0] = 0
    if (over != 0).any():
        raise ArithmeticError(
            f"largest-remainder allocation did not reconcile (segment "
            f"{int(np.flatnonzero(over)[0])}); weights are not proportions"
        )
    return share


def _rank_order(seg: IntArray, remainder: FloatArray, n_seg: int) -> IntArray:
    """Order of the elements by (segment, remainder descending, position).

    Remainders are compared at a resolution of 2**-32 of a unit: shares that are equal
    by design but differ in their last float bits (1/3 computed two ways) count as
    equal and go by position instead of by rounding noise. Packing the segment and the
    quantised remainder into one int64 key makes this a single stable argsort, several
    times faster than a three-key lexsort on large inputs.
    """
    if n_seg >= 2**31:  # the packed key needs the segment in 31 bits
        return np.lexsort((np.arange(seg.size), -_quantize(remainder), seg)).astype(np.int64)
    key = (seg << 32) | (2**32 - 1 - _quantize(remainder))
    return np.argsort(key, kind="stable").astype(np.int64, copy=False)


def _quantize(remainder: FloatArray) -> IntArray:
    """Remainders in [0, 1) as integers in [0, 2**32 - 1] (2**-32 resolution)."""
    return np.floor(np.clip(remainder, 0.0, 1.0) * (2**32 - 1)).astype(np.int64)


@attrs.frozen(eq=False, repr=False)
class MinorUnits:
    """Attribution credit in exact integer minor units (cents).

    Attributes
    ----------
    touch : int64 ndarray, length N
        Credit of every touch (JourneySet touch order), in minor units.
    pair : int64 ndarray, length P
        Credit of every (conversion, touch) pair; the pairs of a conversion sum
        exactly to its amount.
    amounts : int64 ndarray, length M
        Amount of every conversion (JourneySet conversion order), in minor units.
    unattributed : int
        Minor units of the conversions with no eligible touch.
    total : int
        Sum of ``amounts``; always ``touch.sum() + unattributed``.
    decimals : int
        Minor-unit digits (2: cents).
    currency : str or None
        Currency of the amounts.
    journeys : JourneySet
        The journeys the touches belong to (for :meth:`by`).

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 1], timestamp=[0, 1, 2],
    ...     channel=["a", "b", "a"], conversion_journey_id=[1, 2],
    ...     conversion_time=[5, 5], conversion_value=[10.0, 2.5], currency="EUR", unit="s")
    >>> p = js.pairs()
    >>> mu = minor_units(js, p, np.full(p.size, 1 / 3))
    >>> mu.touch.tolist(), mu.unattributed, mu.total
    ([334, 333, 333], 250, 1250)
    >>> mu.by("channel")
    {'a': 667, 'b': 333}
    >>> mu
    MinorUnits(total=12.50 EUR, attributed=10.00, unattributed=2.50, 3 touches)
    """

    touch: IntArray
    pair: IntArray
    amounts: IntArray
    unattributed: int
    total: int
    decimals: int
    currency: str | None
    journeys: JourneySet

    @property
    def attributed(self) -> int:
        """Minor units credited to touches (``total - unattributed``)."""
        return self.total - self.unattributed

    def by(self, dimension: str) -> dict[str | None, int]:
        """Minor units per label of ``dimension`` ("source", "channel", ...).

        Every category of the column appears (0 when it earned nothing); ``None``
        collects touches whose label was not recorded. The values sum exactly to
        :attr:`attributed`.

        Parameters
        ----------
        dimension : {"source", "channel", "campaign", "method"}
            The label column to total by.

        Returns
        -------
        dict of str or None to int
            Minor units per label.

        Raises
        ------
        ValueError
            When ``dimension`` is not a label column.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["seo", None], conversion_journey_id=[1], conversion_time=[2], unit="s")
        >>> p = js.pairs()
        >>> minor_units(js, p, np.array([0.5, 0.5])).by("channel")
        {'seo': 50, None: 50}
        """
        dim = self.journeys.dimension(dimension)
        k = len(dim.categories)
        idx = np.where(dim.codes < 0, k, dim.codes).astype(np.int64)
        sums = np.bincount(idx, weights=self.touch, minlength=k + 1).astype(np.int64)
        out: dict[str | None, int] = {
            c: int(v) for c, v in zip(dim.categories, sums[:k].tolist(), strict=True)
        }
        if (dim.codes < 0).any():
            out[None] = int(sums[k])
        return out

    def format(self, amount: int) -> str:
        """``amount`` minor units as a plain decimal string (``1001`` -> ``"10.01"``).

        Parameters
        ----------
        amount : int
            An amount in minor units (for instance :attr:`total`).

        Returns
        -------
        str
            The exact decimal amount, without a currency.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["a"], unit="s")
        >>> minor_units(js, js.pairs(), np.zeros(0)).format(1001)
        '10.01'
        """
        return str(decimal.Decimal(int(amount)).scaleb(-self.decimals))

    def __repr__(self) -> str:
        cur = f" {self.currency}" if self.currency else ""
        return (
            f"MinorUnits(total={self.format(self.total)}{cur}, "
            f"attributed={self.format(self.attributed)}, "
            f"unattributed={self.format(self.unattributed)}, {self.touch.size} touches)"
        )


def minor_units(
    journeys: JourneySet,
    pairs: Pairs,
    weights: FloatArray,
    *,
    decimals: int = 2,
    currency: str | None = None,
    minor_amounts: Sequence[int] | npt.NDArray[np.integer] | None = None,
) -> MinorUnits:
    """Exact integer credit (minor units) from a model's pairs and weights.

    This is what :meth:`touchcredit.Attribution.to_minor_units` returns.

    Parameters
    ----------
    journeys : JourneySet
        The journeys attributed.
    pairs : Pairs
        The (conversion, touch) pairs the weights belong to.
    weights : float64 ndarray
        One weight per pair, >= 0, summing to 1 per conversion with pairs.
    decimals : int
        Minor-unit digits (2: cents).
    currency : str, optional
        The currency the caller expects. An error when the journeys carry a
        different one (amounts must be converted first, never mixed).
    minor_amounts : sequence of int, optional
        Exact integer amount of every conversion in minor units, in input row order
        (the order given to the builder). Checked against the float values.

    Returns
    -------
    MinorUnits

    Raises
    ------
    ValueError
        On a currency mismatch, amounts that are not whole minor units, or
        ``minor_amounts`` that disagree with the conversion values.

    Examples
    --------
    >>> from decimal import Decimal
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 1], timestamp=[0, 1, 2],
    ...     channel=["a", "b", "c"], conversion_journey_id=[1], conversion_time=[3],
    ...     conversion_value=[Decimal("10.01")], currency="USD", unit="s")
    >>> p = js.pairs()
    >>> minor_units(js, p, np.full(3, 1 / 3)).touch.tolist()
    [334, 334, 333]
    >>> minor_units(js, p, np.full(3, 1 / 3), currency="EUR")
    Traceback (most recent call last):
    ...
    ValueError: the journeys are in USD, not EUR; convert the amounts to one currency first
    """
    decimals = _check_decimals(decimals)
    if currency is not None and journeys.currency is not None and currency != journeys.currency:
        raise ValueError(
            f"the journeys are in {journeys.currency}, not {currency}; convert the amounts "
            "to one currency first"
        )
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (pairs.size,):
        raise ValueError(f"'weights' has {w.size} entries, expected {pairs.size} (one per pair)")
    amounts = to_minor(journeys.conversion_value, decimals, rows=journeys.conversion_row)
    if minor_amounts is not None:
        amounts = _exact_amounts(minor_amounts, amounts, journeys, decimals)
    pair = allocate(w, pairs.offsets, amounts)
    # float64 sums of integers are exact below 2**53, which to_minor guarantees.
    touch = np.bincount(pairs.touch, weights=pair, minlength=journeys.n_touches)
    unattributed = int(amounts[pairs.length == 0].sum())
    return MinorUnits(
        touch=touch.astype(np.int64),
        pair=pair,
        amounts=amounts,
        unattributed=unattributed,
        total=int(amounts.sum()),
        decimals=decimals,
        currency=journeys.currency if journeys.currency is not None else currency,
        journeys=journeys,
    )


def _exact_amounts(
    given: Sequence[int] | npt.NDArray[np.integer],
    from_values: IntArray,
    journeys: JourneySet,
    decimals: int,
) -> IntArray:
    arr = np.asarray(given)
    m = journeys.n_conversions
    if arr.shape != (m,):
        raise ValueError(f"'minor_amounts' has {arr.size} entries, expected {m}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"'minor_amounts' must hold integers, got dtype {arr.dtype}")
    exact = arr.astype(np.int64)[journeys.conversion_row]  # input row order -> set order
    if (exact < 0).any():
        k = int(np.flatnonzero(exact < 0)[0])
        raise ValueError(
            f"'minor_amounts' must be >= 0; row {int(journeys.conversion_row[k]) + 1} is "
            f"{int(exact[k])}"
        )
    # A float value cannot hold more than ~15.9 digits; beyond that the float is only
    # required to be the nearest double to the exact amount.
    tol = np.floor(np.abs(exact) * 4 * _EPS).astype(np.int64)
    off = np.abs(exact - from_values) > tol
    if off.any():
        k = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"'minor_amounts' row {int(journeys.conversion_row[k]) + 1} is {int(exact[k])} but "
            f"'conversion_value' is {float(journeys.conversion_value[k])!r} "
            f"({int(from_values[k])} minor units at decimals={decimals})"
        )
    return exact
