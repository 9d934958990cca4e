"""touchcredit.connectors.ga4_once: daily over intraday tables, transactions once, values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from touchcredit.connectors.ga4_once import daily_tables, ga4_value, once_per_transaction

pytest.importorskip("pyarrow")

NAN = float("nan")


def test_intraday_day_with_a_daily_table_is_skipped_and_counted(tmp_path: Path) -> None:
    header = "event_timestamp,event_name,user_pseudo_id\n"
    (tmp_path / "events_20240101.csv").write_text(header + "1,a,007\n")
    (tmp_path / "events_intraday_20240101.csv").write_text(header + "1,a,007\n2,b,007\n")
    (tmp_path / "events_intraday_20240102.csv").write_text(header + "3,c,8\n")
    kept, skipped = daily_tables(str(tmp_path / "events_*.csv"))
    assert [p.name for p in kept] == ["events_20240101.csv", "events_intraday_20240102.csv"]
    assert list(skipped.values()) == [2]


def test_a_frame_is_read_as_it_is() -> None:
    frame = object()
    assert daily_tables(frame) == (frame, {})


def test_repeated_transaction_same_value_is_one_at_the_earliest_time() -> None:
    t = np.array(["T1", " T1", "T1", "(not set)", "(not set)"], dtype=object)
    when = np.array([30, 10, 10, 1, 1]).astype("datetime64[s]")
    value = np.array([5.0, 5.0, 5.0, 1.0, 1.0])
    keep, merged, clash = once_per_transaction(t, when, value, np.array([0, 2, 1, 3, 4]))
    # equal times: the lower input row wins (the third element, row 1)
    assert keep.tolist() == [False, False, True, True, True]
    assert merged == 2 and clash.rows.tolist() == []


def test_repeated_transaction_other_value_rejects_every_copy() -> None:
    t = np.array(["007", "007", "7"], dtype=object)
    when = np.zeros(3, dtype="datetime64[us]")
    keep, merged, clash = once_per_transaction(t, when, np.array([1.0, 2.0, 1.0]), np.arange(3))
    assert keep.tolist() == [False, False, True] and merged == 0
    assert clash.reasons == (
        "events row 1: transaction_id '007' is also on events row(s) 2 with another value",
        "events row 2: transaction_id '007' is also on events row(s) 1 with another value",
    )


def test_ga4_value_modes() -> None:
    local, usd, rows = np.array([100.0, NAN, NAN]), np.array([NAN, 50.0, NAN]), np.arange(3)
    values, cur, bad = ga4_value("count", local, usd, rows, "EUR")
    assert values.tolist() == [0.0, 0.0, 0.0] and cur == "EUR" and not bad.reasons
    values, cur, bad = ga4_value("local", local, usd, rows, "EUR")
    assert values[0] == 100.0 and np.isnan(values[1]) and values[2] == 0.0 and cur == "EUR"
    assert bad.rows.tolist() == [1]
    values, cur, _ = ga4_value("revenue", np.full(2, NAN), np.array([3.0, 4.0]), rows[:2], None)
    assert values.tolist() == [3.0, 4.0] and cur == "USD"


def test_ga4_value_refuses_mixed_revenue_and_usd_in_another_currency() -> None:
    local, usd, rows = np.array([100.0, NAN]), np.array([NAN, 50.0]), np.array([4, 9])
    with pytest.raises(ValueError, match=r"events row 5\) and event_value_in_usd \(events row 10"):
        ga4_value("revenue", local, usd, rows, None)
    with pytest.raises(ValueError, match="currency is USD, not 'EUR'"):
        ga4_value("usd", local, usd, rows, "EUR")
