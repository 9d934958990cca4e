"""Reading a connector's input: paths, globs or frames, to Arrow, with the schema checked.

Every connector reads its tables through :func:`read_table` (one Arrow table) or
:func:`iter_batches` (record batches, for large event exports). A *source* is a path
(``.csv``/``.tsv`` optionally compressed, ``.parquet``/``.pq``, ``.json``/``.ndjson``/
``.jsonl`` newline-delimited JSON), a glob (``exports/events_*.parquet``), a list of
those, or any data frame narwhals supports (pandas, polars, pyarrow, DuckDB, ...).
Files of a glob are read in sorted order; row numbers in messages count from 1 over
all of them, in that order.

Identifier columns are always read as text from files: ``007`` and ``7`` stay two
people, and a GA4 ``user_pseudo_id`` such as ``1234567890.1234567891`` is never
rounded through a float.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from touchcredit.connectors.columns import (
    SchemaError,
    amounts,
    bools,
    index_in,
    is_text,
    numbers,
    texts,
    times,
)
from touchcredit.core import backends
from touchcredit.io.frames import csv_encoding, duplicated_columns

__all__ = [
    "Kind",
    "SchemaError",
    "Source",
    "amounts",
    "bools",
    "check_schema",
    "column_names",
    "index_in",
    "is_path_source",
    "is_text",
    "iter_batches",
    "numbers",
    "paths",
    "read_table",
    "texts",
    "times",
]

#: What a column must hold: text (ids, labels), a time, a number, a flag, or anything.
Kind = Literal["text", "time", "number", "bool", "any"]
#: A path, a glob, a list of paths or globs, or a data frame.
Source = Any

_CSV = (".csv", ".tsv", ".txt")
_PARQUET = (".parquet", ".pq")
_JSON = (".json", ".ndjson", ".jsonl")


def _pa() -> Any:
    try:
        return backends.pyarrow()
    except ImportError:  # pragma: no cover - pyarrow is a declared extra
        raise ImportError("the connectors need pyarrow: pip install 'touchcredit[arrow]'") from None


def _is_path(source: Any) -> bool:
    return isinstance(source, str | os.PathLike)


def is_path_source(source: Source) -> bool:
    """Whether ``source`` names files (a path, a glob, or a list of them), not a frame."""
    return _is_path(source) or (
        isinstance(source, list | tuple) and bool(source) and all(map(_is_path, source))
    )


def paths(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files a path, glob or list of them names, in order (globs sorted).

    Raises
    ------
    FileNotFoundError
        Naming the path or pattern that matches no file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for day in ("20240102", "20240101"):
    ...     _ = (d / f"events_{day}.csv").write_text("a\\n1\\n")
    >>> [p.name for p in paths(str(d / "events_*.csv"))]
    ['events_20240101.csv', 'events_20240102.csv']
    """
    items: list[Any] = [source] if _is_path(source) else list(source)  # type: ignore[arg-type]
    out: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if glob.has_magic(text):
            found = sorted(glob.glob(text))
            if not found:
                raise FileNotFoundError(f"no file matches {text!r}")
            out.extend(Path(f) for f in found)
        else:
            p = Path(text)
            if not p.exists():
                raise FileNotFoundError(f"no such file: {text!r}")
            out.append(p)
    return out


def _format(p: Path) -> str:
    name = p.name.lower()
    for comp in (".gz", ".bz2", ".zst", ".lz4"):
        name = name.removesuffix(comp)
    for fmt, ends in (("csv", _CSV), ("parquet", _PARQUET), ("json", _JSON)):
        if name.endswith(ends):
            return fmt
    raise ValueError(
        f"cannot tell the format of {p.name!r}: expected .csv, .tsv, .parquet or "
        ".json/.ndjson (newline-delimited JSON)"
    )


def _read_csv(p: Path, text: Collection[str]) -> Any:
    pa = _pa()
    csv = backends.pyarrow_csv()
    delimiter = "\t" if p.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    table = csv.read_csv(
        p,
        read_options=csv.ReadOptions(encoding=csv_encoding(p)),
        parse_options=csv.ParseOptions(delimiter=delimiter),
        convert_options=csv.ConvertOptions(
            column_types={c: pa.string() for c in text},
            strings_can_be_null=True,
            null_values=[""],  # only empty cells are missing ("NA" is a value)
        ),
    )
    _unique_header(table.column_names, p)
    return table


def _unique_header(names: Sequence[str], p: Path) -> None:
    dup = duplicated_columns(names)
    if dup:
        raise SchemaError(
            p.name,
            other=[
                f"column name(s) {', '.join(map(repr, dup))} appear more than once in the "
                "header; rename or drop one"
            ],
        )


def _text_ids(table: Any, text: Collection[str], where: str) -> Any:
    """Cast integer id columns to text; refuse ids that arrived as floating point."""
    pa = _pa()
    for name in text:
        if name not in table.column_names:
            continue
        typ = table.schema.field(name).type
        if pa.types.is_integer(typ):
            i = table.column_names.index(name)
            table = table.set_column(i, name, table.column(name).cast(pa.string()))
        elif pa.types.is_floating(typ) or pa.types.is_decimal(typ):
            raise SchemaError(
                where,
                mistyped={
                    name: f"ids must be text, got {typ}: a float rounds long ids "
                    "(export the column as text)"
                },
            )
    return table


def _from_frame(frame: Any) -> Any:
    """Any narwhals-supported frame (pandas, polars, pyarrow, DuckDB, ...) as Arrow."""
    pa = _pa()
    if isinstance(frame, pa.Table):
        return frame
    if isinstance(frame, pa.RecordBatch):
        return pa.Table.from_batches([frame])
    import narwhals as nw

    try:
        native = nw.from_native(frame)
    except TypeError:
        raise TypeError(
            "expected a path, a glob, a list of paths or a data frame (pandas, polars, "
            f"pyarrow, DuckDB...), got {type(frame).__module__}.{type(frame).__name__}"
        ) from None
    if isinstance(native, nw.LazyFrame):
        native = native.collect()
    return native.to_arrow()


def iter_batches(
    source: Source,
    *,
    table: str,
    columns: Sequence[str] | None = None,
    text: Collection[str] = (),
    batch_rows: int = 1 << 20,
    amounts: Collection[str] = (),
) -> Iterator[Any]:
    """Arrow tables of at most ``batch_rows`` rows, file after file, in order.

    Parquet files are streamed (only ``columns``, when given, are read); other
    formats are read whole, then sliced. Columns absent from a file are absent
    from its batches (callers check the schema per batch).

    Parameters
    ----------
    source : path, glob, list of paths, or data frame
    table : str
        Name of the table in messages (``"events"``).
    columns : sequence of str, optional
        Read only these (those present).
    text : collection of str
        Columns read as text from CSV, and cast from integers to text elsewhere.
    batch_rows : int
        Rows per batch (a whole number >= 1).
    amounts : collection of str
        Number columns read as text from CSV (``1.200`` is for :func:`amounts` to
        read by the column's rule, not Arrow's 1.2); typed columns stay numbers.

    Raises
    ------
    ValueError
        When ``batch_rows`` is not a whole number >= 1 (before anything is read).
    """
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, int):
        raise ValueError(f"'batch_rows' must be a whole number, got {batch_rows!r}")
    if batch_rows < 1:
        raise ValueError(f"'batch_rows' must be >= 1, got {batch_rows!r}")
    if not is_path_source(source):
        yield from _slices(_text_ids(_from_frame(source), text, table), batch_rows)
        return
    for p in paths(source):
        fmt = _format(p)
        where = f"{table} ({p.name})"
        if fmt == "parquet":
            pq = backends.pyarrow_parquet()
            f = pq.ParquetFile(p)
            names = f.schema_arrow.names
            wanted = None if columns is None else [c for c in columns if c in names]
            for batch in f.iter_batches(batch_size=batch_rows, columns=wanted):
                yield _text_ids(_pa().Table.from_batches([batch]), text, where)
            continue
        if fmt == "csv":
            whole = _read_csv(p, [*text, *amounts])
        else:
            whole = backends.pyarrow_json().read_json(p)
        if columns is not None:
            whole = whole.select([c for c in columns if c in whole.column_names])
        yield from _slices(_text_ids(whole, text, where), batch_rows)


def column_names(source: Source) -> list[str]:
    """The column names of a source, read from the first file's header or schema.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("email,ts\\na@x.io,2024-01-01\\n")
    >>> column_names(p)
    ['email', 'ts']
    """
    if not _is_path(source) and not isinstance(source, list | tuple):
        return [str(c) for c in _from_frame(source).column_names]
    first = paths(source)[0]
    fmt = _format(first)
    if fmt == "parquet":
        return list(backends.pyarrow_parquet().read_schema(first).names)
    if fmt == "csv":
        csv = backends.pyarrow_csv()
        delimiter = "\t" if first.name.lower().removesuffix(".gz").endswith(".tsv") else ","
        reader = csv.open_csv(
            first,
            read_options=csv.ReadOptions(encoding=csv_encoding(first)),
            parse_options=csv.ParseOptions(delimiter=delimiter),
        )
        _unique_header(reader.schema.names, first)
        return list(reader.schema.names)
    return list(backends.pyarrow_json().read_json(first).column_names)


def _slices(table: Any, rows: int) -> Iterator[Any]:
    if table.num_rows == 0:
        yield table
    for start in range(0, table.num_rows, rows):
        yield table.slice(start, rows)


def read_table(
    source: Source,
    *,
    table: str,
    columns: Sequence[str] | None = None,
    text: Collection[str] = (),
    amounts: Collection[str] = (),
) -> Any:
    """One Arrow table from a path, glob, list of paths or frame (see :func:`iter_batches`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> _ = p.write_text("Record ID,Email\\n007,a@x.io\\n7,\\n")
    >>> t = read_table(p, table="contacts", text=["Record ID"])
    >>> t.column("Record ID").to_pylist(), t.column("Email").to_pylist()
    (['007', '7'], ['a@x.io', None])
    """
    pa = _pa()
    parts = list(iter_batches(source, table=table, columns=columns, text=text, amounts=amounts))
    if len(parts) == 1:
        return parts[0]
    return pa.concat_tables(parts, promote_options="permissive")


def _kind_problem(typ: Any, kind: Kind) -> str | None:
    pa = _pa()
    t = pa.types
    if kind == "any" or t.is_null(typ):
        return None
    stringy = t.is_string(typ) or t.is_large_string(typ) or t.is_dictionary(typ)
    ok = {
        "text": stringy,
        "time": stringy or t.is_timestamp(typ) or t.is_date(typ) or t.is_integer(typ),
        "number": stringy or t.is_integer(typ) or t.is_floating(typ) or t.is_decimal(typ),
        "bool": stringy or t.is_boolean(typ) or t.is_integer(typ),
    }[kind]
    return None if ok else f"expected {kind}, got {typ}"


def check_schema(
    schema: Any,
    table: str,
    required: Mapping[str, Kind],
    optional: Mapping[str, Kind] | None = None,
) -> None:
    """Raise :class:`SchemaError` naming every missing required or mistyped column.

    Examples
    --------
    >>> import pyarrow as pa
    >>> s = pa.schema([("Id", pa.string()), ("Amount", pa.list_(pa.int64()))])
    >>> check_schema(s, "opportunities", {"Id": "text", "Amount": "number", "IsWon": "bool"})
    Traceback (most recent call last):
    ...
    touchcredit.connectors.columns.SchemaError: opportunities: missing column(s) 'IsWon'; \
wrong type: 'Amount' (expected number, got list<item: int64>); columns found: 'Id', 'Amount'
    """
    names = list(schema.names)
    missing = [c for c in required if c not in names]
    mistyped = {}
    for name, kind in {**required, **(optional or {})}.items():
        if name in names:
            problem = _kind_problem(schema.field(name).type, kind)
            if problem:
                mistyped[name] = problem
    if missing or mistyped:
        raise SchemaError(table, missing=missing, mistyped=mistyped, found=names)
