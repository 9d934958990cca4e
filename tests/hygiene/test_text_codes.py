"""hygiene.text_codes: one factorization, the same with pyarrow and without."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.hygiene import text_codes
from touchcredit.hygiene.text_codes import factorize_text, from_codes

VALUES = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["a", " a", "A", "", "\ud800", "é"]),
    st.none(),
    st.just(float("nan")),
    st.integers(-2, 2),
    st.booleans(),
    st.sampled_from([1.0, b"a", np.str_("a")]),
)


def _reference(values: list[Any]) -> tuple[list[int], list[Any]]:
    """Codes by first appearance; equal only with the same type; None/NaN missing."""
    seen: list[Any] = []
    codes = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            codes.append(-1)
            continue
        for k, s in enumerate(seen):
            same_type = (isinstance(s, str) and isinstance(v, str)) or type(s) is type(v)
            if same_type and s == v:
                codes.append(k)
                break
        else:
            codes.append(len(seen))
            seen.append(v)
    return codes, seen


@pytest.mark.parametrize("arrow", [True, False])
@settings(max_examples=300, deadline=None)
@given(values=st.lists(VALUES, max_size=30))
def test_codes_number_distinct_values_by_first_appearance(values: list[Any], arrow: bool) -> None:
    if arrow:
        pytest.importorskip("pyarrow")
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    got = factorize_text(arr, field="x", arrow=arrow)
    codes, seen = _reference(values)
    assert got.codes.tolist() == codes
    assert got.values.tolist() == seen
    assert [isinstance(v, str) for v in got.values.tolist()] == [isinstance(v, str) for v in seen]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", " a"]), max_size=20), st.data())
def test_map_fill_and_sorted_used_equal_their_row_by_row_meaning(
    values: list[str], data: st.DataObject
) -> None:
    col = factorize_text(values, field="x")
    low = col.map(lambda v: v.strip() or None)
    assert low.labels().tolist() == [v.strip() or None for v in values]
    other = data.draw(st.lists(st.sampled_from(["a", "z", None]), min_size=len(values),
                               max_size=len(values)))  # fmt: skip
    filled = factorize_text([None if v == "b" else v for v in values], field="y").fill(
        factorize_text(other, field="z")
    )
    want = [o if v == "b" else v for v, o in zip(values, other, strict=True)]
    assert filled.labels().tolist() == want
    assert len(set(filled.values.tolist())) == len(filled.values)
    rows = np.arange(len(values))[::2]
    used = col.take(rows).sorted_used()
    assert used.labels().tolist() == [values[i] for i in rows]
    assert used.values.tolist() == sorted({values[i] for i in rows})


def test_from_codes_merges_equal_categories_and_drops_missing_ones() -> None:
    col = from_codes(np.array([0, 1, 2, -1, 3]), ["a", "b", "a", None])
    assert col.codes.tolist() == [0, 1, 0, -1, -1]
    assert col.values.tolist() == ["a", "b"]


def test_large_columns_use_arrow_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    calls = []
    real = text_codes._factorize_arrow
    monkeypatch.setattr(text_codes, "_factorize_arrow", lambda a: calls.append(1) or real(a))
    monkeypatch.setattr(text_codes, "ARROW_MIN_ROWS", 3)
    got = factorize_text(np.array(["b", None, "b", "a"], dtype=object), field="x", arrow=None)
    assert calls and got.codes.tolist() == [0, -1, 0, 1]
