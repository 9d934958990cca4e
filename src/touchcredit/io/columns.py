"""One :class:`~touchcredit.ColumnMap` from ``columns=`` and the shorthand keywords.

The out-of-core and Spark runners take ``columns: ColumnMap | None`` plus the
shorthand keywords of :meth:`JourneySet.from_frame <touchcredit.JourneySet.from_frame>`
(``journey=``, ``timestamp=``, ``channel=``...). A keyword left at None is not given:
the column comes from ``columns`` (or the :class:`~touchcredit.ColumnMap` default).
A keyword that is given wins over ``columns``. To say that a table has no channel
column, pass ``columns=ColumnMap(channel=None)``.
"""

from __future__ import annotations

from touchcredit.core.mapping import ColumnMap

__all__ = ["SHORTHAND", "resolve_columns"]

#: The shorthand keywords, in the order of :class:`~touchcredit.ColumnMap`.
SHORTHAND = (
    "journey",
    "timestamp",
    "channel",
    "source",
    "campaign",
    "method",
    "conversion_journey",
    "conversion_time",
    "conversion_value",
    "lead_created_at",
    "opportunity_created_at",
    "closed_at",
)


def resolve_columns(columns: ColumnMap | None, **shorthand: str | None) -> ColumnMap:
    """The column mapping of ``columns`` with the given shorthand keywords applied.

    Parameters
    ----------
    columns : ColumnMap, optional
        The mapping (``ColumnMap()``'s defaults when None).
    **shorthand : str or None
        Keywords of :data:`SHORTHAND`; None means "not given".

    Returns
    -------
    ColumnMap

    Raises
    ------
    TypeError
        When ``columns`` is not a ColumnMap, or a keyword is not a shorthand name.

    Examples
    --------
    >>> resolve_columns(None, journey="person", timestamp=None).journey
    'person'
    >>> cols = ColumnMap(journey="person", channel=None)
    >>> resolve_columns(cols, source="utm_source").touch_columns(raw=False)
    {'journey': 'person', 'timestamp': 'timestamp', 'source': 'utm_source'}
    """
    if columns is not None and not isinstance(columns, ColumnMap):
        raise TypeError(
            f"columns must be a touchcredit.ColumnMap or None, got {type(columns).__name__}"
        )
    unknown = sorted(set(shorthand) - set(SHORTHAND))
    if unknown:
        raise TypeError(f"unknown column keyword(s): {', '.join(unknown)}")
    given = {k: v for k, v in shorthand.items() if v is not None}
    if columns is None:
        return ColumnMap(**given)
    return columns.replace(**given) if given else columns
