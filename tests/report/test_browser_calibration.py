"""A calibrated report in Chromium at 1280 px and 390 px: the Calibrated column and the
experiments table fit the page or scroll inside their own box, no chart label overlaps
another, the Calibrated column sorts by its values, screenshots of both sections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import touchcredit as tc
from touchcredit.report import Report

from .conftest import artifacts_dir
from .test_browser import CHROMIUM, Opened, browser, sync_api
from .test_browser_journeys import _LABEL_BOXES, WIDTHS, _problems, crowded_journeys

__all__ = ["browser"]  # the module-scoped browser fixture, shared with test_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
assert sync_api is not None


@pytest.fixture(scope="module")
def calibrated_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six models with long channel names; Markov calibrated by three experiments."""
    names = [
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW partner newsletter (co-marketing)",
        "paid search",
        "email",
        "organic social — LinkedIn company page, very long name",
        "ÉVÉNEMENTS salon professionnel",
        "参考 referral",
    ]
    js = crowded_journeys(names, seed=11, max_len=7)
    markov = tc.models.get("markov").fit(js)
    experiments = {
        "channel": [str(names[0]), "paid search", "参考 referral"],
        "incremental": [90_000.0, 60_000.0, 20_000.0],
        "lower": [40_000.0, None, 5_000.0],
        "upper": [140_000.0, None, 35_000.0],
    }
    cal = tc.attribute(js, markov).calibrate(experiments, measure="value", untested="pooled")
    models = ["first_touch", "last_touch", "linear", "position", "time_decay", markov]
    report = Report(js, models=models, by=["channel", "source"], bootstrap=10, calibration=cal)
    return report.save(tmp_path_factory.mktemp("calibrated") / "report.html")


def _open(browser: Any, path: Path, width: int) -> Opened:
    page = Opened(browser, path)
    page.page.set_viewport_size({"width": width, "height": 900})
    return page


@pytest.mark.parametrize("size", WIDTHS)
def test_calibrated_tables_fit_or_scroll_in_their_box(
    browser: Any, calibrated_page: Path, size: str
) -> None:
    width = WIDTHS[size]
    opened = _open(browser, calibrated_page, width)
    try:
        page = opened.page
        assert opened.errors == [] and opened.blocked == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll('.table-box')).map(b => [
                 b.getBoundingClientRect().right, getComputedStyle(b).overflowX])"""
        )
        assert boxes and all(right <= width and ov == "auto" for right, ov in boxes)
        heads = page.locator("section#credit-channel thead th").all_inner_texts()
        assert [h.strip() for h in heads][-2:] == ["markov", "Calibrated"]
        for section in ("credit-channel", "calibration"):
            loc = page.locator(f"section#{section}")
            assert loc.is_visible()
            box = loc.bounding_box()
            assert box is not None and box["width"] <= width
            shot = artifacts_dir() / f"report-calibration-{section}-{width}.png"
            loc.screenshot(path=str(shot))
            assert shot.stat().st_size > 1000
        assert _problems(page.evaluate(_LABEL_BOXES)) == []
    finally:
        opened.context.close()


def test_sorting_the_calibrated_column(browser: Any, calibrated_page: Path) -> None:
    opened = _open(browser, calibrated_page, 1280)
    try:
        page = opened.page
        table = page.locator("section#credit-channel table").first
        head = table.locator("thead th", has_text="Calibrated")
        index = len(table.locator("thead th").all()) - 1
        cells = table.locator(f"tbody tr td:nth-child({index + 1})")

        def values() -> list[float]:
            raw = cells.evaluate_all("cs => cs.map(c => c.dataset.v)")
            return [float(v) for v in raw if v]  # the unattributed row's cell is empty

        before = values()
        assert len(before) == 7  # six channels and the baseline
        head.click()
        assert values() == sorted(before)
        head.click()
        assert values() == sorted(before, reverse=True)
    finally:
        opened.context.close()
