"""attribute_parquet reads times by the one time rule, unit= included (issue 21 item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchcredit.io.chunked import attribute_parquet

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

US = 1_714_557_600_123_456  # 2024-05-01T10:00:00.123456Z in microseconds


def _dataset(tmp_path: Path) -> tuple[Path, object]:
    touches = pa.table(
        {
            "journey_id": ["007", "007", "008"],
            "timestamp": [US, US + 1_000_000, US + 2_000_000],
            "channel": ["paid", "email", "seo"],
        }
    )
    path = tmp_path / "touches.parquet"
    pq.write_table(touches, path)
    conversions = pa.table(
        {"journey_id": ["007", "008"], "conversion_time": [US + 5_000_000, US + 6_000_000]}
    )
    return path, conversions


def test_microsecond_epochs_are_read_and_unit_is_honoured(tmp_path: Path) -> None:
    path, conversions = _dataset(tmp_path)
    got = attribute_parquet(path, "linear", conversions=conversions, batch_rows=2)
    assert got.to_dict() == {"email": 0.5, "paid": 0.5, "seo": 1.0}
    same = attribute_parquet(path, "linear", conversions=conversions, unit="us")
    assert same.to_dict() == got.to_dict()
    with pytest.raises(ValueError, match="outside years 1-9999 as epoch milliseconds"):
        attribute_parquet(path, "linear", conversions=conversions, unit="ms")
    with pytest.raises(ValueError, match="time zone 'Mars/Base' is not known"):
        attribute_parquet(path, "linear", conversions=conversions, default_tz="Mars/Base")
