"""Input checks of the Spark runners: column names and types, then the rows.

Column checks run on the schemas (no Spark job); row checks (null ids and times,
blank labels, invalid values) run as one aggregate job per input and raise one
``ValueError`` that names every problem with its column and row count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from touchcredit.core.mapping import ColumnMap
from touchcredit.io.spark.stream import LABELS, Layout, col

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def require(df: DataFrame, name: str, what: str) -> None:
    """Raise a ``ValueError`` unless ``df`` has the column ``name``."""
    if name not in df.columns:
        raise ValueError(
            f"column {name!r} is not in the {what} DataFrame; its columns are "
            f"{', '.join(map(repr, df.columns))}"
        )


def time_kind(df: DataFrame, name: str, what: str) -> str:
    """``"instant"``, ``"naive"`` or ``"epoch"``: how a time column is read."""
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
        f"(or epoch numbers), got {dtype.simpleString()}; convert it first, e.g. with "
        f"pyspark.sql.functions.to_timestamp({name!r}, format)"
    )


def key_type_of(df: DataFrame, journey_col: str) -> Any:
    """The Spark type of the touches' journey column (string, integer or binary)."""
    from pyspark.sql import types as T

    key_type = df.schema[journey_col].dataType
    if isinstance(key_type, T.ArrayType | T.MapType | T.StructType | T.FractionalType):
        raise TypeError(
            f"column {journey_col!r} (the journey id) must be a string, integer or binary "
            f"column, got {key_type.simpleString()}"
        )
    return key_type


def touch_labels(
    df: DataFrame, journey_col: str, touch_columns: tuple[str, ...], cols: ColumnMap
) -> tuple[tuple[str, int], ...]:
    """(dimension, index into ``touch_columns``) of every label column mapped."""
    from pyspark.sql import types as T

    labels: list[tuple[str, int]] = []
    for dim in LABELS:
        name = getattr(cols, dim)
        if name is None:
            continue
        if name == journey_col:
            raise ValueError(f"the {dim} column {name!r} is the journey id column")
        if not isinstance(df.schema[name].dataType, T.StringType):
            raise TypeError(
                f"column {name!r} ({dim}) must be a string column (null = not recorded), "
                f"got {df.schema[name].dataType.simpleString()}"
            )
        labels.append((dim, touch_columns.index(name)))
    return tuple(labels)


def conversion_roles(conversions: DataFrame, cols: ColumnMap) -> dict[str, Any]:
    """The conversion fields of a :class:`Layout` (columns, time, value, milestones)."""
    from pyspark.sql import types as T

    cols.check_conversions(conversions.columns)
    conv_journey = cols.conversion_journey or cols.journey
    conv_columns = tuple(c for c in conversions.columns if c != conv_journey)
    value_col = cols.conversion_value
    conv_value: int | None = None
    if value_col is not None:
        dtype = conversions.schema[value_col].dataType
        if not isinstance(dtype, T.NumericType):
            raise TypeError(
                f"column {value_col!r} (conversion value) must be numeric, got "
                f"{dtype.simpleString()}"
            )
        conv_value = conv_columns.index(value_col)
    found = tuple(
        (role, conv_columns.index(name), time_kind(conversions, name, "conversions"))
        for role, name in cols.milestones().items()
    )
    return {
        "conv_columns": conv_columns,
        "conv_time": conv_columns.index(cols.conversion_time),
        "conv_time_kind": time_kind(conversions, cols.conversion_time, "conversions"),
        "conv_value": conv_value,
        "milestones": found,
    }


def batch_rows_of(df: DataFrame) -> int:
    """Rows per Arrow batch the session sends to Python (10,000 when unset)."""
    session = df.sparkSession
    rows = int(session.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch") or 10000)
    return rows if rows > 0 else 10000


def check_partitions(num_partitions: int | None) -> None:
    """Raise a ``ValueError`` unless ``num_partitions`` is None or a positive int."""
    if num_partitions is not None and (not isinstance(num_partitions, int) or num_partitions < 1):
        raise ValueError(f"'num_partitions' must be a positive int, got {num_partitions!r}")


def rows(k: int) -> str:
    """``"1 row"``, ``"3 rows"``."""
    return f"{k} row" if k == 1 else f"{k} rows"


def count_if(cond: Any) -> Any:
    """Spark aggregate: how many rows satisfy ``cond``."""
    from pyspark.sql import functions as F

    return F.sum(F.when(cond, 1).otherwise(0))


def touch_problems(df: DataFrame, layout: Layout) -> list[str]:
    """Null ids and times and blank labels of the touches (one aggregate job)."""
    from pyspark.sql import functions as F

    time_name = layout.touch_columns[layout.time]
    label_names = [layout.touch_columns[i] for _, i in layout.labels]
    row = df.agg(
        F.count(F.lit(1)),
        count_if(col(layout.journey).isNull()),
        count_if(col(time_name).isNull()),
        *[count_if(F.trim(col(n)) == "") for n in label_names],
    ).collect()[0]
    n = int(row[0])
    problems = []
    if row[1]:
        problems.append(
            f"column {layout.journey!r} (journey id) of the touches is null in "
            f"{rows(row[1])} of {n}; every touch needs a journey id"
        )
    if row[2]:
        problems.append(
            f"column {time_name!r} (touch time) of the touches is null in {rows(row[2])} "
            f"of {n}; every touch needs a time"
        )
    for name, bad in zip(label_names, row[3:], strict=True):
        if bad:
            problems.append(
                f"column {name!r} of the touches is empty or blank in {rows(bad)}; "
                "use null for 'not recorded'"
            )
    return problems


def conversion_problems(conversions: DataFrame, layout: Layout, key_type: Any) -> list[str]:
    """Null ids, times and values, uncastable ids, invalid values (one aggregate job)."""
    from pyspark.sql import functions as F

    assert layout.conv_time is not None
    names, journey = layout.conv_columns, layout.conv_journey
    exprs = [
        F.count(F.lit(1)),
        count_if(col(journey).isNull()),
        count_if(col(journey).isNotNull() & col(journey).cast(key_type).isNull()),
        count_if(col(names[layout.conv_time]).isNull()),
    ]
    if layout.conv_value is not None:
        value = col(names[layout.conv_value]).cast("double")
        exprs += [count_if(value.isNull()), count_if(~((value >= 0) & (value < float("inf"))))]
    crow = conversions.agg(*exprs).collect()[0]
    m = int(crow[0])
    problems = []
    if crow[1]:
        problems.append(
            f"column {journey!r} (journey id) of the conversions is null in "
            f"{rows(crow[1])} of {m}; every conversion needs a journey id"
        )
    if crow[2]:
        problems.append(
            f"column {journey!r} of the conversions has {rows(crow[2])} whose "
            f"id cannot be cast to the touches' journey id type {key_type.simpleString()}"
        )
    if crow[3]:
        problems.append(
            f"column {names[layout.conv_time]!r} (conversion time) of the conversions is "
            f"null in {rows(crow[3])} of {m}; every conversion needs a time"
        )
    if layout.conv_value is not None:
        vname = names[layout.conv_value]
        if crow[4]:
            problems.append(
                f"column {vname!r} (conversion value) of the conversions is null in "
                f"{rows(crow[4])} of {m}"
            )
        if crow[5]:
            problems.append(
                f"column {vname!r} (conversion value) of the conversions must be finite "
                f"and >= 0; {rows(crow[5])} are not"
            )
    return problems


def validate_rows(
    df: DataFrame, conversions: DataFrame | None, layout: Layout, key_type: Any
) -> None:
    """Raise one ``ValueError`` naming every row problem of the touches and conversions."""
    problems = touch_problems(df, layout)
    if conversions is not None and layout.conv_time is not None:
        problems += conversion_problems(conversions, layout, key_type)
    if problems:
        raise ValueError("invalid Spark input: " + "; ".join(problems))
