"""How journeys convert: top paths, assisted conversions, path lengths and time lags.

The public home of the path measures (implementation: :mod:`touchcredit.kpi.paths`
and :mod:`touchcredit.kpi.conversion_paths`). Definitions: the "How journeys
convert" page of the documentation.
"""

from touchcredit.kpi.conversion_paths import LAG_BUCKETS, assisted, path_lengths, time_lags
from touchcredit.kpi.paths import PathIndex, path_index, top_paths

__all__ = [
    "LAG_BUCKETS",
    "PathIndex",
    "assisted",
    "path_index",
    "path_lengths",
    "time_lags",
    "top_paths",
]
