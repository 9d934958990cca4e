"""Shapley-value attribution over coalitions of channels.

The players are the channels. ``R(T)`` is what the paths whose set of distinct
channels is exactly ``T`` brought in (their conversions, their value, or their
conversion rate). The coalition value is the total of every coalition contained in
``S``: ``v(S) = sum_{T subset of S} R(T)`` (Zhao et al. 2018, "Shapley Value
Methods for Attribution Modeling in Online Advertising", arXiv:1804.05327), so
``v(all channels)`` is the grand total and the values add up to it (efficiency).
The classic Shapley value

    phi_i = sum_{S subset of N-{i}} |S|! (n-|S|-1)! / n! * (v(S+{i}) - v(S))

is computed exactly over bitmask coalitions with fast subset-sum (zeta) transforms.
Since ``R`` is the Moebius transform of ``v`` (the Harsanyi dividends), the same
numbers also equal Zhao et al.'s simplified form ``phi_j = sum_{T containing j}
R(T) / |T|`` (Harsanyi 1963), which needs no enumeration of the 2^n coalitions.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, Literal, Self

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import (
    Label,
    ShapleyCounts,
    extract_paths,
    fit_measure_scales,
    share_credit,
    wsum,
)
from touchcredit.models.base import register
from touchcredit.models.fitted_shares import FittedShareModel
from touchcredit.models.parameters import choice, integer

__all__ = ["ShapleyCounts", "ShapleyModel"]


_METHODS = ("exact", "simplified", "sampled")
_VALUES = ("conversions", "value", "rate")


def _bitmasks(sets: ShapleyCounts) -> npt.NDArray[np.int64]:
    """One int64 bitmask per set (bit c = channel c); fewer than 63 channels."""
    size = np.diff(sets.offsets)
    masks = np.zeros(sets.n_sets, dtype=np.int64)
    nonempty = size > 0
    if sets.codes.size:
        bits = np.left_shift(np.int64(1), sets.codes.astype(np.int64))
        masks[nonempty] = np.bitwise_or.reduceat(bits, sets.offsets[:-1][nonempty])
    return masks


def shapley_exact(sets: ShapleyCounts, worth: FloatArray) -> FloatArray:
    """Classic Shapley values over all 2^n coalitions (n = ``len(sets.channels)``).

    ``v`` is the subset-sum (zeta) transform of ``worth`` placed at each set's
    bitmask; then ``phi_i`` sums the weighted marginal contributions over the
    coalitions without ``i``, one vectorized pass per channel.
    """
    n = len(sets.channels)
    size = 1 << n
    v = np.bincount(_bitmasks(sets), weights=worth, minlength=size).astype(np.float64)
    for i in range(n):
        view = v.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]
    pop = np.zeros(size, dtype=np.int64)
    idx = np.arange(size, dtype=np.int64)
    for i in range(n):
        pop += (idx >> i) & 1
    fact = [math.factorial(k) for k in range(n + 1)]
    w = np.array([fact[s] * fact[n - s - 1] / fact[n] for s in range(n)], dtype=np.float64)
    phi = np.empty(n, dtype=np.float64)
    for i in range(n):
        view = v.reshape(-1, 2, 1 << i)
        sizes = pop.reshape(-1, 2, 1 << i)[:, 0, :]
        phi[i] = float((w[sizes] * (view[:, 1, :] - view[:, 0, :])).sum())
    return phi


def shapley_simplified(sets: ShapleyCounts, worth: FloatArray) -> FloatArray:
    """``phi_j = sum over sets T containing j of worth(T) / |T|`` (Zhao et al. 2018).

    Linear in the stored memberships (the sum of the set sizes).
    """
    size = np.diff(sets.offsets).astype(np.float64)
    share = np.divide(worth, size, out=np.zeros_like(worth), where=size > 0)
    return wsum(sets.codes.astype(np.int64), np.repeat(share, np.diff(sets.offsets)),
                len(sets.channels))  # fmt: skip


def shapley_sampled(
    sets: ShapleyCounts, worth: FloatArray, n_permutations: int, seed: int
) -> FloatArray:
    """Monte Carlo Shapley values from random channel orders (seeded).

    In one order a coalition's marginal gain from channel ``i`` is the worth of the
    sets whose last member (in that order) is ``i``; averaging over orders estimates
    ``phi``. Each order costs one pass over the stored memberships.
    """
    n = len(sets.channels)
    rng = np.random.default_rng(seed)
    phi = np.zeros(n, dtype=np.float64)
    size = np.diff(sets.offsets)
    live = size > 0
    starts = sets.offsets[:-1][live]
    codes = sets.codes.astype(np.int64)
    w = worth[live]
    batch = max(1, min(n_permutations, 5_000_000 // max(1, codes.size + n)))
    done = 0
    while done < n_permutations:
        b = min(batch, n_permutations - done)
        order = np.argsort(rng.random((b, n)), axis=1)  # channel at each rank
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(n)[None, :], axis=1)  # rank of each channel
        if codes.size:
            top = np.maximum.reduceat(rank[:, codes], starts, axis=1)  # (b, sets)
            last = np.take_along_axis(order, top, axis=1)
            phi += np.bincount(last.reshape(-1), weights=np.tile(w, b), minlength=n)
        done += b
    return phi / n_permutations


def _coalition_value(value: Any) -> str:
    return choice(value, field="coalition_value", options=_VALUES)


def _method(value: Any) -> str:
    return choice(value, field="method", options=_METHODS)


def _max_channels(value: Any) -> int:
    return integer(value, field="max_channels", low=1, high=30)


def _n_permutations(value: Any) -> int:
    return integer(value, field="n_permutations", low=1)


def _seed(value: Any) -> int:
    return integer(value, field="seed")


@register(name="shapley")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class ShapleyModel(FittedShareModel):
    """Data-driven attribution by Shapley values over channel coalitions.

    ``R(T)`` is the worth of the paths (one per conversion, one per journey without
    conversions) whose distinct channels are exactly ``T``: their conversions
    (``"conversions"``), their conversion value (``"value"``) or their conversion
    rate, conversions / paths (``"rate"``). The coalition value is
    ``v(S) = sum of R(T) for T subset of S`` (Zhao et al. 2018) and the channel
    values are the classic Shapley values; a channel's credit is the total times
    ``phi_c / sum(phi)``.

    Per-touch weights: a conversion's share goes to the distinct channels on its
    path in proportion to fitted per-channel scales (then equally over each
    channel's touches), so that the value credited to every channel on the fitted
    journeys is its credit. For ``"value"`` (and for ``"conversions"`` when all
    values are equal) the scales are all 1: each conversion is split equally over
    its distinct channels, which is exactly Zhao et al.'s form.

    Parameters
    ----------
    coalition_value : {"conversions", "value", "rate"}
        What ``R(T)`` measures.
    method : {"exact", "simplified", "sampled"}
        ``"exact"``: classic formula over all 2^n bitmask coalitions (up to
        ``max_channels`` channels). ``"simplified"``: Zhao et al.'s form, the same
        numbers for any number of channels. ``"sampled"``: a seeded Monte Carlo
        estimate over ``n_permutations`` random channel orders.
    max_channels : int
        Largest channel count ``"exact"`` accepts (2^n coalitions are enumerated).
    n_permutations, seed : int
        For ``"sampled"``.
    lookback, exclude_channels, exclude_sources
        As in :class:`~touchcredit.AttributionModel`.

    Attributes
    ----------
    channels_ : tuple of str or None
        Channel labels, sorted.
    values_ : dict
        Shapley value of every channel (in units of ``coalition_value``).
    shares_ : dict
        ``phi_c / sum(phi)``.
    counts_ : ShapleyCounts
        The channel-set table the model was fitted on.
    credit_scale_, credit_gap_, conversion_scale_, conversion_gap_
        Per-touch weighting state for value and for conversion counts, as for
        :class:`~touchcredit.models.MarkovModel`. With ``coalition_value="rate"`` a
        ``credit_gap_`` above 1e-6 is warned about.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=[0, 1, 0, 0],
    ...     channel=["a", "b", "b", "a"],
    ...     conversion_journey_id=[1, 2, 3], conversion_time=[1, 0, 0], unit="s")
    >>> ShapleyModel().fit(js).values_
    {'a': 1.5, 'b': 1.5}
    """

    count_types = (ShapleyCounts,)

    coalition_value: Literal["conversions", "value", "rate"] = attrs.field(
        default="conversions",
        converter=_coalition_value,
    )
    method: Literal["exact", "simplified", "sampled"] = attrs.field(
        default="exact", converter=_method
    )
    max_channels: int = attrs.field(default=20, converter=_max_channels)
    n_permutations: int = attrs.field(default=2000, converter=_n_permutations)
    seed: int = attrs.field(default=0, converter=_seed)

    if TYPE_CHECKING:  # learned in fit (declared for type checkers, not attrs fields)
        counts_: ShapleyCounts
        values_: dict[Label, float]
        shares_: dict[Label, float]

    def _warn_gap(self, gap: float) -> None:
        # rates are not sums over paths: no per-touch split need reproduce their shares
        if self.coalition_value == "rate" and gap > 1e-6:
            warnings.warn(
                f"coalition_value='rate': the per-touch weights reproduce the channel credit "
                f"only up to credit_gap_ = {gap:.3g} of the total (rates are not sums over "
                "journeys); model.credit(journeys) gives the exact channel totals",
                UserWarning,
                stacklevel=4,
            )

    def count(self, journeys: JourneySet) -> ShapleyCounts:
        """Paths of ``journeys`` grouped by channel set (additive sufficient statistics).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0], unit="s")
        >>> m = ShapleyModel()
        >>> (m.count(js.select([0])) + m.count(js.select([1]))).channels
        ('a', 'b')
        """
        return ShapleyCounts.from_paths(extract_paths(self, journeys))

    def fit(self, journeys: JourneySet) -> Self:
        """Learn the Shapley values from ``journeys``; returns ``self``.

        Raises
        ------
        ValueError
            With ``method="exact"`` and more than ``max_channels`` channels (checked
            before the channel sets are counted).
        """
        paths = extract_paths(self, journeys)
        self._check_size(len(paths.channels))
        return self.fit_counts(ShapleyCounts.from_paths(paths))

    def _check_size(self, n: int) -> None:
        if self.method == "exact" and n > self.max_channels:
            raise ValueError(
                f"exact Shapley values over {n:,} channels would enumerate 2^{n} coalitions "
                f"(max_channels={self.max_channels}); merge rare channels, use "
                "method='simplified' (the same values, any number of channels) or "
                "method='sampled' with a seed for a Monte Carlo estimate"
            )

    def fit_counts(self, counts: ShapleyCounts) -> Self:
        """Learn from already counted (and possibly merged) :class:`ShapleyCounts`.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
        >>> m = ShapleyModel()
        >>> m.fit_counts(m.count(js)).values_
        {'a': 0.5, 'b': 0.5}
        """
        n = len(counts.channels)
        self._check_size(n)
        if self.coalition_value == "conversions":
            worth = counts.conversions
        elif self.coalition_value == "value":
            worth = counts.value
        else:
            paths = counts.conversions + counts.nulls
            worth = np.divide(counts.conversions, paths, out=np.zeros_like(paths), where=paths > 0)
        if self.method == "exact":
            phi = shapley_exact(counts, worth)
        elif self.method == "simplified":
            phi = shapley_simplified(counts, worth)
        else:
            phi = shapley_sampled(counts, worth, self.n_permutations, self.seed)
        total = float(phi.sum())
        shares = phi / total if total > 0 else np.zeros(n)
        scale, gap, c_scale, c_gap = fit_measure_scales(counts, shares)
        self._warn_gap(gap)
        self._set_learned(
            counts_=counts,
            channels_=counts.channels,
            values_=dict(zip(counts.channels, phi.tolist(), strict=True)),
            shares_=dict(zip(counts.channels, shares.tolist(), strict=True)),
            credit_scale_=scale,
            credit_gap_=gap,
            conversion_scale_=c_scale,
            conversion_gap_=c_gap,
        )
        return self

    def credit(
        self, journeys: JourneySet, what: Literal["value", "conversions"] = "value"
    ) -> dict[Label, float]:
        """Channel credit: attributable total of ``journeys`` times ``phi_c / sum(phi)``.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1],
        ...     conversion_value=[10.0], unit="s")
        >>> ShapleyModel().fit(js).credit(js)
        {'a': 5.0, 'b': 5.0}
        """
        return share_credit(self, journeys, self.shares_, what)
