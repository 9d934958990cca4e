"""The report of the bundled CRM pipeline (examples/crm.toml) in Chromium.

Its sections from leads, won deals and spend: the headline KPIs, revenue and ROI by
recorded source next to each model's credit, and credit by source / medium. Screenshots
go to the test artifacts folder (``report-crm-*.png``); no console error, no request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from touchcredit.cli import main

from .conftest import artifacts_dir
from .test_browser import CHROMIUM, Opened, browser, sync_api

__all__ = ["browser"]  # the module-scoped browser fixture, shared with test_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
assert sync_api is not None

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["kpis", "revenue-views-source", "credit-source-medium"]


@pytest.fixture(scope="module")
def crm_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("crm")
    assert main(["run", str(ROOT / "examples" / "crm.toml"), "--out-dir", str(out)]) == 0
    page = Opened(browser, out / "report.html")
    yield page
    page.context.close()


def test_no_network_no_console_errors(crm_page: Opened) -> None:
    assert crm_page.blocked == [] and crm_page.failed == [] and crm_page.errors == []


@pytest.mark.parametrize("section", SECTIONS)
def test_section_visible_with_a_screenshot(crm_page: Opened, section: str) -> None:
    loc = crm_page.page.locator(f"section#{section}")
    assert loc.is_visible()
    shot = artifacts_dir() / f"report-crm-{SECTIONS.index(section) + 1}-{section}.png"
    loc.screenshot(path=str(shot))
    assert shot.stat().st_size > 1000
    print(f"screenshot: {shot}")


def test_both_revenues_and_source_medium_are_on_the_page(crm_page: Opened) -> None:
    views = crm_page.page.locator("section#revenue-views-source table").first
    heads = [h.strip() for h in views.locator("thead th").all_inner_texts()]
    assert heads[:4] == ["source", "spend", "revenue: recorded source", "ROI: recorded source"]
    assert "revenue: linear" in heads
    pairs = crm_page.page.locator("section#credit-source-medium tbody tr td:first-child")
    labels = pairs.all_inner_texts()
    # paid and organic Google apart: a cpc click is a Google Ads touch
    assert "Google Ads / cpc" in labels and "Google / organic" in labels
