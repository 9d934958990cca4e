"""Domain values: validation at construction, time rule, immutability."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from touchcredit import Deal, Journey, Lead, Touchpoint

UTC = dt.UTC


def test_naive_is_utc_and_aware_is_converted() -> None:
    naive = Touchpoint(dt.datetime(2024, 3, 1, 12), channel="email")
    paris = Touchpoint(dt.datetime(2024, 3, 1, 12, tzinfo=ZoneInfo("Europe/Paris")))
    assert naive.timestamp == dt.datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert paris.timestamp == dt.datetime(2024, 3, 1, 11, tzinfo=UTC)
    assert Touchpoint("2024-03-01T12:00:00-05:00").timestamp.hour == 17
    assert Touchpoint(1714557600).timestamp == dt.datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_touchpoint_is_frozen_and_slotted() -> None:
    tp = Touchpoint("2024-01-01", channel="email", attributes={"url": "x"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        tp.channel = "seo"  # type: ignore[misc]
    with pytest.raises(TypeError):
        tp.attributes["url"] = "y"  # type: ignore[index]
    assert not hasattr(tp, "__dict__")


@pytest.mark.parametrize("field", ["channel", "source", "campaign", "method"])
def test_empty_label_rejected_none_allowed(field: str) -> None:
    with pytest.raises(ValueError, match=f"'{field}' must not be empty; use None"):
        Touchpoint("2024-01-01", **{field: "  "})
    assert getattr(Touchpoint("2024-01-01", **{field: None}), field) is None


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="'channel' must be a str or None, got int 3"):
        Touchpoint("2024-01-01", channel=3)  # type: ignore[arg-type]


def test_bad_timestamp_names_field() -> None:
    with pytest.raises(
        ValueError, match="'timestamp' could not be read: 'soon' is not a recognised date/time"
    ):
        Touchpoint("soon")
    with pytest.raises(
        TypeError, match=r"'timestamp' could not be read: \[2024\] is a list; expected"
    ):
        Touchpoint([2024])  # type: ignore[arg-type]


def test_negative_cost_rejected() -> None:
    with pytest.raises(ValueError, match="'cost' must be >= 0, got -1.0"):
        Touchpoint("2024-01-01", cost=-1)


def test_journey_sorts_stably() -> None:
    a = Touchpoint("2024-01-02", channel="a")
    b = Touchpoint("2024-01-01", channel="b")
    c = Touchpoint("2024-01-02", channel="c")  # ties with a: keeps the given order
    j = Journey("p", [a, b, c])
    assert [tp.channel for tp in j.touchpoints] == ["b", "a", "c"]


def test_journey_rejects_non_touchpoints_and_unhashable_id() -> None:
    with pytest.raises(TypeError, match="item 0 is str"):
        Journey("p", ["x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="'id' must be hashable"):
        Journey(["p"], [])


def test_lead_stage_order() -> None:
    lead = Lead("L1", "2024-01-01", mql_at="2024-01-02", customer_at="2024-03-01")
    assert lead.journey_id == "L1"
    assert Lead("L1", "2024-01-01", journey_id="cookie-9").journey_id == "cookie-9"
    with pytest.raises(ValueError, match="'opportunity_at' .* must not precede 'created_at'.*'L9'"):
        Lead("L9", "2024-02-01", opportunity_at="2024-01-31")


def test_deal_validation_messages() -> None:
    with pytest.raises(ValueError, match=r"'amount' must be >= 0, got -5.0 \(deal 'D-17'\)"):
        Deal("D-17", "L1", -5.0, "2024-03-01")
    with pytest.raises(ValueError, match="'closed_at' .* must not precede 'created_at'"):
        Deal("D1", "L1", 5, "2024-03-01", "2024-02-01")
    with pytest.raises(ValueError, match="a won deal needs 'closed_at'"):
        Deal("D1", "L1", 5, "2024-03-01", won=True)
    with pytest.raises(ValueError, match="3-letter ISO 4217"):
        Deal("D1", "L1", 5, "2024-03-01", currency="euro")
    with pytest.raises(TypeError, match="'amount' must be a number, got str"):
        Deal("D1", "L1", "5", "2024-03-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'amount' must be finite"):
        Deal("D1", "L1", float("nan"), "2024-03-01")


def test_deal_accepts_decimal() -> None:
    assert Deal("D1", "L1", Decimal("10.01"), "2024-03-01").amount == pytest.approx(10.01)
