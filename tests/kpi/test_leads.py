"""LeadSet: building, validation, stages, grouping and month boundaries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import Deal, Lead, LeadSet
from touchcredit.core.grouping import group_quantiles, local_months


def small() -> LeadSet:
    return LeadSet.from_arrays(
        lead_id=["L1", "L2", "L3"],
        created_at=["2024-01-05", "2024-01-20", "2024-02-02"],
        source=["seo", None, "ads"],
        campaign=["c1", "c2", None],
        mql_at=["2024-01-07", None, "2024-02-03"],
        sql_at=[None, None, "2024-02-10"],
        attributes={"industry": ["saas", "retail", None], "revenue_musd": [5.0, 80.0, 120.0]},
        deal_lead_id=["L1", "L1", "L2"],
        deal_amount=[5000, 700, 300],
        deal_created_at=["2024-01-10", "2024-01-11", "2024-01-25"],
        deal_closed_at=["2024-02-01", "2024-01-15", None],
        deal_won=[True, True, False],
    )


def test_columns_and_deals() -> None:
    ls = small()
    assert ls.n_leads == 3 and ls.n_deals == 3
    assert ls.deal_lead.tolist() == [0, 0, 1]
    assert ls.won_revenue.tolist() == [5700.0, 0.0, 0.0]
    assert ls.currency() == "USD"
    # customer date falls back to the first won deal's close
    assert ls.won_at[0] == np.datetime64("2024-01-15", "us")
    assert np.isnat(ls.won_at[1:]).all()
    # L2's open deal makes it an opportunity (from the deal's creation date)
    assert ls.opened_at[1] == np.datetime64("2024-01-25", "us")
    assert ls.reached("opportunity").tolist() == [True, True, False]
    # skipped stages count as passed: L1 and L2 reached SQL through their deals
    assert ls.reached("mql").tolist() == [True, True, True]
    assert ls.reached("sql").tolist() == [True, True, True]
    assert ls.reached("customer").tolist() == [True, False, False]
    assert ls.column("industry").tolist() == ["saas", "retail", None]
    assert repr(ls) == "LeadSet(3 leads, 3 deals, sources: ads, seo)"


def test_skipped_stage_counts_as_passed() -> None:
    ls = LeadSet.from_arrays(lead_id=[1], created_at=["2024-01-01"], sql_at=["2024-01-03"])
    assert ls.reached("mql").tolist() == [True]
    assert np.isnat(ls.stage_time("mql")).all()


def test_from_objects_matches_from_arrays() -> None:
    leads = [
        Lead("L1", "2024-01-05", source="seo", mql_at="2024-01-07",
             attributes={"campaign": "c1", "industry": "saas"}),
        Lead("L2", "2024-01-20", attributes={"channel": "email"}),
    ]  # fmt: skip
    deals = [Deal("D1", "L1", 5000, "2024-01-10", "2024-02-01", won=True)]
    ls = LeadSet.from_objects(leads, deals)
    assert ls.lead_ids.tolist() == ["L1", "L2"]
    assert ls.source.labels().tolist() == ["seo", None]
    assert ls.campaign.labels().tolist() == ["c1", None]
    assert ls.channel.labels().tolist() == [None, "email"]
    assert list(ls.attributes) == ["industry"]
    assert ls.won_revenue.tolist() == [5000.0, 0.0]
    assert ls.mql_at[0] == np.datetime64("2024-01-07", "us")


def test_stage_order_error_names_row_and_lead() -> None:
    with pytest.raises(ValueError, match=r"'sql_at' must not precede 'mql_at'; row 2 \(lead 'b'\)"):
        LeadSet.from_arrays(
            lead_id=["a", "b"], created_at=["2024-01-01"] * 2,
            mql_at=[None, "2024-01-05"], sql_at=["2024-01-02", "2024-01-03"],
        )  # fmt: skip


def test_stage_dates_taken_from_deals_must_respect_the_order() -> None:
    with pytest.raises(
        ValueError,
        match=r"'opportunity_at' must not precede 'mql_at'; row 2 \(lead 'a'\) has "
        r"opportunity_at=2024-01-02T00:00:00.000000 \(taken from its deals\) before mql_at=",
    ):
        LeadSet.from_arrays(
            lead_id=["z", "a"], created_at=["2024-01-01"] * 2, mql_at=[None, "2024-01-10"],
            deal_lead_id=["a"], deal_amount=[10.0], deal_created_at=["2024-01-02"],
            deal_closed_at=["2024-01-03"], deal_won=[True],
        )  # fmt: skip


def test_duplicate_and_bad_deal_errors() -> None:
    with pytest.raises(ValueError, match=r"duplicate lead id 'a' \(rows 1 and 3\)"):
        LeadSet.from_arrays(lead_id=["a", "b", "a"], created_at=[0, 0, 0], unit="s")
    with pytest.raises(ValueError, match=r"'deal_lead_id' row 2 refers to lead 'zz'"):
        LeadSet.from_arrays(
            lead_id=["a"], created_at=[0], deal_lead_id=["a", "zz"], deal_amount=[1, 2],
            deal_created_at=[0, 0], unit="s",
        )  # fmt: skip
    with pytest.raises(ValueError, match=r"a won deal needs 'deal_closed_at'; deal row 1"):
        LeadSet.from_arrays(
            lead_id=["a"], created_at=[0], deal_lead_id=["a"], deal_amount=[1],
            deal_created_at=[0], deal_won=[True], unit="s",
        )  # fmt: skip
    with pytest.raises(ValueError, match=r"'deal_amount' must be finite and >= 0; row 1"):
        LeadSet.from_arrays(
            lead_id=["a"], created_at=[0], deal_lead_id=["a"], deal_amount=[-1],
            deal_created_at=[0], unit="s",
        )  # fmt: skip
    mixed = LeadSet.from_arrays(
        lead_id=["a"], created_at=[0], deal_lead_id=["a", "a"], deal_amount=[1, 2],
        deal_created_at=[0, 0], deal_closed_at=[1, 1], deal_won=np.array([True, True]),
        deal_currency=["USD", "EUR"], unit="s",
    )  # fmt: skip
    with pytest.raises(ValueError, match="more than one currency"):
        mixed.currency()


def test_groups_by_label_month_attribute_key_and_tuple() -> None:
    ls = small()
    g = ls.groups("source")
    assert g.labels == ("ads", "seo", None) and g.codes.tolist() == [1, 2, 0]
    assert ls.groups("month").labels == ("2024-01", "2024-02")
    assert ls.groups("industry").labels == ("retail", "saas", None)
    key = ls.groups(np.array(["x", "y", "x"]))
    assert key.labels == ("x", "y") and key.codes.tolist() == [0, 1, 0]
    both = ls.groups(("source", "month"))
    assert [both.labels[c] for c in both.codes.tolist()] == [
        ("seo", "2024-01"), (None, "2024-01"), ("ads", "2024-02"),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="'by' has 2 keys, expected one per lead"):
        ls.groups(["x", "y"])
    with pytest.raises(KeyError, match="no column 'nope'"):
        ls.groups("nope")


def test_local_months_across_zones_and_dst() -> None:
    t = np.array(
        ["2024-03-31T22:30", "2024-03-31T21:30", "2024-11-01T03:30", "NaT"], dtype="datetime64[us]"
    )
    # Paris is UTC+2 in summer time (from 31 March 2024, 01:00 UTC)
    assert local_months(t, "Europe/Paris").astype(str).tolist() == [
        "2024-04", "2024-03", "2024-11", "NaT",
    ]  # fmt: skip
    # New York is UTC-4 on 1 November 2024 (summer time ends 3 November)
    assert local_months(t, "America/New_York").astype(str).tolist()[2] == "2024-10"
    assert local_months(t, dt.UTC).astype(str).tolist()[:3] == ["2024-03", "2024-03", "2024-11"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.floats(0, 100) | st.just(float("nan"))), max_size=40),
    st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0]),
)
def test_group_quantiles_match_numpy(rows: list[tuple[int, float]], q: float) -> None:
    codes = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows], dtype=np.float64)
    out = group_quantiles(values, codes, 4, [q])[:, 0]
    for k in range(4):
        vals = values[(codes == k) & ~np.isnan(values)]
        if vals.size == 0:
            assert np.isnan(out[k])
        else:
            assert out[k] == pytest.approx(float(np.quantile(vals, q)))


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
)
def test_local_months_match_zoneinfo_near_month_ends(zone: str) -> None:
    from zoneinfo import ZoneInfo

    month_starts = np.arange(np.datetime64("2019-01"), np.datetime64("2026-01")).astype(
        "datetime64[us]"
    )
    shifts = np.array([-14, -10, -5, -1, 0, 1, 5, 10, 14], dtype=np.int64) * 3_600_000_000
    t = (month_starts.view(np.int64)[:, None] + shifts[None, :]).reshape(-1)
    t = np.concatenate([t, t + 1_800_000_000, t - 1]).astype("datetime64[us]")
    got = local_months(t, zone)
    z = ZoneInfo(zone)
    want = [
        np.datetime64(x.replace(tzinfo=dt.UTC).astimezone(z).replace(tzinfo=None), "M")
        for x in t.tolist()
    ]
    assert got.tolist() == np.array(want).tolist()


def test_compact_dense_and_sparse_keys_agree_with_unique() -> None:
    from touchcredit.core.grouping import compact

    rng = np.random.default_rng(3)
    for keys in (rng.integers(0, 50, 1000), np.array([5, 10**12, 5, 7]), np.zeros(0, np.int64)):
        uniq, idx = compact(keys.astype(np.int64))
        want_u, want_i = np.unique(keys, return_inverse=True)
        assert uniq.tolist() == want_u.tolist() and idx.tolist() == want_i.reshape(-1).tolist()
