"""touchcredit.io.chunks: whole journeys per chunk, id kinds, order and conversion rows."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from touchcredit.core.mapping import ColumnMap
from touchcredit.io.chunks import (
    ROW,
    Chunker,
    LargeJourneyWarning,
    as_conversion_table,
    check_sorted,
    id_kind,
    journey_ids,
    sorted_conversions,
)

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
ds = pytest.importorskip("pyarrow.dataset")

_IDS = ["001", "001", "001", "002", "003", "003", "004"]


def test_id_kind() -> None:
    assert id_kind(pa.int32(), pa) == "integer"
    assert id_kind(pa.dictionary(pa.int8(), pa.string()), pa) == "text"
    assert id_kind(pa.large_binary(), pa) == "binary"
    assert id_kind(pa.float64(), pa) == "double"


def test_journey_ids_name_the_input_row_of_a_null_and_a_kind_change() -> None:
    col = pa.array(["007", None])
    with pytest.raises(ValueError, match="null in input row 12"):
        journey_ids(col, pa, field="user", kind="text", first_row=10, table="touches")
    with pytest.raises(TypeError, match="holds integer ids from input row 11 on, but text"):
        journey_ids(pa.array([7]), pa, field="user", kind="text", first_row=10, table="touches")
    ids = journey_ids(
        pa.array(["007", "7"]).dictionary_encode(),
        pa,
        field="user",
        kind="text",
        first_row=0,
        table="touches",
    )
    assert ids.tolist() == ["007", "7"]


def test_check_sorted_names_the_first_row_out_of_order() -> None:
    assert check_sorted(np.array(["001", "002"]), "001", 0, "user") == "002"
    with pytest.raises(ValueError, match="input row 6 has user='002' after '010'"):
        check_sorted(np.array(["010", "002"]), None, 4, "user")
    with pytest.raises(ValueError, match="input row 3 has user='001' after '002'"):
        check_sorted(np.array(["001"]), "002", 2, "user")


def test_sorted_conversions_keep_their_given_rows() -> None:
    table = pa.table({"user": ["003", "001", "002"], "value": [3.0, 1.0, 2.0]})
    out, ids = sorted_conversions(table, "user", "text", pa)
    assert ids.tolist() == ["001", "002", "003"]
    assert out.column(ROW).to_pylist() == [1, 2, 0]
    with pytest.raises(TypeError, match="touches' journey ids are integer"):
        sorted_conversions(table, "user", "integer", pa)


def test_as_conversion_table_reads_only_mapped_columns() -> None:
    cols = ColumnMap(journey="user", timestamp="ts", conversion_time="at")
    data = {"user": ["007"], "at": [1], "notes": ["x"]}
    assert as_conversion_table(data, cols, pa, pq).column_names == ["user", "at"]
    assert as_conversion_table(None, cols, pa, pq) is None


def _dataset(tmp_path: Path, ids: list[str]) -> object:
    path = tmp_path / "t.parquet"
    table = pa.table({"user": ids, "ch": ["seo"] * len(ids)})
    pq.write_table(table, path, row_group_size=2)
    return ds.dataset(path, format="parquet")


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 4, 10])
def test_chunks_never_split_a_journey(tmp_path: Path, batch_rows: int) -> None:
    conv = sorted_conversions(pa.table({"user": ["004", "001"]}), "user", "text", pa)
    chunker = Chunker(_dataset(tmp_path, _IDS), ["user", "ch"], "user", conv, batch_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LargeJourneyWarning)
        chunks = list(chunker.chunks(None))
    seen: list[str] = []
    expected_first = 0
    conv_rows: list[int] = []
    for touches, conversions, first_row in chunks:
        ids = touches.column("user").to_pylist()
        assert first_row == expected_first
        assert not set(ids) & set(seen)
        seen += ids
        expected_first += len(ids)
        conv_ids = conversions.column("user").to_pylist()
        assert set(conv_ids) <= set(ids)
        conv_rows += conversions.column(ROW).to_pylist()
    assert seen == _IDS and sorted(conv_rows) == [0, 1]


def test_a_journey_longer_than_a_chunk_warns_with_its_id(tmp_path: Path) -> None:
    chunker = Chunker(_dataset(tmp_path, _IDS), ["user"], "user", None, 2)
    with pytest.warns(LargeJourneyWarning, match="journey '001' has 3 touches"):
        list(chunker.chunks(None))


def test_unsorted_dataset_is_refused(tmp_path: Path) -> None:
    chunker = Chunker(_dataset(tmp_path, ["002", "001"]), ["user"], "user", None, 10)
    with pytest.raises(ValueError, match="must be sorted by 'user'"):
        list(chunker.chunks(None))
