"""Exact money: largest-remainder allocation into integer minor units."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet
from touchcredit.attribution import money
from touchcredit.attribution.money import MinorUnits, allocate, minor_units, to_minor
from touchcredit.core.segments import segment_sum


def _offsets(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _reference(weights: np.ndarray, offsets: np.ndarray, amounts: np.ndarray) -> list[int]:
    """Slow, obvious largest-remainder split, one segment at a time."""
    totals = segment_sum(weights, offsets)
    out: list[int] = []
    for s in range(offsets.size - 1):
        w = weights[offsets[s] : offsets[s + 1]]
        if w.size == 0:
            continue
        # the segment total as the kernel adds it: at 1e13 units the last bit of a total
        # moves remainders by ~1e-3, which can flip near-ties between implementations
        total = totals[s]
        exact = w / total * float(amounts[s])
        floors = [math.floor(x) for x in exact]
        short = int(amounts[s]) - sum(floors)
        # largest remainder first (at 2**-32 resolution), ties by earlier position
        q = [
            math.floor(min(max(x - f, 0.0), 1.0) * (2**32 - 1))
            for x, f in zip(exact, floors, strict=True)
        ]
        order = sorted(range(w.size), key=lambda i: (-q[i], i))
        for i in order[:short]:
            floors[i] += 1
        out.extend(floors)
    return out


# ------------------------------------------------------------------ allocate
def test_allocate_thirds_of_a_dollar_give_the_extra_cent_to_the_first_touch() -> None:
    assert allocate(np.full(3, 1 / 3), np.array([0, 3]), np.array([100])).tolist() == [34, 33, 33]


def test_allocate_largest_remainder_wins_over_position() -> None:
    # exact shares 10 * (0.14, 0.43, 0.43) = 1.4, 4.3, 4.3 -> floors 1, 4, 4, one cent short;
    # the largest remainder (0.4, first touch) gets it.
    out = allocate(np.array([0.14, 0.43, 0.43]), np.array([0, 3]), np.array([10]))
    assert out.tolist() == [2, 4, 4]


def test_allocate_empty_segments_get_nothing_and_zero_amounts_split_to_zero() -> None:
    out = allocate(np.array([1.0, 0.0, 1.0]), np.array([0, 0, 2, 3]), np.array([500, 0, 7]))
    assert out.tolist() == [0, 0, 7]


def test_allocate_rejects_negative_and_nan_weights_naming_the_pair() -> None:
    with pytest.raises(ValueError, match=r"weights must be finite and >= 0; pair 1 has weight"):
        allocate(np.array([0.5, -0.1]), np.array([0, 2]), np.array([10]))
    with pytest.raises(ValueError, match=r"pair 0 has weight nan"):
        allocate(np.array([np.nan]), np.array([0, 1]), np.array([10]))


def test_allocate_rejects_all_zero_weights_for_a_positive_amount() -> None:
    with pytest.raises(ValueError, match=r"segment 1 has weights summing to 0; cannot split 5"):
        allocate(np.array([1.0, 0.0, 0.0]), np.array([0, 1, 3]), np.array([5, 5]))


def test_allocate_checks_shapes() -> None:
    with pytest.raises(ValueError, match=r"'amounts' has 1 entries, expected 2"):
        allocate(np.array([1.0]), np.array([0, 1, 1]), np.array([5]))
    with pytest.raises(ValueError, match=r"'weights' has 1 entries, expected 2"):
        allocate(np.array([1.0]), np.array([0, 2]), np.array([5]))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 7), min_size=0, max_size=25),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0, 1, 7, 100, 10**6, 10**13]),
)
def test_allocate_matches_reference_and_sums_exactly(
    lengths: list[int], seed: int, scale: int
) -> None:
    rng = np.random.default_rng(seed)
    off = _offsets(lengths)
    w = rng.random(int(off[-1]))
    w[rng.random(w.size) < 0.2] = 0.0  # zero weights are common (first/last touch)
    seg = np.repeat(np.arange(len(lengths)), lengths)
    w[off[:-1][np.array(lengths, dtype=int) > 0]] += 1e-3  # every segment has some weight
    amounts = rng.integers(0, scale + 1, size=len(lengths)).astype(np.int64)
    out = allocate(w, off, amounts)
    assert out.dtype == np.int64
    assert out.tolist() == _reference(w, off, amounts)
    sums = np.bincount(seg, weights=out, minlength=len(lengths)).astype(np.int64)
    nonempty = np.array(lengths, dtype=int) > 0
    assert (sums[nonempty] == amounts[nonempty]).all()
    exact = w / np.bincount(seg, weights=w, minlength=len(lengths))[seg] * amounts[seg]
    assert (np.abs(out - exact) < 1 + 1e-9 * np.maximum(exact, 1)).all()
    assert (out >= 0).all()


# ------------------------------------------------------------------ to_minor
def test_to_minor_recovers_exact_cents_of_floats_and_decimals() -> None:
    assert to_minor([10.01, 0.07, 1234567.89, 0.1 + 0.2]).tolist() == [1001, 7, 123456789, 30]
    assert to_minor([Decimal("10.01"), 3, 2.5]).tolist() == [1001, 300, 250]
    assert to_minor([Decimal("1234.5")], decimals=0 + 1).tolist() == [12345]
    assert to_minor(np.array([1500.0]), decimals=0).tolist() == [1500]


def test_to_minor_large_amounts_keep_every_cent() -> None:
    # 9,999,999,999.99 (ten billion) is exact as cents
    assert to_minor([9_999_999_999.99]).tolist() == [999_999_999_999]


def test_to_minor_rejects_amounts_that_are_not_whole_cents() -> None:
    with pytest.raises(
        ValueError,
        match=r"'conversion_value' must be a whole number of minor "
        r"units at decimals=2; row 3 is 0\.3333",
    ):
        to_minor([1.0, 2.0, 1 / 3])
    with pytest.raises(
        ValueError,
        match=r"'amount' must be a whole number of minor units at "
        r"decimals=2; row 1 is Decimal\('0\.001'\)",
    ):
        to_minor([Decimal("0.001")], field="amount")


def test_to_minor_rejects_negative_nan_and_too_large() -> None:
    with pytest.raises(ValueError, match=r"must be finite and >= 0; row 2 is -1\.0"):
        to_minor([1.0, -1.0])
    with pytest.raises(ValueError, match=r"must be finite and >= 0; row 1 is nan"):
        to_minor([float("nan")])
    with pytest.raises(ValueError, match=r"must be finite and >= 0; row 1 is Decimal\('-1'\)"):
        to_minor([Decimal("-1")])
    with pytest.raises(ValueError, match=r"above 2\*\*53; exact cents cannot be guaranteed"):
        to_minor([1e13] * 1000)
    with pytest.raises(ValueError, match=r"whole number of minor units.*row 1 is 100000000000000"):
        to_minor([1e14, 1e14])


@pytest.mark.parametrize("decimals", [-1, 10])
def test_to_minor_decimals_range(decimals: int) -> None:
    with pytest.raises(ValueError, match=r"'decimals' must be between 0 and 9"):
        to_minor([1.0], decimals)


def test_to_minor_decimals_type() -> None:
    with pytest.raises(TypeError, match=r"'decimals' must be an int, got float 2\.0"):
        to_minor([1.0], 2.0)  # type: ignore[arg-type]


# --------------------------------------------------------------- minor_units
def _set(values: list[object], currency: str | None = "USD") -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=["a", "a", "a", "b"],
        timestamp=[0, 1, 2, 0],
        channel=["seo", "email", "seo", None],
        conversion_journey_id=["a", "b", "c"][: len(values)],
        conversion_time=[5, 5, 5][: len(values)],
        conversion_value=values,
        currency=currency,
        unit="s",
    )


def test_decimal_conversion_value_allocates_exactly_1001_cents() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 1],
        timestamp=[0, 1, 2],
        channel=["a", "b", "c"],
        conversion_journey_id=[1],
        conversion_time=[3],
        conversion_value=[Decimal("10.01")],
        unit="s",
    )
    p = js.pairs()
    mu = minor_units(js, p, np.full(3, 1 / 3))
    assert mu.amounts.tolist() == [1001]
    assert mu.touch.tolist() == [334, 334, 333]
    assert int(mu.touch.sum()) == 1001 == mu.total
    assert mu.format(mu.total) == "10.01"


def test_minor_units_reconcile_with_unattributed_and_by_label() -> None:
    js = _set([Decimal("99.99"), Decimal("0.05"), Decimal("12.34")])
    p = js.pairs()
    w = np.array([0.2, 0.3, 0.5, 1.0])  # a's three touches, b's one touch; c has none
    mu = minor_units(js, p, w)
    assert isinstance(mu, MinorUnits)
    # exact 1999.8, 2999.7, 4999.5: floors leave 2 cents, the two largest remainders get them
    assert mu.touch.tolist() == [2000, 3000, 4999, 5]
    assert mu.unattributed == 1234
    assert mu.total == 9999 + 5 + 1234
    assert int(mu.touch.sum()) + mu.unattributed == mu.total
    assert mu.by("channel") == {"email": 3000, "seo": 6999, None: 5}
    assert sum(mu.by("channel").values()) == mu.attributed
    assert mu.by("source") == {None: mu.attributed}
    assert repr(mu) == (
        "MinorUnits(total=112.38 USD, attributed=100.04, unattributed=12.34, 4 touches)"
    )


def test_minor_units_pairs_sum_exactly_to_each_conversion() -> None:
    js = _set([Decimal("0.01"), Decimal("0.02")])
    p = js.pairs()
    mu = minor_units(js, p, np.array([1 / 3, 1 / 3, 1 / 3, 1.0]))
    assert mu.pair.tolist() == [1, 0, 0, 2]
    per_conv = np.bincount(p.conversion, weights=mu.pair, minlength=js.n_conversions)
    assert per_conv.astype(int).tolist() == mu.amounts.tolist()


def test_minor_units_zero_decimals_for_yen() -> None:
    js = _set([1000.0], currency="JPY")
    p = js.pairs()
    mu = minor_units(js, p, np.full(3, 1 / 3), decimals=0)
    assert mu.touch.tolist() == [334, 333, 333, 0]
    assert mu.format(mu.total) == "1000"


def test_minor_units_currency_mismatch_is_an_error() -> None:
    js = _set([10.0], currency="EUR")
    with pytest.raises(ValueError, match=r"the journeys are in EUR, not USD; convert the amounts"):
        minor_units(js, js.pairs(), np.full(3, 1 / 3), currency="USD")


def test_minor_units_currency_taken_from_caller_when_journeys_have_none() -> None:
    js = _set([10.0], currency=None)
    assert minor_units(js, js.pairs(), np.full(3, 1 / 3), currency="GBP").currency == "GBP"


def test_minor_units_with_exact_minor_amounts_in_input_row_order() -> None:
    # conversions given in row order c (no touches), a, b -> sorted by journey internally
    js = JourneySet.from_arrays(
        journey_id=["a", "b"],
        timestamp=[0, 0],
        channel=["x", "y"],
        conversion_journey_id=["c", "a", "b"],
        conversion_time=[1, 1, 1],
        conversion_value=[0.03, 10.01, 20.0],
        unit="s",
    )
    mu = minor_units(js, js.pairs(), np.ones(2), minor_amounts=[3, 1001, 2000])
    assert mu.touch.tolist() == [1001, 2000]
    assert mu.unattributed == 3
    with pytest.raises(
        ValueError,
        match=r"'minor_amounts' row 2 is 1000 but 'conversion_value' "
        r"is 10\.01 \(1001 minor units at decimals=2\)",
    ):
        minor_units(js, js.pairs(), np.ones(2), minor_amounts=[3, 1000, 2000])
    with pytest.raises(ValueError, match=r"'minor_amounts' has 2 entries, expected 3"):
        minor_units(js, js.pairs(), np.ones(2), minor_amounts=[3, 1001])
    with pytest.raises(TypeError, match=r"'minor_amounts' must hold integers, got dtype float64"):
        minor_units(js, js.pairs(), np.ones(2), minor_amounts=np.array([3.0, 1001.0, 2000.0]))


def test_minor_units_weights_shape_checked() -> None:
    js = _set([10.0])
    with pytest.raises(ValueError, match=r"'weights' has 2 entries, expected 3 \(one per pair\)"):
        minor_units(js, js.pairs(), np.ones(2))


def test_minor_units_on_an_empty_set() -> None:
    js = JourneySet.from_arrays(journey_id=[], timestamp=[], channel=[])
    mu = minor_units(js, js.pairs(), np.zeros(0))
    assert (mu.total, mu.unattributed, mu.touch.size) == (0, 0, 0)
    assert mu.by("channel") == {}


def test_module_exports() -> None:
    assert set(money.__all__) == {"MinorUnits", "allocate", "minor_units", "to_minor"}
