"""Frozen containers are frozen to their arrays: every array of a JourneySet, a LeadSet
and a Dimension refuses writes, and the caller's own arrays are left writable."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core.arrays import read_only
from touchcredit.core.dimension import Dimension


def _arrays(obj: Any) -> dict[str, np.ndarray]:
    """Every array reachable from the fields of ``obj`` (Dimension codes, mapping values)."""
    out: dict[str, np.ndarray] = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, np.ndarray):
            out[field.name] = value
        elif isinstance(value, Dimension):
            out[f"{field.name}.codes"] = value.codes
        elif isinstance(value, dict):
            out.update({f"{field.name}[{k!r}]": v for k, v in value.items()})
    return out


def _write_each(obj: Any) -> list[str]:
    arrays = _arrays(obj)
    assert arrays
    writable = [name for name, a in arrays.items() if a.flags.writeable]
    assert not writable, f"writable arrays: {writable}"
    for a in arrays.values():
        if a.size:
            with pytest.raises(ValueError, match="read-only"):
                a[0] = a[0]
    return sorted(arrays)


def test_every_journey_set_array_refuses_writes() -> None:
    value = np.array([10.0])
    js = tc.JourneySet.from_arrays(
        journey_id=["a", "a"], timestamp=[0, 1], channel=["x", "y"], source=["s", "t"],
        conversion_journey_id=["a"], conversion_time=[1], conversion_value=value,
        lead_created_at=[0], unit="s",
    )  # fmt: skip
    names = _write_each(js)
    assert {"offsets", "timestamp", "conversion_value", "channel.codes"} <= set(names)
    with pytest.raises(ValueError, match="read-only"):
        js.conversion_value[0] = -5
    value[0] = 3.0  # the caller's array is not frozen by the build
    # a selection, a merge and a built-from-objects set are frozen as well
    _write_each(js.select([0]))


def test_every_lead_set_array_refuses_writes() -> None:
    ls = tc.LeadSet.from_arrays(
        lead_id=["L1", "L2"], created_at=["2024-01-05", "2024-01-20"], source=["seo", "ads"],
        attributes={"region": ["eu", "us"]},
        mql_at=["2024-01-07", None], deal_lead_id=["L1"], deal_amount=[5000],
        deal_created_at=["2024-01-10"], deal_closed_at=["2024-02-01"], deal_won=[True],
    )  # fmt: skip
    names = _write_each(ls)
    assert {"created_at", "deal_amount", "deal_won", "source.codes"} <= set(names)
    assert "attributes['region']" in names


def test_read_only_is_a_view_not_a_copy() -> None:
    base = np.arange(4.0)
    view = read_only(base)
    assert np.shares_memory(base, view) and base.flags.writeable
    assert read_only(view) is view
