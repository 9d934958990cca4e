"""touchcredit paths: the path tables printed and written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from touchcredit import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_paths_command_prints_and_writes_the_tables(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, leads = files
    out_file = tmp_path / "paths.csv"
    common = ["--journey", "person", "--timestamp", "ts", "--conversion-time", "created"]
    code, out, err = run(
        capsys,
        "paths",
        str(touches),
        "--conversions",
        str(leads),
        *common,
        "--conversion-value",
        "amount",
        "--lookback",
        "30d",
        "--out",
        str(out_file),
    )
    assert code == 0, err
    for title in (
        "Top paths by channel",
        "Assisted conversions by channel",
        "Path length",
        "Time lag",
    ):
        assert title in out
    assert max(len(line) for line in out.splitlines()) <= 100
    rows = list(csv.DictReader(out_file.open()))
    seo = [r for r in rows if r["table"] == "assisted" and r["key"] == "seo"]
    assert {r["measure"]: float(r["conversions"]) for r in seo} == {
        "last_touch": 1.0,
        "assisted": 1.0,
    }
    assert sum(float(r["value"]) for r in rows if r["table"] == "time_lag") == 150.0
    code, _, err = run(
        capsys, "paths", str(touches), "--conversions", str(leads), *common, "--lookback", "soon"
    )
    assert code == 2 and "--lookback" in err
    code, _, err = run(
        capsys, "paths", str(touches), "--conversions", str(leads), *common, "--top", "0"
    )
    assert code == 2 and "--top must be a positive number" in err
