"""Notebook views: quantities, escaped HTML tables and JourneySet summaries."""

from __future__ import annotations

import pytest

from touchcredit import JourneySet
from touchcredit.core.display import html_summary, html_table, quantity, text_summary


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (0.0, "0"),
        (2.0, "2"),
        (1234567.0, "1,234,567"),
        (0.125, "0.12"),
        (-1.5, "-1.50"),
        (3.0000000001, "3"),
        (999.999, "1,000.00"),
    ],
)
def test_quantity(x: float, want: str) -> None:
    assert quantity(x) == want


def test_html_table_escapes_everything_and_shows_none() -> None:
    t = html_table(
        ["<src>", "n"], [["a&b", 3], [None, 4]], caption="<i>x</i>", numeric=[False, True]
    )
    assert "<caption>&lt;i&gt;x&lt;/i&gt;</caption>" in t
    assert "<th>&lt;src&gt;</th>" in t
    assert "<td>a&amp;b</td>" in t
    assert "<td>(not recorded)</td>" in t
    assert '<td style="text-align:right">4</td>' in t
    assert t.count("<tr>") == 3


def test_html_table_rejects_rows_of_the_wrong_width() -> None:
    with pytest.raises(ValueError):
        html_table(["a", "b"], [["only one"]])


def _js() -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=["007", "007", "008"],
        timestamp=[0, 10, 5],
        channel=["seo", "<b>ads</b>", "seo"],
        unit="s",
    )


def test_text_summary_counts() -> None:
    s = text_summary(_js())
    assert s.startswith("JourneySet(2 journeys, 3 touches, 0 conversions")
    assert "seo" in s and "<b>ads</b>" in s


def test_text_summary_names_how_many_channels_beyond_eight() -> None:
    js = JourneySet.from_arrays(
        journey_id=list(range(10)),
        timestamp=[0] * 10,
        channel=[f"c{i}" for i in range(10)],
        unit="s",
    )
    assert "... (10 in all)" in text_summary(js)


def test_html_summary_orders_channels_by_touches_and_escapes() -> None:
    h = html_summary(_js())
    assert "2 journeys, 3 touches" in h
    assert "<b>ads</b>" not in h and "&lt;b&gt;ads&lt;/b&gt;" in h
    assert h.index("<td>seo</td><td>2</td>") < h.index("&lt;b&gt;ads&lt;/b&gt;</td><td>1</td>")
    assert "more channels" not in h
    assert "<p>... and 1 more channels</p>" in html_summary(_js(), top=1)
