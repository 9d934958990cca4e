"""Domain objects to a JourneySet: a Deal's contacts make its buying-group journey."""

from __future__ import annotations

import pytest

import touchcredit as tc
from touchcredit import Deal, Journey, Lead, Touchpoint
from touchcredit.core.objects import object_labels


def _people() -> list[Journey]:
    return [
        Journey("ann", [Touchpoint("2024-02-01", channel="webinar", source="Zoom")]),
        Journey("bob", [Touchpoint("2024-02-03", channel="paid search", source="Google Ads")]),
        Journey("cy", [Touchpoint("2024-02-05", channel="email", source="Newsletter")]),
    ]


def test_a_deal_with_contacts_is_credited_over_all_of_them() -> None:
    leads = [Lead("L1", "2024-01-20", journey_id="ann"), Lead("L2", "2024-01-21", journey_id="cy")]
    deals = [
        Deal(
            "D1",
            "L1",
            900,
            "2024-02-10",
            "2024-03-01",
            won=True,
            contacts={"ann": "Decision Maker", "bob": "Influencer"},
        ),
        Deal("D2", "L2", 300, "2024-02-10", "2024-03-02", won=True),  # no contacts: its lead
    ]
    js = tc.JourneySet.from_objects(_people(), leads, deals, target="revenue")
    # D1: Ann's webinar and Bob's ad, 450 each; D2: Cy's email, 300.
    att = tc.attribute(js, "linear")
    assert att.by("channel").to_dict() == {"email": 300.0, "paid search": 450.0, "webinar": 450.0}
    assert att.by("role").to_dict() == {"Decision Maker": 450.0, "Influencer": 450.0, None: 300.0}
    assert att.by("contact").to_dict() == {"ann": 450.0, "bob": 450.0, "cy": 300.0}
    assert sorted(js.journey_ids.tolist()) == ["D1", "D2"]


def test_a_person_on_no_deal_keeps_a_journey_and_two_deals_share_one_person() -> None:
    leads = [Lead("L1", "2024-01-20", journey_id="ann")]
    deals = [
        Deal("D1", "L1", 100, "2024-02-10", "2024-03-01", won=True, contacts=["ann"]),
        Deal("D2", "L1", 50, "2024-02-10", "2024-03-02", won=True, contacts=[("ann", "Buyer")]),
    ]
    js = tc.JourneySet.from_objects(_people(), leads, deals, target="revenue")
    assert sorted(js.journey_ids.tolist()) == ["(person bob)", "(person cy)", "D1", "D2"]
    assert tc.attribute(js, "first_touch").by("channel").to_dict()["webinar"] == 150.0


def test_contacts_are_validated() -> None:
    with pytest.raises(TypeError, match="role must be text"):
        Deal("D1", "L1", 1, "2024-01-01", contacts=[("ann", 5)])
    with pytest.raises(ValueError, match="must not hold None"):
        Deal("D1", "L1", 1, "2024-01-01", contacts=[None])
    assert Deal("D1", "L1", 1, "2024-01-01").contacts == ()


def test_object_labels_follow_the_touch_order() -> None:
    import numpy as np

    labels = object_labels({"x": np.array(["b", "a", None], dtype=object)}, np.array([1, 2, 0]))
    assert labels["x"].labels().tolist() == ["a", None, "b"]
    assert labels["x"].categories == ("a", "b")
