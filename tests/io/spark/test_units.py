"""Epoch-number times on Spark: each column read in its own unit, decided once on the
driver (GA4's microsecond ``event_timestamp``, CRM epoch seconds), or in ``unit=``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.io import spark as tcs
from touchcredit.io.spark.executor import times
from touchcredit.io.spark.units import unit_of_kind

pa = pytest.importorskip("pyarrow")

T0_S = 1_767_225_600  # 2026-01-01T00:00:00Z in epoch seconds
DAY = 86_400


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """GA4-shaped touches (event_timestamp in epoch microseconds, text ids with leading
    zeros) and CRM-shaped conversions (close time in epoch seconds)."""
    rng = np.random.default_rng(5)
    n = 120
    lengths = rng.integers(1, 5, n)
    jid = np.repeat(np.arange(n), lengths)
    secs = T0_S + rng.integers(0, 20 * DAY, jid.size)
    micros = secs * 1_000_000 + rng.integers(0, 1_000_000, jid.size)
    conv = np.flatnonzero(rng.random(n) < 0.5)
    ids = np.array([f"{i:05d}" for i in range(n)], dtype=object)
    return {
        "row": np.arange(jid.size),
        "user_pseudo_id": ids[jid],
        "event_timestamp": micros,
        "channel": np.array(["seo", "email", "ads"], dtype=object)[rng.integers(0, 3, jid.size)],
        "cjid": ids[conv],
        "closed": np.full(conv.size, T0_S + 25 * DAY, dtype=np.int64),
        "amount": np.round(rng.gamma(2.0, 50.0, conv.size), 2),
    }


@pytest.fixture(scope="module")
def frames(spark: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    import pandas as pd

    touches = spark.createDataFrame(
        pd.DataFrame({k: data[k] for k in ("row", "user_pseudo_id", "event_timestamp", "channel")})
    )
    convs = spark.createDataFrame(
        pd.DataFrame(
            {"user_pseudo_id": data["cjid"], "closed": data["closed"], "amount": data["amount"]}
        )
    )
    return touches, convs


def run(frames: tuple[Any, Any], model: str = "time_decay", **kw: Any) -> Any:
    touches, convs = frames
    return tcs.attribute(
        touches,
        model,
        conversions=convs,
        journey="user_pseudo_id",
        timestamp="event_timestamp",
        conversion_time="closed",
        conversion_value="amount",
        num_partitions=3,
        **kw,
    )


def test_each_epoch_column_is_read_in_its_own_unit(
    frames: tuple[Any, Any], data: dict[str, Any]
) -> None:
    # time decay depends on the gap between each touch and its conversion, so a column
    # read in the wrong unit would move every credit
    js = tc.JourneySet.from_arrays(
        journey_id=data["user_pseudo_id"],
        timestamp=data["event_timestamp"],
        channel=list(data["channel"]),
        conversion_journey_id=data["cjid"],
        conversion_time=data["closed"],
        conversion_value=data["amount"],
    )  # the in-memory builder infers each column's unit the same way
    assert js.timestamp.min() >= np.datetime64("2026-01-01")
    memory = tc.attribute(js, "time_decay")
    pdf = run(frames).credits.select("row", "credit_value").toPandas().sort_values("row")
    expected = np.empty(js.n_touches)
    expected[js.touch_row] = memory.touch_credit
    np.testing.assert_allclose(pdf["credit_value"].to_numpy(), expected, rtol=1e-12, atol=1e-12)


def test_an_explicit_unit_applies_to_every_numeric_time_column(
    frames: tuple[Any, Any],
) -> None:
    # the touches are microseconds: read as seconds they are past any calendar, which
    # the driver says before any Spark task runs
    with pytest.raises(ValueError, match=r"column 'event_timestamp' of the touches .*'s'"):
        run(frames, unit="s")
    with pytest.raises(ValueError, match=r"unit must be one of|'unit'"):
        run(frames, unit="days")


def test_a_column_no_one_unit_reads_names_itself(spark: Any) -> None:
    import pandas as pd

    touches = spark.createDataFrame(
        pd.DataFrame(
            {"journey_id": ["a", "b"], "ts": [T0_S, T0_S * 1000], "channel": ["seo", "ads"]}
        )
    )
    with pytest.raises(ValueError, match=r"column 'ts' of the touches .* pass unit="):
        tcs.attribute(touches, "linear", timestamp="ts")


def test_executor_reads_the_unit_of_the_kind() -> None:
    micros = pa.array([T0_S * 1_000_000 + 7, None], pa.int64())
    got = times(micros, "epoch:us", None, "ts", True)
    assert got[0] == np.datetime64(T0_S, "s") + np.timedelta64(7, "us")
    assert np.isnat(got[1])
    nanos = pa.array([T0_S * 10**9 + 1_500], pa.int64())  # past float64's exact range
    assert times(nanos, "epoch:ns", None, "ts", False)[0] == np.datetime64(
        T0_S, "s"
    ) + np.timedelta64(1, "us")
    assert unit_of_kind("epoch") == "s"  # layouts from before the unit was carried
