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

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal, Self

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments as _segments
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import (
    Label,
    Paths,
    ShapleyCounts,
    extract_paths,
    fit_scale,
    scaled_weights,
    share_credit,
    sort_labels,
    wsum,
)
from touchcredit.models.base import AttributionModel, check_is_fitted

__all__ = ["MarkovCounts", "MarkovModel", "OrderChoice", "choose_order"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Special state codes in :class:`MarkovCounts` transitions.
START, CONVERSION, NULL = -1, -2, -3
_DENSE_LIMIT = 2000  # transient states up to which the solve is dense


def _path_state_ids(
    codes: npt.NDArray[np.integer[Any]],
    offsets: IntArray,
    order: int,
    n_channels: int,
    collapse: bool,
) -> tuple[npt.NDArray[np.integer[Any]], IntArray]:
    """State id of every step of every (non-empty) path, and the CSR offsets of the steps.

    A state is the window of ``order`` consecutive channels; a path shorter than
    ``order`` has one state, the whole path (as the reference tool builds them).
    The id packs the window's channel indices + 1 in base ``n_channels + 1`` with 0
    padding, so ids sort like the windows. With ``collapse``, consecutive equal
    states of a path are merged.
    """
    base = n_channels + 1
    if float(base) ** order >= 2.0**62:
        raise ValueError(
            f"order={order} with {n_channels} channels has too many possible states; "
            "lower the order or merge channels"
        )
    if order == 1:
        ids = codes + 1
        w_off = offsets
    else:
        lengths = np.diff(offsets)
        n_win = np.maximum(lengths - order + 1, 1) * (lengths > 0)
        w_off = np.zeros(n_win.size + 1, dtype=np.int64)
        np.cumsum(n_win, out=w_off[1:])
        path = _segments.segment_ids(w_off)
        first = np.repeat(offsets[:-1], n_win) + _segments.position_in_segment(w_off)
        plen = lengths[path]
        ids = np.zeros(first.size, dtype=np.int64)
        last = max(int(codes.size) - 1, 0)
        for j in range(order):
            digit = codes[np.minimum(first + j, last)] + 1 if codes.size else first + 1
            ids = ids * base + np.where(j < plen, digit, 0)
    if collapse and ids.size:
        keep = np.empty(ids.size, dtype=bool)
        keep[0] = True
        np.not_equal(ids[1:], ids[:-1], out=keep[1:])
        keep[w_off[:-1][w_off[:-1] < ids.size]] = True
        ids = ids[keep]
        kept_before = np.zeros(keep.size + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        w_off = kept_before[w_off]
    return ids, w_off


def _decode(ids: IntArray, order: int, n_channels: int) -> IntArray:
    """Channel indices (-1 = padding) of packed state ids, one row per state."""
    base = n_channels + 1
    out = np.empty((ids.size, order), dtype=np.int64)
    rest = ids.copy()
    for j in range(order - 1, -1, -1):
        out[:, j] = rest % base - 1
        rest //= base
    return out


def _encode(states: IntArray, n_channels: int) -> IntArray:
    ids = np.zeros(states.shape[0], dtype=np.int64)
    for j in range(states.shape[1]):
        ids = ids * (n_channels + 1) + states[:, j] + 1
    return ids


def _aggregate(
    parts: list[
        tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]], FloatArray | None]
    ],
) -> tuple[IntArray, IntArray, FloatArray]:
    """Sum the weights (1 each when None) of (src, dst) pairs given in several parts;
    returns the distinct (src, dst), sorted, and their sums."""
    parts = [p for p in parts if p[0].size]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    lo = min(min(int(a.min()), int(b.min())) for a, b, _ in parts)
    span = max(max(int(a.max()), int(b.max())) for a, b, _ in parts) - lo + 1
    if span * span <= 20_000_000:  # small key space: count (int32 keys, no sort)
        sums = np.zeros(span * span)
        for a, b, w in parts:
            key = (a - lo).astype(np.int32) * np.int32(span) + (b - lo).astype(np.int32)
            sums += np.bincount(key, weights=w, minlength=span * span)
        uniq = np.flatnonzero(sums)
        sums = sums[uniq]
    else:
        keys = np.concatenate([(a - lo).astype(np.int64) * span + (b - lo) for a, b, _ in parts])
        weights = (
            None
            if all(w is None for *_, w in parts)
            else np.concatenate([np.ones(a.size) if w is None else w for a, _, w in parts])
        )
        uniq, inv = np.unique(keys, return_inverse=True)
        sums = wsum(inv.reshape(-1), weights, uniq.size)
    return uniq // span + lo, uniq % span + lo, sums.astype(np.float64)


@attrs.frozen(eq=False)
class MarkovCounts:
    """Sufficient statistics of a Markov model: transition counts keyed by labels.

    Additive: counts of two partitions of the journeys merge with ``+`` (or
    :meth:`merge`) into the counts of the union, whatever category tables the
    partitions had, because states are stored as channel *labels* (sorted).

    Attributes
    ----------
    order : int
        Number of channels per state.
    collapse : bool
        Whether consecutive equal states were merged.
    channels : tuple of str or None
        Channel labels, sorted (None, an unrecorded channel, last).
    states : int64 ndarray, shape (S, order)
        Channel indices of every state (-1 pads a state shorter than ``order``),
        sorted.
    source, target : int64 ndarray
        Transition ends: a state index, or ``START`` (-1), ``CONVERSION`` (-2),
        ``NULL`` (-3).
    count : float64 ndarray
        Number of paths that made each transition.
    sets : ShapleyCounts
        The distinct channel sets of the paths (used to spread credit over touches).

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["a", "b", "b"], conversion_journey_id=[1], conversion_time=[1])
    >>> c = MarkovModel().count(js)
    >>> c.channels, c.states.ravel().tolist()
    (('a', 'b'), [0, 1])
    >>> (c + c).count.tolist() == [2 * x for x in c.count.tolist()]
    True
    """

    order: int
    collapse: bool
    channels: tuple[Label, ...]
    states: IntArray
    source: IntArray
    target: IntArray
    count: FloatArray
    sets: ShapleyCounts

    def merge(self, *others: MarkovCounts) -> MarkovCounts:
        """Counts of the union of the journeys behind ``self`` and ``others``."""
        parts = [self, *others]
        for o in others:
            if (o.order, o.collapse) != (self.order, self.collapse):
                raise ValueError(
                    f"cannot merge Markov counts of order={o.order}, collapse={o.collapse} "
                    f"into order={self.order}, collapse={self.collapse}"
                )
        channels = sort_labels({c for p in parts for c in p.channels})
        pos = {c: i for i, c in enumerate(channels)}
        n = len(channels)
        all_ids, srcs, dsts, cnts = [], [], [], []
        for p in parts:
            lut = np.array([pos[c] for c in p.channels] + [-1], dtype=np.int64)
            ids = _encode(lut[p.states], n)
            all_ids.append(ids)

            def remap(x: IntArray, ids: IntArray = ids) -> IntArray:
                return np.where(x >= 0, ids[np.maximum(x, 0)] if ids.size else 0, x)

            srcs.append(remap(p.source))
            dsts.append(remap(p.target))
            cnts.append(p.count)
        uniq = np.unique(np.concatenate(all_ids))
        # packed ids -> new state index (ids >= 1; specials stay negative)
        src = np.concatenate(srcs)
        dst = np.concatenate(dsts)
        src = np.where(src >= 0, np.searchsorted(uniq, src), src)
        dst = np.where(dst >= 0, np.searchsorted(uniq, dst), dst)
        s, d, c = _aggregate([(src, dst, np.concatenate(cnts))])
        return MarkovCounts(
            order=self.order,
            collapse=self.collapse,
            channels=channels,
            states=_decode(uniq, self.order, n),
            source=s,
            target=d,
            count=c.astype(np.float64),
            sets=self.sets.merge(*(o.sets for o in others)),
        )

    def __add__(self, other: MarkovCounts) -> MarkovCounts:
        return self.merge(other)

    def __radd__(self, other: object) -> MarkovCounts:
        if isinstance(other, int) and other == 0:  # sum(counts) starts from 0
            return self
        return NotImplemented

    def state_labels(self) -> tuple[str, ...]:
        """Readable state names: channel labels joined by ``" > "``."""
        names = [str(c) if c is not None else "(unrecorded)" for c in self.channels]
        return tuple(" > ".join(names[i] for i in row if i >= 0) for row in self.states.tolist())


class MarkovModel(AttributionModel, name="markov"):
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
    is the Markov credit. See :doc:`/data_driven` for the rules and edge cases.

    Parameters
    ----------
    order : int
        Channels per state (1: classic first-order chain).
    collapse : bool
        Merge consecutive equal states of a path (for order 1: repeated channels),
        as the ``channelattribution`` package does.
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
    credit_gap_ : float
        Largest gap between the per-touch channel totals on the fitted journeys and the
        Markov credit, as a fraction of the total (0 up to rounding when attainable).

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=[0, 1, 0, 0],
    ...     channel=["a", "b", "b", "a"],
    ...     conversion_journey_id=[1, 2], conversion_time=[1, 0])
    >>> m = MarkovModel().fit(js)
    >>> m.removal_effects_  # P(conv) = 2/3; without a: 1/3; without b: 0
    {'a': 0.5, 'b': 1.0}
    >>> m.conversion_probability_
    0.666...
    >>> m.weights(js).round(4).tolist()  # a gets 2 * 1/3 in all, b 2 * 2/3
    [0.6667, 0.3333, 1.0]
    """

    learns_from_data = True

    def __init__(
        self,
        *,
        order: int = 1,
        collapse: bool = True,
        lookback: dt.timedelta | None = None,
        exclude_channels: Iterable[str] = (),
        exclude_sources: Iterable[str] = (),
    ) -> None:
        super().__init__(
            lookback=lookback, exclude_channels=exclude_channels, exclude_sources=exclude_sources
        )
        if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
            raise ValueError(f"'order' must be an integer >= 1, got {order!r}")
        self.order = int(order)
        self.collapse = bool(collapse)

    # ------------------------------------------------------------- counting
    def count(self, journeys: JourneySet) -> MarkovCounts:
        """Transition counts of ``journeys`` (additive sufficient statistics).

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
        ...     channel=["a", "a"], conversion_journey_id=[1], conversion_time=[1])
        >>> c = MarkovModel().count(js)
        >>> list(zip(c.source.tolist(), c.target.tolist(), c.count.tolist()))
        [(-1, 0, 1.0), (0, -2, 1.0)]
        """
        return _count_paths(extract_paths(self, journeys), self.order, self.collapse)

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
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0])
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
        p_conv, re = _removal(counts, n)
        re = np.clip(re, 0.0, 1.0)
        total_re = float(re.sum())
        shares = re / total_re if total_re > 0 else np.zeros(n)
        sets = counts.sets
        conv_rows = sets.conversions > 0
        weight = sets.value[conv_rows] if sets.value.sum() > 0 else sets.conversions[conv_rows]
        target = shares * float(weight.sum())
        scale, gap = fit_scale(sets.members[conv_rows], weight, target)

        self.counts_ = counts
        self.channels_ = counts.channels
        self.removal_effects_ = dict(zip(counts.channels, re.tolist(), strict=True))
        self.shares_ = dict(zip(counts.channels, shares.tolist(), strict=True))
        self.conversion_probability_ = float(p_conv)
        self.states_ = ("(start)", *counts.state_labels(), "(conversion)", "(null)")
        self.credit_scale_ = scale
        self.credit_gap_ = gap
        self.n_states_ = n_states
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
        """Channel credit: attributable total of ``journeys`` times ``RE_c / sum(RE)``.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[0],
        ...     conversion_value=[50.0])
        >>> MarkovModel().fit(js).credit(js)
        {'a': 50.0, 'b': 0.0}
        """
        return share_credit(self, journeys, self.shares_, what)

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair: the channel's fitted share, split over its touches.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        return scaled_weights(self, journeys, self.channels_, self.credit_scale_)


def _count_paths(paths: Paths, order: int, collapse: bool) -> MarkovCounts:
    n = len(paths.channels)
    ids, w_off = _path_state_ids(paths.codes, paths.offsets, order, n, collapse)
    state: npt.NDArray[np.integer[Any]]
    if (n + 1) ** order <= 20_000_000:  # small id space: count instead of sorting
        present = np.bincount(ids, minlength=(n + 1) ** order) > 0
        uniq = np.flatnonzero(present).astype(np.int64)
        lut = (np.cumsum(present) - 1).astype(np.int32)
        state = lut[ids]
    else:
        uniq, inv = np.unique(ids, return_inverse=True)
        state = inv.reshape(-1).astype(np.int64)
    n_steps = np.diff(w_off)
    first = np.zeros(state.size, dtype=bool)
    nonempty = n_steps > 0
    first[w_off[:-1][nonempty]] = True
    prev = np.empty_like(state)
    prev[1:] = state[:-1]
    prev[first] = START
    last_state = state[w_off[1:][nonempty] - 1]
    ends = np.where(paths.converted[nonempty], CONVERSION, NULL)
    s, d, c = _aggregate([(prev, state, None), (last_state, ends, None)])
    return MarkovCounts(
        order=order,
        collapse=collapse,
        channels=paths.channels,
        states=_decode(uniq, order, n),
        source=s,
        target=d,
        count=c.astype(np.float64),
        sets=ShapleyCounts.from_paths(paths),
    )


def _removal(counts: MarkovCounts, n_channels: int) -> tuple[float, FloatArray]:
    """P(conv) of the chain and the removal effect of every channel.

    Dense (up to ``_DENSE_LIMIT`` states, or more when there are so many channels that
    one inverse is cheaper than iterating): ``N = (I - Q)^-1`` once, ``x = N r`` and
    ``u = f N`` (expected visits from start); removing the state set ``D`` of a
    channel loses ``u_D N_DD^-1 x_D`` of P(conv) (the probability of converting
    after a first visit to ``D``), so ``RE = u_D N_DD^-1 x_D / P`` without a
    subtraction. Above: the absorption probabilities of all the reduced chains are
    iterated together to convergence (:func:`_iterate`), since an LU factorization
    of these chains fills in badly.
    """
    s = counts.states.shape[0]
    src, dst, cnt = counts.source, counts.target, counts.count
    row = np.where(src >= 0, src, s)
    prob = cnt / wsum(row, cnt, s + 1)[row]
    inner = (src >= 0) & (dst >= 0)
    qi, qj, qp = src[inner], dst[inner], prob[inner]
    to_conv = (src >= 0) & (dst == CONVERSION)
    r = wsum(src[to_conv], prob[to_conv], s)
    first = (src == START) & (dst >= 0)
    f = wsum(dst[first], prob[first], s)
    r0 = float(prob[(src == START) & (dst == CONVERSION)].sum())
    contains = np.zeros((s, n_channels), dtype=bool)
    rows = np.repeat(np.arange(s), counts.order)
    cols = counts.states.reshape(-1)
    ok = cols >= 0
    contains[rows[ok], cols[ok]] = True
    re = np.zeros(n_channels, dtype=np.float64)
    if s == 0:
        return r0, re
    # dense when small, or when iterating every channel's chain would cost more than one
    # inverse (many channels, e.g. order 1 over thousands of sources); capped for memory
    dense = s <= _DENSE_LIMIT or (s <= 8000 and s**3 <= 100 * qi.size * n_channels)
    if dense:
        a = np.eye(s)
        a[qi, qj] -= qp
        n_mat = np.linalg.inv(a)
        x = n_mat @ r
        u = f @ n_mat
        p_all = r0 + float(f @ x)
        if p_all <= 0:
            return p_all, re
        for c in range(n_channels):
            d = np.flatnonzero(contains[:, c])
            if d.size:
                gain = float(u[d] @ np.linalg.solve(n_mat[np.ix_(d, d)], x[d]))
                re[c] = gain / p_all
        return p_all, re
    keep = np.concatenate([np.ones((s, 1), dtype=bool), ~contains], axis=1)
    probs = r0 + f @ _iterate(qi, qj, qp, r, keep)
    p_all = float(probs[0])
    if p_all > 0:
        re = 1.0 - probs[1:] / p_all
    return p_all, re


def _iterate(
    qi: IntArray, qj: IntArray, qp: FloatArray, r: FloatArray, keep: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Absorption probabilities ``x = Q x + r`` of several reduced chains at once.

    Column ``k`` solves the chain restricted to the states with ``keep[:, k]``
    (transitions into the others go to null). Self-loops are summed out exactly
    (``x_i = (sum_j!=i q_ij x_j + r_i) / (1 - q_ii)``); the Jacobi iteration then
    converges geometrically because every state can reach absorption. Uses
    ``scipy.sparse`` for the products when it is installed.
    """
    s = r.size
    loop = qi == qj
    stay = wsum(qi[loop], qp[loop], s)
    scale = 1.0 / (1.0 - stay)
    qi, qj, qp = qi[~loop], qj[~loop], qp[~loop] * scale[qi[~loop]]
    b = (r * scale)[:, None] * keep
    try:
        from scipy import sparse
    except ImportError:
        sparse = None
    mat = None if sparse is None else sparse.csr_matrix((qp, (qi, qj)), shape=(s, s))
    x = b.copy()
    for step in range(200_000):
        if mat is not None:
            y = np.asarray(mat @ x)
        else:
            y = np.stack([wsum(qi, qp * x[qj, k], s) for k in range(x.shape[1])], axis=1)
        np.multiply(y, keep, out=y)
        y += b
        if step % 8 == 7:  # checking costs as much as a step; do it now and then
            delta = float(np.abs(y - x).max())
            if delta <= 1e-15:
                return y
        x = y
    return x


# ------------------------------------------------------------------ order choice
@attrs.frozen
class OrderChoice:
    """Held-out comparison of Markov orders (see :func:`choose_order`).

    Attributes
    ----------
    orders : tuple of int
    auc : tuple of float
        ROC AUC of each order's predicted conversion probability on held-out paths.
    log_loss : tuple of float
        Mean log loss of the same predictions.
    best : int
        The order with the highest AUC (the smallest order on ties).
    """

    orders: tuple[int, ...]
    auc: tuple[float, ...]
    log_loss: tuple[float, ...]
    best: int

    def to_dict(self) -> dict[int, dict[str, float]]:
        """``{order: {"auc": ..., "log_loss": ...}}``."""
        return {
            o: {"auc": a, "log_loss": ll}
            for o, a, ll in zip(self.orders, self.auc, self.log_loss, strict=True)
        }


def _auc(score: FloatArray, label: npt.NDArray[np.bool_]) -> float:
    """ROC AUC as the Mann-Whitney statistic, ties counted one half."""
    n_pos = int(label.sum())
    n_neg = int(label.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inv, cnt = np.unique(score, return_inverse=True, return_counts=True)
    upper = np.cumsum(cnt)
    mid_rank = upper - (cnt - 1) / 2.0
    rank_sum = float(mid_rank[inv.reshape(-1)][label].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def choose_order(
    journeys: JourneySet,
    max_order: int = 4,
    *,
    test_size: float = 0.3,
    seed: int = 0,
    collapse: bool = True,
    lookback: dt.timedelta | None = None,
) -> OrderChoice:
    """Compare Markov orders 1..``max_order`` on held-out journeys.

    Journeys are split at random (``seed``) into a training part and a held-out
    part (``test_size``). For each order, a chain fitted on the training part
    predicts every held-out path's conversion probability as that of its last
    state, ``n(s -> conv) / (n(s -> conv) + n(s -> null))`` (the reference tool's
    predictor); a state never seen in training gets the training conversion rate.
    Orders are scored by ROC AUC (the reference tool's criterion, which it computes
    in-sample with a penalty; here held-out data does the penalizing) and log loss.

    Returns
    -------
    OrderChoice

    Raises
    ------
    ValueError
        On a bad ``max_order`` or ``test_size``.

    Examples
    --------
    >>> ch = ["a", "b"] * 50 + ["c", "b"] * 50  # only the state before b tells
    >>> js = JourneySet.from_arrays(journey_id=np.repeat(np.arange(100), 2),
    ...     timestamp=np.tile([0, 1], 100), channel=ch,
    ...     conversion_journey_id=np.arange(50), conversion_time=np.ones(50))
    >>> choice = choose_order(js, max_order=2)
    >>> choice.orders, choice.best
    ((1, 2), 2)
    """
    if not isinstance(max_order, int) or max_order < 1:
        raise ValueError(f"'max_order' must be an integer >= 1, got {max_order!r}")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"'test_size' must be in (0, 1), got {test_size!r}")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(journeys.n_journeys)
    n_test = max(1, round(test_size * journeys.n_journeys))
    test = journeys.select(np.sort(perm[:n_test]))
    train = journeys.select(np.sort(perm[n_test:]))
    aucs, losses = [], []
    for k in range(1, max_order + 1):
        model = MarkovModel(order=k, collapse=collapse, lookback=lookback)
        counts = model.count(train)
        prob, label = _holdout_predictions(model, counts, test)
        aucs.append(_auc(prob, label))
        p = np.clip(prob, 1e-12, 1 - 1e-12)
        losses.append(float(-np.mean(np.where(label, np.log(p), np.log1p(-p)))))
    score = np.nan_to_num(np.asarray(aucs), nan=-np.inf)
    best = int(np.argmax(score)) + 1
    return OrderChoice(tuple(range(1, max_order + 1)), tuple(aucs), tuple(losses), best)


def _holdout_predictions(
    model: MarkovModel, counts: MarkovCounts, test: JourneySet
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    paths = extract_paths(model, test)
    train_pos = {c: i for i, c in enumerate(counts.channels)}
    n = len(counts.channels)
    # test channels outside the training table become one extra "unseen" index
    lut = np.array([train_pos.get(c, n) for c in paths.channels] + [n], dtype=np.int64)
    codes = lut[paths.codes] if paths.codes.size else paths.codes
    ids, w_off = _path_state_ids(codes, paths.offsets, model.order, n + 1, model.collapse)
    nonempty = np.diff(w_off) > 0
    last_ids = ids[w_off[1:][nonempty] - 1]
    label = paths.converted[nonempty]
    train_ids = _encode(counts.states, n + 1)  # same packing as the test ids
    s = counts.states.shape[0]
    src, dst = counts.source, counts.target
    to_conv = wsum(
        src[(src >= 0) & (dst == CONVERSION)], counts.count[(src >= 0) & (dst == CONVERSION)], s
    )
    to_null = wsum(src[(src >= 0) & (dst == NULL)], counts.count[(src >= 0) & (dst == NULL)], s)
    ends = to_conv + to_null
    base_rate = float(to_conv.sum() / ends.sum()) if ends.sum() > 0 else 0.0
    p_state = np.divide(to_conv, ends, out=np.full(s, base_rate), where=ends > 0)
    order = np.argsort(train_ids)
    pos = np.searchsorted(train_ids[order], last_ids)
    pos = np.minimum(pos, max(s - 1, 0))
    found = train_ids[order][pos] == last_ids if s else np.zeros(last_ids.size, dtype=bool)
    prob = np.where(found, p_state[order][pos] if s else base_rate, base_rate)
    return prob.astype(np.float64), label
