"""The tagged row stream that carries touches and conversions to the executors.

Touches (kind 0) and conversions (kind 1) are unioned into one stream with a shared
journey key column, then repartitioned by that key, so that every journey lands
whole in one partition. :class:`Layout` says where each role sits in that stream;
it is shipped to the executors with the model.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from touchcredit.core.time import TimeZoneLike

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

KIND = "__tc_kind"
KEY = "__tc_key"
CREDIT_VALUE = "__tc_credit_value"
CREDIT_CONVERSIONS = "__tc_credit_conversions"
TOUCH, CONVERSION = 0, 1
LABELS = ("source", "channel", "campaign", "method")


@attrs.frozen
class Layout:
    """Where each role sits in the tagged row stream; shipped to the executors."""

    journey: str  # Spark name of the journey column of the touches
    touch_columns: tuple[str, ...]  # Spark names of the touch columns carried through
    time: int  # index into touch_columns
    labels: tuple[tuple[str, int], ...]  # (dimension, index into touch_columns)
    time_kind: str  # "instant" | "naive" | "epoch" (seconds) | "epoch:<unit>"
    conv_journey: str
    conv_columns: tuple[str, ...]
    conv_time: int | None
    conv_time_kind: str
    conv_value: int | None
    milestones: tuple[tuple[str, int, str], ...]  # (role, index into conv_columns, kind)
    default_tz: TimeZoneLike
    batch_rows: int

    @property
    def t_names(self) -> list[str]:
        return [f"__tc_t{i}" for i in range(len(self.touch_columns))]

    @property
    def c_names(self) -> list[str]:
        return [f"__tc_c{i}" for i in range(len(self.conv_columns))]


@contextlib.contextmanager
def quiet_pandas_warning() -> Iterator[None]:
    """Silence pyspark's "does not yet fully support pandas >= 3.0.0" FutureWarning.

    pyspark 4 checks the pandas version whenever an Arrow UDF is made (``mapInArrow``
    makes one) and warns under pandas 3, on every call. touchcredit's Spark path never
    goes through pandas (Arrow record batches in and out), so the warning says nothing
    about it; it is filtered only around touchcredit's own calls into pyspark.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        yield


def col(name: str) -> Any:
    """A column by its exact name (dots and spaces are not struct paths)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def build_stream(
    df: DataFrame,
    conversions: DataFrame | None,
    layout: Layout,
    key_type: Any,
    num_partitions: int | None,
) -> DataFrame:
    """Union touches and conversions under one key and repartition by journey."""
    from pyspark.sql import functions as F

    stream = df.select(
        F.lit(TOUCH).cast("byte").alias(KIND),
        col(layout.journey).alias(KEY),
        *[col(c).alias(n) for c, n in zip(layout.touch_columns, layout.t_names, strict=True)],
    )
    if conversions is not None:
        stream = stream.unionByName(
            conversions.select(
                F.lit(CONVERSION).cast("byte").alias(KIND),
                col(layout.conv_journey).cast(key_type).alias(KEY),
                *[
                    col(c).alias(n)
                    for c, n in zip(layout.conv_columns, layout.c_names, strict=True)
                ],
            ),
            allowMissingColumns=True,
        )
    if num_partitions is None:
        return stream.repartition(KEY)
    return stream.repartition(num_partitions, KEY)
