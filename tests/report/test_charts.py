"""Mirrored tests for touchcredit.report.charts: inline SVG charts that escape their text."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from touchcredit.report import charts


def _svg(text: str) -> ET.Element:
    return ET.fromstring(text)  # well-formed XML, or this raises


def _rects(svg: str) -> list[dict[str, str]]:
    root = _svg(svg)
    return [r.attrib for r in root.iter() if r.tag.endswith("rect")]


def test_nice_ticks_hand_computed() -> None:
    assert charts.nice_ticks(0, 870) == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert charts.nice_ticks(0, 4) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert charts.nice_ticks(0, 0.09) == [0.0, 0.025, 0.05, 0.075, 0.1]


@given(st.floats(-1e6, 1e6), st.floats(0.001, 1e6), st.integers(1, 8))
def test_nice_ticks_cover_the_range_evenly(vmin: float, span: float, n: int) -> None:
    ticks = charts.nice_ticks(vmin, vmin + span, n)
    assert len(ticks) >= 2
    step = ticks[1] - ticks[0]
    assert step > 0
    # covers the range (up to the function's 1e-9-of-a-step tolerance)
    assert ticks[0] <= vmin + 1e-8 * step
    assert ticks[-1] >= vmin + span - 1e-8 * step
    assert all(abs((b - a) - step) <= 1e-6 * step for a, b in itertools.pairwise(ticks))
    # a round step: 1, 2, 2.5 or 5 times a power of ten
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))


def test_text_width_grows_with_text_and_size() -> None:
    assert charts.text_width("") == 0.0
    assert charts.text_width("email") < charts.text_width("email!")
    assert charts.text_width("seo", 24) == 2 * charts.text_width("seo", 12)


def test_labels_are_escaped_in_every_chart() -> None:
    bad = "<script>alert('x')</script> & co"
    fmt = "{:,.0f}".format
    out = [
        charts.bars([bad, "seo"], [("linear", [3.0, 1.0])], fmt, title=bad),
        charts.diverging([bad], [("linear", [0.5])], title=bad),
        charts.stacked_columns(["2024-01", "2024-02"], [(bad, [1.0, 2.0])], fmt, title=bad),
        charts.funnel(["lead", bad], [10, 4], ["", "40%"], title=bad),
        charts.paths([["seo", bad]], [3], [""], {"seo": "#123456"}, title=bad),
        charts.histogram(["1", bad], [5, 2], title=bad),
    ]
    for svg in out:
        _svg(svg)
        assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_histogram_bar_heights_are_proportional_to_counts() -> None:
    svg = charts.histogram(["1", "2", "3"], [8, 4, 2], title="Path length")
    heights = [float(r["height"]) for r in _rects(svg)]
    assert len(heights) == 3
    assert heights[0] == 2 * heights[1] == 4 * heights[2]


def test_one_series_bars_write_each_value() -> None:
    svg = charts.bars(
        ["seo", "ads"], [("linear", [1500.0, 250.0])], "{:,.0f} USD".format, title="Credit"
    )
    assert "1,500 USD" in svg and "250 USD" in svg
    bars_ = [float(r["width"]) for r in _rects(svg) if float(r["height"]) > 12]
    assert len(bars_) == 2
    assert abs(bars_[0] / bars_[1] - 6.0) < 0.01  # 1,500 / 250, drawn from one zero
