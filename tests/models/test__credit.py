"""Mirrored tests for touchcredit.models._credit (paths, Shapley set counts, helpers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.models import LinearModel, ShapleyModel
from touchcredit.models._credit import extract_paths, sort_labels, wsum

_TOUCHES = [
    ("007", "2024-01-01", "email"),
    ("007", "2024-01-02", None),
    ("010", "2024-01-01", "seo"),
    ("010", "2024-01-03", "email"),
    ("020", "2024-01-05", "seo"),
]
_CONVERSIONS = [("007", "2024-01-04", 90.0), ("020", "2024-01-06", 10.0)]


def _journeys(keep: tuple[str, ...] = ("007", "010", "020")) -> tc.JourneySet:
    # "007": email, then a touch with no channel recorded, converts (value 90)
    # "010": seo, email; no conversion
    # "020": seo; converts (value 10)
    touches = [t for t in _TOUCHES if t[0] in keep]
    conversions = [c for c in _CONVERSIONS if c[0] in keep]
    return tc.JourneySet.from_arrays(
        journey_id=[t[0] for t in touches],
        timestamp=[t[1] for t in touches],
        channel=[t[2] for t in touches],
        conversion_journey_id=[c[0] for c in conversions],
        conversion_time=[c[1] for c in conversions],
        conversion_value=[c[2] for c in conversions],
    )


def test_sort_labels_sorts_text_and_puts_none_last() -> None:
    assert sort_labels(["seo", None, "007", "seo", "Ads"]) == ("007", "Ads", "seo", None)
    assert sort_labels([]) == ()


def test_wsum_counts_or_sums_into_n_bins() -> None:
    idx = np.array([2, 0, 2])
    assert wsum(idx, None, 4).tolist() == [1.0, 0.0, 2.0, 0.0]
    assert wsum(idx, np.array([0.5, 1.0, 2.0]), 3).tolist() == [1.0, 0.0, 2.5]


def test_extract_paths_converting_first_then_non_converting() -> None:
    js = _journeys()
    p = extract_paths(LinearModel(), js)
    assert p.channels == ("email", "seo", None)
    paths = [p.codes[a:b].tolist() for a, b in zip(p.offsets[:-1], p.offsets[1:], strict=True)]
    assert paths == [[0, 2], [1], [1, 0]]
    assert p.converted.tolist() == [True, True, False]
    assert p.value.tolist() == [90.0, 10.0, 0.0]
    assert [js.journey_ids[j] for j in p.journey.tolist()] == ["007", "020", "010"]


def _table(c: Any) -> list[tuple[tuple[int, ...], float, float, float]]:
    cols = (c.conversions.tolist(), c.value.tolist(), c.nulls.tolist())
    return sorted(zip(c.sets(), *cols, strict=True))


def test_shapley_counts_group_paths_by_channel_set_and_add_up() -> None:
    js = _journeys()
    c = ShapleyModel().count(js)
    assert c.channels == ("email", "seo", None)
    assert _table(c) == [((0, 1), 0.0, 0.0, 1.0), ((0, 2), 1.0, 90.0, 0.0), ((1,), 1.0, 10.0, 0.0)]
    assert c.n_sets == 3
    # counts of two halves merge into the counts of the whole
    a = ShapleyModel().count(_journeys(("007",)))
    b = ShapleyModel().count(_journeys(("010", "020")))
    both = a + b
    assert both.channels == c.channels
    assert _table(both) == _table(c)
    assert float(both.value.sum()) == pytest.approx(100.0)
