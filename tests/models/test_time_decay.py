"""Time decay against hand-computed weights."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from touchcredit import JourneySet
from touchcredit.models import TimeDecayModel, get

DAY = 86_400


def js_days(days: list[float], conv: float, channels: list[str] | None = None) -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=[1] * len(days),
        timestamp=[d * DAY for d in days],
        channel=channels or [f"c{i}" for i in range(len(days))],
        conversion_journey_id=[1],
        conversion_time=[conv * DAY],
        unit="s",
    )


def ref(days: list[float], conv: float, half: float) -> list[float]:
    raw = [2 ** (-(conv - d) / half) for d in days]
    return [r / sum(raw) for r in raw]


@pytest.mark.parametrize("days", [[3.0], [1.0, 8.0], [0.0, 7.0, 14.0], [0, 1, 2, 3, 5, 8, 13]])
def test_matches_formula(days: list[float]) -> None:
    got = TimeDecayModel().weights(js_days(days, 14.0)).tolist()
    assert got == pytest.approx(ref(days, 14.0, 7.0), rel=1e-12)


def test_half_life_parameter_and_repr() -> None:
    m = get("time_decay", half_life=dt.timedelta(days=1))
    assert repr(m) == "TimeDecayModel(half_life=datetime.timedelta(days=1))"
    assert m.weights(js_days([0, 1], 1)).tolist() == pytest.approx([1 / 3, 2 / 3])


def test_ties_get_equal_weight() -> None:
    assert TimeDecayModel().weights(js_days([2, 2, 9], 9)).tolist() == pytest.approx(
        ref([2, 2, 9], 9, 7)
    )


def test_century_old_touches_do_not_underflow() -> None:
    m = TimeDecayModel(half_life=dt.timedelta(hours=1))
    w = m.weights(js_days([0.0, 0.5], 36500.0))
    assert np.isfinite(w).all()
    assert w.sum() == pytest.approx(1.0)
    assert w[1] == pytest.approx(2**12 / (1 + 2**12))  # 12 h later: 2^12 times the weight


def test_touches_after_conversion_and_outside_lookback() -> None:
    js = js_days([1, 5, 9, 20], 10)
    assert TimeDecayModel().weights(js).tolist() == pytest.approx(ref([1, 5, 9], 10, 7))
    lb = TimeDecayModel(lookback=dt.timedelta(days=6)).weights(js)
    assert lb.tolist() == pytest.approx(ref([5, 9], 10, 7))


def test_exclude_channel_renormalises_over_kept_touches() -> None:
    js = js_days([1, 5, 9], 10, ["seo", "email", "direct"])
    model = TimeDecayModel(exclude_channels=["direct"])
    assert model.pairs(js).touch.tolist() == [0, 1]  # the direct touch is not a pair
    assert model.weights(js).tolist() == pytest.approx(ref([1, 5], 10, 7))


def test_half_life_must_be_positive() -> None:
    with pytest.raises(ValueError, match="'half_life' must be > 0"):
        TimeDecayModel(half_life=dt.timedelta(0))


# issue 14, item 14: TimeDecayModel(half_life=14) meant 14 seconds
@pytest.mark.parametrize("bare", [14, 14.0, np.int64(14)])
def test_bare_number_half_life_is_refused(bare: object) -> None:
    with pytest.raises(TypeError, match=r"'half_life' must be a duration .*'14d'.*has no unit"):
        TimeDecayModel(half_life=bare)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "days"), [("14d", 14.0), ("36h", 1.5), ("1d 12h", 1.5), ("2 weeks", 14.0)]
)
def test_half_life_as_text(text: str, days: float) -> None:
    js = js_days([0, 10, 20], 20)
    got = TimeDecayModel(half_life=text).weights(js)
    want = TimeDecayModel(half_life=dt.timedelta(days=days)).weights(js)
    assert got.tolist() == want.tolist()
    np.testing.assert_allclose(got, ref([0, 10, 20], 20, days))
    # text is read once, at construction: the model keeps a timedelta
    assert TimeDecayModel(half_life=text) == TimeDecayModel(half_life=dt.timedelta(days=days))


def test_half_life_text_that_is_not_a_duration() -> None:
    with pytest.raises(ValueError, match="'half_life': cannot read 'fortnight' as a duration"):
        TimeDecayModel(half_life="fortnight")
    with pytest.raises(ValueError, match="'half_life' must be > 0"):
        TimeDecayModel(half_life="0h")
