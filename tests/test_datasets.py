"""The bundled example data: shape, realism features, determinism, builders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from touchcredit.datasets import ExampleData, load_example

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "touchcredit" / "data" / "example"


@pytest.fixture(scope="module")
def data() -> ExampleData:
    return load_example()


def test_sizes_and_columns(data: ExampleData) -> None:
    assert len(np.unique(data.touches["person_id"])) == 3000
    assert 10_000 < data.touches["timestamp"].size < 20_000
    assert set(data.leads) >= {"lead_id", "created_at", "mql_at", "sql_at", "opportunity_at"}
    assert data.touches["timestamp"].dtype == np.dtype("datetime64[us]")
    assert data.deals["amount"].dtype == np.float64
    assert data.deals["won"].dtype == np.bool_
    assert repr(data).startswith("ExampleData(touches=")


def test_files_are_small() -> None:
    total = sum(p.stat().st_size for p in DATA.iterdir())
    assert total < 2_000_000


def test_messy_source_spellings_and_utm_urls(data: ExampleData) -> None:
    t = data.touches
    linkedin = set(t["source_raw"][t["source"] == "LinkedIn Ads"].tolist())
    assert {"LinkedIn", "linkedin", "lnkd.in"} <= linkedin
    tagged = np.array(["utm_source=" in u for u in t["url"].tolist()])
    assert 0.3 < tagged.mean() < 0.9
    offline = np.isin(t["touch_type"], ["badge scan", "cold call"])
    assert offline.any()
    assert (t["url"][offline] == "").all()  # offline touches have no landing URL


def test_stage_dates_are_ordered(data: ExampleData) -> None:
    lead = data.leads
    prev = lead["created_at"]
    for name in ("mql_at", "sql_at", "opportunity_at", "customer_at"):
        cur = lead[name]
        both = ~np.isnat(cur) & ~np.isnat(prev)
        assert (cur[both] >= prev[both]).all(), name
        prev = np.where(np.isnat(cur), prev, cur)


def test_deals_and_spend(data: ExampleData) -> None:
    d = data.deals
    assert set(d["currency"].tolist()) == {"USD"}
    assert d["won"].any() and (~d["won"]).any()
    assert (d["amount"] > 0).all()
    assert np.isin(d["lead_id"], data.leads["lead_id"]).all()
    months = sorted(set(data.spend["month"].tolist()))
    assert len(months) == 12 and months[0] == "2024-01"
    assert "LinkedIn Ads" in set(data.spend["source"].tolist())


def test_journeys_for_leads_and_revenue(data: ExampleData) -> None:
    leads = data.journeys("leads")
    assert leads.n_conversions == data.leads["lead_id"].size
    assert leads.total_value == data.leads["lead_id"].size
    revenue = data.journeys("revenue")
    won = data.deals["won"]
    assert revenue.total_value == pytest.approx(data.deals["amount"][won].sum())
    assert revenue.currency == "USD"
    with pytest.raises(ValueError, match="target must be"):
        data.journeys("clicks")  # type: ignore[arg-type]


def test_lead_set_and_spend_table(data: ExampleData) -> None:
    ls = data.lead_set()
    assert ls.n_leads == data.leads["lead_id"].size
    assert ls.n_deals == data.deals["deal_id"].size
    assert data.spend_table().total == pytest.approx(data.spend["amount"].sum())


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_example_data", ROOT / "scripts" / "make_example_data.py"
    )
    if spec is None or spec.loader is None:
        pytest.skip("scripts/make_example_data.py is not available")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_example_data"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_generator_is_deterministic_and_matches_the_shipped_files(tmp_path: Path) -> None:
    gen = _generator()
    gen.write(gen.make(), tmp_path)
    for p in sorted(DATA.iterdir()):
        if p.is_file():  # exports/: the next test
            assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


def test_example_exports_are_deterministic_and_match_the_shipped_files(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    spec = importlib.util.spec_from_file_location(
        "example_exports", ROOT / "scripts" / "example_exports.py"
    )
    if spec is None or spec.loader is None:
        pytest.skip("scripts/example_exports.py is not available")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.write_all(tmp_path)
    crm_spec = importlib.util.spec_from_file_location(
        "crm_export", ROOT / "scripts" / "crm_export.py"
    )
    assert crm_spec is not None and crm_spec.loader is not None
    crm = importlib.util.module_from_spec(crm_spec)
    crm_spec.loader.exec_module(crm)
    crm.write_crm(DATA, tmp_path / "crm")  # the CRM sheets, from the example tables
    shipped = sorted(p.relative_to(DATA / "exports") for p in (DATA / "exports").rglob("*.*"))
    assert shipped == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.*"))
    for rel in shipped:
        if rel.suffix == ".parquet":  # same rows; the file metadata names the writer
            assert pq.read_table(tmp_path / rel).equals(pq.read_table(DATA / "exports" / rel))
        else:
            assert (tmp_path / rel).read_bytes() == (DATA / "exports" / rel).read_bytes(), rel
