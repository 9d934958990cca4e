"""touchcredit.io.spark.stream: the layout's names, the tagged stream, exact column names."""

from __future__ import annotations

import warnings
from typing import Any

from touchcredit.io.spark.stream import (
    CONVERSION,
    KEY,
    KIND,
    TOUCH,
    Layout,
    build_stream,
    quiet_pandas_warning,
)


def _layout(**kw: Any) -> Layout:
    base: dict[str, Any] = {
        "journey": "user.id",
        "touch_columns": ("ts", "utm medium"),
        "time": 0,
        "labels": (("channel", 1),),
        "time_kind": "epoch",
        "conv_journey": "user.id",
        "conv_columns": ("at", "value", "stage"),
        "conv_time": 0,
        "conv_time_kind": "epoch",
        "conv_value": 1,
        "milestones": (),
        "default_tz": None,
        "batch_rows": 100,
    }
    base.update(kw)
    return Layout(**base)


def test_layout_names_one_column_per_role() -> None:
    layout = _layout()
    assert layout.t_names == ["__tc_t0", "__tc_t1"]
    assert layout.c_names == ["__tc_c0", "__tc_c1", "__tc_c2"]


_PANDAS = "PySpark does not yet fully support pandas >= 3"


def test_quiet_pandas_warning_filters_only_that_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_pandas_warning():
            warnings.warn(
                "PySpark does not yet fully support pandas >= 3", FutureWarning, stacklevel=2
            )
            warnings.warn("something else", FutureWarning, stacklevel=2)
    assert [str(w.message) for w in caught] == ["something else"]


def test_build_stream_tags_touches_and_conversions(spark: Any) -> None:
    touches = spark.createDataFrame(
        [("007", 1, "seo"), ("007", 2, "email"), ("7", 3, None)], ["user.id", "ts", "utm medium"]
    )
    conv = spark.createDataFrame([("007", 5, 100.0, "won")], ["user.id", "at", "value", "stage"])
    layout = _layout(touch_columns=("ts", "utm medium"))
    stream = build_stream(touches, conv, layout, touches.schema["user.id"].dataType, 3)
    assert stream.rdd.getNumPartitions() == 3
    rows = sorted((r[KIND], r[KEY], r["__tc_t1"], r["__tc_c1"]) for r in stream.collect())
    assert rows == [
        (TOUCH, "007", "email", None),
        (TOUCH, "007", "seo", None),
        (TOUCH, "7", None, None),
        (CONVERSION, "007", None, 100.0),
    ]
    only = build_stream(touches, None, layout, None, None)
    assert only.columns == [KIND, KEY, "__tc_t0", "__tc_t1"] and only.count() == 3
