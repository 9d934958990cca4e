"""models.parameters: the converters of declared model parameters read Python values and
their text forms alike, and name the parameter in every error."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.models import get
from touchcredit.models.parameters import (
    boolean,
    choice,
    default_of,
    duration,
    integer,
    labels,
    optional_duration,
    parameter_fields,
    same_value,
    share,
    shares,
)


@given(st.floats(0.0, 1.0))
def test_a_share_and_its_text_convert_alike(x: float) -> None:
    assert share(x, field="f") == share(repr(x), field="f") == x


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), float("inf"), "lots", True, None])
def test_bad_shares_name_the_field(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="'first'"):
        share(bad, field="first")


def test_durations() -> None:
    assert duration("1d 12h", field="h") == dt.timedelta(hours=36)
    assert duration(np.timedelta64(90, "m"), field="h") == dt.timedelta(minutes=90)
    assert optional_duration(None, field="h") is None
    assert optional_duration(" None ", field="h") is None
    with pytest.raises(TypeError, match="'half_life' .* a bare number"):
        duration(14, field="half_life")


def test_integers_booleans_choices_and_labels() -> None:
    assert integer(" 3 ", field="order", low=1) == 3
    assert integer(np.int64(2), field="order") == 2
    for bad in (1.5, True, "x"):
        with pytest.raises(ValueError, match="'order' must be an integer"):
            integer(bad, field="order")
    with pytest.raises(ValueError, match="'max_channels' must be an integer <= 30, got 31"):
        integer(31, field="max_channels", high=30)
    assert [boolean(v, field="c") for v in ("yes", "Off", 1, 0, np.bool_(True))] == [
        True, False, True, False, True,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="'collapse' must be true or false, got 'maybe'"):
        boolean("maybe", field="collapse")
    assert choice("a", field="m", options=("a", "b")) == "a"
    with pytest.raises(ValueError, match="'m' must be one of a, b, c; got 'z'"):
        choice("z", field="m", options=("a", "b", "c"))
    assert labels("direct", field="x") == ("direct",)
    assert labels(["a", "b"], field="x") == ("a", "b")
    with pytest.raises(TypeError, match="'x' must be a list of strings"):
        labels({"a": 1}, field="x")


def test_milestone_shares() -> None:
    assert shares({"a": "0.25"}, field="milestones", keys=("a", "b")) == {"a": 0.25}
    with pytest.raises(ValueError, match="'milestones' keys must be among a, b; got 'z'"):
        shares({"z": 0.1}, field="milestones", keys=("a", "b"))
    with pytest.raises(ValueError, match=r"milestones\['a'\]\" must be a share"):
        shares({"a": 2}, field="milestones", keys=("a",))


def test_declared_fields_and_their_defaults() -> None:
    fields = {f.alias: f for f in parameter_fields(type(get("time_decay")))}
    assert list(fields) == ["lookback", "exclude_channels", "exclude_sources", "half_life"]
    assert default_of(fields["half_life"]) == dt.timedelta(days=7)

    @attrs.define
    class Box:
        needed: int
        made: list[int] = attrs.field(factory=list)

    needed, made = attrs.fields(Box)
    assert default_of(needed) is attrs.NOTHING and default_of(made) == []
    assert not same_value(1, attrs.NOTHING) and not same_value(1, 1.0) and same_value(1, 1)
