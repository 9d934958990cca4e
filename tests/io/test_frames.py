"""Table files: CSV, Parquet and Feather in, CSV and Parquet out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from touchcredit.core.store import JourneySet
from touchcredit.io import frames

pa = pytest.importorskip("pyarrow")


def test_read_csv_and_parquet(tmp_path: Path) -> None:
    csv_path = tmp_path / "touches.csv"
    csv_path.write_text(
        "journey_id,timestamp,channel,source\n"
        "a,2024-01-01T10:00:00,seo,\n"
        "a,2024-01-02T10:00:00Z,email,Newsletter\n"
    )
    t = frames.read_table(csv_path)
    assert t.column("source").to_pylist() == [None, "Newsletter"]  # empty cell = null
    pq_path = tmp_path / "touches.parquet"
    frames.write_table({"journey_id": np.array(["a"], dtype=object), "v": np.ones(1)}, pq_path)
    assert frames.read_table(pq_path).column("v").to_pylist() == [1.0]
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match=r"cannot tell the format of 'x.json'"):
        frames.read_table(tmp_path / "x.json")
    with pytest.raises(FileNotFoundError, match="no such file"):
        frames.read_table(tmp_path / "missing.csv")


def test_csv_with_mixed_offsets_builds_journeys(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("journey_id,timestamp,channel\na,2024-01-01T10:00:00+02:00,seo\n")
    js = JourneySet.from_frame(frames.read_table(p))
    assert js.timestamp.tolist() == [dt.datetime(2024, 1, 1, 8)]


def test_write_table_csv_defuses_formulas(tmp_path: Path) -> None:
    p = tmp_path / "out.csv"
    frames.write_table(
        {"source": np.array(["=1+1", "seo"], dtype=object), "value": np.array([-1.0, 2.0])}, p
    )
    assert p.read_text().splitlines() == ["source,value", "'=1+1,-1.0", "seo,2.0"]
    with pytest.raises(ValueError, match="use a .csv or .parquet"):
        frames.write_table({"a": np.zeros(1)}, tmp_path / "out.xlsx")
