"""The CRM lead and deal sheets as exported: BOMs, emails in two cases, lost deals, own names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from touchcredit.connectors import Cleaning, SchemaError, crm
from touchcredit.connectors.crm_leads import read_leads
from touchcredit.connectors.sheets import lead_key, won_mask
from touchcredit.core.mapping import ColumnMap

LEAD_COLUMNS = {
    "lead_id": "Email",
    "created_at": "Create Date",
    "source": "Lead Source",
    "mql_at": "MQL Date",
}
DEAL_COLUMNS = {
    "lead_id": "Contact Email",
    "amount": "Amount",
    "closed_at": "Close Date",
    "stage": "Deal Stage",
}


def write_sheets(folder: Path) -> tuple[Path, Path]:
    """Five lead rows (one repeats an email in upper case), four deals (one lost, one unknown).

    Won revenue: ann 1,000 + cy 250 = 1,250; lost: bob 9,999; unknown lead: 77.
    """
    leads = folder / "leads.csv"
    leads.write_text(
        "\ufeffEmail,Create Date,Lead Source,MQL Date\n"
        "ANN@Corp.com,2024-03-01 10:00,LinkedIn,2024-03-02 09:00\n"
        "bob@corp.com,2024-03-02 11:30,linkedin,\n"
        "cy@corp.com,2024-03-05,Google Ads,\n"
        "ann@corp.com,2024-03-09 08:00,LinkedIn,\n"
        "dee@corp.com,2024-04-01,lnkd.in,\n",
        encoding="utf-8",
    )
    deals = folder / "deals.csv"
    deals.write_text(
        "Deal ID,Contact Email,Amount,Close Date,Deal Stage\n"
        "007,ann@corp.com,1000,2024-03-20,Closed Won\n"
        "008,BOB@corp.com ,9999,2024-03-21,Closed Lost\n"
        "009,cy@corp.com,250.5,2024-04-02,closed_won\n"
        "010,zed@corp.com,77,2024-04-03,Closed Won\n",
        encoding="utf-8",
    )
    return leads, deals


def test_every_lead_once_only_won_revenue_one_spelling(tmp_path: Path) -> None:
    leads, deals = write_sheets(tmp_path)
    ls, rep = read_leads(
        leads, deals, columns=LEAD_COLUMNS, deal_columns=DEAL_COLUMNS, won=["Closed Won"]
    )
    assert ls.lead_ids.tolist() == ["ann@corp.com", "bob@corp.com", "cy@corp.com", "dee@corp.com"]
    assert rep.merged == 1  # ANN@Corp.com and ann@corp.com: one lead, the earliest row kept
    assert ls.created_at[0] == np.datetime64("2024-03-01T10:00")
    assert ls.source.labels().tolist() == ["LinkedIn", "LinkedIn", "Google Ads", "LinkedIn"]
    assert ls.channel.labels().tolist() == [
        "organic social",
        "organic social",
        "paid search",
        "organic social",
    ]
    assert float(ls.won_revenue.sum()) == 1250.5
    assert ls.n_deals == 3 and ls.deal_won.tolist() == [True, False, True]
    assert dict(rep.not_used) == {"deals not won (lost or open)": 1}
    assert rep.rejected == ("deals row 4: its lead is not among the leads",)
    assert rep.rejected_revenue == 77.0
    assert rep.won_revenue == 1250.5
    assert rep.respelled == {"linkedin": "LinkedIn", "lnkd.in": "LinkedIn"}
    assert "merged: 1 lead rows" in str(rep)


def test_a_won_column_and_errors_raise(tmp_path: Path) -> None:
    leads, _ = write_sheets(tmp_path)
    deals = tmp_path / "won.csv"
    deals.write_text(
        "lead,value,closed,is_won\nann@corp.com,10,2024-03-10,yes\nzed@corp.com,5,2024-03-10,no\n"
    )
    cols = {"lead_id": "lead", "amount": "value", "closed_at": "closed", "won": "is_won"}
    ls, _ = read_leads(leads, deals, columns=LEAD_COLUMNS, deal_columns=cols)
    assert ls.won_revenue.tolist()[0] == 10.0
    with pytest.raises(ValueError, match="deals row 2: its lead is not among the leads"):
        read_leads(
            leads, deals, columns=LEAD_COLUMNS, deal_columns=cols, cleaning=Cleaning(errors="raise")
        )


def test_errors_name_the_users_column_and_the_key(tmp_path: Path) -> None:
    leads, deals = write_sheets(tmp_path)
    where = ("[leads.columns]", "[deals.columns]")
    with pytest.raises(SchemaError, match=r"'Created' is \[leads.columns\] created_at"):
        read_leads(leads, columns={**LEAD_COLUMNS, "created_at": "Created"}, where=where)
    with pytest.raises(ValueError, match=r"\[deals.columns\] stage = 'Deal Stage': say which"):
        read_leads(leads, deals, columns=LEAD_COLUMNS, deal_columns=DEAL_COLUMNS, where=where)
    bad = tmp_path / "bad.csv"
    bad.write_text("Email,Create Date,Lead Source,MQL Date\na@x.io,2024-03-05,seo,2024-03-01\n")
    with pytest.raises(ValueError, match=r"'MQL Date' \(\[leads.columns\] mql_at\) must not"):
        read_leads(bad, columns=LEAD_COLUMNS, where=where)
    bad.write_text("Email,Create Date\na@x.io,soon\n")
    with pytest.raises(ValueError, match=r"\[leads.columns\] created_at \(column 'Create Date'\)"):
        read_leads(bad, columns={"lead_id": "Email", "created_at": "Create Date"}, where=where)


def test_microsecond_epochs_and_date_only_times(tmp_path: Path) -> None:
    leads = tmp_path / "l.csv"
    leads.write_text("id,created,sql\n007,1709287200000000,2024-03-02\n7,1709287200000000,\n")
    ls, _ = read_leads(leads, columns={"lead_id": "id", "created_at": "created", "sql_at": "sql"})
    assert ls.lead_ids.tolist() == ["007", "7"]  # text ids keep their leading zeros
    assert ls.created_at.tolist()[0].isoformat() == "2024-03-01T10:00:00"
    assert ls.reached("sql").tolist() == [True, False]


def test_lead_key_and_won_mask() -> None:
    assert lead_key(["A@B.io ", "x"]).tolist() == ["a@b.io", "x"]
    assert won_mask(["Won", "won ", "Lost"], "won").tolist() == [True, True, False]


def test_crm_read_credits_won_deals_only(tmp_path: Path) -> None:
    touches = tmp_path / "events.csv"
    touches.write_text(
        "user_pseudo_id,event_timestamp,email,utm_source,utm_medium\n"
        "u1,1709280000000000,,linkedin,paid_social\n"
        "u1,1709290000000000,ANN@corp.com,google,cpc\n"
        "u1,,ANN@corp.com,google,cpc\n"
        "u2,1709290000000000,bob@corp.com,newsletter,email\n"
    )
    _, deals = write_sheets(tmp_path)
    cols = ColumnMap(
        journey="user_pseudo_id",
        timestamp="event_timestamp",
        channel=None,
        source="utm_source",
        medium="utm_medium",
        identifiers={"email": "email"},
        conversion_journey="email",
        conversion_time="Close Date",
        conversion_value="Amount",
    )
    import pyarrow.csv as pcsv

    table = pcsv.read_csv(deals).rename_columns(
        ["Deal ID", "email", "Amount", "Close Date", "Deal Stage"]
    )
    js, rep = crm.read(
        touches, cols, table, target="revenue", won=["Closed Won"], stage="Deal Stage"
    )
    # won: ann 1,000 (her touches), cy 250.5 and zed 77 (no touch: unattributed); bob lost
    assert js.total_value == 1327.5 and js.n_touches == 3
    assert rep.not_used == {"conversions not won (stage not in won)": 1}
    assert rep.conversions_in == 3 and rep.rows_rejected == 1  # the row without a time
    with pytest.raises(ValueError, match="together"):
        crm.read(touches, cols, table, won=["Closed Won"])
