"""Eligible pairs (lookback and exclude filters) against a slow per-conversion reference."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet
from touchcredit.models import AttributionModel, EligiblePairs
from touchcredit.models.eligibility import eligible_pairs
from touchcredit.testing import random_journeys

_DAY = dt.timedelta(days=1)


class _Any(AttributionModel):
    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        raise NotImplementedError


def _reference(
    js: JourneySet,
    lookback: dt.timedelta | None,
    channels: tuple[str, ...],
    sources: tuple[str, ...],
) -> list[list[int]]:
    """Per conversion, its eligible touch indices, one conversion at a time."""
    ch, src = js.channel.labels(), js.source.labels()
    out = []
    for c in range(js.n_conversions):
        j = int(js.conversion_journey[c])
        t = js.conversion_time[c]
        run = [
            i
            for i in range(int(js.offsets[j]), int(js.offsets[j + 1]))
            if js.timestamp[i] <= t and (lookback is None or js.timestamp[i] >= t - lookback)
        ]
        kept = [i for i in run if ch[i] not in channels and src[i] not in sources]
        out.append(kept if kept else run)  # all excluded: the filter is ignored
    return out


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    lookback_days=st.sampled_from([None, 0, 3, 10]),
    channels=st.sets(st.sampled_from(["direct", "seo", "email", "paid", "social", "x"])),
    sources=st.sets(st.sampled_from(["google", "newsletter", "partner", "y"])),
)
def test_eligible_pairs_match_the_reference(
    seed: int, lookback_days: int | None, channels: set[str], sources: set[str]
) -> None:
    js = random_journeys(seed, n_journeys=25)
    lookback = None if lookback_days is None else lookback_days * _DAY
    model = _Any(
        lookback=lookback, exclude_channels=sorted(channels), exclude_sources=sorted(sources)
    )
    p = model.pairs(js)
    expected = _reference(js, lookback, tuple(channels), tuple(sources))
    assert p.length.tolist() == [len(e) for e in expected]
    assert p.touch.tolist() == [i for e in expected for i in e]
    assert p.conversion.tolist() == [c for c, e in enumerate(expected) for _ in e]
    assert p.position.tolist() == [k for e in expected for k in range(len(e))]
    assert p.offsets[-1] == p.size == len(p.touch)


def test_pairs_are_computed_once_per_journey_set_and_filter() -> None:
    js = random_journeys(1)
    a = _Any(exclude_channels=["seo"]).pairs(js)
    assert isinstance(a, EligiblePairs)
    assert _Any(exclude_channels=["seo"]).pairs(js) is a  # cached, for weights and attribute
    assert eligible_pairs(_Any(exclude_channels=["email"]), js) is not a
    assert _Any().pairs(js) is js.pairs()  # no filter: the journeys' own runs, no copy
