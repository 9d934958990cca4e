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
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np

from touchcredit.core.mapping import ColumnKeywords, ColumnMap, column_map
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeZoneLike, check_unit
from touchcredit.io.chunk_totals import choose_reading, reading_notes
from touchcredit.io.spark import validation
from touchcredit.io.spark.codec import decode_counts
from touchcredit.io.spark.executor import count_partitions, credit_partitions
from touchcredit.io.spark.factors import factors_on_spark
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
    quiet_pandas_warning,
)
from touchcredit.io.spark.units import epoch_kinds
from touchcredit.models.base import AttributionModel, NotFittedError, get
from touchcredit.models.channel_totals import ChannelTotalsModel
from touchcredit.models.counting import CountingModel, count_classes, missing_counting_methods
from touchcredit.models.fitted import is_fitted

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from touchcredit.attribution.totals import Reading, Totals

__all__ = ["attribute", "fit"]


def attribute(
    df: DataFrame,
    model: AttributionModel | str,
    *,
    conversions: DataFrame | None = None,
    columns: ColumnMap | None = None,
    default_tz: TimeZoneLike = None,
    unit: str | None = None,
    num_partitions: int | None = None,
    fit: bool | None = None,
    validate: bool = True,
    progress: bool | None = None,
    totals: Totals | None = None,
    **columns_kw: Unpack[ColumnKeywords],
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
    conversions : pyspark.sql.DataFrame, optional
        One row per conversion (a lead's creation, a won deal). Without it no value is
        attributed and every credit is 0.
    columns : ColumnMap, optional
        Which columns hold what (:class:`touchcredit.ColumnMap`; its defaults when
        None). Journey ids: string, integer or binary, never null (the conversions'
        are cast to the touches' type). Times: ``timestamp`` (an instant, read in UTC
        whatever the session time zone), ``timestamp_ntz`` or ``date`` (wall-clock, read
        in ``default_tz``), or a number (epoch seconds, milliseconds, microseconds or
        nanoseconds: see ``unit``); never null, except milestones
        (null where unknown). Labels: strings, null = not recorded. Conversion value:
        numeric, finite, >= 0, never null (each conversion is worth 1 when not set).
    journey, timestamp, channel, source, campaign, method : str or None, optional
        Shorthand, as for :meth:`JourneySet.from_frame <touchcredit.JourneySet.from_frame>`:
        column names that build a :class:`~touchcredit.ColumnMap` (an error together
        with ``columns``); a label column of None is not recorded.
    conversion_journey, conversion_time, conversion_value : str or None, optional
        Shorthand, as above.
    lead_created_at, opportunity_created_at, closed_at : str or None, optional
        Shorthand, as above (milestones, used by the W-shaped and full-path models).
    default_tz : str or tzinfo, optional
        Zone of ``timestamp_ntz``/``date`` columns (UTC when None).
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of numeric (epoch) time columns. None: each column's own, the one unit
        that puts its smallest and largest values in 1990-2100 (one aggregate Spark
        job per input; GA4's ``event_timestamp`` reads as microseconds), with an error
        naming the column when no one unit does.
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

    progress : bool, optional
        A bar over the driver's steps (checks, fit, plan) when they are long (see
        :func:`touchcredit.core.progress.progress_bar`); Spark shows its own stage bars.
    totals : {"journeys", "fitted", "per_conversion"}, optional
        For models whose channel totals no split of each conversion reaches (Markov),
        as in :func:`touchcredit.attribute`: ``"journeys"`` makes the channel totals
        ``model.credit`` of all the journeys (for a model fitted elsewhere, one more
        Spark job computes each channel's factor first), ``"fitted"`` uses the factors
        the model learned in its fit, ``"per_conversion"`` splits each conversion over
        its own touches (no extra job; the totals may differ from ``model.credit``).
        None (default): ``"fitted"`` for a model fitted in this run (its factors come
        from all the partitions together), ``"journeys"`` otherwise.
        :attr:`SparkAttribution.notes` says which.

    Returns
    -------
    SparkAttribution
        Lazy frames ``credits`` (input touch columns + ``credit_value`` +
        ``credit_conversions``) and ``unattributed`` (conversion columns +
        ``unattributed_value``), the model used, and ``notes`` on the totals.

    Raises
    ------
    ValueError
        A missing column, null journey ids or times (with the number of rows),
        blank labels, or invalid conversion values; an unknown ``totals`` (before any
        Spark job runs).
    TypeError
        A column of the wrong type (a string time column, a numeric label column).
    touchcredit.models.NotFittedError
        With ``fit=False`` and a data-driven model that is not fitted.

    Examples
    --------
    >>> from touchcredit import spark as tcs
    >>> res = tcs.attribute(  # doctest: +SKIP
    ...     touches, "position", conversions=deals, journey="person_id",
    ...     timestamp="ts", channel="utm_medium", conversion_time="closed_at",
    ...     conversion_value="amount")
    >>> res.credits.select("person_id", "utm_medium", "credit_value").show()  # doctest: +SKIP
    >>> res.totals("channel").toPandas()  # doctest: +SKIP
    """
    m = get(model) if isinstance(model, str) else model
    fitted_here = m.learns_from_data and bool(fit or (fit is None and not is_fitted(m)))
    chosen = choose_reading(m, totals, fitted_here)  # checked before any Spark job
    with progress_bar(4, "spark attribute", progress=progress) as bar:
        bar.update(0, label="checks")
        layout, stream = _prepare(
            df, conversions, columns, columns_kw, default_tz, unit, num_partitions, validate
        )
        bar.update(label="fit")
        if fitted_here:
            m = _fit_stream(stream, m, layout)
        elif not is_fitted(m):
            raise NotFittedError(
                f"{m!r} learns from data and is not fitted; pass fit=None or fit=True, "
                "or fit it first"
            )
        bar.update(label="totals")
        # a model fitted here learned its channel factors on every partition together;
        # one fitted elsewhere gets them from one more job over the partitions
        reading: Reading = chosen
        if chosen == "journeys" and isinstance(m, ChannelTotalsModel):
            reading = "fitted" if fitted_here else factors_on_spark(stream, layout, m)
        bar.update(label="plan")
        notes = reading_notes(m, reading, None, part="partition", fitted_here=fitted_here)
        result = _result(df, conversions, stream, layout, m, reading, notes)
        bar.update()
    return result


def _result(
    df: DataFrame,
    conversions: DataFrame | None,
    stream: DataFrame,
    layout: Layout,
    model: AttributionModel,
    reading: Reading,
    notes: tuple[str, ...],
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
    with quiet_pandas_warning():
        frame = stream.mapInArrow(
            functools.partial(credit_partitions, layout=layout, model=model, reading=reading),
            schema,
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
        frame=frame,
        credits=credits,
        unattributed=unattributed,
        model=model,
        dimensions=dims,
        notes=notes,
    )


def fit(
    df: DataFrame,
    model: AttributionModel | str,
    *,
    conversions: DataFrame | None = None,
    columns: ColumnMap | None = None,
    default_tz: TimeZoneLike = None,
    unit: str | None = None,
    num_partitions: int | None = None,
    validate: bool = True,
    **columns_kw: Unpack[ColumnKeywords],
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
    df, model, conversions, columns
        As for :func:`attribute`.
    journey, timestamp, channel, source, campaign, method : str or None, optional
        As for :func:`attribute`.
    conversion_journey, conversion_time, conversion_value : str or None, optional
        As for :func:`attribute`.
    lead_created_at, opportunity_created_at, closed_at : str or None, optional
        As for :func:`attribute`.
    default_tz, unit, num_partitions
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
        df, conversions, columns, columns_kw, default_tz, unit, num_partitions, validate
    )
    return _fit_stream(stream, m, layout)


def _fit_stream(stream: DataFrame, model: AttributionModel, layout: Layout) -> AttributionModel:
    """Count per partition, merge the counts on the driver, solve there."""
    if not isinstance(model, CountingModel):
        missing = " / ".join(f"{m}()" for m in missing_counting_methods(model))
        raise TypeError(
            f"{type(model).__name__} learns from data but has no {missing} method (the "
            "touchcredit.models.CountingModel protocol), so it cannot be fitted on Spark; "
            "fit it in memory (e.g. on a sample) and pass fit=False"
        )
    allowed = count_classes(model)
    with quiet_pandas_warning():
        rows = stream.mapInArrow(
            functools.partial(count_partitions, layout=layout, model=model), "counts binary"
        ).collect()
    parts = [decode_counts(bytes(r[0]), allowed) for r in rows]
    if not parts:
        parts = [model.count(_empty_journey_set())]
    merged = functools.reduce(operator.add, parts)
    fitted = model.fit_counts(merged)
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
    columns: ColumnMap | None,
    columns_kw: ColumnKeywords,
    default_tz: TimeZoneLike,
    unit: str | None,
    num_partitions: int | None,
    validate: bool,
) -> tuple[Layout, DataFrame]:
    """Check the columns, validate the rows, and build the tagged, repartitioned stream."""
    unit = check_unit(unit)
    cols = column_map(columns, **columns_kw)
    validation.check_partitions(num_partitions)
    cols.check_touches(df.columns, raw=False)
    key_type = validation.key_type_of(df, cols.journey)
    touch_columns = tuple(c for c in df.columns if c != cols.journey)
    labels = validation.touch_labels(df, cols.journey, touch_columns, cols)
    conv_journey = cols.conversion_journey or cols.journey
    roles: dict[str, Any] = {
        "conv_columns": (),
        "conv_time": None,
        "conv_time_kind": "instant",
        "conv_value": None,
        "milestones": (),
    }
    if conversions is not None:
        roles = validation.conversion_roles(conversions, cols)
    else:
        given = [k for k in columns_kw if k in _CONVERSION_ROLES]
        if given:
            raise ValueError(
                f"conversion column(s) {', '.join(given)} were given without a "
                "'conversions' DataFrame"
            )
    layout = Layout(
        journey=cols.journey,
        touch_columns=touch_columns,
        time=touch_columns.index(cols.timestamp),
        labels=labels,
        time_kind=validation.time_kind(df, cols.timestamp, "touches"),
        conv_journey=conv_journey,
        default_tz=default_tz,
        batch_rows=validation.batch_rows_of(df),
        **roles,
    )
    with quiet_pandas_warning():  # the checks run Spark jobs; pyspark warns under pandas 3
        layout = epoch_kinds(layout, df, conversions, unit)
        if validate:
            validation.validate_rows(df, conversions, layout, key_type)
        return layout, build_stream(df, conversions, layout, key_type, num_partitions)


_CONVERSION_ROLES = (
    "conversion_journey",
    "conversion_time",
    "conversion_value",
    "lead_created_at",
    "opportunity_created_at",
    "closed_at",
)
