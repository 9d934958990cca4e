"""Day/month order of numeric dates (``01/05/2024``), decided once per column.

``01/05/2024`` is 1 May in most of the world and 5 January in the United States; the
value alone cannot tell. A column is written by one system in one convention, so the
order is decided once for the whole column, from the values that settle it, and then
applies to every value:

* ``dayfirst=True`` or ``False`` decides it; a value that cannot be read that way
  (``13/05/2024`` month first) is rejected, naming the rule, never swapped;
* otherwise (``dayfirst=None``) a value whose first number is over 12 (``13/05/2024``)
  says day first, one whose second number is over 12 (``05/13/2024``) month first; a
  column holding both is an error naming one row of each (1-based);
* a column with no such value is read day first when its dates are dotted
  (``1.5.2024``, the European spelling) and month first otherwise (``03/04/2024``
  is 4 March, as in US exports).

Only dates written as two numbers then a year (``d/m/y``, ``d.m.y``, ``d-m-y``; a
year of two or four digits) take part; ISO dates (``2024-05-01``), year-first dates
(``2024/05/01``) and dates with a month name are read as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

__all__ = ["DayOrder", "DayOrderConflict", "decide_order"]

_NUMERIC = re.compile(r"\s*(\d{1,2})([/.-])(\d{1,2})\2(?:\d{4}|\d{2})(?!\d)")


class DayOrderConflict(ValueError):
    """A column whose values say day first and month first both."""


@attrs.frozen
class DayOrder:
    """The order decided for a column's numeric dates.

    ``dayfirst`` is the order; ``numeric`` the indices of the values it applies to;
    ``rejects`` maps the index of a value that cannot be read in that order to why.
    """

    dayfirst: bool
    numeric: frozenset[int]
    rejects: dict[int, str]


def decide_order(texts: Sequence[str], rows: Sequence[int], dayfirst: bool | None) -> DayOrder:
    """Decide the day/month order of ``texts`` (one column's distinct values).

    ``rows[k]`` is the 0-based row where ``texts[k]`` first appears (for the error).

    Raises
    ------
    DayOrderConflict
        When ``dayfirst`` is None and the column holds values of both orders.

    Examples
    --------
    >>> decide_order(["01/05/2024", "13/05/2024"], [0, 1], None).dayfirst
    True
    >>> decide_order(["1.5.2024"], [0], None).dayfirst
    True
    >>> decide_order(["03/04/2024", "2024-05-01"], [0, 1], None)
    DayOrder(dayfirst=False, numeric=frozenset({0}), rejects={})
    >>> decide_order(["13/05/2024", "05/13/2024"], [4, 8], None)
    Traceback (most recent call last):
    ...
    touchcredit.core.time.order.DayOrderConflict: the day/month order contradicts \
itself: row 5 ('13/05/2024') is day first, row 9 ('05/13/2024') is month first; pass \
dayfirst=True or dayfirst=False to choose
    """
    numeric: dict[int, tuple[int, int, str]] = {}
    for k, text in enumerate(texts):
        match = _NUMERIC.match(text)
        if match is not None:
            numeric[k] = (int(match.group(1)), int(match.group(3)), match.group(2))
    day = [k for k, (a, b, _) in numeric.items() if a > 12 >= b]
    month = [k for k, (a, b, _) in numeric.items() if b > 12 >= a]
    if dayfirst is None:
        if day and month:
            d = min(day, key=lambda k: rows[k])
            m = min(month, key=lambda k: rows[k])
            raise DayOrderConflict(
                f"the day/month order contradicts itself: row {rows[d] + 1} ({texts[d]!r}) "
                f"is day first, row {rows[m] + 1} ({texts[m]!r}) is month first; pass "
                "dayfirst=True or dayfirst=False to choose"
            )
        if day or month:
            dayfirst = bool(day)
        else:
            dayfirst = bool(numeric) and all(sep == "." for _, _, sep in numeric.values())
    wrong = month if dayfirst else day
    what = "day first (dayfirst=True)" if dayfirst else "month first (dayfirst=False)"
    rejects = {
        k: f"{texts[k]!r} cannot be read {what}: {max(numeric[k][:2])} is not a month"
        for k in wrong
    }
    return DayOrder(dayfirst, frozenset(numeric), rejects)
