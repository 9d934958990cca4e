"""Mirrored tests for touchcredit.report.periods: which periods the headline compares."""

from __future__ import annotations

import numpy as np

from touchcredit.report.periods import headline_periods, period_codes, period_name, spend_periods


def test_a_complete_last_period_is_compared() -> None:
    p = headline_periods([654, 655], np.datetime64("2024-08-31"), "month")
    assert (p.now, p.before, p.note) == (1, 0, "2024-08 compared with 2024-07.")
    only = headline_periods([654], np.datetime64("2024-07-03"), "month")
    assert only.before == -1 and only.note == (
        "2024-07 is partial (the data runs from 2024-07-01 to 2024-07-03); no earlier period "
        "to compare with."
    )


def test_period_codes_and_names_round_trip() -> None:
    months = np.array(["1970-01", "2023-12", "2024-01", "2024-09", "2024-10"], "datetime64[M]")
    assert period_codes(months, "month").tolist() == [0, 647, 648, 656, 657]
    quarters = period_codes(months, "quarter")
    assert quarters.tolist() == [0, 215, 216, 218, 219]
    names = [period_name(int(c), "quarter") for c in quarters]
    assert names == ["1970-Q1", "2023-Q4", "2024-Q1", "2024-Q3", "2024-Q4"]
    assert period_name(647, "month") == "2023-12"


def test_a_period_ending_on_its_last_day_is_complete() -> None:
    # 2024-Q1 ends on 2024-03-31 (leap year February does not matter for a quarter)
    done = headline_periods([215, 216], np.datetime64("2024-03-31"), "quarter")
    assert (done.now, done.before) == (1, 0)
    assert done.note == "2024-Q1 compared with 2023-Q4."
    feb = headline_periods([648, 649], np.datetime64("2024-02-28"), "month")
    assert (feb.now, feb.before) == (0, -1)  # 2024-02 has 29 days
    assert feb.note.startswith("2024-01 compared with no earlier period.")


def test_spend_periods() -> None:
    class Spend:
        month = np.array(["2024-01", "2024-02", "2024-07"], "datetime64[M]")

    assert spend_periods(Spend(), "quarter") == {216, 218}
    assert spend_periods(Spend(), "month") == {648, 649, 654}
    assert spend_periods(object(), "month") is None
