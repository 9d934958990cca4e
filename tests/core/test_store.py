"""The finished JourneySet's arrays: one dtype each whatever the input, <= 48 bytes per touch.

Issue 17 (target 5) holds the set to 48 bytes per touch; ``benchmarks/bench_memory.py``
measures it at 10M touches. These tests pin what makes it true on every input path, so
that a widened dtype (int64 codes, say) fails here rather than in a benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pytest

from touchcredit import JourneySet
from touchcredit.core.dimension import Dimension

N = 6_000

#: dtype of every array field of a JourneySet (journey_ids keep the ids' own type).
DTYPES: dict[str, str] = {
    "offsets": "int64",
    "timestamp": "datetime64[us]",
    "touch_row": "int64",
    "conversion_journey": "int64",
    "conversion_time": "datetime64[us]",
    "conversion_value": "float64",
    "lead_created_at": "datetime64[us]",
    "opportunity_created_at": "datetime64[us]",
    "closed_at": "datetime64[us]",
    "conversion_row": "int64",
}


def _columns(str_ids: bool) -> dict[str, Any]:
    """About 8 touches per journey, a third of the journeys converting, 3 label columns."""
    rng = np.random.default_rng(17)
    jid = rng.integers(0, N // 8, N)
    ids = np.array([f"person-{j}" for j in jid], dtype=object) if str_ids else jid + 10**9
    conv_j = np.unique(jid)[::3]
    conv_ids = (
        np.array([f"person-{j}" for j in conv_j], dtype=object) if str_ids else conv_j + 10**9
    )
    return {
        "journey_id": ids,
        "timestamp": (rng.integers(0, 10**6, N) * 10**6).astype("datetime64[us]"),
        "channel": np.array(["seo", "email", "ads"], dtype=object)[rng.integers(0, 3, N)],
        "source": np.array(["g", "b", "nl", "x"], dtype=object)[rng.integers(0, 4, N)],
        "campaign": np.array([f"c{k}" for k in range(40)], dtype=object)[rng.integers(0, 40, N)],
        "conversion_journey_id": conv_ids,
        "conversion_time": np.full(conv_j.size, 2 * 10**12, dtype="datetime64[us]"),
        "conversion_value": np.full(conv_j.size, 5.0),
    }


def _from_arrays(cols: dict[str, Any]) -> JourneySet:
    return JourneySet.from_arrays(**cols)


def _from_frame(kind: str) -> Callable[[dict[str, Any]], JourneySet]:
    def build(cols: dict[str, Any]) -> JourneySet:
        touch = {k: cols[k] for k in ("journey_id", "timestamp", "channel", "source", "campaign")}
        conv = {
            "journey_id": cols["conversion_journey_id"],
            "conversion_time": cols["conversion_time"],
            "conversion_value": cols["conversion_value"],
        }
        if kind == "arrow":
            pa = pytest.importorskip("pyarrow")
            frames = pa.table(touch), pa.table(conv)
        else:
            pd = pytest.importorskip("pandas")
            frames = pd.DataFrame(touch), pd.DataFrame(conv)
        return JourneySet.from_frame(
            *frames, source="source", campaign="campaign", conversion_value="conversion_value"
        )

    return build


BUILDERS = {"numpy": _from_arrays, "arrow": _from_frame("arrow"), "pandas": _from_frame("pandas")}


@pytest.mark.parametrize("str_ids", [False, True], ids=["int-ids", "str-ids"])
@pytest.mark.parametrize("path", list(BUILDERS))
def test_every_array_has_its_dtype_and_the_set_fits_48_bytes_per_touch(
    path: str, str_ids: bool
) -> None:
    js = BUILDERS[path](_columns(str_ids))
    assert js.n_touches == N
    nbytes = 0
    for field in attrs.fields(JourneySet):  # every field: a new array is checked too
        value = getattr(js, field.name)
        if isinstance(value, Dimension):
            assert value.codes.dtype == np.int32, field.name
            value = value.codes
        elif not isinstance(value, np.ndarray):
            continue
        elif field.name != "journey_ids":
            assert value.dtype == np.dtype(DTYPES[field.name]), field.name
        assert value.flags.c_contiguous, field.name
        nbytes += value.nbytes
    assert set(DTYPES) | {"journey_ids"} <= {f.name for f in attrs.fields(JourneySet)}
    # 8 (time) + 8 (row) + 4 x 4 (codes) per touch, plus journeys and conversions
    assert nbytes / N <= 48
