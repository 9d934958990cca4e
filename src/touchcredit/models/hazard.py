"""The additive hazard model of Zhang, Wei and Ren (ICDM 2014), fitted by maximum likelihood.

Each touch of channel ``c`` at time ``t_j`` raises the conversion hazard by a kernel that
decays at the channel's rate ``ω_c`` and holds the channel's exposure effect ``β_c``:

.. math::

   \\lambda(t) = \\sum_{j:\\, t_j \\le t} \\beta_{c_j}\\, \\omega_{c_j}\\,
   e^{-\\omega_{c_j} (t - t_j)}, \\qquad
   \\Lambda(t) = \\sum_{j:\\, t_j \\le t} \\beta_{c_j} \\bigl(1 - e^{-\\omega_{c_j}
   (t - t_j)}\\bigr).

A converting path (its eligible touches, converting at ``T``) contributes
``log λ(T) - Λ(T)`` to the log-likelihood, a path without conversion ``-Λ(C)``, censored
at ``C``: its last touch plus ``follow_up``, or the end of the data (the latest touch or
conversion) when ``follow_up`` is None. Times are in days. Each conversion is caused by
one kernel, touch ``j`` with probability ``p_j = kernel_j(T) / λ(T)``, and a touch's
credit is that share ``p_j`` of the hazard at the conversion time.

The likelihood is maximised by Levenberg-Marquardt steps in ``(log β, log ω)`` with its
exact gradient and Hessian (:mod:`~touchcredit.models.hazard_fit`), over identical paths
and exposures grouped once. The paper's expectation-maximisation updates are not used:
their ``ω`` update is a fixed point, not a maximisation, and on short windows, where only
``β ω`` is identified, they crawl along that ridge (thousands of passes; on data from
``mta``'s benchmark they lowered the likelihood in their first step). A channel on no
converting path has ``β = 0``. When conversions happen at the instant of a touch (date-only
timestamps), the likelihood grows without bound as that channel's ``ω`` does: ``ω`` stops
at :data:`~touchcredit.models.hazard_fit.OMEGA_MAX`, the touches at the conversion instant
take the credit, and :class:`UnboundedLikelihoodWarning` says which channels.

The likelihood depends on every touch's time, so no small additive counts exist: the
model is fitted in memory (pass a fitted model to the chunked and Spark runs).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import TYPE_CHECKING, Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.core.time import to_duration
from touchcredit.models._credit import Label, _null_pairs, sort_labels, wsum
from touchcredit.models.base import AttributionModel, check_is_fitted, register
from touchcredit.models.eligibility import select_pairs
from touchcredit.models.hazard_fit import OMEGA_MAX, compact, fit_newton
from touchcredit.models.parameters import integer, optional_duration

__all__ = [
    "AdditiveHazardModel",
    "Exposures",
    "UnboundedLikelihoodWarning",
    "exposures",
    "log_likelihood",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_DAY_US = 86_400_000_000.0


class UnboundedLikelihoodWarning(RuntimeWarning):
    """The additive hazard likelihood grew without bound: some conversions happen at the
    instant of a touch, and those touches take the credit."""


@attrs.frozen(eq=False)
class Exposures:
    """Every touch of every path with its time before the path's end (days).

    ``conv_*`` are the pairs of the converting paths (``conv_path``: the conversion);
    ``all_*`` are those and the touches of the paths without conversion.
    """

    channels: tuple[Label, ...]
    conv_channel: IntArray
    conv_delta: FloatArray
    conv_path: IntArray
    n_conv: int
    all_channel: IntArray
    all_delta: FloatArray


def exposures(
    model: AdditiveHazardModel, js: JourneySet, channels: tuple[Label, ...] | None = None
) -> Exposures:
    """The exposures of ``js`` under ``model``'s filters; channel indices refer to
    ``channels`` (default: the labels in use, sorted; -1 for a label not in it)."""
    p = model.pairs(js)
    null = select_pairs(js, _null_pairs(model, js), model.exclude_channels, model.exclude_sources)
    labels: list[Label] = [*js.channel.categories, None]
    width = len(labels)
    ts = js.timestamp_us
    conv_touch, null_touch = p.touch, null.touch
    if channels is None:
        used = np.zeros(width, dtype=bool)
        used[js.channel.codes[np.concatenate([conv_touch, null_touch])] % width] = True
        channels = sort_labels(labels[i] for i in np.flatnonzero(used))
    pos = {c: i for i, c in enumerate(channels)}
    lut = np.array([pos.get(c, -1) for c in labels], dtype=np.int64)
    conv_ch = lut[js.channel.codes[conv_touch].astype(np.int64) % width]
    t_conv = js.conversion_time.view(np.int64)
    conv_delta = (t_conv[p.conversion] - ts[conv_touch]) / _DAY_US
    if model.min_gap is not None:  # a touch at (or just before) its conversion
        conv_delta = np.maximum(conv_delta, model.min_gap / dt.timedelta(days=1))
    null_ch = lut[js.channel.codes[null_touch].astype(np.int64) % width]
    end = _censor_times(model, js, null)
    null_delta = (np.repeat(end, null.length) - ts[null_touch]) / _DAY_US
    return Exposures(
        channels=channels,
        conv_channel=conv_ch,
        conv_delta=np.maximum(conv_delta, 0.0),
        conv_path=p.conversion.astype(np.int64),
        n_conv=js.n_conversions,
        all_channel=np.concatenate([conv_ch, null_ch]),
        all_delta=np.concatenate([np.maximum(conv_delta, 0.0), np.maximum(null_delta, 0.0)]),
    )


def _censor_times(model: AdditiveHazardModel, js: JourneySet, null: Pairs) -> IntArray:
    """When each path without conversion stops being observed (epoch microseconds)."""
    ts = js.timestamp_us
    nonempty = null.length > 0
    last = np.zeros(null.start.size, dtype=np.int64)
    last[nonempty] = ts[null.stop[nonempty] - 1]
    if model.follow_up is not None:
        return last + int(to_duration(model.follow_up, field="follow_up").view(np.int64))
    ends = [int(ts.max())] if ts.size else []
    if js.n_conversions:
        ends.append(int(js.conversion_time.view(np.int64).max()))
    return np.full(null.start.size, max(ends) if ends else 0, dtype=np.int64)


def _kernels(e: Exposures, beta: FloatArray, omega: FloatArray) -> FloatArray:
    c = e.conv_channel
    known = c >= 0
    k = np.zeros(c.size)
    b, w = beta[c[known]], omega[c[known]]
    k[known] = b * w * np.exp(-w * e.conv_delta[known])
    return k


def log_likelihood(e: Exposures, beta: FloatArray, omega: FloatArray) -> float:
    """The log-likelihood of the exposures at ``beta``, ``omega`` (per day).

    Examples
    --------
    One touch of channel 0 a day before a conversion, one touch of channel 0 two days
    before the end of a path without conversion:

    >>> e = Exposures(("a",), np.array([0]), np.array([1.0]), np.array([0]), 1,
    ...               np.array([0, 0]), np.array([1.0, 2.0]))
    >>> b, w = np.array([0.5]), np.array([0.3])
    >>> by_hand = np.log(0.5 * 0.3 * np.exp(-0.3)) - 0.5 * (1 - np.exp(-0.3)) \\
    ...     - 0.5 * (1 - np.exp(-0.6))
    >>> bool(np.isclose(log_likelihood(e, b, w), by_hand))
    True
    """
    lam = wsum(e.conv_path, _kernels(e, beta, omega), e.n_conv)
    hit = np.bincount(e.conv_path, minlength=e.n_conv) > 0
    c = e.all_channel
    known = c >= 0
    big = beta[c[known]] * -np.expm1(-omega[c[known]] * e.all_delta[known])
    with np.errstate(divide="ignore"):
        return float(np.log(lam[hit]).sum() - big.sum())


def _em(
    e: Exposures, n: int, max_iter: int, tol: float
) -> tuple[FloatArray, FloatArray, int, float]:
    """Maximise the likelihood from a data-driven start (see :mod:`.hazard_fit`); returns
    beta, omega, EM steps and the log-likelihood."""
    exposed = wsum(e.all_channel, None, n)
    hits = wsum(e.conv_channel, None, n)
    beta = np.where(hits > 0, hits / np.maximum(exposed, 1.0), 0.0)
    spread = wsum(e.conv_channel, e.conv_delta, n)
    omega = np.where(spread > 0, hits / np.where(spread > 0, spread, 1.0), 1.0)
    omega = np.clip(omega, 1e-3, 1e3)
    c = compact(e.conv_channel, e.conv_delta, e.conv_path, e.all_channel, e.all_delta)
    return fit_newton(c, n, beta, omega, max_iter, tol)


def _follow_up(value: Any) -> dt.timedelta | None:
    out = optional_duration(value, field="follow_up")
    if out is not None and out < dt.timedelta(0):
        raise ValueError(f"'follow_up' must be >= 0, got {value!r}")
    return out


def _min_gap(value: Any) -> dt.timedelta | None:
    out = optional_duration(value, field="min_gap")
    if out is not None and out <= dt.timedelta(0):
        raise ValueError(f"'min_gap' must be > 0, got {value!r}")
    return out


def _max_iter(value: Any) -> int:
    return integer(value, field="max_iter", low=1)


def _tol(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"'tol' must be a number, got {value!r}")
    v = float(value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"'tol' must be > 0 and < 1, got {value!r}")
    return v


@register(name="additive_hazard")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class AdditiveHazardModel(AttributionModel):
    """Zhang, Wei and Ren's additive hazard model: each touch's share of the conversion
    hazard at the conversion time.

    See the module notes and :doc:`/data_driven` for the likelihood and the fit.

    Parameters
    ----------
    follow_up : datetime.timedelta, numpy.timedelta64 or str, optional
        How long after its last touch a path without conversion was observed (it is
        censored then). None (default): until the end of the data.
    min_gap : datetime.timedelta, numpy.timedelta64 or str, optional
        Count a touch less than this before its conversion as this long before it. With
        date-only timestamps a touch on the conversion day is 0 days before it, and the
        likelihood then grows without bound (see :class:`UnboundedLikelihoodWarning`);
        ``min_gap="12h"``, half the timestamps' resolution, keeps it finite. None
        (default): times as recorded.
    max_iter : int
        Most fitting steps.
    tol : float
        Stop when the log-likelihood changes by less than this (relative).
    lookback, exclude_channels, exclude_sources
        As in :class:`~touchcredit.AttributionModel`.

    Attributes
    ----------
    channels_ : tuple of str or None
    beta_, omega_ : dict
        Exposure effect and decay rate (per day) of every channel. Where the data show no
        decay, ``ω`` runs to its lower bound with ``β ω`` fixed: read the product then
        (see :doc:`/data_driven`).
    log_likelihood_ : float
    n_iter_ : int
        Fitting steps taken.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=["2024-01-01", "2024-01-05", "2024-01-01",
    ...     "2024-01-02"], channel=["a", "b", "b", "a"],
    ...     conversion_journey_id=[1, 2], conversion_time=["2024-01-06", "2024-01-03"])
    >>> m = AdditiveHazardModel().fit(js)
    >>> sorted(m.beta_), float(m.weights(js).sum().round(9))
    (['a', 'b'], 2.0)
    """

    learns_from_data = True

    follow_up: dt.timedelta | None = attrs.field(default=None, converter=_follow_up)
    min_gap: dt.timedelta | None = attrs.field(default=None, converter=_min_gap)
    max_iter: int = attrs.field(default=2000, converter=_max_iter)
    tol: float = attrs.field(default=1e-10, converter=_tol)

    if TYPE_CHECKING:  # learned in fit (declared for type checkers, not attrs fields)
        channels_: tuple[Label, ...]
        beta_: dict[Label, float]
        omega_: dict[Label, float]
        log_likelihood_: float
        n_iter_: int

    def fit(self, journeys: JourneySet) -> Self:
        """Maximise the likelihood on ``journeys``; returns ``self``."""
        e = exposures(self, journeys)
        n = len(e.channels)
        beta, omega, steps, ll = _em(e, n, self.max_iter, self.tol)
        at_bound = [
            str(c) for c, w in zip(e.channels, omega, strict=True) if w >= OMEGA_MAX * (1 - 1e-9)
        ]
        if at_bound:
            warnings.warn(
                f"the additive hazard likelihood grows without bound in the decay rate of "
                f"{', '.join(at_bound)}: some conversions happen at the same instant as "
                f"one of their touches (date-only timestamps?), so those touches take the "
                f"credit (omega stops at {OMEGA_MAX:g} per day). Record touch and "
                f"conversion times to the second, or set min_gap (e.g. min_gap='12h' for "
                f"date-only timestamps).",
                UnboundedLikelihoodWarning,
                stacklevel=2,
            )
        self._set_learned(
            channels_=e.channels,
            beta_=dict(zip(e.channels, beta.tolist(), strict=True)),
            omega_=dict(zip(e.channels, omega.tolist(), strict=True)),
            log_likelihood_=ll,
            n_iter_=steps,
        )
        return self

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair: its kernel's share of the hazard at the conversion time
        (equal shares when the hazard is 0 there).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        e = exposures(self, journeys, self.channels_)
        beta = np.array(list(self.beta_.values()), dtype=np.float64)
        omega = np.array(list(self.omega_.values()), dtype=np.float64)
        k = _kernels(e, beta, omega)
        lam = wsum(e.conv_path, k, e.n_conv)
        size = wsum(e.conv_path, None, e.n_conv)
        live = lam[e.conv_path] > 0
        return np.where(live, k / np.where(live, lam[e.conv_path], 1.0), 1.0 / size[e.conv_path])
