"""Models written the way a new user might, each breaking one rule of the contract.

Every broken model fails ``check_model`` (or ``register``, or class creation) with a
message naming the rule it broke; the model that only forgot a private flag passes.
"""

from __future__ import annotations

from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt
import pytest

import touchcredit as tc
from touchcredit import JourneySet
from touchcredit.models import (
    AttributionModel,
    NotFittedError,
    check_is_fitted,
    get,
    is_fitted,
    register,
)
from touchcredit.testing import ModelCheck, check_model, isolated_registry, model_checks

FloatArray = npt.NDArray[np.float64]


@attrs.define(frozen=True, kw_only=True)
class HalfLast(AttributionModel):
    """The model of docs/custom_models.rst: half to the last touch, half by position."""

    last: float = attrs.field(default=0.5, converter=float)

    def weights(self, journeys: JourneySet) -> FloatArray:
        p = self.pairs(journeys)
        rank = (p.position + 1).astype(float)
        total = np.bincount(p.conversion, rank, p.start.size)
        w = (1 - self.last) * rank / total[p.conversion]
        w[p.position == p.length[p.conversion] - 1] += self.last
        return w


def _equal_split(journeys: JourneySet, pairs: Any) -> FloatArray:
    return np.asarray(1.0 / pairs.length[pairs.conversion], dtype=np.float64)


def _three_touches() -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=[1, 1, 1],
        timestamp=[1, 2, 3],
        channel=["seo", "email", "ads"],
        conversion_journey_id=[1],
        conversion_time=[4],
        conversion_value=[60.0],
        unit="s",
    )


def test_the_docs_model_passes() -> None:
    check_model(HalfLast(), seeds=2)


# (a) ------------------------------------------------ a parameter changed in __init__
def _double(value: float) -> float:
    return 2 * value  # clone() now doubles it again


@attrs.define(frozen=True, kw_only=True)
class Doubling(HalfLast):
    last: float = attrs.field(default=0.25, converter=_double)


def test_a_constructor_that_changes_a_parameter_fails_clone_round_trip() -> None:
    with pytest.raises(
        AssertionError,
        match=r"Doubling\(.*\) breaks the rule 'parameters round-"
        r"trip through clone': last=0.5 came back as 1.0",
    ):
        check_model(Doubling())


# (b) ------------------------------------------ fitted, but no private flag anywhere
class Popular(AttributionModel):
    """Data-driven: pair weight proportional to how often the channel occurs in fit."""

    learns_from_data = True
    share_: Any
    channels_: Any

    def fit(self, journeys: JourneySet) -> Self:
        codes = journeys.channel.codes
        self._set_learned(
            share_=np.bincount(codes[codes >= 0], minlength=len(journeys.channel.categories)),
            channels_=journeys.channel.categories,
        )
        return self

    def weights(self, journeys: JourneySet) -> FloatArray:
        check_is_fitted(self)
        p = self.pairs(journeys)
        seen = dict(zip(self.channels_, self.share_.tolist(), strict=True))
        labels = journeys.channel.labels()[p.touch].tolist()
        raw = np.array([seen.get(x, 0) + 1.0 for x in labels], dtype=np.float64)
        total = np.bincount(p.conversion, raw, p.start.size)
        return raw / total[p.conversion]


def test_a_fitted_model_without_a_private_flag_is_fitted_and_passes() -> None:
    js = _three_touches()
    model = Popular()
    assert not is_fitted(model)
    with pytest.raises(NotFittedError, match="Popular is not fitted; call fit"):
        model.weights(js)
    assert model.fit(js) is model and is_fitted(model)
    assert not hasattr(model, "_fitted")
    att = tc.attribute(js, model)
    assert att.model is model  # used as fitted: not a refitted clone
    check_model(Popular(), seeds=2)


class Forgetful(Popular):
    def weights(self, journeys: JourneySet) -> FloatArray:
        p = self.pairs(journeys)
        raw = np.asarray(self.share_, dtype=np.float64)[journeys.channel.codes[p.touch]] + 1
        return raw / np.bincount(p.conversion, raw, p.start.size)[p.conversion]


def test_weights_before_fit_must_raise_not_fitted() -> None:
    with pytest.raises(
        AssertionError,
        match=r"breaks the rule 'not fitted before fit': "
        r"weights\(\) before fit raised AttributeError",
    ):
        check_model(Forgetful(), seeds=1)


class ReturnsNone(Popular):
    def fit(self, journeys: JourneySet) -> Any:
        super().fit(journeys)
        return None


def test_fit_must_return_self() -> None:
    with pytest.raises(AssertionError, match="breaks the rule 'fit returns self'"):
        check_model(ReturnsNone(), seeds=1)


# (c) ------------------------------------------------------ exclude_channels ignored
def test_the_docs_model_cannot_credit_an_excluded_channel() -> None:
    js = _three_touches()
    mine = tc.attribute(js, HalfLast(exclude_channels=["seo"])).by("channel").to_dict()
    builtin = tc.attribute(js, get("linear", exclude_channels=["seo"])).by("channel").to_dict()
    assert mine["seo"] == 0.0 and builtin["seo"] == 0.0
    # half to the last touch (ads), the other half 1:2 by position over email, ads
    assert mine == pytest.approx({"ads": 50.0, "email": 10.0, "seo": 0.0}, abs=1e-12)


class OwnPairs(AttributionModel):
    """Weighs journeys.pairs(lookback) itself, so it would credit excluded touches."""

    def weights(self, journeys: JourneySet) -> FloatArray:
        return _equal_split(journeys, journeys.pairs(self.lookback))


def test_a_model_weighing_its_own_pairs_fails_exclusions() -> None:
    with pytest.raises(
        AssertionError,
        match=r"breaks the rule 'exclude_channels is honoured'.*"
        r"weighs journeys.pairs\(lookback\), not self.pairs\(journeys\)",
    ):
        check_model(OwnPairs(), seeds=1)
    with pytest.raises(ValueError, match=r"weights returned shape \(3,\), expected \(2,\)"):
        tc.attribute(_three_touches(), OwnPairs(exclude_channels=["seo"]))


def _drop(value: object) -> tuple[str, ...]:
    return ()


@attrs.define(frozen=True, kw_only=True)
class Dropping(AttributionModel):
    """Accepts exclude_channels but drops it."""

    exclude_channels: tuple[str, ...] = attrs.field(default=(), converter=_drop)

    def weights(self, journeys: JourneySet) -> FloatArray:
        return _equal_split(journeys, self.pairs(journeys))


def test_a_constructor_that_drops_exclude_channels_fails() -> None:
    with pytest.raises(
        AssertionError,
        match=r"breaks the rule 'exclude_channels is honoured': "
        r"clone\(exclude_channels=\('.*',\)\) has exclude_channels=\(\)",
    ):
        check_model(Dropping(), seeds=1)


def test_overriding_pairs_is_refused_at_class_creation() -> None:
    with pytest.raises(
        TypeError,
        match=r"\.Everything overrides pairs\(\): the pairs a model "
        r"weighs \(lookback window and exclude filters\) are decided by",
    ):

        class Everything(AttributionModel):
            def pairs(self, journeys: JourneySet) -> Any:  # type: ignore[override]
                return journeys.pairs()

            def weights(self, journeys: JourneySet) -> FloatArray:
                return _equal_split(journeys, journeys.pairs())


# (d) -------------------------------------------------- a user class named Linear
class Linear(AttributionModel):
    def weights(self, journeys: JourneySet) -> FloatArray:
        return _equal_split(journeys, self.pairs(journeys))


def test_a_user_class_named_linear_cannot_take_the_builtin_name() -> None:
    builtin = type(get("linear"))
    mine = f"{__name__}.Linear"
    with pytest.raises(
        ValueError,
        match=(
            r"model name 'linear' is already registered by touchcredit\.models\.positional\."
            rf"LinearModel; cannot register {mine} under it \(pass replace=True"
        ),
    ):
        register(Linear, name="linear")
    assert type(get("linear")) is builtin
    with isolated_registry():
        register(Linear, name="linear", replace=True)
        assert type(get("linear")) is Linear
    assert type(get("linear")) is builtin


def test_registering_the_same_class_again_is_a_no_op() -> None:
    builtin = type(get("linear"))
    assert register(builtin, name="linear") is builtin
    assert type(get("linear")) is builtin


# ---------------------------------------------------------------- inputs mutated
class Scribbler(AttributionModel):
    """Rounds the conversion values of the journeys it is given, in place."""

    def weights(self, journeys: JourneySet) -> FloatArray:
        np.round(journeys.conversion_value, 0, out=journeys.conversion_value)
        return _equal_split(journeys, self.pairs(journeys))


def test_a_model_cannot_mutate_the_journeys() -> None:
    # the journeys' arrays are read-only: the write fails where it is made
    with pytest.raises(ValueError, match="read-only"):
        check_model(Scribbler(), seeds=1)


# ------------------------------------------------------------ parameters declared
class Mutable(AttributionModel):
    """Unfrozen: a subclass that sneaks a settable attribute in through __setattr__."""

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def weights(self, journeys: JourneySet) -> FloatArray:
        return _equal_split(journeys, self.pairs(journeys))


def test_a_model_with_settable_parameters_fails() -> None:
    with pytest.raises(
        AssertionError,
        match=r"breaks the rule 'parameters are declared and frozen': setting 'lookback' "
        r"after construction was accepted",
    ):
        check_model(Mutable(), seeds=1)


def test_a_hand_written_init_is_refused_with_the_way_out() -> None:
    with pytest.raises(TypeError, match=r"Handmade defines __init__: declare its parameters"):

        class Handmade(AttributionModel):
            def __init__(self, last: float = 0.5) -> None:
                super().__init__()

            def weights(self, journeys: JourneySet) -> FloatArray:
                raise NotImplementedError


@attrs.define(frozen=True, kw_only=True)
class Appending(AttributionModel):
    """Mutates its list parameter in weights(): a shared list would leak between clones."""

    seen: list[int] = attrs.field(factory=list, hash=False)

    def weights(self, journeys: JourneySet) -> FloatArray:
        self.seen.append(journeys.n_touches)
        return _equal_split(journeys, self.pairs(journeys))


def test_a_model_mutating_a_parameter_in_weights_fails() -> None:
    with pytest.raises(
        AssertionError,
        match=r"breaks the rule 'inputs are not mutated': parameters changed: seen=\[\] became",
    ):
        check_model(Appending(), seeds=1)


@pytest.mark.parametrize("check", model_checks(HalfLast(), seeds=1), ids=lambda c: c.name)
def test_each_rule_runs_on_its_own(check: ModelCheck) -> None:
    check()
