"""Table files in and out: CSV, Parquet and Feather.

:func:`read_table` reads a file into a pyarrow Table (pandas for CSV without pyarrow),
which :meth:`touchcredit.JourneySet.from_frame` and the other frame entry points take
like any frame; :func:`write_table` writes a result's columns to CSV or Parquet.
DataFrames themselves come in through :mod:`touchcredit.core.frame_input` and go out
through :mod:`touchcredit.core.frame_output` (narwhals).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from touchcredit.core import backends
from touchcredit.core.frame_output import to_frame
from touchcredit.io.atomic import atomic_path

__all__ = [
    "csv_encoding",
    "duplicated_columns",
    "read_table",
    "table_format",
    "write_table",
]


def _require(module: str) -> Any:
    return backends.require(module)


_PARQUET = (".parquet", ".pq")
_FEATHER = (".feather", ".arrow", ".ipc")


def read_table(path: str | os.PathLike[str], *, text: Sequence[str] = ()) -> Any:
    """Read a CSV, Parquet or Feather file with pyarrow (pandas for CSV without it).

    CSV cells that are empty become nulls (a label that was not recorded); only empty
    cells: ``NA``, ``N/A``, ``null`` and ``nan`` are text like any other. The ``text``
    columns of a CSV are read as text, never as numbers: ids such as ``007`` and
    ``7``, or GA4's ``1234567890.1234567891`` and ``...892``, stay distinct.

    Parameters
    ----------
    path : str or path-like
        ``.csv`` (optionally ``.gz``/``.bz2``), ``.tsv``, ``.parquet``/``.pq`` or
        ``.feather``/``.arrow``.
    text : sequence of str
        CSV columns to read as text (id columns); names absent from the file are
        ignored.

    Returns
    -------
    pyarrow.Table, or pandas.DataFrame when pyarrow is missing and the file is CSV.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        On an unknown file extension.
    ImportError
        When neither pyarrow nor (for CSV) pandas is installed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("journey_id,channel\\na,seo\\nb,\\n")
    >>> read_table(p).column("channel").to_pylist()
    ['seo', None]
    >>> _ = p.write_text("journey_id,channel\\n007,NA\\n7,seo\\n")
    >>> t = read_table(p, text=["journey_id"])
    >>> t.column("journey_id").to_pylist(), t.column("channel").to_pylist()
    (['007', '7'], ['NA', 'seo'])
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {str(p)!r}")
    name = p.name.lower()
    for comp in (".gz", ".bz2", ".zst"):
        name = name.removesuffix(comp)
    if name.endswith(_PARQUET):
        return _require("pyarrow.parquet").read_table(p)
    if name.endswith(_FEATHER):
        return _require("pyarrow.feather").read_table(p)
    if not name.endswith((".csv", ".tsv", ".txt")):
        raise ValueError(
            f"cannot tell the format of {p.name!r}: expected .csv, .tsv, .parquet or .feather"
        )
    delimiter = "\t" if name.endswith(".tsv") else ","
    try:
        pa_csv = backends.pyarrow_csv()
    except ImportError:
        pd = _require("pandas")
        dtypes = dict.fromkeys(text, str)
        return pd.read_csv(p, sep=delimiter, dtype=dtypes, keep_default_na=False, na_values=[""])
    pa = _require("pyarrow")
    table = pa_csv.read_csv(
        p,
        read_options=pa_csv.ReadOptions(encoding=csv_encoding(p)),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter),
        convert_options=pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in text},  # absent names are ignored
            strings_can_be_null=True,
            null_values=[""],
        ),
    )
    dup = duplicated_columns(table.column_names)
    if dup:
        raise ValueError(f"{p.name}: {_duplicates_message(dup)}")
    return table


def _duplicates_message(dup: Sequence[str]) -> str:
    names = ", ".join(repr(c) for c in dup)
    return f"column name(s) {names} appear more than once in the header; rename or drop one"


def csv_encoding(path: str | os.PathLike[str]) -> str:
    """The encoding to read a CSV file with: ``"utf-16"`` when it starts with a UTF-16
    byte-order mark (Excel's "Unicode text"), else ``"utf8"`` (a UTF-8 BOM is skipped).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\\n1,2\\n", encoding="utf-16")
    >>> csv_encoding(p)
    'utf-16'
    """
    with Path(path).open("rb") as fh:
        head = fh.read(2)
    return "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf8"


def duplicated_columns(names: Sequence[str]) -> list[str]:
    """Column names that appear more than once in a header, in header order.

    Examples
    --------
    >>> duplicated_columns(["id", "amount", "id"])
    ['id']
    """
    seen: set[str] = set()
    dup: dict[str, None] = {}
    for name in names:
        if name in seen:
            dup[name] = None
        seen.add(name)
    return list(dup)


def table_format(path: str | os.PathLike[str]) -> Literal["csv", "parquet"]:
    """The table format a file name asks for: ``"csv"`` or ``"parquet"`` (by extension).

    Raises
    ------
    ValueError
        On any other extension.

    Examples
    --------
    >>> table_format("out/Credit.CSV"), table_format("credit.parquet")
    ('csv', 'parquet')
    """
    name = Path(path).name.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(_PARQUET):
        return "parquet"
    raise ValueError(f"cannot write {Path(path).name!r}: use a .csv or .parquet file name")


def write_table(
    columns: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    format: Literal["csv", "parquet"] | None = None,
) -> None:
    """Write columns to CSV (formula-like text defused) or Parquet, by extension.

    Parameters
    ----------
    columns : mapping of str to array-like
        Equal-length columns (a result table's ``.columns()`` or ``.to_dict``-style
        arrays).
    path : str or path-like
        ``.csv`` (written with the standard library; cells starting with ``=``,
        ``+``, ``-``, ``@`` are prefixed with ``'``) or ``.parquet`` (needs pyarrow).
        The file is replaced only when writing succeeded
        (:func:`touchcredit.io.atomic.atomic_path`).
    format : {"csv", "parquet"}, optional
        The format, when the name does not say it (a temporary path, which never
        ends in ``.csv`` or ``.parquet``); by default :func:`table_format` of ``path``.

    Raises
    ------
    ValueError
        On an unknown extension or columns of different lengths.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> import numpy as np
    >>> write_table({"source": np.array(["@x"], dtype=object), "value": np.ones(1)}, p)
    >>> p.read_text().splitlines()
    ['source,value', "'@x,1.0"]
    """
    from touchcredit.io.export import write_csv

    p = Path(path)
    fmt = table_format(p) if format is None else format
    if fmt == "csv":
        write_csv(p, columns)
    elif fmt == "parquet":
        table = to_frame(columns, "pyarrow")
        with atomic_path(p) as tmp:
            _require("pyarrow.parquet").write_table(table, tmp)
    else:
        raise ValueError(f"format must be 'csv' or 'parquet', got {format!r}")
