"""The array types every area names, and read-only views of arrays.

One home for the aliases (``FloatArray``, ``IntArray``, ...) so that a signature reads
the same everywhere, and for :func:`read_only`, which the frozen containers
(:class:`~touchcredit.core.store.JourneySet`, :class:`~touchcredit.kpi.leads.LeadSet`,
results) use as their fields' converter, so that "frozen" holds for their arrays too.

Examples
--------
>>> a = read_only(np.arange(3.0))
>>> a[0] = -5
Traceback (most recent call last):
...
ValueError: assignment destination is read-only
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "BoolArray",
    "CodeArray",
    "FloatArray",
    "IntArray",
    "ObjectArray",
    "TimeArray",
    "read_only",
    "read_only_values",
]

#: float64 values (weights, credit, money as floats).
FloatArray = npt.NDArray[np.float64]
#: int64 indices and offsets.
IntArray = npt.NDArray[np.int64]
#: int32 category codes (-1 = not recorded).
CodeArray = npt.NDArray[np.int32]
#: Flags and masks.
BoolArray = npt.NDArray[np.bool_]
#: datetime64[us] times, UTC.
TimeArray = npt.NDArray[np.datetime64]
#: Labels and ids of mixed types.
ObjectArray = npt.NDArray[np.object_]


def read_only(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only view of ``a`` (no copy; ``a`` itself stays as it was).

    An array that is already read-only is returned as it is.

    Examples
    --------
    >>> base = np.zeros(2)
    >>> view = read_only(base)
    >>> view.flags.writeable, base.flags.writeable
    (False, True)
    """
    if not a.flags.writeable:
        return a
    view = a.view()
    view.flags.writeable = False
    return view


def read_only_values(columns: Mapping[str, npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
    """A new dict of read-only views of the arrays of ``columns``.

    Examples
    --------
    >>> read_only_values({"region": np.array(["eu"])})["region"].flags.writeable
    False
    """
    return {name: read_only(np.asarray(values)) for name, values in columns.items()}
