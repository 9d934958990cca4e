"""Every file the library writes is complete or absent (io.atomic.atomic_path)."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from touchcredit.cli.outputs import write_columns
from touchcredit.io.atomic import atomic_path
from touchcredit.io.export import write_csv
from touchcredit.io.frames import write_table

COLUMNS = {"source": np.array(["seo", "@x"], dtype=object), "value": np.array([1.0, 2.0])}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


WRITERS: dict[str, Callable[[Any, Path], object]] = {
    "write_csv": lambda cols, p: write_csv(p, cols),
    "frames.write_table csv": lambda cols, p: write_table(cols, p),
    "frames.write_table parquet": lambda cols, p: write_table(cols, p.with_suffix(".parquet")),
    "cli.outputs.write_columns": lambda cols, p: write_columns(cols, p),
}


class _Boom:
    """A cell whose text cannot be made: writing fails after the first rows."""

    def __str__(self) -> str:
        raise RuntimeError("disk full")


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_writer_failing_midway_leaves_the_existing_file(
    writer: Callable[[Any, Path], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    real = pq.write_table

    def half_then_fail(table: Any, where: Any, **kw: Any) -> None:
        real(table.slice(0, 1), where, **kw)
        raise RuntimeError("disk full")

    monkeypatch.setattr(pq, "write_table", half_then_fail)
    for dest in (tmp_path / "out.csv", tmp_path / "out.parquet"):
        dest.write_text("previous\n")
    # text that fails on its second row (CSV); Parquet fails in the writer (patched above)
    boom = np.array(["seo", _Boom()], dtype=object)
    parquet = writer is WRITERS["frames.write_table parquet"]
    columns = COLUMNS if parquet else {"source": boom, "value": COLUMNS["value"]}
    with pytest.raises(RuntimeError, match="disk full"):
        writer(columns, tmp_path / "out.csv")
    for dest in (tmp_path / "out.csv", tmp_path / "out.parquet"):
        assert dest.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.parquet"]


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_written_file_gets_the_permissions_of_a_new_file(
    writer: Callable[[Any, Path], object], tmp_path: Path
) -> None:
    """Not 0600 (tempfile.mkstemp's mode): a team's share can read the outputs."""
    pytest.importorskip("pyarrow")
    writer(COLUMNS, tmp_path / "out.csv")
    (written,) = tmp_path.iterdir()
    assert _mode(written) == 0o666 & ~_umask()


def _interrupted(dest: Path) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt


def test_interrupt_removes_the_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        _interrupted(tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["credit.parquet", "credit.csv", "kpis.CSV"])
def test_temporary_file_sits_beside_and_no_output_glob_matches_it(
    tmp_path: Path, name: str
) -> None:
    """A killed run's leftover must not be read by ``*.parquet`` / ``*.csv`` (issue 21)."""
    with atomic_path(tmp_path / name) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(f".{name}.")
        assert tmp.suffix == ".tmp"
        for pattern in ("*.parquet", "*.csv", "*.CSV", ".*.parquet", ".*.csv"):
            assert not fnmatch.fnmatchcase(tmp.name, pattern), pattern
        tmp.write_bytes(b"x")
    assert (tmp_path / name).read_bytes() == b"x"


def test_missing_folder_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "nope" / "out.csv"):
        pass
    assert list(tmp_path.iterdir()) == []
