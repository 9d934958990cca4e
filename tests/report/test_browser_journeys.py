"""The journey sections of the report in Chromium: screenshots at 1280 px and 390 px, no
chart label overlapping another (bounding boxes from the browser), no label cut off at a
chart's edge, tables that fit the page or scroll inside their own box, converting paths
first with all paths one click away, and sorting a new table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.report import Report

from .conftest import artifacts_dir
from .test_browser import CHROMIUM, Opened, browser, sync_api

__all__ = ["browser"]  # the module-scoped browser fixture, shared with test_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
assert sync_api is not None

NEW_SECTIONS = ["credit-over-time", "against-last-touch", "assisted", "path-length", "time-lag"]
WIDTHS = {"desktop": 1280, "narrow": 390}

# Every <text> of every chart: its box, and its text without the hover title.
_LABEL_BOXES = """
() => Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const s = svg.getBoundingClientRect();
  const labels = Array.from(svg.querySelectorAll('text')).map(t => {
    const r = t.getBoundingClientRect();
    const shown = Array.from(t.childNodes).filter(n => n.nodeType === 3)
      .map(n => n.textContent).join('');
    return [r.left, r.top, r.right, r.bottom, shown];
  });
  return {chart: svg.querySelector('title').textContent,
          box: [s.left, s.top, s.right, s.bottom], labels: labels};
})
"""


def _problems(charts: list[dict[str, Any]]) -> list[str]:
    out = []
    for c in charts:
        x0, _, x1, _ = c["box"]
        boxes = [b for b in c["labels"] if b[2] > b[0] and b[3] > b[1]]
        for i, a in enumerate(boxes):
            if a[0] < x0 - 0.5 or a[2] > x1 + 0.5:
                out.append(f"{c['chart']}: {a[4]!r} cut off at the chart's edge")
            for b in boxes[i + 1 :]:
                w = min(a[2], b[2]) - max(a[0], b[0])
                h = min(a[3], b[3]) - max(a[1], b[1])
                if w > 0.5 and h > 0.5:
                    out.append(f"{c['chart']}: {a[4]!r} overlaps {b[4]!r} ({w:.1f}x{h:.1f} px)")
    return out


def _open(browser: Any, path: Path, width: int) -> Opened:
    page = Opened(browser, path)
    page.page.set_viewport_size({"width": width, "height": 900})
    return page


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Report.from_example().save(tmp_path_factory.mktemp("journeys") / "report.html")


def crowded_journeys(names: list[str], *, seed: int, max_len: int) -> tc.JourneySet:
    """300 journeys of 1 to ``max_len - 1`` touches over ``names`` (as channel and
    source), 200 conversions with exponential EUR values, over about a year."""
    rng = np.random.default_rng(seed)
    labels = np.array(names, dtype=object)
    lengths = rng.integers(1, max_len, 300)
    jid = np.repeat(np.arange(300), lengths)
    channel = labels[rng.integers(0, labels.size, jid.size)]
    return tc.JourneySet.from_arrays(
        journey_id=jid,
        timestamp=rng.integers(0, 400, jid.size) * 86_400,
        channel=channel,
        source=channel,
        conversion_journey_id=rng.choice(300, 200, replace=False),
        conversion_time=rng.integers(100, 500, 200) * 86_400,
        conversion_value=rng.exponential(5_000.0, 200).round(2),
        currency="EUR",
        unit="s",
    )


@pytest.fixture(scope="module")
def crowded_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six models, long labels of wide letters, a label in every script: the hard case."""
    names = [
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW partner newsletter (co-marketing)",
        "paid search",
        "email",
        "organic social — LinkedIn company page, very long name",
        "direct",
        "ÉVÉNEMENTS salon professionnel",
        "参考 referral",
        "MMMMMMMMMMMMMMMMMMMMMMMMMMMM",
    ]
    js = crowded_journeys(names, seed=7, max_len=9)
    models = ["first_touch", "last_touch", "linear", "position", "time_decay", "markov"]
    report = Report(js, models=models, by=["channel", "source"], bootstrap=10)
    return report.save(tmp_path_factory.mktemp("crowded") / "report.html")


@pytest.mark.parametrize("size", WIDTHS)
def test_new_sections_screenshots(browser: Any, example_page: Path, size: str) -> None:
    opened = _open(browser, example_page, WIDTHS[size])
    try:
        assert opened.errors == [] and opened.blocked == []
        for section in NEW_SECTIONS:
            loc = opened.page.locator(f"section#{section}")
            assert loc.is_visible()
            box = loc.bounding_box()
            assert box is not None and box["width"] <= WIDTHS[size]
            shot = artifacts_dir() / f"report-journeys-{section}-{WIDTHS[size]}.png"
            loc.screenshot(path=str(shot))
            assert shot.stat().st_size > 1000
    finally:
        opened.context.close()


@pytest.mark.parametrize("page", ["example_page", "crowded_page"])
@pytest.mark.parametrize("size", WIDTHS)
def test_no_chart_label_overlaps_another(
    browser: Any, request: pytest.FixtureRequest, page: str, size: str
) -> None:
    opened = _open(browser, request.getfixturevalue(page), WIDTHS[size])
    try:
        charts = opened.page.evaluate(_LABEL_BOXES)
        assert len(charts) >= 12
        assert sum(len(c["labels"]) for c in charts) > 100
        assert _problems(charts) == []
    finally:
        opened.context.close()


def test_the_overlap_check_sees_an_overlap() -> None:
    labels = [[10, 10, 40, 22, "a"], [30, 12, 60, 24, "b"], [90, 30, 120, 42, "c"]]
    chart = {"chart": "c", "box": [0, 0, 100, 50], "labels": labels}
    assert _problems([chart]) == [
        "c: 'a' overlaps 'b' (10.0x10.0 px)",
        "c: 'c' cut off at the chart's edge",
    ]


def test_every_bar_chart_has_a_value_axis_or_labels(browser: Any, crowded_page: Path) -> None:
    opened = _open(browser, crowded_page, 1280)
    try:
        bars = opened.page.evaluate(
            """() => Array.from(document.querySelectorAll('svg.chart'))
                 .filter(s => s.querySelectorAll('rect').length > 3)
                 .map(s => [s.querySelector('title').textContent,
                            s.querySelectorAll('path.grid').length,
                            s.querySelectorAll('text.small').length])"""
        )
        for title, grid, small in bars:
            assert grid >= 2 or small >= 3, title
    finally:
        opened.context.close()


def test_wide_tables_fit_or_scroll_in_their_own_box(browser: Any, crowded_page: Path) -> None:
    opened = _open(browser, crowded_page, 1280)
    try:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll('.table-box')).map(b => [
                 b.getBoundingClientRect().right, getComputedStyle(b).overflowX])"""
        )
        assert boxes and all(right <= 1280 and ov == "auto" for right, ov in boxes)
        # a long label is cut in its cell and shown whole on hover
        cut = page.locator("td.txt[title]").first
        assert len(cut.get_attribute("title") or "") > 32
    finally:
        opened.context.close()


def test_converting_paths_first_all_paths_one_click_away(browser: Any, example_page: Path) -> None:
    opened = _open(browser, example_page, 1280)
    try:
        section = opened.page.locator("section#paths")
        first = section.locator("table caption").first
        assert "converting" in first.inner_text().lower()
        hidden = section.locator("details table")
        assert not hidden.is_visible()
        section.locator("details summary").click()
        assert hidden.is_visible()
        assert "all journeys" in hidden.locator("caption").inner_text()
    finally:
        opened.context.close()


def test_sorting_the_assisted_table(browser: Any, example_page: Path) -> None:
    opened = _open(browser, example_page, 1280)
    try:
        page = opened.page
        table = page.locator("section#assisted table")
        head = table.locator("thead th", has_text="assisted conversions")
        cells = table.locator("tbody tr td:nth-child(3)")

        def column() -> list[float]:
            return [float(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.v)")]

        before = column()
        head.click()
        assert column() == sorted(before)
        head.click()
        assert column() == sorted(before, reverse=True)
    finally:
        opened.context.close()
