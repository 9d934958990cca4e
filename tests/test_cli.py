"""The command line, through main([...]) and capsys."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import touchcredit as tc
from touchcredit import cli
from touchcredit.cli import common as cli_common


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "person,ts,channel,source\n"
        "a,2024-01-01T10:00:00,seo,Google\n"
        "a,2024-01-02T10:00:00,=HYPERLINK(1),Newsletter\n"
        "b,2024-01-01T11:00:00,seo,\n"
    )
    conversions = tmp_path / "leads.csv"
    conversions.write_text("person,created,amount\na,2024-01-03T00:00:00,100\nb,2024-01-05,50\n")
    return touches, conversions


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_registered_models(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "models")
    assert code == 0 and err == ""
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == tc.models.available()
    assert out.count("parameters: lookback=none") == len(names)


def test_no_command_and_unknown_command_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys)
    assert code == 2 and "demo" in out
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice: 'frobnicate'" in err


def test_demo_prints_comparison_and_kpis(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo")
    assert code == 0
    assert err == ""  # captured stderr is not a terminal: no progress bar
    assert "per model" in out and "Monthly KPIs (all sources)" in out
    for name in ("first_touch", "linear", "markov"):
        if name in tc.models.available():
            assert name in out
    assert "2024-12" in out and "paid social" in out
    # the two meanings of revenue, each named in its table's title
    assert "Lead economics (revenue: won deals, by the lead's recorded channel)" in out
    assert "Lead economics (revenue: attributed ('linear'): the model's credit" in out


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


def _value_case(tmp_path: Path, header: str) -> tuple[str, str]:
    touches = tmp_path / "t.csv"
    touches.write_text("journey_id,timestamp,channel\na,2024-01-01,seo\nb,2024-01-01,ads\n")
    conversions = tmp_path / "c.csv"
    conversions.write_text(
        f"journey_id,conversion_time,{header}\na,2024-01-02,900\nb,2024-01-02,100\n"
    )
    return str(touches), str(conversions)


def test_conversion_value_column_is_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 14, item 11: a conversion_value column without the flag counted every conversion as 1
    touches, conversions = _value_case(tmp_path, "conversion_value")
    code, out, err = run(capsys, "attribute", touches, "--conversions", conversions)
    assert code == 0, err
    assert "900.00" in out and "100.00" in out
    code, out, err = run(
        capsys, "attribute", touches, "--conversions", conversions, "--conversion-value", ""
    )
    assert code == 0, err
    assert "900.00" not in out and "1.00" in out


def test_value_like_column_without_the_flag_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, conversions = _value_case(tmp_path, "Revenue")
    code, out, err = run(capsys, "attribute", touches, "--conversions", conversions)
    assert code == 2 and out == ""
    assert "column 'Revenue' that looks like the conversion value" in err
    assert "--conversion-value Revenue" in err and "--conversion-value ''" in err
    code, out, err = run(
        capsys, "attribute", touches, "--conversions", conversions, "--conversion-value", "Revenue"
    )
    assert code == 0 and "900.00" in out, err


def test_bad_data_exits_1_with_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touches = tmp_path / "t.csv"
    touches.write_text("journey_id,timestamp,channel\na,2024-01-01,seo\n")
    conversions = tmp_path / "c.csv"
    conversions.write_text("journey_id,conversion_time,value\na,2024-01-02,-5\n")
    code, _, err = run(capsys, "attribute", str(touches), "--conversions", str(conversions),
                       "--model", "markov", "--conversion-value", "value")  # fmt: skip
    assert code == 1
    assert "'conversion_value' must be finite and >= 0; row 1 is -5.0" in err


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    bar = cli_common.Progress(3, "work", stream=piped)
    bar.step("a")
    bar.close()
    assert piped.getvalue() == ""
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the built-in bar
    term = FakeTerminal()
    bar = cli_common.Progress(2, "work", stream=term)
    bar.step("next")
    assert "work [############------------] 1/2 next" in term.getvalue()
    bar.close()
    assert term.getvalue().endswith("\r")


def test_progress_uses_tqdm_when_installed() -> None:
    pytest.importorskip("tqdm")
    term = FakeTerminal()
    bar = cli_common.Progress(2, "work", stream=term)
    bar.step("x")
    bar.step("y")
    bar.close()
    assert "work" in term.getvalue()


def test_python_dash_m_runs_the_cli() -> None:
    proc: Any = subprocess.run(
        [sys.executable, "-m", "touchcredit", "models"], capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0
    assert "markov" in proc.stdout


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
