"""``touchcredit run``'s tables written back into a database: ``[outputs] database``.

::

    [outputs]
    database = "postgresql://analyst@warehouse/marketing"
    database_mode = "replace"          # or "append"; replace is the default
    credit_table = "analytics.credit"  # the credit file's rows
    kpis_table = "analytics.kpis"      # the KPI file's rows
    leads_table = "analytics.leads"    # the leads output's rows

Every named table is written through ADBC bulk ingest in ONE transaction
(:func:`touchcredit.core.warehouse.write_tables`), after the files: a failed or killed
run commits nothing, and the previous tables stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import attrs

from touchcredit.cli.common import UsageError
from touchcredit.core import warehouse

__all__ = ["KEYS", "TABLE_KEYS", "Database", "spec", "write"]

#: ``*_table`` key -> the output whose rows it holds.
TABLE_KEYS = {"credit_table": "credit", "kpis_table": "kpis", "leads_table": "leads"}
#: Every ``[outputs]`` key of this module.
KEYS = ("database", "database_mode", *TABLE_KEYS)


@attrs.frozen
class Database:
    """Where and how the tables go: the URI, the mode and output -> table name."""

    uri: str
    mode: warehouse.WriteMode
    tables: Mapping[str, str]


def spec(outputs: Mapping[str, Any], where: str) -> Database | None:
    """The database part of ``[outputs]``, checked; None when no database is named."""
    given = {k: v for k, v in outputs.items() if k in KEYS}
    if not given:
        return None
    uri = given.get("database")
    if not warehouse.is_uri(uri):
        raise UsageError(f"{where} [outputs] database: expected a postgresql:// URI, got {uri!r}")
    mode = given.get("database_mode", "replace")
    if mode not in warehouse.MODES:
        raise UsageError(
            f"{where} [outputs] database_mode: expected 'replace' or 'append', got {mode!r}"
        )
    tables = {TABLE_KEYS[k]: v for k, v in given.items() if k in TABLE_KEYS}
    if not tables:
        raise UsageError(
            f"{where} [outputs]: database needs at least one of {', '.join(TABLE_KEYS)}"
        )
    for key, name in given.items():
        if key in TABLE_KEYS:
            try:
                warehouse.split_name(name)
            except ValueError as exc:
                raise UsageError(f"{where} [outputs] {key}: {exc}") from None
    return Database(str(uri), cast(warehouse.WriteMode, mode), tables)


def write(db: Database, makers: Mapping[str, Callable[[], Any]], where: str) -> list[str]:
    """Make each named output's columns and write them all in one transaction.

    Returns one line per written table for the run's log.
    """
    from touchcredit.core.frame_output import to_frame

    missing = [o for o in db.tables if o not in makers]
    if missing:
        raise UsageError(
            f"{where} [outputs] {missing[0]}_table: this pipeline makes no {missing[0]} output"
        )
    arrow = {db.tables[o]: to_frame(makers[o](), "pyarrow") for o in db.tables}
    warehouse.write_tables(db.uri, arrow, db.mode)
    return [f"table {name} ({db.mode})" for name in arrow]
