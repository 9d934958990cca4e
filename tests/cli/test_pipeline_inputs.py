"""The whole job in one pipeline: an event CSV, CRM leads and deals, a spend sheet.

Export-shaped files: epoch-microsecond event times, leads with a BOM and emails in two
cases, `LinkedIn`/`linkedin` spellings, lost deals without a creation date, a spend
sheet with its own column names. Hand-computed answers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from touchcredit.cli import main

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_709_251_200_000_000  # 2024-03-01T00:00:00Z in microseconds
HOUR = 3_600_000_000

PIPELINE = """
[input]
connector = "crm"
touches = "events.csv"
currency = "USD"

[columns]
journey = "user_pseudo_id"
timestamp = "event_timestamp"
source = "utm_source"
medium = "utm_medium"
identifiers = ["email"]

[leads]
path = "leads.csv"

[leads.columns]
lead_id = "Email"
created_at = "Create Date"
source = "Lead Source"
mql_at = "MQL Date"

[deals]
path = "deals.csv"
won = ["Closed Won"]

[deals.columns]
lead_id = "Contact"
amount = "Amount"
closed_at = "Close Date"
stage = "Stage"

[spend]
path = "spend.csv"
currency = "USD"

[spend.columns]
amount = "Cost (USD)"
period = "Month"
source = "Platform"

[attribution]
models = ["first_touch", "linear"]
by = ["channel", "source"]

[outputs]
credit = "credit.csv"
leads = "leads.csv"
cleaning = "cleaning.txt"
"""


def write_exports(folder: Path) -> Path:
    """Three people; ann and bob via LinkedIn ads, cy via Google Ads.

    Leads: ann (twice: ANN@X.IO and ann@x.io), bob, cy, dee -> 4 leads; LinkedIn Ads 3
    (dee's 'LinkedIn' is the organic LinkedIn source), Google Ads 1.
    Deals: ann won 1,000; bob lost 5,000; cy won 300 -> revenue 1,300 (LinkedIn 1,000).
    Spend: LinkedIn Ads 200 + 100 (as 'linkedin ads'), Google Ads 90.
    CPL: LinkedIn Ads 300 / 2 = 150; Google Ads 90 / 1 = 90. Lead -> MQL: ann (dated)
    and bob (his deal makes him an opportunity) of LinkedIn Ads' 2; cy of Google Ads' 1.
    Touches: ann: linkedin/cpc then google/cpc (with her email), bob: linkedin/cpc,
    cy: google/cpc -> linear credit of the won revenue: ann's 1,000 split 500/500.
    """
    rows = [
        ("u1", T0, "", "linkedin", "cpc"),
        ("u1", T0 + 2 * HOUR, "ANN@x.io", "google", "cpc"),
        ("u2", T0 + HOUR, "bob@x.io", "LinkedIn", "cpc"),
        ("u3", T0 + 3 * HOUR, "cy@x.io", "google", "cpc"),
    ]
    with (folder / "events.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event_timestamp", "user_pseudo_id", "email", "utm_source", "utm_medium"])
        w.writerows([(t, u, e, s, m) for u, t, e, s, m in rows])
    (folder / "leads.csv").write_text(
        "\ufeffEmail,Create Date,Lead Source,MQL Date\n"
        "ANN@X.IO,2024-03-01 02:00,LinkedIn Ads,2024-03-02\n"
        "bob@x.io,2024-03-01 01:30,linkedin ads,\n"
        "cy@x.io,2024-03-01 04:00,Google Ads,2024-03-03\n"
        "ann@x.io,2024-03-04,LinkedIn Ads,\n"
        "dee@x.io,2024-03-05,LinkedIn,\n",
        encoding="utf-8",
    )
    (folder / "deals.csv").write_text(
        "Deal,Contact,Amount,Close Date,Stage\n"
        "D1,ann@x.io,1000,2024-03-20,Closed Won\n"
        "D2,Bob@X.io,5000,2024-03-21,Closed Lost\n"
        "D3,cy@x.io,300,2024-03-25,Closed Won\n"
    )
    (folder / "spend.csv").write_text(
        "Month,Platform,Cost (USD)\n2024-03,LinkedIn Ads,200\n2024-03,linkedin ads,100\n"
        "2024-03,Google Ads,90\n"
    )
    path = folder / "pipeline.toml"
    path.write_text(PIPELINE)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_leads_won_deals_and_spend_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write_exports(tmp_path)
    code, _, err = run(capsys, "run", str(p), "--out-dir", str(tmp_path / "out"))
    assert code == 0, err
    leads = {r["source"]: r for r in _rows(tmp_path / "out" / "leads.csv")}
    assert set(leads) == {"LinkedIn Ads", "Google Ads", "LinkedIn"}  # one spelling each
    li, g = leads["LinkedIn Ads"], leads["Google Ads"]
    assert (li["leads"], li["customers"], float(li["revenue"])) == ("2", "1", 1000.0)
    assert (g["leads"], g["customers"], float(g["revenue"])) == ("1", "1", 300.0)
    assert float(li["spend"]) == 300.0 and float(li["cost_per_lead"]) == 150.0
    assert float(g["cost_per_lead"]) == 90.0 and float(g["customer_acquisition_cost"]) == 90.0
    assert float(li["roi"]) == pytest.approx(1000 / 300 - 1)
    assert float(li["lead_to_mql"]) == 1.0 and float(leads["LinkedIn"]["lead_to_mql"]) == 0.0
    assert leads["LinkedIn"]["cost_per_lead"] == ""  # no spend line: n/a, not 0
    assert li["revenue_basis"] == "won deals, by the lead's recorded source"
    credit = [r for r in _rows(tmp_path / "out" / "credit.csv") if r["model"] == "linear"]
    by_channel = {r["label"]: float(r["value"]) for r in credit if r["dimension"] == "channel"}
    assert by_channel["paid social"] == 500.0 and by_channel["paid search"] == 800.0
    assert sum(by_channel.values()) == 1300.0  # the lost 5,000 is never revenue
    text = (tmp_path / "out" / "cleaning.txt").read_text()
    assert "merged: 1 lead rows" in text and "1 deals not won" in text
    assert "1 conversions not won" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('period = "Month"', 'period = "Mois"'), "'Mois' (pipeline.toml [spend.columns] period)"),
        (('created_at = "Create Date"', 'created_at = "Created"'),
         "'Created' is pipeline.toml [leads.columns] created_at"),
        (('won = ["Closed Won"]\n', ""),
         "[deals.columns] stage = 'Stage': say which stages mean won"),
        (('stage = "Stage"', 'stage = "Stage"\nprobability = "P"'),
         "[deals.columns]: unknown key 'probability'"),
        (('[outputs]', '[outputs]\nmonthly = "m.csv"\nkpis = "k.txt"'),
         "[outputs] kpis: 'k.txt' must end in .csv or .parquet"),
    ],
)  # fmt: skip
def test_errors_name_the_users_column_and_the_table_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], message: str
) -> None:
    p = write_exports(tmp_path)
    p.write_text(PIPELINE.replace(*change))
    code, _, err = run(capsys, "run", str(p), "--out-dir", str(tmp_path / "out"))
    assert code == 2 and message in err, err


def test_cleaning_unit_reads_the_epochs_of_touches_and_leads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write_exports(tmp_path)
    leads = tmp_path / "leads.csv"  # the creation times as epoch microseconds too
    leads.write_text(leads.read_text("utf-8").replace("2024-03-05", str(T0 + 4 * 24 * HOUR)))
    p.write_text(PIPELINE.replace("[columns]", '[cleaning]\nunit = "us"\n\n[columns]'))
    code, _, err = run(capsys, "run", str(p), "--out-dir", str(tmp_path / "us"))
    assert code == 0, err
    got = {r["source"]: r["leads"] for r in _rows(tmp_path / "us" / "leads.csv")}
    assert got == {"LinkedIn Ads": "2", "Google Ads": "1", "LinkedIn": "1"}
    p.write_text(PIPELINE.replace("[columns]", '[cleaning]\nunit = "ms"\n\n[columns]'))
    code, _, err = run(capsys, "run", str(p), "--out-dir", str(tmp_path / "ms"))
    assert code == 2 and "[leads.columns] created_at (column 'Create Date')" in err, err


def test_leads_output_needs_leads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write_exports(tmp_path)
    text = PIPELINE[: PIPELINE.index("[leads]")] + PIPELINE[PIPELINE.index("[spend]") :]
    p.write_text(text.replace('identifiers = ["email"]', 'identifiers = ["email"]\n'))
    code, _, err = run(capsys, "run", str(p), "--out-dir", str(tmp_path / "out"))
    assert code == 2 and "[outputs] leads needs a [leads] table" in err, err


def test_the_bundled_crm_pipeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", str(ROOT / "examples" / "crm.toml"), "--out-dir",
                       str(tmp_path))  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cleaning.txt", "credit.csv", "kpis.csv", "leads.csv", "report.html",
    ]  # fmt: skip
    leads = _rows(tmp_path / "leads.csv")
    assert sum(int(r["leads"]) for r in leads) == 793  # every lead of the sheet, once
    won = sum(float(r["revenue"]) for r in leads)
    deals = _rows(ROOT / "src/touchcredit/data/example/exports/crm/deals.csv")
    assert won == sum(float(d["Amount"]) for d in deals if d["Deal Stage"] == "Closed Won")
    credit = _rows(tmp_path / "credit.csv")
    lost = [r for r in credit if r["label"] == "(unattributed)" and float(r["value"]) > 0]
    assert lost == []  # every won deal meets its touches through the email column
    pairs = {r["label"]: float(r["value"]) for r in credit
             if r["model"] == "linear" and r["dimension"] == "source / medium"}  # fmt: skip
    # paid and organic Google apart: a cpc click is a Google Ads touch
    assert pairs["Google Ads / cpc"] > 0 and pairs["Google / organic"] > 0
    assert "Google / cpc" not in pairs
    assert sum(pairs.values()) == pytest.approx(won)
    # the ad platforms' spend meets their paid touches' credit on one row (it used to sit
    # on a "LinkedIn Ads" row with no revenue beside a "LinkedIn" row with no spend)
    kpis = [r for r in _rows(tmp_path / "kpis.csv") if r["dimension"] == "source"]
    for platform in ("LinkedIn Ads", "Google Ads", "Facebook Lead Ads"):
        rows = [r for r in kpis if r["label"] == platform]
        assert rows and all(float(r["spend"]) > 0 for r in rows)
        assert all(float(r["value"]) > 0 for r in rows if r["model"] in ("linear", "markov"))
    assert not {r["label"] for r in kpis} & {"LinkedIn", "Facebook"}  # only paid clicks
    for r in leads:
        if r["spend"] and float(r["spend"]) > 0:
            assert float(r["cost_per_lead"]) == pytest.approx(float(r["spend"]) / int(r["leads"]))
