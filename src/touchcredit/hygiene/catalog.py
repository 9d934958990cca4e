"""Canonical lead sources: a catalog of names and aliases, and normalization.

Raw source values arrive in many spellings ("LinkedIn", "linkedin ", "lnkd.in",
"https://www.linkedin.com/feed/"). A :class:`Catalog` holds the canonical sources, each
with its category (``inbound``, ``outbound``, ``partner/referral``,
``paid media & events``, ``other``), its default channel group and its aliases;
:func:`normalize` maps raw values to canonical names and reports what it could not map.
Channel groups are assigned in :mod:`touchcredit.hygiene.channels`.

Matching rules of :meth:`Catalog.lookup` (all case-insensitive):

1. the value, trimmed, with runs of whitespace, ``_`` and ``-`` read as one space, is a
   canonical name or a text alias (``"Linked_In"`` is ``"linked in"``);
2. otherwise, when the value looks like a URL or a host name, its host (scheme, path,
   port and user dropped) and each parent domain of it are tried in turn
   (``m.facebook.com`` -> ``facebook.com``; ``news.google.de`` matches the alias
   ``google.*``, a name under any top-level domain).

Offline and manual sources ("trade-show badge scan", "cold call", a value a sales rep
typed) are ordinary values: catalog names when known, passed through unchanged and
reported when not -- never an error, never ``None``.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from os import PathLike
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.hygiene.labels import distinct_strings, host, is_host_alias, label_key

__all__ = [
    "CATEGORIES",
    "CHANNEL_GROUPS",
    "KINDS",
    "Catalog",
    "Normalized",
    "Source",
    "default_catalog",
    "normalize",
]

#: Source categories (DESIGN: the seed's framework).
CATEGORIES: tuple[str, ...] = (
    "inbound",
    "outbound",
    "partner/referral",
    "paid media & events",
    "other",
)

#: Channel groups :func:`channel_group` assigns, and a catalog entry's channel must be.
CHANNEL_GROUPS: tuple[str, ...] = (
    "organic search",
    "paid search",
    "organic social",
    "paid social",
    "email",
    "referral",
    "display",
    "affiliates",
    "direct",
    "offline",
    "other",
)

#: Site types the channel rules test.
KINDS: tuple[str, ...] = ("search", "social", "video")

_FIELDS = frozenset({"category", "channel", "kind", "aliases", "paid"})

#: Channel groups of paid traffic: a touch in one is credited to its site's ``paid`` source.
PAID_GROUPS = frozenset({"paid search", "paid social", "display"})


def _check_choice(value: Any, field: str, choices: tuple[str, ...], name: str) -> None:
    if value not in choices:
        raise ValueError(
            f"source {name!r}: {field!r} must be one of {', '.join(map(repr, choices))}; "
            f"got {value!r}"
        )


def _as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


@attrs.frozen
class Source:
    """One canonical source of the catalog.

    Examples
    --------
    >>> s = Source("LinkedIn Ads", "paid media & events", "paid social", aliases=["li ads"])
    >>> s.channel, s.aliases
    ('paid social', ('li ads',))

    ``paid`` names the source a paid touch of this site is credited to (its ad platform):
    a ``linkedin`` / ``cpc`` touch is a "LinkedIn Ads" touch, as the spend sheet says.

    >>> Source("LinkedIn", "inbound", "organic social", paid="LinkedIn Ads").paid
    'LinkedIn Ads'
    """

    name: str
    category: str
    channel: str
    kind: str | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple)
    paid: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a source name must be a non-empty str, got {self.name!r}")
        _check_choice(self.category, "category", CATEGORIES, self.name)
        _check_choice(self.channel, "channel", CHANNEL_GROUPS, self.name)
        if self.kind is not None:
            _check_choice(self.kind, "kind", KINDS, self.name)
        for alias in self.aliases:
            if not isinstance(alias, str) or not alias.strip():
                raise ValueError(
                    f"source {self.name!r}: aliases must be non-empty strings, got {alias!r}"
                )


@attrs.frozen(eq=False)
class Catalog:
    """Canonical sources with their aliases; immutable.

    Use :meth:`default` (the catalog shipped with touchcredit), :meth:`from_dict`,
    :meth:`from_toml`, and :meth:`extend` to add or override sources.

    Raises
    ------
    ValueError
        When two sources share a name or an alias (naming both).

    Examples
    --------
    >>> cat = Catalog.default().extend({"Acme Expo": {"category": "paid media & events",
    ...     "channel": "offline", "aliases": ["acme-expo 2024"]}})
    >>> cat.lookup("ACME_EXPO  2024"), cat.lookup("https://m.facebook.com/ads")
    ('Acme Expo', 'Facebook')
    >>> cat["Acme Expo"].category
    'paid media & events'
    """

    sources: tuple[Source, ...] = attrs.field(converter=_as_tuple)
    _by_name: Mapping[str, Source] = attrs.field(init=False, repr=False)
    _text: Mapping[str, str] = attrs.field(init=False, repr=False)
    _hosts: Mapping[str, str] = attrs.field(init=False, repr=False)
    _wild: Mapping[str, str] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Source] = {}
        text: dict[str, str] = {}
        hosts: dict[str, str] = {}
        wild: dict[str, str] = {}

        def claim(table: dict[str, str], key: str, name: str, alias: str) -> None:
            owner = table.setdefault(key, name)
            if owner != name:
                raise ValueError(
                    f"alias {alias!r} of source {name!r} is already an alias of {owner!r}; "
                    "an alias must name one source"
                )

        for src in self.sources:
            if src.name in by_name:
                raise ValueError(f"source {src.name!r} is listed twice")
            by_name[src.name] = src
            claim(text, label_key(src.name), src.name, src.name)
        for src in self.sources:
            target = by_name.get(src.paid) if src.paid is not None else None
            if src.paid is not None and (target is None or target.channel not in PAID_GROUPS):
                raise ValueError(
                    f"source {src.name!r}: 'paid' must name a source of the catalog whose "
                    f"channel is {', '.join(sorted(PAID_GROUPS))}; got {src.paid!r}"
                )
            for alias in src.aliases:
                low = alias.strip().casefold()
                if low.endswith(".*") and " " not in low:
                    claim(wild, low[:-2], src.name, alias)
                elif is_host_alias(low):
                    claim(hosts, host(low) or low, src.name, alias)
                else:
                    claim(text, label_key(alias), src.name, alias)
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))
        object.__setattr__(self, "_text", MappingProxyType(text))
        object.__setattr__(self, "_hosts", MappingProxyType(hosts))
        object.__setattr__(self, "_wild", MappingProxyType(wild))

    # ------------------------------------------------------------ builders
    @classmethod
    def default(cls) -> Catalog:
        """The catalog shipped with touchcredit (``touchcredit/data/sources.toml``).

        Examples
        --------
        >>> len(Catalog.default()) > 40
        True
        """
        return default_catalog()

    @classmethod
    def from_dict(cls, sources: Mapping[str, Mapping[str, Any]]) -> Catalog:
        """A catalog from ``{name: {"category", "channel", "kind", "aliases", "paid"}}``.

        Parameters
        ----------
        sources : mapping
            Canonical name to its fields; ``kind``, ``aliases`` and ``paid`` (the source
            a paid touch of the site is, e.g. ``"LinkedIn Ads"``) are optional.

        Returns
        -------
        Catalog

        Raises
        ------
        ValueError
            On an unknown field, a value outside the documented choices or a shared alias.

        Examples
        --------
        >>> cat = Catalog.from_dict({"Podcast X": {"category": "paid media & events",
        ...                                        "channel": "other", "aliases": ["pcx"]}})
        >>> cat.lookup(" PCX "), cat.names
        ('Podcast X', ('Podcast X',))
        """
        out = []
        for name, fields in sources.items():
            if not isinstance(fields, Mapping):
                raise TypeError(f"source {name!r}: expected a table of fields, got {fields!r}")
            unknown = set(fields) - _FIELDS
            if unknown:
                raise ValueError(
                    f"source {name!r}: unknown field(s) {', '.join(sorted(unknown))}; "
                    f"expected {', '.join(sorted(_FIELDS))}"
                )
            missing = {"category", "channel"} - set(fields)
            if missing:
                raise ValueError(f"source {name!r}: missing {', '.join(sorted(missing))}")
            aliases = fields.get("aliases", ())
            if isinstance(aliases, str):
                raise TypeError(f"source {name!r}: 'aliases' must be a list of strings")
            out.append(
                Source(
                    name,
                    fields["category"],
                    fields["channel"],
                    kind=fields.get("kind"),
                    aliases=tuple(aliases),
                    paid=fields.get("paid"),
                )
            )
        return cls(out)

    @classmethod
    def from_toml(cls, path: str | PathLike[str]) -> Catalog:
        """A catalog from a TOML file with one ``[sources."Name"]`` table per source.

        Raises
        ------
        ValueError
            When the file has no ``sources`` table, or as :meth:`from_dict`.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
        >>> _ = p.write_text('[sources."Expo"]\\ncategory = "other"\\nchannel = "offline"\\n')
        >>> Catalog.from_toml(p).names
        ('Expo',)
        """
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        table = data.get("sources")
        if not isinstance(table, Mapping):
            raise ValueError(f"{str(path)!r} must hold a [sources] table (one per source)")
        return cls.from_dict(table)

    def extend(self, more: Catalog | Mapping[str, Mapping[str, Any]]) -> Catalog:
        """A new catalog with ``more`` added; it wins on shared names and aliases.

        A source of ``more`` with the name of an existing one replaces it; an alias it
        claims is taken away from the existing source that had it.

        Examples
        --------
        >>> cat = Catalog.default().extend({"Events team": {"category": "other",
        ...     "channel": "offline", "aliases": ["trade show"]}})
        >>> cat.lookup("Trade Show")
        'Events team'
        """
        extra = more if isinstance(more, Catalog) else Catalog.from_dict(more)
        taken_text = set(extra._text)
        taken_hosts = set(extra._hosts) | {f"{w}.*" for w in extra._wild}
        kept = []
        for src in self.sources:
            if src.name in extra._by_name or label_key(src.name) in taken_text:
                continue
            aliases = tuple(
                a
                for a in src.aliases
                if label_key(a) not in taken_text and a.strip().casefold() not in taken_hosts
            )
            kept.append(attrs.evolve(src, aliases=aliases))
        return Catalog([*kept, *extra.sources])

    # ------------------------------------------------------------- queries
    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names, in catalog order."""
        return tuple(s.name for s in self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Source:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no source named {name!r} in the catalog") from None

    def get(self, name: str | None) -> Source | None:
        """The source called ``name`` exactly (canonical name), or None."""
        return None if name is None else self._by_name.get(name)

    def lookup(self, value: str) -> str | None:
        """Canonical name of one raw value (see the module rules), None when unknown.

        Examples
        --------
        >>> cat = Catalog.default()
        >>> cat.lookup("  LinkedIn "), cat.lookup("lnkd.in"), cat.lookup("www.google.co.uk")
        ('LinkedIn', 'LinkedIn', 'Google')
        >>> cat.lookup("mystery") is None
        True
        """
        hit = self._text.get(label_key(value))
        if hit is not None:
            return hit
        name = host(value)
        if name is None:
            return None
        labels = name.split(".")
        for i in range(len(labels) - 1):
            hit = self._hosts.get(".".join(labels[i:]))
            if hit is None and all(len(part) <= 3 for part in labels[i + 1 :]):
                hit = self._wild.get(labels[i])
            if hit is not None:
                return hit
        return None

    def categories(self, names: Any) -> npt.NDArray[np.object_]:
        """Category of every canonical name (None where not a catalog name or missing).

        Examples
        --------
        >>> Catalog.default().categories(["cold call", "Booth #4", None]).tolist()
        ['outbound', None, None]
        """
        uniq, inverse, _ = distinct_strings(names, "names")
        table = np.empty(len(uniq) + 1, dtype=object)
        for k, name in enumerate(uniq):
            entry = self._by_name.get(name)
            table[k] = None if entry is None else entry.category
        table[-1] = None
        out: npt.NDArray[np.object_] = table[inverse]
        return out

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The catalog as ``{name: fields}`` (round-trips through :meth:`from_dict`)."""
        out: dict[str, dict[str, Any]] = {}
        for s in self.sources:
            fields: dict[str, Any] = {"category": s.category, "channel": s.channel}
            if s.kind is not None:
                fields["kind"] = s.kind
            fields["aliases"] = list(s.aliases)
            out[s.name] = fields
        return out

    def __repr__(self) -> str:
        return f"Catalog({len(self)} sources)"


@functools.cache
def default_catalog() -> Catalog:
    """The bundled catalog (``touchcredit/data/sources.toml``), read once."""
    text = resources.files("touchcredit").joinpath("data", "sources.toml").read_text("utf-8")
    return Catalog.from_dict(tomllib.loads(text)["sources"])


@attrs.frozen(eq=False)
class Normalized:
    """Result of :func:`normalize`.

    Attributes
    ----------
    values : object ndarray
        Canonical name of every row; an unmapped value passes through unchanged; missing
        (None, NaN) and blank values are None.
    mapped : bool ndarray
        Whether each row matched the catalog.
    unmapped : mapping of str to int
        Every raw value that matched nothing and its row count, most frequent first.
    n_missing : int
        Rows that were None, NaN or blank.
    """

    values: npt.NDArray[np.object_]
    mapped: npt.NDArray[np.bool_]
    unmapped: Mapping[str, int]
    n_missing: int

    @property
    def n_unmapped(self) -> int:
        """Rows whose value matched nothing."""
        return int(sum(self.unmapped.values()))


def normalize(values: Any, catalog: Catalog | None = None) -> Normalized:
    """Map raw source values to canonical names; report what could not be mapped.

    Each distinct value is looked up once (:meth:`Catalog.lookup`), then the result is
    spread over the rows with one indexing pass. Idempotent: normalizing the output
    again changes nothing.

    Parameters
    ----------
    values : array-like of str or None
        Raw sources (UTM sources, CRM "lead source" fields, referrer URLs...).
    catalog : Catalog, optional
        The catalog (:meth:`Catalog.default` when None).

    Returns
    -------
    Normalized

    Raises
    ------
    TypeError
        When a value is neither a string nor missing, naming the row.

    Examples
    --------
    >>> out = normalize(["LinkedIn", "linkedin ", "lnkd.in", "https://m.facebook.com/x",
    ...                  "Booth #4", None, "Booth #4"])
    >>> out.values.tolist()
    ['LinkedIn', 'LinkedIn', 'LinkedIn', 'Facebook', 'Booth #4', None, 'Booth #4']
    >>> dict(out.unmapped), out.n_missing
    ({'Booth #4': 2}, 1)
    """
    cat = Catalog.default() if catalog is None else catalog
    uniq, inverse, missing = distinct_strings(values, "source")
    table = np.empty(len(uniq) + 1, dtype=object)
    hit = np.zeros(len(uniq) + 1, dtype=bool)
    for k, raw in enumerate(uniq):  # one lookup per distinct value
        if not raw.strip():
            table[k] = None
            continue
        name = cat.lookup(raw)
        table[k] = raw if name is None else name
        hit[k] = name is not None
    table[-1] = None  # index -1: missing rows
    out = table[inverse]
    mapped = hit[inverse]
    blank = ~missing & (out == None)  # noqa: E711  (elementwise)
    counts = np.bincount(inverse[~missing & ~mapped & ~blank], minlength=len(uniq) + 1)
    order = np.argsort(-counts[:-1], kind="stable") if uniq else np.array([], dtype=np.int64)
    unmapped = {uniq[k]: int(counts[k]) for k in order.tolist() if counts[k] > 0}
    return Normalized(
        values=out,
        mapped=mapped,
        unmapped=MappingProxyType(unmapped),
        n_missing=int(missing.sum() + blank.sum()),
    )
