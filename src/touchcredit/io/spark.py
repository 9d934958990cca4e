"""Attribution on Apache Spark DataFrames, one vectorized numpy call per partition.

Touches (and the conversions, when given) are unioned into one tagged row stream,
repartitioned by journey so that every journey lands whole in one partition, and
handed to Python through Arrow (``mapInArrow``). Each partition is read in full,
turned into a :class:`~touchcredit.JourneySet` and weighed by the model in one call,
exactly as the in-memory :func:`touchcredit.attribute` does; the per-touch credits
come back as Arrow record batches. Data-driven models (Markov, Shapley) are fitted
first from their sufficient statistics: each partition counts (``model.count``), the
small count objects are merged on the driver and solved there (``model.fit_counts``).

Nothing here is imported by ``import touchcredit``; pyspark and pyarrow are imported
when a function runs (install the ``spark`` extra).
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.journeys import JourneySet
from touchcredit.core.time_rule import TimeZoneLike, to_datetime64
from touchcredit.models.base import AttributionModel, get

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

__all__ = ["SparkAttribution", "attribute", "fit", "totals"]

KIND = "__tc_kind"
KEY = "__tc_key"
_CV = "__tc_credit_value"
_CC = "__tc_credit_conversions"
_TOUCH, _CONVERSION = 0, 1
_LABELS = ("source", "channel", "campaign", "method")
_MILESTONES = ("lead_created_at", "opportunity_created_at", "closed_at")
TimeArray = npt.NDArray[np.datetime64]


class _Coded(NamedTuple):
    """Codes plus category table: the Categorical-like input ``from_arrays`` accepts."""

    codes: npt.NDArray[np.int32]
    categories: tuple[str, ...]


@attrs.frozen
class _Layout:
    """Where each role sits in the tagged row stream; shipped to the executors."""

    journey: str  # Spark name of the journey column of the touches
    touch_columns: tuple[str, ...]  # Spark names of the touch columns carried through
    time: int  # index into touch_columns
    labels: tuple[tuple[str, int], ...]  # (dimension, index into touch_columns)
    time_kind: str  # "instant" | "naive" | "epoch"
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


@attrs.frozen(eq=False)
class SparkAttribution:
    """Result of :func:`attribute`: per-touch credits and unattributed conversions.

    Both frames are lazy views of one computation (:attr:`frame`). Reading both
    recomputes it unless you :meth:`persist` first.

    Attributes
    ----------
    frame : pyspark.sql.DataFrame
        The combined output stream. Column ``__tc_kind`` marks the rows: 0 = a touch
        with its credit, 1 = a conversion that no touch could be credited for.
    credits : pyspark.sql.DataFrame
        Every input touch row (all its columns) plus ``credit_value`` (its share of
        the conversion values) and ``credit_conversions`` (its share of the count).
    unattributed : pyspark.sql.DataFrame
        Every conversion row with no eligible touch (all its columns) plus
        ``unattributed_value``; empty when no conversions were given.
    model : AttributionModel
        The model used (fitted, for data-driven models).
    dimensions : dict
        Column name of each label dimension given (``{"channel": "utm_medium"}``).

    Examples
    --------
    >>> res = attribute(touches_df, "linear", conversions=leads_df)  # doctest: +SKIP
    >>> res.totals("channel").show()  # doctest: +SKIP
    """

    frame: DataFrame
    credits: DataFrame
    unattributed: DataFrame
    model: AttributionModel
    dimensions: dict[str, str]

    def totals(self, by: str | Sequence[str] = "channel") -> DataFrame:
        """Credit per label of one or more dimensions (names or column names).

        Parameters
        ----------
        by : str or sequence of str
            ``"source"``, ``"channel"``, ``"campaign"``, ``"method"`` (mapped to the
            column given for them) or any column of :attr:`credits`.

        Returns
        -------
        pyspark.sql.DataFrame
            See :func:`totals`.

        Examples
        --------
        >>> res.totals(["channel", "campaign"]).toPandas()  # doctest: +SKIP
        """
        names = [by] if isinstance(by, str) else list(by)
        return totals(self.credits, [self.dimensions.get(b, b) for b in names])

    def unattributed_total(self) -> tuple[float, int]:
        """Value and number of the unattributed conversions (runs a small Spark job).

        Examples
        --------
        >>> res.unattributed_total()  # doctest: +SKIP
        (1250.0, 3)
        """
        from pyspark.sql import functions as F

        row = self.unattributed.agg(
            F.sum("unattributed_value").alias("v"), F.count(F.lit(1)).alias("n")
        ).collect()[0]
        return float(row["v"] or 0.0), int(row["n"])

    def persist(self) -> SparkAttribution:
        """Persist the combined frame (memory and disk) so both views reuse it.

        Examples
        --------
        >>> res = attribute(touches_df, "linear").persist()  # doctest: +SKIP
        """
        from pyspark import StorageLevel

        self.frame.persist(StorageLevel.MEMORY_AND_DISK)
        return self


# ---------------------------------------------------------------------- public API
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
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

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
        from touchcredit.models.base import NotFittedError

        raise NotFittedError(
            f"{m!r} learns from data and is not fitted; pass fit=None or fit=True, or fit it first"
        )
    schema = T.StructType(
        [
            *stream.schema.fields,
            T.StructField(_CV, T.DoubleType(), False),
            T.StructField(_CC, T.DoubleType(), False),
        ]
    )
    frame = stream.mapInArrow(functools.partial(_credit_partitions, layout=layout, model=m), schema)
    t_alias = dict(zip(layout.touch_columns, layout.t_names, strict=True))
    credits = frame.filter(F.col(KIND) == _TOUCH).select(
        *[
            F.col(KEY if name == layout.journey else t_alias[name]).alias(name)
            for name in df.columns
        ],
        F.col(_CV).alias("credit_value"),
        F.col(_CC).alias("credit_conversions"),
    )
    c_alias = dict(zip(layout.conv_columns, layout.c_names, strict=True))
    conv_names = layout.conv_columns if conversions is None else tuple(conversions.columns)
    unattributed = frame.filter(F.col(KIND) == _CONVERSION).select(
        *[
            F.col(KEY if name == layout.conv_journey else c_alias[name]).alias(name)
            for name in (conv_names or (layout.conv_journey,))
        ],
        F.col(_CV).alias("unattributed_value"),
    )
    dims = {dim: layout.touch_columns[i] for dim, i in layout.labels}
    return SparkAttribution(
        frame=frame, credits=credits, unattributed=unattributed, model=m, dimensions=dims
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


def totals(
    credits: DataFrame,
    by: str | Sequence[str] = "channel",
    *,
    value_col: str = "credit_value",
    conversions_col: str = "credit_conversions",
) -> DataFrame:
    """Sum the per-touch credits by one or more columns (a small Spark aggregate).

    Parameters
    ----------
    credits : pyspark.sql.DataFrame
        :attr:`SparkAttribution.credits` (or any frame with the credit columns).
    by : str or sequence of str
        Column(s) to group by; null labels ("not recorded") form their own group.
    value_col, conversions_col : str
        Names of the credit columns.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per label: the ``by`` columns, ``value_col`` and ``conversions_col``
        sums, sorted by label (nulls first). Unattributed value is not in it: see
        :meth:`SparkAttribution.unattributed_total`.

    Raises
    ------
    ValueError
        When a column is missing.

    Examples
    --------
    >>> totals(res.credits, "utm_medium").show()  # doctest: +SKIP
    """
    from pyspark.sql import functions as F

    names = [by] if isinstance(by, str) else list(by)
    for name in [*names, value_col, conversions_col]:
        _require(credits, name, "credits")
    return (
        credits.groupBy(*[_col(b) for b in names])
        .agg(
            F.sum(_col(value_col)).alias(value_col),
            F.sum(_col(conversions_col)).alias(conversions_col),
        )
        .orderBy(*[_col(b).asc_nulls_first() for b in names])
    )


# ------------------------------------------------------------------- driver side
def _col(name: str) -> Any:
    """A column by its exact name (dots and spaces are not struct paths)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _require(df: DataFrame, name: str, what: str) -> None:
    if name not in df.columns:
        raise ValueError(
            f"column {name!r} is not in the {what} DataFrame; its columns are "
            f"{', '.join(map(repr, df.columns))}"
        )


def _time_kind(df: DataFrame, name: str, what: str) -> str:
    from pyspark.sql import types as T

    dtype = df.schema[name].dataType
    if isinstance(dtype, T.TimestampType):
        return "instant"
    if isinstance(dtype, T.TimestampNTZType | T.DateType):
        return "naive"
    if isinstance(dtype, T.NumericType) and not isinstance(dtype, T.DecimalType):
        return "epoch"
    raise TypeError(
        f"column {name!r} of the {what} must be a timestamp, timestamp_ntz or date column "
        f"(or epoch seconds), got {dtype.simpleString()}; convert it first, e.g. with "
        f"pyspark.sql.functions.to_timestamp({name!r}, format)"
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
) -> tuple[_Layout, DataFrame]:
    """Check the columns, validate the rows, and build the tagged, repartitioned stream."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if num_partitions is not None and (not isinstance(num_partitions, int) or num_partitions < 1):
        raise ValueError(f"'num_partitions' must be a positive int, got {num_partitions!r}")
    _require(df, journey_col, "touches")
    _require(df, time_col, "touches")
    key_type = df.schema[journey_col].dataType
    if isinstance(key_type, T.ArrayType | T.MapType | T.StructType | T.FractionalType):
        raise TypeError(
            f"column {journey_col!r} (the journey id) must be a string, integer or binary "
            f"column, got {key_type.simpleString()}"
        )
    touch_columns = tuple(c for c in df.columns if c != journey_col)
    labels: list[tuple[str, int]] = []
    for dim, name in zip(_LABELS, (source_col, channel_col, campaign_col, method_col), strict=True):
        if name is None:
            continue
        _require(df, name, "touches")
        if name == journey_col:
            raise ValueError(f"{dim}_col {name!r} is the journey id column")
        if not isinstance(df.schema[name].dataType, T.StringType):
            raise TypeError(
                f"column {name!r} ({dim}) must be a string column (null = not recorded), "
                f"got {df.schema[name].dataType.simpleString()}"
            )
        labels.append((dim, touch_columns.index(name)))
    time_kind = _time_kind(df, time_col, "touches")

    conv_journey = conversion_journey_col or journey_col
    conv_columns: tuple[str, ...] = ()
    conv_time: int | None = None
    conv_time_kind = "instant"
    conv_value: int | None = None
    milestones: list[tuple[str, int, str]] = []
    if conversions is not None:
        ctime_col = conversion_time_col or time_col
        _require(conversions, conv_journey, "conversions")
        _require(conversions, ctime_col, "conversions")
        conv_columns = tuple(c for c in conversions.columns if c != conv_journey)
        conv_time = conv_columns.index(ctime_col)
        conv_time_kind = _time_kind(conversions, ctime_col, "conversions")
        if conversion_value_col is not None:
            _require(conversions, conversion_value_col, "conversions")
            if not isinstance(conversions.schema[conversion_value_col].dataType, T.NumericType):
                raise TypeError(
                    f"column {conversion_value_col!r} (conversion value) must be numeric, got "
                    f"{conversions.schema[conversion_value_col].dataType.simpleString()}"
                )
            conv_value = conv_columns.index(conversion_value_col)
        for role, name in zip(
            _MILESTONES, (lead_created_col, opportunity_created_col, closed_col), strict=True
        ):
            if name is not None:
                _require(conversions, name, "conversions")
                kind = _time_kind(conversions, name, "conversions")
                milestones.append((role, conv_columns.index(name), kind))
    else:
        given = [
            conversion_journey_col,
            conversion_time_col,
            conversion_value_col,
            lead_created_col,
            opportunity_created_col,
            closed_col,
        ]
        if any(g is not None for g in given):
            raise ValueError("conversion columns were given without a 'conversions' DataFrame")

    session = df.sparkSession
    batch_rows = int(session.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch") or 10000)
    layout = _Layout(
        journey=journey_col,
        touch_columns=touch_columns,
        time=touch_columns.index(time_col),
        labels=tuple(labels),
        time_kind=time_kind,
        conv_journey=conv_journey,
        conv_columns=conv_columns,
        conv_time=conv_time,
        conv_time_kind=conv_time_kind,
        conv_value=conv_value,
        milestones=tuple(milestones),
        default_tz=default_tz,
        batch_rows=batch_rows if batch_rows > 0 else 10000,
    )
    if validate:
        _validate(df, conversions, layout, key_type)

    stream = df.select(
        F.lit(_TOUCH).cast("byte").alias(KIND),
        _col(journey_col).alias(KEY),
        *[_col(c).alias(n) for c, n in zip(touch_columns, layout.t_names, strict=True)],
    )
    if conversions is not None:
        stream = stream.unionByName(
            conversions.select(
                F.lit(_CONVERSION).cast("byte").alias(KIND),
                _col(conv_journey).cast(key_type).alias(KEY),
                *[_col(c).alias(n) for c, n in zip(conv_columns, layout.c_names, strict=True)],
            ),
            allowMissingColumns=True,
        )
    if num_partitions is None:
        return layout, stream.repartition(KEY)
    return layout, stream.repartition(num_partitions, KEY)


def _rows(k: int) -> str:
    return f"{k} row" if k == 1 else f"{k} rows"


def _validate(df: DataFrame, conversions: DataFrame | None, layout: _Layout, key_type: Any) -> None:
    """Count null ids/times, blank labels and bad values in one aggregate job per input."""
    from pyspark.sql import functions as F

    def count(cond: Any) -> Any:
        return F.sum(F.when(cond, 1).otherwise(0))

    time_name = layout.touch_columns[layout.time]
    label_names = [layout.touch_columns[i] for _, i in layout.labels]
    row = df.agg(
        F.count(F.lit(1)),
        count(_col(layout.journey).isNull()),
        count(_col(time_name).isNull()),
        *[count(F.trim(_col(n)) == "") for n in label_names],
    ).collect()[0]
    n = int(row[0])
    problems = []
    if row[1]:
        problems.append(
            f"column {layout.journey!r} (journey id) of the touches is null in "
            f"{_rows(row[1])} of {n}; every touch needs a journey id"
        )
    if row[2]:
        problems.append(
            f"column {time_name!r} (touch time) of the touches is null in {_rows(row[2])} "
            f"of {n}; every touch needs a time"
        )
    for name, bad in zip(label_names, row[3:], strict=True):
        if bad:
            problems.append(
                f"column {name!r} of the touches is empty or blank in {_rows(bad)}; "
                "use null for 'not recorded'"
            )
    if conversions is not None and layout.conv_time is not None:
        names = layout.conv_columns
        exprs = [
            F.count(F.lit(1)),
            count(_col(layout.conv_journey).isNull()),
            count(
                _col(layout.conv_journey).isNotNull()
                & _col(layout.conv_journey).cast(key_type).isNull()
            ),
            count(_col(names[layout.conv_time]).isNull()),
        ]
        if layout.conv_value is not None:
            value = _col(names[layout.conv_value]).cast("double")
            exprs += [count(value.isNull()), count(~((value >= 0) & (value < float("inf"))))]
        crow = conversions.agg(*exprs).collect()[0]
        m = int(crow[0])
        if crow[1]:
            problems.append(
                f"column {layout.conv_journey!r} (journey id) of the conversions is null in "
                f"{_rows(crow[1])} of {m}; every conversion needs a journey id"
            )
        if crow[2]:
            problems.append(
                f"column {layout.conv_journey!r} of the conversions has {_rows(crow[2])} whose "
                f"id cannot be cast to the touches' journey id type {key_type.simpleString()}"
            )
        if crow[3]:
            problems.append(
                f"column {names[layout.conv_time]!r} (conversion time) of the conversions is "
                f"null in {_rows(crow[3])} of {m}; every conversion needs a time"
            )
        if layout.conv_value is not None:
            vname = names[layout.conv_value]
            if crow[4]:
                problems.append(
                    f"column {vname!r} (conversion value) of the conversions is null in "
                    f"{_rows(crow[4])} of {m}"
                )
            if crow[5]:
                problems.append(
                    f"column {vname!r} (conversion value) of the conversions must be finite "
                    f"and >= 0; {_rows(crow[5])} are not"
                )
    if problems:
        raise ValueError("invalid Spark input: " + "; ".join(problems))


def _fit_stream(stream: DataFrame, model: AttributionModel, layout: _Layout) -> AttributionModel:
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
        functools.partial(_count_partitions, layout=layout, model=model), "counts binary"
    ).collect()
    parts = [_decode_counts(bytes(r[0])) for r in rows]
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


# ------------------------------------------------------------- count codec (no pickle)
def _encode(obj: Any) -> Any:
    """JSON-able form of a count object: attrs fields, labels, arrays as typed lists."""
    if isinstance(obj, np.ndarray):
        return {"__array__": obj.dtype.str, "shape": list(obj.shape), "data": obj.ravel().tolist()}
    if attrs.has(type(obj)):
        name = type(obj).__name__
        if name not in _COUNT_TYPES():
            raise TypeError(f"cannot encode {name}: not a known count type")
        fields = {f.name: _encode(getattr(obj, f.name)) for f in attrs.fields(type(obj))}
        return {"__counts__": name, "fields": fields}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(x) for x in obj]}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(f"cannot encode a {type(obj).__name__} in model counts")


def _decode(obj: Any) -> Any:
    if isinstance(obj, dict):
        if "__array__" in obj:
            dtype = np.dtype(obj["__array__"])
            if dtype.kind not in "biuf":
                raise ValueError(f"unexpected array dtype {dtype} in model counts")
            return np.asarray(obj["data"], dtype=dtype).reshape(obj["shape"])
        if "__tuple__" in obj:
            return tuple(_decode(x) for x in obj["__tuple__"])
        if "__counts__" in obj:
            cls = _COUNT_TYPES()[obj["__counts__"]]  # KeyError: unknown type, never built
            return cls(**{k: _decode(v) for k, v in obj["fields"].items()})
        raise ValueError("unexpected object in model counts")
    return obj


@functools.cache
def _COUNT_TYPES() -> dict[str, type]:
    """The only classes the codec builds (an allow-list, unlike pickle)."""
    from touchcredit.models._credit import ShapleyCounts
    from touchcredit.models.markov import MarkovCounts

    return {"MarkovCounts": MarkovCounts, "ShapleyCounts": ShapleyCounts}


def _encode_counts(counts: Any) -> bytes:
    return json.dumps(_encode(counts), allow_nan=False).encode()


def _decode_counts(data: bytes) -> Any:
    return _decode(json.loads(data))


# ----------------------------------------------------------------- executor side
def _times(col: Any, kind: str, tz: TimeZoneLike, field: str, missing: bool) -> TimeArray:
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
    secs = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return to_datetime64(secs, field=field, allow_missing=missing)


def _coded(col: Any) -> _Coded:
    """Sorted category table plus int32 codes (-1 = not recorded) of an Arrow string column."""
    import pyarrow as pa

    enc = col.dictionary_encode() if not pa.types.is_dictionary(col.type) else col
    cats = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    if cats.size == 0:
        return _Coded(codes, ())
    order = np.argsort(cats.astype(str), kind="stable")
    rank = np.empty(order.size + 1, dtype=np.int32)
    rank[order] = np.arange(order.size, dtype=np.int32)
    rank[-1] = -1
    return _Coded(rank[codes], tuple(str(c) for c in cats[order]))


def _journeys(table: pa.Table, layout: _Layout) -> tuple[JourneySet, pa.Table, pa.Table]:
    """The JourneySet of one whole partition, with its touch and conversion rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = table.column(KIND).combine_chunks()
    touches = table.filter(pc.equal(kind, pa.scalar(_TOUCH, pa.int8())))
    convs = table.filter(pc.equal(kind, pa.scalar(_CONVERSION, pa.int8())))
    tn, cn = layout.t_names, layout.c_names

    def col(t: pa.Table, name: str) -> Any:
        return t.column(name).combine_chunks()

    labels: dict[str, Any] = {dim: _coded(col(touches, tn[i])) for dim, i in layout.labels}
    if "channel" not in labels:
        labels["channel"] = None
    kw: dict[str, Any] = {}
    if layout.conv_time is not None:
        kw["conversion_journey_id"] = col(convs, KEY).to_numpy(zero_copy_only=False)
        kw["conversion_time"] = _times(
            col(convs, cn[layout.conv_time]),
            layout.conv_time_kind,
            layout.default_tz,
            layout.conv_columns[layout.conv_time],
            False,
        )
        if layout.conv_value is not None:
            kw["conversion_value"] = (
                col(convs, cn[layout.conv_value]).cast(pa.float64()).to_numpy(zero_copy_only=False)
            )
        for role, i, k in layout.milestones:
            kw[role] = _times(col(convs, cn[i]), k, layout.default_tz, layout.conv_columns[i], True)
    js = JourneySet.from_arrays(
        journey_id=col(touches, KEY).to_numpy(zero_copy_only=False),
        timestamp=_times(
            col(touches, tn[layout.time]),
            layout.time_kind,
            layout.default_tz,
            layout.touch_columns[layout.time],
            False,
        ),
        **labels,
        **kw,
    )
    return js, touches, convs


def _read_all(batches: Iterator[pa.RecordBatch]) -> pa.Table | None:
    import pyarrow as pa

    parts = [b for b in batches if b.num_rows]
    return pa.Table.from_batches(parts) if parts else None


def _credit_partitions(
    batches: Iterator[pa.RecordBatch], *, layout: _Layout, model: AttributionModel
) -> Iterator[pa.RecordBatch]:
    """Weigh one whole partition in one call; yield touches + unattributed conversions."""
    import pyarrow as pa

    from touchcredit.attribution.results import attribute as attribute_in_memory

    table = _read_all(batches)
    if table is None:
        return
    js, touches, convs = _journeys(table, layout)
    res = attribute_in_memory(js, model, fit=False)
    cv = np.zeros(touches.num_rows)
    cc = np.zeros(touches.num_rows)
    cv[js.touch_row] = res.touch_credit
    cc[js.touch_row] = res.touch_conversions
    out = [touches.append_column(_CV, pa.array(cv)).append_column(_CC, pa.array(cc))]
    if convs.num_rows:
        empty = res.pairs.length == 0
        rows = js.conversion_row[empty]
        lost = convs.take(pa.array(rows))
        out.append(
            lost.append_column(_CV, pa.array(js.conversion_value[empty])).append_column(
                _CC, pa.array(np.zeros(rows.size))
            )
        )
    yield from pa.concat_tables(out).to_batches(max_chunksize=layout.batch_rows)


def _count_partitions(
    batches: Iterator[pa.RecordBatch], *, layout: _Layout, model: AttributionModel
) -> Iterator[pa.RecordBatch]:
    """Count one whole partition; yield one row holding the encoded counts."""
    import pyarrow as pa

    table = _read_all(batches)
    if table is None:
        return
    js, _, _ = _journeys(table, layout)
    counts = model.count(js)  # type: ignore[attr-defined]
    yield pa.RecordBatch.from_arrays([pa.array([_encode_counts(counts)], pa.binary())], ["counts"])
