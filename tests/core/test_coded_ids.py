"""Text ids read as codes (Arrow, polars) build the same JourneySet as the ids as values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.store import JourneySet

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

IDS = st.sampled_from(["007", "7", "07", "a", "B", "é", "z\u20ac", "10", "9", ""])


def _stamp(k: int) -> str:
    return f"2024-01-{1 + k % 28:02d}T{k % 24:02d}:00:00Z"


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    ids = draw(st.lists(IDS.filter(bool), min_size=1, max_size=30))
    stamps = draw(st.lists(st.integers(0, 400), min_size=len(ids), max_size=len(ids)))
    channels = draw(st.lists(st.sampled_from(["seo", "ads", None]), min_size=len(ids),
                             max_size=len(ids)))  # fmt: skip
    channels[0] = channels[0] or "seo"  # an all-None column has no string type in polars
    conv_ids = draw(st.lists(IDS.filter(bool), max_size=6))
    touches = {"id": ids, "ts": [_stamp(k) for k in stamps], "channel": channels}
    conversions = {"id": conv_ids, "when": [_stamp(500 + k) for k in range(len(conv_ids))]}
    return touches, conversions


def _expected(touches: dict[str, list[Any]], conversions: dict[str, list[Any]]) -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=np.array(touches["id"], dtype=object),
        timestamp=touches["ts"],
        channel=touches["channel"],
        conversion_journey_id=np.array(conversions["id"], dtype=object),
        conversion_time=conversions["when"],
    )


def _assert_same(a: JourneySet, b: JourneySet) -> None:
    assert a.journey_ids.tolist() == b.journey_ids.tolist()
    assert a.journey_ids.dtype == b.journey_ids.dtype
    for name in ("offsets", "timestamp", "touch_row", "conversion_journey", "conversion_time"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in DIMENSIONS:
        assert a.dimension(name).labels().tolist() == b.dimension(name).labels().tolist()


@settings(max_examples=60, deadline=None)
@given(tables(), st.sampled_from(["arrow", "polars"]))
def test_coded_text_ids_build_the_same_journeys(
    data: tuple[dict[str, list[Any]], dict[str, list[Any]]], lib: str
) -> None:
    touches, conversions = data
    make = pa.table if lib == "arrow" else pl.DataFrame
    conv = make(conversions) if conversions["id"] else None
    js = JourneySet.from_frame(
        make(touches), conv, journey="id", timestamp="ts", conversion_time="when"
    )
    _assert_same(
        js, _expected(touches, conversions if conv is not None else {"id": [], "when": []})
    )


def test_a_missing_id_is_named_by_its_row() -> None:
    touches = pa.table({"id": ["007", None, "7"], "ts": [_stamp(k) for k in range(3)]})
    with pytest.raises(ValueError, match=r"'journey_id' must not be missing; row 2 is None"):
        JourneySet.from_frame(touches, journey="id", timestamp="ts", channel=None)


def test_unsorted_categorical_ids_keep_the_sorted_journey_order() -> None:
    ids = pd.Categorical(["b", "a", "b"], categories=["b", "a"])
    touches = pd.DataFrame({"id": ids, "ts": [_stamp(k) for k in range(3)]})
    js = JourneySet.from_frame(touches, journey="id", timestamp="ts", channel=None)
    assert js.journey_ids.tolist() == ["a", "b"]
    assert js.offsets.tolist() == [0, 1, 3]


@pytest.mark.parametrize("lib", ["arrow", "polars"])
def test_columns_read_two_at_a_time_give_the_same_journeys(
    lib: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from touchcredit.core import frame_input

    touches = {"id": ["b", "a", "b"], "ts": [_stamp(k) for k in range(3)], "channel": ["x"] * 3}
    conversions = {"id": ["b"], "when": [_stamp(9)]}
    make = pa.table if lib == "arrow" else pl.DataFrame
    expected = _expected(touches, conversions)
    monkeypatch.setattr(frame_input, "THREAD_MIN_ROWS", 1)  # the threaded read, on small data
    js = JourneySet.from_frame(
        make(touches), make(conversions), journey="id", timestamp="ts", conversion_time="when"
    )
    _assert_same(js, expected)
