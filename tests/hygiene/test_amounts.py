"""Text amounts: the thousands separator and decimal mark are decided per column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.hygiene.amounts import AmountError, decimal_mark, normalize_amounts


def _format(cents: int, style: str) -> str:
    """An amount as a locale writes it: en-US 1,234.50; de-DE 1.234,50; fr-FR 1 234,50."""
    whole, frac = divmod(abs(cents), 100)
    sep, dec = {"en": (",", "."), "de": (".", ","), "fr": ("\u202f", ",")}[style]
    grouped = f"{whole:,}".replace(",", sep)
    return ("-" if cents < 0 else "") + f"{grouped}{dec}{frac:02d}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-10**11, 10**11), min_size=1, max_size=8),
       st.sampled_from(["en", "de", "fr"]))  # fmt: skip
def test_a_column_in_one_locale_reads_back_exactly(cents: list[int], style: str) -> None:
    texts = [_format(c, style) for c in cents]
    got = normalize_amounts(texts, column="Amount").tolist()
    assert [Decimal(g) for g in got] == [Decimal(c) / 100 for c in cents]


def test_the_column_decides_three_digit_groups() -> None:
    assert normalize_amounts(["1.200", "2.500"], column="a").tolist() == ["1200", "2500"]
    assert normalize_amounts(["1,200", "2,500"], column="a").tolist() == ["1200", "2500"]
    assert normalize_amounts(["1.200", "19.99"], column="a").tolist() == ["1.200", "19.99"]
    assert normalize_amounts(["1.200", "19,99"], column="a").tolist() == ["1200", "19.99"]
    assert normalize_amounts(["0.125"], column="a").tolist() == ["0.125"]  # no leading 0 group
    assert decimal_mark(["1.200.000", "5"], column="a") == ","


def test_what_is_not_an_amount_is_left_for_the_caller() -> None:
    out = normalize_amounts(["12 EUR", "n/a", "1.2.3", "", None, 7.5], column="a").tolist()
    assert out == ["12 EUR", "n/a", "1.2.3", "", None, 7.5]


def test_two_decimal_marks_in_one_column_are_an_error() -> None:
    with pytest.raises(AmountError, match=r"'a' uses both '\.' \(row 2: '1\.5'\) and ','"):
        normalize_amounts(["10", "1.5", "3", "2,25"], column="a")
