"""The journey sets for tests: random ones, ones from paths, and shuffled copies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.testing.journeys import (
    journeys_from_paths,
    random_journeys,
    random_paths,
    shuffled,
)


def test_journeys_from_paths_places_touches_and_conversions() -> None:
    js = journeys_from_paths([(["seo", "email", None], 2), (["paid"], 0), ([], 1)])
    assert (js.n_journeys, js.n_touches, js.n_conversions) == (3, 4, 3)
    order = np.argsort(js.touch_row)
    assert js.channel.labels()[order].tolist() == ["seo", "email", None, "paid"]
    jids = js.journey_ids[js.conversion_journey].tolist()
    assert sorted(jids) == [0, 0, 2]
    # conversions at the time of the journey's last touch (epoch seconds)
    times = sorted(js.conversion_time.astype("datetime64[s]").astype(np.int64).tolist())
    assert times == [-1, 2, 2]  # a journey without touches converts at len(path) - 1 = -1


def test_journeys_from_paths_passes_keywords_on() -> None:
    js = journeys_from_paths([(["seo"], 1), (["paid"], 1)], conversion_value=[10.0, 2.5])
    assert js.total_value == pytest.approx(12.5)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_random_journeys_hits_the_edge_cases(seed: int) -> None:
    js = random_journeys(seed)
    assert js.n_conversions == 30
    assert 0 < js.n_journeys <= 40
    labels = js.channel.labels()
    assert set(labels.tolist()) <= {"direct", "seo", "email", "paid", "social", None}
    assert np.isnat(js.opportunity_created_at).any()
    assert np.isnat(js.closed_at).any()
    assert (js.conversion_value >= 0).all()


def test_random_journeys_is_reproducible_and_unique_times_are_distinct() -> None:
    a, b = random_journeys(3), random_journeys(3)
    assert a.timestamp.tolist() == b.timestamp.tolist()
    assert a.channel.labels().tolist() == b.channel.labels().tolist()
    u = random_journeys(3, unique_times=True)
    assert np.unique(u.timestamp).size == u.n_touches


def test_random_paths_shape() -> None:
    js = random_paths(5, n_journeys=60, n_channels=4)
    assert js.n_journeys == 60
    assert set(js.channel.labels().tolist()) <= {"c0", "c1", "c2", "c3"}
    per_journey = np.bincount(js.touch_journey, minlength=js.n_journeys)
    assert per_journey.min() >= 1 and per_journey.max() <= 6
    assert js.n_conversions == np.unique(js.conversion_journey).size  # at most one each
    assert ((js.conversion_value >= 1) & (js.conversion_value <= 100)).all()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 50), st.integers(0, 50))
def test_shuffled_is_the_same_data_and_maps_every_touch(data_seed: int, seed: int) -> None:
    js = random_journeys(data_seed, n_journeys=12, unique_times=True)
    other, where = shuffled(js, seed)
    assert (other.n_journeys, other.n_touches, other.n_conversions) == (
        js.n_journeys,
        js.n_touches,
        js.n_conversions,
    )
    assert sorted(where.tolist()) == list(range(js.n_touches))
    assert (other.timestamp[where] == js.timestamp).all()
    assert other.channel.labels()[where].tolist() == js.channel.labels().tolist()
    jid = js.journey_ids[js.touch_journey]
    assert (other.journey_ids[other.touch_journey][where] == jid).all()
    assert other.total_value == pytest.approx(js.total_value)
