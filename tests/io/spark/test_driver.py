"""touchcredit.io.spark.driver (attribute, fit) equals the in-memory library on the same data."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core.mapping import MissingColumnError
from touchcredit.io import spark as tcs
from touchcredit.io.spark.codec import decode_counts, encode_counts
from touchcredit.models import CountingModel, available, get, is_fitted
from touchcredit.models.counting import count_classes

CHANNELS = ["direct", "email", "paid search", "seo", "social", "display"]
SOURCES = ["google", "newsletter", "partner"]


def _data(seed: int = 7, n_journeys: int = 900) -> dict[str, Any]:
    """Raw columns: unique times, unrecorded labels, journeys without touches."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 9, n_journeys)
    n = int(lengths.sum())
    jid = np.repeat(np.arange(n_journeys, dtype=np.int64) * 7 + 3, lengths)
    ts = (rng.permutation(n).astype(np.int64) * 3600 + 1_700_000_000) * 1_000_000
    ch = np.array(CHANNELS, dtype=object)[rng.integers(0, len(CHANNELS), n)]
    ch[rng.random(n) < 0.05] = None
    src = np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)]
    src[rng.random(n) < 0.1] = None
    conv_j = np.flatnonzero(rng.random(n_journeys) < 0.6)
    conv_j = np.concatenate([conv_j, conv_j[rng.random(conv_j.size) < 0.2]])
    m = conv_j.size
    cts = (rng.integers(0, n, m).astype(np.int64) * 3600 + 1_700_000_000 + 1800) * 1_000_000
    lead = cts - rng.integers(0, 2000, m) * 3_600_000_000
    has_lead = rng.random(m) < 0.7
    return {
        "jid": jid,
        "ts": ts,
        "channel": ch,
        "source": src,
        "cjid": conv_j.astype(np.int64) * 7 + 3,
        "cts": cts,
        "value": np.round(rng.uniform(0, 500, m), 2),
        "lead": lead,
        "has_lead": has_lead,
    }


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return _data()


@pytest.fixture(scope="module")
def journeys(data: dict[str, Any]) -> tc.JourneySet:
    lead = data["lead"].astype("datetime64[us]")
    lead[~data["has_lead"]] = np.datetime64("NaT")
    return tc.JourneySet.from_arrays(
        journey_id=data["jid"],
        timestamp=data["ts"].astype("datetime64[us]"),
        channel=list(data["channel"]),
        source=list(data["source"]),
        conversion_journey_id=data["cjid"],
        conversion_time=data["cts"].astype("datetime64[us]"),
        conversion_value=data["value"],
        lead_created_at=lead,
    )


@pytest.fixture(scope="module")
def frames(spark: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    import pandas as pd
    from pyspark.sql import functions as F

    touches = spark.createDataFrame(
        pd.DataFrame(
            {
                "row": np.arange(data["jid"].size),
                "journey_id": data["jid"],
                "ts_us": data["ts"],
                "channel": data["channel"],
                "source": data["source"],
            }
        )
    ).select(
        "row",
        "journey_id",
        F.timestamp_micros("ts_us").alias("timestamp"),
        "channel",
        "source",
    )
    convs = spark.createDataFrame(
        pd.DataFrame(
            {
                "crow": np.arange(data["cjid"].size),
                "journey_id": data["cjid"],
                "cts": data["cts"],
                "amount": data["value"],
                "lead_us": pd.array(np.where(data["has_lead"], data["lead"], 0), dtype="Int64"),
                "has_lead": data["has_lead"],
            }
        )
    ).select(
        "crow",
        "journey_id",
        F.timestamp_micros("cts").alias("timestamp"),
        "amount",
        F.when(F.col("has_lead"), F.timestamp_micros("lead_us")).alias("lead_at"),
    )
    return touches.repartition(3), convs.repartition(2)


def _run(frames: tuple[Any, Any], model: Any, **kw: Any) -> tcs.SparkAttribution:
    touches, convs = frames
    return tcs.attribute(
        touches,
        model,
        conversions=convs,
        source="source",
        conversion_time="timestamp",
        conversion_value="amount",
        lead_created_at="lead_at",
        num_partitions=5,
        **kw,
    )


def _per_row(res: tcs.SparkAttribution, n: int) -> tuple[np.ndarray, np.ndarray]:
    pdf = res.credits.select("row", "credit_value", "credit_conversions").toPandas()
    assert len(pdf) == n and pdf["row"].is_unique
    pdf = pdf.sort_values("row")
    return pdf["credit_value"].to_numpy(), pdf["credit_conversions"].to_numpy()


def _in_input_order(js: tc.JourneySet, a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    out[js.touch_row] = a
    return out


# every model Spark can fit itself: a data-driven model without additive counts (the
# additive hazard) is fitted in memory and passed fitted (test below)
MODELS = [
    name
    for name in available()
    if not name.startswith("_")
    and not (get(name).learns_from_data and not isinstance(get(name), CountingModel))
]


@pytest.mark.parametrize("name", MODELS)
def test_equals_in_memory(name: str, frames: tuple[Any, Any], journeys: tc.JourneySet) -> None:
    res = _run(frames, name).persist()
    expected = tc.attribute(journeys, name)
    value, conv = _per_row(res, journeys.n_touches)
    np.testing.assert_allclose(
        value, _in_input_order(journeys, expected.touch_credit), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        conv, _in_input_order(journeys, expected.touch_conversions), rtol=1e-9, atol=1e-12
    )
    # per channel totals, with the unrecorded channel as its own label
    got = {r["channel"]: r["credit_value"] for r in res.totals("channel").collect()}
    want = expected.by("channel").to_dict()
    assert set(got) == set(want)
    for label, v in want.items():
        assert got[label] == pytest.approx(v, rel=1e-9, abs=1e-9)
    u_value, u_count = res.unattributed_total()
    assert u_count == expected.unattributed.conversions
    assert u_value == pytest.approx(expected.unattributed.value, rel=1e-9, abs=1e-9)
    assert u_value + sum(got.values()) == pytest.approx(expected.total, rel=1e-9)


@pytest.mark.parametrize("name", ["markov", "shapley"])
def test_distributed_fit_equals_in_memory_fit(
    name: str, frames: tuple[Any, Any], journeys: tc.JourneySet
) -> None:
    touches, convs = frames
    fitted = tcs.fit(
        touches,
        name,
        conversions=convs,
        source="source",
        conversion_time="timestamp",
        conversion_value="amount",
        num_partitions=4,
    )
    assert is_fitted(fitted)
    local = get(name).fit(journeys)
    np.testing.assert_allclose(
        fitted.weights(journeys), local.weights(journeys), rtol=1e-9, atol=1e-12
    )
    # and the counts codec round-trips exactly (no pickle)
    assert isinstance(local, CountingModel)
    counts = local.count(journeys)
    allowed = count_classes(local)
    back = decode_counts(encode_counts(counts, allowed), allowed)
    assert type(back) is type(counts)
    np.testing.assert_array_equal(
        get(name).fit_counts(back).weights(journeys),  # type: ignore[attr-defined]
        local.weights(journeys),
    )


def test_session_time_zone_does_not_change_results(
    spark: Any, frames: tuple[Any, Any], journeys: tc.JourneySet
) -> None:
    expected = tc.attribute(journeys, "time_decay")
    old = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        value, _ = _per_row(_run(frames, "time_decay"), journeys.n_touches)
    finally:
        spark.conf.set("spark.sql.session.timeZone", old)
    np.testing.assert_allclose(
        value, _in_input_order(journeys, expected.touch_credit), rtol=1e-9, atol=1e-9
    )


def test_null_journey_id_is_a_clear_error(spark: Any) -> None:
    from pyspark.sql import functions as F

    df = spark.createDataFrame(
        [(1, 10, "seo"), (None, 20, "email")], "person long, t long, channel string"
    ).select("person", F.timestamp_seconds("t").alias("ts"), "channel")
    with pytest.raises(ValueError, match=r"'person' \(journey id\).*null in 1 row"):
        tcs.attribute(df, "linear", journey="person", timestamp="ts")


def test_null_timestamp_is_a_clear_error(spark: Any) -> None:
    from pyspark.sql import functions as F

    df = spark.createDataFrame(
        [(1, 10, "seo"), (1, None, "email")], "person long, t long, channel string"
    ).select("person", F.timestamp_seconds("t").alias("ts"), "channel")
    with pytest.raises(ValueError, match=r"'ts' \(touch time\).*null in 1 row"):
        tcs.attribute(df, "linear", journey="person", timestamp="ts")


def test_null_channel_is_not_recorded(spark: Any) -> None:
    from pyspark.sql import functions as F

    touches = spark.createDataFrame(
        [(1, 10, "seo"), (1, 20, None), (2, 5, None)], "j long, t long, channel string"
    ).select("j", F.timestamp_seconds("t").alias("ts"), "channel")
    convs = spark.createDataFrame(
        [(1, 30, 100.0), (2, 6, 10.0)], "j long, t long, v double"
    ).select("j", F.timestamp_seconds("t").alias("ts"), "v")
    res = tcs.attribute(
        touches,
        "linear",
        conversions=convs,
        journey="j",
        timestamp="ts",
        conversion_time="ts",
        conversion_value="v",
    )
    got = {r["channel"]: r["credit_value"] for r in res.totals("channel").collect()}
    assert got == {None: 60.0, "seo": 50.0}
    assert res.unattributed_total() == (0.0, 0)


def test_import_touchcredit_spark_does_not_import_pyspark() -> None:
    import subprocess
    import sys

    code = "import sys, touchcredit, touchcredit.io.spark; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _small(spark: Any) -> tuple[Any, Any]:
    from pyspark.sql import functions as F

    touches = spark.createDataFrame(
        [(1, 10, "seo"), (1, 20, None), (2, 5, None)], "j long, t long, medium string"
    ).select("j", F.timestamp_seconds("t").alias("ts"), "medium")
    convs = spark.createDataFrame(
        [(1, 30, 100.0), (2, 6, 10.0)], "j long, t long, v double"
    ).select("j", F.timestamp_seconds("t").alias("at"), "v")
    return touches, convs


def test_column_map_and_shorthand_name_the_same_columns(spark: Any) -> None:
    touches, convs = _small(spark)
    cols = tc.ColumnMap(
        journey="j", timestamp="ts", channel="medium", conversion_time="at", conversion_value="v"
    )
    by_map = tcs.attribute(touches, "linear", conversions=convs, columns=cols)
    by_words = tcs.attribute(
        touches,
        "linear",
        conversions=convs,
        journey="j",
        timestamp="ts",
        channel="medium",
        conversion_time="at",
        conversion_value="v",
    )
    # one or the other, as for JourneySet.from_frame
    with pytest.raises(TypeError, match=r"not both; got columns= and channel="):
        tcs.attribute(touches, "linear", conversions=convs, columns=cols, channel="medium")
    for res in (by_map, by_words):
        got = {r["medium"]: r["credit_value"] for r in res.totals("channel").collect()}
        assert got == {None: 60.0, "seo": 50.0}


def test_missing_mapped_column_names_the_role(spark: Any) -> None:
    touches, convs = _small(spark)
    with pytest.raises(
        MissingColumnError, match=r"conversions: no column 'conversion_time' \(the conversion_time"
    ):
        tcs.attribute(
            touches, "linear", conversions=convs, journey="j", timestamp="ts", channel="medium"
        )
    with pytest.raises(ValueError, match=r"touches: no column 'channel'"):
        tcs.fit(touches, "markov", journey="j", timestamp="ts")
    with pytest.raises(ValueError, match=r"conversion_value were given without"):
        tcs.attribute(
            touches, "linear", journey="j", timestamp="ts", channel="medium", conversion_value="v"
        )


def test_progress_bar_over_the_driver_steps(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    touches, convs = _small(spark)
    cols = tc.ColumnMap(
        journey="j", timestamp="ts", channel="medium", conversion_time="at", conversion_value="v"
    )
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    tcs.attribute(touches, "markov", conversions=convs, columns=cols, progress=False)
    assert "spark attribute" not in term.getvalue()
    tcs.attribute(touches, "markov", conversions=convs, columns=cols, progress=True)
    assert "spark attribute" in term.getvalue()


def test_no_pandas_future_warning_from_touchcredits_calls(frames: tuple[Any, Any]) -> None:
    # pyspark 4 warns "does not yet fully support pandas >= 3.0.0" on every Arrow UDF
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _run(frames, "markov").totals("channel").collect()
    assert not [w for w in seen if "support pandas" in str(w.message)]


def test_a_model_fitted_in_memory_attributes_on_spark(
    frames: tuple[Any, Any], journeys: tc.JourneySet
) -> None:
    # the additive hazard has no additive counts: fitted in memory, passed fitted; a
    # model fitted elsewhere is split per conversion there, as in memory
    model = get("additive_hazard").fit(journeys)
    res = _run(frames, model).persist()
    expected = tc.attribute(journeys, model)
    value, _ = _per_row(res, journeys.n_touches)
    np.testing.assert_allclose(
        value, _in_input_order(journeys, expected.touch_credit), rtol=1e-9, atol=1e-9
    )
