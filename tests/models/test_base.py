"""The AttributionModel contract: parameters, repr, registry, exclude filter."""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from touchcredit import JourneySet, models
from touchcredit.models import AttributionModel, base


class _Uniform(AttributionModel):
    def __init__(self, *, boost: float = 1.0, lookback: dt.timedelta | None = None) -> None:
        super().__init__(lookback=lookback)
        self.boost = boost

    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion].astype(np.float64)


@pytest.fixture(autouse=True)
def _registered() -> None:
    """_Uniform under "_test_uniform" (the suite's fixture unregisters it after the test)."""
    models.register(_Uniform, name="_test_uniform")


def test_registration_by_subclassing() -> None:
    class Sub(_Uniform, name="_test_sub"):
        pass

    assert "_test_sub" in models.available() and Sub.name == "_test_sub"
    assert "_test_uniform" in models.available()
    assert _Uniform.name == "_test_uniform"
    m = models.get("_test_uniform", boost=2.0)
    assert isinstance(m, _Uniform)
    assert m.boost == 2.0


def test_params_repr_equality_clone() -> None:
    m = _Uniform(boost=3.0)
    # only the subclass's own constructor arguments are its parameters (sklearn rule)
    assert m.get_params() == {"boost": 3.0, "lookback": None}
    assert repr(m) == "_Uniform(boost=3.0)"
    assert repr(_Uniform()) == "_Uniform()"
    assert m == _Uniform(boost=3.0)
    assert m != _Uniform(boost=1.0)
    c = m.clone(lookback=dt.timedelta(days=2))
    assert c.lookback == dt.timedelta(days=2) and c.boost == 3.0
    with pytest.raises(TypeError, match="has no parameter\\(s\\) nope"):
        m.clone(nope=1)


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
    assert _Uniform(lookback="7 days").lookback == "7 days"  # text: the one duration reader
    with pytest.raises(ValueError, match="'lookback': cannot read 'a week' as a duration"):
        _Uniform(lookback="a week")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"'lookback' must be a duration .* bare number \(7\)"):
        _Uniform(lookback=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'exclude_channels' must hold strings"):
        base.AttributionModel.__init__(_Uniform(), exclude_channels=[1])  # type: ignore[list-item]


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
