"""Canonical lead sources and channel groups (home: :mod:`touchcredit.hygiene.sources`).

A stable public path kept from before the areas existed; the names below are
the home module's public API, unchanged.
"""

from touchcredit.hygiene.sources import (
    CATEGORIES,
    CHANNEL_GROUPS,
    Catalog,
    Normalized,
    Source,
    channel_group,
    channel_groups,
    normalize,
)

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
