"""Canonical lead sources: a catalog of names and aliases, normalization, channel groups.

Raw source values arrive in many spellings ("LinkedIn", "linkedin ", "lnkd.in",
"https://www.linkedin.com/feed/"). A :class:`Catalog` holds the canonical sources, each
with its category (``inbound``, ``outbound``, ``partner/referral``,
``paid media & events``, ``other``), its default channel group and its aliases;
:func:`normalize` maps raw values to canonical names and reports what it could not map.
:func:`channel_group` / :func:`channel_groups` assign the channel group of a touch from
its source, medium, click ids and referrer, by the ordered rules documented in the
*Lead-source hygiene* page of the docs (after the GA4 default channel group).

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

from touchcredit.core.columns import _hash_factorize, _missing_mask, as_object_array

__all__ = [
    "CATEGORIES",
    "CHANNEL_GROUPS",
    "Catalog",
    "Normalized",
    "Source",
    "channel_group",
    "channel_groups",
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

_FIELDS = frozenset({"category", "channel", "kind", "aliases"})


def _key(value: str) -> str:
    """Text matching key: case-folded, ``_``/``-`` as spaces, whitespace collapsed."""
    return " ".join(value.casefold().replace("_", " ").replace("-", " ").split())


def _host(value: str) -> str | None:
    """Host name of a URL or host-like value, lower-cased; None when it is not one."""
    text = value.strip().casefold()
    if "://" in text:
        text = text[text.find("://") + 3 :]
    elif " " in text or "." not in text:
        return None
    for sep in "/?#":
        cut = text.find(sep)
        if cut >= 0:
            text = text[:cut]
    text = text[text.rfind("@") + 1 :]
    colon = text.find(":")
    if colon >= 0:
        text = text[:colon]
    text = text.strip(".")
    if not text or len(text) > 253 or "." not in text or " " in text:
        return None
    return text


def _is_host_alias(alias: str) -> bool:
    return "." in alias and " " not in alias.strip()


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
    """

    name: str
    category: str
    channel: str
    kind: str | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple)

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
            claim(text, _key(src.name), src.name, src.name)
        for src in self.sources:
            for alias in src.aliases:
                low = alias.strip().casefold()
                if low.endswith(".*") and " " not in low:
                    claim(wild, low[:-2], src.name, alias)
                elif _is_host_alias(low):
                    claim(hosts, _host(low) or low, src.name, alias)
                else:
                    claim(text, _key(alias), src.name, alias)
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
        return _default_catalog()

    @classmethod
    def from_dict(cls, sources: Mapping[str, Mapping[str, Any]]) -> Catalog:
        """A catalog from ``{name: {"category", "channel", "kind", "aliases"}}``.

        Parameters
        ----------
        sources : mapping
            Canonical name to its fields; ``kind`` and ``aliases`` are optional.

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
            if src.name in extra._by_name or _key(src.name) in taken_text:
                continue
            aliases = tuple(
                a
                for a in src.aliases
                if _key(a) not in taken_text and a.strip().casefold() not in taken_hosts
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
        hit = self._text.get(_key(value))
        if hit is not None:
            return hit
        host = _host(value)
        if host is None:
            return None
        labels = host.split(".")
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
        uniq, inverse, _ = _distinct(names, "names")
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
def _default_catalog() -> Catalog:
    text = resources.files("touchcredit").joinpath("data", "sources.toml").read_text("utf-8")
    return Catalog.from_dict(tomllib.loads(text)["sources"])


def _distinct(
    values: Any, field: str
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Distinct strings, the index of every row's value (-1 = missing) and the mask."""
    arr = as_object_array(values, field=field)
    n = arr.shape[0]
    missing = _missing_mask(arr)
    inverse = np.full(n, -1, dtype=np.int64)
    present = arr[~missing] if missing.any() else arr
    if present.size == 0:
        return [], inverse, missing
    if present.dtype.kind == "O":
        bad = [i for i, v in enumerate(present.tolist()) if not isinstance(v, str)]
        if bad:
            row = int(np.flatnonzero(~missing)[bad[0]])
            v = arr[row]
            raise TypeError(
                f"{field!r} must hold strings (or None); row {row} is {type(v).__name__} {v!r}"
            )
    hashed = _hash_factorize(present) if present.dtype.kind in "OU" else None
    if hashed is not None:
        uniq, inv = hashed
    else:
        uniq, inv = np.unique(present, return_inverse=True)
    inverse[~missing] = inv.reshape(-1)
    return [str(u) for u in uniq.tolist()], inverse, missing


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
    uniq, inverse, missing = _distinct(values, "source")
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


# ---------------------------------------------------------------- channel groups
_GROUP_KEYS = {_key(g): g for g in CHANNEL_GROUPS}
_NO_MEDIUM = frozenset({"(none)", "(not set)", "none", "not set", "direct"})
_DIRECT_SOURCES = frozenset({"direct", "(direct)"})
_DISPLAY = frozenset({"display", "banner", "expandable", "interstitial", "cpm"})
_SOCIAL_MEDIA = frozenset({"social", "social network", "social media", "sm"})
_EMAIL = frozenset({"email", "e mail", "newsletter"})
_OFFLINE = frozenset(
    {
        "offline",
        "event",
        "events",
        "trade show",
        "tradeshow",
        "conference",
        "booth",
        "qr",
        "qr code",
        "qrcode",
        "print",
        "direct mail",
        "call",
        "phone",
        "in person",
    }
)
_PAID_GROUPS = frozenset({"paid search", "paid social", "display", "affiliates"})
_SEARCH_PLATFORMS = frozenset({"google", "microsoft"})
_SOCIAL_PLATFORMS = frozenset({"meta", "linkedin", "tiktok", "x"})


def _paid_medium(m: str) -> bool:
    # GA4: medium matches ^(.*cp.*|ppc|retargeting|paid.*)$
    return "cp" in m or m in ("ppc", "retargeting") or m.startswith("paid")


def _rule(
    cat: Catalog,
    source: str | None,
    medium: str | None,
    paid: bool,
    platform: str | None,
    referrer: str | None,
) -> str:
    """Channel group of one (canonical source, medium key, paid, platform, referrer)."""
    m = medium or None
    if (
        (source is None or _key(source) in _DIRECT_SOURCES)
        and (m is None or m in _NO_MEDIUM)
        and referrer is None
        and not paid
    ):
        return "direct"
    if m in _NO_MEDIUM:
        m = None
    if m is not None and m in _GROUP_KEYS:
        return _GROUP_KEYS[m]
    entry = cat.get(source) if source is not None else cat.get(referrer)
    kind = entry.kind if entry is not None else None
    paid = paid or (m is not None and _paid_medium(m))
    if paid:
        if kind == "search":
            return "paid search"
        if kind == "social":
            return "paid social"
        if kind == "video":
            return "display"
    if m in _DISPLAY:
        return "display"
    if paid:
        if entry is not None and entry.channel in _PAID_GROUPS:
            return entry.channel
        if platform in _SEARCH_PLATFORMS:
            return "paid search"
        if platform in _SOCIAL_PLATFORMS:
            return "paid social"
        return "other"
    src = _key(source) if source is not None else None
    if kind in ("social", "video") or m in _SOCIAL_MEDIA or (m is not None and "video" in m):
        return "organic social"
    if kind == "search" or m == "organic":
        return "organic search"
    if m in _EMAIL or src in _EMAIL:
        return "email"
    if m in ("affiliate", "affiliates"):
        return "affiliates"
    if m in ("referral", "app", "link"):
        return "referral"
    if m in _OFFLINE:
        return "offline"
    if entry is not None:
        return entry.channel
    if referrer is not None and source is None:
        return "referral"
    return "other"


def channel_group(
    source: str | None = None,
    medium: str | None = None,
    *,
    click_ids: Mapping[str, str] | None = None,
    paid: bool = False,
    referrer: str | None = None,
    catalog: Catalog | None = None,
) -> str:
    """Channel group of one touch (see the rules table in the docs).

    Parameters
    ----------
    source : str, optional
        Raw or canonical source (``utm_source``, CRM lead source); normalized first.
    medium : str, optional
        ``utm_medium`` or the CRM medium.
    click_ids : mapping, optional
        Click ids found on the landing URL (:attr:`touchcredit.hygiene.utm.UTM.click_ids`);
        any click id is evidence of paid traffic, its platform picks paid search or
        paid social when the source does not.
    paid : bool
        Other evidence of paid traffic.
    referrer : str, optional
        Referring URL or host; used when there is no source.
    catalog : Catalog, optional
        Source catalog (default catalog when None).

    Returns
    -------
    str
        One of :data:`CHANNEL_GROUPS`.

    Examples
    --------
    >>> channel_group("LinkedIn", "cpc"), channel_group("linkedin", "social")
    ('paid social', 'organic social')
    >>> channel_group(referrer="https://www.google.de/"), channel_group()
    ('organic search', 'direct')
    >>> channel_group(click_ids={"gclid": "x"}), channel_group("trade-show badge scan")
    ('paid search', 'offline')
    """
    from touchcredit.hygiene.utm import CLICK_IDS

    cat = Catalog.default() if catalog is None else catalog
    platform = None
    for key in click_ids or {}:
        platform = CLICK_IDS.get(key.lower())
        break
    src = None if source is None or not source.strip() else (cat.lookup(source) or source)
    ref = None
    if referrer is not None and referrer.strip():
        ref = cat.lookup(referrer) or referrer.strip()
    med = _key(medium) if medium is not None else None
    return _rule(cat, src, med or None, bool(paid or click_ids), platform, ref)


def _codes(values: Any, field: str, n: int) -> tuple[list[Any], npt.NDArray[np.int64]]:
    """Distinct values (None appended last) and each row's index into them."""
    if values is None:
        return [None], np.zeros(n, dtype=np.int64)
    arr = as_object_array(values, field=field)
    if arr.shape[0] != n:
        raise ValueError(f"{field!r} has {arr.shape[0]} rows, expected {n}")
    uniq, inverse, _ = _distinct(arr, field)
    inverse[inverse < 0] = len(uniq)
    return [*uniq, None], inverse


def channel_groups(
    source: Any = None,
    medium: Any = None,
    *,
    paid: Any = None,
    platform: Any = None,
    referrer: Any = None,
    catalog: Catalog | None = None,
) -> npt.NDArray[np.object_]:
    """Channel group of every touch: :func:`channel_group` over arrays.

    The rules run once per distinct (source, medium, paid, platform, referrer)
    combination, then the result is spread over the rows.

    Parameters
    ----------
    source, medium, referrer : array-like of str or None, optional
        As in :func:`channel_group`, one value per touch.
    paid : array-like of bool, optional
        Evidence of paid traffic per touch (e.g. ``utm.parse_many(urls)["paid"]``).
    platform : array-like of str or None, optional
        Click-id platform per touch (``utm.parse_many(urls)["platform"]``).
    catalog : Catalog, optional
        Source catalog (default catalog when None).

    Returns
    -------
    object ndarray
        One of :data:`CHANNEL_GROUPS` per touch.

    Raises
    ------
    ValueError
        When the columns differ in length.

    Examples
    --------
    >>> channel_groups(["google", "Google", None, "webinar"],
    ...                ["cpc", "organic", None, None]).tolist()
    ['paid search', 'organic search', 'direct', 'offline']
    """
    cat = Catalog.default() if catalog is None else catalog
    given = {"source": source, "medium": medium, "paid": paid, "platform": platform}
    given["referrer"] = referrer
    n = next((len(as_object_array(v, field=k)) for k, v in given.items() if v is not None), 0)
    cols = [
        _codes(source, "source", n),
        _codes(medium, "medium", n),
        ([False, True], np.zeros(n, np.int64) if paid is None else _paid_codes(paid, n)),
        _codes(platform, "platform", n),
        _codes(referrer, "referrer", n),
    ]
    # One int64 key per row (mixed radix over the column codes), then one 1-D unique.
    key = np.zeros(n, dtype=np.int64)
    radix = 1
    for table, codes in cols:
        radix *= len(table)
        key = key * len(table) + codes
        if radix > 2**40:  # keep the key small: renumber the tuples seen so far
            uniq_key, inv = np.unique(key, return_inverse=True)
            key = inv.reshape(-1).astype(np.int64)
            radix = int(uniq_key.size)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    combos = np.stack([codes[first] for _, codes in cols], axis=1)
    src_t, med_t, paid_t, plat_t, ref_t = (c[0] for c in cols)
    canon_src = [None if s is None or not s.strip() else (cat.lookup(s) or s) for s in src_t]
    canon_ref = [None if r is None or not r.strip() else (cat.lookup(r) or r) for r in ref_t]
    med_keys = [None if m is None else (_key(m) or None) for m in med_t]
    groups = np.empty(combos.shape[0], dtype=object)
    for k, (s, m, p, pl, r) in enumerate(combos.tolist()):  # one per distinct combination
        plat = plat_t[pl]
        groups[k] = _rule(
            cat,
            canon_src[s],
            med_keys[m],
            bool(paid_t[p]) or plat is not None,
            None if plat is None else str(plat).lower(),
            canon_ref[r],
        )
    out: npt.NDArray[np.object_] = groups[inverse.reshape(-1)]
    return out


def _paid_codes(paid: Any, n: int) -> npt.NDArray[np.int64]:
    arr = np.asarray(paid)
    if arr.shape != (n,):
        raise ValueError(f"'paid' has shape {arr.shape}, expected ({n},)")
    if arr.dtype.kind == "O":
        arr = np.array([bool(v) and v == v for v in arr.tolist()], dtype=bool)
    return arr.astype(bool).astype(np.int64)
