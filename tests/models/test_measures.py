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
        # the Markov credit is not always attainable per touch (docs: credit_gap_)
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
