"""touchcredit.io.spark.result: credit totals by label and the unattributed total."""

from __future__ import annotations

from typing import Any

import pytest

from touchcredit.io.spark.result import SparkAttribution, totals
from touchcredit.models import get


def _credits(spark: Any) -> Any:
    return spark.createDataFrame(
        [
            ("seo", "c1", 10.0, 0.5),
            ("email", "c1", 5.0, 0.25),
            (None, "c2", 2.0, 0.25),
            ("seo", "c2", 3.0, 0.5),
        ],
        "utm_medium string, campaign string, credit_value double, credit_conversions double",
    )


def test_totals_sum_by_label_nulls_first(spark: Any) -> None:
    out = [tuple(r) for r in totals(_credits(spark), "utm_medium").collect()]
    assert out == [(None, 2.0, 0.25), ("email", 5.0, 0.25), ("seo", 13.0, 1.0)]
    two = [tuple(r) for r in totals(_credits(spark), ["campaign", "utm_medium"]).collect()]
    assert two[0] == ("c1", "email", 5.0, 0.25) and len(two) == 4


def test_totals_names_a_missing_column(spark: Any) -> None:
    with pytest.raises(ValueError, match="column 'channel' is not in the credits DataFrame"):
        totals(_credits(spark), "channel")


def test_result_maps_dimensions_and_totals_the_unattributed(spark: Any) -> None:
    credits = _credits(spark)
    unattributed = spark.createDataFrame(
        [("x", 40.0), ("y", 2.5)], "user string, unattributed_value double"
    )
    res = SparkAttribution(
        frame=credits,
        credits=credits,
        unattributed=unattributed,
        model=get("linear"),
        dimensions={"channel": "utm_medium"},
    )
    assert [r["credit_value"] for r in res.totals("channel").collect()] == [2.0, 5.0, 13.0]
    assert res.unattributed_total() == (42.5, 2)
    empty = SparkAttribution(credits, credits, unattributed.limit(0), get("linear"), {})
    assert empty.unattributed_total() == (0.0, 0)
