"""Channel factors of a Markov model fitted elsewhere, from one Spark job.

A model whose channel totals no split of each conversion reaches
(:class:`~touchcredit.models.channel_totals.ChannelTotalsModel`, Markov) shows its own
credit (``model.credit`` of all the journeys) only when every touch's credit is
multiplied by its channel's factor. A model fitted in the run learned those factors
on all the partitions together; for one fitted elsewhere, :func:`factors_on_spark`
runs one job before the credit plan: each partition (whole journeys, built as
:func:`~touchcredit.io.spark.executor.credit_partitions` builds them) sends back, per
channel label and measure, the model's credit (the target; it adds up over
partitions) and the per-conversion split's total (achieved), a few rows per
partition. The driver sums them and
:func:`~touchcredit.attribution.totals.channel_factors` turns the sums into one factor
per channel (see :mod:`touchcredit.io.chunk_totals`, which does the same over chunks).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from touchcredit.attribution.totals import ChannelFactors, Measure, channel_factors
from touchcredit.io.chunk_totals import Sums, part_sums
from touchcredit.io.spark.executor import journeys, read_all
from touchcredit.io.spark.stream import Layout, quiet_pandas_warning
from touchcredit.models.base import AttributionModel

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

__all__ = ["SCHEMA", "factor_partitions", "factors_on_spark"]

#: One row per (channel label, measure) of a partition; a null channel is "not recorded".
SCHEMA = "channel string, measure string, target double, achieved double"
_MEASURES: tuple[Measure, ...] = ("value", "conversions")


def factor_partitions(
    batches: Iterator[pa.RecordBatch], *, layout: Layout, model: AttributionModel
) -> Iterator[pa.RecordBatch]:
    """The target and achieved channel totals of one whole partition (executor side).

    Examples
    --------
    >>> from touchcredit.models import MarkovModel
    >>> list(factor_partitions(iter([]), layout=None, model=MarkovModel()))  # an empty partition
    []
    """
    import pyarrow as pa

    table = read_all(batches)
    if table is None:
        return
    js, _, _ = journeys(table, layout)
    target, achieved = part_sums(js, model)
    channel: list[str | None] = []
    measure: list[str] = []
    t_out: list[float] = []
    a_out: list[float] = []
    for what in _MEASURES:
        t, a = target.get(what, {}), achieved.get(what, {})
        for label in {**t, **a}:
            channel.append(label)
            measure.append(what)
            t_out.append(float(t.get(label, 0.0)))
            a_out.append(float(a.get(label, 0.0)))
    yield pa.RecordBatch.from_arrays(
        [
            pa.array(channel, pa.string()),
            pa.array(measure, pa.string()),
            pa.array(t_out, pa.float64()),
            pa.array(a_out, pa.float64()),
        ],
        ["channel", "measure", "target", "achieved"],
    )


def factors_on_spark(stream: DataFrame, layout: Layout, model: AttributionModel) -> ChannelFactors:
    """One Spark job over the stream's partitions; the factors from the summed rows.

    The partitions' rows are summed with :func:`math.fsum`, so the factors do not
    depend on the order the partitions come back in.
    """
    with quiet_pandas_warning():
        rows = stream.mapInArrow(
            functools.partial(factor_partitions, layout=layout, model=model), SCHEMA
        ).collect()
    parts: dict[tuple[Measure, str | None], tuple[list[float], list[float]]] = {}
    for r in rows:
        what: Measure = "value" if r["measure"] == "value" else "conversions"
        t, a = parts.setdefault((what, r["channel"]), ([], []))
        t.append(r["target"])
        a.append(r["achieved"])
    target: Sums = {m: {} for m in _MEASURES}
    achieved: Sums = {m: {} for m in _MEASURES}
    for (what, label), (t, a) in parts.items():
        target[what][label] = math.fsum(t)
        achieved[what][label] = math.fsum(a)
    return channel_factors(target, achieved)
