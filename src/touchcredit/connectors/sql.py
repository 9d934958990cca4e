"""A SQL query (DuckDB in-process, PostgreSQL, any ADBC / DB-API connection) to a JourneySet.

The query returns the touch table (one row per touch); an optional second query
returns the conversions. Their columns are named by a :class:`~touchcredit.ColumnMap`
exactly as for :mod:`~touchcredit.connectors.crm`, and the rows go through the same
cleaning path. Results travel as Arrow record batches where the connection can (DuckDB,
ADBC drivers); a plain DB-API connection (``sqlite3``) works too, row by row.

=================================  ==================================================
``connection``                     what runs the query
=================================  ==================================================
None                               an in-process DuckDB without file access except
                                   to ``allowed_directories`` (Parquet/CSV files
                                   named in the query: ``FROM 'events_*.parquet'``)
a path (``"warehouse.duckdb"``)    that DuckDB database file, read only, no other
                                   file access
``"postgresql://..."``             PostgreSQL through ADBC, in a read-only
                                   transaction (``adbc-driver-postgresql``)
a ``duckdb`` connection            ``connection.sql(query)``, as Arrow
an ADBC DB-API connection          ``cursor.execute(query)``,
(``adbc_driver_sqlite``,           ``cursor.fetch_record_batch()``
``adbc_driver_postgresql``...)
another DB-API connection          ``cursor.execute(query)``, ``cursor.fetchall()``
=================================  ==================================================

Queries are read-only where touchcredit opens the connection: DuckDB runs with
``enable_external_access`` off and its configuration locked, and DuckDB queries must be
one ``SELECT`` statement (a stacked ``COPY ... TO`` is refused); PostgreSQL runs them in a
``READ ONLY`` transaction. A connection you pass runs with the rights you gave it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import attrs

from touchcredit.connectors import crm
from touchcredit.connectors.report import Cleaning, ConnectorReport
from touchcredit.core import backends, warehouse
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet

__all__ = ["QueryError", "query_arrow", "read"]

Query = tuple[str, Sequence[Any] | None]


class QueryError(ValueError):
    """A query that may not run here (not one SELECT statement, or it touched a file)."""


def _one_select(duckdb: Any, query: str) -> None:
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise QueryError(f"the query is not valid SQL: {exc}") from None
    kinds = [str(getattr(s.type, "name", s.type)) for s in statements]
    if kinds != ["SELECT"]:
        raise QueryError(
            "the query must be one SELECT statement (it runs read-only); got "
            f"{', '.join(kinds) or 'nothing'}"
        )


def _duckdb_table(connection: Any, query: str, parameters: Sequence[Any] | None) -> Any:
    import duckdb

    _one_select(duckdb, query)
    try:
        result = (
            connection.sql(query, params=list(parameters)) if parameters else connection.sql(query)
        )
        for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):
            fn = getattr(result, method, None)
            if fn is not None:
                table = fn()
                return table.read_all() if hasattr(table, "read_all") else table
    except duckdb.PermissionException as exc:
        raise QueryError(f"the query may not read or write files here: {exc}") from None
    raise TypeError("this duckdb version offers no Arrow result")  # pragma: no cover


def _locked_duckdb(path: Any, allowed_directories: Sequence[Any] | None) -> Any:
    """DuckDB without file access (but ``allowed_directories``), its configuration locked."""
    import duckdb

    conn = duckdb.connect() if path is None else duckdb.connect(os.fspath(path), read_only=True)
    if path is None and allowed_directories:
        folders = [os.path.join(os.path.abspath(os.fspath(d)), "") for d in allowed_directories]
        conn.execute("SET allowed_directories = ?", [folders])
    conn.execute("SET enable_external_access = false")
    conn.execute("SET lock_configuration = true")
    return conn


def _run(
    queries: Sequence[Query], connection: Any, allowed_directories: Sequence[Any] | None
) -> list[Any]:
    if warehouse.is_uri(connection):
        conn = warehouse.connect(connection)
        try:
            return warehouse.read_only(conn, queries)
        finally:
            conn.close()
    if connection is None or isinstance(connection, str | os.PathLike):
        conn = _locked_duckdb(connection, allowed_directories)
        try:
            return [_duckdb_table(conn, q, p) for q, p in queries]
        finally:
            conn.close()
    if type(connection).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        return [_duckdb_table(connection, q, p) for q, p in queries]
    return [_dbapi_table(connection, q, p) for q, p in queries]


def _dbapi_table(connection: Any, query: str, parameters: Sequence[Any] | None) -> Any:
    cursor = connection.cursor()
    try:
        if parameters:
            cursor.execute(query, parameters)
        else:
            cursor.execute(query)
        if hasattr(cursor, "fetch_record_batch"):  # ADBC: Arrow batches from the driver
            return warehouse.arrow_table(cursor.fetch_record_batch())
        names = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    pa = backends.pyarrow()
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


def query_arrow(
    query: str,
    connection: Any = None,
    parameters: Sequence[Any] | None = None,
    *,
    allowed_directories: Sequence[str | os.PathLike[str]] | None = None,
) -> Any:
    """Run ``query`` and return its result as a pyarrow Table.

    Parameters
    ----------
    query : str
        The SQL text.
    connection : None, path, postgresql:// URI, duckdb connection or DB-API connection
        See the module's table.
    parameters : sequence, optional
        Query parameters (``?`` or ``$1`` placeholders, per driver).
    allowed_directories : sequence of paths, optional
        Folders whose files an in-process DuckDB (``connection=None``) may read.

    Raises
    ------
    QueryError
        When a DuckDB query is not one SELECT statement or touches a file outside
        ``allowed_directories``.

    Examples
    --------
    >>> query_arrow("SELECT '007' AS id, 1.5 AS amount").to_pylist()
    [{'id': '007', 'amount': Decimal('1.5')}]
    """
    return _run([(query, parameters)], connection, allowed_directories)[0]


def read(
    query: str,
    connection: Any = None,
    mapping: ColumnMap | None = None,
    *,
    conversions: str | None = None,
    parameters: Sequence[Any] | None = None,
    conversion_parameters: Sequence[Any] | None = None,
    cleaning: Cleaning | None = None,
    target: str = "conversions",
    currency: str | None = None,
    allowed_directories: Sequence[str | os.PathLike[str]] | None = None,
) -> tuple[JourneySet, ConnectorReport]:
    """Read touches (and conversions) with SQL, then clean them like :func:`crm.read`.

    Parameters
    ----------
    query : str
        SQL returning one row per touch.
    connection : None, path, postgresql:// URI, duckdb connection or DB-API connection
        Where the query runs (see the module's table); None: in-process DuckDB. With
        a URI, both queries run in one read-only transaction (one snapshot).
    mapping : touchcredit.ColumnMap
        Which result columns hold what (the default ColumnMap when None).
    conversions : str, optional
        SQL returning one row per lead or won deal.
    parameters, conversion_parameters : sequence, optional
        Parameters of the touch query and of the conversions query.
    cleaning : Cleaning, optional
        Time zone, dedup window, catalog, error mode.
    target, currency : str
        What the conversions are and their currency.
    allowed_directories : sequence of paths, optional
        Folders whose files the in-process DuckDB (``connection=None``) may read;
        no other file can be read or written by the query.

    Returns
    -------
    (JourneySet, ConnectorReport)

    Raises
    ------
    QueryError
        When a DuckDB query is not one SELECT statement or touches a file outside
        ``allowed_directories``.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js, report = read(
    ...     "SELECT * FROM (VALUES ('007', TIMESTAMP '2024-03-01', 'google', 'cpc'),"
    ...     " ('7', TIMESTAMP '2024-03-02', 'newsletter', 'email')) t(id, ts, src, med)",
    ...     None,
    ...     tc.ColumnMap(journey="id", timestamp="ts", channel=None, source="src",
    ...                  medium="med", conversion_time="ts"),
    ...     conversions="SELECT '007' AS id, TIMESTAMP '2024-03-05' AS ts",
    ... )
    >>> js.n_journeys, js.channel.labels().tolist(), report.source
    (2, ['paid search', 'email'], 'sql')
    """
    cols = ColumnMap() if mapping is None else mapping
    queries: list[Query] = [(query, parameters)]
    if conversions is not None:
        queries.append((conversions, conversion_parameters))
    touches, *rest = _run(queries, connection, allowed_directories)
    conv = rest[0] if rest else None
    js, report = crm.read(touches, cols, conv, cleaning=cleaning, target=target, currency=currency)
    return js, attrs.evolve(report, source="sql")
