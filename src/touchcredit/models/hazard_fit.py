"""The additive hazard model's maximum-likelihood fit: exposures grouped exactly, then
Levenberg-Marquardt steps with the exact gradient and Hessian.

The likelihood depends on a converting path only through the multiset of its (channel,
time before conversion) exposures, and on the other exposures only through their
(channel, time before censoring) values. :func:`compact` groups both exactly (identical
paths once, with their number of conversions; identical exposures once, with their
count), which shrinks the work per step by the number of repeated paths: exports with
date-only timestamps, or path tables expanded to journeys, repeat most of them.

:func:`fit_newton` works in ``θ = (log β, log ω)``, which keeps both positive. With
``k_j = β ω e^{-ω Δ_j}`` and ``p_j = k_j / λ`` on a converting path, the gradient of
``log λ`` is ``Σ p_j`` in ``log β_c`` and ``Σ p_j (1 - ω Δ_j)`` in ``log ω_c`` (over the
path's touches of channel ``c``); its Hessian is the diagonal blocks of ``Σ p_j``,
``Σ p_j (1 - ω Δ_j)`` and ``Σ p_j ((1 - ω Δ_j)^2 - ω Δ_j)`` minus the outer product of the
gradient, summed over the pairs of channels on each path (``Σ m²`` work for paths of ``m``
distinct channels). The ``-β Σ (1 - e^{-ω Δ})`` terms are separable per channel. Each
step solves ``(-H + μ diag|H|) δ = g``, at most a factor ``e^5`` per parameter, and is
kept only if it raises the likelihood (``μ`` falls tenfold after a kept step and rises
tenfold after a refused one). ``ω`` stays within [:data:`OMEGA_MIN`,
:data:`OMEGA_MAX`] per day; a coordinate at a bound whose gradient points outward is held.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments
from touchcredit.models._credit import wsum
from touchcredit.models.channel_sets import group_sets

__all__ = ["OMEGA_MAX", "OMEGA_MIN", "Compact", "compact", "fit_newton"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Smallest and largest decay rate (per day) the fit lets a channel take.
OMEGA_MIN = 1e-9
OMEGA_MAX = 1e12
_BETA_MAX = 1e12
_MAX_STEP = 5.0


@attrs.frozen(eq=False)
class Compact:
    """Exposures grouped exactly (see the module notes).

    ``conv_*``: the touches of the distinct converting paths (``conv_path``: the path),
    ``path_count``: the conversions with each path; ``all_*``: the distinct exposures
    (channel, days before the path's end) of all paths, with ``all_count`` of each.
    """

    conv_channel: IntArray
    conv_delta: FloatArray
    conv_path: IntArray
    path_count: FloatArray
    all_channel: IntArray
    all_delta: FloatArray
    all_count: FloatArray

    @property
    def n_paths(self) -> int:
        """Number of distinct converting paths."""
        return int(self.path_count.size)


def _distinct(channel: IntArray, delta: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Distinct (channel, delta) pairs, sorted: each input's index into them, and them."""
    delta = delta + 0.0  # -0.0 and 0.0 are one value
    order = np.lexsort((delta, channel))
    c, d = channel[order], delta[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (d[1:] != d[:-1])
    inverse = np.empty(order.size, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return inverse, c[new], d[new]


def compact(
    conv_channel: IntArray,
    conv_delta: FloatArray,
    conv_path: IntArray,
    all_channel: IntArray,
    all_delta: FloatArray,
) -> Compact:
    """Group the exposures exactly; the result does not depend on their order.

    Examples
    --------
    Two conversions with the same exposures (in another order) and a third:

    >>> c = compact(np.array([0, 1, 1, 0, 0]), np.array([1.0, 2.0, 2.0, 1.0, 1.0]),
    ...             np.array([0, 0, 1, 1, 2]), np.array([0, 0, 0]), np.array([1.0, 1.0, 3.0]))
    >>> sorted(c.path_count.tolist()), c.all_count.tolist(), c.all_delta.tolist()
    ([1.0, 2.0], [2.0, 1.0], [1.0, 3.0])
    """
    inv, a_ch, a_d = _distinct(all_channel, all_delta)
    a_count = np.bincount(inv, minlength=a_ch.size).astype(np.float64)
    token, t_ch, t_d = _distinct(conv_channel, conv_delta)
    order = np.lexsort((token, conv_path))
    path_ids, size = np.unique(conv_path, return_counts=True)
    offsets = np.zeros(path_ids.size + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    codes, out_off, (count,) = group_sets(
        token[order].astype(np.int32), offsets, t_ch.size, np.ones(path_ids.size)
    )
    return Compact(
        conv_channel=t_ch[codes],
        conv_delta=t_d[codes],
        conv_path=segments.segment_ids(out_off),
        path_count=count,
        all_channel=a_ch,
        all_delta=a_d,
        all_count=a_count,
    )


@attrs.frozen(eq=False)
class _Terms:
    """The log-likelihood at ``(log β, log ω)`` and, when asked, its gradient and Hessian."""

    ll: float
    grad: FloatArray
    hess: FloatArray


@attrs.frozen(eq=False)
class _PathPairs:
    """Which (path, channel) entries pair up in the Hessian's outer-product term: it
    depends only on the grouped paths, so a fit builds it once, not at every step."""

    entry: IntArray  # the (path, channel) entry of every converting touch
    n_entries: int
    first: IntArray  # every ordered pair of entries of one path (self pairs included)
    second: IntArray
    weight: FloatArray  # the path's conversions, per pair
    cells: tuple[IntArray, IntArray, IntArray]  # flat (2n x 2n) cells: aa, ab, bb blocks


def _path_pairs(c: Compact, n: int) -> _PathPairs:
    key = c.conv_path * n + c.conv_channel
    ent, inv = np.unique(key, return_inverse=True)
    e_path, e_ch = ent // n, ent % n
    off = np.zeros(c.n_paths + 1, dtype=np.int64)
    np.cumsum(np.bincount(e_path, minlength=c.n_paths), out=off[1:])
    m = np.diff(off)[e_path]  # entries per path, for every entry
    first = np.repeat(np.arange(ent.size, dtype=np.int64), m)
    rep_off = np.zeros(ent.size + 1, dtype=np.int64)
    np.cumsum(m, out=rep_off[1:])
    second = off[e_path][first] + segments.position_in_segment(rep_off)
    i, j = e_ch[first], e_ch[second]
    width = 2 * n
    cells = (i * width + j, i * width + j + n, (i + n) * width + j + n)
    return _PathPairs(inv, int(ent.size), first, second, c.path_count[e_path[first]], cells)


def _outer(pairs: _PathPairs, n: int, p: FloatArray, q: FloatArray) -> FloatArray:
    """``Σ_paths count · u uᵀ`` of every converting path's vector ``u`` of (Σ p, Σ p q)
    per channel: the second term of the Hessian of ``Σ log λ``, shape (2n, 2n)."""
    ua, ub = wsum(pairs.entry, p, pairs.n_entries), wsum(pairs.entry, p * q, pairs.n_entries)
    first, second, w = pairs.first, pairs.second, pairs.weight
    aa, ab, bb = pairs.cells
    size = 4 * n * n
    out = np.zeros((2 * n, 2 * n))
    out.flat[:] += wsum(aa, w * ua[first] * ua[second], size)
    out.flat[:] += wsum(ab, w * ua[first] * ub[second], size)
    out.flat[:] += wsum(bb, w * ub[first] * ub[second], size)
    lower = np.tril_indices(2 * n, -1)
    out[lower] = out.T[lower]  # the (b, a) block mirrors (a, b)
    return out


def _terms(
    c: Compact, n: int, theta: FloatArray, second: bool, pairs: _PathPairs | None = None
) -> _Terms:
    """Log-likelihood (and derivatives) at ``theta = (log β, log ω)``; ``-inf`` where a
    converting path has no hazard left. ``pairs``: :func:`_path_pairs` of ``c``, when the
    caller keeps it between steps."""
    beta, omega = np.exp(theta[:n]), np.exp(theta[n:])
    cc, dc, path = c.conv_channel, c.conv_delta, c.conv_path
    x = omega[cc] * dc
    k = beta[cc] * omega[cc] * np.exp(-x)
    lam = wsum(path, k, c.n_paths)
    with np.errstate(divide="ignore", invalid="ignore"):
        ca, da, count = c.all_channel, c.all_delta, c.all_count
        rate = -omega[ca] * da
        big = wsum(ca, -np.expm1(rate) * count, n)
        ll = float((c.path_count * np.log(lam)).sum() - (beta * big).sum())
        if not math.isfinite(ll) or not second:
            return _Terms(ll, np.zeros(0), np.zeros((0, 0)))
        p = k / lam[path]
    decay = np.exp(rate)
    pw = p * c.path_count[path]
    q = 1.0 - x
    d1 = beta * omega * wsum(ca, count * da * decay, n)
    d2 = beta * omega * omega * wsum(ca, count * da * da * decay, n)
    h_aa = wsum(cc, pw, n) - beta * big
    h_ab = wsum(cc, pw * q, n) - d1
    h_bb = wsum(cc, pw * (q * q - x), n) - d1 + d2
    grad = np.concatenate([h_aa, h_ab])
    hess = -_outer(_path_pairs(c, n) if pairs is None else pairs, n, p, q)
    idx = np.arange(n)
    hess[idx, idx] += h_aa
    hess[idx, idx + n] += h_ab
    hess[idx + n, idx] += h_ab
    hess[idx + n, idx + n] += h_bb
    return _Terms(ll, grad, hess)


def _bounds(n: int) -> tuple[FloatArray, FloatArray]:
    lo = np.concatenate([np.full(n, -700.0), np.full(n, math.log(OMEGA_MIN))])
    hi = np.concatenate([np.full(n, math.log(_BETA_MAX)), np.full(n, math.log(OMEGA_MAX))])
    return lo, hi


def fit_newton(
    c: Compact, n: int, beta: FloatArray, omega: FloatArray, max_iter: int, tol: float
) -> tuple[FloatArray, FloatArray, int, float]:
    """Maximise the likelihood from ``beta``, ``omega`` by Levenberg-Marquardt steps in
    ``(log β, log ω)`` within the bounds: β, ω, steps and the log-likelihood at them.

    Channels with ``beta == 0`` (on no converting path) keep β = 0 and their ω. Stops when
    an accepted step raises the log-likelihood by at most ``tol`` (relative), when no
    step raises it at all, or after ``max_iter`` steps.
    """
    fixed_a = beta <= 0
    lo, hi = _bounds(n)
    theta = np.log(np.concatenate([np.where(fixed_a, 1.0, beta), omega]))
    theta = np.clip(theta, lo, hi)
    free = np.concatenate([~fixed_a, ~fixed_a])
    cz = _zeroed(c, n, fixed_a)
    pairs = _path_pairs(cz, n)
    here = _terms(cz, n, theta, second=True, pairs=pairs)
    mu, steps = 1e-3, 0
    while steps < max_iter:
        steps += 1
        # coordinates at a bound whose gradient points out of the box stay there
        out = ((theta <= lo) & (here.grad < 0)) | ((theta >= hi) & (here.grad > 0))
        act = np.flatnonzero(free & ~out)
        if act.size == 0:
            break
        g, h = here.grad[act], -here.hess[np.ix_(act, act)]
        scale = np.maximum(np.abs(np.diag(h)), 1e-12)
        while True:
            try:
                step = np.linalg.solve(h + mu * np.diag(scale), g)
            except np.linalg.LinAlgError:
                step = np.full(act.size, np.nan)
            longest = float(np.abs(step).max())
            if longest > _MAX_STEP:  # at most a factor e**5 per parameter per step
                step *= _MAX_STEP / longest
            trial = theta.copy()
            trial[act] = np.clip(theta[act] + step, lo[act], hi[act])
            if np.isfinite(step).all():  # the likelihood alone decides; derivatives after
                ll = _terms(cz, n, trial, second=False).ll
                if math.isfinite(ll) and ll > here.ll:
                    break
            mu *= 10.0
            if mu > 1e20:  # no step raises the likelihood: a maximum
                return (*_unpack(theta, n, fixed_a), steps, here.ll)
        there = _terms(cz, n, trial, second=True, pairs=pairs)
        gain = there.ll - here.ll
        theta, here, mu = trial, there, max(mu / 10.0, 1e-12)
        if gain <= tol * max(abs(here.ll), 1.0):
            break
    return (*_unpack(theta, n, fixed_a), steps, here.ll)


def _zeroed(c: Compact, n: int, fixed: npt.NDArray[np.bool_]) -> Compact:
    """``c`` without the exposures of the channels held at β = 0 (they add nothing)."""
    if not fixed.any():
        return c
    keep = ~fixed[c.all_channel]
    return attrs.evolve(
        c,
        all_channel=c.all_channel[keep],
        all_delta=c.all_delta[keep],
        all_count=c.all_count[keep],
    )


def _unpack(
    theta: FloatArray, n: int, fixed_a: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    beta = np.where(fixed_a, 0.0, np.exp(theta[:n]))
    return beta, np.exp(theta[n:])
