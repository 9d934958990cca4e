"""Channel groups: which broad channel a touch came through, by ordered rules.

:func:`channel_group` / :func:`channel_groups` assign the channel group of a touch from
its source, medium, click ids and referrer, by the ordered rules documented in the
*Lead-source hygiene* page of the docs (after the GA4 default channel group).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.columns import as_object_array
from touchcredit.hygiene.catalog import CHANNEL_GROUPS, Catalog
from touchcredit.hygiene.labels import distinct_strings, label_key
from touchcredit.hygiene.text_codes import TextCodes

__all__ = ["channel_group", "channel_group_codes", "channel_groups"]

_GROUP_KEYS = {label_key(g): g for g in CHANNEL_GROUPS}
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
        (source is None or label_key(source) in _DIRECT_SOURCES)
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
    src = label_key(source) if source is not None else None
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
    med = label_key(medium) if medium is not None else None
    return _rule(cat, src, med or None, bool(paid or click_ids), platform, ref)


def _codes(values: Any, field: str, n: int) -> TextCodes | None:
    """Distinct strings of a column and each row's index into them (-1: missing)."""
    if values is None:
        return None
    arr = as_object_array(values, field=field)
    if arr.shape[0] != n:
        raise ValueError(f"{field!r} has {arr.shape[0]} rows, expected {n}")
    uniq, inverse, _ = distinct_strings(arr, field)
    table = np.empty(len(uniq), dtype=object)
    table[:] = uniq
    return TextCodes(inverse, table)


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
    given = {"source": source, "medium": medium, "paid": paid, "platform": platform}
    given["referrer"] = referrer
    n = next((len(as_object_array(v, field=k)) for k, v in given.items() if v is not None), 0)
    return channel_group_codes(
        _codes(source, "source", n),
        _codes(medium, "medium", n),
        paid=None if paid is None else _paid_codes(paid, n).astype(bool),
        platform=_codes(platform, "platform", n),
        referrer=_codes(referrer, "referrer", n),
        catalog=catalog,
        n=n,
    ).labels()


def channel_group_codes(
    source: TextCodes | None,
    medium: TextCodes | None,
    *,
    paid: npt.NDArray[np.bool_] | None,
    platform: TextCodes | None,
    referrer: TextCodes | None,
    catalog: Catalog | None,
    n: int,
) -> TextCodes:
    """:func:`channel_groups` over factorized columns (each value a ``str``).

    Examples
    --------
    >>> from touchcredit.hygiene.text_codes import factorize_text
    >>> src = factorize_text(["google", "google", None], field="source")
    >>> med = factorize_text(["cpc", "organic", None], field="medium")
    >>> g = channel_group_codes(src, med, paid=None, platform=None, referrer=None,
    ...                         catalog=None, n=3)
    >>> g.labels().tolist()
    ['paid search', 'organic search', 'direct']
    """
    cat = Catalog.default() if catalog is None else catalog
    none = TextCodes(np.full(n, -1, dtype=np.int64), np.empty(0, dtype=object))
    cols = [c if c is not None else none for c in (source, medium, platform, referrer)]
    flags = np.zeros(n, dtype=bool) if paid is None else paid
    # One int64 key per row (mixed radix over the codes + 1, so -1 is 0).
    digits = [(c.codes + 1, c.values.shape[0] + 1) for c in cols]
    digits.insert(2, (flags.astype(np.int64), 2))
    key, combos = _combinations(digits, n)
    src_t, med_t, plat_t, ref_t = ([None, *c.values.tolist()] for c in cols)
    canon_src = [None if s is None or not s.strip() else (cat.lookup(s) or s) for s in src_t]
    canon_ref = [None if r is None or not r.strip() else (cat.lookup(r) or r) for r in ref_t]
    med_keys = [None if m is None else (label_key(m) or None) for m in med_t]
    groups = []
    for s, m, p, pl, r in combos.tolist():  # one per distinct combination
        plat = plat_t[pl]
        groups.append(
            _rule(
                cat,
                canon_src[s],
                med_keys[m],
                bool(p) or plat is not None,
                None if plat is None else str(plat).lower(),
                canon_ref[r],
            )
        )
    return TextCodes(key, np.empty(0, dtype=object)).recode(*_distinct(groups))


def _distinct(values: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    index: dict[str, int] = {}
    lookup = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)
    table = np.empty(len(index), dtype=object)
    table[:] = list(index)
    return lookup, table


def _combinations(
    digits: list[tuple[npt.NDArray[np.int64], int]], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Index of each row's digit tuple among the distinct tuples, and those tuples."""
    key = np.zeros(n, dtype=np.int64)
    radix = 1
    for codes, size in digits:
        radix *= size
        key = key * size + codes
        if radix > 2**40:  # keep the key small: renumber the tuples seen so far
            uniq_key, inv = np.unique(key, return_inverse=True)
            key = inv.reshape(-1).astype(np.int64)
            radix = int(uniq_key.size)
    if radix <= max(4 * n, 1 << 16):  # a dense table beats a sort
        seen = np.zeros(radix, dtype=bool)
        seen[key] = True
        first = np.flatnonzero(seen)
        lookup = np.zeros(radix, dtype=np.int64)
        lookup[first] = np.arange(first.size, dtype=np.int64)
        inverse = lookup[key]
        rows = np.zeros(first.size, dtype=np.int64)
        rows[inverse] = np.arange(n, dtype=np.int64)  # any row of a tuple holds its digits
    else:
        _, rows, inverse = np.unique(key, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    combos = np.stack([codes[rows] for codes, _ in digits], axis=1)
    return inverse.astype(np.int64), combos


def _paid_codes(paid: Any, n: int) -> npt.NDArray[np.int64]:
    arr = np.asarray(paid)
    if arr.shape != (n,):
        raise ValueError(f"'paid' has shape {arr.shape}, expected ({n},)")
    if arr.dtype.kind == "O":
        arr = np.array([bool(v) and v == v for v in arr.tolist()], dtype=bool)
    return arr.astype(bool).astype(np.int64)
