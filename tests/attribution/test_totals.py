"""Tests of touchcredit.attribution.totals.pair_factors, called directly."""

from __future__ import annotations

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.attribution.totals import TOTALS, pair_factors
from touchcredit.models import LinearModel, MarkovModel


def _journeys() -> tc.JourneySet:
    """60 null journeys a > b, one conversion on a path 'a' (value 10), one on 'b' (30)."""
    jid = [*np.repeat(np.arange(60), 2).tolist(), 60, 61]
    return tc.JourneySet.from_arrays(
        journey_id=[f"{j:04d}" for j in jid],
        timestamp=[*([0, 1] * 60), 0, 0],
        channel=[*(["a", "b"] * 60), "a", "b"],
        conversion_journey_id=["0060", "0061"],
        conversion_time=[0, 0],
        conversion_value=[10.0, 30.0],
        unit="s",
    )


def _inputs(m):  # type: ignore[no-untyped-def]
    js = _journeys()
    m = m.fit(js)
    pairs = m.pairs(js)
    w = np.asarray(m.weights(js), dtype=np.float64)
    return m, js, pairs, w


def test_totals_readings() -> None:
    assert TOTALS == ("journeys", "fitted", "per_conversion")


def test_unknown_reading_is_an_error() -> None:
    m, js, pairs, w = _inputs(MarkovModel())
    with pytest.raises(
        ValueError, match="'totals' must be one of journeys, fitted, per_conversion"
    ):
        pair_factors(m, js, pairs, w, w, "chain")  # type: ignore[arg-type]


def test_models_without_channel_totals_get_no_factors() -> None:
    m, js, pairs, w = _inputs(LinearModel())
    f = pair_factors(m, js, pairs, w, w, "journeys")
    assert (f.value, f.conversions, f.notes) == (None, None, ())


@pytest.mark.parametrize("totals", ["journeys", "fitted"])
def test_factored_channel_totals_are_the_models_credit(totals: str) -> None:
    m, js, pairs, w = _inputs(MarkovModel())
    f = pair_factors(m, js, pairs, w, w, totals)  # type: ignore[arg-type]
    assert f.value is not None and f.conversions is not None
    channel = js.channel.labels()[pairs.touch]
    for what, factor, amount in (
        ("value", f.value, js.conversion_value),
        ("conversions", f.conversions, np.ones(js.n_conversions)),
    ):
        credit = factor * w * amount[pairs.conversion]
        want = m.credit(js, what)
        for label in ("a", "b"):
            assert credit[channel == label].sum() == pytest.approx(want[label], rel=1e-9)
    # factors differ from 1 here, so a note explains them and names the other reading
    assert len(f.notes) == 1
    assert "MarkovModel channel totals are the model's" in f.notes[0]
    assert "totals='per_conversion'" in f.notes[0]


def test_per_conversion_has_no_factors_but_a_note() -> None:
    m, js, pairs, w = _inputs(MarkovModel())
    f = pair_factors(m, js, pairs, w, w, "per_conversion")
    assert f.value is None and f.conversions is None
    assert len(f.notes) == 1 and f.notes[0].startswith("totals='per_conversion'")
