"""The Spark executor function on plain Arrow batches: no Spark session needed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from touchcredit import JourneySet
from touchcredit.io.spark.executor import credit_partitions
from touchcredit.io.spark.stream import CONVERSION, KEY, KIND, TOUCH, Layout
from touchcredit.models import AttributionModel

pa = pytest.importorskip("pyarrow")


def _layout() -> Layout:
    return Layout(
        journey="journey_id",
        touch_columns=("ts", "channel"),
        time=0,
        labels=(("channel", 1),),
        time_kind="epoch",
        conv_journey="journey_id",
        conv_columns=("at", "value"),
        conv_time=0,
        conv_time_kind="epoch",
        conv_value=1,
        milestones=(),
        default_tz=None,
        batch_rows=100,
    )


def _partition() -> list[Any]:
    """Two journeys of two touches, one conversion each, as the tagged stream has them."""
    layout = _layout()
    t0, t1 = layout.t_names
    c0, c1 = layout.c_names
    batch = pa.table(
        {
            KIND: pa.array([TOUCH] * 4 + [CONVERSION] * 2, pa.int8()),
            KEY: pa.array([1, 1, 2, 2, 1, 2], pa.int64()),
            t0: pa.array([10.0, 20.0, 10.0, 20.0, None, None]),
            t1: pa.array(["seo", "email", "seo", "ads", None, None]),
            c0: pa.array([None, None, None, None, 30.0, 30.0]),
            c1: pa.array([None, None, None, None, 100.0, 50.0]),
        }
    )
    return batch.to_batches()


class _Linear(AttributionModel):
    def weights(self, journeys: JourneySet) -> Any:
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion]


class _Negative(_Linear):
    def weights(self, journeys: JourneySet) -> Any:
        return np.array([1.5, -0.5, 0.5, 0.5])


class _NaN(_Linear):
    def weights(self, journeys: JourneySet) -> Any:
        return np.full(4, np.nan)


def test_executor_credits_a_partition() -> None:
    out = pa.Table.from_batches(
        list(credit_partitions(iter(_partition()), layout=_layout(), model=_Linear()))
    )
    assert out.column("__tc_credit_value").to_pylist() == [50.0, 50.0, 25.0, 25.0]


@pytest.mark.parametrize("model", [_Negative(), _NaN()], ids=["negative", "nan"])
def test_executor_rejects_bad_custom_weights(model: AttributionModel) -> None:
    with pytest.raises(ValueError, match=r"weights must be finite and >= 0"):
        list(credit_partitions(iter(_partition()), layout=_layout(), model=model))
