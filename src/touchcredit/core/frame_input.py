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
  the time rule in Arrow (:mod:`~touchcredit.core.time_iso`).

A lazy frame (polars LazyFrame, DuckDB relation) is collected once, with only the
columns asked for. Codes are the one thing narwhals does not expose, so they are read
from the native column of each library (whose module is already imported: the frame
came from it).
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.mapping import ColumnMap
from touchcredit.core.time_rule import TimeRule, TimeZoneLike, to_datetime64

if TYPE_CHECKING:
    import narwhals as nw

__all__ = [
    "Coded",
    "TextTimes",
    "UtcTimes",
    "as_narwhals",
    "column_names",
    "journey_columns",
    "labels_of",
    "plain_values",
    "read_column",
    "read_columns",
    "times_of",
]


@attrs.frozen(eq=False)
class Coded:
    """A label column as integer codes (-1 = missing) and its category table.

    Examples
    --------
    >>> Coded(np.array([1, -1, 0], dtype=np.int32), ("email", "seo")).labels().tolist()
    ['seo', None, 'email']
    """

    codes: npt.NDArray[np.int32]
    categories: tuple[Any, ...]

    def labels(self) -> npt.NDArray[Any]:
        """The value of every row as an object array (None where missing)."""
        table = np.empty(len(self.categories) + 1, dtype=object)
        table[:-1] = self.categories
        table[-1] = None
        out: npt.NDArray[Any] = table[self.codes]  # code -1 picks the trailing None
        return out


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
    read = {name: read_column(df.get_column(name), time=name in time_names) for name in names}
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
        pa = importlib.import_module("pyarrow")  # installed: the column is Arrow-backed
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
    if hasattr(column, "num_chunks"):  # a ChunkedArray: one dictionary for all rows
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    kind = str(column.type)
    if kind.startswith("dictionary"):
        idx = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return Coded(idx.astype(np.int32, copy=False), tuple(column.dictionary.to_pylist()))
    if kind not in ("string", "large_string", "string_view"):
        return None
    # Arrow hashes the strings and sorts the distinct ones (by UTF-8 bytes, which is the
    # order of code points, Python's order): no Python str per row, nor per comparison.
    pc = importlib.import_module("pyarrow.compute")
    encoded = column.dictionary_encode()
    perm = np.asarray(pc.array_sort_indices(encoded.dictionary), dtype=np.int64)
    lookup = np.empty(perm.size + 1, dtype=np.int32)
    lookup[perm] = np.arange(perm.size, dtype=np.int32)
    lookup[-1] = -1  # null -> code -1 (not recorded)
    idx = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return Coded(lookup[idx], tuple(encoded.dictionary.take(perm).to_pylist()))


def _polars_codes(column: Any, dtype: Any) -> Coded:
    import narwhals as nw

    pl = importlib.import_module("polars")  # already imported: the frame is a polars one
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
        pa = importlib.import_module("pyarrow")  # installed: the column is Arrow-backed
        return _arrow_codes(pa.array(column.array))
    return None  # object strings: the builders hash them (pandas.factorize)


def journey_columns(
    frame: Any,
    conversions: Any,
    columns: ColumnMap,
    *,
    default_tz: TimeZoneLike = None,
    rule: TimeRule | None = None,
) -> dict[str, Any]:
    """Keyword arguments of :meth:`JourneySet.from_arrays` read from a touch and a conversion frame.

    The one validation point for the names is ``columns``
    (:meth:`~touchcredit.ColumnMap.check_touches`, ``check_conversions``); labels stay
    coded, aware times are taken as the instants they are, naive ones are read in
    ``default_tz``.

    Examples
    --------
    >>> import polars as pl
    >>> touches = pl.LazyFrame({"id": [1, 1], "ts": [0, 60], "channel": ["seo", "ads"]})
    >>> cols = journey_columns(touches, None, ColumnMap(journey="id", timestamp="ts"),
    ...                        rule=TimeRule(unit="s"))
    >>> cols["journey_id"].tolist(), cols["channel"].categories, cols["timestamp"].dtype
    ([1, 1], ('ads', 'seo'), dtype('<M8[us]'))
    """
    rule = TimeRule(default_tz) if rule is None else rule
    columns.check_touches(column_names(frame, table="touches"), raw=False)
    if conversions is not None:
        columns.check_conversions(column_names(conversions, table="conversions"))
    read = read_columns(
        frame, columns.touch_columns(raw=False), table="touches", times=("timestamp",)
    )
    out: dict[str, Any] = {
        "journey_id": plain_values(read["journey"]),
        "timestamp": times_of(read["timestamp"], "timestamp", rule),
    }
    for role in ("channel", "source", "campaign", "method"):
        out[role] = labels_of(read.get(role))
    if conversions is None:
        return out
    roles = columns.conversion_columns()
    roles.pop("conversion_id", None)  # a conversion's own id is not part of a JourneySet
    times = ("conversion_time", *columns.milestones())
    conv = read_columns(conversions, roles, table="conversions", times=times)
    touch_ids, conv_ids = read["journey"], conv["conversion_journey"]
    if isinstance(touch_ids, Coded) and isinstance(conv_ids, Coded):
        conv_ids = _same_objects(conv_ids, touch_ids)
    out["conversion_journey_id"] = plain_values(conv_ids)
    out["conversion_time"] = times_of(conv["conversion_time"], "conversion_time", rule)
    if "conversion_value" in conv:
        out["conversion_value"] = plain_values(conv["conversion_value"])
    for name in columns.milestones():
        out[name] = times_of(conv[name], name, rule)
    return out


def _same_objects(coded: Coded, like: Coded) -> Coded:
    """``coded`` with the category objects of ``like`` where the values are equal.

    Touch and conversion ids read from two tables are two sets of ``str`` objects; made
    one, the builders factorize the ids by hashing object pointers, not strings.
    """
    mine = {c: c for c in like.categories}
    return Coded(coded.codes, tuple(mine.get(c, c) for c in coded.categories))


def times_of(value: Any, field: str, tz: TimeZoneLike | TimeRule) -> npt.NDArray[np.datetime64]:
    """A time column read by :func:`read_columns` as UTC ``datetime64[us]`` (NaT allowed).

    Aware columns keep their instant; the others are read by the library's time rule,
    naive ones in ``tz`` (UTC when None), or by ``tz`` when it is a
    :class:`~touchcredit.core.time_rule.TimeRule` (epoch unit, clock changes).

    Examples
    --------
    >>> times_of(np.array(["2024-01-01T12:00"], dtype="datetime64[us]"), "t", "Europe/Paris")
    array(['2024-01-01T11:00:00.000000'], dtype='datetime64[us]')
    """
    if isinstance(value, UtcTimes):
        return to_datetime64(value.values, field=field, allow_missing=True)
    rule = tz if isinstance(tz, TimeRule) else TimeRule(tz)  # Arrow text is read in Arrow
    return rule.read(plain_values(value), field=field, allow_missing=True)


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
