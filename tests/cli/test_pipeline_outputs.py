"""touchcredit.cli.pipeline_outputs: output paths planned inside the directory, published together.

The run-level tests of the same promises (through ``touchcredit run``) are in
tests/connectors/test_pipeline_outputs.py, which docs/guarantees.rst names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from touchcredit.cli.common import UsageError
from touchcredit.cli.pipeline_outputs import STAGING_PREFIX, Staging, plan


def test_plan_reads_directory_names_and_lists(tmp_path: Path) -> None:
    spec = {"directory": "out", "credit": ["credit.csv", "tables/credit.parquet"], "kpis": "k.csv"}
    folder, targets = plan(spec, tmp_path, "p.toml", None)
    assert folder == tmp_path / "out"
    assert targets == {
        "credit": [tmp_path / "out" / "credit.csv", tmp_path / "out" / "tables" / "credit.parquet"],
        "kpis": [tmp_path / "out" / "k.csv"],
    }


def test_out_dir_replaces_directory(tmp_path: Path) -> None:
    folder, targets = plan({"directory": "out", "credit": "c.csv"}, tmp_path, "p", str(tmp_path))
    assert folder == tmp_path and targets["credit"] == [tmp_path / "c.csv"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"credit": "/etc/credit.csv"}, "absolute paths and '..' are refused"),
        ({"credit": "C:\\credit.csv"}, "absolute paths and '..' are refused"),
        ({"credit": "a/../../credit.csv"}, "absolute paths and '..' are refused"),
        ({"credit": "tables/"}, "is not a file name"),
        ({"credit": "credit.xlsx"}, "must end in .csv or .parquet"),
        ({"credit": "x.csv", "kpis": "./x.csv"}, "'./x.csv' is also the credit output"),
        ({"directory": "out"}, "declare at least one output"),
    ],
)
def test_plan_refuses(tmp_path: Path, spec: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=r"^p\.toml \[outputs\]") as err:
        plan(spec, tmp_path, "p.toml", None)
    assert message in str(err.value)


def test_a_report_may_be_any_file_name(tmp_path: Path) -> None:
    _, targets = plan({"report": "report.html"}, tmp_path, "p.toml", None)
    assert targets["report"] == [tmp_path / "report.html"]


def test_staging_publishes_every_file_and_removes_its_folder(tmp_path: Path) -> None:
    (tmp_path / "credit.csv").write_text("previous")
    with Staging(tmp_path) as stage:
        assert stage.root.name.startswith(STAGING_PREFIX) and stage.root.name.endswith(".tmp")
        stage.path(tmp_path / "credit.csv").write_text("new credit")
        stage.path(tmp_path / "sub" / "kpis.csv").write_text("new kpis")
        stage.publish()
    assert (tmp_path / "credit.csv").read_text() == "new credit"
    assert (tmp_path / "sub" / "kpis.csv").read_text() == "new kpis"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credit.csv", "sub"]


def test_staging_without_publish_leaves_the_previous_files(tmp_path: Path) -> None:
    (tmp_path / "credit.csv").write_text("previous")

    def killed() -> None:
        with Staging(tmp_path) as stage:
            stage.path(tmp_path / "credit.csv").write_text("new")
            raise RuntimeError("killed while writing")

    with pytest.raises(RuntimeError):
        killed()
    assert [p.name for p in tmp_path.iterdir()] == ["credit.csv"]
    assert (tmp_path / "credit.csv").read_text() == "previous"


def test_a_failed_move_undoes_the_moves_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "credit.csv").write_text("old credit")
    real = os.replace
    calls: list[str] = []

    def second_fails(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError("no space")
        real(src, dst)

    with Staging(tmp_path) as stage:
        stage.path(tmp_path / "credit.csv").write_text("new credit")
        stage.path(tmp_path / "kpis.csv").write_text("new kpis")
        monkeypatch.setattr(os, "replace", second_fails)
        with pytest.raises(OSError, match="no space"):
            stage.publish()
        monkeypatch.setattr(os, "replace", real)
    assert (tmp_path / "credit.csv").read_text() == "old credit"
    assert not (tmp_path / "kpis.csv").exists()
