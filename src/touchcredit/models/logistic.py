"""Shao and Li's bagged logistic regression (KDD 2011), fitted by Newton's method (IRLS).

Every path is a row: 1 for each channel it holds (presence), and whether it converted.
``P(conversion) = sigmoid(b0 + sum_c beta_c x_c)`` is fitted on ``n_bags`` Poisson
bootstrap resamples of the paths (each path kept ``Poisson(sample_fraction)`` times, the
same in distribution as drawing that fraction with replacement), each on a random subset
of the channels (``feature_fraction``), as Shao and Li bag both observations and
covariates. ``coef_`` is the mean of a channel's coefficient over the bags that used it;
``coefs_`` keeps every bag's (the bootstrap spread). A conversion is split over the
distinct channels of its path in proportion to ``max(coef_c, 0)``: each channel's fitted
contribution to the path's log-odds.

Rows with the same channel set are one binomial row (conversions, non-conversions), so
the fit needs only the channel-set table (:class:`~touchcredit.models.ShapleyCounts`),
which is additive: the model is fitted in chunks and on Spark like Shapley.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.store import JourneySet
from touchcredit.models._credit import Label, ShapleyCounts, extract_paths
from touchcredit.models.base import AttributionModel, check_is_fitted, register
from touchcredit.models.parameters import integer, share
from touchcredit.models.set_shares import conversion_sets, normalise, pair_weights

__all__ = ["MAX_CELLS", "LogisticModel", "fit_logistic"]

FloatArray = npt.NDArray[np.float64]

#: Largest dense design matrix (channel sets x channels) the fit builds.
MAX_CELLS = 50_000_000


def _fraction(value: Any, *, field: str) -> float:
    v = share(value, field=field)
    if v <= 0.0:
        raise ValueError(f"{field!r} must be in (0, 1], got {value!r}")
    return v


def _non_negative(value: Any, *, field: str) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{field!r} must be a number, got {value!r}")
    v = float(value)
    if not v >= 0.0 or v == float("inf"):
        raise ValueError(f"{field!r} must be a finite number >= 0, got {value!r}")
    return v


def _n_bags(value: Any) -> int:
    return integer(value, field="n_bags", low=1)


def _sample_fraction(value: Any) -> float:
    return _fraction(value, field="sample_fraction")


def _feature_fraction(value: Any) -> float:
    return _fraction(value, field="feature_fraction")


def _l2(value: Any) -> float:
    return _non_negative(value, field="l2")


def _seed(value: Any) -> int:
    return integer(value, field="seed")


def fit_logistic(
    x: FloatArray,
    successes: FloatArray,
    failures: FloatArray,
    l2: float,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> FloatArray:
    """Binomial logistic regression with an intercept, by Newton's method (IRLS).

    Maximises ``sum(s log p + f log(1 - p)) - l2 / 2 * |beta|^2`` (the intercept is not
    penalised), ``p = sigmoid(b0 + x @ beta)``. Returns ``[b0, *beta]``.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0]])
    >>> b = fit_logistic(x, np.array([1.0, 3.0]), np.array([3.0, 1.0]), 0.0)
    >>> b.round(6).tolist()  # log-odds 1/3 -> 3: b0 = -log 3, beta = 2 log 3
    [-1.098612, 2.197225]
    """
    rows, k = x.shape
    design = np.hstack([np.ones((rows, 1)), x])
    n = successes + failures
    penalty = np.full(k + 1, float(l2))
    penalty[0] = 0.0
    beta = np.zeros(k + 1)
    total = float(n.sum())
    if total > 0:
        rate = min(max(float(successes.sum()) / total, 1e-9), 1 - 1e-9)
        beta[0] = np.log(rate / (1 - rate))
    for _ in range(max_iter):
        eta = design @ beta
        p = 0.5 * (1.0 + np.tanh(0.5 * eta))  # sigmoid without overflow
        w = n * p * (1.0 - p)
        grad = design.T @ (successes - n * p) - penalty * beta
        hess = (design * w[:, None]).T @ design + np.diag(penalty + 1e-12)
        step = np.linalg.solve(hess, grad)
        # damp huge steps (separated data without a penalty): Newton from far away
        big = float(np.abs(step).max()) if step.size else 0.0
        beta += step if big <= 10.0 else step * (10.0 / big)
        if big < tol:
            break
    return beta


@register(name="logistic")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class LogisticModel(AttributionModel):
    """Shao and Li's bagged logistic regression on channel presence.

    See the module notes and :doc:`/data_driven` for the fit and the credit rule.

    Parameters
    ----------
    n_bags : int
        Number of bootstrap bags.
    sample_fraction : float
        Expected fraction of the paths in a bag, in (0, 1].
    feature_fraction : float
        Chance that a channel is a feature of a bag, in (0, 1] (at least one always is).
    l2 : float
        Ridge penalty on the channel coefficients (keeps them finite when a channel
        always or never converts).
    seed : int
        Seed of the bags (same seed, same coefficients).
    lookback, exclude_channels, exclude_sources
        As in :class:`~touchcredit.AttributionModel`.

    Attributes
    ----------
    channels_ : tuple of str or None
    coef_ : dict
        Mean coefficient of every channel over the bags that used it.
    coef_std_ : dict
        Its standard deviation over those bags (the bootstrap spread).
    coefs_ : float64 ndarray, shape (n_bags, n)
        Every bag's coefficients (NaN where the bag did not use the channel).
    intercepts_ : float64 ndarray, shape (n_bags,)
    counts_ : ShapleyCounts

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3, 4], timestamp=[0, 1, 0, 0, 0],
    ...     channel=["a", "b", "a", "b", "b"],
    ...     conversion_journey_id=[1, 2], conversion_time=[1, 0], unit="s")
    >>> m = LogisticModel(n_bags=4, seed=1).fit(js)
    >>> sorted(m.coef_) == ["a", "b"], m.coefs_.shape
    (True, (4, 2))
    >>> float(m.weights(js).sum())
    2.0
    """

    learns_from_data = True
    count_types = (ShapleyCounts,)

    n_bags: int = attrs.field(default=20, converter=_n_bags)
    sample_fraction: float = attrs.field(default=0.5, converter=_sample_fraction)
    feature_fraction: float = attrs.field(default=1.0, converter=_feature_fraction)
    l2: float = attrs.field(default=1.0, converter=_l2)
    seed: int = attrs.field(default=0, converter=_seed)

    if TYPE_CHECKING:  # learned in fit (declared for type checkers, not attrs fields)
        counts_: ShapleyCounts
        channels_: tuple[Label, ...]
        coef_: dict[Label, float]
        coef_std_: dict[Label, float]
        coefs_: FloatArray
        intercepts_: FloatArray

    def count(self, journeys: JourneySet) -> ShapleyCounts:
        """The channel-set table of ``journeys`` (additive with ``+``)."""
        return ShapleyCounts.from_paths(extract_paths(self, journeys))

    def fit(self, journeys: JourneySet) -> Self:
        """Fit the bagged regression on ``journeys``; returns ``self``."""
        return self.fit_counts(self.count(journeys))

    def fit_counts(self, counts: ShapleyCounts) -> Self:
        """Fit the bagged regression on a channel-set table.

        Raises
        ------
        ValueError
            When the design matrix (sets x channels) exceeds :data:`MAX_CELLS`.
        """
        n, sets = len(counts.channels), counts.n_sets
        if sets * (n + 1) > MAX_CELLS:
            raise ValueError(
                f"the logistic model builds a {sets:,} x {n + 1} design matrix; at most "
                f"{MAX_CELLS:,} cells (merge rare channels first)"
            )
        x = counts.members.astype(np.float64)
        rng = np.random.default_rng(self.seed)
        coefs = np.full((self.n_bags, n), np.nan)
        intercepts = np.zeros(self.n_bags)
        for b in range(self.n_bags):  # one small Newton fit per bag, not per journey
            s = rng.poisson(self.sample_fraction * counts.conversions).astype(np.float64)
            f = rng.poisson(self.sample_fraction * counts.nulls).astype(np.float64)
            used = rng.random(n) < self.feature_fraction
            if n and not used.any():
                used[rng.integers(n)] = True
            beta = fit_logistic(x[:, used], s, f, self.l2)
            intercepts[b] = beta[0]
            coefs[b, used] = beta[1:]
        seen = ~np.isnan(coefs)
        k = seen.sum(axis=0)
        mean = np.divide(np.nansum(coefs, axis=0), k, out=np.zeros(n), where=k > 0)
        dev = np.where(seen, coefs - mean, 0.0)
        std = np.sqrt(np.divide((dev**2).sum(axis=0), k - 1, out=np.zeros(n), where=k > 1))
        self._set_learned(
            counts_=counts,
            channels_=counts.channels,
            coef_=dict(zip(counts.channels, mean.tolist(), strict=True)),
            coef_std_=dict(zip(counts.channels, std.tolist(), strict=True)),
            coefs_=coefs,
            intercepts_=intercepts,
        )
        return self

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair: its channel's ``max(coef, 0)`` share of the conversion,
        split equally over the channel's touches.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        sets = conversion_sets(self, journeys)
        coef: dict[Label, float] = self.coef_
        per_channel = np.array([coef.get(c, 0.0) for c in sets.channels], dtype=np.float64)
        score = per_channel[sets.codes] if sets.codes.size else np.zeros(0)
        share = normalise(score, sets.owner, sets.offsets.size - 1)
        return pair_weights(sets, share)
