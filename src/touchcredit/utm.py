"""UTM tags from landing URLs (home: :mod:`touchcredit.hygiene.utm`).

A stable public path kept from before the areas existed; the names below are
the home module's public API, unchanged.
"""

from touchcredit.hygiene.utm import (
    CLICK_IDS,
    CONVENTIONS,
    MAX_LENGTH,
    UTM,
    UTM_FIELDS,
    build_url,
    parse,
    parse_fields,
    parse_many,
    query_pairs,
)

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
