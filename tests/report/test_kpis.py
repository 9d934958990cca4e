"""Mirrored tests for touchcredit.report.kpis: the headline compares complete periods."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.spend import SpendTable
from touchcredit.report.kpis import headline_section
from touchcredit.report.periods import data_end

pytest.importorskip("pyarrow")


def late_closes() -> LeadSet:
    """Leads in Q2 (2) and Q3 (4); 3 deals closing in October: the export ends 2024-10-20."""
    return LeadSet.from_arrays(
        lead_id=["a", "b", "c", "d", "e", "f"],
        created_at=["2024-04-02", "2024-05-02", "2024-07-01", "2024-07-09", "2024-08-01",
                    "2024-09-30"],
        source=["ads", "ads", "ads", "seo", "ads", "seo"],
        deal_lead_id=["c", "d", "e"], deal_amount=[100.0, 200.0, 300.0],
        deal_created_at=["2024-09-01", "2024-09-02", "2024-09-03"],
        deal_closed_at=["2024-10-01", "2024-10-15", "2024-10-20"], deal_won=[True] * 3,
    )  # fmt: skip


def test_a_partial_last_quarter_is_named_and_left_out() -> None:
    ls = late_closes()
    assert data_end(ls) == np.datetime64("2024-10-20")
    spend = SpendTable.from_arrays([400.0], ["2024-05"], source=["ads"])  # Q2 only
    sec = headline_section(ls, spend, "USD")
    assert sec.intro == "2024-Q3, with the change from 2024-Q2."
    assert "2024-Q4 is partial (the data runs from 2024-10-01 to 2024-10-20)" in sec.notes[0]
    kpis = {k.name: k for k in sec.kpis}
    assert (kpis["Leads"].value, kpis["Leads"].previous) == ("4", "2")  # not "0, -100 %"
    cpl = kpis["Cost per lead"]  # Q3 has no spend line: n/a, never 0.00 in green
    assert (cpl.value, cpl.previous, cpl.change, cpl.tone) == ("n/a", "200.00 USD", "n/a", "flat")
    assert kpis["Customer acquisition cost"].value == "n/a"
    assert "CPL and CAC are n/a in a period without a spend line." in sec.notes
