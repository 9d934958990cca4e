"""Markov-chain attribution with exact removal effects (Anderl et al. 2016).

Every path (one per conversion, one per non-converting journey) is a walk
``(start) -> s1 -> ... -> sm -> (conversion) | (null)`` over states that are the last
``order`` channels. Transition probabilities are counted over all paths; the
probability to reach ``(conversion)`` from ``(start)`` is an absorption probability,
solved exactly as a linear system instead of simulated. Removing a channel removes
every state that contains it (transitions into such a state go to ``(null)``); the
removal effect is ``RE_c = 1 - P_-c(conv) / P(conv)`` and the channel's credit is the
total times ``RE_c / sum(RE)``.

The paths, the channel-set table and the per-touch weighting are shared with the
Shapley model (:mod:`touchcredit.models.shapley`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

import attrs
import numpy as np

from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import (
    Label,
    ShapleyCounts,
    extract_paths,
    fit_measure_scales,
    share_credit,
    wsum,
)
from touchcredit.models.absorption import Solution, removal_effects, removal_effects_pair
from touchcredit.models.base import check_is_fitted, register
from touchcredit.models.channel_totals import factors_for, set_totals
from touchcredit.models.fitted_shares import FittedShareModel
from touchcredit.models.markov_counts import (
    CONVERSION,
    NULL,
    START,
    MarkovCounts,
    count_paths,
)
from touchcredit.models.parameters import boolean, choice, integer

__all__ = ["MarkovModel"]


def _order(value: Any) -> int:
    return integer(value, field="order", low=1)


def _collapse(value: Any) -> bool:
    return boolean(value, field="collapse")


def _value_credit(value: Any) -> str:
    return choice(value, field="value_credit", options=("chain", "share"))


@register(name="markov")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class MarkovModel(FittedShareModel):
    """Data-driven attribution by Markov removal effects, solved exactly.

    States are the last ``order`` channels of a path. Transition counts come from
    every path: the eligible touches of each conversion (ending in ``(conversion)``)
    and the touches of each journey without conversions (ending in ``(null)``).
    ``P(conv)`` is the absorption probability into ``(conversion)`` from
    ``(start)``, ``(I - Q)^-1 R`` computed with a linear solve; removing channel ``c``
    drops every state containing it, so ``RE_c = 1 - P_-c(conv) / P(conv)``
    (Anderl et al. 2016). A channel's credit is the total times ``RE_c / sum(RE)``.

    Per-touch weights: a conversion's share for channel ``c`` on its path is
    ``scale_c / sum(scale over the distinct channels on its path)``, split equally
    over that channel's touches; ``scale`` is fitted (iterative proportional
    fitting) so that, on the fitted journeys, the value credited to every channel
    is the Markov credit where a per-conversion split can reach it.
    :func:`touchcredit.attribute` then rescales each channel's touches so that the
    channel totals are the Markov credit exactly (:meth:`channel_factors`). See
    :doc:`/data_driven` for the rules and edge cases.

    Parameters
    ----------
    order : int
        Channels per state (1: classic first-order chain).
    collapse : bool
        Merge consecutive equal states of a path (for order 1: repeated channels),
        as the ``channelattribution`` package does.
    value_credit : {"chain", "share"}
        How value is credited. ``"chain"`` (default, as ``channelattribution``): by the
        removal effects of the value-weighted chain, whose conversion transitions
        carry the mean value of the conversions made from each state. ``"share"``:
        total value times the conversion removal-effect share ``RE_c / sum(RE)``. The
        two agree when every conversion is worth the same.
    lookback, exclude_channels, exclude_sources
        As in :class:`~touchcredit.AttributionModel`.

    Attributes
    ----------
    channels_ : tuple of str or None
        Channel labels, sorted.
    removal_effects_ : dict
        Removal effect of every channel.
    shares_ : dict
        ``RE_c / sum(RE)`` of every channel.
    value_removal_effects_, value_shares_ : dict
        The same for value (equal to the above with ``value_credit="share"``).
    conversion_probability_ : float
        ``P(conv)`` of the full chain.
    states_ : tuple of str
        ``"(start)"``, the channel states (labels joined by ``" > "``),
        ``"(conversion)"``, ``"(null)"``: the rows/columns of ``transition_matrix_``.
    transition_matrix_ : float64 ndarray
        Row-stochastic transition matrix (absorbing rows are identity rows).
    counts_ : MarkovCounts
        The counts the model was fitted on.
    n_states_ : int
        Number of channel states.
    credit_scale_ : float64 ndarray
        Fitted per-channel scale for the per-touch weights.
    solution_ : Solution
        How the removal effects were solved: ``method`` ("dense" or "iterated"),
        ``steps`` of the iteration and ``trap`` states solved exactly
        (:mod:`touchcredit.models.absorption`).
    credit_gap_ : float
        Largest gap between the per-touch channel totals on the fitted journeys and the
        Markov credit, as a fraction of the total (0 up to rounding when attainable).
    conversion_scale_, conversion_gap_
        The same for the conversion weights (:meth:`conversion_weights`), fitted so the
        conversions credited per touch add up to ``credit(journeys, "conversions")``.
    credit_factor_, conversion_factor_ : float64 ndarray
        Per-channel factors that take what the weights give each channel on the fitted
        journeys to its Markov credit (1 when attainable): :func:`touchcredit.attribute`
        rescales per-touch credit by them (:meth:`channel_factors`).
    unplaced_ : tuple of str
        Channels with credit but no converting path to carry it.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=[0, 1, 0, 0],
    ...     channel=["a", "b", "b", "a"],
    ...     conversion_journey_id=[1, 2], conversion_time=[1, 0], unit="s")
    >>> m = MarkovModel().fit(js)
    >>> m.removal_effects_  # P(conv) = 2/3; without a: 1/3; without b: 0
    {'a': 0.5, 'b': 1.0}
    >>> m.conversion_probability_
    0.666...
    >>> m.weights(js).round(4).tolist()  # a gets 2 * 1/3 in all, b 2 * 2/3
    [0.6667, 0.3333, 1.0]
    """

    count_types = (MarkovCounts, ShapleyCounts)

    order: int = attrs.field(default=1, converter=_order)
    collapse: bool = attrs.field(default=True, converter=_collapse)
    value_credit: Literal["chain", "share"] = attrs.field(
        default="chain",
        converter=_value_credit,
    )

    if TYPE_CHECKING:  # learned in fit (declared for type checkers, not attrs fields)
        counts_: MarkovCounts
        removal_effects_: dict[Label, float]
        shares_: dict[Label, float]
        value_removal_effects_: dict[Label, float]
        value_shares_: dict[Label, float]
        conversion_probability_: float
        states_: tuple[str, ...]
        n_states_: int
        solution_: Solution
        credit_factor_: FloatArray
        conversion_factor_: FloatArray
        unplaced_: tuple[Label, ...]

    # ------------------------------------------------------------- counting
    def count(self, journeys: JourneySet) -> MarkovCounts:
        """Transition counts of ``journeys`` (additive sufficient statistics).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["a", "a"], conversion_journey_id=[1], conversion_time=[1], unit="s")
        >>> c = MarkovModel().count(js)
        >>> list(zip(c.source.tolist(), c.target.tolist(), c.count.tolist()))
        [(-1, 0, 1.0), (0, -2, 1.0)]
        """
        return count_paths(extract_paths(self, journeys), self.order, self.collapse)

    def fit(self, journeys: JourneySet) -> Self:
        """Learn the chain and the removal effects from ``journeys``; returns ``self``."""
        return self.fit_counts(self.count(journeys))

    def fit_counts(self, counts: MarkovCounts) -> Self:
        """Learn from already counted (and possibly merged) :class:`MarkovCounts`.

        Raises
        ------
        ValueError
            When the counts were made with another ``order`` or ``collapse``.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0], unit="s")
        >>> m = MarkovModel()
        >>> c = m.count(js.select([0])) + m.count(js.select([1]))
        >>> m.fit_counts(c).removal_effects_
        {'a': 1.0, 'b': 0.0}
        """
        if (counts.order, counts.collapse) != (self.order, self.collapse):
            raise ValueError(
                f"counts have order={counts.order}, collapse={counts.collapse}; this model "
                f"has order={self.order}, collapse={self.collapse}"
            )
        n = len(counts.channels)
        n_states = counts.states.shape[0]
        if self.value_credit == "chain" and _values_differ(counts):
            solution, by_value = removal_effects_pair(counts)  # one inverse for both
            value_re = np.clip(by_value.removal, 0.0, 1.0)
        else:
            solution = removal_effects(counts)
            value_re = solution.removal
        p_conv, re = solution.p_conv, solution.removal
        re = np.clip(re, 0.0, 1.0)
        total_re = float(re.sum())
        shares = re / total_re if total_re > 0 else np.zeros(n)
        total_v = float(value_re.sum())
        value_shares = value_re / total_v if total_v > 0 else np.zeros(n)
        scale, gap, c_scale, c_gap = fit_measure_scales(counts.sets, shares, value_shares)
        # what the per-conversion split reaches; the factors take it to the chain's totals
        achieved, total = set_totals(counts.sets, scale, "value")
        factors = factors_for(value_shares * total, achieved)
        c_achieved, c_total = set_totals(counts.sets, c_scale, "conversions")
        c_factors = factors_for(shares * c_total, c_achieved)

        self._set_learned(
            counts_=counts,
            channels_=counts.channels,
            removal_effects_=dict(zip(counts.channels, re.tolist(), strict=True)),
            shares_=dict(zip(counts.channels, shares.tolist(), strict=True)),
            value_removal_effects_=dict(zip(counts.channels, value_re.tolist(), strict=True)),
            value_shares_=dict(zip(counts.channels, value_shares.tolist(), strict=True)),
            conversion_probability_=float(p_conv),
            states_=("(start)", *counts.state_labels(), "(conversion)", "(null)"),
            credit_scale_=scale,
            credit_gap_=gap,
            conversion_scale_=c_scale,
            conversion_gap_=c_gap,
            credit_factor_=factors.factor,
            conversion_factor_=c_factors.factor,
            unplaced_=tuple(
                c
                for c, a, b in zip(
                    counts.channels, factors.unplaced, c_factors.unplaced, strict=True
                )
                if a or b
            ),
            n_states_=n_states,
            solution_=solution,
        )
        return self

    @property
    def transition_matrix_(self) -> FloatArray:
        """Dense row-stochastic transition matrix over :attr:`states_`."""
        check_is_fitted(self)
        c = self.counts_
        s = c.states.shape[0]
        if s > 20_000:
            raise ValueError(
                f"{s} states are too many for a dense matrix; read counts_.source/target/count"
            )
        idx = {START: 0, CONVERSION: s + 1, NULL: s + 2}

        def pos(x: IntArray) -> IntArray:
            out = x + 1
            out[x == CONVERSION] = idx[CONVERSION]
            out[x == NULL] = idx[NULL]
            out[x == START] = 0
            return out

        m = np.zeros((s + 3, s + 3))
        np.add.at(m, (pos(c.source), pos(c.target)), c.count)
        rows = m.sum(axis=1)
        m = np.divide(m, rows[:, None], out=np.zeros_like(m), where=rows[:, None] > 0)
        m[s + 1, s + 1] = m[s + 2, s + 2] = 1.0
        return np.asarray(m, dtype=np.float64)

    def credit(
        self, journeys: JourneySet, what: Literal["value", "conversions"] = "value"
    ) -> dict[Label, float]:
        """Channel credit: attributable total of ``journeys`` times the channel's share.

        Conversions get ``RE_c / sum(RE)``; value gets the value chain's shares
        (``value_shares_``; with ``value_credit="share"`` the conversion shares).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0],
        ...     conversion_value=[50.0], unit="s")
        >>> MarkovModel().fit(js).credit(js)
        {'a': 50.0, 'b': 0.0}
        """
        return share_credit(
            self, journeys, self.value_shares_ if what == "value" else self.shares_, what
        )

    def channel_factors(
        self, what: Literal["value", "conversions"] = "value"
    ) -> dict[Label, float]:
        """Per-channel factors that take the per-conversion split to the chain's channel
        totals on the fitted journeys (1 where the split reaches them; see
        :mod:`touchcredit.models.channel_totals`).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0], unit="s")
        >>> MarkovModel().fit(js).channel_factors()
        {'a': 1.0, 'b': 0.0}
        """
        check_is_fitted(self)
        f = self.credit_factor_ if what == "value" else self.conversion_factor_
        return dict(zip(self.channels_, f.tolist(), strict=True))


def _values_differ(counts: MarkovCounts) -> bool:
    """Whether conversions differ in value (else the value chain is the count chain)."""
    if counts.state_value is None:
        return False
    conv = wsum(
        counts.source[counts.target == CONVERSION],
        counts.count[counts.target == CONVERSION],
        counts.states.shape[0],
    )
    mean = counts.state_value[conv > 0] / conv[conv > 0]
    return bool(mean.size) and bool(np.ptp(mean) > 1e-12 * max(float(np.abs(mean).max()), 1.0))
