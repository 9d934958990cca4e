"""models.fitted: a model is fitted when it holds a learned ``*_`` attribute."""

from __future__ import annotations

import pytest

from touchcredit.models import MarkovModel, NotFittedError, check_is_fitted, get, is_fitted
from touchcredit.models.fitted import learned_attributes
from touchcredit.testing import random_journeys


def test_learned_attributes_are_the_trailing_underscore_names() -> None:
    m = MarkovModel()
    assert learned_attributes(m) == []
    m.fit(random_journeys(0))
    names = learned_attributes(m)
    assert "shares_" in names and "counts_" in names
    assert all(n.endswith("_") and not n.startswith("__") for n in names)


@pytest.mark.parametrize("name", ["linear", "position", "time_decay", "w_shaped"])
def test_models_that_do_not_learn_are_always_fitted(name: str) -> None:
    assert is_fitted(get(name))
    check_is_fitted(get(name))


def test_a_data_driven_model_is_fitted_after_fit_only() -> None:
    m = get("shapley")
    assert not is_fitted(m)
    with pytest.raises(NotFittedError, match="ShapleyModel is not fitted; call fit"):
        check_is_fitted(m)
    m.fit(random_journeys(1))
    assert is_fitted(m)
    check_is_fitted(m)
    assert not is_fitted(m.clone())  # a clone is unfitted
