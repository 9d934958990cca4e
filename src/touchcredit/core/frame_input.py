"""Columns of any DataFrame narwhals supports, as the numpy arrays the builders take.

One code path for pandas, polars (eager and lazy), pyarrow, DuckDB and the other
libraries `narwhals <https://narwhals-dev.github.io/narwhals/>`_ supports:

* numeric and naive datetime columns come out as numpy arrays without a copy where
  the library allows it;
* timezone-aware datetimes come out as UTC instants, marked :class:`UtcTimes` so
  that no default zone is applied a second time;
* categorical, enum and dictionary columns come out as integer codes plus their
  category table (:class:`Coded`), never expanded to one string per row; Arrow and
  polars string columns are encoded the same way by the library itself (Arrow hashes
  and sorts them: no Python string per row);
* Arrow and polars text time columns stay Arrow arrays (:class:`TextTimes`), read by
  the time rule in Arrow (:mod:`~touchcredit.core.time.iso`).

A lazy frame (polars LazyFrame, DuckDB relation) is collected once, with only the
columns asked for. Codes are the one thing narwhals does not expose, so they are read
from the native column of each library (whose module is already imported: the frame
came from it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import backends
from touchcredit.core.builders import THREAD_MIN_ROWS, journey_arrays
from touchcredit.core.coded import ID_TABLE, Coded, coded_ids, same_objects
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.time import TimeRule, TimeZoneLike, to_datetime64

if TYPE_CHECKING:
    import narwhals as nw

__all__ = [
    "ID_TABLE",
    "Coded",
    "TextTimes",
    "UtcTimes",
    "as_narwhals",
    "column_names",
    "journey_columns",
    "journey_fields",
    "labels_of",
    "plain_values",
    "read_column",
    "read_columns",
    "times_of",
]


@attrs.frozen(eq=False)
class UtcTimes:
    """``datetime64`` values that already are UTC instants (from a timezone-aware column)."""

    values: npt.NDArray[np.datetime64]


@attrs.frozen(eq=False)
class TextTimes:
    """A text time column kept as an Arrow string array, for the time rule to read."""

    values: Any


#: A column as :func:`read_column` gives it.
Column = npt.NDArray[Any] | Coded | UtcTimes | TextTimes


def as_narwhals(frame: Any, *, table: str = "table") -> nw.DataFrame[Any] | nw.LazyFrame[Any]:
    """``frame`` as a narwhals DataFrame or LazyFrame.

    Raises
    ------
    TypeError
        Naming ``table`` and the type, when narwhals does not support the object.

    Examples
    --------
    >>> import pyarrow as pa
    >>> as_narwhals(pa.table({"a": [1]})).implementation
    <Implementation.PYARROW: 'pyarrow'>
    """
    import narwhals as nw

    if isinstance(frame, nw.DataFrame | nw.LazyFrame):
        return frame
    try:
        wrapped: nw.DataFrame[Any] | nw.LazyFrame[Any] = nw.from_native(frame)
    except TypeError:
        raise TypeError(
            f"{table}: expected a pandas DataFrame, a polars DataFrame or LazyFrame, a pyarrow "
            "Table, a DuckDB relation or another frame narwhals supports, got "
            f"{type(frame).__module__}.{type(frame).__name__}"
        ) from None
    return wrapped


def column_names(frame: Any, *, table: str = "table") -> list[str]:
    """The column names of a frame (a lazy one is not collected).

    Examples
    --------
    >>> import polars as pl
    >>> column_names(pl.LazyFrame({"a": [1], "b": [2]}))
    ['a', 'b']
    """
    return [str(c) for c in as_narwhals(frame, table=table).collect_schema().names()]


def read_columns(
    frame: Any, wanted: Mapping[str, str], *, table: str = "table", times: Collection[str] = ()
) -> dict[str, Column]:
    """The columns ``wanted`` (key -> column name) of a frame, read by :func:`read_column`.

    The caller checks the names first (:meth:`~touchcredit.ColumnMap.check_touches`);
    a lazy frame is collected once, with only these columns. The keys in ``times`` are
    time columns (text in them stays Arrow text: :class:`TextTimes`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [3, 4], "ch": pd.Categorical(["b", "a"])})
    >>> cols = read_columns(df, {"journey": "id", "channel": "ch"})
    >>> cols["journey"].tolist(), cols["channel"].codes.tolist(), cols["channel"].categories
    ([3, 4], [1, 0], ('a', 'b'))
    """
    import narwhals as nw

    df = as_narwhals(frame, table=table)
    names = list(dict.fromkeys(wanted.values()))
    if isinstance(df, nw.LazyFrame):
        df = df.select(names).collect()
    time_names = {wanted[key] for key in times if key in wanted}

    def one(name: str) -> Column:
        return read_column(df.get_column(name), time=name in time_names)

    if len(names) > 1 and len(df) >= THREAD_MIN_ROWS and not df.implementation.is_pandas_like():
        # Arrow's and polars' hashing release the GIL: two columns at a time on two cores.
        with ThreadPoolExecutor(2) as pool:
            read = dict(zip(names, pool.map(one, names), strict=True))
    else:
        read = {name: one(name) for name in names}
    return {key: read[name] for key, name in wanted.items()}


def read_column(series: nw.Series[Any], *, time: bool = False) -> Column:
    """One column as a numpy array, :class:`Coded` labels or :class:`UtcTimes`.

    A text ``time`` column of an Arrow-based library (pyarrow, polars, pandas with
    Arrow strings) comes out as :class:`TextTimes`.

    Examples
    --------
    >>> import narwhals as nw, pyarrow as pa
    >>> t = nw.from_native(pa.table({"ch": ["seo", None, "ads"]}))
    >>> c = read_column(t.get_column("ch"))
    >>> c.codes.tolist(), c.categories
    ([1, -1, 0], ('ads', 'seo'))
    """
    import narwhals as nw

    dtype = series.dtype
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        utc = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return UtcTimes(utc.to_numpy())
    if time and isinstance(dtype, nw.String):
        text = _arrow_text(series)
        if text is not None:
            return TextTimes(text)
    if isinstance(dtype, nw.Categorical | nw.Enum | nw.String):
        coded = _codes(series)
        if coded is not None:
            return coded
        if series.implementation.is_pandas_like():  # missing as None, not NaN or pd.NA
            out: npt.NDArray[Any] = series.to_native().to_numpy(dtype=object, na_value=None)
            return out
    return series.to_numpy()


def _arrow_text(series: nw.Series[Any]) -> Any | None:
    """A text column of an Arrow-based library as an Arrow array (None: other storage)."""
    impl = series.implementation
    native = series.to_native()
    if impl.is_pyarrow():
        return native
    if impl.is_polars():
        return native.to_arrow()
    dtype = getattr(native, "dtype", None)
    if impl.is_pandas_like() and (
        getattr(dtype, "storage", None) == "pyarrow" or type(dtype).__name__ == "ArrowDtype"
    ):
        pa = backends.pyarrow()  # installed: the column is Arrow-backed
        return pa.array(native.array)
    return None


def _codes(series: nw.Series[Any]) -> Coded | None:
    """Codes of a label column from its library (None: read it as values instead)."""
    impl = series.implementation
    native = series.to_native()
    if impl.is_pyarrow():
        return _arrow_codes(native)
    if impl.is_polars():
        return _polars_codes(native, series.dtype)
    if impl.is_pandas_like():
        return _pandas_codes(native)
    return None


def _arrow_codes(column: Any) -> Coded | None:
    kind = str(column.type)
    if kind.startswith("dictionary"):
        if hasattr(column, "num_chunks"):  # a ChunkedArray: one dictionary for all rows
            column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        idx = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return Coded(idx.astype(np.int32, copy=False), tuple(column.dictionary.to_pylist()))
    if kind not in ("string", "large_string", "string_view"):
        return None
    # Arrow hashes the strings and sorts the distinct ones (by UTF-8 bytes, which is the
    # order of code points, Python's order): no Python str per row, nor per comparison.
    pc = backends.pyarrow_compute()
    dictionary, idx = _encode(column, pc)
    perm = np.asarray(pc.array_sort_indices(dictionary), dtype=np.int64)
    lookup = np.empty(perm.size + 1, dtype=np.int32)
    lookup[perm] = np.arange(perm.size, dtype=np.int32)
    lookup[-1] = -1  # null -> code -1 (not recorded)
    table = dictionary.take(perm)
    return Coded(lookup[idx], tuple(table.to_pylist()), text_sorted=True, arrow_categories=table)


def _indices(encoded: Any) -> npt.NDArray[Any]:
    """The indices of a dictionary array as numpy (null -> -1)."""
    idx = encoded.indices
    return np.asarray((idx.fill_null(-1) if idx.null_count else idx).to_numpy(zero_copy_only=False))


def _encode(column: Any, pc: Any) -> tuple[Any, npt.NDArray[np.int64]]:
    """Arrow's dictionary encoding of a string (chunked) array: distinct values, indices.

    The chunks of a chunked array are encoded in place (no copy into one array) when
    they come out sharing one dictionary, as Arrow's encoder gives them.
    """
    if getattr(column, "num_chunks", 1) != 0:
        encoded = pc.dictionary_encode(column)
        chunks = encoded.chunks if hasattr(encoded, "chunks") else [encoded]
        tables = {(len(c.dictionary), c.dictionary.buffers()[1].address) for c in chunks}
        if len(tables) == 1:
            parts = [_indices(c) for c in chunks]
            idx = np.concatenate(parts) if len(parts) > 1 else parts[0]
            return chunks[0].dictionary, idx.astype(np.int64, copy=False)
    whole = column.combine_chunks() if hasattr(column, "num_chunks") else column
    encoded = whole.dictionary_encode()
    return encoded.dictionary, _indices(encoded).astype(np.int64, copy=False)


def _polars_codes(column: Any, dtype: Any) -> Coded:
    import narwhals as nw

    pl = backends.polars()  # already imported: the frame is a polars one
    if isinstance(dtype, nw.Enum):
        categories = tuple(column.dtype.categories.to_list())
        enum = column
    else:  # String or Categorical: polars hashes the strings into a sorted Enum
        text = column.cast(pl.String)
        categories = tuple(text.drop_nulls().unique().sort().to_list())
        enum = text.cast(pl.Enum(categories))
    codes = enum.to_physical().cast(pl.Int32).fill_null(-1).to_numpy()
    return Coded(codes, categories)


def _pandas_codes(column: Any) -> Coded | None:
    dtype = column.dtype
    if str(dtype) == "category":
        codes = column.cat.codes.to_numpy().astype(np.int32, copy=False)
        return Coded(codes, tuple(column.cat.categories))
    if getattr(dtype, "storage", None) == "pyarrow" or type(dtype).__name__ == "ArrowDtype":
        pa = backends.pyarrow()  # installed: the column is Arrow-backed
        return _arrow_codes(pa.array(column.array))
    return None  # object strings: the builders hash them (pandas.factorize)


def journey_columns(
    frame: Any,
    conversions: Any,
    columns: ColumnMap,
    *,
    default_tz: TimeZoneLike = None,
    rule: TimeRule | None = None,
    id_codes: bool = False,
) -> dict[str, Any]:
    """Keyword arguments of :meth:`JourneySet.from_arrays` read from a touch and a conversion frame.

    The one validation point for the names is ``columns``
    (:meth:`~touchcredit.ColumnMap.check_touches`, ``check_conversions``); labels stay
    coded, aware times are taken as the instants they are, naive ones are read in
    ``default_tz``. With ``id_codes``, text ids read as codes (Arrow, polars) come out
    as int64 codes into one sorted table of distinct ids, given as ``ID_TABLE``: the
    builders then order journeys by integers (the caller maps the ids back).

    Examples
    --------
    >>> import polars as pl
    >>> touches = pl.LazyFrame({"id": [1, 1], "ts": [0, 60], "channel": ["seo", "ads"]})
    >>> cols = journey_columns(touches, None, ColumnMap(journey="id", timestamp="ts"),
    ...                        rule=TimeRule(unit="s"))
    >>> cols["journey_id"].tolist(), cols["channel"].categories, cols["timestamp"].dtype
    ([1, 1], ('ads', 'seo'), dtype('<M8[us]'))
    >>> ids = journey_columns(pl.DataFrame({"id": ["b", "a"], "ts": [0, 1]}), None,
    ...                       ColumnMap(journey="id", timestamp="ts", channel=None),
    ...                       id_codes=True, rule=TimeRule(unit="s"))
    >>> ids["journey_id"].tolist(), ids[ID_TABLE].tolist()
    ([1, 0], ['a', 'b'])
    """
    rule = TimeRule(default_tz) if rule is None else rule
    columns.check_touches(column_names(frame, table="touches"), raw=False)
    if conversions is not None:
        columns.check_conversions(column_names(conversions, table="conversions"))
    read = read_columns(
        frame, columns.touch_columns(raw=False), table="touches", times=("timestamp",)
    )
    # no copy: the builders gather the touch times into a new array (order_touches)
    out: dict[str, Any] = {"timestamp": times_of(read["timestamp"], "timestamp", rule, copy=False)}
    for role in ("channel", "source", "campaign", "method"):
        out[role] = labels_of(read.get(role))
    conv: dict[str, Column] = {}
    if conversions is not None:
        roles = columns.conversion_columns()
        roles.pop("conversion_id", None)  # a conversion's own id is not part of a JourneySet
        times = ("conversion_time", *columns.milestones())
        conv = read_columns(conversions, roles, table="conversions", times=times)
        out["conversion_time"] = times_of(conv["conversion_time"], "conversion_time", rule)
        if "conversion_value" in conv:
            out["conversion_value"] = plain_values(conv["conversion_value"])
        for name in columns.milestones():
            out[name] = times_of(conv[name], name, rule)
    out.update(_ids(read["journey"], conv.get("conversion_journey"), id_codes))
    return out


def journey_fields(columns: dict[str, Any]) -> dict[str, Any]:
    """The fields of a JourneySet built from what :func:`journey_columns` read, taken over.

    Each column is taken out of ``columns`` as it is handed to
    :func:`~touchcredit.core.builders.journey_arrays`, so that the build holds the only
    reference: the unsorted ids, times and label codes are freed as soon as they are
    used, not at the end (10M touches from Arrow: a peak about 100 MB lower). Text ids
    read as codes (``id_codes=True``) are mapped back. ``columns`` is left empty.

    Examples
    --------
    >>> import pyarrow as pa
    >>> cols = journey_columns(pa.table({"id": ["b", "a"], "ts": [1, 0]}), None,
    ...     ColumnMap(journey="id", timestamp="ts", channel=None), id_codes=True,
    ...     rule=TimeRule(unit="s"))
    >>> f = journey_fields(cols)
    >>> f["journey_ids"].tolist(), f["touch_row"].tolist(), cols
    (['a', 'b'], [1, 0], {})
    """
    table = columns.pop(ID_TABLE, None)
    fields = journey_arrays(
        columns.pop("journey_id"),
        columns.pop("timestamp"),
        {name: columns.pop(name, None) for name in DIMENSIONS},
        columns,  # what is left: the conversion columns
    )
    columns.clear()
    return fields if table is None else {**fields, "journey_ids": table[fields["journey_ids"]]}


def _ids(touch: Column, conv: Column | None, id_codes: bool) -> dict[str, Any]:
    """The id entries of :func:`journey_columns`: codes and a table, or values."""
    coded = coded_ids(touch, conv) if id_codes else None
    if coded is not None:
        codes, conv_codes, table = coded
        out: dict[str, Any] = {"journey_id": codes, ID_TABLE: table}
        if conv is not None:
            out["conversion_journey_id"] = conv_codes
        return out
    if isinstance(touch, Coded) and isinstance(conv, Coded):
        conv = same_objects(conv, touch)
    out = {"journey_id": plain_values(touch)}
    if conv is not None:
        out["conversion_journey_id"] = plain_values(conv)
    return out


def times_of(
    value: Any, field: str, tz: TimeZoneLike | TimeRule, *, copy: bool = True
) -> npt.NDArray[np.datetime64]:
    """A time column read by :func:`read_columns` as UTC ``datetime64[us]`` (NaT allowed).

    Aware columns keep their instant; the others are read by the library's time rule,
    naive ones in ``tz`` (UTC when None), or by ``tz`` when it is a
    :class:`~touchcredit.core.time.rule.TimeRule` (epoch unit, clock changes).
    ``copy=False``: a column that already is UTC ``datetime64[us]`` may come back as
    the frame's own array (for a caller that copies it anyway).

    Examples
    --------
    >>> times_of(np.array(["2024-01-01T12:00"], dtype="datetime64[us]"), "t", "Europe/Paris")
    array(['2024-01-01T11:00:00.000000'], dtype='datetime64[us]')
    """
    if isinstance(value, UtcTimes):
        return to_datetime64(value.values, field=field, allow_missing=True, copy=copy)
    rule = tz if isinstance(tz, TimeRule) else TimeRule(tz)  # Arrow text is read in Arrow
    return rule.read(plain_values(value), field=field, allow_missing=True, copy=copy)


def plain_values(value: Any) -> Any:
    """A column read by :func:`read_columns` as plain values: codes expanded, times unwrapped.

    Examples
    --------
    >>> plain_values(Coded(np.array([1, -1], dtype=np.int32), ("a", "b"))).tolist()
    ['b', None]
    """
    if isinstance(value, Coded):
        return value.labels()
    return value.values if isinstance(value, UtcTimes | TextTimes) else value


def labels_of(value: Any) -> Any:
    """A label column read by :func:`read_columns`: coded columns stay coded.

    The builders read ``codes`` and ``categories`` of a :class:`Coded` column directly.

    Examples
    --------
    >>> labels_of(UtcTimes(np.zeros(1, dtype="datetime64[us]"))).dtype
    dtype('<M8[us]')
    """
    return value.values if isinstance(value, UtcTimes) else value
