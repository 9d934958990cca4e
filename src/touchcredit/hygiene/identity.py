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

Blank and missing values link nothing, and neither do placeholders (``n/a``,
``test@test.com``, ``000-000-0000``) or a value shared by more than ``max_journeys``
journeys (:mod:`touchcredit.hygiene.placeholders`).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray
from touchcredit.core.columns import as_object_array
from touchcredit.core.factorize import argsort_values
from touchcredit.core.graph import connected_components
from touchcredit.core.mapping import identifier_kind
from touchcredit.hygiene import placeholders
from touchcredit.hygiene.dedupe import Deduplication, deduplicate, deduplicate_codes
from touchcredit.hygiene.placeholders import IgnoredIdentifiers, no_ignored
from touchcredit.hygiene.text_codes import TextCodes, factorize_text

__all__ = [
    "Deduplication",
    "MergeGroups",
    "Stitching",
    "deduplicate",
    "deduplicate_codes",
    "normalize_email",
    "normalize_identifier",
    "normalize_phone",
    "stitch",
]

KINDS = ("id", "email", "phone")
#: Default of ``stitch(max_journeys=)``: a value on more journeys is shared, not a person's.
MAX_JOURNEYS = 100


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


def normalize_identifier(value: Any, kind: str, *, gmail_dots: bool = False) -> str | None:
    """The comparison key of one identifier value of ``kind`` (None: links nothing).

    Examples
    --------
    >>> normalize_identifier(" 0042 ", "id"), normalize_identifier(42, "id")
    ('0042', '42')
    >>> normalize_identifier("Ann@X.io ", "email"), normalize_identifier("  ", "id")
    ('ann@x.io', None)
    """
    text = value if isinstance(value, str) else str(value)
    if kind == "email":
        return normalize_email(text, gmail_dots=gmail_dots)
    if kind == "phone":
        return normalize_phone(text)
    return text.strip() or None


@attrs.frozen(eq=False)
class _Column:
    """One identifier column: each row's node (-1: none) and the key -> node table."""

    node: IntArray
    keys: dict[str, int] | IntArray  # text keys, or the sorted keys of an integer column

    @property
    def size(self) -> int:
        return len(self.keys)


def _identifier_column(values: Any, kind: str, field: str, gmail_dots: bool) -> _Column:
    """Nodes of one column: each distinct value normalized once, equal keys one node."""
    arr = values if isinstance(values, TextCodes) else as_object_array(values, field=field)
    if isinstance(arr, np.ndarray) and kind == "id" and arr.dtype.kind in "iu":
        keys, inv = np.unique(arr, return_inverse=True)
        return _Column(inv.reshape(-1).astype(np.int64), keys.astype(np.int64, copy=False))
    col = arr if isinstance(arr, TextCodes) else factorize_text(arr, field=field)
    values = col.values.tolist()
    if kind == "id":  # the common case, inlined: trimmed text
        normed = [(v if isinstance(v, str) else str(v)).strip() or None for v in values]
    else:
        normed = [normalize_identifier(v, kind, gmail_dots=gmail_dots) for v in values]
    if all(map(operator.is_, normed, values)):  # nothing to trim: keys are the values
        same: dict[str, int] = dict(zip(values, range(len(values)), strict=True))
        return _Column(col.codes, same)
    index: dict[str, int] = {}
    lookup = np.fromiter(
        (-1 if k is None else index.setdefault(k, len(index)) for k in normed),
        dtype=np.int64,
        count=len(normed),
    )
    return _Column(np.append(lookup, -1)[col.codes], index)


def _node_of(keys: dict[str, int], key: str | None) -> int:
    return -1 if key is None else keys.get(key, -1)


def _as_int(value: Any) -> int | None:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        return None


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
        Person id of every row, -1 for a row without any identifier. Persons are
        numbered 0.. in the order of their smallest identifier value (first column
        first, then text order), so the numbers do not depend on the row order.
    n_persons : int
        Number of persons.
    identities_merged : int
        Distinct identifier values minus persons: how many identities were folded
        into another one.
    groups : MergeGroups
        The persons made of more than one identifier value.
    ignored : touchcredit.hygiene.placeholders.IgnoredIdentifiers
        Placeholder and shared values that linked nothing, with their row counts.
    unusable : bool ndarray
        Rows that had identifier values, all of them ignored (their person is -1).
    """

    person: IntArray
    n_persons: int
    identities_merged: int
    groups: MergeGroups
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    gmail_dots: bool
    _keys: tuple[dict[str, int] | IntArray, ...] = attrs.field(repr=False)
    _node_person: tuple[IntArray, ...] = attrs.field(repr=False)
    ignored: IgnoredIdentifiers = attrs.field(factory=no_ignored)
    unusable: npt.NDArray[np.bool_] = attrs.field(factory=lambda: np.zeros(0, dtype=bool))

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
        if isinstance(keys, np.ndarray):  # an integer column: compare as integers
            parsed = [_as_int(v) for v in as_object_array(values, field=column).tolist()]
            ok = np.array([v is not None for v in parsed], dtype=bool)
            ints = np.array([0 if v is None else v for v in parsed], dtype=np.int64)
            if keys.size == 0:
                return np.full(ints.size, -1, dtype=np.int64)
            pos = np.minimum(np.searchsorted(keys, ints), keys.size - 1)
            return self._person_of(k, np.where(ok & (keys[pos] == ints), pos, -1))
        query = factorize_text(values, field=column)
        kind, dots = self.kinds[k], self.gmail_dots
        node = [
            _node_of(keys, normalize_identifier(v, kind, gmail_dots=dots)) for v in query.values
        ]
        return self._person_of(k, query.per_row(np.array(node, dtype=np.int64), -1))

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
    ignore_placeholders: bool = True,
    max_journeys: int | None = MAX_JOURNEYS,
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
        Use ``scipy.sparse.csgraph`` when already imported (the numpy path gives the
        same partition at about the same speed, without the import).
    ignore_placeholders : bool
        Link nothing through placeholder values (``n/a``, ``test@test.com``,
        ``000-000-0000``: :func:`touchcredit.hygiene.placeholders.is_placeholder`).
    max_journeys : int, optional
        Link nothing through a value of a later column found with more than this many
        distinct values of the first (journey) column (None: no limit). Ignored values
        are listed in ``Stitching.ignored``.

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
    keys, local = _columns(identifiers, names, kind_list, gmail_dots)
    n = local[0].size
    had = np.zeros(n, dtype=bool)
    for codes in local:
        had |= codes >= 0
    local, ignored = placeholders.ignore(
        local, keys, names, kind_list, placeholders=ignore_placeholders, max_journeys=max_journeys
    )
    nodes: list[IntArray] = []
    offset = 0
    for codes, kk in zip(local, keys, strict=True):
        nodes.append(np.where(codes >= 0, codes + offset, -1))
        offset += len(kk)
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
    # scipy only when already imported: importing it costs more than the numpy path.
    label = connected_components(n_nodes, a, b, use_scipy and "scipy.sparse" in sys.modules)
    person, n_persons = _persons(label, first, keys)
    # Person of every node: through any row holding it (every node occurs on a row).
    node_person = np.full(n_nodes, -1, dtype=np.int64)
    for col in nodes:
        ok = col >= 0
        node_person[col[ok]] = person[ok]
    per_col = [node_person[o : o + len(kk)] for o, kk in zip(_offsets(keys), keys, strict=True)]
    counts = (
        np.stack([np.bincount(p[p >= 0], minlength=n_persons) for p in per_col], axis=1).astype(
            np.int64
        )
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
        identities_merged=int(n_nodes - len(ignored) - n_persons),
        groups=groups,
        columns=names,
        kinds=kind_list,
        gmail_dots=gmail_dots,
        keys=tuple(keys),
        node_person=tuple(per_col),
        ignored=ignored,
        unusable=had & (person < 0),
    )


def _columns(
    identifiers: Mapping[str, Any], names: Sequence[str], kinds: Sequence[str], gmail_dots: bool
) -> tuple[list[dict[str, int] | IntArray], list[IntArray]]:
    """Each column's keys and each row's value number in it; columns of equal length."""
    keys: list[dict[str, int] | IntArray] = []
    local: list[IntArray] = []
    for c, k in zip(names, kinds, strict=True):
        column = _identifier_column(identifiers[c], k, c, gmail_dots)
        if local and column.node.size != local[0].size:
            raise ValueError(
                f"identifier {c!r} has {column.node.size} rows, expected {local[0].size}"
            )
        keys.append(column.keys)
        local.append(column.node)
    return keys, local


def _persons(
    label: IntArray, first: IntArray, keys: Sequence[dict[str, int] | IntArray]
) -> tuple[IntArray, int]:
    """Person of every row from its first node's component, numbered by the component's
    smallest (column, sorted key): the same persons in the same order for any row order
    (numbering by first appearance made the journeys' order, and the models' sums,
    depend on it)."""
    n_nodes = int(label.size)
    node_key = np.empty(n_nodes, dtype=np.int64)
    for o, kk in zip(_offsets(keys), keys, strict=True):
        if isinstance(kk, np.ndarray):  # an integer column's keys are sorted
            node_key[o : o + kk.size] = np.arange(o, o + kk.size)
        elif kk:
            perm = argsort_values(np.array(list(kk), dtype=object))
            node_key[o + perm] = np.arange(o, o + perm.size)
    smallest = np.full(n_nodes + 1, n_nodes, dtype=np.int64)
    np.minimum.at(smallest, label, node_key)
    person = np.full(first.size, -1, dtype=np.int64)
    has = first >= 0
    row_key = smallest[label[first[has]]]
    used = np.zeros(n_nodes + 1, dtype=bool)
    used[row_key] = True
    rank = np.cumsum(used) - 1
    person[has] = rank[row_key]
    return person, int(used.sum())


def _offsets(keys: Sequence[dict[str, int] | IntArray]) -> list[int]:
    out, total = [], 0
    for k in keys:
        out.append(total)
        total += len(k)
    return out
