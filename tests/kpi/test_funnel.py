"""Funnel, cohorts, qualified leads, lead quality and visitor conversion: hand-computed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import LeadSet
from touchcredit.kpi.funnel import (
    cohorts,
    lead_quality,
    qualified_leads,
    stage_funnel,
    visitor_conversion,
)


def hand_made() -> LeadSet:
    """Six leads created 2024-01-01; L5 never moves, L6 skips MQL."""
    return LeadSet.from_arrays(
        lead_id=["L1", "L2", "L3", "L4", "L5", "L6"],
        created_at=["2024-01-01"] * 6,
        source=["a", "a", "a", "b", "b", "b"],
        mql_at=["2024-01-03", "2024-01-02", "2024-01-05", "2024-01-11", None, None],
        sql_at=["2024-01-05", "2024-01-08", None, None, None, "2024-01-04"],
        opportunity_at=["2024-01-10", "2024-01-12", None, None, None, None],
        customer_at=["2024-01-30", None, None, None, None, None],
        attributes={"employees": [10, 500, 120, 40, 5000, None]},
    )


def test_funnel_by_hand() -> None:
    f = stage_funnel(hand_made())
    assert f["stage"].tolist() == ["lead", "mql", "sql", "opportunity", "customer"]
    assert f["phase"].tolist() == ["TOFU", "MOFU", "MOFU", "BOFU", "BOFU"]
    assert f["reached"].tolist() == [6, 5, 3, 2, 1]
    assert f["rate_from_previous"].tolist() == pytest.approx([1, 5 / 6, 3 / 5, 2 / 3, 1 / 2])
    assert f["rate_from_lead"].tolist() == pytest.approx([1, 5 / 6, 3 / 6, 2 / 6, 1 / 6])
    assert f["drop_off"].tolist() == [0, 1, 2, 1, 1]
    # days to the next dated stage: lead [2, 1, 4, 10, 3]; mql [2, 6]; sql [5, 4]; opp [20]
    days = f["median_days_in_stage"]
    assert days[:4].tolist() == [3.0, 4.0, 4.5, 20.0] and np.isnan(days[4])
    assert f["timed"].tolist() == [5, 2, 2, 1, 0]
    assert "rate_from_previous" in f.percent


def test_funnel_by_source_and_undefined_rates() -> None:
    f = stage_funnel(hand_made(), by="source")
    a = [f.row("a", s)["reached"] for s in ("lead", "mql", "sql", "opportunity", "customer")]
    b = [f.row("b", s)["reached"] for s in ("lead", "mql", "sql", "opportunity", "customer")]
    assert a == [3, 3, 2, 2, 1] and b == [3, 2, 1, 0, 0]
    assert f.row("b", "sql")["median_days_in_stage"] != f.row("b", "sql")["median_days_in_stage"]
    assert np.isnan(f.row("b", "customer")["rate_from_previous"])  # 0 of 0
    assert any(
        "rate_from_previous is undefined (NaN)" in n and "b / customer" in n for n in f.notes
    )


def test_cohorts_by_creation_month() -> None:
    ls = LeadSet.from_arrays(
        lead_id=[1, 2, 3], created_at=["2024-01-15", "2024-01-31T23:30", "2024-02-10"],
        mql_at=["2024-01-16", None, "2024-02-11"],
    )  # fmt: skip
    utc = cohorts(ls)
    assert utc.row("2024-01", "lead")["reached"] == 2 and utc.row("2024-02", "lead")["reached"] == 1
    paris = cohorts(ls, tz="Europe/Paris")
    assert paris.row("2024-01", "lead")["reached"] == 1
    assert paris.row("2024-02", "lead")["reached"] == 2
    assert paris.row("2024-02", "mql")["rate_from_previous"] == 0.5


def test_qualified_leads_stage_predicate_and_period() -> None:
    ls = hand_made()
    t = qualified_leads(ls, "sql")
    assert t["qualified"].tolist() == [2, 1] and t["qualified_rate"].tolist() == [2 / 3, 1 / 3]
    big = qualified_leads(
        ls, lambda c: np.array([v is not None and v >= 100 for v in c["employees"]]), by="source"
    )
    assert big["qualified"].tolist() == [2, 1]
    monthly = qualified_leads(ls, "mql", period="month")
    assert monthly.key == ("source", "month") and monthly.row("a", "2024-01")["qualified"] == 3
    with pytest.raises(TypeError, match="must return one bool per lead"):
        qualified_leads(ls, lambda c: np.ones(2, dtype=bool))


def test_lead_quality_by_hand() -> None:
    ls = LeadSet.from_arrays(
        lead_id=["a1", "a2", "a3", "a4", "b1"],
        created_at=["2024-01-01"] * 5,
        source=["a", "a", "a", "a", "b"],
        opportunity_at=["2024-01-05", "2024-01-06", "2024-01-07", None, None],
        customer_at=["2024-01-30", None, None, None, None],
        deal_lead_id=["a2"], deal_amount=[100.0], deal_created_at=["2024-01-06"],
        deal_closed_at=["2024-01-21"], deal_won=[True],
    )  # fmt: skip
    t = lead_quality(ls)
    a = t.row("a")
    assert (a["leads"], a["opportunities"], a["customers"]) == (4, 3, 2)
    assert a["lead_to_opportunity"] == 0.75 and a["lead_to_customer"] == 0.5
    # days to win: 29 (customer_at) and 20 (won deal closed)
    assert a["days_to_win_p50"] == 24.5
    assert a["days_to_win_p25"] == pytest.approx(20 + 0.25 * 9)
    assert np.isnan(t.row("b")["days_to_win_p50"])
    assert any("without a won lead" in n for n in t.notes)


def test_visitor_conversion_seed_example() -> None:
    ls = LeadSet.from_arrays(
        lead_id=list(range(40)),
        created_at=[0] * 40,
        campaign=["ebook"] * 20 + ["demo"] * 20,
        unit="s",
    )
    t = visitor_conversion({"ebook": 4_000, "demo": 100, "webinar": 0}, ls)
    assert t.row("ebook")["conversion_rate"] == pytest.approx(0.005)
    assert t.row("demo")["conversion_rate"] == pytest.approx(0.20)
    assert np.isnan(t.row("webinar")["conversion_rate"])
    assert "0.50%" in repr(t) and "20.00%" in repr(t)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["s1", "s2"]), st.sampled_from(["c1", "c2", "c3"]),
                  st.lists(st.none() | st.integers(0, 5), min_size=4, max_size=4)),
        min_size=1, max_size=30,
    )
)  # fmt: skip
def test_funnel_counts_by_source_sum_over_campaigns(
    rows: list[tuple[str, str, list[int | None]]],
) -> None:
    n = len(rows)
    base = np.datetime64("2024-01-01", "D")
    stages = []
    for _, _, gaps in rows:  # increasing stage dates with holes
        t, out = 0, []
        for g in gaps:
            if g is None:
                out.append(None)
            else:
                t += g
                out.append(base + t)
        stages.append(out)
    cols = {
        name: np.array([s[i] if s[i] is not None else np.datetime64("NaT") for s in stages],
                       dtype="datetime64[D]")
        for i, name in enumerate(("mql_at", "sql_at", "opportunity_at", "customer_at"))
    }  # fmt: skip
    ls = LeadSet.from_arrays(
        lead_id=list(range(n)), created_at=np.full(n, base), source=[r[0] for r in rows],
        campaign=[r[1] for r in rows], **cols, unit="s",
    )  # fmt: skip
    whole = stage_funnel(ls, by="source")
    parts = stage_funnel(ls, by=("source", "campaign"))
    total = stage_funnel(ls)
    for col in ("reached", "drop_off", "timed"):
        for i in range(len(whole)):
            mask = (parts["source"] == whole["source"][i]) & (parts["stage"] == whole["stage"][i])
            assert parts[col][mask].sum() == whole[col][i]
        assert whole[col].reshape(-1, 5).sum(axis=0).tolist() == total[col].tolist()
    assert (np.diff(total["reached"]) <= 0).all()


def test_the_old_name_warns_and_gives_stage_funnel() -> None:
    from touchcredit.kpi import funnel as module

    with pytest.warns(DeprecationWarning, match="funnel.funnel is deprecated; use stage_funnel"):
        assert module.funnel is stage_funnel  # type: ignore[attr-defined]
