"""Amounts typed as text: thousands separators and decimal marks, decided per column.

Exports write ``1,200.50`` (en-US), ``1.200,50`` (de-DE), ``1 200,50`` (fr-FR) or
``1200.5``. Reading each value alone gets some wrong: ``float("1.200")`` is 1.2 where a
German export meant 1,200. The rule, decided once for the whole column:

1. Spaces (also no-break and thin spaces) and ``'`` between digits are thousands
   separators, always.
2. A value *shows* its decimal mark when it holds both ``.`` and ``,`` (the last one is
   the decimal mark), one separator twice (``1.200.000``: the other one is the decimal
   mark), or one separator not followed by exactly three digits (``1.5``, ``99,90``,
   ``0.125``: a leading ``0`` is never a thousands group).
3. The column's decimal mark is the one its values show. Values showing different
   marks are an error naming one row of each.
4. A value such as ``1.200`` or ``1,200`` (one separator, three digits after it) is read
   with the column's mark; in a column that shows none, its separator is a thousands
   separator (1200): an amount with exactly three decimals is rarer than a thousands
   separator.

Values that are not numbers in this form (``n/a``, ``12 EUR``) are left as they are, for
the caller to reject with their row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from touchcredit.core.arrays import ObjectArray

__all__ = ["AmountError", "decimal_mark", "normalize_amounts"]


_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009'](?=\d)")
_SHAPE = re.compile(r"^[+-]?(?:\d[\d.,]*|[.,]\d+)$")
_GROUPED = re.compile(r"^[1-9]\d{0,2}$")


class AmountError(ValueError):
    """A text amount column whose decimal mark cannot be decided; names column and rows."""


def _shown(text: str) -> str | None:
    """The decimal mark a value shows ('.', ',' or None: plain or ambiguous)."""
    body = text.lstrip("+-")
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        return "." if body.rfind(".") > body.rfind(",") else ","
    if dots + commas == 0:
        return None
    sep = "." if dots else ","
    if dots + commas > 1:
        return "," if sep == "." else "."
    head, tail = body.split(sep)
    if len(tail) != 3 or not _GROUPED.match(head):
        return sep
    return None  # 1.200: a thousands group or three decimals


def decimal_mark(values: Sequence[Any], *, column: str) -> str | None:
    """The decimal mark of a text amount column (None: no value shows one).

    Raises
    ------
    AmountError
        When values show different marks, naming one row (1-based) of each.

    Examples
    --------
    >>> decimal_mark(["1.200", "99,90"], column="Amount")
    ','
    >>> decimal_mark(["1.5", "2,25"], column="Amount")
    Traceback (most recent call last):
    ...
    touchcredit.hygiene.amounts.AmountError: 'Amount' uses both '.' (row 1: '1.5') and ',' \
(row 2: '2,25') as the decimal mark; export the amounts with one decimal mark
    """
    seen: dict[str, tuple[int, str]] = {}
    for i, v in enumerate(values):
        if not isinstance(v, str):
            continue
        text = _SPACES.sub("", v.strip())
        if not _SHAPE.match(text):
            continue
        mark = _shown(text)
        if mark is not None and mark not in seen and _plain(text, mark) is not None:
            seen[mark] = (i, v)
    if len(seen) > 1:
        (r1, v1), (r2, v2) = seen["."], seen[","]
        raise AmountError(
            f"{column!r} uses both '.' (row {r1 + 1}: {v1!r}) and ',' (row {r2 + 1}: {v2!r}) "
            "as the decimal mark; export the amounts with one decimal mark"
        )
    return next(iter(seen), None)


def _plain(text: str, mark: str | None) -> str | None:
    """``text`` as ``[-]digits[.digits]`` under the column's mark (None: not an amount)."""
    body = _SPACES.sub("", text.strip())
    if not _SHAPE.match(body):
        return None
    sign = "-" if body.startswith("-") else ""
    body = body.lstrip("+-")
    whole, frac = body.rsplit(mark, 1) if mark is not None and mark in body else (body, "")
    if "." in frac or "," in frac:
        return None
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1:  # thousands groups, one separator: 1-3 digits, then threes
        if len(set(re.findall(r"[.,]", whole))) > 1 or not _GROUPED.match(groups[0]):
            return None
        if any(len(g) != 3 for g in groups[1:]):
            return None
    digits = "".join(groups)
    if not digits and not frac:
        return None
    return sign + (digits or "0") + (f".{frac}" if frac else "")


def normalize_amounts(values: Sequence[Any], *, column: str) -> ObjectArray:
    """Text amounts rewritten as ``1200.5`` under the column's rule (module docstring);
    other values (numbers, None, text that is not an amount) are kept as they are.

    Examples
    --------
    >>> normalize_amounts(["1.200", "1.200,50", None, "n/a", 3.5], column="Amount").tolist()
    ['1200', '1200.50', None, 'n/a', 3.5]
    >>> normalize_amounts(["1,200", "2 500"], column="spend").tolist()
    ['1200', '2500']
    >>> normalize_amounts(["1.200", "99.5"], column="Amount").tolist()
    ['1.200', '99.5']
    """
    mark = decimal_mark(values, column=column)
    out = np.empty(len(values), dtype=object)
    cache: dict[str, Any] = {}
    for i, v in enumerate(values):
        if isinstance(v, str):
            if v not in cache:
                plain = _plain(v, mark)
                cache[v] = v if plain is None else plain
            out[i] = cache[v]
        else:
            out[i] = v
    return out
