"""The executor side: one whole partition of the tagged stream, weighed in one call.

Functions here run inside Spark's Python workers (``mapInArrow``): each reads its
partition in full (whole journeys, see :mod:`touchcredit.io.spark.stream`), turns it
into a :class:`~touchcredit.JourneySet`, and either weighs it with the model or counts
it for a data-driven fit. They need no Spark session: a list of Arrow record batches
is enough to call them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import TimeArray
from touchcredit.core.factorize import argsort_values
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeZoneLike, to_datetime64
from touchcredit.io.spark.codec import encode_counts
from touchcredit.io.spark.stream import (
    CONVERSION,
    CREDIT_CONVERSIONS,
    CREDIT_VALUE,
    KEY,
    KIND,
    TOUCH,
    Layout,
)
from touchcredit.io.spark.units import unit_of_kind
from touchcredit.models.base import AttributionModel
from touchcredit.models.counting import CountingModel, count_classes

if TYPE_CHECKING:
    import pyarrow as pa

    from touchcredit.attribution.totals import Reading


class Coded(NamedTuple):
    """Codes plus category table: the Categorical-like input ``from_arrays`` accepts."""

    codes: npt.NDArray[np.int32]
    categories: tuple[str, ...]


def times(col: Any, kind: str, tz: TimeZoneLike, field: str, missing: bool) -> TimeArray:
    """UTC ``datetime64[us]`` of an Arrow time column (nulls -> NaT)."""
    import pyarrow as pa

    if kind == "instant":
        out: TimeArray = (
            col.cast(pa.timestamp("us", tz="UTC"))
            .to_numpy(zero_copy_only=False)
            .astype("datetime64[us]")
        )
        return out
    if kind == "naive":
        local = col.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
        return to_datetime64(local, field=field, default_tz=tz, allow_missing=missing)
    # epoch numbers in the unit the driver decided for the whole column (io.spark.units);
    # integers stay integers (1.7e18 ns is past float64's exact range)
    exact = pa.types.is_integer(col.type)
    numbers = col.cast(pa.int64() if exact else pa.float64())
    values = numbers.to_numpy(zero_copy_only=False)
    if exact and numbers.null_count:  # nulls (unknown milestones) as NaN
        values = numbers.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return to_datetime64(values, field=field, unit=unit_of_kind(kind), allow_missing=missing)


def coded(col: Any) -> Coded:
    """Sorted category table plus int32 codes (-1 = not recorded) of an Arrow string column."""
    import pyarrow as pa

    enc = col.dictionary_encode() if not pa.types.is_dictionary(col.type) else col
    cats = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    if cats.size == 0:
        return Coded(codes, ())
    order = argsort_values(cats)  # fixed-width only for short labels
    rank = np.empty(order.size + 1, dtype=np.int32)
    rank[order] = np.arange(order.size, dtype=np.int32)
    rank[-1] = -1
    return Coded(rank[codes], tuple(str(c) for c in cats[order]))


def _column(table: pa.Table, name: str) -> Any:
    return table.column(name).combine_chunks()


def conversion_arrays(convs: pa.Table, layout: Layout) -> dict[str, Any]:
    """The conversion keyword arguments of ``JourneySet.from_arrays``."""
    import pyarrow as pa

    if layout.conv_time is None:
        return {}
    cn = layout.c_names
    kw: dict[str, Any] = {
        "conversion_journey_id": _column(convs, KEY).to_numpy(zero_copy_only=False),
        "conversion_time": times(
            _column(convs, cn[layout.conv_time]),
            layout.conv_time_kind,
            layout.default_tz,
            layout.conv_columns[layout.conv_time],
            False,
        ),
    }
    if layout.conv_value is not None:
        value = _column(convs, cn[layout.conv_value]).cast(pa.float64())
        kw["conversion_value"] = value.to_numpy(zero_copy_only=False)
    for role, i, k in layout.milestones:
        kw[role] = times(_column(convs, cn[i]), k, layout.default_tz, layout.conv_columns[i], True)
    return kw


def journeys(table: pa.Table, layout: Layout) -> tuple[JourneySet, pa.Table, pa.Table]:
    """The JourneySet of one whole partition, with its touch and conversion rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = table.column(KIND).combine_chunks()
    touches = table.filter(pc.equal(kind, pa.scalar(TOUCH, pa.int8())))
    convs = table.filter(pc.equal(kind, pa.scalar(CONVERSION, pa.int8())))
    tn = layout.t_names
    labels: dict[str, Any] = {dim: coded(_column(touches, tn[i])) for dim, i in layout.labels}
    if "channel" not in labels:
        labels["channel"] = None
    js = JourneySet.from_arrays(
        journey_id=_column(touches, KEY).to_numpy(zero_copy_only=False),
        timestamp=times(
            _column(touches, tn[layout.time]),
            layout.time_kind,
            layout.default_tz,
            layout.touch_columns[layout.time],
            False,
        ),
        **labels,
        **conversion_arrays(convs, layout),
    )
    return js, touches, convs


def read_all(batches: Iterator[pa.RecordBatch]) -> pa.Table | None:
    """The partition's batches as one table (None when it has no rows)."""
    import pyarrow as pa

    parts = [b for b in batches if b.num_rows]
    return pa.Table.from_batches(parts) if parts else None


def credit_partitions(
    batches: Iterator[pa.RecordBatch],
    *,
    layout: Layout,
    model: AttributionModel,
    reading: Reading = "per_conversion",
) -> Iterator[pa.RecordBatch]:
    """Weigh one whole partition in one call; yield touches + unattributed conversions."""
    import pyarrow as pa

    from touchcredit.attribution.results import attribute as attribute_in_memory

    table = read_all(batches)
    if table is None:
        return
    js, touches, convs = journeys(table, layout)
    res = attribute_in_memory(js, model, fit=False, totals=reading)
    cv = np.zeros(touches.num_rows)
    cc = np.zeros(touches.num_rows)
    cv[js.touch_row] = res.touch_credit
    cc[js.touch_row] = res.touch_conversions
    out = [
        touches.append_column(CREDIT_VALUE, pa.array(cv)).append_column(
            CREDIT_CONVERSIONS, pa.array(cc)
        )
    ]
    if convs.num_rows:
        empty = res.pairs.length == 0
        rows = js.conversion_row[empty]
        lost = convs.take(pa.array(rows))
        out.append(
            lost.append_column(CREDIT_VALUE, pa.array(js.conversion_value[empty])).append_column(
                CREDIT_CONVERSIONS, pa.array(np.zeros(rows.size))
            )
        )
    yield from pa.concat_tables(out).to_batches(max_chunksize=layout.batch_rows)


def count_partitions(
    batches: Iterator[pa.RecordBatch], *, layout: Layout, model: AttributionModel
) -> Iterator[pa.RecordBatch]:
    """Count one whole partition; yield one row holding the encoded counts."""
    import pyarrow as pa

    table = read_all(batches)
    if table is None:
        return
    js, _, _ = journeys(table, layout)
    assert isinstance(model, CountingModel)  # checked on the driver
    data = encode_counts(model.count(js), count_classes(model))
    yield pa.RecordBatch.from_arrays([pa.array([data], pa.binary())], ["counts"])
