"""Both measures agree (issue 14, item 12): the per-touch credit of a data-driven model
adds up to its channel credit in value AND in conversions.

Before, the per-touch weights were fitted to value only, so
``attribute(js, markov).by("channel").to_dict("conversions")`` differed from
``MarkovModel.credit(js, "conversions")`` (here by ~5%, up to 19% on other data).
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.models import MarkovModel, ShapleyModel
from touchcredit.testing import journeys_from_paths, random_paths


def _check(model: MarkovModel | ShapleyModel, js: tc.JourneySet) -> None:
    table = tc.attribute(js, model).by("channel")
    for what in ("conversions", "value"):
        want = model.credit(js, what)
        got = table.to_dict(what)
        total = sum(want.values())
        for label, v in want.items():
            assert got[label] == pytest.approx(v, abs=1e-9 * total), (what, label)


def test_markov_and_shapley_on_the_case_that_disagreed() -> None:
    js = random_paths(7, n_journeys=600, n_channels=5)
    for model in (MarkovModel(), MarkovModel(order=2), ShapleyModel()):
        model.fit(js)
        assert model.credit_gap_ < 1e-12 and model.conversion_gap_ < 1e-12
        _check(model, js)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), order=st.integers(1, 2))
def test_property_both_columns_equal_the_model_credit(seed: int, order: int) -> None:
    js = random_paths(seed, n_journeys=300, n_channels=4)
    for model in (MarkovModel(order=order), ShapleyModel()):
        model.fit(js)
        # not always attainable per conversion (credit_gap_), but attribute() rescales
        # each Markov channel's touches to its credit (issue 25)
        if isinstance(model, ShapleyModel):
            assume(model.credit_gap_ < 1e-12 and model.conversion_gap_ < 1e-12)
        _check(model, js)


def test_conversion_weights_are_weights() -> None:
    js = random_paths(3)
    m = MarkovModel().fit(js)
    w = m.conversion_weights(js)
    p = m.pairs(js)
    assert w.shape == (p.size,) and (w >= 0).all()
    assert abs(w.sum() - (p.length > 0).sum()) < 1e-9
    assert tc.models.get("linear").conversion_weights(js).tolist() == (
        tc.models.get("linear").weights(js).tolist()
    )


def test_shapley_rate_warns_about_the_gap() -> None:
    # rates are not sums over paths: the per-touch split cannot match them in general
    paths = [(["a"], 1)] * 1 + [(["a"], 0)] * 9 + [(["b"], 1)] * 5 + [(["a", "b"], 1)] * 1
    js = journeys_from_paths(paths)
    with pytest.warns(UserWarning, match=r"coalition_value='rate'.*credit_gap_ = "):
        m = ShapleyModel(coalition_value="rate").fit(js)
    assert m.credit_gap_ > 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ShapleyModel().fit(js)


# ---------------------------------------------------------------- value credit
def _value_case() -> tc.JourneySet:
    # a -> conv (worth 10), b -> conv (worth 30), a > b -> null
    return journeys_from_paths(
        [(["a"], 1), (["b"], 1), (["a", "b"], 0)], conversion_value=[10.0, 30.0]
    )


def test_value_credit_by_the_value_weighted_chain_by_hand() -> None:
    # conversion chain: x_b = 1/2, x_a = 3/4, P = 2/3; RE_a = 3/4, RE_b = 1/2 (shares .6/.4)
    # value chain: r_a = 10/2, r_b = 30/2; x_b = 15, x_a = 12.5, P = 40/3;
    # without a: 5 -> RE_a = 5/8; without b: 10/3 -> RE_b = 3/4; shares 5/11, 6/11
    js = _value_case()
    chain = MarkovModel().fit(js)
    assert chain.removal_effects_ == pytest.approx({"a": 0.75, "b": 0.5}, abs=1e-14)
    assert chain.value_removal_effects_ == pytest.approx({"a": 0.625, "b": 0.75}, abs=1e-14)
    assert chain.credit(js, "value") == pytest.approx({"a": 200 / 11, "b": 240 / 11})
    assert chain.credit(js, "conversions") == pytest.approx({"a": 1.2, "b": 0.8})
    share = MarkovModel(value_credit="share").fit(js)
    assert share.credit(js, "value") == pytest.approx({"a": 24.0, "b": 16.0})
    for model in (chain, share):
        if model.credit_gap_ < 1e-12 and model.conversion_gap_ < 1e-12:
            _check(model, js)
    with pytest.raises(ValueError, match="'value_credit' must be 'chain' or 'share'"):
        MarkovModel(value_credit="mean")  # type: ignore[arg-type]


def test_value_chain_survives_merged_counts() -> None:
    js = random_paths(11, n_journeys=300)
    m = MarkovModel()
    merged = m.count(js.select(list(range(150)))) + m.count(js.select(list(range(150, 300))))
    a = MarkovModel().fit_counts(merged).value_removal_effects_
    b = MarkovModel().fit(js).value_removal_effects_
    assert a == pytest.approx(b, rel=1e-12, abs=1e-14)
