"""LeadSet.from_frame and SpendTable.from_frame: the same tables from pandas, polars, pyarrow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from touchcredit.core.mapping import MissingColumnError
from touchcredit.kpi.leads import LeadSet
from touchcredit.kpi.spend import SpendTable

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

LEADS: dict[str, Any] = {
    "id": ["L1", "L2", "L3"],
    "created": ["2024-01-05", "2024-01-20", "2024-02-02"],
    "src": ["seo", None, "ads"],
    "mql": ["2024-01-07", None, "2024-02-03"],
    "industry": ["saas", "retail", None],
}
DEALS: dict[str, Any] = {
    "lead": ["L1", "L3"],
    "value": [5000.0, 700.0],
    "opened": ["2024-01-10", "2024-02-04"],
    "closed": ["2024-02-01", None],
    "won": [True, False],
    "cur": ["EUR", "EUR"],
}
SPEND: dict[str, Any] = {
    "cost": [100.0, 50.0, 25.5],
    "month": ["2024-01", "2024-02", "2024-02"],
    "channel": ["email", "paid search", None],
}


def make(lib: str, data: dict[str, Any]) -> Any:
    if lib == "pandas":
        return pd.DataFrame(data)
    if lib == "polars":
        return pl.DataFrame(data)
    if lib == "polars-lazy":
        return pl.DataFrame(data).lazy()
    return pa.table(data)


LIBS = ["pandas", "polars", "polars-lazy", "pyarrow"]


def expected_leads() -> LeadSet:
    return LeadSet.from_arrays(
        lead_id=LEADS["id"],
        created_at=LEADS["created"],
        source=LEADS["src"],
        mql_at=LEADS["mql"],
        attributes={"industry": LEADS["industry"]},
        deal_lead_id=DEALS["lead"],
        deal_amount=DEALS["value"],
        deal_created_at=DEALS["opened"],
        deal_closed_at=DEALS["closed"],
        deal_won=np.array(DEALS["won"]),
        deal_currency="EUR",
    )


def lead_frame(lib: str, **kw: Any) -> LeadSet:
    return LeadSet.from_frame(
        make(lib, LEADS),
        make(lib, DEALS),
        lead_id="id",
        created_at="created",
        source="src",
        mql_at="mql",
        attributes=["industry"],
        deal_lead_id="lead",
        deal_amount="value",
        deal_created_at="opened",
        deal_closed_at="closed",
        deal_won="won",
        **kw,
    )


@pytest.mark.parametrize("lib", LIBS)
def test_lead_frame_matches_from_arrays(lib: str) -> None:
    got, want = lead_frame(lib, deal_currency="cur"), expected_leads()
    assert got.lead_ids.tolist() == want.lead_ids.tolist()
    np.testing.assert_array_equal(got.created_at, want.created_at)
    np.testing.assert_array_equal(got.mql_at, want.mql_at)
    assert got.source.labels().tolist() == ["seo", None, "ads"]
    assert got.attributes["industry"].tolist() == ["saas", "retail", None]
    assert got.won_revenue.tolist() == [5000.0, 0.0, 0.0]
    assert got.currency() == "EUR"
    np.testing.assert_array_equal(got.deal_closed_at, want.deal_closed_at)
    assert got.deal_lead.tolist() == [0, 2]


def test_deal_currency_is_a_code_when_no_column_has_its_name() -> None:
    assert lead_frame("pandas", deal_currency="GBP").currency() == "GBP"


def test_aware_lead_times_keep_their_instant() -> None:
    df = pd.DataFrame(
        {"lead_id": ["a"], "created_at": pd.to_datetime(["2024-01-01 10:00"]).tz_localize("UTC")}
    )
    ls = LeadSet.from_frame(df, default_tz="Europe/Paris")
    assert ls.created_at.tolist() == [dt.datetime(2024, 1, 1, 10)]
    naive = LeadSet.from_frame(
        df.assign(created_at=["2024-01-01 10:00"]), default_tz="Europe/Paris"
    )
    assert naive.created_at.tolist() == [dt.datetime(2024, 1, 1, 9)]


@pytest.mark.parametrize("lib", ["pandas", "polars", "pyarrow"])
def test_missing_lead_and_deal_columns_are_named(lib: str) -> None:
    with pytest.raises(MissingColumnError, match=r"leads: no column 'lead_id' \(the lead_id"):
        LeadSet.from_frame(make(lib, LEADS))
    with pytest.raises(MissingColumnError, match=r"no column 'tier' \(the attribute tier column"):
        LeadSet.from_frame(
            make(lib, LEADS), lead_id="id", created_at="created", attributes=["tier"]
        )
    with pytest.raises(MissingColumnError, match=r"deals: no column 'amount' \(the deal_amount"):
        LeadSet.from_frame(
            make(lib, LEADS), make(lib, DEALS), lead_id="id", created_at="created",
            deal_lead_id="lead", deal_created_at="opened",
        )  # fmt: skip


@pytest.mark.parametrize("lib", LIBS)
def test_spend_frame_matches_from_arrays(lib: str) -> None:
    got = SpendTable.from_frame(make(lib, SPEND), amount="cost", period="month", channel="channel")
    want = SpendTable.from_arrays(SPEND["cost"], SPEND["month"], channel=SPEND["channel"])
    assert got.amount.tolist() == want.amount.tolist() == [100.0, 50.0, 25.5]
    np.testing.assert_array_equal(got.month, want.month)
    assert got.channel.labels().tolist() == want.channel.labels().tolist()
    assert got.source.labels().tolist() == [None, None, None]
    assert got.total == 175.5 and got.currency == "USD"


def test_spend_frame_names_missing_columns_and_bad_rows() -> None:
    with pytest.raises(MissingColumnError, match=r"spend: no column 'amount'.*'period'"):
        SpendTable.from_frame(pd.DataFrame(SPEND))
    bad = pd.DataFrame({**SPEND, "cost": [100.0, -1.0, 2.0]})
    with pytest.raises(ValueError, match="'amount' must be finite and >= 0; row 2"):
        SpendTable.from_frame(bad, amount="cost", period="month")
