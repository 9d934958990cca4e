"""Connector invariants on random inputs: every row accounted for, batches change nothing."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from touchcredit.connectors import crm, ga4  # noqa: E402
from touchcredit.core.mapping import ColumnMap  # noqa: E402

COLS = ColumnMap(journey="id", timestamp="ts", channel=None, source="src", medium="med",
                 identifiers={"email": "email"}, conversion_time="ts",
                 conversion_value="amount")  # fmt: skip
IDS = st.sampled_from(["007", "7", "ann", "", None])
TIMES = st.sampled_from(["2024-03-01", "2024-03-02T10:00", "soon", None])
SOURCES = st.sampled_from(["google", "newsletter", "LinkedIn", None])
MEDIUMS = st.sampled_from(["cpc", "email", "organic", None])
AMOUNTS = st.sampled_from(["10", "2.5", "-1", "x", None])
TOUCH_COLUMNS = ("id", "email", "ts", "src", "med")


@st.composite
def tables(draw: Any) -> tuple[Any, Any]:
    n = draw(st.integers(1, 12))
    touches = pa.table({
        "id": draw(st.lists(IDS, min_size=n, max_size=n)),
        "email": draw(st.lists(st.sampled_from(["a@x.io", "A@x.io ", None]), min_size=n,
                               max_size=n)),
        "ts": draw(st.lists(TIMES, min_size=n, max_size=n)),
        "src": draw(st.lists(SOURCES, min_size=n, max_size=n)),
        "med": draw(st.lists(MEDIUMS, min_size=n, max_size=n)),
    }, schema=pa.schema([(c, pa.string()) for c in TOUCH_COLUMNS]))  # fmt: skip
    m = draw(st.integers(0, 5))
    conversions = pa.table({
        "id": draw(st.lists(IDS, min_size=m, max_size=m)),
        "ts": draw(st.lists(TIMES, min_size=m, max_size=m)),
        "amount": draw(st.lists(AMOUNTS, min_size=m, max_size=m)),
    }, schema=pa.schema([(c, pa.string()) for c in ("id", "ts", "amount")]))  # fmt: skip
    return touches, conversions


@settings(max_examples=60, deadline=None)
@given(tables())
def test_every_input_row_is_accounted_for(data: tuple[Any, Any]) -> None:
    touches, conversions = data
    js, r = crm.read(touches, COLS, conversions)
    assert r.rows_in == touches.num_rows
    assert r.rows_in == r.rows_out + r.duplicates_removed + r.rows_rejected
    assert r.conversions_in == conversions.num_rows
    assert r.conversions_in == r.conversions_out + len(r.conversions_rejected)
    rejected = set(r.rejected.rows.tolist())
    assert rejected.isdisjoint(js.touch_row.tolist())  # a row is kept or rejected, not both
    assert sorted([*rejected, *js.touch_row.tolist()]) == list(range(touches.num_rows))
    for row, why in zip(r.rejected.rows.tolist(), r.rejected.reasons, strict=True):
        assert why.startswith(f"touches row {row + 1}: ")
    for row, why in zip(r.conversions_rejected.rows.tolist(), r.conversions_rejected.reasons,
                        strict=True):  # fmt: skip
        assert why.startswith(f"conversions row {row + 1}: ")
    kept = set(js.conversion_row.tolist())
    assert kept.isdisjoint(r.conversions_rejected.rows.tolist())
    assert len(kept) == r.conversions_out


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12))
def test_batch_size_changes_nothing(exports: ModuleType, batch_rows: int) -> None:
    table = exports.ga4_table()
    whole, r1 = ga4.read(table)
    split, r2 = ga4.read(table, batch_rows=batch_rows)
    assert whole.n_touches == split.n_touches and whole.total_value == split.total_value
    assert np.array_equal(np.sort(whole.touch_row), np.sort(split.touch_row))
    assert r1.rejected.reasons == r2.rejected.reasons and r1.not_used == r2.not_used
