"""Identity stitching and touch deduplication.

A person leaves touches under several identifiers: an anonymous cookie before sign-up,
an email on the form, a user id after login, a phone number on a call, a CRM id. Two
touches belong to the same person when any chain of shared identifier values links
them: the persons are the connected components of the graph whose nodes are the
identifier values and whose edges join the values found on the same row.

Normalization before comparing (each distinct value once):

* ``email``: trimmed and lower-cased. Gmail's ignored dots (``j.doe@gmail.com`` is
  ``jdoe@gmail.com``) and ``+tags`` are *not* removed unless ``gmail_dots=True``: they
  are different addresses to every system but Google's, and merging two people is
  worse than missing a merge;
* ``phone``: digits only (``+1 (555) 010-9999`` is ``15550109999``); fewer than 5
  digits is no phone;
* ``id`` (cookie, user, CRM ids): compared as text, trimmed (integer columns as
  integers).

Blank and missing values link nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.columns import as_object_array, missing_mask
from touchcredit.core.factorize import hash_factorize
from touchcredit.core.graph import connected_components, dense_first_seen
from touchcredit.core.mapping import identifier_kind
from touchcredit.core.time_rule import to_datetime64, to_timedelta64
from touchcredit.hygiene.labels import distinct_strings

__all__ = [
    "Deduplication",
    "MergeGroups",
    "Stitching",
    "deduplicate",
    "normalize_email",
    "normalize_phone",
    "stitch",
]

IntArray = npt.NDArray[np.int64]
KINDS = ("id", "email", "phone")


def normalize_email(value: str, *, gmail_dots: bool = False) -> str | None:
    """Trimmed, lower-cased email; None when blank or without ``@``.

    Examples
    --------
    >>> normalize_email("  J.Doe@GMail.com ")
    'j.doe@gmail.com'
    >>> normalize_email("J.Doe+ads@gmail.com", gmail_dots=True)
    'jdoe@gmail.com'
    """
    text = "".join(value.split()).lower()
    at = text.rfind("@")
    if at <= 0 or at == len(text) - 1:
        return None
    if gmail_dots and text[at + 1 :] in ("gmail.com", "googlemail.com"):
        local = text[:at].split("+", 1)[0].replace(".", "")
        text = f"{local}@gmail.com"
    return text


def normalize_phone(value: str) -> str | None:
    """Digits of a phone number; None when fewer than 5.

    Examples
    --------
    >>> normalize_phone("+1 (555) 010-9999"), normalize_phone("n/a")
    ('15550109999', None)
    """
    digits = "".join(c for c in value if c.isdigit() and c.isascii())
    return digits if len(digits) >= 5 else None


def _normalize_column(
    values: Any, kind: str, field: str, gmail_dots: bool
) -> tuple[npt.NDArray[Any], IntArray]:
    """Sorted distinct normalized keys of a column, and each row's index (-1 = none)."""
    arr = as_object_array(values, field=field)
    n = arr.shape[0]
    if kind == "id" and arr.dtype.kind in "iu":
        keys, inv = np.unique(arr, return_inverse=True)
        return keys, inv.reshape(-1).astype(np.int64)
    missing = missing_mask(arr)
    present = arr[~missing] if missing.any() else arr
    codes = np.full(n, -1, dtype=np.int64)
    hashed = hash_factorize(present) if present.dtype.kind in "OU" else None
    if hashed is not None:
        raw, inv = hashed
    else:
        try:
            raw, inv = np.unique(present, return_inverse=True)
        except TypeError:  # mixed types: compare as text
            raw, inv = np.unique(present.astype(str), return_inverse=True)
    normed: list[str | None] = []
    for v in raw.tolist():  # one per distinct raw value
        text = v if isinstance(v, str) else str(v)
        if kind == "email":
            normed.append(normalize_email(text, gmail_dots=gmail_dots))
        elif kind == "phone":
            normed.append(normalize_phone(text))
        else:
            normed.append(text.strip() or None)
    valid = np.array([v is not None for v in normed], dtype=bool)
    keys, key_inv = _unique_with_inverse([v for v in normed if v is not None])
    lookup = np.full(len(normed), -1, dtype=np.int64)
    lookup[valid] = key_inv
    codes[~missing] = lookup[np.asarray(inv, dtype=np.int64).reshape(-1)]
    return keys, codes


def _as_int(value: Any) -> int | None:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _unique_with_inverse(values: list[str]) -> tuple[npt.NDArray[Any], IntArray]:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    if not values:
        return arr, np.zeros(0, dtype=np.int64)
    keys, inv = np.unique(arr, return_inverse=True)
    return keys, inv.reshape(-1).astype(np.int64)


@attrs.frozen(eq=False)
class MergeGroups:
    """Persons stitched from more than one identifier value.

    Attributes
    ----------
    columns : tuple of str
        The identifier columns.
    person : int64 ndarray
        Person id of each merge group.
    rows : int64 ndarray
        Number of rows (touches) of each group.
    values : int64 ndarray, shape (groups, columns)
        Distinct identifier values of each column in each group.
    """

    columns: tuple[str, ...]
    person: IntArray
    rows: IntArray
    values: IntArray

    def __len__(self) -> int:
        return int(self.person.size)

    def joined_by(self) -> Mapping[tuple[str, ...], int]:
        """Number of groups per combination of identifier columns that joined them.

        Examples
        --------
        >>> s = stitch({"cookie": ["c1", "c1", "c2"], "email": [None, "a@x.io", None]})
        >>> dict(s.groups.joined_by())
        {('cookie', 'email'): 1}
        """
        bits = ((self.values > 0) * (1 << np.arange(len(self.columns)))).sum(axis=1)
        counts = np.bincount(bits.astype(np.int64), minlength=1)
        out = {}
        for mask in np.flatnonzero(counts).tolist():
            cols = tuple(c for k, c in enumerate(self.columns) if mask >> k & 1)
            out[cols] = int(counts[mask])
        return MappingProxyType(out)


@attrs.frozen(eq=False)
class Stitching:
    """Result of :func:`stitch`.

    Attributes
    ----------
    person : int64 ndarray
        Person id of every row, numbered 0.. in order of first appearance; -1 for a row
        without any identifier.
    n_persons : int
        Number of persons.
    identities_merged : int
        Distinct identifier values minus persons: how many identities were folded
        into another one.
    groups : MergeGroups
        The persons made of more than one identifier value.
    """

    person: IntArray
    n_persons: int
    identities_merged: int
    groups: MergeGroups
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    gmail_dots: bool
    _keys: tuple[npt.NDArray[Any], ...] = attrs.field(repr=False)
    _node_person: tuple[IntArray, ...] = attrs.field(repr=False)

    def lookup(self, column: str, values: Any) -> IntArray:
        """Person of each identifier value of ``column`` (-1 when never seen).

        Examples
        --------
        >>> s = stitch({"cookie": ["c1", "c1"], "email": [None, "A@x.io"]})
        >>> s.lookup("email", ["a@x.io ", "b@x.io"]).tolist()
        [0, -1]
        """
        if column not in self.columns:
            raise ValueError(
                f"unknown identifier column {column!r}; expected one of {', '.join(self.columns)}"
            )
        k = self.columns.index(column)
        keys = self._keys[k]
        if keys.dtype.kind in "iu":  # an integer column: compare as integers
            parsed = [_as_int(v) for v in as_object_array(values, field=column).tolist()]
            ok = np.array([v is not None for v in parsed], dtype=bool)
            ints = np.array([0 if v is None else v for v in parsed], dtype=np.int64)
            if keys.size == 0:
                return np.full(ints.size, -1, dtype=np.int64)
            pos = np.minimum(np.searchsorted(keys, ints), keys.size - 1)
            return self._person_of(k, np.where(ok & (keys[pos] == ints), pos, -1))
        q, codes = _normalize_column(values, self.kinds[k], column, self.gmail_dots)
        if keys.size == 0 or q.size == 0:
            return np.full(codes.size, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, q), keys.size - 1)
        node = np.where(keys[pos] == q, pos, -1)
        return self._person_of(k, np.where(codes >= 0, node[np.maximum(codes, 0)], -1))

    def _person_of(self, k: int, node: npt.NDArray[Any]) -> IntArray:
        node = np.asarray(node, dtype=np.int64)
        table = np.append(self._node_person[k], -1)
        return table[np.where(node >= 0, node, -1)]


def stitch(
    identifiers: Mapping[str, Any],
    *,
    kinds: Mapping[str, str] | None = None,
    gmail_dots: bool = False,
    use_scipy: bool = True,
) -> Stitching:
    """Group rows into persons: rows sharing any identifier value are one person.

    Parameters
    ----------
    identifiers : mapping of str to array-like
        Identifier columns of equal length (cookie id, email, user id, phone, CRM
        id...); None/NaN/blank where a row lacks that identifier.
    kinds : mapping of str to {"id", "email", "phone"}, optional
        How to normalize each column. Unlisted columns: ``"email"`` when the name
        contains "mail", ``"phone"`` when it contains "phone", "mobile" or "tel",
        else ``"id"``.
    gmail_dots : bool
        Also drop dots and ``+tags`` of Gmail addresses (off by default; see module).
    use_scipy : bool
        Use ``scipy.sparse.csgraph`` when importable (the numpy path gives the same
        partition).

    Returns
    -------
    Stitching

    Raises
    ------
    ValueError
        When the columns differ in length, no column is given, or a kind is unknown.

    Examples
    --------
    >>> s = stitch({
    ...     "cookie": ["c1", "c1", "c2", "c3", None],
    ...     "email": [None, "Ann@x.io", " ann@x.io", None, None],
    ... })
    >>> s.person.tolist(), s.n_persons, s.identities_merged
    ([0, 0, 0, 1, -1], 2, 2)
    """
    if not identifiers:
        raise ValueError("stitch needs at least one identifier column")
    names = tuple(identifiers)
    kinds = dict(kinds or {})
    kind_list = tuple(kinds.get(c, identifier_kind(c)) for c in names)
    for c, k in zip(names, kind_list, strict=True):
        if k not in KINDS:
            raise ValueError(f"kind of {c!r} must be one of {', '.join(KINDS)}; got {k!r}")
    n = -1
    keys: list[npt.NDArray[Any]] = []
    nodes: list[IntArray] = []
    offset = 0
    for c, k in zip(names, kind_list, strict=True):
        col_keys, codes = _normalize_column(identifiers[c], k, c, gmail_dots)
        if n < 0:
            n = codes.size
        elif codes.size != n:
            raise ValueError(f"identifier {c!r} has {codes.size} rows, expected {n}")
        keys.append(col_keys)
        nodes.append(np.where(codes >= 0, codes + offset, -1))
        offset += col_keys.size
    n_nodes = offset
    first = np.full(n, -1, dtype=np.int64)
    for col in nodes:
        np.copyto(first, col, where=first < 0)
    a_parts, b_parts = [], []
    for col in nodes:
        link = (col >= 0) & (col != first)
        a_parts.append(first[link])
        b_parts.append(col[link])
    a = np.concatenate(a_parts) if a_parts else np.zeros(0, np.int64)
    b = np.concatenate(b_parts) if b_parts else np.zeros(0, np.int64)
    label = connected_components(n_nodes, a, b, use_scipy)
    row_label = first.copy()
    has = first >= 0
    row_label[has] = label[first[has]]
    person, n_persons = dense_first_seen(row_label)
    # Person of every node: through any row holding it (every node occurs on a row).
    node_person = np.full(n_nodes, -1, dtype=np.int64)
    for col in nodes:
        ok = col >= 0
        node_person[col[ok]] = person[ok]
    per_col = [node_person[o : o + kk.size] for o, kk in zip(_offsets(keys), keys, strict=True)]
    counts = (
        np.stack([np.bincount(p, minlength=n_persons) for p in per_col], axis=1).astype(np.int64)
        if n_persons
        else np.zeros((0, len(names)), np.int64)
    )
    merged = np.flatnonzero(counts.sum(axis=1) > 1)
    rows = np.bincount(person[person >= 0], minlength=n_persons)
    groups = MergeGroups(
        columns=names,
        person=merged.astype(np.int64),
        rows=rows[merged].astype(np.int64),
        values=counts[merged],
    )
    return Stitching(
        person=person,
        n_persons=n_persons,
        identities_merged=int(n_nodes - n_persons),
        groups=groups,
        columns=names,
        kinds=kind_list,
        gmail_dots=gmail_dots,
        keys=tuple(keys),
        node_person=tuple(per_col),
    )


def _offsets(keys: Sequence[npt.NDArray[Any]]) -> list[int]:
    out, total = [], 0
    for k in keys:
        out.append(total)
        total += k.size
    return out


@attrs.frozen(eq=False)
class Deduplication:
    """Result of :func:`deduplicate`.

    Attributes
    ----------
    keep : bool ndarray
        True for the rows to keep.
    duplicate_of : int64 ndarray
        For a removed row, the kept row it duplicates (-1 for kept rows).
    n_removed : int
        Rows removed.
    """

    keep: npt.NDArray[np.bool_]
    duplicate_of: IntArray
    n_removed: int


def _key_codes(columns: Sequence[Any], n: int) -> IntArray:
    """One int64 code per row for the tuple of key columns (None is a value)."""
    code = np.zeros(n, dtype=np.int64)
    for k, col in enumerate(columns):
        uniq, inverse, _ = distinct_strings(col, f"key[{k}]")
        if inverse.size != n:
            raise ValueError(f"key column {k} has {inverse.size} rows, expected {n}")
        code = code * (len(uniq) + 1) + (inverse + 1)  # -1 (None) becomes 0
        if k < len(columns) - 1:  # keep codes small: renumber the tuples seen so far
            code = np.unique(code, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return code


def deduplicate(
    person: Any,
    timestamp: Any,
    keys: Sequence[Any],
    *,
    window: Any,
    unit: str | None = None,
) -> Deduplication:
    """Mark repeated touches: same person, same key (source/channel), close in time.

    Rows are ordered by (person, key, time, row). A touch is a duplicate when the
    previous touch of the same person and key is at most ``window`` earlier; the
    first touch of each such run is kept. A burst whose gaps are all within the window
    therefore keeps only its first touch. Rows with person -1 or no time are kept.

    Parameters
    ----------
    person : array-like of int
        Person of every row (:attr:`Stitching.person`).
    timestamp : array-like
        Touch times (anything :mod:`touchcredit.hygiene.timestamps` reads; datetime64 is fastest).
    keys : sequence of array-like of str or None
        Columns that must be equal (e.g. ``[source, channel]``).
    window : datetime.timedelta, numpy.timedelta64 or seconds
        Largest gap between duplicates (0: same instant only).
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch-number times (inferred from their magnitude when None).

    Returns
    -------
    Deduplication

    Raises
    ------
    ValueError
        When columns differ in length or the window is negative.

    Examples
    --------
    >>> d = deduplicate([0, 0, 0, 1], [0, 60, 7200, 0], [["ads", "ads", "ads", "ads"]],
    ...                 window=300, unit="s")
    >>> d.keep.tolist(), d.duplicate_of.tolist(), d.n_removed
    ([True, False, True, True], [-1, 0, -1, -1], 1)
    """
    pid = np.asarray(person, dtype=np.int64).reshape(-1)
    n = pid.size
    ts = to_datetime64(timestamp, field="timestamp", unit=unit, allow_missing=True)
    ts = ts.view(np.int64)
    if ts.size != n:
        raise ValueError(f"'timestamp' has {ts.size} rows, expected {n}")
    w = int(to_timedelta64(window, field="window").view(np.int64))
    if w < 0:
        raise ValueError(f"'window' must be >= 0, got {window!r}")
    code = _key_codes(keys, n)
    usable = (pid >= 0) & (ts != np.iinfo(np.int64).min)
    rows = np.arange(n, dtype=np.int64)
    order = np.lexsort((rows, ts, code, pid))
    p, c, t = pid[order], code[order], ts[order]
    ok = usable[order]
    dup = np.zeros(n, dtype=bool)
    if n > 1:
        dup[1:] = (p[1:] == p[:-1]) & (c[1:] == c[:-1]) & (t[1:] - t[:-1] <= w) & ok[1:] & ok[:-1]
    run = np.cumsum(~dup) - 1
    head = order[~dup][run]
    keep = np.empty(n, dtype=bool)
    keep[order] = ~dup
    duplicate_of = np.full(n, -1, dtype=np.int64)
    duplicate_of[order[dup]] = head[dup]
    return Deduplication(keep=keep, duplicate_of=duplicate_of, n_removed=int(dup.sum()))
