"""HubSpot and Salesforce connectors on generated exports: hand-computed answers, errors."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute
from touchcredit.connectors import SchemaError, hubspot, salesforce


def _credit(js: Any, by: str = "channel") -> dict[str, float]:
    table = attribute(js, "linear").by(by).to_dict()
    return {str(k): round(v, 9) for k, v in table.items() if v}


def test_hubspot_gives_the_hand_computed_answer(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_hubspot(tmp_path)
    js, report = hubspot.read(paths["contacts"], paths["deals"], currency="USD", group="contact")
    assert _credit(js) == exports.HUBSPOT_LINEAR  # '007' and '7' are two contacts
    assert js.total_value == 690.0
    assert report.tables == {"contacts": 6, "deals": 4}
    assert report.rows_in == 7  # six original sources and Ann's latest source
    assert report.rejected.reasons[0].startswith("contacts row 6: no identifier")
    assert report.conversions_in == 3 and report.conversions_out == 2
    assert report.conversions_rejected.reasons == (
        "deals row 4: no contact in 'Associated Contact IDs'",
    )
    assert report.not_used == {"deals not won (stage not in won_stages)": 1}
    assert js.currency == "USD"


def test_hubspot_leads_and_email_association(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_hubspot(tmp_path)
    js, report = hubspot.read(paths["contacts"], conversions="leads")
    assert js.n_conversions == 5 and report.conversions_rejected.reasons[0].startswith(
        "contacts row 6"
    )
    deals = tmp_path / "by_email.csv"
    deals.write_text(
        "Record ID,Amount,Close Date,Deal Stage,Associated Contact Emails\n"
        "1,600,2024-03-10,closedwon,Ann@x.io\n"
    )
    js, _ = hubspot.read(paths["contacts"], deals, contact_column="Associated Contact Emails")
    assert _credit(js) == {"paid search": 200.0, "email": 200.0, "organic social": 200.0}


def test_hubspot_missing_column_is_named(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_hubspot(tmp_path)
    bad = tmp_path / "c.csv"
    bad.write_text(paths["contacts"].read_text().replace("Create Date", "Created"))
    with pytest.raises(SchemaError, match="contacts: missing column.s. 'Create Date'"):
        hubspot.read(bad, paths["deals"])
    bad = tmp_path / "d.csv"
    bad.write_text(paths["deals"].read_text().replace("Associated Contact IDs", "Contacts"))
    with pytest.raises(SchemaError, match="deals: missing column.s. 'Associated Contact IDs'"):
        hubspot.read(paths["contacts"], bad)


def test_salesforce_gives_the_hand_computed_answer(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_salesforce(tmp_path)
    js, report = salesforce.read(**paths, group="contact")
    assert _credit(js, "campaign") == exports.SF_LINEAR_BY_CAMPAIGN
    assert js.total_value == 1200.0 and js.n_journeys == 2
    assert report.rows_in == 5 and report.rows_rejected == 1
    assert report.rejected.reasons[0].startswith("campaign members row 5: its CampaignId")
    assert report.conversions_rejected.reasons == ("opportunities row 4: won, but no contact role",)
    assert report.not_used == {
        "campaign members who did not respond": 1,
        "opportunities not won": 1,
    }


def test_salesforce_channel_field(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_salesforce(tmp_path)
    js, _ = salesforce.read(**paths, channel_field="Channel__c", group="contact")
    assert _credit(js) == {"webinar": 300.0, "paid search": 600.0, "events": 300.0}


def test_salesforce_mistyped_flag_is_named(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_salesforce(tmp_path)
    opp = paths["opportunities"]
    opp.write_text(opp.read_text().replace(",true,2024-02-15\n006B", ",maybe,2024-02-15\n006B"))
    with pytest.raises(SchemaError, match="opportunities: wrong type: 'IsWon' .'maybe' is not"):
        salesforce.read(**paths)
