"""testing.suite: check_model runs every rule; model_checks hands them out one by one."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from touchcredit.models import AttributionModel, get
from touchcredit.testing import ModelCheck, check_model, model_checks

RULES = [
    "check_declared_parameters",
    "check_clone_round_trip",
    "check_fit_contract",
    "check_weights_and_accounting",
    "check_parameters_unchanged",
    "check_fit_then_weigh_other",
    "check_exclusions",
    "check_row_order",
]


def test_every_rule_is_a_separate_check() -> None:
    checks = model_checks(get("linear"), seeds=1)
    assert [c.name for c in checks] == RULES
    assert all(isinstance(c, ModelCheck) for c in checks)


@attrs.define(frozen=True, kw_only=True)
class _Doubled(AttributionModel):
    def weights(self, journeys):  # type: ignore[no-untyped-def]
        p = self.pairs(journeys)
        return np.full(p.size, 2.0) / p.length[p.conversion]


def test_a_broken_rule_fails_its_own_check_only() -> None:
    outcome = {}
    for check in model_checks(_Doubled(), seeds=1):
        try:
            check()
        except (AssertionError, ValueError) as exc:  # attribute() itself refuses the weights
            outcome[check.name] = str(exc)
    assert "check_weights_and_accounting" in outcome
    assert "check_declared_parameters" not in outcome
    assert "sums to 2.0" in outcome["check_weights_and_accounting"]
    with pytest.raises(AssertionError, match="one weight per pair, >= 0, summing to 1"):
        check_model(_Doubled(), seeds=1)
