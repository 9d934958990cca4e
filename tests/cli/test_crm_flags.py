"""The lead, deal and spend sheets on the command line (``attribute`` and ``report``).

The same export-shaped files as the pipeline test (tests/cli/test_pipeline_inputs.py):
epoch-microsecond events, leads with a BOM and emails in two cases, lost deals, a spend
sheet with its own column names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from tests.cli.test_pipeline_inputs import write_exports

from touchcredit.cli import main

SHEETS = [
    "--leads", "leads.csv", "--lead-column", "lead_id=Email",
    "--lead-column", "created_at=Create Date", "--lead-column", "source=Lead Source",
    "--deals", "deals.csv", "--deal-column", "lead_id=Contact", "--deal-column", "amount=Amount",
    "--deal-column", "closed_at=Close Date", "--deal-column", "stage=Stage",
    "--won", "Closed Won",
    "--spend", "spend.csv", "--spend-column", "amount=Cost (USD)",
    "--spend-column", "period=Month", "--spend-column", "source=Platform",
]  # fmt: skip
TOUCHES = [
    "events.csv", "--journey", "user_pseudo_id", "--timestamp", "event_timestamp",
    "--source", "utm_source", "--channel", "utm_medium", "--channel-groups",
    "--identifier", "email",
]  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _in(folder: Path, argv: list[str]) -> list[str]:
    names = {"events.csv", "leads.csv", "deals.csv", "spend.csv"}
    return [str(folder / a) if a in names else a for a in argv]


def test_attribute_credits_won_deals_and_prints_both_revenues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_exports(tmp_path)
    argv = _in(tmp_path, ["attribute", *TOUCHES, *SHEETS, "--model", "linear", "--by", "source"])
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    # won: ann 1,000 over LinkedIn Ads (linkedin/cpc) and Google Ads (google/cpc); cy 300
    # to Google Ads (paid clicks are the ad platforms' touches)
    assert "Lead economics (revenue: won deals, by the lead's recorded source)" in out
    assert "(revenue: attributed ('linear'): the model's credit to the touches' source)" in out
    assert "1 deals not won" in out and "merged: 1 lead rows" in out
    credit = out[: out.index("Lead economics")]  # ann's 1,000 split 500/500, cy's 300 to Google
    assert "Google Ads         800.00" in credit and "LinkedIn Ads       500.00" in credit
    assert "5,000" not in out  # the lost deal is never revenue


def test_report_reads_the_sheets_with_their_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_exports(tmp_path)
    conv = tmp_path / "conv.csv"
    conv.write_text("user_pseudo_id,closed,amount\nu1,2024-03-20,1000\nu3,2024-03-25,300\n")
    out_file = tmp_path / "r.html"
    argv = _in(tmp_path, [
        "report", "events.csv", "--journey", "user_pseudo_id", "--timestamp", "event_timestamp",
        "--channel", "utm_medium", "--source", "utm_source", "--conversions", str(conv),
        "--conversion-time", "closed", "--conversion-value", "amount", *SHEETS,
        "--models", "linear", "-o", str(out_file),
    ])  # fmt: skip
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    page = out_file.read_text(encoding="utf-8")
    assert 'id="revenue-views-source"' in page and "revenue: recorded source" in page
    assert "LinkedIn Ads" in page, page[page.find("revenue-views-source") :][:3000]
    assert ">linkedin ads<" not in page  # one spelling


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("lead_id=Email", "Email"), "--lead-column: expected KEY=COL, got 'Email'"),
        (("created_at=Create Date", "created_at=Created"), "'Created' is --lead-column created_at"),
        (("Closed Won", None), "--won: the stages that mean won"),
        (("period=Month", "period=Mois"), "'Mois' (--spend-column period)"),
    ],
)
def test_errors_name_the_flag_and_the_users_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str | None],
    message: str,
) -> None:  # fmt: skip
    write_exports(tmp_path)
    sheets = list(SHEETS)
    i = sheets.index(change[0])
    if change[1] is None:
        del sheets[i - 1 : i + 1]
    else:
        sheets[i] = change[1]
    code, _, err = run(capsys, *_in(tmp_path, ["attribute", *TOUCHES, *sheets]))
    assert code == 2 and message in err, err


def test_spend_needs_leads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_exports(tmp_path)
    sheets = SHEETS[SHEETS.index("--deals") :]
    code, _, err = run(capsys, *_in(tmp_path, ["attribute", *TOUCHES, *sheets]))
    assert code == 2 and "--spend needs --leads" in err, err
