"""Mirrored tests for touchcredit.models.counting (the counting-model protocol)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from touchcredit.models import LinearModel, MarkovModel, ShapleyModel
from touchcredit.models._credit import ShapleyCounts
from touchcredit.models.counting import (
    CountingModel,
    count_classes,
    missing_counting_methods,
    qualified_name,
)
from touchcredit.models.markov_counts import MarkovCounts


def test_markov_and_shapley_are_counting_models_linear_is_not() -> None:
    assert isinstance(MarkovModel(), CountingModel)
    assert isinstance(ShapleyModel(), CountingModel)
    assert not isinstance(LinearModel(), CountingModel)


def test_missing_counting_methods() -> None:
    assert missing_counting_methods(LinearModel()) == ["count", "fit_counts"]
    assert missing_counting_methods(MarkovModel()) == []

    class OnlyCount:
        def count(self, journeys: Any) -> Any:
            return journeys

        fit_counts = 3  # not callable

    assert missing_counting_methods(OnlyCount()) == ["fit_counts"]


def test_count_classes_are_keyed_by_qualified_name() -> None:
    assert count_classes(MarkovModel()) == {
        "touchcredit.models.markov_counts.MarkovCounts": MarkovCounts,
        "touchcredit.models._credit.ShapleyCounts": ShapleyCounts,
    }
    assert qualified_name(ShapleyCounts) == "touchcredit.models._credit.ShapleyCounts"


def test_count_classes_rejects_non_attrs_classes() -> None:
    class Bad:
        count_types: ClassVar[tuple[type, ...]] = (dict,)

        def count(self, journeys: Any) -> Any:
            return journeys

        def fit_counts(self, counts: Any) -> Any:
            return self

    with pytest.raises(TypeError, match="Bad.count_types must hold attrs classes"):
        count_classes(Bad())  # type: ignore[arg-type]
