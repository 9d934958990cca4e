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

import datetime as dt
import math
from collections.abc import Iterable
from typing import Literal, Self

import numpy as np
import numpy.typing as npt

from touchcredit.core.store import JourneySet
from touchcredit.models._credit import (
    Label,
    ShapleyCounts,
    extract_paths,
    fit_scale,
    scaled_weights,
    share_credit,
)
from touchcredit.models.base import AttributionModel, check_is_fitted

__all__ = ["ShapleyCounts", "ShapleyModel"]

FloatArray = npt.NDArray[np.float64]

_METHODS = ("exact", "simplified", "sampled")
_VALUES = ("conversions", "value", "rate")


def _bitmasks(members: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    n = members.shape[1]
    return members.astype(np.int64) @ (np.int64(1) << np.arange(n, dtype=np.int64))


def shapley_exact(members: npt.NDArray[np.bool_], worth: FloatArray) -> FloatArray:
    """Classic Shapley values over all 2^n coalitions (``members`` has n columns).

    ``v`` is the subset-sum (zeta) transform of ``worth`` placed at each set's
    bitmask; then ``phi_i`` sums the weighted marginal contributions over the
    coalitions without ``i``, one vectorized pass per channel.
    """
    n = members.shape[1]
    size = 1 << n
    v = np.bincount(_bitmasks(members), weights=worth, minlength=size).astype(np.float64)
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


def shapley_simplified(members: npt.NDArray[np.bool_], worth: FloatArray) -> FloatArray:
    """``phi_j = sum over sets T containing j of worth(T) / |T|`` (Zhao et al. 2018)."""
    m = members.astype(np.float64)
    size = m.sum(axis=1)
    share = np.divide(worth, size, out=np.zeros_like(worth), where=size > 0)
    return np.asarray(m.T @ share, dtype=np.float64)


def shapley_sampled(
    members: npt.NDArray[np.bool_], worth: FloatArray, n_permutations: int, seed: int
) -> FloatArray:
    """Monte Carlo Shapley values from random channel orders (seeded).

    In one order a coalition's marginal gain from channel ``i`` is the worth of the
    sets whose last member (in that order) is ``i``; averaging over orders estimates
    ``phi``.
    """
    n = members.shape[1]
    rng = np.random.default_rng(seed)
    phi = np.zeros(n, dtype=np.float64)
    rows = max(1, members.shape[0])
    batch = max(1, min(n_permutations, 5_000_000 // (rows * max(n, 1))))
    done = 0
    m = members.astype(np.int64)
    while done < n_permutations:
        b = min(batch, n_permutations - done)
        rank = np.argsort(rng.random((b, n)), axis=1).argsort(axis=1) + 1  # (b, n)
        last = (m[None, :, :] * rank[:, None, :]).argmax(axis=2)  # (b, P)
        phi += np.bincount(last.reshape(-1), weights=np.tile(worth, b), minlength=n)
        done += b
    return phi / n_permutations


class ShapleyModel(AttributionModel, name="shapley"):
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
    credit_scale_, credit_gap_
        Per-touch weighting state, as for :class:`~touchcredit.models.MarkovModel`.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=[0, 1, 0, 0],
    ...     channel=["a", "b", "b", "a"],
    ...     conversion_journey_id=[1, 2, 3], conversion_time=[1, 0, 0])
    >>> ShapleyModel().fit(js).values_
    {'a': 1.5, 'b': 1.5}
    """

    learns_from_data = True

    def __init__(
        self,
        *,
        coalition_value: Literal["conversions", "value", "rate"] = "conversions",
        method: Literal["exact", "simplified", "sampled"] = "exact",
        max_channels: int = 20,
        n_permutations: int = 2000,
        seed: int = 0,
        lookback: dt.timedelta | None = None,
        exclude_channels: Iterable[str] = (),
        exclude_sources: Iterable[str] = (),
    ) -> None:
        super().__init__(
            lookback=lookback, exclude_channels=exclude_channels, exclude_sources=exclude_sources
        )
        if coalition_value not in _VALUES:
            raise ValueError(
                f"'coalition_value' must be one of {', '.join(_VALUES)}; got {coalition_value!r}"
            )
        if method not in _METHODS:
            raise ValueError(f"'method' must be one of {', '.join(_METHODS)}; got {method!r}")
        for name, val, low in (
            ("max_channels", max_channels, 1),
            ("n_permutations", n_permutations, 1),
        ):
            if isinstance(val, bool) or not isinstance(val, int) or val < low:
                raise ValueError(f"{name!r} must be an integer >= {low}, got {val!r}")
        if max_channels > 30:
            raise ValueError(f"'max_channels' must be <= 30 (2^n coalitions), got {max_channels}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"'seed' must be an integer, got {seed!r}")
        self.coalition_value = coalition_value
        self.method = method
        self.max_channels = max_channels
        self.n_permutations = n_permutations
        self.seed = seed

    def count(self, journeys: JourneySet) -> ShapleyCounts:
        """Paths of ``journeys`` grouped by channel set (additive sufficient statistics).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0])
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
            With ``method="exact"`` and more than ``max_channels`` channels.
        """
        return self.fit_counts(self.count(journeys))

    def fit_counts(self, counts: ShapleyCounts) -> Self:
        """Learn from already counted (and possibly merged) :class:`ShapleyCounts`.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1])
        >>> m = ShapleyModel()
        >>> m.fit_counts(m.count(js)).values_
        {'a': 0.5, 'b': 0.5}
        """
        n = len(counts.channels)
        members = counts.members
        if self.coalition_value == "conversions":
            worth = counts.conversions
        elif self.coalition_value == "value":
            worth = counts.value
        else:
            paths = counts.conversions + counts.nulls
            worth = np.divide(counts.conversions, paths, out=np.zeros_like(paths), where=paths > 0)
        if self.method == "exact":
            if n > self.max_channels:
                raise ValueError(
                    f"exact Shapley values over {n} channels would enumerate 2^{n} coalitions "
                    f"(max_channels={self.max_channels}); merge rare channels, use "
                    "method='simplified' (the same values, any number of channels) or "
                    "method='sampled' with a seed for a Monte Carlo estimate"
                )
            phi = shapley_exact(members, worth)
        elif self.method == "simplified":
            phi = shapley_simplified(members, worth)
        else:
            phi = shapley_sampled(members, worth, self.n_permutations, self.seed)
        total = float(phi.sum())
        shares = phi / total if total > 0 else np.zeros(n)
        conv_rows = counts.conversions > 0
        use_value = counts.value.sum() > 0  # value totals are the ones made exact
        weight = counts.value[conv_rows] if use_value else counts.conversions[conv_rows]
        scale, gap = fit_scale(members[conv_rows], weight, shares * float(weight.sum()))
        self.counts_ = counts
        self.channels_ = counts.channels
        self.values_ = dict(zip(counts.channels, phi.tolist(), strict=True))
        self.shares_ = dict(zip(counts.channels, shares.tolist(), strict=True))
        self.credit_scale_ = scale
        self.credit_gap_ = gap
        return self

    def credit(
        self, journeys: JourneySet, what: Literal["value", "conversions"] = "value"
    ) -> dict[Label, float]:
        """Channel credit: attributable total of ``journeys`` times ``phi_c / sum(phi)``.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1],
        ...     conversion_value=[10.0])
        >>> ShapleyModel().fit(js).credit(js)
        {'a': 5.0, 'b': 5.0}
        """
        return share_credit(self, journeys, self.shares_, what)

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair (see the class notes).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        return scaled_weights(self, journeys, self.channels_, self.credit_scale_)
