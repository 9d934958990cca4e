"""Shapley values: hand computation, efficiency, methods agreeing, per-touch credit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet, models
from touchcredit.models import MarkovModel, NotFittedError, ShapleyCounts, ShapleyModel
from touchcredit.models.shapley import shapley_exact, shapley_simplified
from touchcredit.testing import journeys_from_paths, random_paths

# Channel sets of the paths: {a} 2 conversions + 2 nulls, {b} 1 + 3, {a, b} 3 + 1,
# {a, b, c} 6 + 0, {c} 0 + 4.
HAND = (
    [(["a"], 1)] * 2
    + [(["a", "a"], 0)] * 2
    + [(["b"], 1)]
    + [(["b"], 0)] * 3
    + [(["a", "b"], 1), (["b", "a"], 1), (["a", "b", "a"], 1), (["b", "a"], 0)]
    + [(["c", "a", "b"], 1)] * 6
    + [(["c"], 0)] * 4
)


def test_three_channels_match_the_classic_formula_by_hand() -> None:
    # v(S) = conversions of paths whose channels lie inside S:
    # v(a)=2, v(b)=1, v(c)=0, v(ab)=6, v(ac)=2, v(bc)=1, v(abc)=12.
    # phi_a = 1/3 (2 - 0) + 1/6 (6 - 1) + 1/6 (2 - 0) + 1/3 (12 - 1) = 33/6
    # phi_b = 1/3 (1 - 0) + 1/6 (6 - 2) + 1/6 (1 - 0) + 1/3 (12 - 2) = 27/6
    # phi_c = 1/3 (0 - 0) + 1/6 (2 - 2) + 1/6 (1 - 1) + 1/3 (12 - 6) = 12/6
    m = ShapleyModel().fit(journeys_from_paths(HAND))
    assert m.values_ == pytest.approx({"a": 5.5, "b": 4.5, "c": 2.0}, abs=1e-12)
    assert m.shares_ == pytest.approx({"a": 5.5 / 12, "b": 4.5 / 12, "c": 2 / 12})


def test_simplified_form_gives_the_same_numbers() -> None:
    # Zhao et al.: phi_a = 2 + 3/2 + 6/3, phi_b = 1 + 3/2 + 6/3, phi_c = 6/3
    m = ShapleyModel(method="simplified").fit(journeys_from_paths(HAND))
    assert m.values_ == pytest.approx({"a": 5.5, "b": 4.5, "c": 2.0}, abs=1e-12)


def test_conversion_rate_coalitions() -> None:
    # rates: {a} 2/4, {b} 1/4, {a,b} 3/4, {a,b,c} 6/6, {c} 0/4
    m = ShapleyModel(coalition_value="rate").fit(journeys_from_paths(HAND))
    assert m.values_ == pytest.approx(
        {"a": 0.5 + 0.375 + 1 / 3, "b": 0.25 + 0.375 + 1 / 3, "c": 1 / 3}, abs=1e-12
    )


def test_value_coalitions_use_the_conversion_values() -> None:
    js = journeys_from_paths([(["a"], 1), (["a", "b"], 1)], conversion_value=[10.0, 30.0])
    m = ShapleyModel(coalition_value="value").fit(js)
    assert m.values_ == pytest.approx({"a": 25.0, "b": 15.0})
    assert m.credit(js) == pytest.approx({"a": 25.0, "b": 15.0})


def test_sampled_estimate_is_seeded_and_close() -> None:
    js = journeys_from_paths(HAND)
    a = ShapleyModel(method="sampled", n_permutations=4000, seed=3).fit(js)
    b = ShapleyModel(method="sampled", n_permutations=4000, seed=3).fit(js)
    assert a.values_ == b.values_
    assert a.values_ == pytest.approx({"a": 5.5, "b": 4.5, "c": 2.0}, abs=0.15)
    assert sum(a.values_.values()) == pytest.approx(12.0)


def test_too_many_channels_for_exact_says_what_to_do() -> None:
    names = [f"ch{k:02d}" for k in range(22)]
    js = journeys_from_paths([([n], 1) for n in names] + [(names[:5], 1)])
    with pytest.raises(ValueError, match=r"2\^22 coalitions.*merge.*simplified.*sampled"):
        ShapleyModel().fit(js)
    m = ShapleyModel(method="simplified").fit(js)
    assert sum(m.values_.values()) == pytest.approx(23.0)
    assert m.values_["ch00"] == pytest.approx(1.2)


def test_weights_split_each_conversion_equally_over_its_distinct_channels() -> None:
    js = journeys_from_paths([(["a", "b", "a"], 1), (["c"], 1), (["b"], 0)])
    m = ShapleyModel().fit(js)
    np.testing.assert_allclose(m.weights(js), [0.25, 0.5, 0.25, 1.0])


def test_weights_conserve_and_add_up_to_the_credit() -> None:
    js = random_paths(21)
    for value in ("conversions", "value", "rate"):
        m = ShapleyModel(coalition_value=value).fit(js)  # type: ignore[arg-type]
        w = m.weights(js)
        p = m.pairs(js)
        assert (w >= 0).all()
        np.testing.assert_allclose(np.bincount(p.conversion, weights=w), 1.0, atol=1e-12)
        credit = np.bincount(
            js.channel.codes[p.touch], weights=w * js.conversion_value[p.conversion]
        )
        expected = m.credit(js)
        assert m.credit_gap_ < 1e-10
        for k, label in enumerate(js.channel.categories):
            assert credit[k] == pytest.approx(expected[label], rel=1e-9)


def test_counts_merge_across_partitions() -> None:
    js = random_paths(6)
    m = ShapleyModel()
    whole = m.count(js)
    merged = sum([m.count(js.select(np.arange(0, 150))), m.count(js.select(np.arange(150, 400)))])
    assert isinstance(merged, ShapleyCounts)
    assert merged.channels == whole.channels
    np.testing.assert_array_equal(merged.members, whole.members)
    np.testing.assert_array_equal(merged.conversions, whole.conversions)
    np.testing.assert_array_equal(merged.nulls, whole.nulls)
    np.testing.assert_allclose(merged.value, whole.value, rtol=1e-14)
    assert ShapleyModel().fit_counts(merged).values_ == ShapleyModel().fit(js).values_


def test_registered_validated_and_refuses_weights_before_fit() -> None:
    assert isinstance(models.get("shapley", method="simplified"), ShapleyModel)
    with pytest.raises(ValueError, match="'method' must be one of"):
        ShapleyModel(method="ordered")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'coalition_value' must be one of"):
        ShapleyModel(coalition_value="clicks")  # type: ignore[arg-type]
    with pytest.raises(NotFittedError):
        ShapleyModel().weights(journeys_from_paths(HAND))


@st.composite
def worth_tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 8))
    masks = draw(st.lists(st.integers(1, (1 << n) - 1), min_size=1, max_size=30, unique=True))
    members = np.array([[(m >> i) & 1 == 1 for i in range(n)] for m in masks])
    worth = np.array(draw(st.lists(st.integers(0, 50), min_size=len(masks), max_size=len(masks))))
    return members, worth.astype(np.float64)


@settings(max_examples=80, deadline=None)
@given(table=worth_tables())
def test_property_efficiency_and_exact_equals_simplified(
    table: tuple[np.ndarray, np.ndarray],
) -> None:
    members, worth = table
    sets = ShapleyCounts.from_members(tuple(map(str, range(members.shape[1]))), members, worth)
    exact = shapley_exact(sets, sets.conversions)
    assert exact.sum() == pytest.approx(worth.sum(), abs=1e-9)
    np.testing.assert_allclose(exact, shapley_simplified(sets, sets.conversions), atol=1e-9)
    assert (exact >= -1e-12).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_property_model_values_sum_to_the_conversions(seed: int) -> None:
    js: JourneySet = random_paths(seed, n_journeys=60)
    m = ShapleyModel().fit(js)
    attributable = int((m.pairs(js).length > 0).sum())
    assert sum(m.values_.values()) == pytest.approx(attributable)


def test_attribute_reports_the_shapley_values_by_channel() -> None:
    import touchcredit

    if not hasattr(touchcredit, "attribute"):
        pytest.skip("touchcredit.attribute is not available yet")
    js = journeys_from_paths(HAND)
    att = touchcredit.attribute(js, "shapley")
    assert att.by("channel").to_dict("conversions") == pytest.approx({"a": 5.5, "b": 4.5, "c": 2.0})


def test_weights_on_a_partition_equal_the_weights_in_memory() -> None:
    js = random_paths(13)
    m = ShapleyModel(coalition_value="rate").fit(js)
    w_all = m.weights(js)
    p_all = m.pairs(js)
    part = js.select(np.arange(50, 300))
    lo = p_all.offsets[js.conversion_offsets[50]]
    hi = p_all.offsets[js.conversion_offsets[300]]
    np.testing.assert_array_equal(m.weights(part), w_all[lo:hi])


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    lookback_s=st.sampled_from([None, 0, 1, 3]),
    exclude=st.sampled_from([(), ("c0",), ("c0", "c1", "c2", "c3", "c4")]),
)
def test_property_filters_keep_weights_conserving(
    seed: int, lookback_s: int | None, exclude: tuple[str, ...]
) -> None:
    import datetime as dt

    js = random_paths(seed, n_journeys=80)
    lookback = None if lookback_s is None else dt.timedelta(seconds=lookback_s)
    for model in (
        ShapleyModel(lookback=lookback, exclude_channels=exclude),
        MarkovModel(lookback=lookback, exclude_channels=exclude),
    ):
        w = model.fit(js).weights(js)
        p = model.pairs(js)
        assert (w >= 0).all()
        per_conv = np.bincount(p.conversion, weights=w, minlength=js.n_conversions)
        np.testing.assert_allclose(per_conv[p.length > 0], 1.0, atol=1e-9)
        excluded = np.isin(js.channel.labels()[p.touch], exclude)
        kept_any = np.bincount(p.conversion, weights=~excluded, minlength=js.n_conversions)
        # an excluded touch is a pair only where the conversion has nothing else (fallback)
        assert (kept_any[p.conversion][excluded] == 0).all()


def test_more_than_64_channels_group_and_merge_exactly() -> None:
    rng = np.random.default_rng(5)
    names = [f"ch{k:03d}" for k in range(90)]
    paths = [
        (list(rng.choice(names, size=int(rng.integers(1, 5)))), int(rng.integers(0, 2)))
        for _ in range(400)
    ]
    paths += [(["ch000", "ch089"], 1)] * 3  # one set spanning two 64-bit words, repeated
    js = journeys_from_paths(paths)
    m = ShapleyModel(method="simplified")
    whole = m.count(js)
    assert whole.members.shape[1] == len(set(js.channel.categories))
    merged = m.count(js.select(np.arange(0, 170))) + m.count(js.select(np.arange(170, 403)))
    np.testing.assert_array_equal(merged.members, whole.members)
    np.testing.assert_array_equal(merged.conversions, whole.conversions)
    np.testing.assert_array_equal(merged.nulls, whole.nulls)
    row = np.flatnonzero(
        whole.members[:, whole.channels.index("ch000")]
        & whole.members[:, whole.channels.index("ch089")]
        & (whole.members.sum(axis=1) == 2)
    )
    assert row.size == 1 and whole.conversions[row[0]] >= 3
    fitted = ShapleyModel(method="simplified").fit(js)
    assert sum(fitted.values_.values()) == pytest.approx(js.n_conversions)
    markov = MarkovModel().fit(js)
    w = markov.weights(js)
    p = markov.pairs(js)
    np.testing.assert_allclose(np.bincount(p.conversion, weights=w), 1.0, atol=1e-12)


# ---------------------------------------------------------------- issue 14, item 7
def _many_channels(n_channels: int, n_journeys: int, seed: int = 0) -> JourneySet:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 5, n_journeys)
    jid = np.repeat(np.arange(n_journeys), lengths)
    channel = np.array([f"c{k}" for k in rng.integers(0, n_channels, jid.size)], dtype=object)
    conv = np.flatnonzero(rng.random(n_journeys) < 0.4)
    return JourneySet.from_arrays(
        journey_id=jid, timestamp=np.arange(jid.size), channel=channel,
        conversion_journey_id=conv, conversion_time=np.full(conv.size, 10**7), unit="s",
    )  # fmt: skip


def test_exact_refuses_many_channels_before_counting(monkeypatch: pytest.MonkeyPatch) -> None:
    # before: 20k channels counted for 30 s and 6.5 GB, then "too many channels"
    def boom(*_: object) -> None:
        raise AssertionError("channel sets counted before the size check")

    monkeypatch.setattr(ShapleyCounts, "from_paths", classmethod(boom))
    js = _many_channels(500, 300)
    with pytest.raises(ValueError, match=r"exact Shapley values over \d{3} channels .*2\^\d{3}"):
        ShapleyModel().fit(js)


def test_simplified_is_sparse_for_any_number_of_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    # before: method="simplified" built a dense sets x channels matrix (raw MemoryError)
    js = _many_channels(20_000, 3_000)
    m = ShapleyModel(method="simplified")
    counts = m.count(js)
    assert len(counts.channels) > 5_000
    # memory is the memberships stored, not sets x channels
    assert counts.codes.size == sum(len(s) for s in counts.sets())
    assert counts.codes.size < 4 * counts.n_sets
    from touchcredit.models import _credit

    monkeypatch.setattr(_credit, "DENSE_MEMBERS_LIMIT", 1_000_000)
    with pytest.raises(ValueError, match="dense membership matrix of .* sets x .* channels"):
        _ = counts.members

    def dense(_: object) -> None:
        raise AssertionError("dense membership matrix built")

    monkeypatch.setattr(ShapleyCounts, "members", property(dense))
    fitted = m.fit(js)
    # Zhao et al.'s form by hand: every converting path's distinct channels share 1
    want: dict[str | None, float] = {}
    p = m.pairs(js)
    for t in range(js.n_conversions):
        touch = p.touch[p.offsets[t] : p.offsets[t + 1]]
        chans = {js.channel.categories[c] for c in js.channel.codes[touch].tolist()}
        for c in chans:
            want[c] = want.get(c, 0.0) + 1 / len(chans)
    got = {c: v for c, v in fitted.values_.items() if v > 0}
    assert got == pytest.approx(want, abs=1e-9)
    w = fitted.weights(js)
    assert np.add.reduceat(w, m.pairs(js).offsets[:-1]) == pytest.approx(1.0)


def test_sampled_sparse_matches_exact_on_few_channels() -> None:
    js = random_paths(3, n_journeys=200)
    exact = ShapleyModel().fit(js).values_
    sampled = ShapleyModel(method="sampled", n_permutations=4000, seed=1).fit(js).values_
    total = sum(exact.values())
    assert max(abs(sampled[c] - exact[c]) for c in exact) < 0.03 * total
