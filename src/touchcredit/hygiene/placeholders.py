"""Identifier values that do not mean a person: placeholders and widely shared values.

CRM and form exports fill required fields with stand-ins: ``000-000-0000``,
``test@test.com``, ``n/a``, ``unknown``. Stitching on them joins every lead that
carries one into a single person (1,000 unrelated leads with the phone
``000-000-0000`` became one journey, and first touch gave all their money to one
source). :func:`touchcredit.hygiene.identity.stitch` therefore uses neither

* a **placeholder** (:func:`is_placeholder`): a value that says "no value" in words
  (``n/a``, ``none``, ``null``, ``unknown``, ``-``, ``(not set)``...; digits alone such
  as ``0`` only in a phone or an email, never as an id), an email
  at a stand-in domain (``test.com``, ``noemail.com``, ``*.invalid``, ``*.test``;
  not ``example.com``, which documentation and sample data use for real-looking people)
  or a ``noreply`` mailbox, or a phone number whose digits are all one digit
  (``000-000-0000``) or count up (``1234567890``); nor
* a **shared** value: an identifier (other than the journey column) found on the rows
  of more than ``max_journeys`` distinct journey ids (a role address such as
  ``sales@acme.com`` typed by a whole team).

Neither links anything; the cleaning report lists each with its row count
(:class:`IgnoredIdentifiers`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import IntArray

__all__ = [
    "NO_VALUE",
    "IgnoredIdentifiers",
    "ignore",
    "is_placeholder",
    "no_ignored",
    "placeholder_mask",
]


#: Words that stand for "no value" in an identifier field (compared trimmed, lower case).
NO_VALUE = frozenset(
    [
        "",
        "-",
        "--",
        "---",
        ".",
        "?",
        "0",
        "00",
        "000",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "unknown",
        "undefined",
        "not set",
        "(not set)",
        "not provided",
        "(not provided)",
        "(none)",
        "no email",
        "noemail",
        "no phone",
        "nophone",
        "test",
        "anonymous",
        "x",
        "xx",
        "xxx",
        "tbd",
        "missing",
        "empty",
        "blank",
        "default",
    ]
)
_DOMAINS = frozenset(
    [
        "test.com",
        "none.com",
        "noemail.com",
        "no-email.com",
        "nomail.com",
        "na.com",
        "domain.com",
        "invalid",
        "localhost",
    ]
)
_SUFFIXES = (".invalid", ".test", ".example", ".localhost")
_MAILBOXES = frozenset({"noreply", "no-reply", "donotreply", "do-not-reply", "no_reply"})
#: An id placeholder is a NO_VALUE word as typed in lower, upper, title or sentence case.
#: Digits alone (``0``, ``00``) are not: sequential ids start at 0, and user 0 is a person.
_ID_WORDS = frozenset(
    f(w)
    for w in NO_VALUE
    if not w.isdigit()
    for f in (str.lower, str.upper, str.title, str.capitalize)
)
_EMAIL_STARTS = tuple(sorted(f"{w}@" for w in (NO_VALUE | _MAILBOXES) if w))
_EMAIL_ENDS = tuple(sorted({f"@{d}" for d in _DOMAINS} | set(_SUFFIXES)))
_PHONES = frozenset(
    {d * n for d in "0123456789" for n in range(1, 21)}
    | {"01234567890"[i:j] for i in range(11) for j in range(i + 6, 12)}
)


def is_placeholder(key: str, kind: str) -> bool:
    """Whether a normalized identifier ``key`` of ``kind`` is a stand-in, not a person.

    ``key`` is the comparison key :func:`~touchcredit.hygiene.identity.normalize_identifier`
    gives (trimmed text, a lower-cased email, a phone's digits). An id is a placeholder
    when it is a :data:`NO_VALUE` word (in lower, upper, title or sentence case); an
    email when it is one, or its mailbox is one (``n/a@``, ``test@``, ``noreply@``), or
    its domain is a stand-in (``test.com``, ``noemail.com``, ``*.invalid``, ``*.test``);
    a phone when its digits are one digit repeated or count up (``123456``).

    Examples
    --------
    >>> is_placeholder("N/A", "id"), is_placeholder("0042", "id"), is_placeholder("0", "id")
    (True, False, False)
    >>> is_placeholder("test@test.com", "email"), is_placeholder("ann@x.io", "email")
    (True, False)
    >>> is_placeholder("0000000000", "phone"), is_placeholder("15550109999", "phone")
    (True, False)
    """
    if kind == "email":
        return key in NO_VALUE or key.startswith(_EMAIL_STARTS) or key.endswith(_EMAIL_ENDS)
    if kind == "phone":
        return key in _PHONES or key in NO_VALUE
    return key in _ID_WORDS


def placeholder_mask(keys: Collection[str], kind: str) -> npt.NDArray[np.bool_]:
    """:func:`is_placeholder` of every key (in iteration order), without a Python call
    per key: ids and phones by one set intersection, emails by ``startswith`` and
    ``endswith`` on tuples.

    Examples
    --------
    >>> placeholder_mask(["ann@x.io", "noreply@shop.io", "a@b.invalid"], "email").tolist()
    [False, True, True]
    """
    if kind == "email":
        hit = {k for k in keys if k.startswith(_EMAIL_STARTS) or k.endswith(_EMAIL_ENDS)}
        hit |= NO_VALUE.intersection(keys)
    else:
        words = _PHONES | NO_VALUE if kind == "phone" else _ID_WORDS
        hit = set(words.intersection(keys))
    if not hit:
        return np.zeros(len(keys), dtype=bool)
    return np.fromiter((k in hit for k in keys), dtype=bool, count=len(keys))


@attrs.frozen(eq=False)
class IgnoredIdentifiers:
    """Identifier values not used for stitching, with why and on how many rows.

    Attributes
    ----------
    columns, values, reasons : tuple of str
        The identifier column, the value as found on its first row, and
        ``"placeholder"`` or ``"shared by N journeys"``, per ignored value.
    rows : int64 ndarray
        Rows holding each value.

    Examples
    --------
    >>> ig = IgnoredIdentifiers(("phone",), ("000-000-0000",), ("placeholder",),
    ...                         np.array([1000]))
    >>> print(ig)
    'phone' '000-000-0000': placeholder, 1,000 rows
    """

    columns: tuple[str, ...]
    values: tuple[str, ...]
    reasons: tuple[str, ...]
    rows: IntArray

    def __len__(self) -> int:
        return len(self.values)

    def __str__(self) -> str:
        items = zip(self.columns, self.values, self.reasons, self.rows.tolist(), strict=True)
        return "\n".join(f"{c!r} {v!r}: {why}, {int(n):,} rows" for c, v, why, n in items)


def no_ignored() -> IgnoredIdentifiers:
    """An empty :class:`IgnoredIdentifiers`."""
    return IgnoredIdentifiers((), (), (), np.zeros(0, np.int64))


def ignore(
    codes: list[IntArray],
    keys: Sequence[Collection[str] | IntArray],
    names: Sequence[str],
    kinds: Sequence[str],
    *,
    placeholders: bool,
    max_journeys: int | None,
) -> tuple[list[IntArray], IgnoredIdentifiers]:
    """Identifier codes (-1: none) with placeholder and shared values set to -1.

    ``codes[k]`` holds each row's value number in column ``k`` (numbered as ``keys[k]``
    iterates); the first column is the journey's. A value of a later column is shared
    when its rows hold more than ``max_journeys`` distinct journey values.
    """
    if not placeholders and max_journeys is None:
        return codes, no_ignored()
    out: list[IntArray] = []
    found: list[tuple[str, str, str, int]] = []
    journey = codes[0]
    span = max(int(journey.max(initial=-1)), 0) + 1
    for k, (col, kk, name, kind) in enumerate(zip(codes, keys, names, kinds, strict=True)):
        bad = np.zeros(len(kk), dtype=bool)
        why = np.full(len(kk), "placeholder", dtype=object)
        if placeholders:
            bad |= (kk == 0) if isinstance(kk, np.ndarray) else placeholder_mask(kk, kind)
        if max_journeys is not None and k > 0 and len(kk):
            both = (col >= 0) & (journey >= 0)
            pairs = np.unique(col[both] * span + journey[both])
            spread = np.bincount(pairs // span, minlength=len(kk))
            shared = (spread > max_journeys) & ~bad
            why[shared] = [f"shared by {int(s):,} journeys" for s in spread[shared].tolist()]
            bad |= shared
        if not bad.any():
            out.append(col)
            continue
        rows = np.bincount(col[col >= 0], minlength=len(kk))
        values = kk.tolist() if isinstance(kk, np.ndarray) else list(kk)
        found += [(name, str(values[i]), str(why[i]), int(rows[i])) for i in np.flatnonzero(bad)]
        out.append(np.where((col >= 0) & bad[np.maximum(col, 0)], -1, col))
    if not found:
        return out, no_ignored()
    found.sort(key=lambda f: (-f[3], f[0], f[1]))
    cols, vals, whys, rows_ = zip(*found, strict=True)
    return out, IgnoredIdentifiers(cols, vals, whys, np.array(rows_, dtype=np.int64))
