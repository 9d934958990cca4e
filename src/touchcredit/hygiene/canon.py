"""Labels that must meet: one spelling per source, channel or campaign across tables.

Tables joined by label (leads, spend lines, revenue) are typed by different people and
tools: ``"linkedin"`` in the ad-platform export, ``"LinkedIn"`` in the CRM. A
:class:`LabelCanon` gives every raw label its canonical spelling before the join:

* ``source``: the catalog name when :meth:`Catalog.lookup` knows the value
  (``"linkedin"``, ``"lnkd.in"`` -> ``"LinkedIn"``);
* ``channel``: the channel-group name when the value is one in another spelling
  (``"Paid_Search"`` -> ``"paid search"``);
* any other label, and a source or channel the catalog does not know: the first
  spelling seen among those with the same matching key (case-folded, ``_``/``-`` as
  spaces, whitespace collapsed), so ``"Booth #4"`` and ``"booth #4"`` meet.

None (label not recorded) stays None.
"""

from __future__ import annotations

from typing import Any

from touchcredit.hygiene.catalog import CHANNEL_GROUPS, Catalog
from touchcredit.hygiene.labels import label_key

__all__ = ["LabelCanon"]

_GROUPS = {label_key(g): g for g in CHANNEL_GROUPS}


class LabelCanon:
    """Canonical spelling of the labels of one kind (source, channel, other).

    Remembers the spellings it has seen, so a label folds onto the first spelling
    of its matching key, across every table passed through the same instance.

    Parameters
    ----------
    kind : str
        ``"source"`` (catalog names), ``"channel"`` (channel groups) or anything
        else (spelling folded only).
    catalog : Catalog, optional
        The source catalog (:meth:`Catalog.default` when None).

    Examples
    --------
    >>> canon = LabelCanon("source")
    >>> [canon(x) for x in ["linkedin", "LinkedIn ", "lnkd.in", "Booth #4", "booth  #4", None]]
    ['LinkedIn', 'LinkedIn', 'LinkedIn', 'Booth #4', 'Booth #4', None]
    >>> LabelCanon("channel")("Paid_Search")
    'paid search'
    """

    def __init__(self, kind: str, catalog: Catalog | None = None) -> None:
        self.kind = kind
        self._catalog = Catalog.default() if catalog is None and kind == "source" else catalog
        self._seen: dict[str, str] = {}

    def __call__(self, label: Any) -> Any:
        """The canonical spelling of ``label`` (non-strings are returned unchanged)."""
        if not isinstance(label, str):
            return label
        key = label_key(label)
        name: str | None = None
        if self.kind == "source" and self._catalog is not None:
            name = self._catalog.lookup(label)
        elif self.kind == "channel":
            name = _GROUPS.get(key)
        if name is not None:
            return name
        if not key:
            return label
        return self._seen.setdefault(key, label)
