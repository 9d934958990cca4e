"""touchcredit attribute: the credit table written, the columns and usage errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

import touchcredit as tc
from touchcredit import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_attribute_writes_csv_with_formulas_defused(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, conversions = files
    out_path = tmp_path / "credit.csv"
    code, out, err = run(
        capsys,
        "attribute", str(touches), "--conversions", str(conversions),
        "--model", "linear", "--by", "channel",
        "--journey", "person", "--timestamp", "ts",
        "--conversion-time", "created", "--conversion-value", "amount", "--out", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    assert "seo" in out and f"written to {out_path}" in out
    rows = list(csv.reader(io.StringIO(out_path.read_text())))
    cells = {r[0]: r for r in rows[1:]}
    assert "'=HYPERLINK(1)" in cells  # defused, text kept
    value_col = rows[0].index("value")
    assert float(cells["seo"][value_col]) == pytest.approx(100.0)  # 50 of a's 100, all of b's 50
    assert float(cells["'=HYPERLINK(1)"][value_col]) == pytest.approx(50.0)


def test_attribute_parquet_out(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    touches, conversions = files
    out_path = tmp_path / "credit.parquet"
    code, _, err = run(
        capsys,
        "attribute", str(touches), "--conversions", str(conversions),
        "--model", "linear", "--by", "source",
        "--journey", "person", "--timestamp", "ts",
        "--conversion-time", "created", "--conversion-value", "amount", "--out", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    table = pq.read_table(out_path)
    assert "Google" in table.column(0).to_pylist()


def test_missing_columns_are_named_and_listed(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    touches, conversions = files
    code, out, err = run(
        capsys, "attribute", str(touches), "--conversions", str(conversions), "--model", "markov",
        "--conversion-value", "amount",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "no column 'journey_id' (the journey column)" in err
    assert "no column 'timestamp' (the timestamp column)" in err
    assert "columns are: 'person', 'ts', 'channel', 'source'" in err


def test_usage_errors_exit_2(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, conversions = files
    code, _, err = run(capsys, "attribute", str(touches), "--conversions", str(conversions),
                       "--model", "nope")  # fmt: skip
    assert code == 2 and "unknown model 'nope'" in err
    code, _, err = run(capsys, "attribute", str(tmp_path / "missing.csv"), "--conversions",
                       str(conversions), "--model", "markov")  # fmt: skip
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "attribute", str(touches), "--conversions", str(conversions),
                       "--model", "markov", "--out", "x.xlsx")  # fmt: skip
    assert code == 2 and "--out must name a .csv or .parquet file" in err
    code, _, err = run(capsys, "attribute", str(touches))
    assert code == 2 and "--conversions" in err


def test_out_is_replaced_only_when_writing_succeeds(
    files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from touchcredit.io import frames

    touches, conversions = files
    out_path = tmp_path / "credit.csv"
    out_path.write_text("the previous table\n")
    real = frames.write_table

    def half_written(columns: Any, path: Any, **kw: Any) -> None:
        real(columns, path, **kw)  # the whole table is in the file...
        raise KeyboardInterrupt  # ...when the user presses Ctrl-C

    monkeypatch.setattr(frames, "write_table", half_written)
    argv = ["attribute", str(touches), "--conversions", str(conversions), "--journey",
            "person", "--timestamp", "ts", "--conversion-time", "created",
            "--conversion-value", "amount", "--out", str(out_path)]  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        cli.main(argv)
    assert out_path.read_text() == "the previous table\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credit.csv", "leads.csv", "touches.csv"]
    monkeypatch.setattr(frames, "write_table", real)
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert out_path.read_text().startswith("channel,")


def test_column_flags_build_one_column_map(files: tuple[Path, Path]) -> None:
    import argparse

    from touchcredit.cli.attribute import column_map

    args = argparse.Namespace(
        journey="person", timestamp="ts", channel="channel", source=None, campaign="",
        method=None, conversion_journey=None, conversion_time="created", conversion_value="amount",
    )  # fmt: skip
    cols = column_map(args, ["person", "ts", "channel", "source"], ["person", "created", "amount"])
    assert cols == tc.ColumnMap(
        journey="person", timestamp="ts", source="source", conversion_time="created",
        conversion_value="amount",
    )  # fmt: skip
