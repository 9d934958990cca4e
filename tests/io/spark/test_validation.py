"""touchcredit.io.spark.validation: column checks on schemas, row checks in one job."""

from __future__ import annotations

from typing import Any

import pytest

from touchcredit.io.spark.stream import Layout
from touchcredit.io.spark.validation import (
    check_partitions,
    key_type_of,
    require,
    rows,
    time_kind,
    validate_rows,
)


def test_rows_and_partitions() -> None:
    assert rows(1) == "1 row" and rows(0) == "0 rows" and rows(3) == "3 rows"
    check_partitions(None)
    check_partitions(4)
    for bad in (0, -1, 2.0, "4"):
        with pytest.raises(ValueError, match="'num_partitions' must be a positive int"):
            check_partitions(bad)  # type: ignore[arg-type]


def test_column_checks_on_the_schema(spark: Any) -> None:
    df = spark.createDataFrame([("007", 1.5, "2024-01-01")], ["user", "score", "day"])
    with pytest.raises(
        ValueError,
        match="column 'ts' is not in the touches DataFrame; its columns are 'user', 'score', 'day'",
    ):
        require(df, "ts", "touches")
    assert time_kind(df, "score", "touches") == "epoch"
    with pytest.raises(TypeError, match="must be a timestamp.*got string"):
        time_kind(df, "day", "touches")
    assert key_type_of(df, "user").simpleString() == "string"
    with pytest.raises(TypeError, match="journey id.*got double"):
        key_type_of(df, "score")


def test_validate_rows_names_every_problem(spark: Any) -> None:
    touches = spark.createDataFrame(
        [("007", 1, "seo"), (None, 2, " "), ("7", None, "email")], "user string, ts long, ch string"
    )
    conv = spark.createDataFrame(
        [("007", 5, -1.0), ("7", None, 2.0)], "user string, at long, value double"
    )
    layout = Layout(
        journey="user",
        touch_columns=("ts", "ch"),
        time=0,
        labels=(("channel", 1),),
        time_kind="epoch",
        conv_journey="user",
        conv_columns=("at", "value"),
        conv_time=0,
        conv_time_kind="epoch",
        conv_value=1,
        milestones=(),
        default_tz=None,
        batch_rows=100,
    )
    with pytest.raises(ValueError) as err:
        validate_rows(touches, conv, layout, touches.schema["user"].dataType)
    text = str(err.value)
    assert text.startswith("invalid Spark input: ")
    assert "column 'user' (journey id) of the touches is null in 1 row of 3" in text
    assert "column 'ts' (touch time) of the touches is null in 1 row of 3" in text
    assert "column 'ch' of the touches is empty or blank in 1 row" in text
    assert "column 'at' (conversion time) of the conversions is null in 1 row of 2" in text
    assert "must be finite and >= 0; 1 row are not" in text
