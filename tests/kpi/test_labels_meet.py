"""Issue 14, item 13: labels of leads, spend and revenue meet before the join.

Before: ``google`` spend and ``Google Ads`` leads were two rows, ``LinkedIn`` and
``linkedin`` two rows, with no warning, and a source with leads and no spend line
showed CPL 0.00.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from touchcredit import JourneySet, LeadSet, Spend
from touchcredit.hygiene.canon import LabelCanon
from touchcredit.hygiene.catalog import Catalog
from touchcredit.kpi.metrics import SpendTable, UnmatchedLabelWarning, economics, monthly_report


def _leads() -> LeadSet:
    return LeadSet.from_arrays(
        lead_id=list(range(6)),
        created_at=["2024-01-10"] * 6,
        source=["Google Ads", "Google Ads", "LinkedIn", "LinkedIn", "Acme Partner", "Acme Partner"],
    )


def _spend() -> SpendTable:
    return SpendTable.from_arrays(
        [100.0, 50.0], ["2024-01", "2024-01"], source=["google", "linkedin"], currency="EUR"
    )


def test_linkedin_spellings_are_one_row() -> None:
    with pytest.warns(UnmatchedLabelWarning):
        t = economics(_leads(), spend=_spend())
    sources = t["source"].tolist()
    assert sources.count("LinkedIn") == 1 and "linkedin" not in sources
    row = t.row("LinkedIn")
    assert (row["leads"], row["spend"], row["cost_per_lead"]) == (2, 50.0, 25.0)
    assert any("'linkedin' -> 'LinkedIn'" in n for n in t.notes)


def test_label_in_one_table_only_warns_and_notes() -> None:
    with pytest.warns(UnmatchedLabelWarning) as caught:
        t = economics(_leads(), spend=_spend())
    message = str(caught[0].message)
    assert "in spend only: 'Google' (maybe 'Google Ads'?)" in message
    assert "in leads only: 'Acme Partner', 'Google Ads'" in message
    assert any(n.startswith("labels found in one table only") for n in t.notes)
    with pytest.warns(UnmatchedLabelWarning, match="in spend only: 'Google'"):
        monthly_report(_leads(), spend=_spend())


def test_leads_without_spend_line_show_no_spend_not_zero() -> None:
    with pytest.warns(UnmatchedLabelWarning):
        t = economics(_leads(), spend=_spend())
    row = t.row("Acme Partner")
    for col in ("cost_per_lead", "customer_acquisition_cost", "roi", "roas"):
        assert math.isnan(row[col]), col
    assert "n/a (no spend)" in repr(t)
    assert any("n/a (no spend) where no spend line was given: Acme Partner, Google Ads" in n
               for n in t.notes)  # fmt: skip
    # an explicit spend line of 0 is a known cost of 0, not "no spend"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedLabelWarning)
        t0 = economics(_leads(), spend={"Google Ads": 0.0, "LinkedIn": 1.0, "Acme Partner": 1.0})
    assert t0.row("Google Ads")["cost_per_lead"] == 0.0


def test_all_labels_meet_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedLabelWarning)
        t = economics(
            _leads(),
            spend=[
                Spend(10, "2024-01", source=s) for s in ("google ads", "LINKEDIN", "acme_partner")
            ],
        )
    assert t["source"].tolist() == ["Acme Partner", "Google Ads", "LinkedIn"]
    assert np.isfinite(t["cost_per_lead"]).all()


def test_exact_labels_and_custom_catalog() -> None:
    with pytest.warns(UnmatchedLabelWarning):
        t = economics(_leads(), spend=_spend(), labels="exact")
    assert "linkedin" in t["source"].tolist()
    cat = Catalog.default().extend({"Google Ads": {"category": "paid media & events",
                                                   "channel": "paid search",
                                                   "aliases": ["google"]}})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedLabelWarning)
        t2 = economics(_leads(), spend={"google": 100.0, "linkedin": 1.0, "Acme Partner": 1.0},
                       catalog=cat)  # fmt: skip
    assert t2.row("Google Ads")["cost_per_lead"] == 50.0
    with pytest.raises(ValueError, match="'labels' must be 'catalog' or 'exact', got 'fuzzy'"):
        economics(_leads(), labels="fuzzy")


def test_label_canon_folds_spelling() -> None:
    canon = LabelCanon("campaign")
    assert [canon(x) for x in ["Spring_Sale", "spring sale", "SPRING-SALE", None]] == [
        "Spring_Sale", "Spring_Sale", "Spring_Sale", None,
    ]  # fmt: skip
    assert LabelCanon("channel")("Organic-Search") == "organic search"


# ---------------------------------------------------------------- item 14: currency
def _attribution(currency: str | None) -> object:
    import touchcredit as tc

    js = JourneySet.from_arrays(
        journey_id=["p1"], timestamp=["2024-01-02"], channel=["social"], source=["LinkedIn"],
        conversion_journey_id=["p1"], conversion_time=["2024-01-05"], conversion_value=[90.0],
        target="revenue", currency=currency,
    )  # fmt: skip
    return tc.attribute(js, "last_touch")


def test_journeys_without_currency_do_not_meet_eur_spend() -> None:
    ls = LeadSet.from_arrays(lead_id=[1], created_at=["2024-01-03"], source=["LinkedIn"])
    spend = SpendTable.from_arrays([10.0], ["2024-01"], source=["LinkedIn"], currency="EUR")
    with pytest.raises(ValueError, match=r"no currency .* spend is in EUR.*currency='EUR'"):
        economics(ls, spend=spend, attribution=_attribution(None))
    with pytest.raises(ValueError, match=r"no currency .* spend is in EUR"):
        monthly_report(ls, spend=spend, attribution=_attribution(None))
    none_spend = SpendTable.from_arrays([10.0], ["2024-01"], source=["LinkedIn"], currency=None)
    with pytest.raises(ValueError, match="revenue is in EUR and the spend table has no currency"):
        economics(ls, spend=none_spend, attribution=_attribution("EUR"))
    ok = economics(ls, spend=spend, attribution=_attribution("EUR"))
    assert ok.row("LinkedIn")["roas"] == 9.0
