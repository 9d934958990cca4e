"""A Markov model passed fitted to Spark shows the model's channel totals, as in memory,
and says so (issue 25, item 4; the chunked runner's twin is tests/io/test_chunk_totals.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.io import spark as tcs
from touchcredit.models import MarkovModel

T0 = np.datetime64("2026-01-05T00:00:00", "us")


@pytest.fixture(scope="module")
def data(unreachable_markov: dict[str, Any]) -> dict[str, Any]:
    """tests/io/conftest.py's journeys, whose Markov totals no per-conversion split reaches."""
    return unreachable_markov


@pytest.fixture(scope="module")
def journeys(data: dict[str, Any]) -> tc.JourneySet:
    return tc.JourneySet.from_arrays(
        journey_id=data["journey_id"],
        timestamp=data["timestamp"],
        channel=list(data["channel"]),
        conversion_journey_id=data["cjid"],
        conversion_time=data["ctime"],
        conversion_value=data["value"],
    )


@pytest.fixture(scope="module")
def frames(spark: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    import pandas as pd

    touches = spark.createDataFrame(
        pd.DataFrame({k: data[k] for k in ("row", "journey_id", "timestamp", "channel")})
    )
    convs = spark.createDataFrame(
        pd.DataFrame(
            {"journey_id": data["cjid"], "converted_at": data["ctime"], "amount": data["value"]}
        )
    )
    return touches.repartition(3), convs


@pytest.fixture(scope="module")
def model(journeys: tc.JourneySet) -> MarkovModel:
    m = MarkovModel().fit(journeys)
    split = tc.attribute(journeys, m, totals="per_conversion").by("channel")
    credit = m.credit(journeys, "conversions")
    # the data are such that the per-conversion split misses the chain's totals
    assert max(abs(split.to_dict("conversions")[c] - credit[c]) for c in credit) > 1.0
    return m


def run(frames: tuple[Any, Any], model: Any, **kw: Any) -> tcs.SparkAttribution:
    touches, convs = frames
    return tcs.attribute(
        touches,
        model,
        conversions=convs,
        conversion_time="converted_at",
        conversion_value="amount",
        num_partitions=4,
        **kw,
    )


def channel_totals(res: tcs.SparkAttribution) -> dict[str, dict[str | None, float]]:
    rows = res.totals("channel").collect()
    return {
        "value": {r["channel"]: r["credit_value"] for r in rows},
        "conversions": {r["channel"]: r["credit_conversions"] for r in rows},
    }


def assert_totals(got: dict[str | None, float], expected: dict[str | None, float]) -> None:
    assert set(got) == set(expected)
    for label, v in expected.items():
        assert got[label] == pytest.approx(v, rel=1e-10, abs=1e-9), label


def test_prefitted_markov_shows_the_models_channel_totals(
    frames: tuple[Any, Any], journeys: tc.JourneySet, model: MarkovModel
) -> None:
    res = run(frames, model).persist()
    got = channel_totals(res)
    memory = tc.attribute(journeys, model)
    for what in ("value", "conversions"):
        assert_totals(got[what], model.credit(journeys, what))
        assert_totals(got[what], memory.by("channel").to_dict(what))
    # per touch: the in-memory credit (factors from all the journeys at once)
    pdf = res.credits.select("row", "credit_value").toPandas().sort_values("row")
    expected = np.empty(journeys.n_touches)
    expected[journeys.touch_row] = memory.touch_credit
    np.testing.assert_allclose(pdf["credit_value"].to_numpy(), expected, rtol=1e-10, atol=1e-12)
    u_value, _ = res.unattributed_total()
    assert u_value + sum(got["value"].values()) == pytest.approx(memory.total, rel=1e-12)
    assert len(res.notes) == 1
    assert "first pass" in res.notes[0] and "partitions" in res.notes[0]


def test_a_model_fitted_in_the_run_uses_its_own_factors(
    frames: tuple[Any, Any], journeys: tc.JourneySet, model: MarkovModel
) -> None:
    res = run(frames, "markov")
    assert "learned in fit, on all the partitions together" in res.notes[0]
    for what, got in channel_totals(res).items():
        assert_totals(got, model.credit(journeys, what))  # type: ignore[arg-type]


def test_per_conversion_reading_on_request(
    frames: tuple[Any, Any], journeys: tc.JourneySet, model: MarkovModel
) -> None:
    res = run(frames, model, totals="per_conversion")
    expected = tc.attribute(journeys, model, totals="per_conversion").by("channel")
    for what, got in channel_totals(res).items():
        assert_totals(got, expected.to_dict(what))
    assert len(res.notes) == 1 and "totals='per_conversion'" in res.notes[0]


def test_fitted_reading_on_request_names_whose_factors(
    frames: tuple[Any, Any], journeys: tc.JourneySet, model: MarkovModel
) -> None:
    # the factors m learned (here on the same journeys, so the model's totals)
    res = run(frames, model, totals="fitted")
    for what, got in channel_totals(res).items():
        assert_totals(got, model.credit(journeys, what))  # type: ignore[arg-type]
    assert len(res.notes) == 1 and "only on the journeys it was fitted on" in res.notes[0]


def test_a_channel_these_journeys_lack_is_shared_as_in_memory(
    frames: tuple[Any, Any], journeys: tc.JourneySet, data: dict[str, Any]
) -> None:
    # fitted on more journeys, one of them through a channel the Spark input never has
    n = data["row"].size
    wider = tc.JourneySet.from_arrays(
        journey_id=[*data["journey_id"], "x1", "x1"],
        timestamp=np.concatenate([data["timestamp"], [T0, T0 + np.timedelta64(1, "h")]]),
        channel=[*data["channel"], "delta", "alpha"],
        conversion_journey_id=[*data["cjid"], "x1"],
        conversion_time=np.concatenate([data["ctime"], data["ctime"][:1]]),
        conversion_value=np.concatenate([data["value"], [500.0]]),
    )
    m = MarkovModel().fit(wider)
    assert m.credit(journeys)["delta"] > 0 and wider.n_touches == n + 2
    res = run(frames, m)
    memory = tc.attribute(journeys, m).by("channel")
    got = channel_totals(res)
    for what in ("value", "conversions"):
        assert_totals(got[what], memory.to_dict(what))
    assert sum(got["value"].values()) == pytest.approx(sum(m.credit(journeys).values()))
    assert any("'delta'" in note for note in res.notes)


def test_heuristic_models_carry_no_note(frames: tuple[Any, Any]) -> None:
    assert run(frames, "linear", totals="per_conversion").notes == ()


def test_bad_totals_raises_before_any_spark_job(spark: Any, frames: tuple[Any, Any]) -> None:
    sc = spark.sparkContext
    tracker = sc.statusTracker()
    sc.setJobGroup("tc-bad-totals", "a bad totals= argument")
    try:
        with pytest.raises(ValueError, match=r"'totals' must be one of journeys, fitted"):
            run(frames, MarkovModel(), totals="chain")
        assert tracker.getJobIdsForGroup("tc-bad-totals") == []
        sc.setJobGroup("tc-good-totals", "the same call with a good totals= (control)")
        run(frames, "linear", totals="journeys")  # the input checks run Spark jobs
        assert tracker.getJobIdsForGroup("tc-good-totals") != []
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
