"""The GA4 export's schema: required columns, nested shapes, and files that are not GA4.

:func:`is_ga4_export` refuses at once a file that is not a BigQuery export (a flat CSV
of touches), listing its columns; :func:`check_batch` names every column of the wrong
shape (``event_params`` must be a repeated record of key and value; a flattened
export's plain text or number value is read).
"""

from __future__ import annotations

from typing import Any

from touchcredit.connectors import files
from touchcredit.core import backends

__all__ = ["OPTIONAL", "REQUIRED", "check_batch", "is_ga4_export"]

REQUIRED: dict[str, files.Kind] = {
    "event_timestamp": "number",
    "event_name": "text",
    "user_pseudo_id": "text",
}
OPTIONAL: dict[str, files.Kind] = {"user_id": "text", "event_value_in_usd": "number"}


def check_batch(batch: Any) -> None:
    """Raise :class:`SchemaError` naming every GA4 column of ``batch`` of the wrong shape."""
    pa = backends.pyarrow()
    files.check_schema(batch.schema, "events", REQUIRED, OPTIONAL)
    mistyped = {}
    for name in ("collected_traffic_source", "session_traffic_source_last_click", "ecommerce"):
        if name in batch.column_names and not pa.types.is_struct(batch.schema.field(name).type):
            mistyped[name] = f"expected a RECORD (struct), got {batch.schema.field(name).type}"
    if "event_params" in batch.column_names:
        typ = batch.schema.field("event_params").type
        ok = (pa.types.is_list(typ) or pa.types.is_large_list(typ)) and pa.types.is_struct(
            typ.value_type
        )
        item = typ.value_type if ok else None
        if item is None or item.get_field_index("key") < 0 or item.get_field_index("value") < 0:
            mistyped["event_params"] = f"expected a REPEATED RECORD of key and value, got {typ}"
        elif not _readable_value(pa, item.field("value").type):
            mistyped["event_params"] = (
                "expected value as a RECORD of string_value/int_value/float_value/"
                f"double_value, or as text or a number, got {item.field('value').type}"
            )
    if mistyped:
        raise files.SchemaError("events", mistyped=mistyped)


def _readable_value(pa: Any, typ: Any) -> bool:
    """An ``event_params.value`` the connector reads: the export's RECORD of typed
    values, or (a flattened export) the value itself as text or a number."""
    t = pa.types
    if t.is_struct(typ):
        names = {typ.field(i).name for i in range(typ.num_fields)}
        return bool(names & {"string_value", "int_value", "float_value", "double_value"})
    kinds = (t.is_string, t.is_large_string, t.is_integer, t.is_floating, t.is_decimal)
    return any(kind(typ) for kind in kinds)


def is_ga4_export(events: files.Source) -> None:
    """Refuse, at once, files that are not a GA4 export (a flat CSV of touches)."""
    if not files.is_path_source(events):
        return  # a frame: its columns are checked batch by batch
    found = files.column_names(events)
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise files.SchemaError(
            "events: not a GA4 BigQuery export (the events_* tables as Parquet or "
            "newline-delimited JSON, nested event_params)",
            missing=missing,
            found=found,
        )
