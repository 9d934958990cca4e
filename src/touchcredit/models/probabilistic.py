"""Shao and Li's simple probabilistic model (KDD 2011), per conversion.

``p(i)`` is the conversion rate of the paths that hold channel ``i`` and ``p(i, j)`` that
of the paths holding both ``i`` and ``j`` (converting paths over all paths, the null paths
included). A converting path with distinct channels ``S`` gives channel ``i``

.. math::

   C_i = p(i) + \\sum_{j \\in S, j \\ne i} \\frac{p(i, j) - p(i) - p(j)}{2(|S| - 1)}

(``C_i = p(i)`` when ``|S| = 1``), and its conversion is split over ``S`` in proportion to
``max(C_i, 0)`` (equally when all are 0). The rates come from the channel-set table
(:class:`~touchcredit.models.ShapleyCounts`), which is additive, so the model is fitted in
chunks and on Spark like Shapley.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.store import JourneySet
from touchcredit.models._credit import Label, ShapleyCounts, extract_paths, wsum
from touchcredit.models.base import AttributionModel, check_is_fitted, register
from touchcredit.models.set_shares import conversion_sets, normalise, pair_weights, set_pairs

__all__ = ["MAX_CHANNELS", "ProbabilisticModel"]

FloatArray = npt.NDArray[np.float64]

#: Most channels the model keeps a dense table of pair rates for (channels x channels).
MAX_CHANNELS = 4096


@register(name="probabilistic")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class ProbabilisticModel(AttributionModel):
    """Shao and Li's simple probabilistic model, applied to each conversion.

    Conversion rates of single channels and of channel pairs are counted over all paths
    (converting and not); each conversion is split over the distinct channels of its path
    in proportion to ``max(C_i, 0)`` (see the module notes and :doc:`/data_driven`), and
    each channel's share equally over its touches.

    Parameters
    ----------
    lookback, exclude_channels, exclude_sources
        As in :class:`~touchcredit.AttributionModel`.

    Attributes
    ----------
    channels_ : tuple of str or None
        Channel labels, sorted.
    rates_ : dict
        ``p(i)`` of every channel.
    pair_rates_ : float64 ndarray, shape (n, n)
        ``p(i, j)`` (NaN where no path holds both; the diagonal is ``p(i)``).
    counts_ : ShapleyCounts
        The channel-set table the model was fitted on.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3, 4], timestamp=[0, 1, 0, 0, 0],
    ...     channel=["a", "b", "a", "b", "b"],
    ...     conversion_journey_id=[1, 2], conversion_time=[1, 0], unit="s")
    >>> m = ProbabilisticModel().fit(js)
    >>> m.rates_  # a: 2 of 2 paths convert; b: 1 of 3
    {'a': 1.0, 'b': 0.333...}
    >>> m.weights(js).round(4).tolist()  # C_a = 1 + (1 - 1 - 1/3)/2, C_b = 1/3 + (1 - 1/3 - 1)/2
    [0.8333, 0.1667, 1.0]
    """

    learns_from_data = True
    count_types = (ShapleyCounts,)

    if TYPE_CHECKING:  # learned in fit (declared for type checkers, not attrs fields)
        counts_: ShapleyCounts
        channels_: tuple[Label, ...]
        rates_: dict[Label, float]
        pair_rates_: FloatArray

    def count(self, journeys: JourneySet) -> ShapleyCounts:
        """The channel-set table of ``journeys`` (additive with ``+``)."""
        return ShapleyCounts.from_paths(extract_paths(self, journeys))

    def fit(self, journeys: JourneySet) -> Self:
        """Count the conversion rates of ``journeys``; returns ``self``."""
        return self.fit_counts(self.count(journeys))

    def fit_counts(self, counts: ShapleyCounts) -> Self:
        """Learn the single and pair conversion rates from a channel-set table.

        Raises
        ------
        ValueError
            With more than :data:`MAX_CHANNELS` channels.
        """
        n = len(counts.channels)
        if n > MAX_CHANNELS:
            raise ValueError(
                f"the probabilistic model keeps a {n} x {n} table of pair rates; at most "
                f"{MAX_CHANNELS} channels are supported (merge rare channels first)"
            )
        rows, cols, _ = counts.entries()
        conv, total = counts.conversions, counts.conversions + counts.nulls
        hits = wsum(cols, conv[rows], n)
        seen = wsum(cols, total[rows], n)
        rates = np.divide(hits, seen, out=np.zeros(n), where=seen > 0)
        entry, i, j = set_pairs(counts.offsets, counts.codes.astype(np.int64))
        owner = rows[entry]
        pair_hits = wsum(i * n + j, conv[owner], n * n).reshape(n, n)
        pair_seen = wsum(i * n + j, total[owner], n * n).reshape(n, n)
        pair = np.full((n, n), np.nan)
        np.divide(pair_hits, pair_seen, out=pair, where=pair_seen > 0)
        np.fill_diagonal(pair, rates)
        self._set_learned(
            counts_=counts,
            channels_=counts.channels,
            rates_=dict(zip(counts.channels, rates.tolist(), strict=True)),
            pair_rates_=pair,
        )
        return self

    def contributions(
        self, offsets: npt.NDArray[np.int64], codes: npt.NDArray[np.int64]
    ) -> FloatArray:
        """``C_i`` of every (set, member) entry of the sets ``offsets``/``codes``, whose
        members index :attr:`channels_`; -1 marks a channel unseen in ``fit`` (rate 0).
        A pair no fitted path held adds nothing (its ``p(i, j)`` is taken as
        ``p(i) + p(j)``)."""
        check_is_fitted(self)
        n = len(self.channels_)
        rates = np.append(np.array(list(self.rates_.values()), dtype=np.float64), 0.0)
        code = np.where(codes >= 0, codes, n)
        p = rates[code]
        size = np.diff(offsets)
        owner = np.repeat(np.arange(size.size, dtype=np.int64), size)
        entry, i, j = set_pairs(offsets, code)
        known = (i < n) & (j < n)
        pij = np.full(i.size, np.nan)
        pij[known] = self.pair_rates_[i[known], j[known]]
        term = np.where(np.isnan(pij), 0.0, pij - rates[i] - rates[j])
        inter = wsum(entry, term, codes.size)
        m = size[owner].astype(np.float64)
        extra = np.divide(inter, 2.0 * (m - 1.0), out=np.zeros_like(p), where=m > 1)
        return np.asarray(p + extra, dtype=np.float64)

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair: its channel's ``max(C_i, 0)`` share of the conversion,
        split equally over the channel's touches.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        sets = conversion_sets(self, journeys)
        pos: dict[Label, int] = {c: k for k, c in enumerate(self.channels_)}
        lut = np.array([pos.get(c, -1) for c in sets.channels], dtype=np.int64)
        codes = lut[sets.codes] if sets.codes.size else sets.codes
        score = self.contributions(sets.offsets, codes)
        share = normalise(score, sets.owner, sets.offsets.size - 1)
        return pair_weights(sets, share)
