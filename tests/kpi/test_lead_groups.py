"""Tests of touchcredit.kpi.lead_groups: lead_column and lead_groups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit import LeadSet
from touchcredit.kpi.lead_groups import lead_column, lead_groups


def _leads() -> LeadSet:
    return LeadSet.from_arrays(
        lead_id=["0001", "0002", "0003", "0004"],
        created_at=["2024-01-31T23:30", "2024-02-01T00:10", "2024-01-15", "2024-03-02"],
        source=["LinkedIn", None, "LinkedIn", "Google Ads"],
        attributes={"tier": ["007", "7", None, "007"]},
    )


def test_lead_column_label_stage_and_attribute() -> None:
    ls = _leads()
    assert lead_column(ls, "source").tolist() == ["LinkedIn", None, "LinkedIn", "Google Ads"]
    assert lead_column(ls, "tier").tolist() == ["007", "7", None, "007"]
    created = lead_column(ls, "created_at")
    assert created.shape == (4,)
    assert np.issubdtype(created.dtype, np.datetime64)


def test_lead_column_unknown_names_the_known_columns() -> None:
    with pytest.raises(KeyError, match="no column 'nope'; known columns: .*created_at.*tier"):
        lead_column(_leads(), "nope")


def test_groups_by_dimension_puts_not_recorded_last() -> None:
    g = lead_groups(_leads(), "source")
    assert g.labels == ("Google Ads", "LinkedIn", None)
    assert [g.labels[c] for c in g.codes.tolist()] == ["LinkedIn", None, "LinkedIn", "Google Ads"]
    assert g.names == ("source",)


def test_groups_by_month_in_a_time_zone() -> None:
    ls = _leads()
    utc = lead_groups(ls, "month")
    assert utc.labels == ("2024-01", "2024-02", "2024-03")
    assert [utc.labels[c] for c in utc.codes.tolist()] == [
        "2024-01",
        "2024-02",
        "2024-01",
        "2024-03",
    ]
    ny = lead_groups(ls, "month", tz="America/New_York")
    # 2024-02-01 00:10 UTC is still January in New York
    assert [ny.labels[c] for c in ny.codes.tolist()] == ["2024-01", "2024-01", "2024-01", "2024-03"]


def test_groups_by_attribute_keeps_leading_zeros() -> None:
    g = lead_groups(_leads(), "tier")
    assert [g.labels[c] for c in g.codes.tolist()] == ["007", "7", None, "007"]


def test_groups_by_tuple_combines_keys() -> None:
    g = lead_groups(_leads(), ("source", "tier"))
    assert g.names == ("source", "tier")
    assert [g.labels[c] for c in g.codes.tolist()] == [
        ("LinkedIn", "007"),
        (None, "7"),
        ("LinkedIn", None),
        ("Google Ads", "007"),
    ]
    with pytest.raises(ValueError, match="at least one key"):
        lead_groups(_leads(), ())


def test_groups_by_explicit_keys_must_match_the_leads() -> None:
    with pytest.raises(ValueError, match="'by' has 2 keys, expected one per lead .4."):
        lead_groups(_leads(), ["x", "y"])


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=12))
def test_explicit_keys_group_equal_values_together(keys: list[str]) -> None:
    ls = LeadSet.from_arrays(lead_id=list(range(len(keys))), created_at=[0] * len(keys), unit="s")
    g = lead_groups(ls, np.array(keys, dtype=object))
    assert sorted(set(g.labels)) == sorted(set(keys))
    assert [g.labels[c] for c in g.codes.tolist()] == keys
