"""UTM tags from landing URLs, and a link builder that keeps names consistent.

``utm_source`` is the *source*, ``utm_medium`` the *channel* (medium), ``utm_campaign``
the *campaign*; ``utm_term``, ``utm_content`` and ``utm_id`` are kept too. Click ids
that ad platforms append (``gclid``, ``fbclid``, ``li_fat_id``...) are evidence of paid
traffic even when the UTM tags are missing.

Rules of :func:`parse` (URLs are attacker-controlled text, so the parser is total and
bounded):

* keys are case-insensitive (``UTM_Source`` is ``utm_source``); when a key repeats, the
  first non-empty value wins (``utm_source=LinkedIn&UTM_SOURCE=linkedin`` gives
  ``"LinkedIn"``);
* values are percent-decoded (``+`` is a space; broken escapes are kept as text) and
  stripped; an empty value is ``None``; case is kept (normalise names with
  :mod:`touchcredit.hygiene.catalog`);
* parameters after ``#`` count too (single-page apps put them there); the query before
  the ``#`` wins on conflicts;
* a URL without a scheme (``example.com/?utm_source=x``) and a bare query string
  (``utm_source=x&utm_medium=y``) are accepted;
* input is stripped and then cut to :data:`MAX_LENGTH` characters before parsing, so
  the cost per URL is bounded whatever its length; no regular expression is used;
* any ``str`` parses without raising: junk gives all-``None`` fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.factorize import hash_factorize

__all__ = [
    "CLICK_IDS",
    "CONVENTIONS",
    "MAX_LENGTH",
    "UTM",
    "UTM_FIELDS",
    "build_url",
    "parse",
    "parse_fields",
    "parse_many",
    "query_pairs",
]

#: Longest input :func:`parse` reads (characters, after stripping whitespace).
MAX_LENGTH = 8192

#: The UTM fields, as attribute names of :class:`UTM` (``utm_<name>`` in a URL).
UTM_FIELDS: tuple[str, ...] = ("source", "medium", "campaign", "term", "content", "id")

#: Click-id parameters and the ad platform that sets them.
CLICK_IDS: Mapping[str, str] = MappingProxyType(
    {
        "gclid": "google",
        "gbraid": "google",
        "wbraid": "google",
        "dclid": "google",
        "fbclid": "meta",
        "msclkid": "microsoft",
        "li_fat_id": "linkedin",
        "ttclid": "tiktok",
        "twclid": "x",
    }
)


def _frozen(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class UTM:
    """The UTM tags and click ids found in one URL (``None`` where absent).

    Examples
    --------
    >>> tags = parse("https://example.com/demo?utm_source=LinkedIn&utm_medium=paid%20social&gclid=x1")
    >>> tags.source, tags.medium, tags.campaign
    ('LinkedIn', 'paid social', None)
    >>> tags.paid, tags.platform
    (True, 'google')
    """

    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    term: str | None = None
    content: str | None = None
    id: str | None = None
    click_ids: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)

    @property
    def paid(self) -> bool:
        """Whether a click id marks the visit as paid traffic."""
        return bool(self.click_ids)

    @property
    def platform(self) -> str | None:
        """Ad platform of the first click id found (``"google"``, ``"meta"``...)."""
        for key in self.click_ids:
            return CLICK_IDS[key]
        return None

    @property
    def click_id_platform(self) -> str | None:
        """Alias of :attr:`platform` (the ad platform named by the click id)."""
        return self.platform

    @property
    def empty(self) -> bool:
        """True when neither a UTM tag nor a click id was found."""
        return not self.click_ids and all(getattr(self, f) is None for f in UTM_FIELDS)


def _split(text: str) -> tuple[str, str]:
    """The query and the fragment of ``text`` (never raises, no regex)."""
    hash_at = text.find("#")
    head, fragment = (text, "") if hash_at < 0 else (text[:hash_at], text[hash_at + 1 :])
    q_at = head.find("?")
    if q_at >= 0:
        return head[q_at + 1 :], fragment
    if "=" in head and "/" not in head:  # a bare query string: "utm_source=x&utm_medium=y"
        return head, fragment
    return "", fragment


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The non-blank ``(name, value)`` pairs of a query string, decoded.

    The same pairs as ``urllib.parse.parse_qsl(query, errors="replace")``, with the
    decoding skipped for the (usual) parts that hold no ``+`` or ``%``: one of the
    hot spots of cleaning a million landing URLs.

    Examples
    --------
    >>> query_pairs("utm_source=news%20letter&empty=&flag&utm_campaign=q2+demo")
    [('utm_source', 'news letter'), ('utm_campaign', 'q2 demo')]
    """
    out = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if not value:  # no "=", or nothing after it
            continue
        if "+" in name or "%" in name:
            name = unquote(name.replace("+", " "), errors="replace")
        if "+" in value or "%" in value:
            value = unquote(value.replace("+", " "), errors="replace")
        out.append((name, value))
    return out


def parse(url: str) -> UTM:
    """Read the UTM tags and click ids of a landing URL or query string.

    Parameters
    ----------
    url : str
        A URL (with or without scheme) or a bare query string. See the module
        documentation for the exact rules.

    Returns
    -------
    UTM

    Raises
    ------
    TypeError
        When ``url`` is not a ``str``.

    Examples
    --------
    >>> parse("example.com/?UTM_SOURCE=Google&utm_source=bing&utm_campaign=q2+demo").source
    'Google'
    >>> parse("utm_medium=email&utm_campaign=%20spring%20").campaign
    'spring'
    >>> parse("https://app.example.com/#/signup?utm_source=newsletter").source
    'newsletter'
    >>> parse("not a url").empty
    True
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    found, clicks = _scan(url)
    return UTM(**found, click_ids=clicks)


_UTM_KEYS = {f"utm_{f}": f for f in UTM_FIELDS}
_Pair = tuple[str | None, str, str] | None


def _pair(pair: str) -> _Pair:
    """(UTM field or None, key, value) of one ``name=value`` part; None when it does not
    count (no value, a key that is neither a UTM tag nor a click id, a blank value)."""
    name, _, value = pair.partition("=")
    if not value:  # no "=", or nothing after it
        return None
    if "+" in name or "%" in name:
        name = unquote(name.replace("+", " "), errors="replace")
    k = name.strip().lower()
    field = _UTM_KEYS.get(k)
    if field is None and k not in CLICK_IDS:
        return None  # values are decoded only for the keys that count
    if "+" in value or "%" in value:
        value = unquote(value.replace("+", " "), errors="replace")
    v = value.strip()
    return (field, k, v) if v else None


def _scan(url: str, seen: dict[str, _Pair] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The UTM tags and the click ids of one URL, by :func:`parse`'s rules.

    ``seen`` caches the reading of each ``name=value`` part across URLs (many URLs
    share their tags and differ only in a click id).
    """
    query, fragment = _split(url.strip()[:MAX_LENGTH])
    if "?" in fragment:
        fragment = fragment[fragment.find("?") + 1 :]
    found: dict[str, str] = {}
    clicks: dict[str, str] = {}
    for part in (query, fragment if "=" in fragment else ""):
        if not part:
            continue
        for pair in part.split("&"):
            if seen is None:
                got = _pair(pair)
            elif pair in seen:
                got = seen[pair]
            else:
                got = seen[pair] = _pair(pair)
            if got is None:
                continue
            field, k, v = got
            if field is not None:
                found.setdefault(field, v)
            else:
                clicks.setdefault(k, v)
    return found, clicks


def parse_fields(urls: Any) -> dict[str, list[Any]]:
    """The tags of each URL as lists, one entry per URL: :func:`parse` without the objects.

    Parameters
    ----------
    urls : iterable
        URLs; a value that is not a ``str`` (None, NaN, a number) has no tags.

    Returns
    -------
    dict of list
        One list per field of :data:`UTM_FIELDS`, plus ``"paid"`` (bool) and
        ``"platform"`` (str or None), aligned with ``urls``.

    Examples
    --------
    >>> tags = parse_fields(["a.com/?utm_source=x&fbclid=1", None])
    >>> tags["source"], tags["medium"], tags["paid"], tags["platform"]
    (['x', None], [None, None], [True, False], ['meta', None])
    """
    seen: dict[str, _Pair] = {}
    scanned = [_scan(u, seen) if isinstance(u, str) else ({}, {}) for u in urls]
    out: dict[str, list[Any]] = {f: [tags.get(f) for tags, _ in scanned] for f in UTM_FIELDS}
    out["paid"] = [bool(clicks) for _, clicks in scanned]
    out["platform"] = [CLICK_IDS[next(iter(clicks))] if clicks else None for _, clicks in scanned]
    return out


def parse_many(urls: Any) -> dict[str, npt.NDArray[Any]]:
    """Parse an array of URLs, each distinct value once.

    Parameters
    ----------
    urls : array-like of str or None
        Landing URLs; ``None``/NaN rows give all-``None`` tags.

    Returns
    -------
    dict of ndarray
        One object array per field of :data:`UTM_FIELDS`, plus ``"paid"`` (bool) and
        ``"platform"`` (object), aligned with ``urls``.

    Examples
    --------
    >>> cols = parse_many(["a.com/?utm_source=x", None, "a.com/?utm_source=x&gclid=1"])
    >>> cols["source"].tolist(), cols["paid"].tolist()
    (['x', None, 'x'], [False, False, True])
    """
    arr = np.asarray(urls, dtype=object).reshape(-1)
    n = arr.size
    out: dict[str, npt.NDArray[Any]] = {f: np.full(n, None, dtype=object) for f in UTM_FIELDS}
    out["platform"] = np.full(n, None, dtype=object)
    out["paid"] = np.zeros(n, dtype=bool)
    rows, uniq, inverse = _distinct_urls(arr)
    if not rows.size:
        return out
    fields = parse_fields(uniq)  # one scan per distinct URL
    for name in (*UTM_FIELDS, "platform"):
        table = np.empty(len(uniq), dtype=object)
        table[:] = fields[name]
        out[name][rows] = table[inverse]
    out["paid"][rows] = np.array(fields["paid"], dtype=bool)[inverse]
    return out


def _distinct_urls(arr: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], list[str], Any]:
    """The rows holding a ``str``, the distinct strings, and each such row's index into
    them. Hashes the column once (types checked per distinct value, not per row) when
    pandas is there; sorts the strings otherwise."""
    hashed = hash_factorize(arr) if arr.size else None
    if hashed is not None:
        uniq, codes = hashed
        is_str = np.array([isinstance(v, str) for v in uniq.tolist()], dtype=bool)
        lut = np.full(len(uniq) + 1, -1, dtype=np.int64)
        lut[np.flatnonzero(is_str)] = np.arange(int(is_str.sum()), dtype=np.int64)
        idx = lut[codes]  # code -1 (missing) reads the last slot: -1
        rows = np.flatnonzero(idx >= 0)
        return rows, [str(u) for u in uniq[is_str].tolist()], idx[rows]
    present = np.array([isinstance(v, str) for v in arr.tolist()], dtype=bool)
    rows = np.flatnonzero(present)
    if not rows.size:
        return rows, [], np.zeros(0, dtype=np.int64)
    distinct, inverse = np.unique(arr[present], return_inverse=True)  # str objects: exact
    return rows, distinct.tolist(), inverse.reshape(-1)


#: Naming conventions of :func:`build_url`: the separator that replaces whitespace.
CONVENTIONS: Mapping[str, str] = MappingProxyType({"snake": "_", "kebab": "-", "lower": " "})


def _name(value: str | None, field: str, required: bool, sep: str) -> str | None:
    if value is None or not value.strip():
        if required:
            raise ValueError(f"{field!r} is required and must not be empty, got {value!r}")
        return None
    return sep.join(value.strip().lower().split())


def build_url(
    base_url: str,
    *,
    source: str,
    medium: str,
    campaign: str,
    term: str | None = None,
    content: str | None = None,
    id: str | None = None,
    convention: str = "snake",
) -> str:
    """Tag ``base_url`` with UTM parameters named by one convention.

    Names are stripped, lower-cased and runs of whitespace become ``_`` ("Q2 Demo Push"
    -> "q2_demo_push"; ``convention="kebab"``: "q2-demo-push"; ``"lower"``: one space),
    so the same campaign is never spelled two ways. Existing query
    parameters and the fragment are kept; existing ``utm_*`` parameters are replaced.

    Parameters
    ----------
    base_url : str
        The landing page.
    source, medium, campaign : str
        Required tags.
    term, content, id : str, optional
        Optional tags.
    convention : {"snake", "kebab", "lower"}
        How names are written (see :data:`CONVENTIONS`).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When a required tag is empty, naming it, or the convention is unknown.

    Examples
    --------
    >>> build_url("https://example.com/demo?ref=nav#top", source="LinkedIn",
    ...           medium="Paid Social", campaign="Q2 Demo Push")
    'https://example.com/demo?ref=nav&utm_source=linkedin&utm_medium=paid_social&utm_campaign=q2_demo_push#top'
    >>> build_url("https://example.com", source="G2", medium="Referral",
    ...           campaign="Spring Launch", convention="kebab")
    'https://example.com?utm_source=g2&utm_medium=referral&utm_campaign=spring-launch'
    """
    sep = CONVENTIONS.get(convention)
    if sep is None:
        raise ValueError(
            f"'convention' must be one of {', '.join(map(repr, CONVENTIONS))}; got {convention!r}"
        )
    tags = {
        "utm_source": _name(source, "source", True, sep),
        "utm_medium": _name(medium, "medium", True, sep),
        "utm_campaign": _name(campaign, "campaign", True, sep),
        "utm_term": _name(term, "term", False, sep),
        "utm_content": _name(content, "content", False, sep),
        "utm_id": _name(id, "id", False, sep),
    }
    parts = urlsplit(base_url.strip())
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    kept += [(k, v) for k, v in tags.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(kept)))
