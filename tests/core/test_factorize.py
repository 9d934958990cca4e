"""Factorizing by Arrow's hashing gives what hashing Python strings gives."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.core import factorize
from touchcredit.core.factorize import factorize_ids, factorize_labels

pytest.importorskip("pyarrow")

TEXT = st.text(alphabet=st.sampled_from(["a", "b", "B", "é", "\x00", "😀", " "]), max_size=4)


@given(
    st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=60).filter(
        lambda v: isinstance(v[0], str)
    )
)
def test_arrow_codes_and_sorted_values_match_python(values: list[str | None]) -> None:
    arr = np.array(values, dtype=object)
    got = factorize._arrow_codes(arr)
    assert got is not None
    uniques, codes = got
    distinct = sorted({v for v in values if v is not None})  # Python's code point order
    assert uniques.tolist() == distinct
    assert [None if c < 0 else uniques[c] for c in codes.tolist()] == values


def test_values_arrow_cannot_take_fall_back_to_python_hashing() -> None:
    assert factorize._arrow_codes(np.array(["a", "\ud800"], dtype=object)) is None
    assert factorize._arrow_codes(np.array(["a", float("nan")], dtype=object)) is None
    assert factorize._arrow_factorize(np.array([None, "a"], dtype=object)) is None
    few = np.array(["email", "seo"] * 5_000, dtype=object)  # labels: Python hashing
    assert factorize._arrow_factorize(few) is None
    many = np.array([f"id{i}" for i in range(10_000)], dtype=object)
    assert factorize._arrow_factorize(many) is not None
    uniq, idx = factorize_ids(np.array(["b", "\ud800", "b"], dtype=object), field="journey_id")
    assert uniq.tolist() == ["b", "\ud800"] and idx.tolist() == [0, 1, 0]


@given(st.lists(TEXT.filter(lambda s: s.strip() != ""), min_size=1, max_size=40))
def test_ids_and_labels_are_the_same_with_and_without_pyarrow(values: list[str]) -> None:
    arr = np.array(values, dtype=object)
    with_arrow = factorize_ids(arr, field="journey_id")
    labels = factorize_labels(arr, field="channel", n=len(values))
    saved = sys.modules.get("pyarrow")
    sys.modules["pyarrow"] = None  # type: ignore[assignment]  # import pyarrow fails
    try:
        without = factorize_ids(arr, field="journey_id")
        labels_without = factorize_labels(arr, field="channel", n=len(values))
    finally:
        if saved is not None:
            sys.modules["pyarrow"] = saved
    assert with_arrow[0].tolist() == without[0].tolist()
    assert with_arrow[1].tolist() == without[1].tolist()
    assert labels[0].tolist() == labels_without[0].tolist() and labels[1] == labels_without[1]


def test_ids_shared_per_journey_factorize_like_numpy_unique() -> None:
    # 6,000 id objects, each reused by its journey's rows: hashed by object, then the
    # distinct objects coded and sorted by Arrow.
    rng = np.random.default_rng(7)
    objects = np.array([f"lead-{i:05d}" for i in rng.permutation(6_000)], dtype=object)
    ids = objects[rng.integers(0, 6_000, 200_000)]
    uniq, idx = factorize_ids(ids, field="journey_id")
    want_uniq, want_idx = np.unique(ids.astype(str), return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert idx.tolist() == want_idx.tolist()
