"""Removal effects of a Markov chain: absorption probabilities of its reduced chains.

Given transition counts, :func:`removal_effects` returns ``P(conv)`` and, for every
channel ``c``, ``RE_c = 1 - P_-c(conv) / P(conv)`` where the chain without ``c`` sends
every transition into a state containing ``c`` to null (Anderl et al. 2016).

Two exact methods, the one with less estimated work chosen, with the memory each needs
(:data:`MEMORY_LIMIT`) and its work (:data:`WORK_LIMIT`) checked *before* anything large is
allocated:

* **dense**: ``N = (I - Q)^-1`` once; removing the state set ``D`` of a channel loses
  ``u_D N_DD^-1 x_D`` of ``P(conv)`` (``x = N r``, ``u = f N``).
* **iterated**: the absorption probabilities of all the reduced chains at once,
  ``x = Q x + r`` per chain, by Jacobi steps with self-loops summed out exactly. A set
  of states the walk rarely leaves (a bot journey alternating two channels makes two
  order-2 states send each other 99.98% of their transitions) would make the steps
  converge at the speed of its escape probability; such *trap* states are found from
  the residual and solved exactly each step (block Gauss-Seidel with their block
  inverted), so the number of steps stays that of an ordinary chain.

The dense method's work grows as ``states**3``; the iteration's as the transitions times
the channels (one reduced chain per channel) times its steps. With thousands of channels
the iteration is the slow one (order 1 over 4,000 channels: 130 s iterated, 16 s dense on
a shared 2-core machine), so the choice compares the two estimates rather than the size
alone; a chain whose cheaper method would still exceed :data:`WORK_LIMIT` is refused at
once, naming the limit.
"""

from __future__ import annotations

from typing import Any, NoReturn

import attrs
import numpy as np

from touchcredit.core.arrays import BoolArray, FloatArray, IntArray
from touchcredit.models.markov_counts import CONVERSION, START, MarkovCounts

__all__ = [
    "DENSE_LIMIT",
    "ITERATION_COST",
    "MEMORY_LIMIT",
    "WORK_LIMIT",
    "Solution",
    "removal_effects",
    "removal_effects_pair",
]


#: Transient states up to which the dense method is always used.
DENSE_LIMIT = 2000
#: Bytes the solver may allocate for its matrices; above, an error says what to do.
MEMORY_LIMIT = 2_000_000_000
#: Work, in floating-point operations of a dense LU, above which a chain is refused
#: before solving (about a minute on a shared 2-core machine; order 1 over 5,000
#: channels, 2.5e11, is inside).
WORK_LIMIT = 6e11
#: Estimated dense-operation equivalents per (transition, reduced chain) of the whole
#: iteration (its steps included), measured: 2,500 (60 channels, order 2) to 4,300
#: (4,000 channels, order 1).
ITERATION_COST = 4000.0
_TRAP_MAX = 512  # states solved exactly as a trap block
_MAX_STEPS = 200_000


@attrs.frozen
class Solution:
    """``P(conv)``, the removal effects and the work done (``steps`` of the iteration,
    0 for the dense method; ``trap`` states solved exactly)."""

    p_conv: float
    removal: FloatArray
    method: str
    steps: int = 0
    trap: int = 0


def _wsum(index: IntArray, weights: FloatArray | None, n: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:,.1f} GB" if n_bytes >= 1e9 else f"{n_bytes / 1e6:,.1f} MB"


def _plan(s: int, n: int, nnz: int) -> str:
    """'dense' or 'iterated': the one with less estimated work that fits in memory.

    Raises a ValueError when neither fits in :data:`MEMORY_LIMIT`, or when the one that
    would be used needs more than :data:`WORK_LIMIT`.
    """
    dense_bytes = 3.0 * 8 * s * s
    iter_bytes = 25.0 * s * (n + 1)
    dense_work = 2.0 * float(s) ** 3  # LU and inverse
    iter_work = ITERATION_COST * nnz * (n + 1)
    fits = {"dense": dense_bytes <= MEMORY_LIMIT, "iterated": iter_bytes <= MEMORY_LIMIT}
    if fits["dense"] and (s <= DENSE_LIMIT or not fits["iterated"] or dense_work <= iter_work):
        method, work = "dense", dense_work
    elif fits["iterated"]:
        method, work = "iterated", iter_work
    else:
        _too_large(s, n, min(dense_bytes, iter_bytes))
    if work > WORK_LIMIT and s > DENSE_LIMIT:
        raise ValueError(
            f"the Markov chain has {s:,} states and {n:,} channels: its exact removal "
            f"effects need about {work:.1e} operations ({method}), more than the limit, "
            f"touchcredit.models.absorption.WORK_LIMIT = {WORK_LIMIT:.1e} (about a minute "
            "on two cores); raise the limit to wait longer, or merge rare channels (for "
            "instance into channel groups), lower the order, or use "
            "ShapleyModel(method='simplified'), which scales to any number of channels"
        )
    return method


def _too_large(s: int, n: int, need: float) -> NoReturn:
    raise ValueError(
        f"the Markov chain has {s:,} states and {n:,} channels: its removal effects need "
        f"{_gb(need)} (the limit, "
        f"touchcredit.models.absorption.MEMORY_LIMIT, is {_gb(MEMORY_LIMIT)}); merge rare "
        "channels (for instance into channel groups), lower the order, or use "
        "ShapleyModel(method='simplified'), which scales to any number of channels"
    )


def removal_effects(counts: MarkovCounts, *, by_value: bool = False) -> Solution:
    """``P(conv)`` of the chain of ``counts`` and the removal effect of every channel.

    With ``by_value``, the chain's conversion transitions are weighted by the mean
    value of the conversions made from each state (``counts.state_value``): then
    ``P(conv)`` is the expected conversion value of a walk, and the removal effects
    are those of value (channelattribution's value credit, in expectation).

    Raises
    ------
    ValueError
        Before allocating, when the chain is too large for :data:`MEMORY_LIMIT` or
        its work exceeds :data:`WORK_LIMIT`.
    """
    (solution,) = _solve(counts, (by_value,))
    return solution


def removal_effects_pair(counts: MarkovCounts) -> tuple[Solution, Solution]:
    """The removal effects of conversions and of value (:func:`removal_effects` with
    ``by_value`` False and True); the dense method inverts the chain once for both."""
    count, value = _solve(counts, (False, True))
    return count, value


def _solve(counts: MarkovCounts, by_value: tuple[bool, ...]) -> list[Solution]:
    n = len(counts.channels)
    s = counts.states.shape[0]
    src, dst, cnt = counts.source, counts.target, counts.count
    row = np.where(src >= 0, src, s)
    out = _wsum(row, cnt, s + 1)
    prob = cnt / out[row]
    inner = (src >= 0) & (dst >= 0)
    qi, qj, qp = src[inner], dst[inner], prob[inner]
    to_conv = (src >= 0) & (dst == CONVERSION)
    r_count = _wsum(src[to_conv], prob[to_conv], s)
    rs = [r_count for _ in by_value]
    if counts.state_value is not None:
        r_value = counts.state_value / np.where(out[:s] > 0, out[:s], 1.0)
        rs = [r_value if v else r_count for v in by_value]
    first = (src == START) & (dst >= 0)
    f = _wsum(dst[first], prob[first], s)
    r0 = float(prob[(src == START) & (dst == CONVERSION)].sum())
    if s == 0:
        return [Solution(r0, np.zeros(n, dtype=np.float64), "dense") for _ in rs]
    method = _plan(s, n, int(qi.size))
    # states of every channel, sparse: (state, channel) pairs
    st_rows = np.repeat(np.arange(s), counts.order)
    st_cols = counts.states.reshape(-1)
    ok = st_cols >= 0
    st_rows, st_cols = st_rows[ok], st_cols[ok]
    if method == "dense":
        return _dense(qi, qj, qp, np.stack(rs, axis=1), f, r0, st_rows, st_cols, s, n)
    keep = np.ones((s, n + 1), dtype=bool)
    keep[st_rows, st_cols + 1] = False
    solutions = []
    for r in rs:
        x, steps, trap = iterate(qi, qj, qp, r, keep)
        probs = r0 + f @ x
        p_all = float(probs[0])
        re = 1.0 - probs[1:] / p_all if p_all > 0 else np.zeros(n, dtype=np.float64)
        solutions.append(Solution(p_all, re, "iterated", steps, trap))
    return solutions


def _dense(
    qi: IntArray, qj: IntArray, qp: FloatArray, r: FloatArray, f: FloatArray, r0: float,
    st_rows: IntArray, st_cols: IntArray, s: int, n: int,
) -> list[Solution]:  # fmt: skip
    """Every column of ``r`` (one chain's conversion probabilities each) with one inverse."""
    a = np.eye(s)
    np.subtract.at(a, (qi, qj), qp)
    n_mat = np.linalg.inv(a)
    del a
    x = n_mat @ r  # (s, chains)
    u = f @ n_mat
    p_all = r0 + f @ x
    gain = np.zeros((n, r.shape[1]), dtype=np.float64)
    order = np.argsort(st_cols, kind="stable")
    bounds = np.searchsorted(st_cols[order], np.arange(n + 1))
    size = np.diff(bounds)
    one = np.flatnonzero(size == 1)  # order 1: removing c removes one state d
    d = st_rows[order[bounds[one]]]
    if one.size:
        gain[one] = (u[d] / n_mat[d, d])[:, None] * x[d]
    for c in np.flatnonzero(size > 1).tolist():  # one small solve per channel
        states = np.unique(st_rows[order[bounds[c] : bounds[c + 1]]])
        gain[c] = u[states] @ np.linalg.solve(n_mat[np.ix_(states, states)], x[states])
    out = []
    for k in range(r.shape[1]):
        p = float(p_all[k])
        re = gain[:, k] / p if p > 0 else np.zeros(n, dtype=np.float64)
        out.append(Solution(p, re, "dense"))
    return out


def _sparse_module() -> Any:
    try:
        from scipy import sparse
    except ImportError:
        return None
    return sparse


def iterate(
    qi: IntArray, qj: IntArray, qp: FloatArray, r: FloatArray, keep: BoolArray
) -> tuple[FloatArray, int, int]:
    """Absorption probabilities ``x = Q x + r`` of several reduced chains at once.

    Column ``k`` solves the chain restricted to the states with ``keep[:, k]``
    (transitions into the others go to null). Self-loops are summed out exactly
    (``x_i = (sum_j!=i q_ij x_j + r_i) / (1 - q_ii)``); trap states (see the module
    notes) are solved exactly every step. Returns ``x``, the steps and the trap size.

    Raises
    ------
    ValueError
        When scipy is missing and there are more than 64 chains to iterate.
    """
    s, k = keep.shape
    loop = qi == qj
    stay = _wsum(qi[loop], qp[loop], s)
    scale = 1.0 / (1.0 - stay)
    qi, qj, qp = qi[~loop], qj[~loop], qp[~loop] * scale[qi[~loop]]
    b = (r * scale)[:, None] * keep
    sparse = _sparse_module()
    if sparse is None and k > 64:
        raise ValueError(
            f"removal effects of {k - 1:,} channels by iteration need scipy "
            "(pip install scipy); without it the limit is 64 channels for chains of more "
            f"than {DENSE_LIMIT:,} states"
        )
    mat = None if sparse is None else sparse.csr_matrix((qp, (qi, qj)), shape=(s, s))

    def step(x: FloatArray) -> FloatArray:
        if mat is not None:
            y = np.asarray(mat @ x)
        else:
            y = np.stack([_wsum(qi, qp * x[qj, c], s) for c in range(k)], axis=1)
        np.multiply(y, keep, out=y)
        y += b
        return y

    trap: _Trap | None = None
    tried = False
    x = b.copy()
    last = np.inf
    for n_steps in range(1, _MAX_STEPS + 1):
        y = step(x)
        if trap is not None:
            trap.solve(y)
        if n_steps % 8 == 0:  # checking costs as much as a step; do it now and then
            change = np.abs(y - x).max(axis=1)
            delta = float(change.max())
            if delta <= 1e-15:
                return y, n_steps, 0 if trap is None else trap.size
            # slow convergence: solve the states that still move most exactly
            if not tried and n_steps >= 64 and delta > 0.5 * last:
                trap, tried = _Trap.build(change, qi, qj, qp, keep, b), True
        if n_steps % 8 == 1:
            last = float(np.abs(y - x).max())
        x = y
    return x, _MAX_STEPS, 0 if trap is None else trap.size


@attrs.frozen(eq=False)
class _Trap:
    """States solved exactly each step: ``x_T = (I - K M_TT)^-1 K (M_T,rest x + b_T)``
    per distinct removal pattern ``K`` of the trap states."""

    states: IntArray
    out_rows: IntArray
    out_cols: IntArray
    out_prob: FloatArray
    groups: list[tuple[IntArray, FloatArray]]
    b: FloatArray

    @property
    def size(self) -> int:
        return int(self.states.size)

    @classmethod
    def build(
        cls, change: FloatArray, qi: IntArray, qj: IntArray, qp: FloatArray,
        keep: BoolArray, b: FloatArray,
    ) -> _Trap | None:  # fmt: skip
        moving = np.flatnonzero(change > 0.1 * change.max())
        states = moving[np.argsort(-change[moving], kind="stable")][:_TRAP_MAX]
        states.sort()
        t = states.size
        local = np.full(keep.shape[0], -1, dtype=np.int64)
        local[states] = np.arange(t)
        from_t = local[qi] >= 0
        inside = from_t & (local[qj] >= 0)
        m_tt = np.zeros((t, t))
        np.add.at(m_tt, (local[qi[inside]], local[qj[inside]]), qp[inside])
        out = from_t & ~inside
        kt = keep[states]  # (t, k)
        patterns, which = np.unique(kt.T, axis=0, return_inverse=True)
        if patterns.shape[0] * t * t * 8 > MEMORY_LIMIT // 4:
            return None
        groups = []
        for p in range(patterns.shape[0]):  # distinct masks: 1 + channels in the trap
            kk = patterns[p].astype(np.float64)
            g = np.linalg.solve(np.eye(t) - kk[:, None] * m_tt, np.diag(kk))
            groups.append((np.flatnonzero(which.reshape(-1) == p), g))
        return cls(states, local[qi[out]], qj[out], qp[out], groups, b[states])

    def solve(self, y: FloatArray) -> None:
        """Replace the trap rows of ``y`` by their exact values given the other rows."""
        t = self.size
        z = np.zeros((t, y.shape[1]))
        np.add.at(z, self.out_rows, self.out_prob[:, None] * y[self.out_cols])
        z += self.b
        for cols, g in self.groups:
            y[np.ix_(self.states, cols)] = g @ z[:, cols]
