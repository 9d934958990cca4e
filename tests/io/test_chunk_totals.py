"""A Markov model passed fitted to an out-of-core run shows the model's channel totals, as
in memory, and says so (issue 25, item 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.attribution.totals import ChannelFactors, channel_factors
from touchcredit.io.chunked import attribute_parquet
from touchcredit.models import MarkovModel

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def data(
    tmp_path_factory: pytest.TempPathFactory, unreachable_markov: dict[str, Any]
) -> tuple[Path, Any, tc.JourneySet]:
    """tests/io/conftest.py's journeys (whose Markov totals no per-conversion split
    reaches) as a Parquet file of touches sorted by journey, and the conversions."""
    d = unreachable_markov
    touches = pa.table({k: d[k] for k in ("journey_id", "timestamp", "channel", "source")})
    conversions = pa.table(
        {"journey_id": d["cjid"], "conversion_time": d["ctime"], "conversion_value": d["value"]}
    )
    path = tmp_path_factory.mktemp("totals") / "touches.parquet"
    pq.write_table(touches, path, row_group_size=64)
    js = tc.JourneySet.from_frame(
        touches, source="source", conversions=conversions, conversion_value="conversion_value"
    )
    return path, conversions, js


def run(path: Path, conversions: Any, model: Any, **kw: Any) -> Any:
    return attribute_parquet(
        path,
        model,
        source="source",
        conversions=conversions,
        conversion_value="conversion_value",
        batch_rows=kw.pop("batch_rows", 90),
        **kw,
    )


def test_prefitted_markov_shows_the_models_channel_totals(
    data: tuple[Path, Any, tc.JourneySet],
) -> None:
    path, conversions, js = data
    m = MarkovModel().fit(js)
    split = tc.attribute(js, m, totals="per_conversion").by("channel").to_dict("conversions")
    credit = m.credit(js, "conversions")
    # the data are such that the per-conversion split misses the chain's totals
    assert max(abs(split[c] - credit[c]) for c in credit) > 1.0
    r = run(path, conversions, m)
    assert r.n_chunks > 3
    for what in ("value", "conversions"):
        expected = m.credit(js, what)  # type: ignore[arg-type]
        got = r.to_dict(what)
        assert set(got) == set(expected)
        for c, v in expected.items():
            assert got[c] == pytest.approx(v, rel=1e-10, abs=1e-9), (what, c)
    assert r.value.sum() + r.unattributed_value == pytest.approx(r.total_value, rel=1e-12)
    assert len(r.notes) == 1 and "first pass" in r.notes[0]
    # the same numbers a run that fits the model itself shows
    fitted_here = run(path, conversions, "markov")
    np.testing.assert_allclose(fitted_here.conversions, r.conversions, rtol=1e-10)
    assert "learned in fit" in fitted_here.notes[0]


def test_drill_down_and_touch_credit_add_up_to_the_channel_totals(
    data: tuple[Path, Any, tc.JourneySet], tmp_path: Path
) -> None:
    path, conversions, js = data
    m = MarkovModel().fit(js)
    out = tmp_path / "touch_credit.parquet"
    by_source = run(path, conversions, m, by="source", touch_credit_path=out)
    assert by_source.value.sum() == pytest.approx(sum(m.credit(js).values()), rel=1e-12)
    # per touch: the in-memory credit (factors from all the journeys at once)
    touch = pq.read_table(out).column("value").to_numpy()
    mem = tc.attribute(js, m)
    expected = np.empty(js.n_touches)
    expected[js.touch_row] = mem.touch_credit
    np.testing.assert_allclose(touch, expected, rtol=1e-10, atol=1e-12)


def test_per_conversion_and_fitted_readings_on_request(
    data: tuple[Path, Any, tc.JourneySet],
) -> None:
    path, conversions, js = data
    m = MarkovModel().fit(js)
    per = run(path, conversions, m, totals="per_conversion")
    expected = tc.attribute(js, m, totals="per_conversion").by("channel")
    np.testing.assert_allclose(per.conversions, expected.conversions, rtol=1e-12)
    assert "per_conversion" in per.notes[0]
    # "fitted": the factors m learned (here on the same journeys, so the same totals)
    fitted = run(path, conversions, m, totals="fitted")
    np.testing.assert_allclose(fitted.conversions, list(m.credit(js, "conversions").values()))
    assert "only on the journeys it was fitted on" in fitted.notes[0]
    with pytest.raises(ValueError, match=r"'totals' must be one of journeys, fitted"):
        run(path, conversions, m, totals="chain")


def test_heuristic_models_carry_no_note(data: tuple[Path, Any, tc.JourneySet]) -> None:
    path, conversions, _ = data
    assert run(path, conversions, "linear").notes == ()


def test_explicit_factors_in_attribute() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2],
        timestamp=[0, 1, 0],
        channel=["a", "b", "b"],
        conversion_journey_id=[1, 2],
        conversion_time=[2, 1],
        conversion_value=[10.0, 20.0],
        unit="s",
    )
    m = MarkovModel().fit(js)
    f = ChannelFactors({"a": 2.0, "b": 0.5}, {"a": 1.0, "b": 1.0}, unplaced=("c",))
    res = tc.attribute(js, m, totals=f)
    base = tc.attribute(js, m, totals="per_conversion")
    np.testing.assert_allclose(
        res.touch_credit, base.touch_credit * np.array([2.0, 0.5, 0.5]), rtol=1e-12
    )
    np.testing.assert_allclose(res.touch_conversions, base.touch_conversions, rtol=1e-12)
    assert any("'c'" in note for note in res.notes)


def test_channel_factors_spread_what_no_touch_carries() -> None:
    f = channel_factors(
        {"value": {"a": 3.0, "b": 1.0, "c": 4.0}, "conversions": {"a": 1.0}},
        {"value": {"a": 2.0, "b": 2.0}, "conversions": {"a": 1.0}},
    )
    # c's 4.0 goes to a and b in proportion to their targets (3:1)
    assert dict(f.value) == pytest.approx({"a": 3.0, "b": 1.0, "c": 0.0})
    assert f.unplaced == ("c",)
