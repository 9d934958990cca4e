"""touchcredit.io.chunk_source: checked out-of-core inputs, chunks in whole-input rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.core.mapping import ColumnMap, MissingColumnError
from touchcredit.io.chunk_source import ChunkSource, check_every_file, restated, shifted_rows

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
ds = pytest.importorskip("pyarrow.dataset")

_T = 1_700_000_000
_COLS = ColumnMap(journey="user", timestamp="ts", channel="channel")


def _write(folder: Path) -> Path:
    folder.mkdir()
    pq.write_table(
        pa.table(
            {
                "user": ["001", "001", "002"],
                "ts": [_T + 1, _T + 2, _T + 3],
                "channel": ["seo", "ads", "seo"],
            }
        ),
        folder / "part-0.parquet",
    )
    pq.write_table(
        pa.table({"user": ["003", "003"], "ts": [_T + 4, _T + 5], "channel": ["email", None]}),
        folder / "part-1.parquet",
    )
    return folder


def test_shifted_rows_moves_every_row_number() -> None:
    assert shifted_rows("row 1 and row 20; rows 3", 100) == "row 101 and row 120; rows 3"


@given(st.integers(1, 10**6), st.integers(0, 10**6))
def test_shifted_rows_adds_the_offset(row: int, offset: int) -> None:
    assert shifted_rows(f"bad: row {row} is -1", offset) == f"bad: row {row + offset} is -1"


def test_restated_keeps_the_error_class() -> None:
    out = restated(KeyError("k"), "new")
    assert type(out) is KeyError and out.args == ("new",)

    class Picky(ValueError):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(a, b)

    fallback = restated(Picky(1, 2), "new")
    assert type(fallback) is ValueError and str(fallback) == "new"


def test_open_refuses_bad_arguments(tmp_path: Path) -> None:
    folder = _write(tmp_path / "touches")
    with pytest.raises(ValueError, match="'batch_rows' must be >= 1"):
        ChunkSource.open(folder, None, _COLS, "channel", 0)
    with pytest.raises(ValueError, match="'batch_rows' must be a whole number"):
        ChunkSource.open(folder, None, _COLS, "channel", True)
    with pytest.raises(ValueError, match="'by' must be one of"):
        ChunkSource.open(folder, None, _COLS, "medium", 10)
    with pytest.raises(ValueError, match="by='campaign' needs the 'campaign' column name"):
        ChunkSource.open(folder, None, _COLS, "campaign", 10)


def test_a_later_file_without_a_mapped_column_is_named(tmp_path: Path) -> None:
    folder = _write(tmp_path / "touches")
    pq.write_table(pa.table({"user": ["004"], "ts": [_T + 6]}), folder / "part-2.parquet")
    with pytest.raises(MissingColumnError, match="part-2.parquet"):
        check_every_file(ds.dataset(folder, format="parquet"), _COLS)


def test_chunks_count_rows_in_the_whole_input(tmp_path: Path) -> None:
    run = ChunkSource.open(_write(tmp_path / "touches"), None, _COLS, "channel", 2)
    rows = []
    for js, touches, first_row in run.passes("test"):
        assert js.n_touches == touches.num_rows
        rows += sorted(js.touch_row.tolist())
        assert min(js.touch_row.tolist()) >= first_row
    assert rows == [0, 1, 2, 3, 4]


def test_a_bad_touch_is_named_by_its_input_row(tmp_path: Path) -> None:
    folder = _write(tmp_path / "touches")
    pq.write_table(
        pa.table({"user": ["004", "004"], "ts": [_T + 6, 5], "channel": ["seo", "ads"]}),
        folder / "part-2.parquet",
    )
    run = ChunkSource.open(folder, None, _COLS, "channel", 2)
    with pytest.raises(ValueError, match="input row 7: 5 is not a time"):
        for _ in run.passes("test"):
            pass
