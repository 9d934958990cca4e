"""``touchcredit report`` and the demo's HTML report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from touchcredit import cli

pytest.importorskip("jinja2")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_of_the_example_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "r.html"
    code, out, err = run(capsys, "report", "-o", str(out_file), "--models", "linear,markov")
    assert code == 0, err
    assert f"report written to {out_file}" in out
    page = out_file.read_text(encoding="utf-8")
    assert "example data" in page and 'id="credit-source"' in page
    assert 'id="cleaning"' in page and "12,896 = 12,896 + 0 + 0" in page
    assert out_file.stat().st_size < 2_000_000


def test_report_of_user_tables(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    touches = tmp_path / "t.csv"
    touches.write_text(
        "journey_id,timestamp,channel,source\n"
        "a,2024-01-01T10:00:00,seo,Google\n"
        "a,2024-01-02T10:00:00,email,Newsletter\n"
        "b,2024-02-01T11:00:00,seo,Google\n"
    )
    conv = tmp_path / "c.csv"
    conv.write_text("journey_id,conversion_time,value\na,2024-01-03,1200\nb,2024-02-05,800\n")
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "lead_id,created_at,source,mql_at\nL1,2024-01-03,Google,2024-01-09\nL2,2024-02-05,Google,\n"
    )
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "lead_id,amount,created_at,closed_at,won\nL1,1200,2024-01-10,2024-01-20,true\n"
    )
    spend = tmp_path / "spend.csv"
    spend.write_text("month,amount,source\n2024-01,300,Google\n2024-02,500,Google\n")
    out_file = tmp_path / "mine.html"
    code, _out, err = run(
        capsys, "report", str(touches), "--conversions", str(conv), "--conversion-value",
        "value", "--leads", str(leads), "--deals", str(deals), "--spend", str(spend),
        "--currency", "EUR", "--models", "linear", "--period", "month", "-o", str(out_file),
        "--title", "<b>Q1</b>",
    )  # fmt: skip
    assert code == 0, err
    page = out_file.read_text(encoding="utf-8")
    assert "2,000 EUR" in page  # total conversion value
    assert "&lt;b&gt;Q1&lt;/b&gt;" in page and "<b>Q1" not in page
    assert re.search(r"Cost per lead.*?500\.00 EUR", page, flags=re.S)  # Feb: 500 / 1 lead


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--models", "nope"], "unknown model"),
        (["--conversions", "x.csv"], "need FILE"),
    ],
)
def test_report_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "report", *argv)
    assert code == 2 and message in err


def test_demo_ends_with_the_report_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    code, out, _ = run(capsys, "demo")
    assert code == 0
    last = out.strip().splitlines()[-1]
    match = re.fullmatch(r"HTML report: (\S+\.html) \(open it in a browser\)", last)
    assert match, last
    path = Path(match.group(1))
    assert path.parent == tmp_path and path.stat().st_size > 10_000
