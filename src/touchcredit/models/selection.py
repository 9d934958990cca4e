"""Choosing the order of a Markov chain on held-out journeys (:func:`choose_order`).

A chain of order ``k`` remembers the last ``k`` channels. Higher orders fit the
training paths better and always look better in-sample; here each order is fitted on
one part of the journeys and scored on the rest, by how well the last state of a
held-out path predicts whether it converts.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import extract_paths, wsum
from touchcredit.models.markov import MarkovModel
from touchcredit.models.markov_counts import (
    CONVERSION,
    NULL,
    MarkovCounts,
    pack_states,
    path_state_ids,
)

__all__ = ["OrderChoice", "choose_order"]


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
    ...     conversion_journey_id=np.arange(50), conversion_time=np.ones(50), unit="s")
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
    ids, w_off = path_state_ids(codes, paths.offsets, model.order, n + 1, model.collapse)
    nonempty = np.diff(w_off) > 0
    last_ids = ids[w_off[1:][nonempty] - 1]
    label = paths.converted[nonempty]
    train_ids = pack_states(counts.states, n + 1)  # same packing as the test ids
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
