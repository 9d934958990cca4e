"""Out-of-core attribution of Parquet datasets (home: :mod:`touchcredit.io.chunked`).

A stable public path kept from before the areas existed; the names below are
the home module's public API, unchanged.
"""

from touchcredit.io.chunked import (
    ChunkedAttribution,
    LargeJourneyWarning,
    attribute_parquet,
)

__all__ = [
    "ChunkedAttribution",
    "LargeJourneyWarning",
    "attribute_parquet",
]
