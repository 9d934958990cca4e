"""Mirrored tests for touchcredit.report.html: number formats, cells, tables, CSP hash."""

from __future__ import annotations

import base64
import hashlib
import math

from hypothesis import given
from hypothesis import strategies as st

from touchcredit.report import html as rh


def test_formats_hand_computed() -> None:
    assert rh.number(-1234.5, 1) == "-1,234.5"
    assert rh.number(None) == "n/a"
    assert rh.count(999.5) == "1,000" and rh.count(float("nan")) == "n/a"
    assert rh.money(0.0, "EUR") == "0 EUR"
    assert rh.money(float("nan"), "EUR") == "n/a"  # never "n/a EUR"
    assert rh.percent(1.5, 0) == "150%" and rh.percent(-0.0625, 2) == "-6.25%"
    assert rh.days(9.94) == "9.9 days" and rh.days(10.4) == "10 days"
    assert rh.days(1.04) == "1.0 day" and rh.days(None) == "n/a"


def test_label_text() -> None:
    assert rh.label_text(None) == "(not recorded)"
    assert rh.label_text(("007", None)) == "007 / (not recorded)"  # text ids keep zeros
    assert rh.label_text(42) == "42"


def test_cells_sort_numbers_numerically_and_text_case_free() -> None:
    assert rh.cell("1,200", 1200).sort_key == "1200.0"
    assert rh.cell("n/a", math.nan).sort_key == ""
    assert rh.cell("SEO").sort == "seo"
    assert rh.cell("yes", True).sort == "yes"  # a bool is not a number


def test_table_build_formats_columns_and_flags_rows() -> None:
    t = rh.Table.build(
        "Spend",
        ["source", "spend", "share"],
        [["0042", 1500.0, 0.25], [None, float("nan"), 0.75]],
        [str, lambda v: rh.money(v, "USD"), rh.percent],
        flags=[False, True],
        notes=["n" * 400],
    )
    assert t.numeric == (False, True, True)
    assert [[c.text for c in r] for r in t.rows] == [
        ["0042", "1,500 USD", "25.0%"],
        ["(not recorded)", "n/a", "75.0%"],
    ]
    assert t.rows[1][1].sort_key == "" and t.rows[1][0].flag and not t.rows[0][2].flag
    assert len(t.notes[0]) == 320 and t.notes[0].endswith("…")


@given(st.text(max_size=600), st.integers(2, 500))
def test_clip_note_never_exceeds_the_limit(note: str, limit: int) -> None:
    out = rh.clip_note(note, limit)
    assert len(out) <= limit
    assert out == note or (out.endswith("…") and note.startswith(out[:-1]))


def test_script_hash_is_the_csp_sha256_source() -> None:
    digest = base64.b64encode(hashlib.sha256(b"alert(1)").digest()).decode()
    assert rh.script_hash("alert(1)") == f"'sha256-{digest}'"
