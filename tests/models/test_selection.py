"""Choosing the Markov order on held-out journeys."""

from __future__ import annotations

import pytest

from touchcredit.models import OrderChoice, choose_order
from touchcredit.testing import journeys_from_paths


def test_choose_order_prefers_the_order_that_carries_information() -> None:
    # conversion depends on the channel before the last one: only order >= 2 sees it
    paths = [(["a", "b"], 1)] * 60 + [(["c", "b"], 0)] * 60 + [(["b"], 0)] * 20
    js = journeys_from_paths(paths)
    choice = choose_order(js, max_order=3, seed=1)
    assert choice.orders == (1, 2, 3)
    assert choice.auc[0] == pytest.approx(0.5, abs=0.15)
    assert choice.auc[1] == 1.0
    assert choice.best == 2
    assert choice.log_loss[1] < choice.log_loss[0]
    assert choose_order(js, max_order=3, seed=1) == choice
    assert set(choice.to_dict()) == {1, 2, 3}
    with pytest.raises(ValueError, match="test_size"):
        choose_order(js, test_size=1.5)


def test_order_choice_is_a_value() -> None:
    choice = OrderChoice(orders=(1, 2), auc=(0.5, 0.75), log_loss=(0.7, 0.6), best=2)
    assert choice.to_dict() == {1: {"auc": 0.5, "log_loss": 0.7}, 2: {"auc": 0.75, "log_loss": 0.6}}


def test_bad_max_order() -> None:
    js = journeys_from_paths([(["a"], 1), (["b"], 0)])
    with pytest.raises(ValueError, match="'max_order' must be an integer >= 1, got 0"):
        choose_order(js, max_order=0)
