"""Resample terms: counts and credit of a journey resample from per-journey terms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet
from touchcredit.models import LinearModel, MarkovCounts, MarkovModel, ShapleyCounts, ShapleyModel
from touchcredit.models.resample import resample_terms, supports_resampling

IntArray = np.ndarray[Any, np.dtype[np.int64]]


@st.composite
def journey_sets(draw: st.DrawFn) -> JourneySet:
    """Journeys with repeated channels, unrecorded channels, sources, several
    conversions per journey and touches after the last conversion."""
    n_j = draw(st.integers(1, 12))
    jid: list[int] = []
    ts: list[int] = []
    ch: list[str | None] = []
    src: list[str | None] = []
    cj: list[int] = []
    ct: list[int] = []
    for j in range(n_j):
        k = draw(st.integers(0, 6))
        for t in range(k):
            jid.append(j)
            ts.append(t)
            ch.append(draw(st.sampled_from(["a", "b", "c", "d", None])))
            src.append(draw(st.sampled_from(["x", "y", None])))
        for _ in range(draw(st.integers(0, 2))):
            cj.append(j)
            ct.append(draw(st.integers(0, 7)))
    if not jid:
        jid, ts, ch, src = [0], [0], ["a"], ["x"]
    amount = st.one_of(st.just(0.0), st.floats(0.01, 100.0))
    values = draw(st.lists(amount, min_size=len(cj), max_size=len(cj)))
    return JourneySet.from_arrays(
        journey_id=jid,
        timestamp=np.asarray(ts, dtype="datetime64[h]"),
        channel=ch,
        source=src,
        conversion_journey_id=cj,
        conversion_time=np.asarray(ct, dtype="datetime64[h]"),
        conversion_value=values,
        unit="s",
    )


@st.composite
def models(draw: st.DrawFn) -> MarkovModel | ShapleyModel:
    kw: dict[str, Any] = {}
    if draw(st.booleans()):
        kw["lookback"] = dt.timedelta(hours=draw(st.integers(0, 4)))
    if draw(st.booleans()):
        kw["exclude_channels"] = [draw(st.sampled_from(["a", "b"]))]
    if draw(st.booleans()):
        return ShapleyModel(**kw)
    return MarkovModel(order=draw(st.integers(1, 3)), collapse=draw(st.booleans()), **kw)


def _label_credit(model: Any, js: JourneySet, labels: IntArray, width: int, vals: Any) -> Any:
    """Label credit the straightforward way: the model's per-pair weights times the
    conversion's amount, summed by the label of the pair's touch."""
    p = model.pairs(js)
    w = model.weights(js) * vals[p.conversion]
    return np.bincount(labels[p.touch], weights=w, minlength=width)


def _assert_same_sets(got: ShapleyCounts, want: ShapleyCounts) -> None:
    assert got.channels == want.channels
    np.testing.assert_array_equal(got.offsets, want.offsets)
    np.testing.assert_array_equal(got.codes, want.codes)
    np.testing.assert_array_equal(got.conversions, want.conversions)
    np.testing.assert_array_equal(got.nulls, want.nulls)
    np.testing.assert_allclose(got.value, want.value, rtol=1e-12, atol=1e-9)


def _assert_same_counts(got: Any, want: Any) -> None:
    if isinstance(want, MarkovCounts):
        assert isinstance(got, MarkovCounts)
        assert got.channels == want.channels
        np.testing.assert_array_equal(got.states, want.states)
        np.testing.assert_array_equal(got.source, want.source)
        np.testing.assert_array_equal(got.target, want.target)
        np.testing.assert_array_equal(got.count, want.count)
        _assert_same_sets(got.sets, want.sets)
    else:
        assert isinstance(got, ShapleyCounts)
        _assert_same_sets(got, want)


@settings(max_examples=60, deadline=None)
@given(js=journey_sets(), model=models(), data=st.data())
def test_counts_and_credit_equal_those_of_the_resampled_journeys(
    js: JourneySet, model: MarkovModel | ShapleyModel, data: st.DataObject
) -> None:
    by = data.draw(st.sampled_from(["channel", "source"]))
    n = js.n_journeys
    drawn = np.asarray(
        data.draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n)), dtype=np.int64
    )
    width = len(js.dimension(by).categories) + 1
    labels = js.dimension(by).codes.astype(np.int64) % width
    vals = js.conversion_value
    terms = resample_terms(model, js, labels, width, vals)
    multiplicity = np.bincount(drawn, minlength=n)
    sub = js.select(drawn)
    _assert_same_counts(terms.counts(multiplicity), model.count(sub))
    fitted = terms.fit(multiplicity)
    reference = model.clone().fit(sub)
    want = _label_credit(
        reference, sub, labels[sub_touches(js, drawn)], width, sub.conversion_value
    )
    # the per-touch scales are fitted iteratively; when the targets cannot be met the
    # fit stops where it stalls, which rounding can move a little
    gap = max(fitted.credit_gap_, reference.credit_gap_)
    atol = 1e-9 if gap <= 1e-12 else 1e-9 + 10 * gap * float(np.abs(want).sum())
    np.testing.assert_allclose(terms.credit(fitted, multiplicity), want, rtol=1e-9, atol=atol)


def sub_touches(js: JourneySet, drawn: IntArray) -> IntArray:
    """Index in ``js`` of every touch of ``js.select(drawn)``."""
    lengths = js.lengths[drawn]
    starts = np.repeat(js.offsets[drawn], lengths)
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return (starts + within).astype(np.int64)


def test_hand_computed_resample() -> None:
    # journey 0: a -> b, converts (value 10); journey 1: b, does not convert
    js = JourneySet.from_arrays(
        journey_id=[0, 0, 1],
        timestamp=[0, 1, 0],
        channel=["a", "b", "b"],
        conversion_journey_id=[0],
        conversion_time=[1],
        conversion_value=[10.0],
        unit="s",
    )
    terms = resample_terms(
        MarkovModel(), js, js.channel.codes.astype(np.int64), 2, js.conversion_value
    )
    c = terms.counts(np.array([2, 1]))
    assert isinstance(c, MarkovCounts)
    # (start)->a twice, a->b twice, b->(conv) twice, (start)->b once, b->(null) once
    got = sorted(zip(c.source.tolist(), c.target.tolist(), c.count.tolist(), strict=True))
    assert got == [(-1, 0, 2.0), (-1, 1, 1.0), (0, 1, 2.0), (1, -3, 1.0), (1, -2, 2.0)]
    rows = sorted(zip(c.sets.sets(), c.sets.conversions, c.sets.value, c.sets.nulls, strict=True))
    assert rows == [((0, 1), 2.0, 20.0, 0.0), ((1,), 0.0, 0.0, 1.0)]
    # P(conv) = 2/3; without a: 1/3 * 2/3 (RE 2/3); without b: 0 (RE 1): shares 0.4, 0.6
    got_credit = terms.credit(terms.fit(np.array([2, 1])), np.array([2, 1]))
    np.testing.assert_allclose(got_credit, [8.0, 12.0], rtol=1e-12)


def test_only_markov_and_shapley_are_supported() -> None:
    js = JourneySet.from_arrays(journey_id=[0], timestamp=[0], channel=["a"], unit="s")
    assert not supports_resampling(LinearModel())
    with pytest.raises(TypeError, match="MarkovModel and ShapleyModel"):
        resample_terms(LinearModel(), js, np.zeros(1, np.int64), 1, np.zeros(0))
