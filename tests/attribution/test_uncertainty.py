"""Bootstrap credit intervals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import touchcredit
from touchcredit import JourneySet
from touchcredit.attribution import uncertainty
from touchcredit.models import AttributionModel, MarkovModel, ShapleyModel, is_fitted
from touchcredit.testing import journeys_from_paths, random_paths


class _LastTouch(AttributionModel):  # not registered: a test helper
    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        p = self.pairs(journeys)
        return (p.position == p.length[p.conversion] - 1).astype(np.float64)


def test_point_estimate_is_the_credit_on_the_data() -> None:
    js = random_paths(1)
    b = touchcredit.bootstrap(js, "markov", n=20, seed=3)
    m = MarkovModel().fit(js)
    expected = m.credit(js)
    assert b.labels == js.channel.categories
    for label, est in zip(b.labels, b.estimate, strict=True):
        assert est == pytest.approx(expected[label], rel=1e-9)
    assert b.n == 20
    assert b.samples.shape == (20, len(b.labels))
    assert (b.lower <= b.upper).all()
    assert (b.std > 0).all()


def test_same_seed_same_intervals_and_the_model_is_left_unfitted() -> None:
    js = random_paths(2)
    model = ShapleyModel()
    a = touchcredit.bootstrap(js, model, n=15, seed=9)
    b = touchcredit.bootstrap(js, model, n=15, seed=9)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not is_fitted(model)
    c = touchcredit.bootstrap(js, model, n=15, seed=10)
    assert not np.array_equal(a.samples, c.samples)


def test_resample_totals_match_the_resampled_value() -> None:
    # every conversion has touches, so each resample credits all its value
    js = random_paths(4)
    b = touchcredit.bootstrap(js, _LastTouch(), n=30, seed=1, what="conversions")
    totals = b.samples.sum(axis=1)
    assert np.allclose(totals, np.round(totals))
    assert totals.std() > 0
    assert b.estimate.sum() == pytest.approx(js.n_conversions)


def test_a_label_that_always_gets_everything_has_a_zero_width_interval() -> None:
    js = journeys_from_paths([(["a"], 1), (["a", "b"], 0), (["a"], 1)])
    b = touchcredit.bootstrap(js, "markov", n=25, seed=0, what="conversions")
    d = b.to_dict()
    assert d["b"] == {"estimate": 0.0, "lower": 0.0, "upper": 0.0, "std": 0.0}
    assert d["a"]["estimate"] == 2.0
    assert 0.0 <= d["a"]["lower"] <= d["a"]["upper"] <= 3.0


def test_interval_narrows_with_the_level_and_by_other_dimensions() -> None:
    js = random_paths(5)
    wide = touchcredit.bootstrap(js, "shapley", n=40, seed=2, ci=0.95)
    narrow = touchcredit.bootstrap(js, "shapley", n=40, seed=2, ci=0.5)
    assert ((narrow.upper - narrow.lower) <= (wide.upper - wide.lower) + 1e-12).all()
    by_source = touchcredit.bootstrap(js, _LastTouch(), n=5, seed=2, by="source")
    assert by_source.labels == (None,)  # no sources recorded: one 'not recorded' label
    assert by_source.estimate[0] == pytest.approx(js.total_value)
    assert "95% intervals by channel" in repr(wide)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1}, "'n' must be an integer >= 2"),
        ({"ci": 1.0}, "'ci' must be in"),
        ({"by": "colour"}, "'by' must be one of"),
        ({"what": "clicks"}, "'what' must be"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        touchcredit.bootstrap(random_paths(1, n_journeys=20), "markov", **kwargs)


@pytest.mark.parametrize(
    "model",
    [
        MarkovModel(),
        MarkovModel(order=2, collapse=False),
        MarkovModel(exclude_channels=["c1"], lookback=dt.timedelta(microseconds=2)),
        ShapleyModel(),
        ShapleyModel(coalition_value="rate", method="simplified"),
    ],
)
@pytest.mark.parametrize(("by", "what"), [("channel", "value"), ("source", "conversions")])
def test_resampling_counts_gives_the_samples_of_resampling_journeys(
    model: AttributionModel, by: str, what: str
) -> None:
    # the same seeded draws: each resample's counts and credit from per-journey terms
    # equal those of the resampled JourneySet, refitted (the straightforward way)
    base = random_paths(6, n_journeys=150)
    rng = np.random.default_rng(0)
    js = JourneySet.from_arrays(
        journey_id=np.repeat(np.arange(base.n_journeys), base.lengths),
        timestamp=base.timestamp,
        channel=base.channel.labels(),
        source=rng.choice(np.array(["s0", "s1", None], dtype=object), base.n_touches),
        conversion_journey_id=base.conversion_journey,
        conversion_time=base.conversion_time,
        conversion_value=base.conversion_value,
    )
    width = len(js.dimension(by).categories) + 1
    fast = uncertainty._resample_counts(js, model, 12, 4, width, by, what)
    slow = uncertainty._resample_journeys(js, model, 12, 4, width, by, what)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-9 * np.abs(slow).max())


def test_bootstrap_of_a_data_driven_model_resamples_counts() -> None:
    js = random_paths(7, n_journeys=100)
    b = touchcredit.bootstrap(js, "markov", n=10, seed=5)
    width = len(b.labels) + 1
    slow = uncertainty._resample_journeys(js, MarkovModel(), 10, 5, width, "channel", "value")
    np.testing.assert_allclose(b.samples, slow[:, : len(b.labels)], rtol=1e-9)
