"""The HTML report: sections, numbers as text, escaping, atomic save, size."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jinja2")

import touchcredit as tc
from touchcredit.datasets import load_example
from touchcredit.report import Report
from touchcredit.report import html as rh

EVIL = "<script>window.__pwned = 1</script>"


@pytest.fixture(scope="module")
def example_report() -> Report:
    data = load_example()
    return Report(
        data.journeys("revenue"),
        leads=data.lead_set(),
        spend=data.spend_table(),
        models=["last_touch", "linear", "markov"],
        bootstrap=20,
    )


def test_sections_in_page_order(example_report: Report) -> None:
    assert [s.id for s in example_report.sections] == [
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


def test_report_is_public() -> None:
    assert tc.Report is Report
    assert "Report" in tc.__all__


def test_page_is_self_contained(example_report: Report) -> None:
    page = example_report.html()
    assert page.startswith("<!DOCTYPE html>")
    # no external resource: no src/href to another document, no @import or url()
    assert not re.search(r'\b(src|href)="(?!#)', page)
    assert "@import" not in page and "url(" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_csp_hash_allows_exactly_the_inline_script(example_report: Report) -> None:
    page = example_report.html()
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    assert rh.script_hash(scripts[0]) in page


def test_example_report_is_small(tmp_path: Path, example_report: Report) -> None:
    path = example_report.save(tmp_path / "report.html")
    assert path.stat().st_size < 2_000_000


def test_numbers_carry_separators_and_currency(example_report: Report) -> None:
    page = example_report.html()
    assert "1,151,800 USD" in page  # total won revenue of the example data
    kpis = example_report.sections[0]
    revenue = next(k for k in kpis.kpis if k.name == "Revenue")
    assert revenue.value.endswith(" USD") and "," in revenue.value


def test_cpl_above_lead_value_is_flagged(example_report: Report) -> None:
    alerts = " ".join(example_report.sections[0].alerts)
    assert "CPL above lead value" in alerts
    assert "Google Ads" in alerts  # CPL 1,264.54 > lead value 436.61 in the example


def test_bootstrap_intervals_shown(example_report: Report) -> None:
    table = example_report.sections[1].tables[0]
    subs = [c.sub for row in table.rows for c in row[1:]]
    assert subs and all(s.startswith("95%: ") for s in subs)


def test_zero_unattributed_row_is_dropped(example_report: Report) -> None:
    table = example_report.sections[1].tables[0]
    assert all(row[0].text != "unattributed" for row in table.rows)


def test_unattributed_row_kept_when_nonzero() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "ads"],
        conversion_journey_id=[1, 2], conversion_time=[3, 3], conversion_value=[10.0, 5.0],
        currency="EUR", unit="s",
    )  # fmt: skip
    report = Report(js, models=["linear"], by=["channel"])
    rows = report.sections[0].tables[0].rows
    assert [r[0].text for r in rows][-1] == "unattributed"
    assert rows[-1][1].text == "5 EUR (33.3%)"


def test_hand_computed_credit_cells() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2], timestamp=[1, 2, 1], channel=["seo", "ads", "ads"],
        conversion_journey_id=[1, 2], conversion_time=[3, 3],
        conversion_value=[3000.0, 1000.0], currency="USD", unit="s",
    )  # fmt: skip
    report = Report(js, models=["first_touch", "linear"], by=["channel"])
    table = report.sections[0].tables[0]
    cells = {row[0].text: [c.text for c in row[1:]] for row in table.rows}
    # first touch: seo 3000, ads 1000; linear: seo 1500, ads 1500 + 1000
    assert cells["seo"] == ["3,000 USD (75.0%)", "1,500 USD (37.5%)"]
    assert cells["ads"] == ["1,000 USD (25.0%)", "2,500 USD (62.5%)"]


def test_labels_are_escaped() -> None:
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2], timestamp=[1, 2, 1], channel=[EVIL, "ads", "ads"],
        source=['"><img src=x onerror=alert(1)>', "b", "c"],
        conversion_journey_id=[1, 2], conversion_time=[3, 3], conversion_value=[1.0, 2.0], unit="s",
    )  # fmt: skip
    page = Report(js, models=["linear"]).html()
    assert "<script>window" not in page
    assert "&lt;script&gt;window.__pwned" in page
    assert "<img" not in page
    markup = Report(js, models=["linear"])._repr_html_()
    assert "<script" not in markup.lower() and "<img" not in markup.lower()


def test_save_is_atomic(
    tmp_path: Path, example_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        example_report.save(target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temp file left behind


def test_without_leads_only_journey_sections() -> None:
    js = load_example().journeys("leads")
    report = Report(js, models=["linear"], by=["channel"])
    assert [s.id for s in report.sections] == [
        "credit-channel", "credit-over-time", "against-last-touch", "paths", "assisted",
        "path-length", "time-lag", "time-to-convert", "cleaning",
    ]  # fmt: skip
    # leads as conversions: counts, not money
    assert "USD" not in report.sections[0].tables[0].rows[0][1].text


def test_cleaning_section_accounts_for_every_row() -> None:
    data = load_example()
    js, cleaning = tc.clean(
        data.touches, journey="person_id", timestamp="timestamp", url="url",
        source="source_raw", medium="medium_raw", campaign="campaign",
    )  # fmt: skip
    section = Report(js, models=["linear"], by=["channel"], cleaning=cleaning).sections[-1]
    assert "12,896 = 12,896 + 0 + 0 (holds)" in section.intro
    unmapped = section.tables[1]
    assert unmapped.rows[0][0].text == "mailchimp"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": ["colour"]}, "'by'"),
        ({"period": "week"}, "'period'"),
        ({"bootstrap": 1}, "'bootstrap'"),
        ({"models": []}, "'models'"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], match: str) -> None:
    js = load_example().journeys("leads")
    with pytest.raises(ValueError, match=match):
        Report(js, **kwargs)  # type: ignore[arg-type]


def test_time_to_convert_hand_computed() -> None:
    day = 86_400_000_000
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2], timestamp=np.array([0, day, 0], dtype="datetime64[us]"),
        channel=["a", "b", "a"], conversion_journey_id=[1, 2],
        conversion_time=np.array([3 * day, 40 * day], dtype="datetime64[us]"), unit="s",
    )  # fmt: skip
    sections = Report(js, models=["linear"], by=["channel"]).sections
    section = next(s for s in sections if s.id == "time-to-convert")
    median = section.tables[0].rows[2]
    assert median[0].text == "50% convert within"
    assert median[1].text == "22 days"  # median of 3 and 40 days
    assert median[2].text == "1.5"  # median of 2 and 1 touches
