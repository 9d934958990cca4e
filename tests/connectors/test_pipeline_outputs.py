"""touchcredit run: outputs stay inside the output directory and are replaced together (#21.5)."""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from touchcredit.cli import main
from touchcredit.cli.common import UsageError
from touchcredit.cli.pipeline_outputs import STAGING_PREFIX, Staging, plan

PIPELINE = """
[input]
connector = "ga4"
events = "events_*.parquet"
[attribution]
models = ["linear"]
[outputs]
directory = "out"
credit = ["credit.csv", "credit.parquet"]
kpis = "kpis.csv"
cleaning = "cleaning.txt"
report = "report.html"
"""
PREVIOUS = {"credit.csv": "old credit\n", "credit.parquet": "old parquet\n",
            "kpis.csv": "old kpis\n", "cleaning.txt": "old cleaning\n",
            "report.html": "old report\n"}  # fmt: skip


def _pipeline(tmp_path: Path, exports: Any, text: str = PIPELINE) -> Path:
    exports.write_ga4(tmp_path)
    p = tmp_path / "p.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _previous(out: Path) -> None:
    out.mkdir(exist_ok=True)
    for name, text in PREVIOUS.items():
        (out / name).write_text(text)


def _contents(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(errors="replace") for p in sorted(out.iterdir())}


@pytest.mark.parametrize("name", ["../victim/keep.txt", "sub/../../victim/keep.txt", "ABS"])
def test_an_output_outside_the_directory_is_refused_before_anything_is_written(
    tmp_path: Path, exports: Any, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    victim = tmp_path / "victim" / "keep.txt"
    victim.parent.mkdir()
    victim.write_text("precious")
    name = str(victim) if name == "ABS" else name
    p = _pipeline(tmp_path, exports, PIPELINE.replace('"cleaning.txt"', repr(name)))
    code = main(["run", str(p)])
    err = capsys.readouterr().err
    assert code == 2
    assert "[outputs] cleaning:" in err and "inside the output directory" in err, err
    assert victim.read_text() == "precious"
    assert not (tmp_path / "out").exists()  # nothing written, not even the folder


def test_a_subfolder_that_links_outside_is_refused(
    tmp_path: Path, exports: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    os.symlink(elsewhere, tmp_path / "out" / "tables")
    p = _pipeline(tmp_path, exports, PIPELINE.replace('"kpis.csv"', '"tables/kpis.csv"'))
    assert main(["run", str(p)]) == 2
    assert "[outputs] kpis: 'tables/kpis.csv' leads outside" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "tables"]


def test_the_same_file_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"kpis: './credit.csv' is also the credit output"):
        plan({"credit": "credit.csv", "kpis": "./credit.csv"}, tmp_path, "p.toml", None)


NAME_PARTS = st.sampled_from(["a", "b.csv", "..", ".", "", "/", "\\", "~", "c:", "C:\\", " ",
                              "x/..", "%2e%2e", "\0", "sub"])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.one_of(NAME_PARTS, st.text(string.printable, max_size=4)), max_size=6),
    sep=st.sampled_from(["/", "\\", ""]),
)
def test_no_output_path_ever_lands_outside_the_directory(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], sep: str
) -> None:
    base = tmp_path_factory.getbasetemp() / "prop"
    folder = base / "out"
    name = sep.join(parts)
    try:
        got, targets = plan({"directory": "out", "cleaning": name}, base, "p.toml", None)
    except UsageError:
        return
    (target,) = targets["cleaning"]
    root = folder.resolve()
    resolved = Path(os.path.abspath(target))
    assert got == folder
    assert resolved != root and root in resolved.parents, (name, resolved)


def test_a_run_failing_while_writing_leaves_every_previous_output(
    tmp_path: Path, exports: Any, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from touchcredit.report import Report

    p = _pipeline(tmp_path, exports)
    out = tmp_path / "out"
    _previous(out)

    def fail(self: Any, path: Any) -> Any:
        # the credit and KPI tables are complete by now: still nothing may have moved
        assert sorted(x.name for x in out.glob("*.csv")) == ["credit.csv", "kpis.csv"]
        assert [x for x in out.rglob("*") if x.suffix in (".csv", ".parquet")
                and STAGING_PREFIX in str(x)] == []  # fmt: skip
        assert (out / "credit.csv").read_text() == "old credit\n"
        raise KeyboardInterrupt  # the user presses Ctrl-C while the report is written

    monkeypatch.setattr(Report, "save", fail)
    with pytest.raises(KeyboardInterrupt):
        main(["run", str(p)])
    assert _contents(out) == PREVIOUS  # and no staging folder left


def test_a_failed_move_puts_back_the_outputs_already_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _previous(out)
    real = os.replace
    calls = []

    def third_fails(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise PermissionError(f"denied: {dst}")
        real(src, dst)

    with Staging(out) as stage:
        for name in ("credit.csv", "kpis.csv", "report.html", "new.csv"):
            stage.path(out / name).write_text("new\n")
        monkeypatch.setattr(os, "replace", third_fails)
        with pytest.raises(PermissionError):
            stage.publish()
        monkeypatch.setattr(os, "replace", real)
    assert _contents(out) == PREVIOUS


def test_a_successful_run_replaces_every_output(
    tmp_path: Path, exports: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _pipeline(tmp_path, exports)
    out = tmp_path / "out"
    _previous(out)
    assert main(["run", str(p)]) == 0, capsys.readouterr().err
    got = _contents(out)
    assert sorted(got) == sorted(PREVIOUS)  # no staging folder, no temporary file
    assert all(got[k] != v for k, v in PREVIOUS.items())
    assert got["credit.csv"].startswith("model,dimension,label")
