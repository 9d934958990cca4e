"""Tests of touchcredit.kpi.spend.SpendTable."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit import Spend
from touchcredit.kpi.spend import SpendTable


def test_from_arrays_months_labels_and_total() -> None:
    t = SpendTable.from_arrays(
        [100.0, 50.5, 0.0],
        ["2024-01", "2024-02-29", dt.date(2024, 3, 31)],
        source=["LinkedIn", None, "LinkedIn"],
        campaign=["0042", "42", None],
        currency="EUR",
    )
    assert t.total == 150.5
    assert t.currency == "EUR"
    assert t.month.astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    assert t.source.labels().tolist() == ["LinkedIn", None, "LinkedIn"]
    assert t.campaign.labels().tolist() == ["0042", "42", None]
    assert t.channel.labels().tolist() == [None, None, None]


@pytest.mark.parametrize(
    ("amount", "period", "match"),
    [
        ([1.0, float("nan")], ["2024-01", "2024-01"], "'amount' must be finite and >= 0; row 2"),
        ([1.0, 2.0], ["2024-01", "January"], "'period' must hold months like '2024-03'"),
        ([1.0, 2.0], ["2024-01", None], "'period' is missing in row 2"),
        ([1.0, 2.0], ["2024-01"], "'period' has 1 rows, expected 2"),
    ],
)
def test_from_arrays_rejects_bad_rows(
    amount: list[float], period: list[object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        SpendTable.from_arrays(amount, period)


def test_from_objects_one_currency() -> None:
    t = SpendTable.from_objects(
        [
            Spend(10, "2024-01", source="a", currency="GBP"),
            Spend(5, "2024-01-20", channel="email", currency="GBP"),
        ]
    )
    assert t.total == 15.0
    assert t.currency == "GBP"
    assert t.channel.labels().tolist() == [None, "email"]
    with pytest.raises(ValueError, match=r"more than one currency \(EUR, USD\)"):
        SpendTable.from_objects([Spend(1, "2024-01"), Spend(1, "2024-01", currency="EUR")])


def test_from_objects_empty() -> None:
    t = SpendTable.from_objects([])
    assert t.total == 0.0
    assert t.currency is None


def test_from_frame_reads_bom_csv_text() -> None:
    pd = pytest.importorskip("pandas")
    import io

    data = "\ufeffcost,month,campaign\n100.5,2024-01,0042\n49.5,2024-02,007\n".encode()
    df = pd.read_csv(io.BytesIO(data), dtype={"campaign": str}, encoding="utf-8-sig")
    t = SpendTable.from_frame(df, amount="cost", period="month", campaign="campaign")
    assert t.total == 150.0
    assert t.campaign.labels().tolist() == ["0042", "007"]
    with pytest.raises(ValueError, match="amount"):
        SpendTable.from_frame(df, period="month")


@given(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=20))
def test_total_is_the_sum(amounts: list[float]) -> None:
    t = SpendTable.from_arrays(amounts, ["2024-05"] * len(amounts))
    assert t.total == pytest.approx(float(np.sum(amounts)))
