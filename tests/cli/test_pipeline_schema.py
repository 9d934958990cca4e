"""touchcredit.cli.pipeline_schema: the keys and TOML types of a pipeline file's tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.cli.common import UsageError
from touchcredit.cli.pipeline_schema import check_table, check_value, describe, signature_hints


@pytest.mark.parametrize(
    ("hint", "words"),
    [
        (str, "text"),
        (bool, "true or false"),
        (int | None, "an integer"),
        (Sequence[str], "a list of text"),
        (str | Sequence[str], "text or a list of text"),
        (Mapping[str, str], "a table"),
        (Literal["replace", "append"], "one of 'replace', 'append'"),
    ],
)
def test_describe_names_the_toml_type(hint: Any, words: str) -> None:
    assert describe(hint) == words


@pytest.mark.parametrize(
    ("value", "hint", "fits"),
    [
        ("0042", str, True),  # an id with leading zeros is text
        (42, str, False),
        (True, int, False),  # a boolean is not an integer in TOML
        (3, float, True),
        (True, bool, True),
        ("linear", Sequence[str], False),  # not read letter by letter
        (["linear", "markov"], Sequence[str], True),
        (["linear", 3], Sequence[str], False),
        ({"a": "b"}, Mapping[str, str], True),
        ("append", Literal["replace", "append"], True),
        ("upsert", Literal["replace", "append"], False),
        (1, Literal[True], False),  # 1 == True, but not of the same type
    ],
)
def test_check_value(value: Any, hint: Any, fits: bool) -> None:
    assert check_value(value, hint) is fits


@given(st.integers() | st.text() | st.booleans() | st.floats(allow_nan=False))
def test_anything_fits_any(value: Any) -> None:
    assert check_value(value, Any)


def test_check_table_returns_a_copy_of_a_good_table() -> None:
    table = {"path": "spend.csv", "currency": "EUR"}
    got = check_table(table, {"path": str, "currency": str, "columns": Mapping[str, str]}, "p")
    assert got == table and got is not table


def test_check_table_suggests_the_close_key() -> None:
    with pytest.raises(UsageError, match=r"p.toml \[spend\]: unknown key\(s\) 'currencey' "
                       r"\(did you mean 'currency'\?\); expected: path, currency"):  # fmt: skip
        check_table({"currencey": "EUR"}, {"path": str, "currency": str}, "p.toml [spend]")


def test_check_table_names_key_type_and_value() -> None:
    with pytest.raises(UsageError) as err:
        check_table({"path": 3}, {"path": str}, "p.toml [spend]")
    assert str(err.value) == "p.toml [spend] path: expected text, got 3 (an integer)"


def test_check_table_refuses_a_value_that_is_not_a_table() -> None:
    with pytest.raises(UsageError, match=r"expected a table .* got 'x' \(text\)"):
        check_table("x", {"path": str}, "p.toml [spend]")


def test_signature_hints_reads_keyword_parameters() -> None:
    def read(path: str, *args: Any, currency: str = "USD", strict: bool = False, **kw: Any) -> None:
        del path, args, currency, strict, kw

    hints = signature_hints(read, skip=("path",))
    assert hints == {"currency": str, "strict": bool}
