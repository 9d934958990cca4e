"""Which column of a conversion table holds the value (--conversion-value).

Shared by ``touchcredit attribute`` and the export readers of :mod:`touchcredit.cli.connect`,
so neither imports the other.
"""

from __future__ import annotations

import shlex

from touchcredit.cli.common import UsageError

__all__ = ["VALUE_LIKE", "value_column"]

#: Words that make a conversion-table column look like a value (its name split at spaces,
#: punctuation and case): without --conversion-value such a column is an error, not
#: silently ignored (every conversion would count as 1).
VALUE_LIKE = ("value", "revenue", "amount", "price", "total", "sales", "sale", "gmv")


def _words(name: str) -> list[str]:
    """``" Conversion Value"`` -> ``["conversion", "value"]``."""
    return "".join(c if c.isalnum() else " " for c in name.casefold()).split()


def value_column(found: list[str], given: str | None) -> str | None:
    """The conversion value column: --conversion-value, else 'conversion_value' when present.

    Raises
    ------
    UsageError
        When neither is there but a column looks like a value (see :data:`VALUE_LIKE`).

    Examples
    --------
    >>> value_column(["id", "conversion_value"], None), value_column(["id", "amount"], "")
    ('conversion_value', None)
    >>> value_column(["id", "Conversion Value"], None)
    'Conversion Value'
    >>> value_column(["id", " Sales"], None)
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: the --conversions table has a column ' Sales' that ...
    """
    if given is not None:
        return None if given == "" else given
    if "conversion_value" in found:
        return "conversion_value"
    spelled = [c for c in found if _words(c) == ["conversion", "value"]]
    if len(spelled) == 1:  # 'Conversion Value', ' conversion-value '
        return spelled[0]
    like = [c for c in found if any(w in VALUE_LIKE for w in _words(c))]
    if like:
        raise UsageError(
            f"the --conversions table has a column {like[0]!r} that looks like the conversion "
            f"value, and --conversion-value was not given; pass --conversion-value "
            f"{shlex.quote(like[0])} "
            "to use it, or --conversion-value '' to count every conversion as 1"
        )
    return None
