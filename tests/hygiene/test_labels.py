"""Tests of touchcredit.hygiene.labels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.hygiene.labels import (
    distinct_strings,
    host,
    is_host_alias,
    label_key,
    map_distinct,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Paid_Search", "paid search"),
        ("  paid -  search ", "paid search"),
        ("Booth\u200b #4", "booth #4"),
        ("Cafe\u0301", "caf\u00e9"),
        ("007", "007"),
    ],
)
def test_label_key(raw: str, key: str) -> None:
    assert label_key(raw) == key


@given(st.text(max_size=30))
def test_label_key_is_idempotent(s: str) -> None:
    assert label_key(label_key(s)) == label_key(s)


def test_map_distinct_calls_fn_once_per_distinct_string() -> None:
    calls: list[str] = []

    def fn(s: str) -> int:
        calls.append(s)
        return len(s)

    values = np.array(["ab", "c", "ab", "ab", "c"], dtype=object)
    out = map_distinct(values, fn, np.int64)
    assert out.tolist() == [2, 1, 2, 2, 1]
    assert sorted(calls) == ["ab", "c"]


@given(st.lists(st.text(max_size=5), max_size=20))
def test_map_distinct_equals_plain_map(items: list[str]) -> None:
    values = np.empty(len(items), dtype=object)
    values[:] = items
    assert map_distinct(values, str.upper).tolist() == [s.upper() for s in items]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://WWW.Google.com/search?q=1", "www.google.com"),
        ("http://user@lnkd.in:8080/x", "lnkd.in"),
        ("facebook.com", "facebook.com"),
        ("m.facebook.com/path#frag", "m.facebook.com"),
        ("newsletter", None),
        ("paid search", None),
        ("https://", None),
        ("a b.com", None),
    ],
)
def test_host(value: str, expected: str | None) -> None:
    assert host(value) == expected


def test_is_host_alias() -> None:
    assert is_host_alias("lnkd.in")
    assert not is_host_alias("linkedin")
    assert not is_host_alias("my site.com")


def test_distinct_strings_with_missing_values() -> None:
    uniq, inverse, missing = distinct_strings(["b", None, "a", "b", "0042"], "source")
    assert missing.tolist() == [False, True, False, False, False]
    assert inverse[1] == -1
    assert [uniq[i] for i in inverse[~missing]] == ["b", "a", "b", "0042"]
    assert sorted(uniq) == ["0042", "a", "b"]


def test_distinct_strings_all_missing() -> None:
    uniq, inverse, missing = distinct_strings([None, None], "source")
    assert uniq == []
    assert inverse.tolist() == [-1, -1]
    assert missing.all()


def test_distinct_strings_rejects_non_strings_naming_the_row() -> None:
    with pytest.raises(TypeError, match="'source' must hold strings .or None.; row 2 is int 5"):
        distinct_strings(["a", None, 5], "source")
