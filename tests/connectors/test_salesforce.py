"""Salesforce connector on generated exports: hand-computed answers, errors."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute
from touchcredit.connectors import SchemaError, salesforce


def _credit(js: Any, by: str = "channel") -> dict[str, float]:
    table = attribute(js, "linear").by(by).to_dict()
    return {str(k): round(v, 9) for k, v in table.items() if v}


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
