"""Canonical lead sources and channel groups: the catalog, normalization, channel rules.

A stable public path kept from before the areas existed. Homes:
:mod:`touchcredit.hygiene.catalog` (the catalog and :func:`normalize`) and
:mod:`touchcredit.hygiene.channels` (:func:`channel_group`, :func:`channel_groups`).
"""

from touchcredit.hygiene.catalog import (
    CATEGORIES,
    CHANNEL_GROUPS,
    KINDS,
    Catalog,
    Normalized,
    Source,
    default_catalog,
    normalize,
)
from touchcredit.hygiene.channels import channel_group, channel_group_codes, channel_groups

__all__ = [
    "CATEGORIES",
    "CHANNEL_GROUPS",
    "KINDS",
    "Catalog",
    "Normalized",
    "Source",
    "channel_group",
    "channel_group_codes",
    "channel_groups",
    "default_catalog",
    "normalize",
]
