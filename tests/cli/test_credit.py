"""touchcredit.cli.credit: credit per label straight from a model's pairs and weights."""

from __future__ import annotations

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.cli.credit import credit_by, credit_columns, credit_table


def _journeys() -> object:
    # journey "001" (text id, leading zeros): seo then email, converts for 100;
    # journey "002": one touch with no channel, converts for 30; journey "003": no touches, 10.
    return tc.JourneySet.from_arrays(
        journey_id=["001", "001", "002"], timestamp=[1, 2, 1], channel=["seo", "email", None],
        conversion_journey_id=["001", "002", "003"], conversion_time=[5, 5, 5],
        conversion_value=[100.0, 30.0, 10.0], unit="s",
    )  # fmt: skip


def test_credit_by_splits_linear_credit_by_hand() -> None:
    js = _journeys()
    model = tc.models.get("linear")
    credit, unattributed = credit_by(js, model, "channel")
    labels = list(js.dimension("channel").categories)  # type: ignore[attr-defined]
    got = dict(zip([*labels, None], credit.tolist(), strict=True))
    assert got == pytest.approx({"seo": 50.0, "email": 50.0, None: 30.0})
    assert unattributed == pytest.approx(10.0)
    assert credit.sum() + unattributed == pytest.approx(140.0)


def test_credit_table_keeps_not_recorded_and_unattributed_rows() -> None:
    js = _journeys()
    model = tc.models.get("first_touch")
    table = credit_table(js, model, "channel")
    cols = credit_columns(table, text=True)
    rows = dict(zip(cols["channel"].tolist(), np.asarray(cols["value"]).tolist(), strict=True))
    assert rows == pytest.approx(
        {"seo": 100.0, "email": 0.0, "(not recorded)": 30.0, "unattributed": 10.0}
    )


def test_credit_columns_without_text_keeps_none() -> None:
    js = _journeys()
    table = credit_table(js, tc.models.get("first_touch"), "channel")
    cols = credit_columns(table)
    assert None in cols["channel"].tolist()
    assert "(not recorded)" not in cols["channel"].tolist()
