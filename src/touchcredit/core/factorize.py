"""Factorization: a column of values to integer codes and a table of distinct values.

Ids (:func:`factorize_ids`) and labels (:func:`factorize_labels`) become sorted
distinct values plus one integer code per row; :func:`hash_factorize` is the fast,
unsorted hashing step they share with the hygiene area. Errors name the field and the
first offending row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core import backends
from touchcredit.core.arrays import IntArray
from touchcredit.core.columns import as_object_array, check_length, missing_mask
from touchcredit.core.label_text import canonical_label

__all__ = [
    "PANDAS_MIN_ROWS",
    "argsort_values",
    "arrow_text_codes",
    "factorize_ids",
    "factorize_labels",
    "hash_factorize",
    "one_spelling",
]

Codes = npt.NDArray[np.int32]

#: Below this many rows, pandas is used only when something already imported it
#: (importing it costs more than sorting a small column).
PANDAS_MIN_ROWS = 100_000


def hash_factorize(arr: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray] | None:
    """Unsorted distinct values and codes (-1 = missing) by hashing, via pandas.

    Sorting an object column compares Python objects pairwise; a hash table visits
    each value once, about ten times faster. Returns None when pandas is not
    installed (or the column is small and pandas not yet imported) or a value cannot
    be hashed: callers then use the numpy path, which gives the same result (or the
    error message).
    """
    if arr.shape[0] < PANDAS_MIN_ROWS and not backends.loaded("pandas"):
        return None
    pd = backends.optional("pandas")
    if pd is None:
        return None
    try:
        shared = _factorize_shared_objects(arr, pd)
        if shared is not None:
            return shared
        arrow = _arrow_factorize(arr)
        if arrow is not None:
            return arrow
        codes, uniques = pd.factorize(arr)
    except TypeError:  # unhashable values
        return None
    return np.asarray(uniques, dtype=object), np.asarray(codes, dtype=np.int64)


def _arrow_factorize(arr: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray] | None:
    """Distinct strings (sorted) and codes of a column of ``str``/None, by Arrow's hashing.

    Arrow hashes the UTF-8 bytes laid end to end, about three times faster than a hash
    table of Python strings scattered in memory (10M ids, 1M distinct: 1.2 s against
    3.1 s), and sorts the distinct values in the same pass of C++. UTF-8 byte order is
    code point order, as Python compares strings. Used for columns of many distinct
    values (ids): a sample of the rows decides. None when the column has few distinct
    values, pyarrow is not installed or a value is not a ``str`` (NaN, numbers,
    unencodable text): the caller then hashes Python objects.
    """
    n = int(arr.shape[0])
    if arr.dtype.kind != "O" or n == 0 or type(arr[0]) is not str:
        return None
    sample = arr[:: max(n // _SAMPLE, 1)].tolist()
    if len(set(sample)) * 4 < len(sample):  # few distinct values (labels): Python hashes
        return None  # them from a small, cache-resident table, faster than converting
    return _arrow_codes(arr)


def _arrow_codes(arr: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray] | None:
    """:func:`_arrow_factorize` without the sample: sorted distinct strings and codes."""
    return arrow_text_codes(arr, sort=True, nan_is_missing=False)


def arrow_text_codes(
    values: npt.NDArray[Any], *, sort: bool = False, nan_is_missing: bool = True
) -> tuple[npt.NDArray[Any], IntArray] | None:
    """Distinct values (first-appearance order; sorted with ``sort``) and codes (-1 =
    missing) of a column of ``str`` and missing values (None, NaN), by Arrow's hash table.

    With ``sort``, Arrow also sorts the distinct values: UTF-8 byte order is code point
    order, as Python compares strings. ``nan_is_missing=False``: a NaN is a value that
    is not a ``str`` (None), as ids need it, so the caller's careful path names its row.

    The one Arrow factorizer of the project (core ids and labels, hygiene's text
    columns). None when pyarrow is not installed or a value is anything else (bytes,
    numbers, text UTF-8 cannot hold): the type is inferred, never cast, so ``b"a"``
    is not read as ``"a"``.

    Examples
    --------
    >>> uniques, codes = arrow_text_codes(np.array(["b", None, "a", "b"], dtype=object))
    >>> uniques.tolist(), codes.tolist()
    (['b', 'a'], [0, -1, 1, 0])
    >>> arrow_text_codes(np.array(["b", None, "a", "b"], dtype=object), sort=True)[0].tolist()
    ['a', 'b']
    >>> arrow_text_codes(np.array(["a", b"a"], dtype=object)) is None
    True
    """
    pa, pc = backends.optional("pyarrow"), backends.optional("pyarrow.compute")
    if pa is None or pc is None:
        return None
    try:
        text = pa.array(values, from_pandas=nan_is_missing)
    except (pa.ArrowException, TypeError, ValueError, UnicodeError, OverflowError):
        return None
    if pa.types.is_null(text.type):
        return np.empty(0, dtype=object), np.full(values.shape[0], -1, dtype=np.int64)
    if not isinstance(text, pa.Array) or not (
        pa.types.is_string(text.type) or pa.types.is_large_string(text.type)
    ):
        return None
    encoded = pc.dictionary_encode(text)
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False))
    codes = codes.astype(np.int64, copy=False)
    dictionary = encoded.dictionary
    if sort:
        order = pc.array_sort_indices(dictionary).to_numpy()
        rank = np.empty(order.size + 1, dtype=np.int64)
        rank[order] = np.arange(order.size, dtype=np.int64)
        rank[-1] = -1  # a missing value's code -1 picks the trailing slot
        codes = rank[codes]
        dictionary = dictionary.take(pa.array(order))
    return np.asarray(dictionary.to_numpy(zero_copy_only=False), dtype=object), codes


_SAMPLE = 4096


def _factorize_shared_objects(
    arr: npt.NDArray[Any], pd: Any
) -> tuple[npt.NDArray[Any], IntArray] | None:
    """Factorize a label column whose equal values are mostly the same objects.

    A column built from a few label objects (``names[codes]``, a pandas object column
    made from one) holds a handful of distinct pointers. Hashing the pointers as
    ``int64`` is several times faster than hashing the objects; the few distinct
    objects are then factorized by value (so equal strings held by different objects
    still merge). Used only when a sample shows few distinct objects; None otherwise.
    """
    n = int(arr.shape[0])
    if arr.dtype.kind != "O" or n < _SAMPLE or not arr.flags.c_contiguous:
        return None
    if np.dtype(np.intp).itemsize != 8:
        return None
    sample = arr[:: n // _SAMPLE].tolist()
    n_objects = len({id(v) for v in sample})
    if n_objects > _SAMPLE // 4:  # not a few label objects; maybe ids, one object each
        try:
            n_values = len(set(sample))
        except TypeError:
            return None
        # Repeated values that are always the same object: shared (ids made once per
        # journey). Equal values in different objects, or no repeat seen: hash values.
        if n_objects != n_values or n_values == len(sample):
            return None
    # The array's pointer buffer read as int64 (no copy, no reference counts; ``arr``
    # stays alive meanwhile). Pointers serve only as hash keys.
    import ctypes

    buffer = (ctypes.c_int64 * n).from_address(arr.ctypes.data)
    pointers = np.frombuffer(memoryview(buffer), dtype=np.int64)
    pcodes = np.asarray(pd.factorize(pointers)[0], dtype=np.int64)
    del pointers, buffer
    # pandas numbers values in order of first appearance: the running maximum of the
    # codes steps up exactly at each value's first row.
    steps = np.flatnonzero(pcodes[1:] > np.maximum.accumulate(pcodes)[:-1]) + 1
    first = np.concatenate([[0], steps])
    objects = arr[first]
    # many distinct objects (ids made once per journey): Arrow also sorts their values
    by_arrow = _arrow_codes(objects) if first.size > _SAMPLE and type(arr[0]) is str else None
    if by_arrow is not None:
        return by_arrow[0], by_arrow[1][pcodes]
    vcodes, uniques = pd.factorize(objects)
    lookup = np.asarray(vcodes, dtype=np.int64)
    return np.asarray(uniques, dtype=object), lookup[pcodes]


def _argsort_values(uniques: npt.NDArray[Any]) -> IntArray | None:
    """Stable argsort of distinct values (None: already sorted); short ``str`` as ``U``.

    Comparing fixed-width code points is about twice as fast as comparing Python
    strings, and orders them the same (both compare code points). Strings ending in
    NUL (which ``U`` arrays cannot hold) and long strings keep the object sort.
    Values that are already in increasing order (Arrow's factorizing sorts them) are
    recognised in one pass of comparisons.
    """
    if uniques.dtype.kind == "O" and uniques.size > 1_000:
        try:
            ordered = bool(np.all(uniques[1:] > uniques[:-1]))
        except TypeError:  # values of types that do not compare
            ordered = False
        if ordered:
            return None
        values = uniques.tolist()
        if (
            all(type(v) is str for v in values)
            and max(map(len, values)) <= 64
            and "\x00" not in "".join(values)
        ):
            return np.argsort(uniques.astype(str), kind="stable")
    return np.argsort(uniques, kind="stable")


def argsort_values(uniques: npt.NDArray[Any]) -> IntArray:
    """A stable argsort of distinct values (fast for short strings; see ``_argsort_values``).

    Examples
    --------
    >>> argsort_values(np.array(["b", "a", "c"], dtype=object)).tolist()
    [1, 0, 2]
    """
    perm = _argsort_values(uniques)
    return np.arange(uniques.size, dtype=np.int64) if perm is None else perm.astype(np.int64)


def _sorted_recode(
    uniques: npt.NDArray[Any], codes: IntArray, dtype: type[np.integer[Any]]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Sort the distinct values; renumber ``codes`` to match (-1 stays -1)."""
    perm = _argsort_values(uniques)
    if perm is None:  # already sorted: the codes stand
        return uniques, codes.astype(dtype, copy=False)
    lookup = np.empty(perm.size + 1, dtype=dtype)
    lookup[perm] = np.arange(perm.size, dtype=dtype)
    lookup[-1] = -1  # code -1 picks the trailing slot
    return uniques[perm], lookup[codes]


def _type_name_conflict(arr: npt.NDArray[Any], field: str) -> TypeError:
    first_type: type | None = None
    first_row = -1
    for i, v in enumerate(arr.tolist()):  # error path only
        if v is None or (isinstance(v, float) and v != v):
            continue
        if first_type is None:
            first_type, first_row = type(v), i
        elif not isinstance(v, first_type) and not (
            isinstance(v, int | float) and issubclass(first_type, int | float)
        ):
            return TypeError(
                f"{field!r} mixes value types: row {first_row + 1} is {first_type.__name__} "
                f"{arr[first_row]!r}, row {i + 1} is {type(v).__name__} {v!r}; convert the "
                "column to one type"
            )
    return TypeError(f"{field!r} holds values that cannot be compared with each other")


def factorize_ids(
    values: npt.NDArray[Any], *, field: str
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Sorted distinct ids and the index of each row's id among them.

    Raises
    ------
    ValueError
        On a missing id (None, NaN), naming the row; on a float id that is not a whole
        number up to 2**53 (text ids read as numbers would merge people).
    TypeError
        On ids of mixed types (``1`` and ``"1"``), naming both rows.

    Examples
    --------
    >>> uniq, idx = factorize_ids(np.array(["b", "a", "b"]), field="journey_id")
    >>> uniq.tolist(), idx.tolist()
    (['a', 'b'], [1, 0, 1])
    """
    fast = _fast_factorize_ids(values) if values.dtype.kind in "OU" else None
    if fast is not None:  # hashing found no missing id, and one id type
        uniq, inverse, kinds = fast
        if any(issubclass(k, float) for k in kinds):  # types taken once, while hashing
            _check_float_ids(uniq, values, field)
        return uniq, inverse
    missing = missing_mask(values)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        shown = values[row : row + 1].tolist()[0]
        raise ValueError(f"{field!r} must not be missing; row {row + 1} is {shown!r}")
    if values.dtype.kind == "O":
        try:
            uniq, inverse = np.unique(values, return_inverse=True)
        except TypeError:
            raise _type_name_conflict(values, field) from None
        kinds = {type(u) for u in uniq.tolist()}
        if len(kinds) > 1 and not kinds <= {int, float, bool}:
            raise _type_name_conflict(values, field)
    else:
        uniq, inverse = np.unique(values, return_inverse=True)
    _check_float_ids(uniq, values, field)
    return uniq, inverse.reshape(-1).astype(np.int64, copy=False)


def _check_float_ids(uniq: npt.NDArray[Any], values: npt.NDArray[Any], field: str) -> None:
    """Ids that are floats must be whole numbers a float holds exactly (|id| <= 2**53).

    A float id column is nearly always text ids read as numbers: GA4's
    ``1234567890.1234567891`` and ``...892`` become one float, and so do long numeric
    ids beyond 2**53. Merging them would credit one person's conversion to another's
    touches, so it is an error; checked on the distinct values only.
    """
    if uniq.dtype.kind == "f":
        floats = uniq
    elif uniq.dtype.kind == "O":
        floats = np.array([u for u in uniq.tolist() if isinstance(u, float)], dtype=np.float64)
    else:
        return
    bad = (floats != np.floor(floats)) | (np.abs(floats) > 2.0**53)
    if bad.any():
        v = float(floats[bad][0])
        row = int(np.flatnonzero(values == v)[0]) if values.dtype.kind in "fO" else 0
        raise ValueError(
            f"{field!r} row {row + 1} is the float {v!r}; ids given as floats must be whole "
            "numbers up to 2**53, which a float holds exactly; read the id column as text "
            "(distinct ids such as '1234567890.1234567891' and '...892' become one float)"
        )


def _fast_factorize_ids(
    values: npt.NDArray[Any],
) -> tuple[npt.NDArray[Any], IntArray, set[type]] | None:
    """:func:`factorize_ids` by hashing, with the set of the distinct ids' types; None
    when unavailable or the ids need the careful path (missing or mixed-type ids,
    which that path reports)."""
    hashed = hash_factorize(values)
    if hashed is None:
        return None
    uniques, codes = hashed
    if codes.size and int(codes.min()) < 0:
        return None
    kinds: set[type]
    if values.dtype.kind == "U":
        uniques = uniques.astype(values.dtype)
        kinds = {str}
    else:
        kinds = set(map(type, uniques.tolist()))
        if len(kinds) > 1 and not kinds <= {int, float, bool}:
            return None
    try:
        uniq, inverse = _sorted_recode(uniques, codes, np.int64)
    except TypeError:
        return None
    return uniq, inverse, kinds


def factorize_labels(values: Any, *, field: str, n: int) -> tuple[Codes, tuple[str, ...]]:
    """Integer codes (-1 = not recorded) and the sorted category table of a label column.

    Accepts None (column not recorded), a pandas ``Categorical``-like object with
    ``codes``/``categories``, or an array/sequence of ``str`` and ``None``.

    Raises
    ------
    ValueError
        When a label is empty/blank or the length differs from ``n``.
    TypeError
        When a label is not a string.

    Examples
    --------
    >>> codes, cats = factorize_labels(["email", None, "seo", "email"], field="channel", n=4)
    >>> codes.tolist(), cats
    ([0, -1, 1, 0], ('email', 'seo'))
    """
    if values is None:
        return np.full(n, -1, dtype=np.int32), ()
    if hasattr(values, "codes") and hasattr(values, "categories"):
        codes = np.asarray(values.codes, dtype=np.int32)
        cats = tuple(str(c) for c in list(values.categories))
        check_length(codes, field, n)
        for k, c in enumerate(cats):
            if not canonical_label(c).strip():
                row = int(np.flatnonzero(codes == k)[0]) if (codes == k).any() else -1
                raise ValueError(_empty_message(field, row, c))
        return one_spelling(codes, cats)
    arr = as_object_array(values, field=field)
    check_length(arr, field, n)
    hashed = hash_factorize(arr) if arr.dtype.kind in "OU" else None
    if hashed is not None and all(isinstance(u, str) for u in hashed[0].tolist()):
        uniq, codes = _sorted_recode(hashed[0], hashed[1], np.int32)
        missing = None
    elif arr.dtype.kind in "US":
        uniq, inverse = np.unique(arr, return_inverse=True)
        codes = inverse.reshape(-1).astype(np.int32)
        missing = None
    elif arr.dtype.kind == "O":
        missing = missing_mask(arr)
        present = arr[~missing] if missing.any() else arr
        try:
            uniq, inverse = np.unique(present, return_inverse=True)
        except TypeError:
            raise _label_type_error(arr, missing, field) from None
        for u in uniq.tolist():
            if not isinstance(u, str):
                raise _label_type_error(arr, missing, field)
        codes = np.full(n, -1, dtype=np.int32)
        codes[~missing] = inverse.reshape(-1)
    else:
        raise TypeError(
            f"{field!r} must hold strings (or None for 'not recorded'), got dtype {arr.dtype}"
        )
    table = tuple(str(u) for u in uniq.tolist())
    for k, c in enumerate(table):
        if not canonical_label(c).strip():
            row = int(np.flatnonzero(codes == k)[0])
            raise ValueError(_empty_message(field, row, c))
    del missing
    return one_spelling(codes, table)


def one_spelling(codes: Codes, table: tuple[str, ...]) -> tuple[Codes, tuple[str, ...]]:
    """Codes and a sorted table of labels in their canonical spelling (NFC, no
    zero-width characters: :func:`touchcredit.core.label_text.canonical_label`).

    Spellings that become one label share its code (``"Cafe\u0301"`` and ``"Caf\u00e9"``,
    ``"seo"`` and ``"seo\u200b"``); a table already canonical is returned as it is.

    Examples
    --------
    >>> codes, cats = one_spelling(np.array([0, 1, -1, 2], dtype=np.int32),
    ...                            ("Cafe\u0301", "Caf\u00e9", "seo\u200b"))
    >>> codes.tolist(), cats == ("Caf\u00e9", "seo")
    ([0, 0, -1, 1], True)
    """
    spelled = [canonical_label(c) for c in table]
    if all(a is b or a == b for a, b in zip(spelled, table, strict=True)):
        return codes, table
    merged = sorted(set(spelled))
    position = {c: k for k, c in enumerate(merged)}
    lookup = np.array([*(position[c] for c in spelled), -1], dtype=np.int32)
    return lookup[codes], tuple(merged)


def _empty_message(field: str, row: int, value: str) -> str:
    return f"{field!r} must not be empty; use None for 'not recorded'; row {row + 1} is {value!r}"


def _label_type_error(
    arr: npt.NDArray[Any], missing: npt.NDArray[np.bool_], field: str
) -> TypeError:
    for i in np.flatnonzero(~missing).tolist():  # error path only
        v = arr[i]
        if not isinstance(v, str):
            return TypeError(
                f"{field!r} must hold strings (or None for 'not recorded'); row {i + 1} is "
                f"{type(v).__name__} {v!r}"
            )
    return TypeError(f"{field!r} must hold strings")
