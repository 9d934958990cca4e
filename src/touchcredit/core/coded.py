"""Columns as integer codes and a category table; ids of two tables in one table.

:class:`Coded` is how :mod:`~touchcredit.core.frame_input` hands over a categorical,
dictionary or text column: codes (-1 = missing) and the category table, never one
object per row. :func:`coded_ids` turns the coded journey ids of a touch and a
conversion table into int64 codes into one sorted table of distinct ids: the builders
then find and order journeys by integers (one sort), and the ids are mapped back at the
end (``table[journey_ids]``), instead of hashing and sorting ten million strings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import backends

__all__ = ["ID_TABLE", "Coded", "coded_ids", "found_in", "same_objects"]


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
    #: The categories are known to be distinct ``str`` in code-point order (Python's).
    text_sorted: bool = attrs.field(default=False, kw_only=True)
    #: The categories as an Arrow array, when they were read from Arrow (else None).
    arrow_categories: Any = attrs.field(default=None, kw_only=True, repr=False)

    def labels(self) -> npt.NDArray[Any]:
        """The value of every row as an object array (None where missing)."""
        table = np.empty(len(self.categories) + 1, dtype=object)
        table[:-1] = self.categories
        table[-1] = None
        out: npt.NDArray[Any] = table[self.codes]  # code -1 picks the trailing None
        return out


#: Key of the sorted distinct ids in :func:`journey_columns` with ``id_codes``.
ID_TABLE = "journey_id_table"


def coded_ids(
    touch: Any, conv: Any
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any]] | None:
    """Touch and conversion ids as codes into one sorted table of distinct ``str`` ids.

    None (the builders then factorize the values, and report what is wrong) unless
    every id is present, both columns are coded, and the touch ids are sorted text.
    Returns the touch codes, the conversion codes and the table (an object array).

    Examples
    --------
    >>> touch = Coded(np.array([1, 0, 1], dtype=np.int32), ("a", "b"))
    >>> conv = Coded(np.array([0], dtype=np.int32), ("c",))
    >>> codes, conv_codes, table = coded_ids(touch, conv)
    >>> codes.tolist(), conv_codes.tolist(), table.tolist()
    ([1, 0, 1], [2], ['a', 'b', 'c'])
    """
    if not isinstance(touch, Coded) or not isinstance(conv, Coded | None):
        return None
    cats = touch.categories
    extra_cats = conv.categories if conv is not None else ()
    if not (touch.text_sorted and (conv is None or conv.text_sorted)):
        if not all(type(c) is str for c in (*cats, *extra_cats)):
            return None
        if any(a >= b for a, b in itertools.pairwise(cats)):
            return None  # not sorted (a pandas Categorical may list them in any order)
    if (touch.codes < 0).any() or (conv is not None and (conv.codes < 0).any()):
        return None  # a missing id: the builders name its row
    found = found_in(conv, touch) if conv is not None else None
    if conv is not None and found is not None:  # every conversion id is a touch id
        return touch.codes.astype(np.int64), found[conv.codes], _object_array(cats)
    position = {c: k for k, c in enumerate(cats)}
    table: Sequence[str] = cats
    remap: npt.NDArray[np.int64] | None = None
    extra = {c for c in extra_cats if c not in position}
    if extra:  # conversions of journeys without touches: merge two sorted runs
        table = sorted([*cats, *extra])
        position = {c: k for k, c in enumerate(table)}
        remap = np.fromiter(map(position.__getitem__, cats), np.int64, len(cats))
    codes = touch.codes.astype(np.int64) if remap is None else remap[touch.codes]
    conv_codes = np.zeros(0, dtype=np.int64)
    if conv is not None:
        lookup = np.fromiter(map(position.__getitem__, extra_cats), np.int64, len(extra_cats))
        conv_codes = lookup[conv.codes]
    return codes, conv_codes, _object_array(table)


def found_in(conv: Coded | None, touch: Coded) -> npt.NDArray[np.int64] | None:
    """Position of each conversion category among the touch categories, looked up in
    Arrow; None when a conversion id is not a touch id (or the tables are not Arrow).

    Examples
    --------
    >>> import pyarrow as pa
    >>> touch = Coded(np.zeros(1, np.int32), ("a", "b"), arrow_categories=pa.array(["a", "b"]))
    >>> found_in(Coded(np.zeros(1, np.int32), ("b",), arrow_categories=pa.array(["b"])),
    ...          touch).tolist()
    [1]
    """
    if conv is None or conv.arrow_categories is None or touch.arrow_categories is None:
        return None
    pc = backends.pyarrow_compute()  # imported: the columns are Arrow
    where = pc.index_in(conv.arrow_categories, value_set=touch.arrow_categories)
    if where.null_count:
        return None
    return np.asarray(where.to_numpy(zero_copy_only=False), dtype=np.int64)


def _object_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def same_objects(coded: Coded, like: Coded) -> Coded:
    """``coded`` with the category objects of ``like`` where the values are equal.

    Touch and conversion ids read from two tables are two sets of ``str`` objects; made
    one, the builders factorize the ids by hashing object pointers, not strings.

    Examples
    --------
    >>> a = Coded(np.zeros(1, np.int32), ("".join(["i", "d"]),))
    >>> same_objects(Coded(np.zeros(1, np.int32), ("id",)), a).categories[0] is a.categories[0]
    True
    """
    mine = {c: c for c in like.categories}
    return Coded(coded.codes, tuple(mine.get(c, c) for c in coded.categories))
