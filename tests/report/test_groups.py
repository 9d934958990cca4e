"""Mirrored tests for touchcredit.report.groups: the "Buying group" section's numbers from
the bundled Salesforce export (its browser check stays in test_buying_group.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("jinja2")

import touchcredit as tc
from touchcredit.connectors import salesforce
from touchcredit.report import Report
from touchcredit.report.groups import engaged_contacts, is_grouped

EXPORTS = Path(tc.__file__).parent / "data" / "example" / "exports" / "salesforce"


def _read(group: str) -> tuple[Any, Any]:
    return salesforce.read(
        EXPORTS / "CampaignMember.csv",
        EXPORTS / "Campaign.csv",
        EXPORTS / "Opportunity.csv",
        EXPORTS / "OpportunityContactRole.csv",
        contacts=EXPORTS / "Contact.csv",
        channel_field="Channel__c",
        group=group,
    )


@pytest.fixture(scope="module")
def account() -> tuple[Any, Any]:
    return _read("account")


def test_engaged_contacts_count_distinct_people_per_deal(account: tuple[Any, Any]) -> None:
    js, report = account
    engaged = engaged_contacts(js)
    assert engaged.size == js.n_conversions
    # slow reference: distinct contact labels on each conversion's journey
    contact = js.dimension("contact").labels()
    for c, j in enumerate(js.conversion_journey.tolist()):
        people = {x for x in contact[js.offsets[j] : js.offsets[j + 1]].tolist() if x}
        assert engaged[c] == len(people)
    won = {js.journey_ids[j] for j in js.conversion_journey.tolist()}
    assert all(engaged[i] <= report.group_members[k] for i, k in enumerate(sorted(won)))


def test_the_section_credits_roles_and_adds_up(account: tuple[Any, Any]) -> None:
    js, report = account
    assert is_grouped(js) and not is_grouped(_read("contact")[0])
    page = Report(js, models=["linear", "position"], by=["channel"], cleaning=report)
    section = next(s for s in page.sections if s.id == "buying-group")
    assert section.tables[0].caption.startswith("Credit by contact role")
    for model in ("linear", "position"):
        by_role = tc.attribute(js, model).by("role")
        assert by_role.value.sum() + by_role.unattributed_value == pytest.approx(js.total_value)
        assert set(by_role.labels) >= {"Decision Maker", "Economic Buyer", None}
    html = page.html()
    assert "Buying group" in html and "Decision Maker" in html and "Economic Buyer" in html
    assert "more than one engaged contact" in html
    assert "Buying group" not in Report(_read("contact")[0], models=["linear"]).html()
