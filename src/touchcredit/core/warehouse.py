"""Arrow tables in and out of a database through ADBC: PostgreSQL URIs and open connections.

:func:`connect` opens a ``postgresql://`` URI with the ADBC PostgreSQL driver;
:func:`read_only` runs queries in one read-only transaction and returns Arrow tables,
fetched as Arrow record batches (never row by row); :func:`write_tables` writes several
Arrow tables through ADBC bulk ingest in ONE transaction, so that a failed or killed
write leaves every previous table as it was. PostgreSQL ``numeric`` columns, which ADBC
hands over as text, are read as float64 (touchcredit's money type); other types the driver
cannot map keep their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from touchcredit.core import backends

__all__ = [
    "MODES",
    "WriteMode",
    "arrow_table",
    "connect",
    "is_uri",
    "read_only",
    "split_name",
    "write_tables",
]

WriteMode = Literal["replace", "append"]
#: Write mode -> ADBC ingest mode (``append`` creates a missing table).
MODES: Mapping[str, str] = {"replace": "replace", "append": "create_append"}
_SCHEMES = ("postgresql://", "postgres://")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def is_uri(target: object) -> bool:
    """True for a PostgreSQL URI (``postgresql://...`` or ``postgres://...``).

    Examples
    --------
    >>> is_uri("postgresql://me@db/crm"), is_uri("warehouse.duckdb")
    (True, False)
    """
    return isinstance(target, str) and target.lower().startswith(_SCHEMES)


def _missing(name: str) -> ImportError:
    return ImportError(
        f'this needs {name}, which is not installed; install it with pip install "touchcredit[sql]"'
    )


def _pyarrow() -> Any:
    try:
        return backends.pyarrow()
    except ImportError:
        raise _missing("pyarrow") from None


def connect(uri: str) -> Any:
    """An ADBC DB-API connection to the PostgreSQL ``uri`` (not in autocommit mode).

    Raises
    ------
    ValueError
        When ``uri`` is not a ``postgresql://`` URI.
    ImportError
        When ``adbc-driver-postgresql`` is not installed.
    """
    if not is_uri(uri):
        raise ValueError(f"expected a postgresql:// URI, got {uri!r}")
    try:
        import adbc_driver_postgresql.dbapi as dbapi
    except ImportError:
        raise _missing("adbc-driver-postgresql") from None
    return dbapi.connect(uri)


def _vendor(connection: Any) -> str:
    try:
        return str(connection.adbc_get_info().get("vendor_name", ""))
    except Exception:  # not an ADBC connection, or a driver without the info
        return ""


def _plain_types(table: Any) -> Any:
    """Extension columns the driver could not map become their storage (``numeric``: float)."""
    pa = _pyarrow()
    for i, field in enumerate(table.schema):
        if isinstance(field.type, pa.BaseExtensionType):
            chunks = [chunk.storage for chunk in table.column(i).chunks]
            storage = pa.chunked_array(chunks, type=field.type.storage_type)
            if getattr(field.type, "type_name", "") == "numeric":
                storage = storage.cast(pa.float64())
            table = table.set_column(i, field.name, storage)
    return table


def arrow_table(reader: Any) -> Any:
    """The record batches of an ADBC result reader as one Arrow table, plain types."""
    return _plain_types(reader.read_all())


def _fetch(cursor: Any, query: str, parameters: Sequence[Any] | None) -> Any:
    if parameters:
        cursor.execute(query, parameters)
    else:
        cursor.execute(query)
    return arrow_table(cursor.fetch_record_batch())


def read_only(connection: Any, queries: Sequence[tuple[str, Sequence[Any] | None]]) -> list[Any]:
    """Run ``queries`` (text, parameters) in one read-only transaction: Arrow tables.

    On PostgreSQL the transaction is ``REPEATABLE READ, READ ONLY``: every query sees
    the same snapshot and none can write (the server refuses). It is rolled back at the
    end. Other ADBC drivers run the queries in a transaction that is rolled back.
    """
    cursor = connection.cursor()
    try:
        if _vendor(connection) == "PostgreSQL":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return [_fetch(cursor, q, p) for q, p in queries]
    finally:
        cursor.close()
        connection.rollback()


def split_name(name: str) -> tuple[str | None, str]:
    """``"schema.table"`` or ``"table"`` as (schema or None, table); other names refused.

    Examples
    --------
    >>> split_name("analytics.credit"), split_name("credit")
    (('analytics', 'credit'), (None, 'credit'))
    """
    parts = name.split(".") if isinstance(name, str) else []
    if not 1 <= len(parts) <= 2 or not all(_NAME.fullmatch(p) for p in parts):
        raise ValueError(
            f"table name {name!r} must be 'table' or 'schema.table' (letters, digits, _)"
        )
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def _typed(table: Any) -> Any:
    """Columns of Arrow's null type (no value at all) become text: databases need a type."""
    pa = _pyarrow()
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table


@contextmanager
def _opened(target: Any) -> Iterator[Any]:
    if isinstance(target, str):
        connection = connect(target)
        try:
            yield connection
        finally:
            connection.close()
    else:
        yield target


def write_tables(target: Any, tables: Mapping[str, Any], mode: WriteMode = "replace") -> None:
    """Write Arrow tables through ADBC bulk ingest, all in one transaction.

    Parameters
    ----------
    target : str or ADBC DB-API connection
        A ``postgresql://`` URI, or an open ADBC connection (not in autocommit mode:
        its current transaction is committed with the tables).
    tables : mapping of str to pyarrow.Table
        Table name (``"credit"`` or ``"schema.credit"``) to its rows.
    mode : {"replace", "append"}
        ``replace`` drops and recreates each table; ``append`` adds rows (creating
        a missing table).

    Raises
    ------
    ValueError
        For an unknown mode or a table name that is not ``[schema.]table``.

    Notes
    -----
    The tables are committed together or not at all: on an error the transaction is
    rolled back; a killed process never commits, and the server discards its
    transaction, so the previous tables stay as they were.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from adbc_driver_sqlite import dbapi
    >>> conn = dbapi.connect()
    >>> write_tables(conn, {"credit": pa.table({"channel": ["seo"], "value": [1.5]})})
    >>> cur = conn.cursor()
    >>> _ = cur.execute("SELECT * FROM credit")
    >>> cur.fetchall()
    [('seo', 1.5)]
    >>> cur.close()
    >>> conn.close()
    """
    if mode not in MODES:
        raise ValueError(f"mode must be 'replace' or 'append', got {mode!r}")
    names = {name: split_name(name) for name in tables}
    with _opened(target) as connection:
        cursor = connection.cursor()
        try:
            for name, data in tables.items():
                schema, table = names[name]
                cursor.adbc_ingest(table, _typed(data), mode=MODES[mode], db_schema_name=schema)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
