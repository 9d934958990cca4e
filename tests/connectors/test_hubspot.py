"""HubSpot connector on generated exports: hand-computed answers, errors."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute
from touchcredit.connectors import SchemaError, hubspot


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
