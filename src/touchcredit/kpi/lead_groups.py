"""A LeadSet's columns by name, and its grouping keys (``by=``) as integer group codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.columns import as_object_array
from touchcredit.core.dimension import DIMENSIONS, Dimension
from touchcredit.core.grouping import Groups, compact, factorize_any, local_months
from touchcredit.core.time import TimeZoneLike
from touchcredit.kpi.lead_builders import STAGE_FIELDS

if TYPE_CHECKING:
    from touchcredit.kpi.leads import LeadSet

__all__ = ["lead_column", "lead_groups"]


def lead_column(leads: LeadSet, name: str) -> npt.NDArray[Any]:
    """The column of :meth:`LeadSet.column`: labels, a stage date or an attribute.

    Examples
    --------
    >>> from touchcredit import LeadSet
    >>> ls = LeadSet.from_arrays(lead_id=[1], created_at=[0], attributes={"tier": ["a"]}, unit="s")
    >>> lead_column(ls, "tier").tolist(), lead_column(ls, "source").tolist()
    (['a'], [None])
    """
    if name in DIMENSIONS:
        dim: Dimension = getattr(leads, name)
        return dim.labels()
    if name in STAGE_FIELDS:
        out: npt.NDArray[Any] = getattr(leads, name)
        return out
    if name in leads.attributes:
        return leads.attributes[name]
    known = (*DIMENSIONS, *STAGE_FIELDS, *sorted(leads.attributes))
    raise KeyError(f"no column {name!r}; known columns: {', '.join(known)}")


def lead_groups(leads: LeadSet, by: Any, *, tz: TimeZoneLike = "UTC") -> Groups:
    """The groups of :meth:`LeadSet.groups` (see there for the keys).

    Examples
    --------
    >>> from touchcredit import LeadSet
    >>> ls = LeadSet.from_arrays(lead_id=[1, 2], created_at=[0, 0], source=["a", None], unit="s")
    >>> lead_groups(ls, "source").labels
    ('a', None)
    """
    if isinstance(by, tuple):
        return _combined(leads, by, tz)
    if isinstance(by, str):
        return _named(leads, by, tz)
    arr = as_object_array(by, field="by")
    if arr.shape[0] != leads.n_leads:
        raise ValueError(f"'by' has {arr.shape[0]} keys, expected one per lead ({leads.n_leads})")
    codes, labels = factorize_any(arr, "by")
    return Groups(codes, labels, ("key",))


def _combined(leads: LeadSet, by: tuple[Any, ...], tz: TimeZoneLike) -> Groups:
    parts = [lead_groups(leads, b, tz=tz) for b in by]
    if not parts:
        raise ValueError("'by' must name at least one key")
    n = leads.n_leads
    combined = np.zeros(n, dtype=np.int64)
    for g in parts:  # mixed-radix code; a handful of keys
        combined = combined * (g.size + 1) + (g.codes + 1)
    uniq, codes = compact(combined)
    first = np.zeros(uniq.size, dtype=np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)
    labels = tuple(
        zip(*(tuple(g.labels[c] for c in g.codes[first].tolist()) for g in parts), strict=True)
    )
    return Groups(codes, labels, tuple(name for g in parts for name in g.names))


def _named(leads: LeadSet, by: str, tz: TimeZoneLike) -> Groups:
    if by in DIMENSIONS:
        dim: Dimension = getattr(leads, by)
        k = len(dim.categories)
        codes = dim.codes.astype(np.int64)
        if (codes < 0).any():
            return Groups(np.where(codes < 0, k, codes), (*dim.categories, None), (by,))
        return Groups(codes, dim.categories, (by,))
    if by == "month":
        m = local_months(leads.created_at, tz).astype(np.int64)
        lo = int(m.min()) if m.size else 0
        uniq, codes = compact(m - lo)
        month_labels = tuple(str(x) for x in (uniq + lo).astype("datetime64[M]"))
        return Groups(codes, month_labels, (by,))
    values, labels = factorize_any(leads.column(by), by)
    return Groups(values, labels, (by,))
