"""Tests of touchcredit.attribution.tables: CreditTable and Comparison built directly."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.attribution.tables import (
    Comparison,
    CreditTable,
    Unattributed,
    frozen_array,
    model_label,
)
from touchcredit.models import FirstTouchModel, LastTouchModel, TimeDecayModel


def _table(calls: list[int] | None = None) -> CreditTable:
    def count() -> np.ndarray:
        if calls is not None:
            calls.append(1)
        return np.array([1.5, 0.5, 0.0])

    return CreditTable(
        dimension="source",
        labels=("0042", "LinkedIn", None),
        value=frozen_array(np.array([1234.5, 10.0, 0.0])),
        unattributed_value=30.0,
        unattributed_conversions=1,
        model=LastTouchModel(),
        count_conversions=count,
        currency="EUR",
    )


def test_frozen_array_is_read_only() -> None:
    a = frozen_array(np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        a[0] = 3.0


def test_model_label_uses_the_registry_name() -> None:
    assert model_label(LastTouchModel()) == "last_touch"
    assert Unattributed(value=1.0, conversions=2) == Unattributed(1.0, 2)


def test_to_dict_value_and_conversions_counted_once() -> None:
    calls: list[int] = []
    t = _table(calls)
    assert t.to_dict() == {"0042": 1234.5, "LinkedIn": 10.0, None: 0.0}
    assert t.to_dict("conversions") == {"0042": 1.5, "LinkedIn": 0.5, None: 0.0}
    assert t.conversions.tolist() == [1.5, 0.5, 0.0]
    assert len(calls) == 1  # computed lazily, then cached
    with pytest.raises(ValueError, match="'what' must be 'value' or 'conversions', got 'revenue'"):
        t.to_dict("revenue")


def test_repr_rows_currency_and_unattributed() -> None:
    text = repr(_table())
    lines = text.splitlines()
    assert lines[0].startswith("CreditTable(")
    assert "by='source'" in lines[0]
    assert lines[1].split() == ["source", "value", "(EUR)", "conversions"]
    assert lines[2].split()[:2] == ["0042", "1,234.50"]
    assert lines[4].split()[:3] == ["(not", "recorded)", "0.00"]
    assert lines[5].split()[:2] == ["unattributed", "30.00"]


def test_html_names_the_currency() -> None:
    html = _table()._repr_html_()
    assert "value (EUR)" in html
    assert "(not recorded)" in html


def _comparison(models: tuple[object, ...]) -> Comparison:
    return Comparison(
        by="channel",
        labels=("email", None),
        models=models,  # type: ignore[arg-type]
        values=frozen_array(np.array([[3.0, 1.0], [0.0, 2.0]])),
        unattributed=frozen_array(np.array([0.0, 0.0])),
    )


def test_comparison_names_and_to_dict() -> None:
    c = _comparison((LastTouchModel(), FirstTouchModel()))
    assert c.names == ("last_touch", "first_touch")
    assert c.to_dict() == {
        "last_touch": {"email": 3.0, None: 0.0},
        "first_touch": {"email": 1.0, None: 2.0},
    }
    text = repr(c)
    assert text.splitlines()[0] == "Comparison(by='channel')"
    assert "unattributed" not in text  # all zero: no row


def test_comparison_repeated_names_fall_back_to_reprs() -> None:
    a, b = TimeDecayModel(half_life="1d"), TimeDecayModel(half_life="7d")
    c = _comparison((a, b))
    assert c.names == (repr(a), repr(b))
    assert c.names[0] != c.names[1]


def test_comparison_change_against_baseline() -> None:
    c = _comparison((LastTouchModel(), FirstTouchModel()))
    ch = c.change("last_touch")
    assert ch["first_touch change"].tolist()[0] == pytest.approx(-2 / 3)
    assert np.isnan(ch["first_touch change"].tolist()[1])
    with pytest.raises(ValueError):
        c.change("markov")
