"""Tests of touchcredit.kpi.economics.money_table: the join of leads, spend and revenue."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from touchcredit import LeadSet
from touchcredit.kpi.economics import UnmatchedLabelWarning, money_table


def _leads() -> LeadSet:
    return LeadSet.from_arrays(
        lead_id=["0001", "0002", "0003"],
        created_at=["2024-01-05", "2024-01-20", "2024-02-03"],
        source=["linkedin", "LinkedIn", "Booth #4"],
    )


def _rows(data: dict[str, np.ndarray], key: str) -> dict[object, dict[str, object]]:
    return {
        label: {name: col[i] for name, col in data.items() if name != key}
        for i, label in enumerate(data[key].tolist())
    }


def test_catalog_labels_meet_across_leads_and_spend() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data, names, notes, _, _, _, _ = money_table(
            _leads(), {"LinkedIn": 100.0, "google": 20.0}, None, None, "source", False, "UTC", False
        )
    assert names == ("source",)
    rows = _rows(data, "source")
    assert set(rows) == {"LinkedIn", "Booth #4", "Google"}
    assert rows["LinkedIn"]["leads"] == 2
    assert rows["LinkedIn"]["spend"] == 100.0
    assert rows["LinkedIn"]["cost_per_lead"] == 50.0
    assert rows["Google"]["leads"] == 0
    assert np.isnan(rows["Google"]["cost_per_lead"])
    assert any("'linkedin' -> 'LinkedIn'" in n and "'google' -> 'Google'" in n for n in notes)
    assert any("in leads only: 'Booth #4'" in n and "in spend only: 'Google'" in n for n in notes)
    assert "cost_per_lead is undefined (NaN) where leads == 0: Google" in notes


def test_exact_labels_keep_spellings_and_split_by_month() -> None:
    data, names, *_ = money_table(
        _leads(), None, None, None, "source", True, "UTC", False, labels="exact"
    )
    assert names == ("source", "month")
    pairs = sorted(
        zip(data["source"].tolist(), data["month"].tolist(), data["leads"].tolist(), strict=True)
    )
    assert pairs == [
        ("Booth #4", "2024-02", 1),
        ("LinkedIn", "2024-01", 1),
        ("linkedin", "2024-01", 1),
    ]
    assert "spend" not in data


def test_label_in_one_table_only_warns() -> None:
    with pytest.warns(UnmatchedLabelWarning):
        money_table(_leads(), {"Booth #5": 10.0}, None, None, "source", False, "UTC", False)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="give 'revenue' or 'attribution', not both"):
        money_table(_leads(), None, {"a": 1.0}, object(), "source", False, "UTC", False)
    with pytest.raises(ValueError, match="'labels' must be 'catalog' or 'exact', got 'fuzzy'"):
        money_table(_leads(), None, None, None, "source", False, "UTC", False, labels="fuzzy")
