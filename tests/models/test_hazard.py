"""The additive hazard model of Zhang, Wei and Ren (issue 25, item 1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.models import AdditiveHazardModel
from touchcredit.models.hazard import exposures, log_likelihood
from touchcredit.models.hazard_fit import _terms, compact
from touchcredit.testing import check_model, random_paths

DAY = np.timedelta64(86_400_000_000, "us")
T0 = np.datetime64("2024-01-01T00:00:00", "us")
BETA = np.array([0.3, 0.1, 0.6])
OMEGA = np.array([0.5, 2.0, 0.2])


def simulate(seed: int, n: int = 20_000) -> tc.JourneySet:
    """Journeys drawn from the model: 1-5 touches in 30 days, each touch's kernel fires
    (at most once) after an exponential clock; the first firing within 30 days of the
    last touch is the conversion, touches after it are dropped."""
    rng = np.random.default_rng(seed)
    k = rng.integers(1, 6, n)
    jid = np.repeat(np.arange(n), k)
    t = rng.uniform(0, 30, jid.size)
    t = t[np.lexsort((t, jid))]
    ch = rng.integers(0, 3, jid.size)
    b, w = BETA[ch], OMEGA[ch]
    clock = rng.exponential(1.0, jid.size)
    fires = clock < b  # the kernel's whole mass is beta
    wait = np.full(jid.size, np.inf)
    wait[fires] = -np.log1p(-clock[fires] / b[fires]) / w[fires]
    first = np.full(n, np.inf)
    np.minimum.at(first, jid, t + wait)
    last = np.zeros(n)
    np.maximum.at(last, jid, t)
    conv = first < last + 30
    keep = ~conv[jid] | (t <= first[jid])
    cj = np.flatnonzero(conv)
    return tc.JourneySet.from_arrays(
        journey_id=jid[keep],
        timestamp=T0 + (t[keep] * 86_400e6).astype("timedelta64[us]"),
        channel=np.array(["a", "b", "c"], dtype=object)[ch[keep]],
        conversion_journey_id=cj,
        conversion_time=T0 + (first[cj] * 86_400e6).astype("timedelta64[us]"),
    )


def test_recovers_planted_beta_and_omega() -> None:
    js = simulate(0)
    m = AdditiveHazardModel(follow_up="30d").fit(js)
    beta = np.array([m.beta_[c] for c in "abc"])
    omega = np.array([m.omega_[c] for c in "abc"])
    np.testing.assert_allclose(beta, BETA, rtol=0.08)
    np.testing.assert_allclose(omega, OMEGA, rtol=0.12)
    # the maximum: moving away from the fit lowers the likelihood
    e = exposures(m, js)
    assert log_likelihood(e, beta, omega) == pytest.approx(m.log_likelihood_)
    for scale in (0.9, 1.1):
        assert log_likelihood(e, beta * scale, omega) < m.log_likelihood_
        assert log_likelihood(e, beta, omega * scale) < m.log_likelihood_
    # a stationary point (gradient 0 in log beta, log omega) and a maximum, not a saddle
    c = compact(e.conv_channel, e.conv_delta, e.conv_path, e.all_channel, e.all_delta)
    at = _terms(c, 3, np.log(np.concatenate([beta, omega])), second=True)
    assert np.abs(at.grad).max() < 1e-6 * e.n_conv
    assert np.linalg.eigvalsh(at.hess).max() < 0


def two_journeys() -> tc.JourneySet:
    # journey 1: a at day 0, b at day 2, converts at day 3; journey 2: a at day 1, no
    # conversion (data end: day 3)
    return tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2],
        timestamp=[T0, T0 + 2 * DAY, T0 + DAY],
        channel=["a", "b", "a"],
        conversion_journey_id=[1],
        conversion_time=[T0 + 3 * DAY],
    )


def test_likelihood_by_hand_at_given_beta_and_omega() -> None:
    js = two_journeys()
    m = AdditiveHazardModel()
    e = exposures(m, js)
    b, w = np.array([0.4, 0.7]), np.array([0.5, 1.5])
    lam = 0.4 * 0.5 * np.exp(-0.5 * 3) + 0.7 * 1.5 * np.exp(-1.5 * 1)
    big = 0.4 * (1 - np.exp(-0.5 * 3)) + 0.7 * (1 - np.exp(-1.5 * 1))
    censored = 0.4 * (1 - np.exp(-0.5 * 2))  # journey 2: a, 2 days before the data end
    assert log_likelihood(e, b, w) == pytest.approx(np.log(lam) - big - censored, rel=1e-12)
    # with a follow-up of 1 day, journey 2 is censored 1 day after its touch
    e1 = exposures(AdditiveHazardModel(follow_up="1d"), js)
    censored1 = 0.4 * (1 - np.exp(-0.5 * 1))
    assert log_likelihood(e1, b, w) == pytest.approx(np.log(lam) - big - censored1, rel=1e-12)


def test_credit_is_the_share_of_the_hazard_at_conversion() -> None:
    m = AdditiveHazardModel().fit(two_journeys())
    b, w = m.beta_, m.omega_
    ka = b["a"] * w["a"] * np.exp(-w["a"] * 3)
    kb = b["b"] * w["b"] * np.exp(-w["b"] * 1)
    assert m.weights(two_journeys()).tolist() == pytest.approx([ka / (ka + kb), kb / (ka + kb)])


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ValueError, match=r"'follow_up' must be >= 0"):
        AdditiveHazardModel(follow_up=-DAY)
    with pytest.raises(ValueError, match=r"'max_iter' must be an integer >= 1"):
        AdditiveHazardModel(max_iter=0)
    with pytest.raises(ValueError, match=r"'tol' must be > 0"):
        AdditiveHazardModel(tol=0.0)


def test_check_model_passes() -> None:
    check_model(AdditiveHazardModel())


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_property_conservation_and_row_order(seed: int) -> None:
    js = random_paths(seed, n_journeys=120)
    perm = np.random.default_rng(seed).permutation(js.n_touches)
    jid = np.repeat(np.arange(js.n_journeys), js.lengths)
    shuffled = tc.JourneySet.from_arrays(
        journey_id=jid[perm],
        timestamp=js.timestamp[perm],
        channel=js.channel.labels()[perm],
        conversion_journey_id=js.conversion_journey,
        conversion_time=js.conversion_time,
        conversion_value=js.conversion_value,
    )
    att = tc.attribute(js, AdditiveHazardModel())
    assert att.attributed + att.unattributed.value == pytest.approx(att.total, rel=1e-12)
    assert (att.touch_credit >= 0).all()
    again = tc.attribute(shuffled, AdditiveHazardModel())
    np.testing.assert_array_equal(again.touch_credit[js.touch_row.argsort()], att.touch_credit)
