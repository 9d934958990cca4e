"""touchcredit.connectors.ga4_schema: required columns, nested shapes, non-GA4 files."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchcredit.connectors import SchemaError
from touchcredit.connectors.ga4_schema import check_batch, is_ga4_export

pa = pytest.importorskip("pyarrow")

_PARAM = pa.struct([("key", pa.string()), ("value", pa.struct([("string_value", pa.string())]))])


def _batch(**extra: object) -> object:
    cols = {
        "event_timestamp": pa.array([1_700_000_000_000_000], pa.int64()),
        "event_name": pa.array(["page_view"]),
        "user_pseudo_id": pa.array(["0012345.678"]),
    }
    cols.update(extra)  # type: ignore[arg-type]
    return pa.table(cols)


def test_a_well_formed_batch_passes() -> None:
    params = pa.array([[{"key": "source", "value": {"string_value": "google"}}]], pa.list_(_PARAM))
    check_batch(_batch(event_params=params))


def test_flattened_value_as_text_or_number_is_read() -> None:
    for typ in (pa.string(), pa.int64(), pa.float64()):
        item = pa.struct([("key", pa.string()), ("value", typ)])
        check_batch(_batch(event_params=pa.array([[]], pa.list_(item))))


def test_missing_required_column_is_named() -> None:
    batch = _batch().drop_columns(["user_pseudo_id"])
    with pytest.raises(SchemaError, match="events: missing column.s. 'user_pseudo_id'"):
        check_batch(batch)


def test_every_wrongly_shaped_column_is_named() -> None:
    batch = _batch(
        event_params=pa.array(["source=google"]),
        collected_traffic_source=pa.array(["google"]),
    )
    with pytest.raises(SchemaError) as err:
        check_batch(batch)
    assert set(err.value.mistyped) == {"event_params", "collected_traffic_source"}
    assert "REPEATED RECORD of key and value" in err.value.mistyped["event_params"]
    assert "RECORD (struct)" in err.value.mistyped["collected_traffic_source"]


def test_params_value_of_an_unreadable_record_is_named() -> None:
    item = pa.struct([("key", pa.string()), ("value", pa.struct([("other", pa.string())]))])
    with pytest.raises(SchemaError, match="string_value/int_value"):
        check_batch(_batch(event_params=pa.array([[]], pa.list_(item))))


def test_a_flat_csv_of_touches_is_not_a_ga4_export(tmp_path: Path) -> None:
    path = tmp_path / "touches.csv"
    path.write_text("\ufeffuser_id,event_timestamp,channel\n007,1,seo\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="not a GA4 BigQuery export") as err:
        is_ga4_export(path)
    assert err.value.missing == ["event_name", "user_pseudo_id"]
    assert "columns found: 'user_id', 'event_timestamp', 'channel'" in str(err.value)


def test_an_export_with_the_required_columns_and_a_frame_pass(tmp_path: Path) -> None:
    path = tmp_path / "events_20240101.csv"
    path.write_text("event_timestamp,event_name,user_pseudo_id\n1,page_view,007.1\n")
    is_ga4_export(path)
    is_ga4_export(_batch().drop_columns(["event_name"]))  # frames are checked per batch
