"""The additive hazard fit: exact grouping, exact derivatives, the maximum and its bounds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.models import AdditiveHazardModel, UnboundedLikelihoodWarning
from touchcredit.models.hazard import Exposures, log_likelihood
from touchcredit.models.hazard_fit import OMEGA_MAX, _terms, compact

DAY = np.timedelta64(86_400_000_000, "us")
T0 = np.datetime64("2024-03-01", "us")


def random_exposures(seed: int, n: int = 3) -> Exposures:
    """Exposures with whole-day times, so that many paths and exposures repeat."""
    rng = np.random.default_rng(seed)
    n_conv = int(rng.integers(1, 40))
    path = np.repeat(np.arange(n_conv), rng.integers(1, 4, n_conv))
    ch = rng.integers(0, n, path.size)
    delta = rng.integers(0, 4, path.size).astype(np.float64)
    extra = int(rng.integers(0, 60))
    return Exposures(
        channels=tuple("abc"[:n]),
        conv_channel=ch,
        conv_delta=delta,
        conv_path=path,
        n_conv=n_conv,
        all_channel=np.concatenate([ch, rng.integers(0, n, extra)]),
        all_delta=np.concatenate([delta, rng.integers(0, 6, extra).astype(np.float64)]),
    )


def packed(e: Exposures) -> object:
    return compact(e.conv_channel, e.conv_delta, e.conv_path, e.all_channel, e.all_delta)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_grouping_keeps_the_likelihood_and_ignores_order(seed: int) -> None:
    e = random_exposures(seed)
    c = packed(e)
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 0.7, 6)
    beta, omega = np.exp(theta[:3]), np.exp(theta[3:])
    got = _terms(c, 3, theta, second=False).ll  # type: ignore[arg-type]
    assert got == pytest.approx(log_likelihood(e, beta, omega), rel=1e-12)
    # the conversions and the exposures listed in another order group identically
    conv_order = rng.permutation(e.n_conv)
    relabel = np.empty(e.n_conv, dtype=np.int64)
    relabel[conv_order] = np.arange(e.n_conv)
    perm = rng.permutation(e.conv_channel.size)
    perm_all = rng.permutation(e.all_channel.size)
    again = compact(
        e.conv_channel[perm],
        e.conv_delta[perm],
        relabel[e.conv_path[perm]],
        e.all_channel[perm_all],
        e.all_delta[perm_all],
    )
    for name in ("conv_channel", "conv_delta", "conv_path", "path_count", "all_count"):
        np.testing.assert_array_equal(getattr(again, name), getattr(c, name))


def test_grouping_shrinks_repeated_paths() -> None:
    e = random_exposures(7)
    c = packed(e)
    assert c.path_count.sum() == e.n_conv  # type: ignore[attr-defined]
    assert c.all_count.sum() == e.all_channel.size  # type: ignore[attr-defined]
    assert c.all_channel.size < e.all_channel.size  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gradient_and_hessian_match_finite_differences(seed: int) -> None:
    e = random_exposures(seed)
    c = packed(e)
    theta = np.random.default_rng(seed).normal(0.0, 0.5, 6)
    here = _terms(c, 3, theta, second=True)  # type: ignore[arg-type]
    eps = 1e-6
    grad = np.empty(6)
    hess = np.empty((6, 6))
    for i in range(6):
        up = _terms(c, 3, theta + eps * np.eye(6)[i], second=True)  # type: ignore[arg-type]
        down = _terms(c, 3, theta - eps * np.eye(6)[i], second=True)  # type: ignore[arg-type]
        grad[i] = (up.ll - down.ll) / (2 * eps)
        hess[i] = (up.grad - down.grad) / (2 * eps)
    scale = max(1.0, float(np.abs(here.hess).max()))
    np.testing.assert_allclose(here.grad, grad, atol=1e-6 * scale)
    np.testing.assert_allclose(here.hess, hess, atol=1e-6 * scale)
    np.testing.assert_allclose(here.hess, here.hess.T, atol=1e-12 * scale)


def journeys(days_before: list[list[int]], converts: list[bool], hours: bool) -> tc.JourneySet:
    """One journey per row: channel a then b ... at the given days before its end."""
    jid, ts, ch, cj, ct = [], [], [], [], []
    for j, (offsets, conv) in enumerate(zip(days_before, converts, strict=True)):
        end = T0 + 30 * DAY
        for k, d in enumerate(offsets):
            jitter = np.timedelta64(3_600_000_000 * (k + 1), "us") if hours else 0 * DAY
            jid.append(j)
            ts.append(end - d * DAY - jitter)
            ch.append("ab"[k % 2])
        if conv:
            cj.append(j)
            ct.append(end)
    return tc.JourneySet.from_arrays(
        journey_id=jid, timestamp=ts, channel=ch, conversion_journey_id=cj, conversion_time=ct
    )


def test_conversion_at_a_touch_instant_warns_and_credits_that_touch() -> None:
    # date-only data: channel b is touched on the conversion day itself
    js = journeys([[5, 0], [3, 0], [6, 2]], [True, True, False], hours=False)
    with pytest.warns(UnboundedLikelihoodWarning, match=r"decay rate of b\b"):
        m = AdditiveHazardModel().fit(js)
    assert m.omega_["b"] == pytest.approx(OMEGA_MAX)
    np.testing.assert_allclose(m.weights(js), [0.0, 1.0, 0.0, 1.0], atol=1e-12)
    # half a day's gap keeps the likelihood finite: a gets some credit, and no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnboundedLikelihoodWarning)
        half = AdditiveHazardModel(min_gap="12h").fit(js)
    assert half.omega_["b"] < 1e6
    w = half.weights(js)
    assert 0 < w[0] < 1 and w[0] + w[1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"'min_gap' must be > 0"):
        AdditiveHazardModel(min_gap="0s")


def test_times_to_the_second_do_not_warn_and_a_silent_channel_gets_no_beta() -> None:
    # channel c appears only on a path that never converts
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2, 3, 3],
        timestamp=[T0, T0 + DAY, T0, T0, T0 + 2 * DAY],
        channel=["a", "b", "a", "c", "b"],
        conversion_journey_id=[1, 2],
        conversion_time=[T0 + 2 * DAY, T0 + 3 * DAY],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnboundedLikelihoodWarning)
        m = AdditiveHazardModel().fit(js)
    assert m.beta_["c"] == 0.0
    assert m.beta_["a"] > 0 and m.beta_["b"] > 0
