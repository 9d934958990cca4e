"""attribute / compare / Attribution / CreditTable against hand-computed credit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit import JourneySet
from touchcredit.models import TimeDecayModel, get, is_fitted


def test_linear_credit_by_channel(js: JourneySet) -> None:
    att = tc.attribute(js, "linear")
    table = att.by("channel")
    assert table.to_dict() == pytest.approx(
        {"ads": 50.0, "direct": 100 / 3, "email": 100 / 3, "seo": 100 / 3, None: 0.0}
    )
    assert table.to_dict("conversions") == pytest.approx(
        {"ads": 1.0, "direct": 1 / 3, "email": 1 / 3, "seo": 1 / 3, None: 0.0}
    )
    assert att.unattributed == tc.attribution.Unattributed(value=30.0, conversions=1)
    assert att.total == 180.0
    assert att.attributed == pytest.approx(150.0)


def test_touch_credit_in_journeyset_order(js: JourneySet) -> None:
    att = tc.attribute(js, get("position"))
    assert att.touch_credit.tolist() == pytest.approx([40.0, 20.0, 40.0, 0.0, 50.0, 0.0])
    assert att.touch_conversions.tolist() == pytest.approx([0.4, 0.2, 0.4, 0, 1, 0])


def test_lookback_sends_old_conversions_to_unattributed(js: JourneySet) -> None:
    att = tc.attribute(js, get("last_touch", lookback=dt.timedelta(days=7)))
    assert att.by("channel").to_dict() == {
        "ads": 0.0,
        "direct": 100.0,
        "email": 0.0,
        "seo": 0.0,
        None: 0.0,
    }
    assert att.unattributed.value == 80.0
    assert att.unattributed.conversions == 2


def test_unrecorded_labels_are_none_and_last(js: JourneySet) -> None:
    table = tc.attribute(js, "last_touch").by("source")
    assert table.labels[-1] is None
    assert table.to_dict()[None] == 100.0
    assert table.value.sum() + table.unattributed_value == pytest.approx(js.total_value)


def test_results_are_immutable(js: JourneySet) -> None:
    att = tc.attribute(js, "linear")
    with pytest.raises(ValueError, match="read-only"):
        att.touch_credit[0] = 1.0
    with pytest.raises(AttributeError):
        att.model = get("first_touch")  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        att.by("channel").value[0] = 3.0


def test_model_and_params_travel_with_result(js: JourneySet) -> None:
    m = TimeDecayModel(half_life=dt.timedelta(days=2))
    att = tc.attribute(js, m)
    assert att.model == m
    assert att.by("channel").model.get_params()["half_life"] == dt.timedelta(days=2)
    assert "TimeDecayModel(half_life=datetime.timedelta(days=2))" in repr(att.by("channel"))


def test_data_driven_model_is_fitted_on_a_clone(js: JourneySet) -> None:
    m = get("markov")
    att = tc.attribute(js, m)
    assert is_fitted(att.model)
    assert not is_fitted(m)  # the model given is not mutated
    assert att.touch_credit.sum() + att.unattributed.value == pytest.approx(js.total_value)


def test_unknown_dimension_and_model(js: JourneySet) -> None:
    with pytest.raises(ValueError, match="dimension must be one of"):
        tc.attribute(js, "linear").by("country")
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        tc.attribute(js, "nope")


def test_bad_weights_are_reported() -> None:
    from touchcredit.models.base import AttributionModel

    class Half(AttributionModel):
        def weights(self, journeys):  # type: ignore[no-untyped-def]
            return np.full(self.pairs(journeys).size, 0.5)

    js = JourneySet.from_arrays(
        journey_id=[1],
        timestamp=[1],
        channel=["a"],
        conversion_journey_id=[1],
        conversion_time=[2],
        unit="s",
    )
    with pytest.raises(ValueError, match="sum to 1 per conversion; conversion row 1"):
        tc.attribute(js, Half())


def test_html_escapes_labels() -> None:
    evil = "<script>alert(1)</script>"
    js = JourneySet.from_arrays(
        journey_id=[1],
        timestamp=[1],
        channel=[evil],
        conversion_journey_id=[1],
        conversion_time=[2],
        unit="s",
    )
    for out in (
        tc.attribute(js, "linear").by("channel")._repr_html_(),
        tc.attribute(js, "linear")._repr_html_(),
        tc.compare(js, ["linear"])._repr_html_(),
    ):
        assert evil not in out
        assert "&lt;script&gt;" in out


def test_frames_export(js: JourneySet) -> None:
    pytest.importorskip("touchcredit.io.frames")
    pd = pytest.importorskip("pandas")
    df = tc.attribute(js, "linear").by("channel").to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["channel", "value", "conversions"]
    assert df["value"].sum() == pytest.approx(150.0)
    cdf = tc.compare(js, ["linear", "first_touch"]).to_pandas()
    assert list(cdf.columns) == ["channel", "linear", "first_touch"]


@st.composite
def _journeys(draw: st.DrawFn) -> JourneySet:
    """Random journeys: unrecorded channels and sources, several conversions per
    journey, touches after conversions, some lead milestones missing."""
    n_j = draw(st.integers(1, 10))
    jid, ts, ch, src, cj, ct, lead = [], [], [], [], [], [], []
    for j in range(n_j):
        for t in range(draw(st.integers(0, 6))):
            jid.append(j)
            ts.append(t)
            ch.append(draw(st.sampled_from(["a", "b", "direct", None])))
            src.append(draw(st.sampled_from(["x", "y", None])))
        for _ in range(draw(st.integers(0, 2))):
            cj.append(j)
            ct.append(draw(st.integers(0, 7)))
            lead.append(draw(st.one_of(st.none(), st.integers(0, 7))))
    if not jid:
        jid, ts, ch, src = [0], [0], ["a"], ["x"]
    values = draw(st.lists(st.floats(0.0, 100.0), min_size=len(cj), max_size=len(cj)))
    lead_t = np.array(
        [np.datetime64("NaT") if x is None else np.datetime64(x, "h") for x in lead],
        dtype="datetime64[h]",
    )
    return JourneySet.from_arrays(
        journey_id=jid,
        timestamp=np.asarray(ts, dtype="datetime64[h]"),
        channel=ch,
        source=src,
        conversion_journey_id=cj,
        conversion_time=np.asarray(ct, dtype="datetime64[h]"),
        conversion_value=values,
        lead_created_at=lead_t,
    )


@settings(max_examples=60, deadline=None)
@given(
    js=_journeys(),
    name=st.sampled_from(
        [
            "linear",
            "first_touch",
            "last_touch",
            "position",
            "w_shaped",
            "full_path",
            "last_non_direct",
            "time_decay",
        ]
    ),
    dimension=st.sampled_from(["channel", "source"]),
)
def test_credit_by_label_equals_the_per_touch_computation(
    js: JourneySet, name: str, dimension: str
) -> None:
    # the result path credits labels straight from the pairs; the straightforward way
    # spreads the credit over the touches first and then sums touches by label
    att = tc.attribute(js, name)
    p, w = att.pairs, att.weights
    per_touch = np.bincount(
        p.touch, weights=w * js.conversion_value[p.conversion], minlength=js.n_touches
    )
    per_touch_conv = np.bincount(p.touch, weights=w, minlength=js.n_touches)
    np.testing.assert_allclose(att.touch_credit, per_touch, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(att.touch_conversions, per_touch_conv, rtol=1e-12, atol=1e-12)
    dim = js.dimension(dimension)
    k = len(dim.categories)
    idx = np.where(dim.codes < 0, k, dim.codes)
    has_none = bool((dim.codes < 0).any())
    width = k + 1 if has_none else k
    table = att.by(dimension)
    assert table.labels == (*dim.categories, None)[:width]
    want_value = np.bincount(idx, weights=per_touch, minlength=k + 1)[:width]
    want_conv = np.bincount(idx, weights=per_touch_conv, minlength=k + 1)[:width]
    np.testing.assert_allclose(table.value, want_value, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(table.conversions, want_conv, rtol=1e-12, atol=1e-12)
    assert att.attributed == pytest.approx(float(per_touch.sum()), rel=1e-12, abs=1e-9)
    assert att.by(dimension) is table  # repeated calls cost nothing


def test_a_result_is_freed_without_the_cycle_collector(js: JourneySet) -> None:
    # a reference cycle would keep every result's arrays alive until a full collection
    import gc
    import weakref

    gc.disable()
    try:
        att = tc.attribute(js, "linear")
        table = att.by("channel")
        assert table.conversions.sum() > 0
        ref = weakref.ref(att)
        del att
        assert ref() is None
    finally:
        gc.enable()
