"""Hypothesis invariants of every registered model: accounting, sign, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.models import available, get
from touchcredit.testing import random_journeys

DAY = 86_400


@st.composite
def journey_sets(draw: st.DrawFn) -> tc.JourneySet:
    n = draw(st.integers(0, 25))
    jid = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    ts = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    ch = draw(st.lists(st.sampled_from(["seo", "direct", "email", None]), min_size=n, max_size=n))
    m = draw(st.integers(0, 6))
    cj = draw(st.lists(st.integers(0, 5), min_size=m, max_size=m))
    ct = draw(st.lists(st.integers(0, 25), min_size=m, max_size=m))
    val = draw(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=m, max_size=m))
    lead = draw(st.lists(st.one_of(st.none(), st.integers(0, 25)), min_size=m, max_size=m))
    return tc.JourneySet.from_arrays(
        journey_id=jid,
        timestamp=[t * DAY for t in ts],
        channel=ch,
        conversion_journey_id=cj if m else None,
        conversion_time=[t * DAY for t in ct] if m else None,
        conversion_value=val if m else None,
        lead_created_at=[None if x is None else x * DAY for x in lead] if m else None,
        unit="s",
    )


# names starting with "_" are private models that test modules register
PUBLIC = [n for n in available() if not n.startswith("_")]
NAMES = [n for n in PUBLIC if not get(n).learns_from_data]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(js=journey_sets())
def test_credit_plus_unattributed_is_total(name: str, js: tc.JourneySet) -> None:
    att = tc.attribute(js, name)
    total = js.total_value
    got = att.touch_credit.sum() + att.unattributed.value
    assert abs(got - total) <= 1e-9 * max(total, 1.0)
    assert (att.touch_credit >= 0).all()
    assert (att.weights >= 0).all()
    again = tc.attribute(js, name)
    assert np.array_equal(again.touch_credit, att.touch_credit)


@pytest.mark.parametrize("name", PUBLIC)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_tables_account_for_every_conversion(name: str, seed: int) -> None:
    js = random_journeys(seed, 15)
    table = tc.attribute(js, name).by("channel")
    assert table.value.sum() + table.unattributed_value == pytest.approx(js.total_value)
    assert table.conversions.sum() + table.unattributed_conversions == pytest.approx(
        js.n_conversions
    )
