"""touchcredit run PIPELINE.toml: the bundled examples, every output, errors naming keys."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from touchcredit.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["pipeline", "hubspot", "salesforce"])
def test_bundled_pipelines_write_every_declared_output(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "run", str(EXAMPLES / f"{name}.toml"), "--out-dir", str(tmp_path))
    assert code == 0, err
    written = sorted(p.name for p in tmp_path.iterdir())
    expected = {
        "pipeline": ["cleaning.txt", "credit.csv", "credit.parquet", "kpis.csv", "monthly.csv",
                     "paths.csv", "report.html"],
        "hubspot": ["cleaning.txt", "credit.csv", "kpis.csv", "leads.csv", "report.html"],
        "salesforce": ["cleaning.txt", "credit.parquet", "kpis.csv", "report.html"],
    }[name]  # fmt: skip
    assert written == expected
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left
    assert "written:" in out


def test_credit_table_sums_to_the_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "run", str(EXAMPLES / "pipeline.toml"), "--out-dir", str(tmp_path))
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "credit.csv").open()))
    linear = [
        float(r["value"]) for r in rows if r["model"] == "linear" and r["dimension"] == "channel"
    ]
    monthly = list(csv.DictReader((tmp_path / "monthly.csv").open()))
    assert sum(linear) == pytest.approx(sum(float(r["value"]) for r in monthly))
    kpis = list(csv.DictReader((tmp_path / "kpis.csv").open()))
    assert any(float(r["spend"]) > 0 for r in kpis)
    paths = list(csv.DictReader((tmp_path / "paths.csv").open()))
    lengths = [float(r["conversions"]) for r in paths if r["table"] == "path_length"]
    lags = [float(r["conversions"]) for r in paths if r["table"] == "time_lag"]
    assert sum(lengths) == sum(lags) == sum(float(r["conversions"]) for r in monthly)
    assert {r["dimension"] for r in paths if r["table"] == "assisted"} == {"channel", "source"}


def _pipeline(tmp_path: Path, text: str, exports: object) -> Path:
    exports.write_ga4(tmp_path)  # type: ignore[attr-defined]
    p = tmp_path / "p.toml"
    p.write_text(text)
    return p


GOOD = """
[input]
connector = "ga4"
events = "events_*.parquet"
[attribution]
models = ["linear"]
[outputs]
directory = "out"
credit = "credit.csv"
"""


def test_hand_computed_answer_through_a_pipeline(
    tmp_path: Path, exports: object, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _pipeline(tmp_path, GOOD, exports)
    code, _, err = run(capsys, "run", str(p))
    assert code == 0, err
    rows = list(csv.DictReader((tmp_path / "out" / "credit.csv").open()))
    got = {
        r["label"]: float(r["value"])
        for r in rows
        if float(r["value"]) and r["dimension"] == "channel"
    }
    assert got == exports.GA4_LINEAR  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('models = ["linear"]', 'models = ["nope"]'),
            "[attribution] models: unknown model(s) 'nope'",
        ),
        (('connector = "ga4"', 'connector = "ga5"'), "[input] connector: 'ga5' is not one of"),
        (
            ('events = "events_*.parquet"', 'events = "events_*.parquet"\nfoo = 1'),
            "[input] (ga4): unknown key(s) 'foo'",
        ),
        (('credit = "credit.csv"', 'credit = "credit.txt"'), "[outputs] credit: 'credit.txt'"),
        (("[attribution]", '[attribution]\nlookback = "soon"'), "[attribution] lookback:"),
        (("[outputs]", "[output]"), "unknown table(s) [output]"),
    ],
)
def test_errors_name_the_table_and_key(
    tmp_path: Path, exports: object, capsys: pytest.CaptureFixture[str],
    change: tuple[str, str], message: str,
) -> None:  # fmt: skip
    p = _pipeline(tmp_path, GOOD.replace(*change), exports)
    code, _, err = run(capsys, "run", str(p))
    assert code == 2 and message in err, err


def test_a_failed_run_leaves_the_previous_output(
    tmp_path: Path, exports: object, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _pipeline(tmp_path, GOOD, exports)
    assert run(capsys, "run", str(p))[0] == 0
    before = (tmp_path / "out" / "credit.csv").read_text()
    shutil.copy(tmp_path / "events_20240101.parquet", tmp_path / "events_bad.parquet")
    (tmp_path / "events_bad.parquet").write_bytes(b"not parquet")
    code, _, _ = run(capsys, "run", str(p))
    assert code != 0
    assert (tmp_path / "out" / "credit.csv").read_text() == before
