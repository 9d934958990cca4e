"""Each rule of the model contract on a model that keeps it and on one that breaks it."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from touchcredit.models import AttributionModel, get
from touchcredit.testing import checks
from touchcredit.testing.journeys import random_journeys


@attrs.define(frozen=True, kw_only=True)
class _Doubled(AttributionModel):
    """Every conversion's weights sum to 2."""

    def weights(self, journeys):  # type: ignore[no-untyped-def]
        p = self.pairs(journeys)
        return np.full(p.size, 2.0) / p.length[p.conversion]


@attrs.define(frozen=True, kw_only=True)
class _IgnoresExclusions(AttributionModel):
    """Weighs journeys.pairs(lookback), which keeps the excluded touches."""

    def weights(self, journeys):  # type: ignore[no-untyped-def]
        p = journeys.pairs(self.lookback)
        return np.ones(p.size) / p.length[p.conversion]


@attrs.define(frozen=True, kw_only=True)
class _ByRow(AttributionModel):
    """Weights that follow the input row of each touch, not the data."""

    def weights(self, journeys):  # type: ignore[no-untyped-def]
        p = self.pairs(journeys)
        raw = (journeys.touch_row[p.touch] + 1.0) ** 2
        total = np.bincount(p.conversion, weights=raw, minlength=p.length.size)
        return raw / total[p.conversion]


@pytest.mark.parametrize("name", ["linear", "last_touch", "time_decay"])
def test_a_builtin_model_keeps_every_rule(name: str) -> None:
    model = get(name)
    js = random_journeys(0)
    unique = random_journeys(0, unique_times=True)
    checks.check_declared_parameters(model)
    checks.check_clone_round_trip(model)
    checks.check_fit_contract(model, js)
    checks.check_weights_and_accounting(model, js, "random_journeys(0)")
    checks.check_parameters_unchanged(model, js)
    checks.check_fit_then_weigh_other(model, js, random_journeys(1))
    checks.check_exclusions(model, js)
    checks.check_row_order(model, unique, 0)


def test_weights_summing_to_two_break_the_weights_rule_only() -> None:
    js = random_journeys(2)
    checks.check_declared_parameters(_Doubled())
    checks.check_clone_round_trip(_Doubled())
    with pytest.raises(AssertionError, match=r"_Doubled\(.*\) breaks the rule"):
        checks.check_weights_and_accounting(_Doubled(), js, "here")


def test_weighing_the_unexcluded_pairs_breaks_the_exclusion_rule() -> None:
    js = random_journeys(3)
    checks.check_weights_and_accounting(_IgnoresExclusions(), js, "here")
    with pytest.raises(AssertionError, match="weighs journeys.pairs\\(lookback\\)"):
        checks.check_exclusions(_IgnoresExclusions(), js)


def test_credit_that_follows_row_order_breaks_the_row_order_rule() -> None:
    js = random_journeys(4, unique_times=True)
    checks.check_weights_and_accounting(_ByRow(), js, "here")
    with pytest.raises(AssertionError, match="does not depend on the input row order"):
        checks.check_row_order(_ByRow(), js, 4)
