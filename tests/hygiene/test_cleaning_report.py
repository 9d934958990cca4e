"""Tests of touchcredit.hygiene.cleaning_report: Rejections and CleaningReport text/HTML."""

from __future__ import annotations

import attrs
import numpy as np

import touchcredit as tc
from touchcredit.hygiene.cleaning_report import CleaningReport, Rejections, no_rejections


def _report() -> CleaningReport:
    touches = {
        "contact": ["0001", "0001", "0002", None],
        "ts": ["2024-02-01 10:00", "2024-02-01 10:01", "2024-02-03", "2024-02-04"],
        "source": ["google", "google", "Booth #4", "google"],
    }
    _, report = tc.clean(touches, journey="contact", timestamp="ts", source="source")
    return report


def test_no_rejections_is_empty() -> None:
    r = no_rejections()
    assert len(r) == 0
    assert r.rows.dtype == np.int64
    assert r.reasons == ()


def test_rejections_length_is_its_rows() -> None:
    assert len(Rejections(np.array([1, 4], dtype=np.int64), ("no time", "no id"))) == 2


def test_report_counts_add_up() -> None:
    rep = _report()
    assert rep.rows_in == 4
    assert rep.rows_in == rep.rows_out + rep.duplicates_removed + rep.rows_rejected
    assert rep.rows_rejected == len(rep.rejected)
    assert rep.person.shape == (4,)
    assert rep.person[list(rep.rejected.rows)].tolist() == [-1] * rep.rows_rejected


def test_str_lists_counts_unmapped_groups_and_conversions() -> None:
    rep = attrs.evolve(
        _report(),
        unmapped_sources={"Booth #4": 1200, "x" * 100: 3},
        group_members={"006X": 3, "006Y": 1},
        group_engaged={"006X": 2, "006Y": 1},
        conversions_in=5,
        conversions_out=4,
        conversions_rejected=Rejections(np.array([2], dtype=np.int64), ("no time",)),
        rejected_conversion_value=1234.5,
    )
    text = str(rep)
    lines = text.splitlines()
    assert lines[0].startswith(f"rows in: {rep.rows_in:,}; out: {rep.rows_out:,}")
    assert "unmapped sources: 2 ('Booth #4' (1,200)" in text
    assert "x" * 100 not in text  # long labels are shortened
    assert (
        "buying groups: 2 (4 members listed, 3 with a touch; 1 groups with more than one engaged)"
        in text
    )
    assert lines[-1] == "conversions in: 5; out: 4; rejected: 1 (value 1,234.50)"


def test_str_leaves_out_empty_sections() -> None:
    rep = attrs.evolve(_report(), unmapped_sources={}, group_members={}, conversions_in=0)
    text = str(rep)
    assert "unmapped" not in text
    assert "buying groups" not in text
    assert "conversions in" not in text


def test_html_escapes_source_labels() -> None:
    evil = "<script>alert(1)</script>"
    rep = attrs.evolve(_report(), unmapped_sources={evil: 2, "b": 9}, conversions_in=3)
    html = rep._repr_html_()
    assert evil not in html
    assert "&lt;script&gt;" in html
    assert "conversion rows in" in html
    assert "2 sources the catalog does not know" in html
    # the more frequent source first
    assert html.index(">b<") < html.index("&lt;script&gt;")
