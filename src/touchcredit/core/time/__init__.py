"""Time: the one rule by which every path reads timestamps and durations.

Every time the library stores is a ``datetime64[us]`` UTC instant; every builder,
connector, the cleaning step and the CLI read times through :class:`TimeRule`
(:mod:`~touchcredit.core.time.rule`, which states the rule) and durations through
:func:`to_duration` (:mod:`~touchcredit.core.time.durations`). Behind this face:

* :mod:`~touchcredit.core.time.columns`: one column read by its dtype;
* :mod:`~touchcredit.core.time.text`: strings, strictly (numpy, dateutil);
* :mod:`~touchcredit.core.time.iso`: ISO 8601 text in bulk by Arrow's parser;
* :mod:`~touchcredit.core.time.epochs`: epoch numbers and their unit;
* :mod:`~touchcredit.core.time.local`: wall-clock times in a zone, clock changes;
* :mod:`~touchcredit.core.time.order`: the day/month order of a column;
* :mod:`~touchcredit.core.time.suffix`: ``GMT+1`` zone suffixes;
* :mod:`~touchcredit.core.time.day_end`: date-only conversion times.

The rest of the package imports from this module only.
"""

from __future__ import annotations

from touchcredit.core.time.day_end import date_only, end_of_day
from touchcredit.core.time.durations import DURATION_UNITS, to_duration
from touchcredit.core.time.epochs import (
    EPOCH_UNITS,
    EpochUnit,
    check_unit,
    epoch_to_datetime64,
    epoch_unit,
    read_epochs,
)
from touchcredit.core.time.iso import arrow_text
from touchcredit.core.time.local import TIME_CHOICES, TimeChoice, localize
from touchcredit.core.time.rule import (
    NAT,
    UTC,
    TimeRule,
    TimeZoneLike,
    as_tzinfo,
    as_utc_datetime,
    naive_local_to_utc,
    read_times,
    to_datetime64,
)

__all__ = [
    "DURATION_UNITS",
    "EPOCH_UNITS",
    "NAT",
    "TIME_CHOICES",
    "UTC",
    "EpochUnit",
    "TimeChoice",
    "TimeRule",
    "TimeZoneLike",
    "arrow_text",
    "as_tzinfo",
    "as_utc_datetime",
    "check_unit",
    "date_only",
    "end_of_day",
    "epoch_to_datetime64",
    "epoch_unit",
    "localize",
    "naive_local_to_utc",
    "read_epochs",
    "read_times",
    "to_datetime64",
    "to_duration",
]
