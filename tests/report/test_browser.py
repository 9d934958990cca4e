"""The example report in a real browser (Chromium via Playwright), network blocked.

Needs ``/usr/bin/chromium`` (``scripts/install-chromium.sh``) and the ``playwright``
package; never runs ``playwright install``. One browser per module; screenshots of
every section go to the test artifacts folder (listed at the end of the run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from touchcredit.report import Report

from .conftest import artifacts_dir

pytest.importorskip("jinja2")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("TOUCHCREDIT_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]

SECTIONS = [
    "kpis",
    "credit-channel",
    "credit-source",
    "credit-over-time",
    "against-last-touch",
    "revenue-views-source",
    "monthly",
    "funnel",
    "paths",
    "assisted",
    "path-length",
    "time-lag",
    "time-to-convert",
    "cleaning",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Opened:
    """A page with the report loaded, and what went wrong while loading it."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("requestfailed", lambda req: self.failed.append(req.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.errors.append(f"{msg.type}: {msg.text}")


@pytest.fixture(scope="module")
def opened(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    report = Report.from_example(bootstrap=20)
    path = report.save(tmp_path_factory.mktemp("report") / "report.html")
    page = Opened(browser, path)
    yield page
    page.context.close()


def test_no_network_no_console_errors(opened: Opened) -> None:
    assert opened.blocked == []
    assert opened.failed == []
    assert opened.errors == []


@pytest.mark.parametrize("section", SECTIONS)
def test_section_visible_with_a_screenshot(opened: Opened, section: str) -> None:
    loc = opened.page.locator(f"section#{section}")
    assert loc.is_visible()
    box = loc.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    shot = artifacts_dir() / f"report-{SECTIONS.index(section) + 1}-{section}.png"
    loc.screenshot(path=str(shot))
    assert shot.stat().st_size > 1000
    print(f"screenshot: {shot}")


def test_every_chart_visible(opened: Opened) -> None:
    charts = opened.page.locator("svg.chart")
    # credit x2, over time (one per model: 4), against last touch, revenue views, monthly,
    # funnel, paths, assisted, path length, time lag (time to convert has a table only)
    assert charts.count() == 14
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50, i


def _column(page: Any, caption: str, index: int) -> list[float]:
    table = page.locator("table", has=page.locator("caption", has_text=caption)).first
    cells = table.locator(f"tbody tr td:nth-child({index + 1})")
    return [float(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.v)")]


def test_sorting_a_table(opened: Opened) -> None:
    page = opened.page
    table = page.locator("table", has=page.locator("caption", has_text="All months by source"))
    head = table.locator("thead th", has_text="leads").first
    before = _column(page, "All months by source", 1)
    head.click()
    up = _column(page, "All months by source", 1)
    assert up == sorted(before)
    assert head.get_attribute("aria-sort") == "ascending"
    head.click()
    down = _column(page, "All months by source", 1)
    assert down == sorted(before, reverse=True)
    assert head.get_attribute("aria-sort") == "descending"


def test_print_layout_renders(opened: Opened, tmp_path: Path) -> None:
    pdf = opened.page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
    assert len(pdf) > 10_000


def test_injected_script_in_a_channel_name_does_not_run(browser: Any, tmp_path: Path) -> None:
    from touchcredit import JourneySet

    evil = "<script>window.__pwned = 1</script>"
    img = '<img src=x onerror="window.__pwned = 2">'
    js = JourneySet.from_arrays(
        journey_id=[1, 1, 2, 3], timestamp=[1, 2, 1, 1], channel=[evil, img, "seo", evil],
        conversion_journey_id=[1, 2], conversion_time=[3, 3], conversion_value=[5.0, 1.0],
        currency="USD", unit="s",
    )  # fmt: skip
    path = Report(js, models=["linear", "first_touch"], title=evil).save(tmp_path / "evil.html")
    opened = Opened(browser, path)
    try:
        assert opened.page.evaluate("typeof window.__pwned") == "undefined"
        assert evil in opened.page.locator("section#credit-channel").inner_text()
        assert opened.page.locator("img").count() == 0
        assert opened.blocked == [] and opened.errors == []
    finally:
        opened.context.close()
