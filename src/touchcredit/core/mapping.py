"""ColumnMap: which columns of a user's tables hold what, said once for every entry point.

A touch table and a conversion table reach the library through many doors
(:meth:`JourneySet.from_frame`, :func:`touchcredit.clean`, the out-of-core and Spark
runners, the connectors, the command line). Each of them reads its column names from
one :class:`ColumnMap`: one spelling, one validation point, one error message.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final, Literal, TypedDict, cast

import attrs

from touchcredit.core.domain import MILESTONES

__all__ = [
    "IDENTIFIER_KINDS",
    "UNSET",
    "ColumnKeywords",
    "ColumnMap",
    "MissingColumnError",
    "Unset",
    "column_map",
    "identifier_kind",
    "require_columns",
]


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


#: Default of a column keyword that was not given (None means "no such column").
UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]

#: How an identifier column is normalised before stitching.
IDENTIFIER_KINDS = ("id", "email", "phone")

IdentifierKind = Literal["id", "email", "phone"]

#: Touch roles whose labels become JourneySet dimensions.
_LABEL_ROLES = ("channel", "source", "campaign", "method")
#: Raw hygiene inputs, read only by :func:`touchcredit.clean` and the connectors.
_RAW_ROLES = ("url", "medium", "referrer")
#: Milestone roles of the conversion table.


class MissingColumnError(ValueError):
    """A column named by a :class:`ColumnMap` (or a flag) is not in the table.

    ``column`` and ``role`` name the first missing column; ``missing`` lists every
    missing one as (column, role) pairs, all of them named in the message.

    Examples
    --------
    >>> err = MissingColumnError("touches", "ts", ["id", "when"], role="timestamp")
    >>> print(err)
    touches: no column 'ts' (the timestamp column); columns are: 'id', 'when'
    >>> print(MissingColumnError("touches", "ts", ["id"], role="timestamp",
    ...                          also=[("ch", "channel")]))
    touches: no column 'ts' (the timestamp column), no column 'ch' (the channel column); \
columns are: 'id'
    """

    def __init__(
        self,
        table: str,
        column: str,
        available: Iterable[str],
        *,
        role: str | None = None,
        also: Iterable[tuple[str, str | None]] = (),
    ) -> None:
        self.table, self.column, self.role = table, column, role
        self.available = list(available)
        self.missing = [(column, role), *also]
        what = ", ".join(
            f"no column {c!r}" + (f" (the {r} column)" if r else "") for c, r in self.missing
        )
        names = ", ".join(repr(c) for c in self.available) or "(none)"
        super().__init__(f"{table}: {what}; columns are: {names}")


def _optional_name(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise TypeError(f"a column name must be a non-empty str or None, got {value!r}")
    return value


def _required_name(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"a column name must be a non-empty str, got {value!r}")
    return value


def identifier_kind(column: str) -> IdentifierKind:
    """The kind of an identifier column, inferred from its name.

    ``"email"`` when the name mentions mail, ``"phone"`` when it mentions phone or
    mobile or has ``tel`` as a word (``tel``, ``tel_no``; not ``hotel_id``), else ``"id"``.

    Examples
    --------
    >>> [identifier_kind(c) for c in ("Email", "work_phone", "tel_no", "hotel_id")]
    ['email', 'phone', 'phone', 'id']
    """
    low = column.lower()
    if "mail" in low:
        return "email"
    words = "".join(c if c.isalnum() else " " for c in low).split()
    if "phone" in low or "mobile" in low or "tel" in words:
        return "phone"
    return "id"


def _identifiers(
    value: Mapping[str, str] | Iterable[str] | None,
) -> tuple[tuple[str, IdentifierKind], ...]:
    """``("email", "user_id")`` or ``{"email": "email"}`` -> ((column, kind), ...)."""
    if value is None:
        return ()
    if isinstance(value, str):
        raise TypeError(f"identifiers must be a sequence of column names, got the str {value!r}")
    items = (
        value.items()
        if isinstance(value, Mapping)
        else ((c if isinstance(c, tuple) else (c, identifier_kind(c))) for c in value)
    )  # (column, kind) pairs are what replace() hands back
    out: list[tuple[str, IdentifierKind]] = []
    for column, kind in items:
        _required_name(column)
        if kind not in IDENTIFIER_KINDS:
            raise ValueError(
                f"identifier column {column!r}: kind must be one of {IDENTIFIER_KINDS}, "
                f"got {kind!r}"
            )
        out.append((column, cast(IdentifierKind, kind)))
    return tuple(out)


@attrs.frozen(kw_only=True)
class ColumnMap:
    """Which columns hold the journey id, time, labels, identifiers and conversions.

    Every entry point that reads tables takes one (``columns=``); the keyword
    arguments of :meth:`JourneySet.from_frame` are a shorthand that builds one.

    Parameters
    ----------
    journey : str
        Touch-table column of the journey (person or account) identifier.
    timestamp : str
        Touch-table column of the touch time.
    channel, source, campaign, method : str, optional
        Touch-table label columns (None: not recorded).
    url, medium, referrer : str, optional
        Raw inputs that :func:`touchcredit.clean` turns into source and channel
        (landing URL with UTM tags, raw medium, referrer URL).
    identifiers : sequence of str, or mapping of column to kind, optional
        Further identifier columns that link touches to one person; kinds ``"id"``,
        ``"email"``, ``"phone"`` (inferred from the name when a sequence is given).
    conversion_journey : str, optional
        Conversion-table column holding the journey identifier (default: ``journey``).
    conversion_id : str, optional
        Conversion-table column of a conversion's own identifier (a deal id).
    conversion_time : str
        Conversion-table column of the conversion time.
    conversion_value : str, optional
        Conversion-table value column (each conversion counts 1 when None).
    lead_created_at, opportunity_created_at, closed_at : str, optional
        Conversion-table milestone columns (W-shaped and full-path models).

    Examples
    --------
    >>> cols = ColumnMap(journey="user_pseudo_id", timestamp="event_timestamp",
    ...                  channel=None, url="page_location", identifiers=["email"])
    >>> cols.identifiers
    (('email', 'email'),)
    >>> cols.replace(timestamp="ts").identifiers
    (('email', 'email'),)
    >>> cols.touch_columns(raw=False)
    {'journey': 'user_pseudo_id', 'timestamp': 'event_timestamp'}
    >>> cols.check_touches(["user_pseudo_id", "page_location", "email"])
    Traceback (most recent call last):
    ...
    touchcredit.core.mapping.MissingColumnError: touches: no column 'event_timestamp' \
(the timestamp column); columns are: 'user_pseudo_id', 'page_location', 'email'
    """

    journey: str = attrs.field(default="journey_id", converter=_required_name)
    timestamp: str = attrs.field(default="timestamp", converter=_required_name)
    channel: str | None = attrs.field(default="channel", converter=_optional_name)
    source: str | None = attrs.field(default=None, converter=_optional_name)
    campaign: str | None = attrs.field(default=None, converter=_optional_name)
    method: str | None = attrs.field(default=None, converter=_optional_name)
    url: str | None = attrs.field(default=None, converter=_optional_name)
    medium: str | None = attrs.field(default=None, converter=_optional_name)
    referrer: str | None = attrs.field(default=None, converter=_optional_name)
    identifiers: tuple[tuple[str, IdentifierKind], ...] = attrs.field(
        default=(), converter=_identifiers
    )
    conversion_journey: str | None = attrs.field(default=None, converter=_optional_name)
    conversion_id: str | None = attrs.field(default=None, converter=_optional_name)
    conversion_time: str = attrs.field(default="conversion_time", converter=_required_name)
    conversion_value: str | None = attrs.field(default=None, converter=_optional_name)
    lead_created_at: str | None = attrs.field(default=None, converter=_optional_name)
    opportunity_created_at: str | None = attrs.field(default=None, converter=_optional_name)
    closed_at: str | None = attrs.field(default=None, converter=_optional_name)

    def touch_columns(self, *, raw: bool = True) -> dict[str, str]:
        """Role -> column name of the touch table, for the roles that are set.

        ``raw=False`` leaves out the hygiene inputs (url, medium, referrer) and the
        identifiers, i.e. the columns a clean table needs for a JourneySet.
        """
        roles = ("journey", "timestamp", *_LABEL_ROLES, *(_RAW_ROLES if raw else ()))
        out = {r: getattr(self, r) for r in roles if getattr(self, r) is not None}
        if raw:
            out.update({f"identifier:{c}": c for c, _ in self.identifiers})
        return out

    def conversion_columns(self) -> dict[str, str]:
        """Role -> column name of the conversion table, for the roles that are set."""
        roles = ("conversion_id", "conversion_time", "conversion_value", *MILESTONES)
        out = {"conversion_journey": self.conversion_journey or self.journey}
        out.update({r: getattr(self, r) for r in roles if getattr(self, r) is not None})
        return out

    def milestones(self) -> dict[str, str]:
        """Milestone name -> conversion-table column, for the milestones that are set."""
        return {m: getattr(self, m) for m in MILESTONES if getattr(self, m) is not None}

    def check_touches(self, names: Collection[str], *, raw: bool = True) -> None:
        """Raise :class:`MissingColumnError` naming every mapped column not in ``names``."""
        require_columns("touches", self.touch_columns(raw=raw), names)

    def check_conversions(self, names: Collection[str]) -> None:
        """Raise :class:`MissingColumnError` naming every mapped column not in ``names``."""
        require_columns("conversions", self.conversion_columns(), names)

    def replace(self, **changes: Any) -> ColumnMap:
        """A copy with some columns changed (validated like the constructor)."""
        return attrs.evolve(self, **changes)


def require_columns(table: str, mapping: Mapping[str, str], names: Collection[str]) -> None:
    """Raise :class:`MissingColumnError` naming every column of ``mapping`` not in ``names``.

    ``mapping`` is role -> column name; the one check behind
    :meth:`ColumnMap.check_touches`, :meth:`ColumnMap.check_conversions` and the
    other tables' ``from_frame`` (leads, deals, spend).

    Examples
    --------
    >>> require_columns("spend", {"amount": "cost", "period": "month"}, ["cost"])
    Traceback (most recent call last):
    ...
    touchcredit.core.mapping.MissingColumnError: spend: no column 'month' (the period column); \
columns are: 'cost'
    """
    present = set(names)
    missing = [
        (column, role.removeprefix("identifier:"))
        for role, column in mapping.items()
        if column not in present
    ]
    if missing:
        (column, role), *also = missing
        raise MissingColumnError(table, column, names, role=role, also=also)


class ColumnKeywords(TypedDict, total=False):
    """The shorthand keywords of an entry point that takes ``columns=``.

    Each key is a :class:`ColumnMap` field; a key not given keeps the field's default.
    Declared once here and used as ``**columns_kw: Unpack[ColumnKeywords]`` so that the
    keyword list is written in one place.
    """

    journey: str
    timestamp: str
    channel: str | None
    source: str | None
    campaign: str | None
    method: str | None
    conversion_journey: str | None
    conversion_time: str
    conversion_value: str | None
    lead_created_at: str | None
    opportunity_created_at: str | None
    closed_at: str | None


def column_map(columns: ColumnMap | None, /, **keywords: Any) -> ColumnMap:
    """The :class:`ColumnMap` of an entry point: ``columns``, or one built from keywords.

    Entry points take ``columns=`` and, as a shorthand, keyword arguments named like
    the fields; a keyword left at :data:`UNSET` was not given. Giving ``columns`` and
    keywords at once is an error naming the keywords.

    Examples
    --------
    >>> column_map(None, journey="person", channel=UNSET).journey
    'person'
    >>> column_map(ColumnMap(), journey="person")
    Traceback (most recent call last):
    ...
    TypeError: give the columns either as columns=ColumnMap(...) or as keywords, not both; \
got columns= and journey=
    """
    given = {k: v for k, v in keywords.items() if v is not UNSET}
    if columns is None:
        return ColumnMap(**given)
    if not isinstance(columns, ColumnMap):
        raise TypeError(f"'columns' must be a ColumnMap, got {type(columns).__name__}")
    if given:
        names = ", ".join(f"{k}=" for k in given)
        raise TypeError(
            f"give the columns either as columns=ColumnMap(...) or as keywords, not both; "
            f"got columns= and {names}"
        )
    return columns
