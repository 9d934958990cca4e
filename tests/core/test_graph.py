"""Graph kernels against a slow union-find reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.graph import (
    components_hook_compress,
    connected_components,
    dense_first_seen,
)


def _union_find(n: int, a: list[int], b: list[int]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a, b, strict=True):
        rx, ry = find(x), find(y)
        parent[max(rx, ry)] = min(rx, ry)
    return [find(x) for x in range(n)]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[int], list[int]]:
    n = draw(st.integers(1, 40))
    m = draw(st.integers(0, 60))
    a = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    b = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    return n, a, b


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_hook_compress_labels_are_the_smallest_node_of_each_component(
    g: tuple[int, list[int], list[int]],
) -> None:
    n, a, b = g
    got = components_hook_compress(n, np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert got.tolist() == _union_find(n, a, b)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_scipy_and_numpy_paths_give_the_same_partition(g: tuple[int, list[int], list[int]]) -> None:
    n, a, b = g
    ea, eb = np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)
    x = connected_components(n, ea, eb, use_scipy=True)
    y = connected_components(n, ea, eb, use_scipy=False)
    # same partition: the pairs (x, y) are a bijection
    assert len(set(zip(x.tolist(), y.tolist(), strict=True))) == len(set(x.tolist()))
    assert len(set(x.tolist())) == len(set(y.tolist()))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-1, 30), st.integers(-1, 2**40)), max_size=40),
)
def test_dense_first_seen_numbers_labels_by_first_appearance(labels: list[int]) -> None:
    got, k = dense_first_seen(np.array(labels, dtype=np.int64))
    number: dict[int, int] = {}
    want = [-1 if x < 0 else number.setdefault(x, len(number)) for x in labels]
    assert got.tolist() == want
    assert k == len(number)
