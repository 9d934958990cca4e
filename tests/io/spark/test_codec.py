"""touchcredit.io.spark.codec: counts to JSON and back, only declared classes built."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from touchcredit.core.store import JourneySet
from touchcredit.io.spark.codec import decode, decode_counts, encode, encode_counts
from touchcredit.models import ShapleyModel
from touchcredit.models.counting import count_classes, qualified_name


@attrs.frozen
class _Counts:
    labels: tuple[str, ...]
    values: np.ndarray = attrs.field(eq=False)


_ALLOWED = {qualified_name(_Counts): _Counts}


@given(
    hnp.arrays(
        st.sampled_from([np.float64, np.int64, np.int32, np.bool_]),
        hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
        elements=st.integers(0, 1),
    )
)
def test_arrays_round_trip_with_dtype_and_shape(a: np.ndarray) -> None:
    back = decode(json.loads(json.dumps(encode(a, {}))), {})
    assert back.dtype == a.dtype and back.shape == a.shape
    np.testing.assert_array_equal(back, a)


def test_declared_class_round_trips() -> None:
    counts = _Counts(labels=("007", "7"), values=np.array([1.5, 2.0]))
    back = decode_counts(encode_counts(counts, _ALLOWED), _ALLOWED)
    assert isinstance(back, _Counts) and back.labels == ("007", "7")
    np.testing.assert_array_equal(back.values, [1.5, 2.0])


def test_numpy_scalars_become_plain_numbers() -> None:
    assert encode((np.int64(3), np.float32(0.5), np.bool_(True)), {}) == {
        "__tuple__": [3, 0.5, True]
    }


def test_undeclared_class_is_refused_both_ways() -> None:
    counts = _Counts(labels=(), values=np.array([1.0]))
    with pytest.raises(TypeError, match="does not declare it in count_types"):
        encode(counts, {})
    data = encode_counts(counts, _ALLOWED)
    with pytest.raises(ValueError, match="not built"):
        decode_counts(data, {})


def test_object_arrays_and_lists_are_refused() -> None:
    with pytest.raises(TypeError, match="dtype object"):
        encode(np.array(["a"], dtype=object), {})
    with pytest.raises(ValueError, match="unexpected list"):
        decode([1, 2], {})
    with pytest.raises(ValueError, match="unexpected array dtype"):
        decode({"__array__": "<U1", "shape": [1], "data": ["a"]}, {})
    with pytest.raises(ValueError, match="unexpected object"):
        decode({"x": 1}, {})


def test_nan_is_refused_by_the_json() -> None:
    with pytest.raises(ValueError):
        encode_counts(np.array([np.nan]), {})


def test_shapley_counts_round_trip() -> None:
    model = ShapleyModel()
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 2],
        timestamp=[0, 1, 0],
        channel=["a", "b", "a"],
        conversion_journey_id=[1, 2],
        conversion_time=[2, 1],
        unit="s",
    )
    allowed = count_classes(model)
    counts = model.count(js)
    back = decode_counts(encode_counts(counts, allowed), allowed)
    assert type(back) is type(counts)
    np.testing.assert_array_equal(back.conversions, counts.conversions)
