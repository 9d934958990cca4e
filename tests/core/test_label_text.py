"""Label text: one spelling at the door, safe and bounded on display (issue 21 item 8)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit import JourneySet, attribute
from touchcredit.core.label_text import canonical_label, shown_label
from touchcredit.io.export import write_csv
from touchcredit.kpi.paths import top_paths

NFC, NFD = "Caf\u00e9", "Cafe\u0301"


def _js(channels: list[str | None], journeys: list[int] | None = None) -> JourneySet:
    jid = journeys or list(range(len(channels)))
    return JourneySet.from_arrays(
        journey_id=jid, timestamp=list(range(len(channels))), channel=channels,
        conversion_journey_id=sorted(set(jid)), conversion_time=[10**6] * len(set(jid)),
        conversion_value=[100.0] * len(set(jid)), unit="s",
    )  # fmt: skip


def test_nfc_nfd_and_zero_width_spellings_are_one_label() -> None:
    # before: three labels, the credit of one source split three ways
    js = _js([NFC, NFD, "Caf\u00e9\u200b", "seo", "\ufeffseo"])
    assert js.channel.categories == (NFC, "seo")
    credit = attribute(js, "last_touch").by("channel").to_dict()
    assert credit == {NFC: 300.0, "seo": 200.0}


def test_one_source_through_the_cleaning_path_from_a_bom_csv(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from touchcredit.connectors import crm
    from touchcredit.core.mapping import ColumnMap

    rows = [("007", "2024-01-02", NFC), ("008", "2024-01-02", NFD), ("009", "2024-01-02",
            "Caf\u00e9\u200b")]  # fmt: skip
    text = "\ufeffperson,ts,source\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    conv = "\ufeffperson,created,amount\n007,2024-01-03,10\n008,2024-01-03,10\n009,2024-01-03,10\n"
    (tmp_path / "c.csv").write_text(conv, encoding="utf-8")
    cols = ColumnMap(journey="person", timestamp="ts", source="source", channel=None,
                     conversion_time="created", conversion_value="amount")  # fmt: skip
    js, _ = crm.read(str(tmp_path / "t.csv"), cols, str(tmp_path / "c.csv"))
    assert attribute(js, "last_touch").by("source").to_dict() == {NFC: 30.0}


@given(st.text(max_size=30))
def test_canonical_spelling_is_idempotent_and_blind_to_the_normal_form(text: str) -> None:
    once = canonical_label(text)
    assert canonical_label(once) == once
    assert canonical_label(unicodedata.normalize("NFD", text)) == once
    assert not any(c in once for c in "\u200b\u2060\ufeff\u00ad")


@given(st.text(max_size=200), st.integers(1, 120))
def test_a_shown_label_is_bounded_and_has_no_control_or_direction_character(
    text: str, limit: int
) -> None:
    shown = shown_label(text, limit)
    assert len(shown) <= limit
    assert not any(
        unicodedata.category(c) == "Cc" or unicodedata.bidirectional(c) in
        ("RLO", "LRO", "RLE", "LRE", "PDF", "RLI", "LRI", "FSI", "PDI")
        for c in shown
    )  # fmt: skip


def test_an_rlo_label_is_not_reversed_in_the_table_or_the_report() -> None:
    pytest.importorskip("jinja2")
    from touchcredit.report import Report

    evil = "invoice\u202etxt.exe"
    js = _js([evil, "seo"])
    table = attribute(js, "linear").by("channel")
    for text in (repr(table), table._repr_html_(), Report(js, models=["linear"]).html()):
        assert "\u202e" not in text
    assert "invoice\\u202etxt.exe" in repr(table)


def test_nul_bytes_are_not_written_raw(tmp_path: Path) -> None:
    write_csv(tmp_path / "c.csv", {"label": np.array(["a\x00b"], dtype=object)})
    data = (tmp_path / "c.csv").read_bytes()
    assert b"\x00" not in data and b"a\\x00b" in data
    assert "\x00" not in repr(attribute(_js(["a\x00b"]), "linear").by("channel"))


def test_repr_of_a_megabyte_label_is_short() -> None:
    # before: repr(JourneySet) and the cleaning report printed the 1 MB label whole
    from touchcredit import clean

    js = _js(["x" * 1_000_000, "seo"])
    assert len(repr(js)) < 400
    _, report = clean({"cookie": ["a1", "a2"], "ts": ["2024-05-01"] * 2,
                       "src": ["y" * 1_000_000, "seo"]},
                      journey="cookie", timestamp="ts", source="src")  # fmt: skip
    assert "y" * 59 + "…" in str(report) and len(str(report)) < 2_000
    table = attribute(js, "linear").by("channel")
    assert max(map(len, repr(table).splitlines())) < 200


def test_a_100k_touch_bot_journey_is_one_short_top_path_cell() -> None:
    # before: a 700 kB cell (every step of the bot's path)
    bot = ["email", "seo"] * 50_000
    js = _js([*bot, "paid"], journeys=[0] * len(bot) + [1])
    paths = top_paths(js, k=2)["path"].tolist()
    long = next(p for p in paths if "more steps" in p)
    assert len(long) < 400
    assert "(99,980 more steps)" in long
    assert long.startswith("email > seo > email") and long.endswith("email > seo")
