"""Tests of touchcredit.kpi.lead_builders: the checks behind LeadSet's builders."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.kpi.lead_builders import (
    STAGE_FIELDS,
    attribute_columns,
    check_derived_stages,
    check_stage_order,
    col_of,
    distinct_lead_ids,
    stage_times,
)


def test_distinct_lead_ids_keep_leading_zeros() -> None:
    ids, uniq, inv = distinct_lead_ids(["0042", "42", "007"])
    assert ids.tolist() == ["0042", "42", "007"]
    assert len(uniq) == 3
    assert [uniq[i] for i in inv.tolist()] == ["0042", "42", "007"]


def test_distinct_lead_ids_name_the_duplicate_rows() -> None:
    with pytest.raises(ValueError, match=r"duplicate lead id '007' \(rows 2 and 4\)"):
        distinct_lead_ids(["a", "007", "b", "007"])


@given(st.lists(st.text(min_size=1, max_size=4), unique=True, max_size=10))
def test_distinct_lead_ids_inverse_maps_back(values: list[str]) -> None:
    _ids, uniq, inv = distinct_lead_ids(values)
    assert [uniq[i] for i in inv.tolist()] == values


def test_stage_times_fills_missing_stages_with_nat() -> None:
    t = stage_times(
        ["2024-01-01", "2024-02-01"], {"sql_at": ["2024-01-05", None]}, n=2, default_tz="UTC"
    )
    assert tuple(t) == STAGE_FIELDS
    assert t["sql_at"].astype(str).tolist() == ["2024-01-05T00:00:00.000000", "NaT"]
    assert np.isnat(t["customer_at"]).all()
    with pytest.raises(ValueError, match="'mql_at' has 1 rows, expected 2"):
        stage_times(["2024-01-01", "2024-02-01"], {"mql_at": ["2024-01-02"]}, n=2, default_tz=None)


def test_attribute_columns() -> None:
    cols = attribute_columns({"tier": ["007", None]}, 2)
    assert cols["tier"].tolist() == ["007", None]
    assert attribute_columns(None, 3) == {}
    with pytest.raises(ValueError, match="attribute 'tier' has 1 rows, expected 2"):
        attribute_columns({"tier": ["a"]}, 2)


def test_check_stage_order_skips_undated_stages() -> None:
    t = stage_times(
        ["2024-01-01", "2024-01-01"],
        {"mql_at": [None, "2024-01-03"], "sql_at": ["2024-01-02", "2024-01-02"]},
        n=2,
        default_tz=None,
    )
    # lead 1: created -> (no mql) -> sql, fine; lead 2: sql before its mql
    with pytest.raises(ValueError, match=r"'sql_at' must not precede 'mql_at'; row 2 \(lead 'b'\)"):
        check_stage_order(t, np.array(["a", "b"], dtype=object))


def test_check_derived_stages_names_deal_dates() -> None:
    t = stage_times(["2024-03-01"], {}, n=1, default_tz=None)
    opened = np.array(["2024-02-01"], dtype="datetime64[us]")
    won = np.array(["NaT"], dtype="datetime64[us]")
    with pytest.raises(ValueError, match=r"opportunity_at=.*\(taken from its deals\) before"):
        check_derived_stages(t, opened, won, np.array(["0001"], dtype=object))
    # a lead with its own opportunity date is not checked against its deals
    own = stage_times(["2024-03-01"], {"opportunity_at": ["2024-03-05"]}, n=1, default_tz=None)
    check_derived_stages(own, opened, won, np.array(["0001"], dtype=object))


def test_col_of() -> None:
    class Item:
        def __init__(self, v: object) -> None:
            self.v = v

    assert col_of([Item("007"), Item(None)], "v").tolist() == ["007", None]
