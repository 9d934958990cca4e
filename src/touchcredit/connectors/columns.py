"""Columns of an export table as the arrays the cleaning path reads, and schema errors.

Text (ids, labels), times, numbers and amounts (thousands separators by the column's
rule, :mod:`touchcredit.hygiene.amounts`), flags, and the lookup of ids in another
table's ids. :class:`SchemaError` names every missing or mistyped column.
:mod:`touchcredit.connectors.files` re-exports all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core import backends
from touchcredit.hygiene.amounts import AmountError, normalize_amounts

__all__ = [
    "SchemaError",
    "amounts",
    "bools",
    "index_in",
    "is_text",
    "numbers",
    "texts",
    "times",
]

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


class SchemaError(ValueError):
    """A table lacks a column, or a column holds the wrong type; the message names them.

    Examples
    --------
    >>> print(SchemaError("deals", missing=["Amount"], mistyped={"Close Date": "a list"}))
    deals: missing column(s) 'Amount'; wrong type: 'Close Date' (a list)
    """

    def __init__(
        self,
        table: str,
        *,
        missing: Sequence[str] = (),
        mistyped: Mapping[str, str] | None = None,
        found: Sequence[str] | None = None,
        other: Sequence[str] = (),
    ) -> None:
        self.table, self.missing, self.mistyped = table, list(missing), dict(mistyped or {})
        parts = []
        if self.missing:
            parts.append("missing column(s) " + ", ".join(repr(c) for c in self.missing))
        if self.mistyped:
            parts.append(
                "wrong type: " + ", ".join(f"{c!r} ({why})" for c, why in self.mistyped.items())
            )
        parts += list(other)
        text = f"{table}: " + "; ".join(parts)
        if found is not None and self.missing:
            text += "; columns found: " + (", ".join(repr(c) for c in found) or "(none)")
        super().__init__(text)


def _pa() -> Any:
    try:
        return backends.pyarrow()
    except ImportError:  # pragma: no cover - pyarrow is a declared extra
        raise ImportError("the connectors need pyarrow: pip install 'touchcredit[arrow]'") from None


def _plain(col: Any) -> Any:
    pa = _pa()
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    return col


def index_in(
    values: npt.NDArray[np.object_], keys: npt.NDArray[np.object_]
) -> npt.NDArray[np.int64]:
    """Position of each text value in ``keys`` (-1 when absent or missing), by hashing.

    Examples
    --------
    >>> index_in(np.array(["b", None, "z"], dtype=object), np.array(["a", "b"], dtype=object))
    array([ 1, -1, -1])
    """
    pa, pc = _pa(), backends.pyarrow_compute()
    idx = pc.index_in(
        pa.array(values, type=pa.string()), value_set=pa.array(keys, type=pa.string())
    )
    return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def is_text(col: Any) -> bool:
    """Whether an Arrow column holds text (string, large string, or a text dictionary)."""
    pa = _pa()
    typ = col.type
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    return bool(pa.types.is_string(typ) or pa.types.is_large_string(typ))


def texts(col: Any) -> npt.NDArray[np.object_]:
    """A text Arrow column as an object array of str (None where null)."""
    pa = _pa()
    col = _plain(col)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    out: npt.NDArray[np.object_] = col.to_numpy(zero_copy_only=False)
    return out.astype(object, copy=False)


def times(col: Any) -> npt.NDArray[Any]:
    """Times for :func:`touchcredit.clean`: datetime64[us] for typed times, text otherwise."""
    pa = _pa()
    col = _plain(col)
    if pa.types.is_timestamp(col.type):
        unit = col.type.unit
        if col.type.tz is None:
            col = col.cast(pa.timestamp(unit))
        else:
            col = col.cast(pa.timestamp(unit, tz="UTC")).cast(pa.timestamp(unit))
        out: npt.NDArray[Any] = col.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        return out
    if pa.types.is_date(col.type):  # kept as days: a date-only conversion time ends its day
        days = col.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
        return np.asarray(days).astype("datetime64[D]")
    if pa.types.is_integer(col.type):
        # epoch numbers stay numbers (as text, '1709287200000000' reads as no date);
        # with gaps, float64 (exact for microsecond epochs up to 2255) with NaN
        if col.null_count == 0:
            return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int64)
        return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False))
    if _all_digits(col):  # epoch numbers read as text (an id-safe CSV read)
        pc = backends.pyarrow_compute()
        blank = pc.equal(pc.utf8_trim_whitespace(col), "")
        return times(pc.if_else(blank, pa.scalar(None, col.type), col).cast(pa.int64()))
    return texts(col)


def _all_digits(col: Any) -> bool:
    """Whether a text column holds only integers of 9 digits or more (epochs), with gaps."""
    pa = _pa()
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return False
    if len(col) == col.null_count:
        return False
    pc = backends.pyarrow_compute()
    text = pc.utf8_trim_whitespace(col)
    match = pc.or_(pc.match_substring_regex(text, r"^-?[0-9]{9,}$"), pc.equal(text, ""))
    some = pc.any(pc.match_substring_regex(text, r"[0-9]")).as_py()
    return bool(some and pc.all(pc.fill_null(match, True)).as_py())


def numbers(col: Any, *, table: str, column: str) -> npt.NDArray[np.float64]:
    """A number column as float64 (NaN where null); text is read as numbers, with
    thousands separators by the column's rule (:mod:`touchcredit.hygiene.amounts`).

    Raises
    ------
    SchemaError
        Naming the table, the column, the first row (1-based) and the value that is
        not a number.
    """
    pa = _pa()
    col = _plain(col)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        pc = backends.pyarrow_compute()
        col = pc.utf8_trim_whitespace(col)
        # '1.200' or '1,200' (three digits after one separator): the column decides
        grouped = pc.any(pc.match_substring_regex(col, r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$"))
        try:
            if grouped.as_py():
                raise pa.ArrowInvalid("thousands separators: read by the column's rule")
            col = col.cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            col = pa.array(_amount_floats(col.to_pylist(), table, column), type=pa.float64())
    out = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(out, dtype=np.float64)


def _amount_floats(values: list[Any], table: str, column: str) -> list[float | None]:
    """Text numbers by the column's separator rule; the first that is none names its row."""
    try:
        plain = normalize_amounts(values, column=column).tolist()
    except AmountError as exc:
        raise SchemaError(table, mistyped={column: str(exc)}) from None
    out: list[float | None] = []
    for i, v in enumerate(plain):
        try:
            out.append(None if v is None else float(v))
        except ValueError:
            raise SchemaError(
                table, mistyped={column: f"row {i + 1} is {values[i]!r}, not a number"}
            ) from None
    return out


def amounts(col: Any, *, table: str, column: str) -> npt.NDArray[Any]:
    """An amount column for :func:`touchcredit.clean`: float64 when typed as numbers;
    text rewritten by the column's thousands/decimal rule
    (:mod:`touchcredit.hygiene.amounts`: ``1.200`` is 1200 unless the column shows
    ``.`` as its decimal mark), unreadable text kept for clean to reject with its row.

    Raises
    ------
    SchemaError
        When the column's values show two decimal marks, naming a row of each.
    """
    if not is_text(col):
        return numbers(col, table=table, column=column)
    try:
        return normalize_amounts(texts(col).tolist(), column=column)
    except AmountError as exc:
        raise SchemaError(table, mistyped={column: str(exc)}) from None


def bools(col: Any, *, table: str, column: str) -> npt.NDArray[np.bool_]:
    """A flag column (bool, 0/1, or text true/false/yes/no/1/0) as bool; null is False.

    Raises
    ------
    SchemaError
        Naming the column and the first value that is not a flag.
    """
    pa = _pa()
    col = _plain(col)
    if pa.types.is_boolean(col.type) or pa.types.is_integer(col.type):
        out = col.cast(pa.bool_()).fill_null(False).to_numpy(zero_copy_only=False)
        return np.asarray(out, dtype=bool)
    values = texts(col)
    present = np.where(values == None, "", values).astype(object)  # noqa: E711
    uniq, inv = np.unique(present, return_inverse=True)  # objects: no fixed-width copy
    lookup = np.zeros(uniq.size, dtype=bool)
    for k, v in enumerate(uniq.tolist()):  # one per distinct value
        low = v.strip().lower()
        if low in _TRUE:
            lookup[k] = True
        elif low and low not in _FALSE:
            raise SchemaError(table, mistyped={column: f"{v!r} is not true/false"})
    flags: npt.NDArray[np.bool_] = lookup[inv.reshape(-1)]
    return flags
