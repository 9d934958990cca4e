"""The probabilistic model (issue 25, item 1), and what it shares with the logistic model:
``check_model`` and the conservation / row-order property for both."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.models import LogisticModel, ProbabilisticModel
from touchcredit.testing import check_model, journeys_from_paths, random_paths


def three_path_types() -> tc.JourneySet:
    """'a': 2 conversions, 2 nulls; 'a > b': 3 and 1; 'b > c > b': 1 and 3."""
    rows = [(["a"], 1)] * 2 + [(["a"], 0)] * 2
    rows += [(["a", "b"], 1)] * 3 + [(["a", "b"], 0)]
    rows += [(["b", "c", "b"], 1)] + [(["b", "c", "b"], 0)] * 3
    return journeys_from_paths(rows)


def test_probabilistic_by_hand_on_three_path_types() -> None:
    js = three_path_types()
    m = ProbabilisticModel().fit(js)
    # p(a) = 5/8, p(b) = 4/8, p(c) = 1/4, p(a, b) = 3/4, p(b, c) = 1/4
    assert m.rates_ == pytest.approx({"a": 5 / 8, "b": 1 / 2, "c": 1 / 4})
    ab = m.pair_rates_[0, 1]
    assert ab == pytest.approx(3 / 4) and m.pair_rates_[1, 2] == pytest.approx(1 / 4)
    assert np.isnan(m.pair_rates_[0, 2])
    w = m.weights(js)
    p = m.pairs(js)
    by_conv = [
        w[a:b].round(12).tolist() for a, b in zip(p.offsets[:-1], p.offsets[1:], strict=True)
    ]
    # 'a': all to a; 'a > b': C_a = 5/8 + (3/4 - 5/8 - 1/2)/2 = 7/16, C_b = 5/16;
    # 'b > c > b': C_b = 1/2 + (1/4 - 1/2 - 1/4)/2 = 1/4, C_c = 1/4 - 1/4 = 0
    assert by_conv[:2] == [[1.0], [1.0]]
    assert by_conv[2:5] == [[round(7 / 12, 12), round(5 / 12, 12)]] * 3
    assert by_conv[5] == [0.5, 0.0, 0.5]
    table = tc.attribute(js, m).by("channel").to_dict()
    assert table == pytest.approx({"a": 2 + 3 * 7 / 12, "b": 3 * 5 / 12 + 1, "c": 0.0})


def test_probabilistic_on_other_journeys_and_unseen_pairs() -> None:
    m = ProbabilisticModel().fit(three_path_types())
    # 'a > c' was never seen together: the pair adds nothing; 'd' was never seen: rate 0
    other = journeys_from_paths([(["a", "c"], 1), (["d", "a"], 1), (["d"], 1)])
    w = m.weights(other)
    assert w[:2].tolist() == pytest.approx([5 / 7, 2 / 7])
    assert w[2:4].tolist() == pytest.approx([0.0, 1.0])
    assert w[4:].tolist() == [1.0]  # all scores 0: equal split


@pytest.mark.parametrize("model", [ProbabilisticModel(), LogisticModel(n_bags=3)], ids=repr)
def test_check_model_passes(model: tc.AttributionModel) -> None:
    check_model(model)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_channels=st.integers(1, 6))
def test_property_conservation_and_row_order(seed: int, n_channels: int) -> None:
    js = random_paths(seed, n_journeys=150, n_channels=n_channels)
    perm = np.random.default_rng(seed).permutation(js.n_touches)
    jid = np.repeat(np.arange(js.n_journeys), js.lengths)
    shuffled = tc.JourneySet.from_arrays(
        journey_id=jid[perm],
        timestamp=js.timestamp[perm],
        channel=js.channel.labels()[perm],
        conversion_journey_id=js.conversion_journey,
        conversion_time=js.conversion_time,
        conversion_value=js.conversion_value,
    )
    for model in (ProbabilisticModel(), LogisticModel(n_bags=3)):
        att = tc.attribute(js, model)
        assert att.attributed + att.unattributed.value == pytest.approx(att.total, rel=1e-12)
        assert (att.touch_credit >= 0).all()
        again = tc.attribute(shuffled, model)
        np.testing.assert_array_equal(again.touch_credit[js.touch_row.argsort()], att.touch_credit)


def reference_weights(m: ProbabilisticModel, js: tc.JourneySet) -> np.ndarray:
    """The probabilistic split computed conversion by conversion (slow, obvious)."""
    p = m.pairs(js)
    labels = js.channel.labels()
    idx = {c: k for k, c in enumerate(m.channels_)}
    out = []
    for a, b in zip(p.offsets[:-1], p.offsets[1:], strict=True):
        chans = [labels[t] for t in p.touch[a:b]]
        s = sorted(set(chans))
        c = {}
        for i in s:
            pi = m.rates_.get(i, 0.0)
            extra = 0.0
            for j in s:
                if j != i:
                    pij = m.pair_rates_[idx[i], idx[j]]
                    extra += 0.0 if np.isnan(pij) else pij - pi - m.rates_[j]
            c[i] = max(pi + (extra / (2 * (len(s) - 1)) if len(s) > 1 else 0.0), 0.0)
        total = sum(c.values())
        share = {i: (c[i] / total if total > 0 else 1 / len(s)) for i in s}
        out.extend(share[ch] / chans.count(ch) for ch in chans)
    return np.array(out)


@pytest.mark.parametrize("n_channels", [4, 70])  # one 64-bit mask per path, or hashed sets
def test_probabilistic_against_a_per_conversion_reference(n_channels: int) -> None:
    js = random_paths(9, n_journeys=400, n_channels=n_channels)
    m = ProbabilisticModel().fit(js)
    np.testing.assert_allclose(m.weights(js), reference_weights(m, js), rtol=1e-12, atol=1e-15)
