"""touchcredit.connectors.report: clean's report restated in the connector's input rows."""

from __future__ import annotations

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.connectors.report import (
    Cleaning,
    Table,
    combine,
    empty_rows,
    finish,
    merge_counts,
    rejections,
)

_COLS = tc.ColumnMap(
    journey="email",
    timestamp="ts",
    channel="channel",
    conversion_time="closed",
    conversion_value="amount",
)


def _tables() -> tuple[Table, Table]:
    touches = Table(
        "contacts",
        {
            "email": np.array(["ann@x.io", None, "ann@x.io"], dtype=object),
            "ts": np.array(["2024-01-01", "2024-01-02", "2024-01-03"], dtype=object),
            "channel": np.array(["email", "seo", "paid search"], dtype=object),
        },
        np.array([10, 11, 12], dtype=np.int64),
    )
    conversions = Table(
        "deals",
        {
            "email": np.array(["ann@x.io"], dtype=object),
            "closed": np.array(["2024-01-05"], dtype=object),
            "amount": np.array([300.0]),
        },
        np.array([4], dtype=np.int64),
    )
    return touches, conversions


def test_rejections_and_combine_are_in_input_rows() -> None:
    a = rejections(np.array([5, 1]), "deals", "no contact")
    assert a.reasons == ("deals row 6: no contact", "deals row 2: no contact")
    both = combine(rejections(np.array([3]), "deals", "lost"), a)
    assert both.rows.tolist() == [1, 3, 5]
    assert both.reasons[1] == "deals row 4: lost"


def test_merge_counts_and_empty_rows() -> None:
    assert merge_counts({"a": 1}, {"a": 2, "b": 3}, {}) == {"a": 3, "b": 3}
    assert empty_rows().dtype == np.int64 and empty_rows().size == 0


def test_finish_restates_rows_and_counts_connector_rejections() -> None:
    touches, conversions = _tables()
    own = rejections(np.array([2]), "deals", "lost deal")
    js, report = finish(
        touches,
        conversions,
        columns=_COLS,
        cleaning=None,
        source="crm",
        tables={"contacts": 3, "deals": 2},
        not_used={"open deals": 0, "lost deals": 1},
        rejected_conversions=own,
    )
    assert js.n_journeys == 1 and js.total_value == 300.0
    assert sorted(js.touch_row.tolist()) == [10, 12]
    assert js.conversion_row.tolist() == [4]
    assert report.rejected.rows.tolist() == [11]
    assert report.rejected.reasons[0].startswith("contacts row 12: ")
    assert report.conversions_rejected.reasons == ("deals row 3: lost deal",)
    assert report.conversions_in == 2 and report.not_used == {"lost deals": 1}
    text = str(report)
    assert text.startswith("crm: rows read (contacts: 3, deals: 2)")
    assert "not used: 1 lost deals" in text


def test_finish_raises_the_first_rejected_row_with_errors_raise() -> None:
    touches, conversions = _tables()
    with pytest.raises(ValueError, match="^contacts row 12: "):
        finish(
            touches,
            conversions,
            columns=_COLS,
            cleaning=Cleaning(errors="raise"),
            source="crm",
            tables={},
        )
