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


# ------------------------------------------------------------------ text that fits
def test_demo_text_fits_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["demo"], ["demo", "--target", "leads", "--by", "source"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        lines = out.splitlines()
        assert max(len(line) for line in lines) <= 100, max(lines, key=len)
        assert "(unattributed)" not in out  # one spelling, and no all-zero row
        assert "1.0000" not in out
        assert out.count("per model") == 1  # the heading once
    assert "spend (USD)" in out and "1,537.31%" in out  # money and percent with separators


def test_credit_table_text() -> None:
    import touchcredit as tc

    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2], timestamp=[1, 2, 1], channel=["seo", "email", None],
        conversion_journey_id=[1, 3], conversion_time=[5, 5],
        conversion_value=[12345.0, 10.0], currency="EUR", unit="s",
    )  # fmt: skip
    text = repr(tc.attribute(js, "first_touch").by("channel"))
    assert "value (EUR)" in text
    assert "12,345.00" in text
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines()[2:]}
    assert lines["seo"] == ["12,345.00", "1"]  # a whole conversion is "1", not "1.0000"
    assert lines["unattributed"] == ["10.00", "1"]
    text = repr(tc.attribute(js.select([0]), "first_touch").by("channel"))
    assert "unattributed" not in text  # nothing unattributed: no empty row


def test_attribute_csv_writes_not_recorded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    touches = tmp_path / "t.csv"
    touches.write_text(
        "journey_id,timestamp,channel\na,2024-01-01,seo\nb,2024-01-01,\n", encoding="utf-8"
    )
    conv = tmp_path / "c.csv"
    conv.write_text("journey_id,conversion_time\na,2024-01-03\nb,2024-01-03\n", encoding="utf-8")
    out_file = tmp_path / "credit.csv"
    code, _, err = run(
        capsys, "attribute", str(touches), "--conversions", str(conv), "--out", str(out_file)
    )
    assert code == 0, err
    rows = out_file.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("channel,")
    labels = [r.split(",")[0] for r in rows[1:]]
    assert "(not recorded)" in labels and "" not in labels
    assert "unattributed" not in labels  # zero: left out
