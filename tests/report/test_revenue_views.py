"""Mirrored tests for touchcredit.report.revenue_views: the report says which revenue it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

import touchcredit as tc
from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.spend import SpendTable
from touchcredit.report.revenue_views import revenue_views_section

pytest.importorskip("pyarrow")


def _journeys() -> tc.JourneySet:
    """ann: touches seo then ads, won 1,000 (lead source: ads); bob: seo, won 500 (seo)."""
    return tc.JourneySet.from_arrays(
        journey_id=["ann", "ann", "bob"],
        timestamp=["2024-03-01", "2024-03-02", "2024-03-01"],
        source=["seo", "ads", "seo"],
        channel=["organic search", "paid search", "organic search"],
        conversion_journey_id=["ann", "bob"],
        conversion_time=["2024-03-10", "2024-03-11"],
        conversion_value=[1000.0, 500.0],
        currency="USD",
    )


def test_revenue_by_recorded_source_next_to_each_models_credit() -> None:
    ls = LeadSet.from_arrays(
        lead_id=["ann", "bob"], created_at=["2024-03-02", "2024-03-01"], source=["ads", "seo"],
        deal_lead_id=["ann", "bob"], deal_amount=[1000.0, 500.0],
        deal_created_at=["2024-03-03"] * 2, deal_closed_at=["2024-03-10", "2024-03-11"],
        deal_won=[True, True],
    )  # fmt: skip
    spend = SpendTable.from_arrays([250.0], ["2024-03"], source=["ads"])
    models = [tc.models.get(n) for n in ["first_touch", "linear"]]
    sec = revenue_views_section(_journeys(), ls, spend, models)
    table = sec.tables[0]
    assert table.columns == ("source", "spend", "revenue: recorded source",
                             "ROI: recorded source", "revenue: first_touch", "ROI: first_touch",
                             "revenue: linear", "ROI: linear")  # fmt: skip
    rows = {r[0].text: [c.text for c in r[1:]] for r in table.rows}
    # recorded: ads 1,000 (ann's lead source); first touch: seo gets all 1,500;
    # linear: ann's 1,000 split 500/500 -> ads 500, seo 1,000
    assert rows["ads"] == ["250 USD", "1,000 USD", "300.0%", "0 USD", "-100.0%", "500 USD",
                           "100.0%"]  # fmt: skip
    seo = rows["organic search"]  # 'seo' in the catalog spelling, in both views
    assert seo[1] == "500 USD" and seo[3] == "1,500 USD"
    assert seo[2] == "n/a"  # no spend line for seo
    assert "recorded for the lead" in table.notes[0] and sec.charts


def test_a_lead_count_target_says_why_there_is_no_model_revenue() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1], timestamp=[1], channel=["seo"], conversion_journey_id=[1],
        conversion_time=[2], unit="s",
    )  # fmt: skip
    ls = LeadSet.from_arrays(lead_id=[1], created_at=[2], unit="s")
    sec = revenue_views_section(js, ls, None, [tc.models.get(n) for n in ["linear"]])
    assert not sec.tables and "credit leads, not revenue" in sec.intro


def test_the_bundled_crm_pipeline_report_has_both_revenues(tmp_path: Path) -> None:
    from touchcredit.cli import main

    root = Path(__file__).resolve().parents[2]
    assert main(["run", str(root / "examples" / "crm.toml"), "--out-dir", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text()
    assert "revenue: recorded source" in page and "revenue: linear" in page
    assert "All months by source (revenue: won deals, by the lead&#39;s recorded source)" in page
