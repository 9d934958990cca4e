"""The driver side of Spark attribution: the public runners :func:`attribute` and :func:`fit`.

:func:`attribute` checks the input (:mod:`~touchcredit.io.spark.validation`), builds
the tagged row stream (:mod:`~touchcredit.io.spark.stream`), fits a data-driven model
from counts merged here (:func:`fit`), and hands each partition to the executor side
(:mod:`~touchcredit.io.spark.executor`). Only small counts and nothing else come back
to the driver.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from touchcredit.core.store import JourneySet
from touchcredit.core.time_rule import TimeZoneLike
from touchcredit.io.spark import validation
from touchcredit.io.spark.codec import decode_counts
from touchcredit.io.spark.executor import count_partitions, credit_partitions
from touchcredit.io.spark.result import SparkAttribution
from touchcredit.io.spark.stream import (
    CONVERSION,
    CREDIT_CONVERSIONS,
    CREDIT_VALUE,
    KEY,
    KIND,
    TOUCH,
    Layout,
    build_stream,
)
from touchcredit.models.base import AttributionModel, NotFittedError, get

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["attribute", "fit"]


def attribute(
    df: DataFrame,
    model: AttributionModel | str,
    *,
    journey_col: str = "journey_id",
    time_col: str = "timestamp",
    channel_col: str | None = "channel",
    source_col: str | None = None,
    campaign_col: str | None = None,
    method_col: str | None = None,
    conversions: DataFrame | None = None,
    conversion_journey_col: str | None = None,
    conversion_time_col: str | None = None,
    conversion_value_col: str | None = None,
    lead_created_col: str | None = None,
    opportunity_created_col: str | None = None,
    closed_col: str | None = None,
    default_tz: TimeZoneLike = None,
    num_partitions: int | None = None,
    fit: bool | None = None,
    validate: bool = True,
) -> SparkAttribution:
    """Attribute conversions to the touches of a Spark DataFrame, with any model.

    The answer is the in-memory :func:`touchcredit.attribute` answer on the same data
    (same per-touch credits), computed without collecting the touches to the driver:
    touches and conversions are repartitioned by journey and each partition is
    weighed in one vectorized call. Data-driven models are fitted first from counts
    aggregated over all partitions (see :func:`fit`).

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        One row per touch. Every column is carried through to :attr:`~SparkAttribution.credits`
        (select the ones you need first: they all travel through the shuffle).
    model : AttributionModel or str
        A model instance or a registry name (``"linear"``, ``"w_shaped"``, ``"markov"``...).
    journey_col : str
        Journey (person/account) id column of ``df``: string, integer or binary; never null.
    time_col : str
        Touch time: ``timestamp`` (an instant, read in UTC whatever the session time
        zone), ``timestamp_ntz`` or ``date`` (wall-clock, read in ``default_tz``), or a
        number (epoch seconds). Never null.
    channel_col, source_col, campaign_col, method_col : str, optional
        String label columns; null means "not recorded". ``channel_col=None`` when
        there is no channel column.
    conversions : pyspark.sql.DataFrame, optional
        One row per conversion (a lead's creation, a won deal). Without it no value is
        attributed and every credit is 0.
    conversion_journey_col : str, optional
        Journey id column of ``conversions`` (default: ``journey_col``); cast to the
        type of the touches' journey column.
    conversion_time_col : str, optional
        Conversion time column (default: ``time_col``); same types as ``time_col``.
    conversion_value_col : str, optional
        Conversion value (finite, >= 0, not null); every conversion is worth 1 when None.
    lead_created_col, opportunity_created_col, closed_col : str, optional
        Milestone time columns of ``conversions`` (null where unknown), used by the
        W-shaped and full-path models.
    default_tz : str or tzinfo, optional
        Zone of ``timestamp_ntz``/``date`` columns (UTC when None).
    num_partitions : int, optional
        Partitions of the journey shuffle (default: Spark's ``repartition(col)``
        choice, ``spark.sql.shuffle.partitions`` before adaptive coalescing). Each
        partition is held in one Python worker's memory at once.
    fit : bool, optional
        Fit a data-driven model on these journeys: None (default) fits it when it is
        not fitted yet, True refits it, False never fits (it must be fitted).
    validate : bool
        Check for null ids/times, blank labels and invalid values first, in one
        aggregate Spark job per input, and raise a ``ValueError`` naming the column
        and counting the bad rows. With False the same problems fail inside the
        Spark job instead.

    Returns
    -------
    SparkAttribution
        Lazy frames ``credits`` (input touch columns + ``credit_value`` +
        ``credit_conversions``) and ``unattributed`` (conversion columns +
        ``unattributed_value``), and the model used.

    Raises
    ------
    ValueError
        A missing column, null journey ids or times (with the number of rows),
        blank labels, or invalid conversion values.
    TypeError
        A column of the wrong type (a string time column, a numeric label column).
    touchcredit.models.NotFittedError
        With ``fit=False`` and a data-driven model that is not fitted.

    Examples
    --------
    >>> from touchcredit import spark as tcs
    >>> res = tcs.attribute(  # doctest: +SKIP
    ...     touches, "position", journey_col="person_id", time_col="ts",
    ...     channel_col="utm_medium", conversions=deals,
    ...     conversion_time_col="closed_at", conversion_value_col="amount")
    >>> res.credits.select("person_id", "utm_medium", "credit_value").show()  # doctest: +SKIP
    >>> res.totals("channel").toPandas()  # doctest: +SKIP
    """
    m = get(model) if isinstance(model, str) else model
    layout, stream = _prepare(
        df,
        conversions,
        journey_col=journey_col,
        time_col=time_col,
        channel_col=channel_col,
        source_col=source_col,
        campaign_col=campaign_col,
        method_col=method_col,
        conversion_journey_col=conversion_journey_col,
        conversion_time_col=conversion_time_col,
        conversion_value_col=conversion_value_col,
        lead_created_col=lead_created_col,
        opportunity_created_col=opportunity_created_col,
        closed_col=closed_col,
        default_tz=default_tz,
        num_partitions=num_partitions,
        validate=validate,
    )
    if m.learns_from_data and (fit or (fit is None and not m.is_fitted)):
        m = _fit_stream(stream, m, layout)
    elif not m.is_fitted:
        raise NotFittedError(
            f"{m!r} learns from data and is not fitted; pass fit=None or fit=True, or fit it first"
        )
    return _result(df, conversions, stream, layout, m)


def _result(
    df: DataFrame,
    conversions: DataFrame | None,
    stream: DataFrame,
    layout: Layout,
    model: AttributionModel,
) -> SparkAttribution:
    """Weigh every partition; split the output back into credits and unattributed rows."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    schema = T.StructType(
        [
            *stream.schema.fields,
            T.StructField(CREDIT_VALUE, T.DoubleType(), False),
            T.StructField(CREDIT_CONVERSIONS, T.DoubleType(), False),
        ]
    )
    frame = stream.mapInArrow(
        functools.partial(credit_partitions, layout=layout, model=model), schema
    )
    t_alias = dict(zip(layout.touch_columns, layout.t_names, strict=True))
    credits = frame.filter(F.col(KIND) == TOUCH).select(
        *[
            F.col(KEY if name == layout.journey else t_alias[name]).alias(name)
            for name in df.columns
        ],
        F.col(CREDIT_VALUE).alias("credit_value"),
        F.col(CREDIT_CONVERSIONS).alias("credit_conversions"),
    )
    c_alias = dict(zip(layout.conv_columns, layout.c_names, strict=True))
    conv_names = layout.conv_columns if conversions is None else tuple(conversions.columns)
    unattributed = frame.filter(F.col(KIND) == CONVERSION).select(
        *[
            F.col(KEY if name == layout.conv_journey else c_alias[name]).alias(name)
            for name in (conv_names or (layout.conv_journey,))
        ],
        F.col(CREDIT_VALUE).alias("unattributed_value"),
    )
    dims = {dim: layout.touch_columns[i] for dim, i in layout.labels}
    return SparkAttribution(
        frame=frame, credits=credits, unattributed=unattributed, model=model, dimensions=dims
    )


def fit(
    df: DataFrame,
    model: AttributionModel | str,
    *,
    journey_col: str = "journey_id",
    time_col: str = "timestamp",
    channel_col: str | None = "channel",
    source_col: str | None = None,
    campaign_col: str | None = None,
    method_col: str | None = None,
    conversions: DataFrame | None = None,
    conversion_journey_col: str | None = None,
    conversion_time_col: str | None = None,
    conversion_value_col: str | None = None,
    lead_created_col: str | None = None,
    opportunity_created_col: str | None = None,
    closed_col: str | None = None,
    default_tz: TimeZoneLike = None,
    num_partitions: int | None = None,
    validate: bool = True,
) -> AttributionModel:
    """Fit a data-driven model on a Spark DataFrame; only small counts reach the driver.

    Every partition (whole journeys) is counted with ``model.count(journeys)``; the
    count objects are encoded as JSON (labels and plain numbers, no pickle) into one
    Arrow row per partition, collected, merged
    with ``+`` and solved on the driver with ``model.fit_counts(counts)``, which equals
    ``model.fit(all_journeys)``. Models that do not learn from data are returned as
    they are.

    Parameters
    ----------
    df, model, journey_col, time_col, channel_col, source_col, campaign_col, method_col
        As for :func:`attribute`.
    conversions, conversion_journey_col, conversion_time_col, conversion_value_col
        As for :func:`attribute`.
    lead_created_col, opportunity_created_col, closed_col, default_tz, num_partitions
        As for :func:`attribute`.
    validate : bool
        As for :func:`attribute`.

    Returns
    -------
    AttributionModel
        The model, fitted (``model.fit_counts`` returns it).

    Raises
    ------
    TypeError
        When the model learns from data but has no ``count``/``fit_counts`` pair.
    ValueError
        As for :func:`attribute`.

    Examples
    --------
    >>> markov = fit(touches, "markov", conversions=leads)  # doctest: +SKIP
    >>> markov.removal_effects_  # doctest: +SKIP
    """
    m = get(model) if isinstance(model, str) else model
    if not m.learns_from_data:
        return m
    layout, stream = _prepare(
        df,
        conversions,
        journey_col=journey_col,
        time_col=time_col,
        channel_col=channel_col,
        source_col=source_col,
        campaign_col=campaign_col,
        method_col=method_col,
        conversion_journey_col=conversion_journey_col,
        conversion_time_col=conversion_time_col,
        conversion_value_col=conversion_value_col,
        lead_created_col=lead_created_col,
        opportunity_created_col=opportunity_created_col,
        closed_col=closed_col,
        default_tz=default_tz,
        num_partitions=num_partitions,
        validate=validate,
    )
    return _fit_stream(stream, m, layout)


def _fit_stream(stream: DataFrame, model: AttributionModel, layout: Layout) -> AttributionModel:
    """Count per partition, merge the counts on the driver, solve there."""
    count_fn = getattr(model, "count", None)
    fit_counts = getattr(model, "fit_counts", None)
    if not callable(count_fn) or not callable(fit_counts):
        raise TypeError(
            f"{type(model).__name__} learns from data but has no count(journeys) / "
            "fit_counts(counts) pair, so it cannot be fitted on Spark; fit it in memory "
            "(e.g. on a sample) and pass fit=False"
        )
    rows = stream.mapInArrow(
        functools.partial(count_partitions, layout=layout, model=model), "counts binary"
    ).collect()
    parts = [decode_counts(bytes(r[0])) for r in rows]
    if not parts:
        parts = [count_fn(_empty_journey_set())]
    merged = functools.reduce(operator.add, parts)
    fitted = fit_counts(merged)
    assert isinstance(fitted, AttributionModel)
    return fitted


def _empty_journey_set() -> JourneySet:
    empty_t = np.empty(0, dtype="datetime64[us]")
    return JourneySet.from_arrays(
        journey_id=np.empty(0, dtype=np.int64),
        timestamp=empty_t,
        channel=None,
        conversion_journey_id=np.empty(0, dtype=np.int64),
        conversion_time=empty_t,
    )


def _prepare(
    df: DataFrame,
    conversions: DataFrame | None,
    *,
    journey_col: str,
    time_col: str,
    channel_col: str | None,
    source_col: str | None,
    campaign_col: str | None,
    method_col: str | None,
    conversion_journey_col: str | None,
    conversion_time_col: str | None,
    conversion_value_col: str | None,
    lead_created_col: str | None,
    opportunity_created_col: str | None,
    closed_col: str | None,
    default_tz: TimeZoneLike,
    num_partitions: int | None,
    validate: bool,
) -> tuple[Layout, DataFrame]:
    """Check the columns, validate the rows, and build the tagged, repartitioned stream."""
    validation.check_partitions(num_partitions)
    key_type = validation.key_type_of(df, journey_col)
    validation.require(df, time_col, "touches")
    touch_columns = tuple(c for c in df.columns if c != journey_col)
    names = {"source": source_col, "channel": channel_col, "campaign": campaign_col}
    labels = validation.touch_labels(
        df, journey_col, touch_columns, {**names, "method": method_col}
    )
    conv_journey = conversion_journey_col or journey_col
    milestones = {
        "lead_created_at": lead_created_col,
        "opportunity_created_at": opportunity_created_col,
        "closed_at": closed_col,
    }
    roles: dict[str, Any] = {
        "conv_columns": (),
        "conv_time": None,
        "conv_time_kind": "instant",
        "conv_value": None,
        "milestones": (),
    }
    if conversions is not None:
        roles = validation.conversion_roles(
            conversions,
            conv_journey,
            conversion_time_col or time_col,
            conversion_value_col,
            milestones,
        )
    elif (
        conversion_journey_col
        or conversion_time_col
        or conversion_value_col
        or any(milestones.values())
    ):
        raise ValueError("conversion columns were given without a 'conversions' DataFrame")
    layout = Layout(
        journey=journey_col,
        touch_columns=touch_columns,
        time=touch_columns.index(time_col),
        labels=labels,
        time_kind=validation.time_kind(df, time_col, "touches"),
        conv_journey=conv_journey,
        default_tz=default_tz,
        batch_rows=validation.batch_rows_of(df),
        **roles,
    )
    if validate:
        validation.validate_rows(df, conversions, layout, key_type)
    return layout, build_stream(df, conversions, layout, key_type, num_partitions)
