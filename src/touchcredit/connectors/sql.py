"""A SQL query (DuckDB in-process, or any ADBC / DB-API connection) to a JourneySet.

The query returns the touch table (one row per touch); an optional second query
returns the conversions. Their columns are named by a :class:`~touchcredit.ColumnMap`
exactly as for :mod:`~touchcredit.connectors.crm`, and the rows go through the same
cleaning path. Results travel as Arrow where the connection can (DuckDB, ADBC
drivers); a plain DB-API connection (``sqlite3``) works too, row by row.

=================================  ==================================================
``connection``                     what runs the query
=================================  ==================================================
None                               an in-process DuckDB (it reads Parquet/CSV files
                                   named in the query: ``FROM 'events_*.parquet'``)
a path (``"warehouse.duckdb"``)    that DuckDB database file, read only
a ``duckdb`` connection            ``connection.sql(query).to_arrow_table()``
an ADBC DB-API connection          ``cursor.execute(query)``,
(``adbc_driver_sqlite``,           ``cursor.fetch_arrow_table()``
``adbc_driver_postgresql``...)
another DB-API connection          ``cursor.execute(query)``, ``cursor.fetchall()``
=================================  ==================================================
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import Any

import attrs

from touchcredit.connectors import crm
from touchcredit.connectors.report import Cleaning, ConnectorReport
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet

__all__ = ["query_arrow", "read"]


def _duckdb_table(connection: Any, query: str, parameters: Sequence[Any] | None) -> Any:
    result = connection.sql(query, params=list(parameters)) if parameters else connection.sql(query)
    for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):
        fn = getattr(result, method, None)
        if fn is not None:
            table = fn()
            return table.read_all() if hasattr(table, "read_all") else table
    raise TypeError("this duckdb version offers no Arrow result")  # pragma: no cover


def query_arrow(query: str, connection: Any = None, parameters: Sequence[Any] | None = None) -> Any:
    """Run ``query`` and return its result as a pyarrow Table.

    Parameters
    ----------
    query : str
        The SQL text.
    connection : None, path, duckdb connection or DB-API connection
        See the module's table.
    parameters : sequence, optional
        Query parameters (``?`` or ``$1`` placeholders, per driver).

    Examples
    --------
    >>> query_arrow("SELECT '007' AS id, 1.5 AS amount").to_pylist()
    [{'id': '007', 'amount': Decimal('1.5')}]
    """
    if connection is None or isinstance(connection, str | os.PathLike):
        duckdb = importlib.import_module("duckdb")
        conn = (
            duckdb.connect()
            if connection is None
            else duckdb.connect(os.fspath(connection), read_only=True)
        )
        try:
            return _duckdb_table(conn, query, parameters)
        finally:
            conn.close()
    if type(connection).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        return _duckdb_table(connection, query, parameters)
    cursor = connection.cursor()
    try:
        if parameters:
            cursor.execute(query, parameters)
        else:
            cursor.execute(query)
        fetch = getattr(cursor, "fetch_arrow_table", None)
        if fetch is not None:
            return fetch()
        names = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    pa = importlib.import_module("pyarrow")
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


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
) -> tuple[JourneySet, ConnectorReport]:
    """Read touches (and conversions) with SQL, then clean them like :func:`crm.read`.

    Parameters
    ----------
    query : str
        SQL returning one row per touch.
    connection : None, path, duckdb connection or DB-API connection
        Where the query runs (see the module's table); None: in-process DuckDB.
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

    Returns
    -------
    (JourneySet, ConnectorReport)

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
    touches = query_arrow(query, connection, parameters)
    conv = (
        None if conversions is None else query_arrow(conversions, connection, conversion_parameters)
    )
    js, report = crm.read(touches, cols, conv, cleaning=cleaning, target=target, currency=currency)
    return js, attrs.evolve(report, source="sql")
