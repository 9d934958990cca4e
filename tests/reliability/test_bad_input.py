"""The bad-input matrix: every messy input either works as documented or fails with an
error that names the field, the row (or id) and what was expected.

Where the library keeps going (conversions without touches, touches after the
conversion, labels that do not occur) the test asserts what it reports instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

import touchcredit
from touchcredit import Deal, Journey, JourneySet, Lead, Touchpoint
from touchcredit.attribution.money import allocate, minor_units
from touchcredit.models import is_fitted

DAY = 86_400


def build(**kw: Any) -> JourneySet:
    """Two journeys (a: 2 touches, b: 1) with one conversion each unless overridden."""
    base: dict[str, Any] = {
        "journey_id": ["a", "a", "b"],
        "timestamp": [0, DAY, 2 * DAY],
        "channel": ["seo", "email", "paid"],
        "conversion_journey_id": ["a", "b"],
        "conversion_time": [5 * DAY, 5 * DAY],
    }
    base.update(kw)
    return JourneySet.from_arrays(**base, unit="s")


def _journeys() -> list[Journey]:
    return [
        Journey("p1", [Touchpoint("2024-01-01", channel="seo")]),
        Journey("p2", [Touchpoint("2024-01-03", channel="ads")]),
    ]


def _leads() -> list[Lead]:
    return [Lead("L1", "2024-01-05", journey_id="p1"), Lead("L2", "2024-01-05", journey_id="p2")]


# --------------------------------------------------------- values: NaN, inf, < 0
@pytest.mark.parametrize(
    ("value", "shown"),
    [(float("nan"), "nan"), (float("inf"), "inf"), (-3, r"-3\.0"), (-0.01, r"-0\.01")],
)
def test_conversion_value_must_be_finite_and_non_negative(value: float, shown: str) -> None:
    with pytest.raises(
        ValueError, match=rf"^'conversion_value' must be finite and >= 0; row 2 is {shown}$"
    ):
        build(conversion_value=[1.0, value])


def test_conversion_value_nan_in_numpy_array_names_the_row() -> None:
    with pytest.raises(
        ValueError, match=r"'conversion_value' must be finite and >= 0; row 1 is nan"
    ):
        build(conversion_value=np.array([np.nan, 1.0]))


def test_deal_amount_nan_names_the_deal() -> None:
    with pytest.raises(ValueError, match=r"^'amount' must be finite, got nan \(deal 'D9'\)$"):
        Deal("D9", "L1", float("nan"), "2024-01-06")


def test_deal_amount_negative_names_the_deal() -> None:
    with pytest.raises(ValueError, match=r"^'amount' must be >= 0, got -5\.0 \(deal 'D-17'\)$"):
        Deal("D-17", "L1", -5.0, "2024-01-06")


def test_touch_cost_negative_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"^'cost' must be >= 0, got -1\.0$"):
        Touchpoint("2024-01-01", channel="seo", cost=-1.0)


# ----------------------------------------------------------- timestamps
def test_nat_timestamp_names_the_row() -> None:
    ts = np.array(["2024-01-01", "NaT", "2024-01-02"], dtype="datetime64[us]")
    with pytest.raises(
        ValueError, match=r"^'timestamp' must be a timestamp in every row; row 2 is missing"
    ):
        build(timestamp=ts)


def test_none_timestamp_names_the_row() -> None:
    with pytest.raises(ValueError, match=r"'timestamp' must be a timestamp in every row; row 3 is"):
        build(timestamp=["2024-01-01", "2024-01-02", None])


def test_nan_epoch_timestamp_names_the_row() -> None:
    with pytest.raises(
        ValueError, match=r"^'timestamp' must be a timestamp in every row; row 2 is missing"
    ):
        build(timestamp=[0.0, float("nan"), 2.0])


def test_unparseable_timestamp_names_row_field_and_value() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'timestamp' could not be read: row 2: 'yesterday-ish' is not a recognised",
    ):
        build(timestamp=["2024-01-01", "yesterday-ish", "2024-01-02"])


def test_unparseable_conversion_time_names_its_field() -> None:
    with pytest.raises(
        ValueError, match=r"'conversion_time' could not be read: row 1: '31/31/2024'"
    ):
        build(conversion_time=["31/31/2024", "2024-01-01"])


def test_missing_conversion_time_names_the_row() -> None:
    with pytest.raises(
        ValueError, match=r"'conversion_time' must be a timestamp in every row; row 2 is missing"
    ):
        build(conversion_time=["2024-01-01", None])


def test_missing_milestones_are_allowed_and_stored_as_nat() -> None:
    js = build(lead_created_at=[None, "2024-01-01"])
    assert np.isnat(js.lead_created_at).tolist() == [True, False]


def test_mixed_naive_and_aware_datetimes_are_an_error_naming_both_rows() -> None:
    stamps = [
        dt.datetime(2024, 1, 1),
        dt.datetime(2024, 1, 2),
        dt.datetime(2024, 1, 3, tzinfo=dt.UTC),
    ]
    with pytest.raises(
        ValueError,
        match=r"^'timestamp' mixes timezone-aware and naive datetimes \(row 3 is aware, row 1 "
        r"is naive\); make them all aware, or all naive and pass default_tz$",
    ):
        build(timestamp=stamps)


def test_naive_and_aware_strings_follow_the_one_rule() -> None:
    # Strings are each read by the rule (offset -> UTC, naive -> default_tz), no error.
    js = build(timestamp=["2024-01-01T00:00:00+02:00", "2024-01-01T00:00:00", "2024-01-02"])
    assert js.timestamp[:2].astype(str).tolist() == [
        "2023-12-31T22:00:00.000000",
        "2024-01-01T00:00:00.000000",
    ]


def test_touchpoint_without_timestamp() -> None:
    with pytest.raises(TypeError, match=r"^'timestamp' must be a datetime, .* got NoneType None$"):
        Touchpoint(None)


# ------------------------------------------ conversions without touches: kept
def test_conversion_without_touches_is_kept_and_unattributed() -> None:
    js = build(
        conversion_journey_id=["a", "nobody"],
        conversion_value=[10.0, 32.5],
    )
    assert js.n_conversions == 2
    assert js.total_value == 42.5
    p = js.pairs()
    assert p.length.tolist() == [2, 0]
    mu = minor_units(js, p, np.array([0.5, 0.5]))
    assert mu.unattributed == 3250
    assert int(mu.touch.sum()) + mu.unattributed == 4250


def test_conversion_before_every_touch_is_unattributed_not_dropped() -> None:
    js = build(conversion_time=[-DAY, 5 * DAY], conversion_value=[7.0, 1.0])
    assert js.pairs().length.tolist() == [0, 1]
    assert js.total_value == 8.0


def test_lead_with_unknown_journey_is_kept_as_a_conversion_without_touches() -> None:
    js = JourneySet.from_objects(_journeys(), [Lead("L3", "2024-01-05", journey_id="nobody")])
    assert js.n_conversions == 1
    assert js.pairs().length.tolist() == [0]


# ------------------------------------ touches after the conversion: ignored, kept
def test_touches_after_conversion_are_not_eligible_but_stay_in_the_set() -> None:
    js = JourneySet.from_arrays(
        journey_id=["a"] * 4,
        timestamp=[0, DAY, 3 * DAY, 4 * DAY],
        channel=["seo", "email", "paid", "seo"],
        conversion_journey_id=["a", "a"],
        conversion_time=[2 * DAY, 10 * DAY],
        unit="s",
    )
    assert js.n_touches == 4
    p = js.pairs()
    assert p.length.tolist() == [2, 4]
    assert p.touch.tolist() == [0, 1, 0, 1, 2, 3]


def test_touch_at_the_conversion_instant_is_eligible() -> None:
    js = build(conversion_time=[DAY, 5 * DAY])
    assert js.pairs().length.tolist() == [2, 1]


# ---------------------------------------------------------- 10^5 touches
@pytest.mark.slow
def test_journey_with_100k_touches() -> None:
    n = 100_000
    rng = np.random.default_rng(0)
    js = JourneySet.from_arrays(
        journey_id=np.zeros(n, dtype=np.int64),
        timestamp=rng.integers(0, 10**8, n),
        channel=np.array(["seo", "email", "paid", "direct"])[rng.integers(0, 4, n)],
        conversion_journey_id=[0],
        conversion_time=[10**8],
        conversion_value=[Decimal("1234567.89")],
        unit="s",
    )
    p = js.pairs()
    assert p.length.tolist() == [n]
    assert np.all(np.diff(js.timestamp_us) >= 0)
    mu = minor_units(js, p, np.full(n, 1.0 / n))
    assert int(mu.touch.sum()) == 123_456_789
    assert set(np.unique(mu.touch).tolist()) <= {1234, 1235}


def test_allocate_over_100k_pairs_is_exact() -> None:
    n = 100_000
    w = np.random.default_rng(1).random(n)
    out = allocate(w, np.array([0, n]), np.array([10**9 + 7]))
    assert int(out.sum()) == 10**9 + 7


# ----------------------------------------------------------- duplicate ids
def test_duplicate_journey_ids_are_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"^duplicate journey id 'p1' \(item 2\); ids must be distinct$"
    ):
        JourneySet.from_objects([*_journeys(), Journey("p1")], _leads())


def test_duplicate_lead_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"^duplicate lead id 'L1' \(item 2\)"):
        JourneySet.from_objects(_journeys(), [*_leads(), Lead("L1", "2024-01-01")])


def test_duplicate_deal_ids_are_rejected() -> None:
    deals = [
        Deal("D1", "L1", 5, "2024-01-06", "2024-01-07", won=True),
        Deal("D1", "L2", 5, "2024-01-06"),
    ]
    with pytest.raises(ValueError, match=r"^duplicate deal id 'D1' \(item 1\)"):
        JourneySet.from_objects(_journeys(), _leads(), deals, target="revenue")


# ------------------------------------------------------------- unknown labels
def test_exclude_filter_naming_a_channel_that_does_not_occur_is_a_no_op() -> None:
    from touchcredit.models.base import AttributionModel

    class Uniform(AttributionModel):
        def weights(self, journeys: JourneySet) -> np.ndarray:
            p = self.pairs(journeys)
            return np.asarray(1.0 / p.length[p.conversion], dtype=np.float64)

    js = build()
    model = Uniform(exclude_channels=["no such channel"])
    assert model.pairs(js) is js.pairs()  # every touch stays a pair
    assert js.channel.code("no such channel") == -1


def _markov_or_skip() -> Any:
    if "markov" not in touchcredit.models.available():
        pytest.skip("markov model not available yet")
    return touchcredit.models.get("markov")


def test_markov_weights_on_a_channel_unseen_in_fit_still_sum_to_one() -> None:
    model = _markov_or_skip().fit(build())
    new = JourneySet.from_arrays(
        journey_id=["x", "x", "y"],
        timestamp=[0, 10, 0],
        channel=["never seen", "email", "never seen"],
        conversion_journey_id=["x", "y"],
        conversion_time=[20, 20],
        unit="s",
    )
    w = np.asarray(model.weights(new))
    # the unseen channel earns nothing next to a known one, everything when alone
    assert w.tolist() == [0.0, 1.0, 1.0]


def test_markov_before_fit_names_the_fix() -> None:
    model = _markov_or_skip()
    with pytest.raises(RuntimeError, match=r"^MarkovModel is not fitted; call fit\(journeys\)"):
        model.weights(build())


def test_exact_shapley_over_too_many_channels_says_what_to_do() -> None:
    if "shapley" not in touchcredit.models.available():
        pytest.skip("shapley model not available yet")
    n = 25
    js = JourneySet.from_arrays(
        journey_id=list(range(n)),
        timestamp=[0] * n,
        channel=[f"c{i}" for i in range(n)],
        conversion_journey_id=list(range(n)),
        conversion_time=[1] * n,
        unit="s",
    )
    with pytest.raises(
        ValueError,
        match=r"^exact Shapley values over 25 channels would enumerate 2\^25 coalitions "
        r"\(max_channels=20\); .*method='simplified'",
    ):
        touchcredit.models.get("shapley").fit(js)


def test_unknown_model_name_lists_the_available_ones() -> None:
    with pytest.raises(ValueError, match=r"^unknown model 'no_such_model'; available: "):
        touchcredit.models.get("no_such_model")


def test_unknown_dimension_name_is_an_error_listing_the_choices() -> None:
    with pytest.raises(
        ValueError,
        match=r"^dimension must be one of source, channel, campaign, method, contact, role; "
        r"got 'medium'",
    ):
        build().dimension("medium")


# ----------------------------------------------------------------- empty inputs
def test_empty_journey_set() -> None:
    js = JourneySet.from_arrays(journey_id=[], timestamp=[], channel=[])
    assert (js.n_journeys, js.n_touches, js.n_conversions, js.total_value) == (0, 0, 0, 0.0)
    assert js.pairs().size == 0
    mu = minor_units(js, js.pairs(), np.zeros(0))
    assert (mu.total, mu.unattributed) == (0, 0)


def test_conversions_but_no_touches_at_all() -> None:
    js = JourneySet.from_arrays(
        journey_id=[],
        timestamp=[],
        channel=[],
        conversion_journey_id=["x", "y"],
        conversion_time=[0, 0],
        conversion_value=[1.5, 2.5],
        unit="s",
    )
    assert js.pairs().length.tolist() == [0, 0]
    assert minor_units(js, js.pairs(), np.zeros(0)).unattributed == 400


def test_touches_but_zero_conversions() -> None:
    js = build(conversion_journey_id=[], conversion_time=[])
    assert js.n_conversions == 0 and js.total_value == 0.0
    assert js.pairs().size == 0


def test_empty_object_inputs() -> None:
    js = JourneySet.from_objects([], [], [], target="revenue")
    assert (js.n_journeys, js.n_conversions, js.currency) == (0, 0, None)


def _library_models() -> list[str]:
    names = [
        n
        for n in touchcredit.models.available()
        if type(touchcredit.models.get(n)).__module__.startswith("touchcredit.models.")
    ]
    if not names:
        pytest.skip("no attribution model is registered yet")
    return names


_EMPTY_CASES = {
    "nothing": {"journey_id": [], "timestamp": [], "channel": []},
    "no conversions": {"journey_id": ["a", "a"], "timestamp": [0, 1], "channel": ["x", "y"]},
    "no touches": {
        "journey_id": [],
        "timestamp": [],
        "channel": [],
        "conversion_journey_id": ["a", "b"],
        "conversion_time": [0, 0],
        "conversion_value": [2.0, 3.0],
    },
    "touches only after the conversions": {
        "journey_id": ["a", "a"],
        "timestamp": [10, 11],
        "channel": ["x", "y"],
        "conversion_journey_id": ["a"],
        "conversion_time": [5],
        "conversion_value": [4.0],
    },
}


@pytest.mark.parametrize("case", list(_EMPTY_CASES))
def test_every_model_on_empty_inputs_gives_zeros_and_reports_unattributed(case: str) -> None:
    js = JourneySet.from_arrays(**_EMPTY_CASES[case], unit="s")
    for name in _library_models():
        model = touchcredit.models.get(name)
        attribute = getattr(touchcredit, "attribute", None)
        if attribute is not None:
            att = attribute(js, model)
            credit, unattributed = np.asarray(att.touch_credit), att.unattributed.value
        else:
            if not is_fitted(model):
                model.fit(js)
            w = np.asarray(model.weights(js))
            assert w.size == 0, name
            credit = np.zeros(js.n_touches)
            unattributed = float(js.conversion_value.sum())
        assert credit.shape == (js.n_touches,), name
        assert (credit == 0).all(), name
        assert unattributed == js.total_value, name


# ------------------------------------------------------------------ wrong dtypes
def test_value_of_wrong_type_names_the_row() -> None:
    with pytest.raises(
        TypeError, match=r"^'conversion_value' must hold numbers; row 2 is str 'x'$"
    ):
        build(conversion_value=["1.0", "x"])


def test_boolean_values_are_rejected() -> None:
    with pytest.raises(
        TypeError, match=r"^'conversion_value' must hold numbers; row 1 is bool True$"
    ):
        build(conversion_value=[True, False])
    with pytest.raises(TypeError, match=r"^'conversion_value' must hold numbers, got booleans$"):
        build(conversion_value=np.array([True, False]))


def test_boolean_timestamps_are_rejected() -> None:
    with pytest.raises(TypeError, match=r"^'timestamp' must hold timestamps, got booleans$"):
        build(timestamp=np.array([True, False, True]))
    with pytest.raises(TypeError, match=r"^'timestamp' could not be read: row 2: True is a bool; "):
        build(timestamp=[0, True, 2])


def test_timestamp_of_unsupported_type_names_the_row() -> None:
    with pytest.raises(
        TypeError, match=r"^'timestamp' could not be read: row 3: \{\} is a dict; expected a "
    ):
        build(timestamp=[0, 1, {}])


def test_non_string_label_names_the_row() -> None:
    with pytest.raises(
        TypeError,
        match=r"^'channel' must hold strings \(or None for 'not recorded'\); row 2 is int 3$",
    ):
        build(channel=["seo", 3, "paid"])
    with pytest.raises(TypeError, match=r"^'channel' must hold strings .*, got dtype int64$"):
        build(channel=np.array([1, 2, 3]))


def test_empty_label_names_the_row() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'channel' must not be empty; use None for 'not recorded'; row 2 is '  '$",
    ):
        build(channel=["seo", "  ", "paid"])


def test_nan_label_means_not_recorded() -> None:
    js = build(channel=["seo", float("nan"), "paid"])
    assert js.channel.labels().tolist() == ["seo", None, "paid"]


@pytest.mark.parametrize(
    ("kw", "exc", "message"),
    [
        ({"channel": ["seo", "paid"]}, ValueError, r"^'channel' has 2 rows, expected 3$"),
        ({"timestamp": [0, 1]}, ValueError, r"^'timestamp' has 2 rows, expected 3$"),
        (
            {"conversion_value": [1.0]},
            ValueError,
            r"^'conversion_value' has 1 rows, expected 2$",
        ),
        (
            {"timestamp": np.array([[0, 1, 2]])},
            ValueError,
            r"^'timestamp' must be one-dimensional, got shape \(1, 3\)$",
        ),
        (
            {"journey_id": "aab"},
            TypeError,
            r"^'journey_id' must be an array or sequence, got a single string$",
        ),
        (
            {"journey_id": 5},
            TypeError,
            r"^'journey_id' must be an array or sequence, got int$",
        ),
        (
            {"conversion_journey_id": None},
            ValueError,
            r"^conversion columns were given without 'conversion_journey_id'$",
        ),
        (
            {"conversion_time": None},
            ValueError,
            r"^'conversion_time' is required with 'conversion_journey_id'$",
        ),
    ],
)
def test_shapes_and_missing_columns(kw: dict[str, Any], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=message):
        build(**kw)


# ------------------------------------------------------------------- id types
def test_ids_of_mixed_types_name_both_rows() -> None:
    with pytest.raises(
        TypeError,
        match=r"^'journey_id' mixes value types: row 1 is int 1, row 2 is str '1'; convert the "
        r"column to one type$",
    ):
        build(journey_id=[1, "1", 2], conversion_journey_id=[1, 2])


def test_conversion_ids_of_mixed_types_name_their_own_field() -> None:
    with pytest.raises(
        TypeError,
        match=r"^'conversion_journey_id' mixes value types: row 1 is str 'a', row 2 is int 1",
    ):
        build(conversion_journey_id=["a", 1])


def test_touch_and_conversion_ids_of_different_types() -> None:
    with pytest.raises(
        TypeError,
        match=r"^'conversion_journey_id' and 'journey_id' hold ids of different types: "
        r"'journey_id' row 1 is str 'a', 'conversion_journey_id' row 1 is int 1; use one id "
        r"type for both$",
    ):
        build(conversion_journey_id=[1, 2])


@pytest.mark.parametrize(
    ("ids", "shown"), [(["a", None, "b"], "None"), ([1.0, float("nan"), 2.0], "nan")]
)
def test_missing_ids_name_the_row(ids: list[Any], shown: str) -> None:
    with pytest.raises(ValueError, match=rf"^'journey_id' must not be missing; row 2 is {shown}$"):
        build(journey_id=ids, conversion_journey_id=ids[:1] * 2)


def test_missing_conversion_id_names_its_field() -> None:
    with pytest.raises(
        ValueError, match=r"^'conversion_journey_id' must not be missing; row 2 is None$"
    ):
        build(conversion_journey_id=["a", None])


def test_int_and_float_ids_share_one_id_space() -> None:
    js = build(journey_id=[1, 1, 2.0], conversion_journey_id=[1.0, 2])
    assert js.n_journeys == 2
    assert js.pairs().length.tolist() == [2, 1]


# ---------------------------------------------------- deals, leads, milestones
def test_deal_whose_lead_is_missing() -> None:
    deals = [Deal("D1", "L9", 5, "2024-01-06", "2024-01-07", won=True)]
    with pytest.raises(
        ValueError,
        match=r"^deal 'D1' refers to lead 'L9', which is not among the leads given$",
    ):
        JourneySet.from_objects(_journeys(), _leads(), deals, target="revenue")


def test_lost_deal_whose_lead_is_missing_is_also_an_error() -> None:
    deals = [Deal("D2", "L9", 5, "2024-01-06", "2024-01-07", won=False)]
    with pytest.raises(ValueError, match=r"^deal 'D2' refers to lead 'L9'"):
        JourneySet.from_objects(_journeys(), _leads(), deals, target="revenue")


def test_won_deal_created_before_its_lead_names_deal_and_lead() -> None:
    deals = [
        Deal("D0", "L2", 5, "2024-01-06", "2024-01-07", won=True),
        Deal("D1", "L1", 5, "2024-01-02", "2024-01-07", won=True),
    ]
    with pytest.raises(
        ValueError,
        match=r"^deal 'D1': 'created_at' \(2024-01-02 00:00:00\+00:00\) must not precede the "
        r"'created_at' of its lead 'L1' \(2024-01-05 00:00:00\+00:00\)$",
    ):
        JourneySet.from_objects(_journeys(), _leads(), deals, target="revenue")


def test_lead_opportunity_before_creation_names_the_lead() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'opportunity_at' \(2024-01-01 00:00:00\+00:00\) must not precede 'created_at' "
        r"\(2024-01-05 00:00:00\+00:00\) \(lead 'L1'\)$",
    ):
        Lead("L1", "2024-01-05", opportunity_at="2024-01-01")


def test_opportunity_before_lead_creation_in_arrays_names_the_conversion_row() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'opportunity_created_at' must not precede 'lead_created_at'; conversion row 2 "
        r"has opportunity_created_at=1970-01-01T00:00:03\.000000 before "
        r"lead_created_at=1970-01-01T00:00:06\.000000$",
    ):
        build(lead_created_at=[1, 6], opportunity_created_at=[2, 3])


def test_deal_closed_before_created() -> None:
    with pytest.raises(
        ValueError, match=r"^'closed_at' .* must not precede 'created_at' .*\(deal 'D3'\)$"
    ):
        Deal("D3", "L1", 5, "2024-02-01", "2024-01-01")


def test_won_deal_without_close_date() -> None:
    with pytest.raises(ValueError, match=r"^a won deal needs 'closed_at' \(deal 'D4'\)$"):
        Deal("D4", "L1", 5, "2024-02-01", won=True)


def test_won_deals_in_two_currencies_are_not_added() -> None:
    deals = [
        Deal("D0", "L2", 5, "2024-01-06", "2024-01-07", won=True),
        Deal("D1", "L1", 5, "2024-01-06", "2024-01-07", won=True, currency="EUR"),
    ]
    with pytest.raises(
        ValueError,
        match=r"^won deals are in more than one currency \(USD and EUR, deal 'D1'\); convert "
        r"the amounts to one currency first$",
    ):
        JourneySet.from_objects(_journeys(), _leads(), deals, target="revenue")


def test_invalid_currency_code() -> None:
    with pytest.raises(
        ValueError, match=r"^'currency' must be a 3-letter ISO 4217 code, got 'usd\$'"
    ):
        Deal("D5", "L1", 5, "2024-01-01", currency="usd$")


def test_public_api_is_importable() -> None:
    assert touchcredit.JourneySet is JourneySet


@pytest.mark.parametrize("currency", ["usd$", "EURO", "", "<b>"])
def test_journey_set_currency_must_be_an_iso_code(currency: str) -> None:
    with pytest.raises(ValueError, match=r"^'currency' must be a 3-letter ISO 4217 code, got "):
        build(currency=currency)


# ------------------------------------------------------------ lead tables
def _leadset() -> Any:
    return pytest.importorskip("touchcredit.kpi.leads").LeadSet


def test_lead_table_deal_whose_lead_is_missing() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'deal_lead_id' row 1 refers to lead 'L3', which is not among the leads$",
    ):
        _leadset().from_arrays(
            lead_id=["L1", "L2"],
            created_at=["2024-01-05", "2024-01-05"],
            deal_lead_id=["L3"],
            deal_amount=[5.0],
            deal_created_at=["2024-01-06"],
        )


def test_lead_table_opportunity_before_lead_creation_names_row_and_lead() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'opportunity_at' must not precede 'created_at'; row 2 \(lead 'L2'\) has "
        r"opportunity_at=2024-01-01T00:00:00\.000000 before created_at=2024-01-05",
    ):
        _leadset().from_arrays(
            lead_id=["L1", "L2"],
            created_at=["2024-01-05", "2024-01-05"],
            opportunity_at=[None, "2024-01-01"],
        )


def test_lead_table_deal_created_before_its_lead() -> None:
    with pytest.raises(
        ValueError,
        match=r"^'deal_created_at' must not precede its lead's 'created_at'; deal row 1 "
        r"\(lead 'L1'\)$",
    ):
        _leadset().from_arrays(
            lead_id=["L1"],
            created_at=["2024-01-05"],
            deal_lead_id=["L1"],
            deal_amount=[5.0],
            deal_created_at=["2024-01-01"],
        )


def test_lead_table_nan_amount_and_duplicate_ids() -> None:
    with pytest.raises(ValueError, match=r"^'deal_amount' must be finite and >= 0; row 1 is nan$"):
        _leadset().from_arrays(
            lead_id=["L1"],
            created_at=["2024-01-05"],
            deal_lead_id=["L1"],
            deal_amount=[float("nan")],
            deal_created_at=["2024-01-06"],
        )
    with pytest.raises(
        ValueError, match=r"^duplicate lead id 'L1' \(rows 1 and 2\); lead ids must be distinct$"
    ):
        _leadset().from_arrays(lead_id=["L1", "L1"], created_at=["2024-01-05", "2024-01-06"])


def test_empty_lead_table() -> None:
    leads = _leadset().from_arrays(lead_id=[], created_at=[])
    assert repr(leads).startswith("LeadSet(0 leads, 0 deals")
