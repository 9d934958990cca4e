"""The bagged logistic model (issue 25, item 1): the fit by hand, planted coefficients,
seeding, merged counts, feature bagging and named parameter errors."""

from __future__ import annotations

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.models import LogisticModel
from touchcredit.models.logistic import fit_logistic
from touchcredit.testing import random_paths


def planted(seed: int, n: int = 40_000) -> tuple[tc.JourneySet, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    beta = np.array([0.8, -0.5, 0.3, 1.2])
    x = rng.random((n, 4)) < 0.4
    x[x.sum(axis=1) == 0, 0] = True
    p = 1 / (1 + np.exp(-(-2.0 + x @ beta)))
    y = rng.random(n) < p
    rows, cols = np.nonzero(x)
    conv = np.flatnonzero(y)
    js = tc.JourneySet.from_arrays(
        journey_id=rows,
        timestamp=np.zeros(rows.size),
        channel=np.array(list("abcd"), dtype=object)[cols],
        conversion_journey_id=conv,
        conversion_time=np.zeros(conv.size),
        unit="s",
    )
    only_b = int((y & (x == [False, True, False, False]).all(axis=1)).sum())
    return js, beta, only_b


def test_fit_logistic_by_hand() -> None:
    # saturated one-feature model: log-odds log(1/3) and log(3)
    b = fit_logistic(np.array([[0.0], [1.0]]), np.array([1.0, 3.0]), np.array([3.0, 1.0]), 0.0)
    assert b == pytest.approx([-np.log(3), 2 * np.log(3)], abs=1e-9)


def test_logistic_recovers_planted_coefficients() -> None:
    js, beta, only_b = planted(1)
    m = LogisticModel(n_bags=20, sample_fraction=1.0, l2=0.0, seed=3).fit(js)
    got = np.array([m.coef_[c] for c in "abcd"])
    spread = np.array([m.coef_std_[c] for c in "abcd"])
    # each coefficient within 4 bootstrap standard deviations of the truth (about 0.03)
    assert (np.abs(got - beta) < 4 * spread + 0.02).all(), (got, spread)
    assert (spread > 0.005).all() and (spread < 0.1).all()
    assert m.coefs_.shape == (20, 4)
    # credit follows max(coef, 0): 'b' (negative) gets only the paths it is alone on
    att = tc.attribute(js, m)
    assert att.by("channel").to_dict()["b"] == pytest.approx(only_b)


def test_logistic_is_seeded_and_fits_from_merged_counts() -> None:
    js = random_paths(4, n_journeys=300)
    a = LogisticModel(n_bags=5, seed=7).fit(js)
    b = LogisticModel(n_bags=5, seed=7).fit(js)
    c = LogisticModel(n_bags=5, seed=8).fit(js)
    np.testing.assert_array_equal(a.coefs_, b.coefs_)
    assert not np.array_equal(a.coefs_, c.coefs_)
    half = np.arange(js.n_journeys) < 150
    m = LogisticModel(n_bags=5, seed=7)
    counts = m.count(js.select(np.flatnonzero(half))) + m.count(js.select(np.flatnonzero(~half)))
    np.testing.assert_allclose(m.fit_counts(counts).coefs_, a.coefs_, rtol=1e-9)


def test_logistic_feature_bagging_leaves_channels_out() -> None:
    m = LogisticModel(n_bags=30, feature_fraction=0.5, seed=2).fit(random_paths(5))
    left_out = np.isnan(m.coefs_)
    assert left_out.any() and (~left_out).any(axis=1).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_bags": 0}, r"'n_bags' must be an integer >= 1"),
        ({"sample_fraction": 0.0}, r"'sample_fraction' must be in \(0, 1\]"),
        ({"feature_fraction": 1.5}, r"'feature_fraction' must be a share between 0 and 1"),
        ({"l2": -1.0}, r"'l2' must be a finite number >= 0"),
        ({"seed": 1.5}, r"'seed' must be an integer"),
    ],
)
def test_logistic_bad_parameters_are_named(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LogisticModel(**kwargs)  # type: ignore[arg-type]
