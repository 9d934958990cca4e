"""DataFrames in and out: pandas, polars and pyarrow, all optional.

Going in, :func:`journeys_from_frame` (``JourneySet.from_frame``) reads the columns
of a pandas DataFrame, a polars DataFrame or a pyarrow Table through one small
adapter that turns each column into a numpy array: numeric and datetime columns
without a copy where the library allows it, categorical / dictionary columns as
integer codes plus their category table (never expanded to one string per row),
timezone-aware datetimes as UTC instants. Going out, :func:`to_pandas`,
:func:`to_polars` and :func:`to_arrow` build a table from a dict of equal-length
numpy columns; every result table's ``to_pandas()`` etc. calls them.

Nothing here is imported by ``import touchcredit``; each library is imported when
used, and a missing one raises an ImportError naming the extra to install.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.progress import progress_bar
from touchcredit.core.time_rule import TimeZoneLike, to_datetime64

if TYPE_CHECKING:
    from touchcredit.core.store import JourneySet

__all__ = [
    "MissingColumnError",
    "column_names",
    "journeys_from_frame",
    "read_table",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "write_table",
]

_EXTRA = {"pandas": "pandas", "polars": "polars", "pyarrow": "arrow"}


class MissingColumnError(ValueError):
    """A column named in the call is not in the table (the message lists those found)."""


def _require(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        root = module.split(".")[0]
        extra = _EXTRA.get(root, root)
        raise ImportError(
            f"this needs {root}, which is not installed; install it with "
            f'pip install "touchcredit[{extra}]"'
        ) from None


# ------------------------------------------------------------------ numpy -> frames
def _checked(columns: Mapping[str, Any]) -> dict[str, npt.NDArray[Any]]:
    cols = {str(k): np.asarray(v) for k, v in columns.items()}
    sizes = {k: int(v.shape[0]) for k, v in cols.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"columns must have equal lengths, got {sizes}")
    out = {}
    for k, v in cols.items():
        if v.dtype.kind == "M" and np.datetime_data(v.dtype)[0] in ("Y", "M", "W"):
            v = v.astype("datetime64[D]")  # calendar months: their first day
        out[k] = v
    return out


def _plain_objects(v: npt.NDArray[Any]) -> list[Any]:
    """Object column as a list that every library accepts (odd values as their text)."""
    vals = v.tolist()
    ok = (str, int, float, bool, type(None))
    return [x if isinstance(x, ok) else str(x) for x in vals]


def to_arrow(columns: Mapping[str, Any]) -> Any:
    """A ``pyarrow.Table`` from a dict of equal-length numpy columns.

    Numeric and datetime columns are handed over without a copy where Arrow allows;
    object columns of text become string columns (None = null).

    Parameters
    ----------
    columns : mapping of str to array-like
        Column name to values, in order.

    Returns
    -------
    pyarrow.Table

    Raises
    ------
    ImportError
        When pyarrow is not installed (``pip install "touchcredit[arrow]"``).
    ValueError
        When the columns differ in length.

    Examples
    --------
    >>> t = to_arrow({"channel": np.array(["seo", None], dtype=object),
    ...               "value": np.array([1.5, 2.0])})
    >>> t.column_names, t.num_rows
    (['channel', 'value'], 2)
    """
    pa = _require("pyarrow")
    arrays = []
    for v in _checked(columns).values():
        if v.dtype.kind == "O":
            arrays.append(pa.array(_plain_objects(v)))
        elif v.dtype.kind == "M" and np.datetime_data(v.dtype)[0] == "D":
            arrays.append(pa.array(v, type=pa.date32()))
        else:
            arrays.append(pa.array(v))
    return pa.Table.from_arrays(arrays, names=[str(k) for k in columns])


def to_pandas(columns: Mapping[str, Any]) -> Any:
    """A ``pandas.DataFrame`` from a dict of equal-length numpy columns.

    Parameters
    ----------
    columns : mapping of str to array-like
        Column name to values, in order.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ImportError
        When pandas is not installed (``pip install "touchcredit[pandas]"``).
    ValueError
        When the columns differ in length.

    Examples
    --------
    >>> df = to_pandas({"channel": np.array(["seo", "email"], dtype=object),
    ...                 "value": np.array([1.5, 2.0])})
    >>> df["value"].sum()
    np.float64(3.5)
    """
    pd = _require("pandas")
    cols = _checked(columns)
    for k, v in cols.items():
        if v.dtype.kind == "M" and np.datetime_data(v.dtype)[0] == "D":
            cols[k] = v.astype("datetime64[s]")  # pandas has no day unit
    return pd.DataFrame(cols, copy=False)


def to_polars(columns: Mapping[str, Any]) -> Any:
    """A ``polars.DataFrame`` from a dict of equal-length numpy columns.

    Parameters
    ----------
    columns : mapping of str to array-like
        Column name to values, in order.

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    ImportError
        When polars is not installed (``pip install "touchcredit[polars]"``).
    ValueError
        When the columns differ in length.

    Examples
    --------
    >>> df = to_polars({"channel": np.array(["seo", None], dtype=object),
    ...                 "value": np.array([1.5, 2.0])})
    >>> df.columns, df.height
    (['channel', 'value'], 2)
    """
    pl = _require("polars")
    series = [
        pl.Series(k, _plain_objects(v) if v.dtype.kind == "O" else v)
        for k, v in _checked(columns).items()
    ]
    return pl.DataFrame(series)


# ------------------------------------------------------------------ frames -> numpy
class _Coded:
    """A categorical column as integer codes (-1 = missing) and its category table."""

    def __init__(self, codes: npt.NDArray[Any], categories: list[Any]) -> None:
        self.codes = codes
        self.categories = categories

    def labels(self) -> npt.NDArray[Any]:
        table = np.empty(len(self.categories) + 1, dtype=object)
        table[:-1] = self.categories
        table[-1] = None
        out: npt.NDArray[Any] = table[self.codes]  # code -1 picks the trailing None
        return out


def _kind(frame: Any) -> str:
    mod = type(frame).__module__.split(".")[0]
    if mod in ("pandas", "polars", "pyarrow"):
        return mod
    raise TypeError(
        "expected a pandas DataFrame, a polars DataFrame or a pyarrow Table, "
        f"got {type(frame).__module__}.{type(frame).__name__}"
    )


def column_names(frame: Any) -> list[str]:
    """The column names of a pandas/polars DataFrame or pyarrow Table.

    Examples
    --------
    >>> column_names(to_arrow({"a": np.zeros(1), "b": np.ones(1)}))
    ['a', 'b']
    """
    kind = _kind(frame)
    if kind == "pyarrow":
        return [str(c) for c in frame.schema.names]
    return [str(c) for c in frame.columns]


def _sorted_coded(encoded: Any) -> _Coded:
    """A dictionary-encoded string array as codes over its sorted distinct strings."""
    cats = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    perm = np.argsort(cats, kind="stable")
    lookup = np.empty(perm.size + 1, dtype=np.int32)
    lookup[perm] = np.arange(perm.size, dtype=np.int32)
    lookup[-1] = -1  # null -> code -1 (not recorded)
    idx = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return _Coded(lookup[idx], cats[perm].tolist())


def _from_arrow(col: Any) -> Any:
    pa = _require("pyarrow")
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        # Codes plus a small table: no Python string object per row (10x faster).
        return _sorted_coded(col.dictionary_encode())
    if pa.types.is_dictionary(t):
        idx = col.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return _Coded(idx.astype(np.int32, copy=False), col.dictionary.to_pylist())
    if pa.types.is_timestamp(t):
        aware = t.tz is not None
        # Arrow stores UTC instants for aware columns; the cast only changes the unit.
        arr = col.cast(pa.timestamp("us")) if aware else col
        return (
            _Aware(arr.to_numpy(zero_copy_only=False))
            if aware
            else arr.to_numpy(zero_copy_only=False)
        )
    if pa.types.is_date(t):
        return col.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
    return col.to_numpy(zero_copy_only=False)


class _Aware:
    """Datetime64 values that already are UTC instants (from a timezone-aware column)."""

    def __init__(self, values: npt.NDArray[Any]) -> None:
        self.values = values


def _from_pandas(s: Any) -> Any:
    pd = _require("pandas")
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _Coded(s.cat.codes.to_numpy(), list(s.cat.categories))
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _Aware(s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    if isinstance(dtype, pd.ArrowDtype) or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    ):
        return _from_arrow(_require("pyarrow").array(s.array))
    if dtype.kind in "biufM":
        return s.to_numpy()
    return s.to_numpy(dtype=object, na_value=None)


def _from_polars(s: Any) -> Any:
    pl = _require("polars")
    dtype = s.dtype
    if isinstance(dtype, pl.Enum):
        codes = s.to_physical().fill_null(-1).to_numpy().astype(np.int32, copy=False)
        return _Coded(codes, list(dtype.categories))
    if isinstance(dtype, pl.Categorical):
        return s.cast(pl.String).to_numpy()
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        naive = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return _Aware(naive.to_numpy())
    return s.to_numpy()


def _column(frame: Any, name: str) -> Any:
    kind = _kind(frame)
    if kind == "pyarrow":
        return _from_arrow(frame.column(name))
    if kind == "pandas":
        return _from_pandas(frame[name])
    return _from_polars(frame.get_column(name))


def _check_columns(frame: Any, wanted: Mapping[str, str | None], what: str) -> None:
    found = column_names(frame)
    missing = [f"{col!r} ({arg}=)" for arg, col in wanted.items() if col and col not in found]
    if missing:
        raise MissingColumnError(
            f"{what} is missing column(s) {', '.join(missing)}; columns found: "
            f"{', '.join(found) if found else '(none)'}"
        )


def _times(value: Any, field: str, tz: TimeZoneLike) -> npt.NDArray[np.datetime64]:
    if isinstance(value, _Aware):
        return to_datetime64(value.values, field=field, allow_missing=True)
    if isinstance(value, _Coded):
        value = value.labels()
    return to_datetime64(value, field=field, default_tz=tz, allow_missing=True)


def _label(value: Any) -> Any:
    if isinstance(value, _Aware):
        return value.values
    if isinstance(value, _Coded):
        return value  # factorize_labels reads .codes and .categories
    return value


def _ids(value: Any) -> Any:
    if isinstance(value, _Coded):
        return value.labels()
    return _label(value)


def journeys_from_frame(
    frame: Any,
    *,
    journey: str = "journey_id",
    timestamp: str = "timestamp",
    channel: str = "channel",
    source: str | None = None,
    campaign: str | None = None,
    method: str | None = None,
    conversions: Any = None,
    conversion_journey: str | None = None,
    conversion_time: str = "conversion_time",
    conversion_value: str | None = None,
    lead_created_at: str | None = None,
    opportunity_created_at: str | None = None,
    closed_at: str | None = None,
    default_tz: TimeZoneLike = None,
    target: str = "conversions",
    currency: str | None = None,
    progress: bool | None = None,
) -> JourneySet:
    """Build a JourneySet from a touch table and an optional conversion table.

    This is :meth:`touchcredit.JourneySet.from_frame`; see there for the parameters.

    Examples
    --------
    >>> touches = to_arrow({"person": np.array(["a", "a"], dtype=object),
    ...                     "ts": np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[us]"),
    ...                     "channel": np.array(["seo", "email"], dtype=object)})
    >>> journeys_from_frame(touches, journey="person", timestamp="ts").n_touches
    2
    """
    from touchcredit.core.store import JourneySet

    wanted = {
        "journey": journey,
        "timestamp": timestamp,
        "channel": channel,
        "source": source,
        "campaign": campaign,
        "method": method,
    }
    _check_columns(frame, wanted, "the touch table")

    def col(name: str | None) -> Any:
        return None if name is None else _column(frame, name)

    bar = progress_bar(3, "from_frame", progress=progress)
    bar.update(0, label="conversions")
    conv: dict[str, Any] = {}
    if conversions is not None:
        cjourney = conversion_journey or journey
        cwanted = {
            "conversion_journey": cjourney,
            "conversion_time": conversion_time,
            "conversion_value": conversion_value,
            "lead_created_at": lead_created_at,
            "opportunity_created_at": opportunity_created_at,
            "closed_at": closed_at,
        }
        _check_columns(conversions, cwanted, "the conversion table")
        conv["conversion_journey_id"] = _ids(_column(conversions, cjourney))
        conv["conversion_time"] = _times(
            _column(conversions, conversion_time), "conversion_time", default_tz
        )
        if conversion_value is not None:
            conv["conversion_value"] = _ids(_column(conversions, conversion_value))
        for field, name in (
            ("lead_created_at", lead_created_at),
            ("opportunity_created_at", opportunity_created_at),
            ("closed_at", closed_at),
        ):
            if name is not None:
                conv[field] = _times(_column(conversions, name), field, default_tz)
    bar.update(label="touch columns")
    ts = _times(col(timestamp), "timestamp", default_tz)
    bar.update(label="journeys")
    try:
        return JourneySet.from_arrays(
            journey_id=_ids(col(journey)),
            timestamp=ts,
            channel=_label(col(channel)),
            source=_label(col(source)),
            campaign=_label(col(campaign)),
            method=_label(col(method)),
            target=target,
            currency=currency,
            **conv,
        )
    finally:
        bar.update()
        bar.close()


# ------------------------------------------------------------------ files
_PARQUET = (".parquet", ".pq")
_FEATHER = (".feather", ".arrow", ".ipc")


def read_table(path: str | os.PathLike[str]) -> Any:
    """Read a CSV, Parquet or Feather file with pyarrow (pandas for CSV without it).

    CSV cells that are empty become nulls (a label that was not recorded).

    Parameters
    ----------
    path : str or path-like
        ``.csv`` (optionally ``.gz``/``.bz2``), ``.tsv``, ``.parquet``/``.pq`` or
        ``.feather``/``.arrow``.

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
        pa_csv = importlib.import_module("pyarrow.csv")
    except ImportError:
        pd = _require("pandas")
        return pd.read_csv(p, sep=delimiter)
    return pa_csv.read_csv(
        p,
        parse_options=pa_csv.ParseOptions(delimiter=delimiter),
        convert_options=pa_csv.ConvertOptions(strings_can_be_null=True),
    )


def write_table(columns: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write columns to CSV (formula-like text defused) or Parquet, by extension.

    Parameters
    ----------
    columns : mapping of str to array-like
        Equal-length columns (a result table's ``.columns()`` or ``.to_dict``-style
        arrays).
    path : str or path-like
        ``.csv`` (written with the standard library; cells starting with ``=``,
        ``+``, ``-``, ``@`` are prefixed with ``'``) or ``.parquet`` (needs pyarrow).

    Raises
    ------
    ValueError
        On an unknown extension or columns of different lengths.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> write_table({"source": np.array(["@x"], dtype=object), "value": np.ones(1)}, p)
    >>> p.read_text().splitlines()
    ['source,value', "'@x,1.0"]
    """
    from touchcredit.io.export import write_csv

    p = Path(path)
    name = p.name.lower()
    if name.endswith(".csv"):
        write_csv(p, columns)
    elif name.endswith(_PARQUET):
        _require("pyarrow.parquet").write_table(to_arrow(columns), p)
    else:
        raise ValueError(f"cannot write {p.name!r}: use a .csv or .parquet file name")
