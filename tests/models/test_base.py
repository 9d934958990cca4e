"""The AttributionModel contract: declared frozen parameters, repr, registry, filters."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from importlib import metadata
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest

from touchcredit import JourneySet, models
from touchcredit.models import AttributionModel, base, is_fitted


@attrs.define(frozen=True, kw_only=True, repr=False)  # repr=False: the base's short repr
class _Uniform(AttributionModel):
    boost: float = attrs.field(default=1.0, converter=float)
    tags: list[str] = attrs.field(factory=list, eq=False, hash=False)

    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion].astype(np.float64)


@attrs.define(frozen=True, kw_only=True, repr=False)
class _Learner(_Uniform):
    learns_from_data = True

    def fit(self, journeys: JourneySet) -> _Learner:
        self._set_learned(total_=float(journeys.total_value))
        return self


@pytest.fixture(autouse=True)
def _registered() -> None:
    """_Uniform under "_test_uniform" (the suite's fixture unregisters it after the test)."""
    models.register(_Uniform, name="_test_uniform")


def _js() -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=[1, 1], timestamp=[0, 1], channel=["a", "b"],
        conversion_journey_id=[1], conversion_time=[1], conversion_value=[10.0], unit="s",
    )  # fmt: skip


def test_registration_by_subclassing() -> None:
    class Sub(_Uniform, name="_test_sub"):
        pass

    assert "_test_sub" in models.available() and Sub.name == "_test_sub"
    assert "_test_uniform" in models.available()
    assert _Uniform.name == "_test_uniform"
    m = models.get("_test_uniform", boost=2.0)
    assert isinstance(m, _Uniform)
    assert m.boost == 2.0


@pytest.mark.parametrize("order", ["register above attrs", "register below attrs"])
def test_the_registry_holds_the_class_attrs_built(order: str) -> None:
    """A slotted attrs class is rebuilt by attrs; either decorator order registers it."""

    def declare() -> type[AttributionModel]:
        if order == "register above attrs":

            @models.register(name="_test_slotted")
            @attrs.define(frozen=True, kw_only=True)
            class Slotted(_Uniform):
                pass

            return Slotted

        @attrs.define(frozen=True, kw_only=True)
        class Slotted2(_Uniform, name="_test_slotted"):
            pass

        return Slotted2

    cls = declare()
    assert type(models.get("_test_slotted")) is cls
    assert models.get("_test_slotted", boost=3).boost == 3.0


def test_params_repr_equality_hash_clone() -> None:
    m = _Uniform(boost=3.0)
    assert m.get_params() == {
        "lookback": None, "exclude_channels": (), "exclude_sources": (), "boost": 3.0, "tags": [],
    }  # fmt: skip
    assert repr(m) == "_Uniform(boost=3.0)"
    assert repr(_Uniform()) == "_Uniform()"
    assert m == _Uniform(boost=3.0)
    assert m != _Uniform(boost=1.0)
    assert hash(m) == hash(_Uniform(boost=3.0))
    assert {m, _Uniform(boost=3.0)} == {m}
    c = m.clone(lookback=dt.timedelta(days=2))
    assert c.lookback == dt.timedelta(days=2) and c.boost == 3.0
    with pytest.raises(TypeError, match="has no parameter\\(s\\) nope"):
        m.clone(nope=1)


def test_parameters_are_frozen() -> None:
    m = _Uniform(boost=3.0)
    in_a_set = {m}
    for name, value in [("boost", -7.0), ("lookback", dt.timedelta(days=-7)), ("tags", [])]:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(m, name, value)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del m.boost
    assert m.boost == 3.0 and m in in_a_set
    tc_model = models.get("position")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        tc_model.first = -3  # type: ignore[misc]
    assert tc_model.first == 0.4


def test_clone_deep_copies_mutable_parameters() -> None:
    m = _Uniform(tags=["x"])
    c = m.clone()
    c.tags.append("y")
    assert m.tags == ["x"] and c.tags == ["x", "y"]
    w = models.get("w_shaped")
    assert w.clone().milestones is not w.milestones
    assert w.clone().milestones == w.milestones


def test_learned_state_beside_frozen_parameters() -> None:
    m = _Learner(boost=2.0)
    assert not is_fitted(m)
    m.fit(_js())
    assert is_fitted(m) and m.total_ == 10.0
    assert m == _Learner(boost=2.0)  # the value is the parameters
    assert not is_fitted(m.clone())
    for other in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert other == m and other.total_ == 10.0
    with pytest.raises(ValueError, match="trailing underscore"):
        m._set_learned(boost=1.0)
    with pytest.raises(ValueError, match="trailing underscore"):
        m._set_learned(total=1.0)


def test_fitted_builtin_model_pickles_with_its_state() -> None:
    m = models.get("markov").fit(_js())
    again = pickle.loads(pickle.dumps(m))
    assert again.removal_effects_ == m.removal_effects_
    assert again.weights(_js()).tolist() == m.weights(_js()).tolist()


def test_unknown_model_lists_available() -> None:
    with pytest.raises(ValueError, match="unknown model 'nope'; available: .*_test_uniform"):
        models.get("nope")


def test_name_clash_is_rejected() -> None:
    with pytest.raises(ValueError, match="already registered"):

        class Other(AttributionModel, name="_test_uniform"):
            def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
                raise NotImplementedError


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="'lookback' must be >= 0"):
        _Uniform(lookback=dt.timedelta(days=-1))
    with pytest.raises(ValueError, match="'lookback': cannot read '7 dayz' as a duration"):
        _Uniform(lookback="7 dayz")
    with pytest.raises(TypeError, match="'lookback' must be a duration .* a bare number"):
        _Uniform(lookback=7)
    with pytest.raises(TypeError, match="'exclude_channels' must hold strings"):
        _Uniform(exclude_channels=[1])  # type: ignore[list-item]
    assert _Uniform(lookback="7d").lookback == dt.timedelta(days=7)


def test_parameter_fields_need_an_attrs_class() -> None:
    class Plain:
        pass

    with pytest.raises(TypeError, match="Plain is not an attrs class"):
        base.parameter_fields(Plain)  # type: ignore[arg-type]


class _Plain(AttributionModel):
    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        raise NotImplementedError


def test_exclude_filter_with_fallback() -> None:
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 1, 2, 2],
        timestamp=[0, 1, 2, 0, 1],
        channel=["seo", "direct", "direct", "direct", "direct"],
        source=["g", "x", "y", "x", "x"],
        conversion_journey_id=[1, 2],
        conversion_time=[5, 5],
        unit="s",
    )
    # journey 1 keeps only its seo touch; journey 2 has only direct touches: fallback keeps all
    p = _Plain(exclude_channels=["direct"]).pairs(js)
    assert p.touch.tolist() == [0, 3, 4] and p.length.tolist() == [1, 2]
    assert p.conversion.tolist() == [0, 1, 1] and p.position.tolist() == [0, 0, 1]
    by_source = _Plain(exclude_sources="y").pairs(js)
    assert by_source.touch.tolist() == [0, 1, 3, 4]
    assert _Plain().pairs(js) is js.pairs()  # no filter: the journeys' own cached runs
    unknown = _Plain(exclude_channels=["never seen"]).pairs(js)
    assert unknown is js.pairs()


def test_entry_point_models_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    class _EP:
        name = "_ep_model"

        def load(self) -> Any:
            class Plugin(AttributionModel):
                def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
                    raise NotImplementedError

            return Plugin

    def fake_entry_points(group: str) -> list[_EP]:
        assert group == "touchcredit.models"
        return [_EP()]

    monkeypatch.setattr(base, "_ENTRY_POINTS_LOADED", False)
    monkeypatch.setattr(metadata, "entry_points", fake_entry_points)
    assert "_ep_model" in models.available()
    assert type(models.get("_ep_model")).__name__ == "Plugin"


def test_old_class_names_warn_and_give_the_new_class() -> None:
    import touchcredit

    with pytest.warns(DeprecationWarning, match="TimeDecay is deprecated; use TimeDecayModel"):
        old = models.TimeDecay  # type: ignore[attr-defined]
    assert old is models.TimeDecayModel
    with pytest.warns(DeprecationWarning, match="PositionBased is deprecated; use UShapedModel"):
        assert models.PositionBased is models.UShapedModel  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="touchcredit.TimeDecay is deprecated"):
        assert touchcredit.TimeDecay is models.TimeDecayModel  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        models.Nope  # type: ignore[attr-defined]


def test_the_is_fitted_property_is_deprecated() -> None:
    m = _Learner()
    with pytest.warns(DeprecationWarning, match=r"model.is_fitted is deprecated; use"):
        assert m.is_fitted is False
