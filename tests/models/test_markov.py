"""Markov removal effects: closed forms worked out by hand, counts, per-touch credit."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import Dimension, JourneySet, models
from touchcredit.models import MarkovCounts, MarkovModel, NotFittedError, absorption, is_fitted
from touchcredit.testing import journeys_from_paths, random_paths

# Three channels, one cycle (a -> b -> a), two null paths. By hand:
# start: a 2/4, b 1/4, c 1/4; a: b 2/3, c 1/3; b: conv, a, null 1/3 each; c: conv, null 1/2.
# x_c = 1/2, x_b = 1/3 + x_a/3, x_a = 2/3 x_b + 1/6  =>  x_a = x_b = 1/2, P(conv) = 1/2.
# Without a: P = 1/4 * 1/3 + 1/4 * 1/2 = 5/24; without b: x_a = 1/6, P = 5/24;
# without c: x_b = 3/7, x_a = 2/7, P = 1/4.  RE = 7/12, 7/12, 1/2.
CYCLE = [(["a", "b"], 1), (["a", "b", "a", "c"], 1), (["c"], 0), (["b"], 0)]


def test_removal_effects_of_a_cycle_with_null_paths_match_the_hand_computation() -> None:
    m = MarkovModel().fit(journeys_from_paths(CYCLE))
    assert m.conversion_probability_ == pytest.approx(0.5, abs=1e-15)
    expected = {"a": F(7, 12), "b": F(7, 12), "c": F(1, 2)}
    for k, v in expected.items():
        assert m.removal_effects_[k] == pytest.approx(float(v), abs=1e-14)
    assert m.shares_ == pytest.approx({"a": 7 / 20, "b": 7 / 20, "c": 6 / 20}, abs=1e-14)
    js = journeys_from_paths(CYCLE)
    assert m.credit(js, "conversions") == pytest.approx({"a": 0.7, "b": 0.7, "c": 0.6})


def test_transition_matrix_is_labelled_and_row_stochastic() -> None:
    m = MarkovModel().fit(journeys_from_paths(CYCLE))
    assert m.states_ == ("(start)", "a", "b", "c", "(conversion)", "(null)")
    t = m.transition_matrix_
    s = {name: i for i, name in enumerate(m.states_)}
    assert t[s["(start)"], s["a"]] == 0.5
    assert t[s["a"], s["b"]] == pytest.approx(2 / 3)
    assert t[s["b"], s["(null)"]] == pytest.approx(1 / 3)
    assert t[s["c"], s["(conversion)"]] == 0.5
    np.testing.assert_allclose(t.sum(axis=1), 1.0)


def test_per_touch_weights_reproduce_the_channel_credit_on_the_cycle() -> None:
    # c's 0.6 can only come from the second conversion; a and b split the rest equally.
    js = journeys_from_paths(CYCLE)
    m = MarkovModel().fit(js)
    w = m.weights(js)
    np.testing.assert_allclose(w, [0.5, 0.5, 0.1, 0.2, 0.1, 0.6], atol=1e-12)
    assert m.credit_gap_ < 1e-12


# Order 2 on: "a b c" -> conv, "b c" -> null, "a c" -> conv.
# States: (a,b) -> (b,c); (b,c) -> conv 1/2 | null 1/2; (a,c) -> conv. Start: 1/3 each.
# P = 1/6 + 1/6 + 1/3 = 2/3; without a (drops (a,b), (a,c)): 1/6 -> RE 3/4;
# without b (drops (a,b), (b,c)): 1/3 -> RE 1/2; without c: 0 -> RE 1.
# Order 1 on the same paths: every path passes c; RE = 2/3, 2/3, 1.
ORDER2 = [(["a", "b", "c"], 1), (["b", "c"], 0), (["a", "c"], 1)]


def test_order_two_removes_every_state_that_contains_the_channel() -> None:
    js = journeys_from_paths(ORDER2)
    m2 = MarkovModel(order=2).fit(js)
    assert m2.states_ == ("(start)", "a > b", "a > c", "b > c", "(conversion)", "(null)")
    assert m2.conversion_probability_ == pytest.approx(2 / 3)
    assert m2.removal_effects_ == pytest.approx({"a": 0.75, "b": 0.5, "c": 1.0}, abs=1e-14)
    m1 = MarkovModel(order=1).fit(js)
    assert m1.removal_effects_ == pytest.approx({"a": 2 / 3, "b": 2 / 3, "c": 1.0}, abs=1e-14)


def test_paths_shorter_than_the_order_are_one_state() -> None:
    m = MarkovModel(order=3).fit(
        journeys_from_paths([(["a"], 1), (["a", "b"], 0), (["a", "b", "a", "b"], 1)])
    )
    assert m.states_[1:-2] == ("a", "a > b", "a > b > a", "b > a > b")


def test_collapse_merges_repeated_channels_and_can_be_switched_off() -> None:
    paths = [(["a", "a", "b"], 1), (["a"], 0)]
    on = MarkovModel().fit(journeys_from_paths(paths))
    t = on.transition_matrix_
    assert t[1, 1] == 0.0  # no a -> a
    assert t[1, 2] == 0.5  # a -> b, a -> null
    off = MarkovModel(collapse=False).fit(journeys_from_paths(paths))
    t = off.transition_matrix_
    assert t[1, 1] == pytest.approx(1 / 3)  # a -> a, a -> b, a -> null
    # P(conv) = (1/3) / (1 - 1/3) * 1 = 1/2 either way
    assert off.conversion_probability_ == pytest.approx(0.5)
    assert on.conversion_probability_ == pytest.approx(0.5)


def test_several_conversions_in_one_journey_each_end_a_path_and_tails_are_ignored() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 1, 2],
        timestamp=[0, 10, 30, 0],
        channel=["a", "b", "c", "b"],
        conversion_journey_id=[1, 1],
        conversion_time=[5, 20],
        unit="s",
    )
    c = MarkovModel().count(js)
    # paths: [a] -> conv, [a, b] -> conv, [b] -> null; the c after the last conversion is no path
    assert c.channels == ("a", "b")
    got = sorted(zip(c.source.tolist(), c.target.tolist(), c.count.tolist(), strict=True))
    assert got == [
        (-1, 0, 2.0),
        (-1, 1, 1.0),
        (0, -2, 1.0),
        (0, 1, 1.0),
        (1, -3, 1.0),
        (1, -2, 1.0),
    ]


def test_lookback_and_exclusions_shape_the_paths() -> None:
    day = 86_400
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 1, 2, 2],
        timestamp=[0, 20 * day, 21 * day, 0, 30 * day],
        channel=["a", "direct", "b", "a", "c"],
        conversion_journey_id=[1],
        conversion_time=[22 * day],
        unit="s",
    )
    m = MarkovModel(lookback=dt.timedelta(days=7), exclude_channels=["direct"])
    c = m.count(js)
    # converting path: [b] (a is too old, direct excluded); null path: [c] (a too old)
    assert c.channels == ("b", "c")
    assert sorted(zip(c.source.tolist(), c.target.tolist(), strict=True)) == [
        (-1, 0),
        (-1, 1),
        (0, -2),
        (1, -3),
    ]


def test_unrecorded_channel_is_a_state_labelled_none() -> None:
    js = journeys_from_paths([(["a", None], 1), ([None], 0)])
    m = MarkovModel().fit(js)
    assert m.channels_ == ("a", None)
    assert m.removal_effects_[None] == 1.0
    assert "(unrecorded)" in m.states_


def test_counts_from_partitions_with_different_category_tables_merge_exactly() -> None:
    js = random_paths(3)
    part_a = js.select(np.arange(0, 200))
    part_b = js.select(np.arange(200, js.n_journeys))
    # give part b another category table (reversed order, plus an unused label)
    cats = part_b.channel.categories
    new_cats = ("unused", *cats[::-1])
    remap = np.array([new_cats.index(c) for c in cats], dtype=np.int32)
    part_b = attrs.evolve(part_b, channel=Dimension(remap[part_b.channel.codes], new_cats))
    assert part_b.channel.categories != part_a.channel.categories
    for order_k in (1, 2):
        model = MarkovModel(order=order_k)
        whole = model.count(js)
        merged = sum([model.count(part_a), model.count(part_b)])
        assert isinstance(merged, MarkovCounts)
        assert merged.channels == whole.channels
        np.testing.assert_array_equal(merged.states, whole.states)
        np.testing.assert_array_equal(merged.source, whole.source)
        np.testing.assert_array_equal(merged.target, whole.target)
        np.testing.assert_array_equal(merged.count, whole.count)
        a = MarkovModel(order=order_k).fit(js)
        b = MarkovModel(order=order_k).fit_counts(merged)
        assert a.removal_effects_ == b.removal_effects_
        np.testing.assert_array_equal(a.transition_matrix_, b.transition_matrix_)


def test_fit_equals_fit_counts_of_count() -> None:
    js = random_paths(5)
    m = MarkovModel(order=2)
    a = MarkovModel(order=2).fit(js)
    b = MarkovModel(order=2).fit_counts(m.count(js))
    assert a.removal_effects_ == b.removal_effects_
    np.testing.assert_array_equal(a.weights(js), b.weights(js))


def test_counts_of_another_order_are_refused() -> None:
    c = MarkovModel(order=2).count(journeys_from_paths(ORDER2))
    with pytest.raises(ValueError, match="order=2"):
        MarkovModel().fit_counts(c)
    with pytest.raises(ValueError, match="cannot merge"):
        c + MarkovModel().count(journeys_from_paths(ORDER2))


def test_weights_conserve_and_give_every_channel_its_markov_credit() -> None:
    js = random_paths(11)
    m = MarkovModel().fit(js)
    w = m.weights(js)
    p = m.pairs(js)
    assert (w >= 0).all()
    per_conv = np.bincount(p.conversion, weights=w, minlength=js.n_conversions)
    np.testing.assert_allclose(per_conv[p.length > 0], 1.0, atol=1e-12)
    credit = np.bincount(
        js.channel.codes[p.touch],
        weights=w * js.conversion_value[p.conversion],
        minlength=len(js.channel.categories),
    )
    expected = m.credit(js)
    assert m.credit_gap_ < 1e-10
    for k, label in enumerate(js.channel.categories):
        assert credit[k] == pytest.approx(expected[label], rel=1e-9)


def test_unattainable_credit_still_conserves_value_and_reports_the_gap() -> None:
    # Most conversions in the chain go a -> b -> conv, but no observed conversion has
    # both: a's Markov credit (4/3 of 2) exceeds what the one a-only conversion holds.
    paths = [(["a", "b"], 0)] * 60 + [(["b"], 1), (["a"], 1)]
    js = journeys_from_paths(paths)
    m = MarkovModel().fit(js)
    assert m.credit_gap_ > 0.1
    w = m.weights(js)
    p = m.pairs(js)
    np.testing.assert_allclose(np.bincount(p.conversion, weights=w), 1.0)


def test_weights_on_a_partition_equal_the_weights_in_memory() -> None:
    js = random_paths(2)
    m = MarkovModel().fit(js)
    w_all = m.weights(js)
    p_all = m.pairs(js)
    idx = np.arange(100, 250)
    part = js.select(idx)
    w_part = m.weights(part)
    # pairs of the partition are the pairs of its conversions in the same order
    conv_lo, conv_hi = js.conversion_offsets[100], js.conversion_offsets[250]
    lo, hi = p_all.offsets[conv_lo], p_all.offsets[conv_hi]
    np.testing.assert_array_equal(w_part, w_all[lo:hi])


def test_channels_unseen_in_fit_get_nothing_unless_alone() -> None:
    m = MarkovModel().fit(journeys_from_paths(CYCLE))
    new = journeys_from_paths([(["zzz", "a"], 1), (["zzz"], 1)])
    w = m.weights(new)
    np.testing.assert_allclose(w, [0.0, 1.0, 1.0])


def test_sparse_solve_agrees_with_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("scipy")
    js = random_paths(4, n_channels=6)
    dense = MarkovModel(order=2).fit(js)
    monkeypatch.setattr(absorption, "DENSE_LIMIT", 0)
    monkeypatch.setattr(absorption, "ITERATION_COST", 0.0)  # iterate whenever it fits
    sparse = MarkovModel(order=2).fit(js)
    for k, v in dense.removal_effects_.items():
        assert sparse.removal_effects_[k] == pytest.approx(v, rel=1e-10, abs=1e-14)


def test_same_input_same_output() -> None:
    js = random_paths(9)
    a = MarkovModel(order=2).fit(js)
    b = MarkovModel(order=2).fit(js)
    assert a.removal_effects_ == b.removal_effects_
    np.testing.assert_array_equal(a.weights(js), b.weights(js))


def test_registered_and_validated() -> None:
    assert isinstance(models.get("markov", order=2), MarkovModel)
    assert repr(MarkovModel(order=2)) == "MarkovModel(order=2)"
    with pytest.raises(ValueError, match="'order' must be an integer >= 1"):
        MarkovModel(order=0)
    with pytest.raises(NotFittedError, match="call fit"):
        MarkovModel().weights(journeys_from_paths(CYCLE))


def test_no_conversions_gives_zero_effects() -> None:
    m = MarkovModel().fit(journeys_from_paths([(["a"], 0), (["b", "a"], 0)]))
    assert m.conversion_probability_ == 0.0
    assert m.removal_effects_ == {"a": 0.0, "b": 0.0}


@st.composite
def small_sets(draw: st.DrawFn) -> JourneySet:
    n = draw(st.integers(1, 12))
    paths = []
    for _ in range(n):
        path = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=5))
        paths.append((path, draw(st.integers(0, 2))))
    return journeys_from_paths(paths)


@settings(max_examples=30, deadline=None)
@given(js=small_sets(), order=st.integers(1, 3), collapse=st.booleans())
def test_property_effects_bounded_weights_conserve(
    js: JourneySet, order: int, collapse: bool
) -> None:
    m = MarkovModel(order=order, collapse=collapse).fit(js)
    re = np.array(list(m.removal_effects_.values()))
    assert ((re >= 0) & (re <= 1)).all()
    assert 0.0 <= m.conversion_probability_ <= 1.0 + 1e-12
    w = m.weights(js)
    p = m.pairs(js)
    assert (w >= 0).all() and np.isfinite(w).all()
    per_conv = np.bincount(p.conversion, weights=w, minlength=js.n_conversions)
    np.testing.assert_allclose(per_conv[p.length > 0], 1.0, atol=1e-9)
    # a channel on a converting path always has a positive removal effect
    conv_channels = set(js.channel.labels()[p.touch].tolist())
    assert all(m.removal_effects_[c] > 0 for c in conv_channels)


def test_iterative_solve_without_scipy_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    js = random_paths(8, n_channels=4)
    dense = MarkovModel(order=2, collapse=False).fit(js)
    monkeypatch.setattr(absorption, "DENSE_LIMIT", 0)
    monkeypatch.setattr(absorption, "ITERATION_COST", 0.0)  # iterate whenever it fits
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy now fails
    iterative = MarkovModel(order=2, collapse=False).fit(js)
    assert iterative.conversion_probability_ == pytest.approx(
        dense.conversion_probability_, rel=1e-12
    )
    for k, v in dense.removal_effects_.items():
        assert iterative.removal_effects_[k] == pytest.approx(v, rel=1e-10, abs=1e-14)


def test_counts_of_an_empty_journey_set_merge_as_a_neutral_element() -> None:
    t = np.empty(0, dtype="datetime64[us]")
    empty = JourneySet.from_arrays(
        journey_id=np.empty(0, dtype=np.int64),
        timestamp=t,
        channel=None,
        conversion_journey_id=np.empty(0, dtype=np.int64),
        conversion_time=t,
        unit="s",
    )
    js = journeys_from_paths(CYCLE)
    for order in (1, 2):
        model = MarkovModel(order=order)
        c = model.count(empty)
        assert c.channels == () and c.count.size == 0
        assert MarkovModel(order=order).fit_counts(c).removal_effects_ == {}
        merged = c + model.count(js) + c
        assert (
            MarkovModel(order=order).fit_counts(merged).removal_effects_
            == MarkovModel(order=order).fit(js).removal_effects_
        )
    assert MarkovModel().fit(empty).weights(empty).size == 0


def test_attribute_reports_the_markov_credit_by_channel_and_campaign() -> None:
    import touchcredit

    if not hasattr(touchcredit, "attribute"):
        pytest.skip("touchcredit.attribute is not available yet")
    js = random_paths(12)
    campaigns = np.array(["spring", "summer", "autumn"], dtype=object)[np.arange(js.n_touches) % 3]
    js = attrs.evolve(
        js, campaign=Dimension(np.arange(js.n_touches, dtype=np.int32) % 3, tuple(campaigns[:3]))
    )
    model = MarkovModel()
    att = touchcredit.attribute(js, model)
    fitted = att.model
    assert isinstance(fitted, MarkovModel) and is_fitted(fitted)
    by_channel = att.by("channel").to_dict()
    expected = fitted.credit(js)
    for label, v in expected.items():
        assert by_channel[label] == pytest.approx(v, rel=1e-9)
    by_campaign = att.by("campaign").to_dict()
    assert sum(by_campaign.values()) == pytest.approx(js.total_value, rel=1e-12)
