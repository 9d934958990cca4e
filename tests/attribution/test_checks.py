"""Tests of touchcredit.attribution.checks.check_weights."""

from __future__ import annotations

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.attribution.checks import check_weights
from touchcredit.models.base import get


def _setup():  # type: ignore[no-untyped-def]
    js = tc.JourneySet.from_arrays(
        journey_id=["001", "001", "002"],
        timestamp=[1, 2, 1],
        channel=["seo", "email", "ads"],
        conversion_journey_id=["001", "002"],
        conversion_time=[3, 5],
        unit="s",
    )
    m = get("linear")
    return m, js, m.pairs(js)


def test_valid_weights_pass() -> None:
    m, js, pairs = _setup()
    assert pairs.size == 3
    check_weights(m, js, pairs, np.array([0.5, 0.5, 1.0]))
    check_weights(m, js, pairs, np.asarray(m.weights(js), dtype=np.float64))


def test_wrong_shape() -> None:
    m, js, pairs = _setup()
    with pytest.raises(ValueError, match=r"returned shape \(2,\), expected \(3,\)"):
        check_weights(m, js, pairs, np.array([0.5, 0.5]))


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf")])
def test_negative_or_non_finite_names_the_conversion_row(bad: float) -> None:
    m, js, pairs = _setup()
    with pytest.raises(ValueError, match="must be finite and >= 0; got .* conversion row 2"):
        check_weights(m, js, pairs, np.array([0.5, 0.5, bad]))


def test_sum_not_one_names_the_conversion_row() -> None:
    m, js, pairs = _setup()
    with pytest.raises(
        ValueError, match="must sum to 1 per conversion; conversion row 1 sums to 0.9"
    ):
        check_weights(m, js, pairs, np.array([0.5, 0.4, 1.0]))
