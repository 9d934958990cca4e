"""Ids never merge people; Python lists never become fixed-width copies (issue 14, 2 and 6)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core.columns import as_object_array


def _build(journey_id: object, **kw: object) -> tc.JourneySet:
    n = len(journey_id)  # type: ignore[arg-type]
    return tc.JourneySet.from_arrays(
        journey_id=journey_id, timestamp=["2024-05-01"] * n, channel=["seo"] * n, **kw
    )


def test_float_ids_that_are_not_whole_numbers_are_an_error_naming_the_row() -> None:
    ga4 = np.array([1234567890.1234567891, 1234567890.1234567892, 7.0])  # one float
    with pytest.raises(
        ValueError,
        match=r"^'journey_id' row 1 is the float 1234567890\.1234567; ids given as floats must "
        r"be whole numbers up to 2\*\*53",
    ):
        _build(ga4)
    with pytest.raises(ValueError, match=r"'journey_id' row 2 is the float 1\.5"):
        _build([1, 1.5])
    with pytest.raises(ValueError, match=r"row 1 is the float 1\.152921504606847e\+18"):
        _build(np.array([2.0**60, 1.0]))
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"journey_id": [3.0, 3.25], "timestamp": ["2024-05-01"] * 2})
    frame["channel"] = "seo"
    with pytest.raises(ValueError, match=r"'journey_id' row 2 is the float 3\.25"):
        tc.JourneySet.from_frame(frame)


def test_numpy_float_objects_in_a_large_object_column_are_checked_too() -> None:
    # Large enough for the hashing path, which takes the ids' types once: np.float64
    # is a float subclass and must not slip past the check.
    ids = np.array([np.float64(4.0)] * 150_000 + [np.float64(2.5)], dtype=object)
    with pytest.raises(ValueError, match=r"'journey_id' row 150001 is the float 2\.5"):
        _build(ids)


def test_whole_float_ids_still_meet_integer_ids() -> None:
    js = _build(np.array([7.0, 8.0]), conversion_journey_id=[7], conversion_time=["2024-05-02"])
    assert js.n_journeys == 2 and js.pairs().length.tolist() == [1]


def test_ids_differing_by_a_trailing_nul_stay_apart_in_list_input() -> None:
    js = _build(["ann", "ann\x00"])
    assert js.journey_ids.tolist() == ["ann", "ann\x00"]
    leads = tc.LeadSet.from_arrays(lead_id=["ann", "ann\x00"], created_at=["2024-05-01"] * 2)
    assert len(leads.lead_ids) == 2


def test_lists_become_object_arrays_not_fixed_width_strings() -> None:
    arr = as_object_array(["a", "b" * 1_000_000], field="channel")
    assert arr.dtype == object
    assert as_object_array([3, 1], field="journey_id").dtype == np.int64


def test_a_list_with_one_long_label_costs_its_size_not_rows_times_its_size() -> None:
    long_label = "x" * 1_000_000
    n = 1_000
    channel = ["seo"] * (n - 1) + [long_label]
    tracemalloc.start()
    try:
        js = _build(list(range(n)), campaign=channel)
        table = {
            "cookie": [str(i) for i in range(1, n + 1)],  # '0' is a placeholder id
            "ts": ["2024-05-01"] * n,
            "src": channel,
        }
        cleaned, _ = tc.clean(table, journey="cookie", timestamp="ts", source="src")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a fixed-width '<U1000000' copy of 1,000 rows is 4 GB; objects share the one string
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert js.campaign.categories == ("seo", long_label)
    assert cleaned.n_touches == n
