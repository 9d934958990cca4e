"""Running a model on journeys: results, exact money, source roles and bootstrap intervals.

:func:`attribute` and :func:`compare` return immutable results
(:class:`Attribution`, :class:`CreditTable`, :class:`Comparison`); money in exact
minor units lives in :mod:`~touchcredit.attribution.money`, source roles in
:mod:`~touchcredit.attribution.roles`, bootstrap intervals in
:mod:`~touchcredit.attribution.uncertainty`.
"""

from touchcredit.attribution.comparison import compare
from touchcredit.attribution.results import (
    Attribution,
    Comparison,
    CreditTable,
    Unattributed,
    attribute,
)

__all__ = ["Attribution", "Comparison", "CreditTable", "Unattributed", "attribute", "compare"]
