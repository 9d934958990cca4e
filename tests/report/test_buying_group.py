"""The report's "Buying group" section: numbers from the bundled Salesforce export, and
the section in Chromium at 1280 px and 390 px with no chart label overlapping another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("jinja2")

from touchcredit.report import Report

from .conftest import artifacts_dir
from .test_browser import CHROMIUM, Opened, browser
from .test_browser_journeys import _LABEL_BOXES, _problems
from .test_groups import account

__all__ = ["account", "browser"]  # module-scoped fixtures shared with test_browser, test_groups

WIDTHS = {"desktop": 1280, "narrow": 390}


@pytest.fixture(scope="module")
def group_page(account: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    js, report = account
    models = ["first_touch", "last_touch", "linear", "position", "markov"]
    page = Report(js, models=models, by=["channel", "campaign"], cleaning=report)
    return page.save(tmp_path_factory.mktemp("groups") / "report.html")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
@pytest.mark.parametrize("size", WIDTHS)
def test_buying_group_section_in_the_browser(browser: Any, group_page: Path, size: str) -> None:
    opened = Opened(browser, group_page)
    try:
        opened.page.set_viewport_size({"width": WIDTHS[size], "height": 900})
        assert opened.errors == [] and opened.blocked == []
        loc = opened.page.locator("section#buying-group")
        assert loc.is_visible()
        box = loc.bounding_box()
        assert box is not None and box["width"] <= WIDTHS[size]
        shot = artifacts_dir() / f"report-buying-group-{WIDTHS[size]}.png"
        loc.screenshot(path=str(shot))
        assert shot.stat().st_size > 1000
        charts = opened.page.evaluate(_LABEL_BOXES)
        roles = [c for c in charts if c["chart"].startswith("Credit by contact role")]
        assert len(roles) == 1 and len(roles[0]["labels"]) > 5
        assert _problems(roles) == []
    finally:
        opened.context.close()
