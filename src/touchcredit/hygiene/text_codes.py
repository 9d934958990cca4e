"""Text columns as integer codes over their distinct values: factorize once, work per value.

A raw column of a million rows holds a few thousand distinct spellings. The hygiene
steps read each column once (:func:`factorize_text`), then work on the distinct values
(trimming, parsing URLs, catalog lookups, normalizing emails) and pass integer codes on:
stitching, deduplication and the journey build compare ``int64`` codes, never strings.

Factorizing uses pyarrow's ``dictionary_encode`` when pyarrow is installed and the
column is large (or pyarrow already imported); otherwise one Python dict pass. Both
give the same codes: distinct values numbered in order of first appearance, equal
values equal only when they have the same type (``1``, ``1.0``, ``True`` and ``"1"`` stay
four values), None/NaN/NaT missing (code -1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray, ObjectArray
from touchcredit.core.columns import as_object_array, missing_mask
from touchcredit.core.factorize import arrow_text_codes

__all__ = ["ARROW_MIN_ROWS", "TextCodes", "factorize_text", "from_codes", "is_missing_value"]


#: Below this many rows, pyarrow is used only when something already imported it.
ARROW_MIN_ROWS = 100_000


def is_missing_value(value: Any) -> bool:
    """None, NaN or NaT: the value of a row without one (as :func:`missing_mask`).

    Examples
    --------
    >>> [is_missing_value(v) for v in (None, float("nan"), "", "a", 0)]
    [True, True, False, False, False]
    """
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas.NA: its truth value is ambiguous
        return True


def _objects(values: list[Any]) -> ObjectArray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@attrs.frozen(eq=False)
class TextCodes:
    """A column as codes into its distinct values.

    Attributes
    ----------
    codes : int64 ndarray
        Per row, the index of its value in ``values``; -1 where the row has none.
    values : object ndarray
        The distinct values, each once.

    Examples
    --------
    >>> col = factorize_text(["b", None, " B ", "b"], field="x")
    >>> col.codes.tolist(), col.values.tolist()
    ([0, -1, 1, 0], ['b', ' B '])
    >>> low = col.map(lambda v: v.strip().lower() or None)
    >>> low.codes.tolist(), low.values.tolist(), low.labels().tolist()
    ([0, -1, 0, 0], ['b'], ['b', None, 'b', 'b'])
    """

    codes: IntArray
    values: ObjectArray

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def labels(self) -> ObjectArray:
        """The value of every row (None where missing)."""
        table = np.empty(self.values.shape[0] + 1, dtype=object)
        table[:-1] = self.values
        out: ObjectArray = table[self.codes]  # code -1 reads the trailing None
        return out

    def per_row(self, per_value: npt.NDArray[Any], missing: Any) -> npt.NDArray[Any]:
        """Spread one entry per distinct value over the rows (``missing`` where none)."""
        table = np.empty(self.values.shape[0] + 1, dtype=per_value.dtype)
        table[:-1] = per_value
        table[-1] = missing
        out: npt.NDArray[Any] = table[self.codes]
        return out

    def recode(self, lookup: IntArray, values: ObjectArray) -> TextCodes:
        """New codes ``lookup[code]`` (-1 stays -1) over the new ``values``."""
        table = np.append(np.asarray(lookup, dtype=np.int64), -1)
        return TextCodes(table[self.codes], values)

    def map(self, fn: Callable[[Any], Hashable | None]) -> TextCodes:
        """Apply ``fn`` to each distinct value; equal results merge, None is missing."""
        return self.with_values([fn(v) for v in self.values.tolist()])

    def with_values(self, per_value: list[Any]) -> TextCodes:
        """Each distinct value replaced by ``per_value[k]``; equal ones merge, None is missing."""
        lookup, values = _dedupe(per_value)
        return self.recode(lookup, values)

    def fill(self, fallback: TextCodes) -> TextCodes:
        """This column where it has a value, else ``fallback``; equal values merge.

        Examples
        --------
        >>> a = factorize_text(["x", None, None], field="a")
        >>> b = factorize_text(["y", "x", None], field="b")
        >>> a.fill(b).labels().tolist()
        ['x', 'x', None]
        """
        both = self.values.tolist() + fallback.values.tolist()
        lookup, values = _dedupe(both)
        n_self = self.values.shape[0]
        mine = np.append(lookup[:n_self], -1)[self.codes]
        theirs = np.append(lookup[n_self:], -1)[fallback.codes]
        return TextCodes(np.where(self.codes >= 0, mine, theirs), values)

    def take(self, rows: npt.NDArray[np.integer[Any]]) -> TextCodes:
        """The rows ``rows``, over the same values."""
        return TextCodes(self.codes[rows], self.values)

    def sorted_used(self) -> TextCodes:
        """Only the values some row uses, sorted; codes renumbered to match.

        Examples
        --------
        >>> col = factorize_text(["b", "c", "a"], field="x").take(np.array([0, 2]))
        >>> s = col.sorted_used()
        >>> s.values.tolist(), s.codes.tolist()
        (['a', 'b'], [1, 0])
        """
        used = np.zeros(self.values.shape[0] + 1, dtype=bool)
        used[self.codes] = True
        keep = np.flatnonzero(used[:-1])
        kept = self.values[keep]
        order = np.argsort(kept, kind="stable") if keep.size else keep
        lookup = np.full(self.values.shape[0], -1, dtype=np.int64)
        lookup[keep[order]] = np.arange(keep.size, dtype=np.int64)
        return self.recode(lookup, kept[order])


def _dedupe(values: list[Any]) -> tuple[IntArray, ObjectArray]:
    """Index of each value among the distinct non-None ones (-1 for None), and those."""
    index: dict[Any, int] = {}
    lookup = np.fromiter(
        (-1 if v is None else index.setdefault(v, len(index)) for v in values),
        dtype=np.int64,
        count=len(values),
    )
    return lookup, _objects(list(index))


def from_codes(codes: npt.NDArray[np.integer[Any]], categories: Any) -> TextCodes:
    """A column already coded by its library (codes -1 = missing, a category table).

    Equal categories merge and missing ones become -1, so the values are distinct.

    Examples
    --------
    >>> col = from_codes(np.array([1, -1, 0, 2]), ("a", "b", "a"))
    >>> col.codes.tolist(), col.values.tolist()
    ([1, -1, 0, 0], ['a', 'b'])
    """
    table = list(categories)
    lookup, values = _dedupe([None if is_missing_value(v) else v for v in table])
    return TextCodes(np.asarray(codes, dtype=np.int64), _objects(table)).recode(lookup, values)


def factorize_text(values: Any, *, field: str, arrow: bool | None = None) -> TextCodes:
    """Codes and distinct values of a column (see the module docstring).

    Parameters
    ----------
    values : array-like or TextCodes
        The column (list, ndarray, pandas/polars Series, pyarrow array); a
        :class:`TextCodes` is returned as it is.
    field : str
        Column name for messages.
    arrow : bool, optional
        Use pyarrow (True), never (False), or when installed and worth it (None).

    Returns
    -------
    TextCodes

    Examples
    --------
    >>> col = factorize_text(["a", 1, float("nan"), True, "a", 1.0], field="x")
    >>> col.codes.tolist(), col.values.tolist()
    ([0, 1, -1, 2, 0, 3], ['a', 1, True, 1.0])
    """
    if isinstance(values, TextCodes):
        return values
    arr = as_object_array(values, field=field)
    n = int(arr.shape[0])
    if arr.dtype.kind != "O":
        return _factorize_typed(arr)
    if arrow is None:
        arrow = n >= ARROW_MIN_ROWS or "pyarrow" in sys.modules
    if arrow:
        got = _factorize_arrow(arr)
        if got is not None:
            return got
    return _factorize_objects(arr.tolist())


def _factorize_typed(arr: npt.NDArray[Any]) -> TextCodes:
    """A column of one numpy dtype (ints, floats, fixed-width text, times)."""
    missing = missing_mask(arr)
    codes = np.full(arr.shape[0], -1, dtype=np.int64)
    present = arr[~missing] if missing.any() else arr
    uniq, inverse = np.unique(present, return_inverse=True)
    codes[~missing] = inverse.reshape(-1)
    return TextCodes(codes, _objects(uniq.tolist()))


def _factorize_objects(items: list[Any]) -> TextCodes:
    """One dict pass; non-``str`` values keyed with their type, missing ones dropped."""
    index: dict[Any, int] = {}
    try:
        codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in items), dtype=np.int64, count=len(items)
        )
    except TypeError:  # an unhashable value
        return _factorize_keyed(items)
    keys = list(index)
    if all(type(k) is str for k in keys):
        return TextCodes(codes, _objects(keys))
    if not all(isinstance(k, str) or is_missing_value(k) for k in keys):
        return _factorize_keyed(items)  # 1 == 1.0 == True in a dict: key by type too
    return _drop_missing(codes, keys)


def _key(value: Any) -> Hashable:
    if isinstance(value, str):
        return value
    try:
        hash(value)
    except TypeError:
        return (type(value), "repr", repr(value))
    return (type(value), value)


def _factorize_keyed(items: list[Any]) -> TextCodes:
    """The exact path: each non-``str`` value keyed by its type (unhashable by repr)."""
    index: dict[Hashable, int] = {}
    first: list[Any] = []
    codes = np.empty(len(items), dtype=np.int64)
    for i, v in enumerate(items):
        k = _key(v)
        code = index.setdefault(k, len(index))
        if code == len(first):
            first.append(v)
        codes[i] = code
    return _drop_missing(codes, first)


def _drop_missing(codes: IntArray, keys: list[Any]) -> TextCodes:
    gone = np.array([is_missing_value(k) for k in keys], dtype=bool)
    if not gone.any():
        return TextCodes(codes, _objects(keys))
    lookup = np.full(len(keys), -1, dtype=np.int64)
    lookup[~gone] = np.arange(int((~gone).sum()), dtype=np.int64)
    kept = [k for k, g in zip(keys, gone.tolist(), strict=True) if not g]
    return TextCodes(np.append(lookup, -1)[codes], _objects(kept))


def _factorize_arrow(arr: ObjectArray) -> TextCodes | None:
    """pyarrow's hash table, for a column of ``str`` and missing values only."""
    coded = arrow_text_codes(arr)
    return None if coded is None else TextCodes(coded[1], coded[0])
