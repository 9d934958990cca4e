"""cli.conversion_value: the conversion value column is given, found or asked for."""

from __future__ import annotations

import pytest

from touchcredit.cli.common import UsageError
from touchcredit.cli.conversion_value import value_column


def test_given_found_or_none() -> None:
    assert value_column(["id", "amount"], "amount") == "amount"
    assert value_column(["id", "amount"], "") is None  # count every conversion as 1
    assert value_column(["id", "conversion_value"], None) == "conversion_value"
    assert value_column(["id", " Conversion-Value "], None) == " Conversion-Value "
    assert value_column(["id", "ts"], None) is None


@pytest.mark.parametrize("column", ["Revenue", "deal amount", "GMV", "Total Sales"])
def test_a_column_that_looks_like_a_value_must_be_named(column: str) -> None:
    with pytest.raises(UsageError, match=f"has a column '{column}' that looks like the conv"):
        value_column(["id", column], None)
