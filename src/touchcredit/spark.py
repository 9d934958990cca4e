"""Attribution on Apache Spark (home: :mod:`touchcredit.io.spark`); imports pyspark lazily.

A stable public path kept from before the areas existed; the names below are
the home module's public API, unchanged.
"""

from touchcredit.io.spark import (
    SparkAttribution,
    attribute,
    fit,
    totals,
)

__all__ = [
    "SparkAttribution",
    "attribute",
    "fit",
    "totals",
]
