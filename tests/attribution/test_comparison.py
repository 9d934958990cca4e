"""compare / Comparison: several models side by side (moved from test_results.py)."""

from __future__ import annotations

import pytest

import touchcredit as tc
from touchcredit import JourneySet
from touchcredit.models import get


def test_compare(js: JourneySet) -> None:
    cmp = tc.compare(js, ["first_touch", get("last_touch")], by="channel")
    assert cmp.labels == ("ads", "direct", "email", "seo", None)
    assert cmp.values.tolist() == [[50, 50], [0, 100], [0, 0], [100, 0], [0, 0]]
    assert cmp.unattributed.tolist() == [30.0, 30.0]
    assert cmp.to_dict()["last_touch"]["direct"] == 100.0
    assert "first_touch" in repr(cmp)
    with pytest.raises(ValueError, match="at least one model"):
        tc.compare(js, [])


def test_compare_all_and_bare_strings(js: JourneySet, monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 14, item 14: "all" was read as the models 'a', 'l', 'l'
    from touchcredit.models import base

    # only the library's models: other tests register deliberately broken ones
    ours = {k: v for k, v in base._REGISTRY.items() if v.__module__.startswith("touchcredit.")}
    monkeypatch.setattr(base, "_REGISTRY", ours)
    cmp = tc.compare(js, "all")
    assert [m.name for m in cmp.models] == tc.models.available()
    assert cmp.to_dict()["last_touch"]["direct"] == 100.0
    with pytest.raises(TypeError, match=r"'models' must be a list .* or 'all'.*\['linear'\]"):
        tc.compare(js, "linear")


def test_compare_by_source_rows_sum_with_unattributed(js: JourneySet) -> None:
    cmp = tc.compare(js, ["linear", "first_touch", "last_touch"], by="source")
    assert cmp.labels == ("fb", "google", "news", None)
    # every model hands out all 180 of conversion value: credited or unattributed
    totals = cmp.values.sum(axis=0) + cmp.unattributed
    assert totals.tolist() == pytest.approx([180.0, 180.0, 180.0])


def test_compare_unknown_dimension(js: JourneySet) -> None:
    with pytest.raises(ValueError):
        tc.compare(js, ["linear"], by="no_such_dimension")
