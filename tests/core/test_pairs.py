"""The pairs' derived arrays against a loop over the conversions' runs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.core.pairs import Pairs

runs_st = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5)), max_size=25)


@given(runs_st)
def test_pair_arrays_match_a_loop_over_the_runs(runs: list[tuple[int, int]]) -> None:
    start = np.array([s for s, _ in runs], dtype=np.int64)
    stop = start + np.array([n for _, n in runs], dtype=np.int64)
    p = Pairs(start=start, stop=stop)
    touch = [t for s, e in zip(start, stop, strict=True) for t in range(s, e)]
    conversion = [c for c, (s, e) in enumerate(zip(start, stop, strict=True)) for _ in range(s, e)]
    position = [k for s, e in zip(start, stop, strict=True) for k in range(e - s)]
    assert p.touch.tolist() == touch
    assert p.conversion.tolist() == conversion
    assert p.position.tolist() == position
    assert p.size == len(touch) and p.touch.dtype == np.int64
