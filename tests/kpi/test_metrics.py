"""Lead KPIs: the seed's worked examples, undefined values, money tables, monthly report."""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit
from touchcredit import JourneySet, LeadSet, Spend
from touchcredit.kpi.metrics import (
    SpendTable,
    UndefinedMetricWarning,
    UnmatchedLabelWarning,
    conversion_rate,
    cost_per_lead,
    customer_acquisition_cost,
    economics,
    lead_value,
    monthly_report,
    roas,
    roi,
)


def seed_leads() -> LeadSet:
    """200 leads: A 60 (one 85,000 deal), B 60 (one 15,000 deal), C 80 (none)."""
    source = ["A"] * 60 + ["B"] * 60 + ["C"] * 80
    ids = [f"L{i}" for i in range(200)]
    return LeadSet.from_arrays(
        lead_id=ids, created_at=["2024-03-10"] * 200, source=source,
        deal_lead_id=["L0", "L60"], deal_amount=[85_000, 15_000],
        deal_created_at=["2024-03-12"] * 2, deal_closed_at=["2024-03-28"] * 2,
        deal_won=[True, True],
    )  # fmt: skip


# ------------------------------------------------------------------ the seed's numbers
def test_lead_value_seed_example() -> None:
    assert lead_value(100_000, 200) == 500.0
    by_source = lead_value({"A": 85_000, "B": 15_000}, {"A": 60, "B": 60})
    assert by_source["A"] == pytest.approx(1416.67, abs=0.005)
    assert by_source["B"] == 250.0


def test_lead_value_from_leads_and_deals() -> None:
    ls = seed_leads()
    overall = economics(ls, by=np.full(200, "all"))
    assert overall.row("all")["lead_value"] == 500.0
    t = economics(ls)
    assert round(t.row("A")["lead_value"], 2) == pytest.approx(1416.67)
    assert t.row("B")["lead_value"] == 250.0
    assert t.row("C")["lead_value"] == 0.0
    assert t["leads"].tolist() == [60, 60, 80]
    assert t["customers"].tolist() == [1, 1, 0]


def test_cost_per_lead_and_unaffordable_flag() -> None:
    assert cost_per_lead(1_000, 20) == 50.0
    ls = LeadSet.from_arrays(
        lead_id=list(range(20)), created_at=["2024-05-02"] * 20, source=["ads"] * 20
    )
    t = economics(ls, spend=[Spend(1_000, "2024-05", source="ads")], revenue={"ads": 800})
    row = t.row("ads")
    assert row["cost_per_lead"] == 50.0 and row["lead_value"] == 40.0
    assert row["unaffordable"] is True
    assert t.unaffordable == ("ads",)
    assert t.warnings == ("ads: cost per lead exceeds lead value (loses money on every lead)",)
    assert "warning: ads: cost per lead exceeds lead value" in repr(t)
    fine = economics(ls, spend={"ads": 1_000}, revenue={"ads": 1_200})
    assert fine.unaffordable == () and fine.row("ads")["unaffordable"] is False


def test_conversion_rates_seed_example() -> None:
    assert conversion_rate(20, 4_000) == pytest.approx(0.005)
    assert conversion_rate(20, 100) == pytest.approx(0.20)
    assert conversion_rate(np.array([20, 20]), np.array([4_000, 100])).tolist() == [0.005, 0.2]


def test_cac_roi_roas() -> None:
    assert customer_acquisition_cost(10_000, 4) == 2_500.0
    assert roi(3_000, 1_000) == 2.0 and roas(3_000, 1_000) == 3.0
    assert roi({"a": 500}, {"a": 1_000}) == {"a": -0.5}


# ------------------------------------------------------------------ undefined values
def test_zero_denominator_is_nan_with_a_warning() -> None:
    with pytest.warns(UndefinedMetricWarning, match="cost_per_lead is undefined .* leads == 0"):
        assert np.isnan(cost_per_lead(1_000, 0))
    with pytest.warns(UndefinedMetricWarning, match=r"where leads == 0: b"):
        out = lead_value({"a": 10, "b": 5}, {"a": 2})
    assert out["a"] == 5.0 and np.isnan(out["b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cost_per_lead([10.0], [2]).tolist() == [5.0]  # no warning when defined


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="'spend' must be finite and >= 0, got -5.0"):
        cost_per_lead(-5, 10)
    with pytest.raises(ValueError, match=r"'leads' must be finite and >= 0; item 1"):
        cost_per_lead([5, 5], [1, np.nan])
    with pytest.raises(TypeError, match="must both be mappings"):
        lead_value({"a": 1}, 5)


def test_tables_record_reasons_instead_of_warning() -> None:
    ls = LeadSet.from_arrays(lead_id=[1], created_at=["2024-01-01"], source=["seo"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        with pytest.warns(UnmatchedLabelWarning, match="in spend only: 'traditional media'"):
            t = economics(ls, spend={"seo": 0.0, "tv": 500.0})
    tv = "traditional media"  # the catalog spelling of "tv"
    assert np.isnan(t.row(tv)["cost_per_lead"])
    assert any(f"cost_per_lead is undefined (NaN) where leads == 0: {tv}" in n for n in t.notes)
    assert any("roi/roas is undefined (NaN) where spend == 0: organic search" in n for n in t.notes)
    assert "n/a" in repr(t)
    # every row has spend: the CAC note must still be there (no customers anywhere)
    t2 = economics(ls, spend={"seo": 100.0}, labels="exact")
    assert t2.notes == ("customer_acquisition_cost is undefined (NaN) where customers == 0: seo",)


# ------------------------------------------------------------------ spend and revenue inputs
def test_spend_table_inputs() -> None:
    s = SpendTable.from_objects(
        [Spend(100, "2024-01", source="a"), Spend(50, "2024-02-10", source="a", channel="x")]
    )
    assert s.total == 150.0 and s.currency == "USD"
    assert s.month.astype(str).tolist() == ["2024-01", "2024-02"]
    with pytest.raises(ValueError, match="more than one currency"):
        SpendTable.from_objects([Spend(1, "2024-01"), Spend(1, "2024-01", currency="EUR")])
    with pytest.raises(ValueError, match="'amount' must be finite and >= 0; row 2"):
        SpendTable.from_arrays([1, -1], ["2024-01", "2024-01"])
    ls = LeadSet.from_arrays(lead_id=[1, 2], created_at=[0, 0], source=["a", "a"], unit="s")
    with pytest.raises(ValueError, match="cannot group them by 'method'"):
        economics(ls, spend=s, by="method")


def test_revenue_from_credit_table_like_and_currency_check() -> None:
    ls = seed_leads()
    table = types.SimpleNamespace(
        dimension="source", labels=("A", "B", None), value=np.array([50_000.0, 30_000.0, 20_000.0])
    )
    t = economics(ls, revenue=table)
    assert t.row("B")["lead_value"] == 500.0
    assert t.row(None)["revenue"] == 20_000.0 and t.row(None)["leads"] == 0
    with pytest.raises(ValueError, match="the revenue table is by 'channel'"):
        economics(ls, revenue=types.SimpleNamespace(dimension="channel", labels=(), value=[]))
    with pytest.raises(ValueError, match="revenue is in USD and spend in EUR"):
        economics(ls, spend=[Spend(1, "2024-03", source="A", currency="EUR")])


def fake_attribution() -> tuple[LeadSet, types.SimpleNamespace]:
    """Last-touch attribution built by hand: weights 1 on each conversion's last touch."""
    js = JourneySet.from_arrays(
        journey_id=["p1", "p1", "p2"],
        timestamp=["2024-01-02", "2024-01-20", "2024-02-01"],
        channel=["paid", "email", "paid"],
        source=["ads", "newsletter", "ads"],
        conversion_journey_id=["p1", "p2"],
        conversion_time=["2024-01-31T23:30", "2024-02-03"],
        conversion_value=[900.0, 100.0],
        target="revenue",
        currency="USD",
    )
    pairs = js.pairs()
    last = np.zeros(pairs.size)
    last[pairs.offsets[1:] - 1] = 1.0
    attribution = types.SimpleNamespace(journeys=js, pairs=pairs, weights=last, model="last_touch")
    ls = LeadSet.from_arrays(
        lead_id=["p1", "p2"], created_at=["2024-01-03", "2024-02-01"], source=["ads", "ads"]
    )
    return ls, attribution


def test_attributed_revenue_roi_and_months() -> None:
    ls, att = fake_attribution()
    spend = [Spend(300, "2024-01", source="ads"), Spend(200, "2024-02", source="newsletter")]
    t = economics(ls, spend=spend, attribution=att)
    assert t.row("newsletter")["revenue"] == 900.0 and t.row("ads")["revenue"] == 100.0
    assert t.row("newsletter")["roi"] == pytest.approx((900 - 200) / 200)
    assert t.row("ads")["roas"] == pytest.approx(100 / 300)
    # The conversion at 23:30 UTC on 31 January is in February in Paris.
    r = monthly_report(ls, spend=spend, attribution=att, tz="Europe/Paris")
    assert r.row("newsletter", "2024-02")["revenue"] == 900.0
    assert r.row("newsletter", "2024-02")["spend"] == 200.0
    assert r.row("ads", "2024-01")["leads"] == 1 and r.row("ads", "2024-01")["revenue"] == 0.0
    assert r.revenue_basis == "attributed ('last_touch'): the model's credit to the touches' source"
    assert t.title.endswith(
        "(revenue: attributed ('last_touch'): the model's credit to the touches' source)"
    )
    utc = monthly_report(ls, attribution=att)
    assert utc.row("newsletter", "2024-01")["revenue"] == 900.0
    leads_only = types.SimpleNamespace(
        journeys=types.SimpleNamespace(target="leads"), pairs=None, weights=None
    )
    with pytest.raises(ValueError, match="this attribution credits leads, not revenue"):
        economics(ls, attribution=leads_only)


def test_real_attribution_if_available() -> None:
    if not hasattr(touchcredit, "attribute"):
        pytest.skip("touchcredit.attribute is not available yet")
    ls, att = fake_attribution()
    real = touchcredit.attribute(att.journeys, "last_touch")
    t = economics(ls, attribution=real)
    assert t.row("newsletter")["revenue"] == pytest.approx(900.0)
    t2 = economics(ls, revenue=real.by("source"))
    assert t2.row("ads")["revenue"] == pytest.approx(100.0)


# ------------------------------------------------------------------ monthly report
def test_monthly_report_rows_and_display() -> None:
    ls = LeadSet.from_arrays(
        lead_id=[1, 2, 3], created_at=["2024-01-05", "2024-01-31T23:30", "2024-02-01"],
        source=["<script>", "ads", "ads"], mql_at=[None, "2024-02-02", None],
        deal_lead_id=[2], deal_amount=[500.0], deal_created_at=["2024-02-03"],
        deal_closed_at=["2024-02-20"], deal_won=[True],
    )  # fmt: skip
    r = monthly_report(ls, spend=[Spend(300, "2024-01", source="ads")], tz="Europe/Paris")
    assert r["source"].tolist() == ["<script>", "ads", "ads"]
    assert r["month"].tolist() == ["2024-01", "2024-01", "2024-02"]
    ads = r.row("ads", "2024-02")  # lead 2 was created on 1 February in Paris
    assert (ads["leads"], ads["mqls"], ads["customers"], ads["revenue"]) == (2, 1, 1, 500.0)
    assert ads["lead_value"] == 250.0 and ads["spend"] == 0.0
    jan = r.row("ads", "2024-01")  # spend booked in a month without leads
    assert jan["leads"] == 0 and jan["spend"] == 300.0 and np.isnan(jan["cost_per_lead"])
    cols = r.columns()
    assert isinstance(cols["spend"], np.ndarray) and cols["spend"].tolist() == [0.0, 300.0, 0.0]
    lines = repr(r).splitlines()
    assert lines[0] == (
        "Monthly report by source (Europe/Paris months, revenue: won deals, by the lead's "
        "recorded source)"
    )
    header = lines[1]
    # wrapped into blocks of at most 100 columns, each led by the key columns; money
    # columns carry the currency
    blocks = [lines[1]] + [lines[i + 1] for i, line in enumerate(lines) if line == ""]
    assert all(len(line) <= 100 for line in lines)
    shown = [h for b in blocks for h in b.replace(" (USD)", "").split()[2:]]
    assert ["source", "month", *shown] == list(r.names)
    assert "spend (USD)" in repr(r) and "leads (USD)" not in repr(r)
    # aligned: every row's month starts under the header's "month"
    assert {line[header.index("month") :][:7] for line in lines[2:5]} == {"2024-01", "2024-02"}
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    with pytest.raises(ValueError, match=r"key it by \(label, 'YYYY-MM'\)"):
        monthly_report(ls, revenue={"ads": 5.0})
    r2 = monthly_report(ls, revenue={("ads", "2024-03"): 5.0})
    assert r2.row("ads", "2024-03")["revenue"] == 5.0


def test_report_exports() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("touchcredit.io.frames")
    r = monthly_report(seed_leads(), spend={("A", "2024-03"): 600.0})
    df = r.to_pandas()
    assert isinstance(df, pd.DataFrame) and list(df.columns) == list(r.names)
    assert df["cost_per_lead"].iloc[0] == 10.0


# ------------------------------------------------------------------ additivity
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["s1", "s2", "s3"]),
            st.sampled_from(["c1", "c2", None]),
            st.integers(0, 80),  # created, days after 2024-01-01
            st.none() | st.integers(0, 5_000),  # won deal amount
        ),
        min_size=1,
        max_size=40,
    )
)
def test_by_source_equals_sum_over_campaigns(
    rows: list[tuple[str, str | None, int, int | None]],
) -> None:
    n = len(rows)
    base = np.datetime64("2024-01-01", "D")
    created = base + np.array([r[2] for r in rows])
    won = [i for i, r in enumerate(rows) if r[3] is not None]
    ls = LeadSet.from_arrays(
        lead_id=list(range(n)), created_at=created, source=[r[0] for r in rows],
        campaign=[r[1] for r in rows], deal_lead_id=won,
        deal_amount=[rows[i][3] for i in won], deal_created_at=created[won],
        deal_closed_at=created[won] + 3, deal_won=np.ones(len(won), dtype=bool), unit="s",
    )  # fmt: skip
    for period in (None, "month"):
        whole = economics(ls, by="source", period=period)
        parts = economics(ls, by=("source", "campaign"), period=period)
        for col in ("leads", "customers", "revenue"):
            for i in range(len(whole)):
                src = whole["source"][i]
                mask = parts["source"] == src
                if period:
                    mask &= parts["month"] == whole["month"][i]
                assert parts[col][mask].sum() == pytest.approx(whole[col][i])


def test_metric_table_access_truncation_and_exports() -> None:
    ls = LeadSet.from_arrays(
        lead_id=list(range(70)),
        created_at=[0] * 70,
        source=[f"s{i:02d}" for i in range(70)],
        unit="s",
    )
    t = economics(ls)
    assert len(t) == 70 and t.key == ("source",)
    text = repr(t).splitlines()
    assert text[-1] == "... 10 more rows" and len(text) == 2 + 60 + 1
    assert "10 more rows" in t._repr_html_()
    with pytest.raises(KeyError, match="no column 'nope'"):
        t["nope"]
    with pytest.raises(KeyError, match="no row with"):
        t.row("zz")
    with pytest.raises(ValueError, match="read-only"):
        t["leads"][0] = 5
    cols = t.columns()
    cols["leads"][0] = 5  # a copy
    assert t["leads"][0] == 1
    pytest.importorskip("touchcredit.io.frames")
    pl = pytest.importorskip("polars")
    assert pl.DataFrame is type(t.to_polars()) and t.to_polars().height == 70
    pa = pytest.importorskip("pyarrow")
    assert isinstance(t.to_arrow(), pa.Table) and t.to_arrow().num_rows == 70


def test_spend_value_validation() -> None:
    import datetime as dt

    assert Spend(5, dt.date(2024, 3, 17)).period == dt.date(2024, 3, 1)
    assert Spend(5, "2024-03-31T23:00:00").period == dt.date(2024, 3, 1)
    with pytest.raises(ValueError, match="'amount' must be >= 0, got -1.0"):
        Spend(-1, "2024-03")
    with pytest.raises(ValueError, match="'period' must be a month like '2024-03'"):
        Spend(1, "March")
    with pytest.raises(TypeError, match="'period' must be a month"):
        Spend(1, 202403)
    with pytest.raises(ValueError, match="'currency' must be a 3-letter ISO 4217 code"):
        Spend(1, "2024-03", currency="dollars")
    with pytest.raises(ValueError, match="'source' must not be empty"):
        Spend(1, "2024-03", source=" ")


def test_monthly_report_by_channel() -> None:
    ls = LeadSet.from_arrays(
        lead_id=[1, 2, 3], created_at=["2024-04-02"] * 3, channel=["email", "email", "paid"]
    )
    spend = [
        Spend(90, "2024-04", channel="paid", source="ads"),
        Spend(10, "2024-04", channel="email"),
    ]
    r = monthly_report(ls, spend=spend, by="channel")
    assert r.key == ("channel", "month") and r.by == "channel"
    assert r.row("paid", "2024-04")["cost_per_lead"] == 90.0
    assert r.row("email", "2024-04")["cost_per_lead"] == 5.0


def test_attributed_revenue_from_a_registered_model_keeps_every_cent() -> None:
    from touchcredit import models

    js = JourneySet.from_arrays(
        journey_id=["p1", "p1", "p2", "p2", "p3", "p4"],
        timestamp=["2024-01-02", "2024-01-09", "2024-01-03", "2024-02-11", "2024-01-05",
                   "2024-03-01"],
        channel=["paid", "email", "email", "paid", "seo", "seo"],
        conversion_journey_id=["p1", "p2", "p4"],
        conversion_time=["2024-01-20", "2024-02-12", "2024-02-01"],  # p4 converts before its touch
        conversion_value=[900.0, 300.0, 50.0],
        target="revenue",
        currency="USD",
    )  # fmt: skip
    model = models.get("markov").fit(js)
    att = types.SimpleNamespace(
        journeys=js, pairs=model.pairs(js), weights=model.weights(js), model=model
    )
    ls = LeadSet.from_arrays(lead_id=["p1"], created_at=["2024-01-01"], channel=["paid"])
    t = economics(ls, attribution=att, by="channel")
    assert t["revenue"].sum() == pytest.approx(1_200.0)  # p4's 50 has no eligible touch
    assert any("50.00 of revenue is unattributed" in n for n in t.notes)
    r = monthly_report(ls, attribution=att, by="channel")
    assert r["revenue"].sum() == pytest.approx(1_200.0)
    assert r["revenue"][r["month"] == "2024-02"].sum() == pytest.approx(300.0)
