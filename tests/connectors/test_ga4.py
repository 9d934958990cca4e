"""GA4 connector: the nested BigQuery export, hand-computed answers, schema errors."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from touchcredit.attribution import attribute  # noqa: E402
from touchcredit.connectors import SchemaError, ga4  # noqa: E402
from touchcredit.connectors.report import Cleaning  # noqa: E402


def _credit(js: Any, model: str = "linear") -> dict[str, float]:
    table = attribute(js, model).by("channel").to_dict()
    return {str(k): round(v, 9) for k, v in table.items() if v}


@pytest.fixture
def files(tmp_path: Path, exports: ModuleType) -> dict[str, Path]:
    out: dict[str, Path] = exports.write_ga4(tmp_path)
    return out


def test_parquet_glob_gives_the_hand_computed_linear_credit(
    files: dict[str, Path], exports: ModuleType
) -> None:
    js, report = ga4.read(str(files["day1"].parent / "events_*.parquet"))
    assert _credit(js) == exports.GA4_LINEAR
    assert js.n_journeys == 3  # A and B stay apart; C's devices join through user_id
    assert js.total_value == 180.0
    assert report.tables == {"events": 11}
    assert report.rows_in == 6 and report.rows_out == 5 and report.rows_rejected == 1
    assert report.rejected.rows.tolist() == [4]  # the 5th event, 1-based in the text
    assert report.rejected.reasons[0].startswith("events row 5: no identifier")
    assert report.not_used == {"events that are neither session_start nor a conversion event": 2}
    assert report.rows_in + sum(report.not_used.values()) + report.conversions_in == 11
    assert sorted(js.touch_row.tolist()) == [0, 2, 3, 5, 6]  # rows of the events


def test_json_export_reads_the_same(files: dict[str, Path], exports: ModuleType) -> None:
    js, _ = ga4.read(files["json"])
    assert _credit(js) == exports.GA4_LINEAR


def test_frames_read_the_same(exports: ModuleType) -> None:
    table = exports.ga4_table()
    js, _ = ga4.read(table)
    assert _credit(js) == exports.GA4_LINEAR
    pl = pytest.importorskip("polars")
    js2, _ = ga4.read(pl.from_arrow(table))
    assert _credit(js2) == exports.GA4_LINEAR


def test_without_user_id_stitching_c_is_two_people(exports: ModuleType) -> None:
    js, _ = ga4.read(exports.ga4_table(), stitch_user_id=False)
    assert js.n_journeys == 4
    # c-2's purchase only sees its own organic touch
    assert _credit(js) == {"paid search": 50.0, "email": 50.0, "direct": 50.0,
                           "organic search": 30.0}  # fmt: skip


def test_count_value_and_conversion_names(exports: ModuleType) -> None:
    js, report = ga4.read(exports.ga4_table(), value="count", conversions=["purchase"])
    assert js.n_conversions == 3 and js.total_value == 3.0
    js, report = ga4.read(exports.ga4_table(), conversions=["sign_up"])
    assert js.n_conversions == 0 and report.conversions_in == 0


def test_campaign_events_mode_takes_tagged_events_only(exports: ModuleType) -> None:
    js, _report = ga4.read(exports.ga4_table(), touches="campaign_events")
    # tagged: A's google/cpc and newsletter sessions, c-1's gclid, c-2's bing params
    assert js.n_touches == 4
    assert _credit(js) == {"paid search": 65.0, "email": 50.0, "organic search": 15.0}
    assert js.total_value == 180.0  # B's purchase has no touch: unattributed


def test_last_click_session_source_comes_first(exports: ModuleType) -> None:
    rows = exports.ga4_rows()
    last = {"manual_campaign": {"source": "facebook", "medium": "paid_social",
                                "campaign_name": "x"}}  # fmt: skip
    for row in rows:
        row["session_traffic_source_last_click"] = None
    rows[2]["session_traffic_source_last_click"] = last  # B's direct session
    t = pa.Table.from_pylist(rows)
    js, _ = ga4.read(t, session_source="last_click")
    assert _credit(js)["paid social"] == 50.0
    js, _ = ga4.read(t)  # collected (default): B's session stays direct
    assert "paid social" not in _credit(js)


def test_ids_stay_text_even_if_numeric_in_parquet(tmp_path: Path, exports: ModuleType) -> None:
    table = exports.ga4_table()
    i = table.column_names.index("user_pseudo_id")
    floats = table.set_column(
        i, "user_pseudo_id", pa.array([1.5] * table.num_rows, type=pa.float64())
    )
    pq.write_table(floats, tmp_path / "events.parquet")
    with pytest.raises(SchemaError, match="'user_pseudo_id' .ids must be text, got double"):
        ga4.read(tmp_path / "events.parquet")


def test_missing_and_mistyped_columns_are_named(exports: ModuleType) -> None:
    table = exports.ga4_table()
    with pytest.raises(SchemaError, match="missing column.s. 'event_name'"):
        ga4.read(table.drop_columns(["event_name"]))
    i = table.column_names.index("event_params")
    bad = table.set_column(i, "event_params", pa.array(["x"] * table.num_rows))
    with pytest.raises(SchemaError, match="'event_params' .expected a REPEATED RECORD"):
        ga4.read(bad)
    i = table.column_names.index("event_timestamp")
    bad = table.set_column(i, "event_timestamp", pa.array([[1]] * table.num_rows))
    with pytest.raises(SchemaError, match="'event_timestamp' .expected number"):
        ga4.read(bad)


def test_errors_raise_names_the_input_row(exports: ModuleType) -> None:
    with pytest.raises(ValueError, match="events row 5: no identifier"):
        ga4.read(exports.ga4_table(), cleaning=Cleaning(errors="raise"))


def test_batches_give_the_same_answer(exports: ModuleType) -> None:
    whole, r1 = ga4.read(exports.ga4_table())
    split, r2 = ga4.read(exports.ga4_table(), batch_rows=2)
    assert _credit(whole) == _credit(split)
    assert np.array_equal(np.sort(whole.touch_row), np.sort(split.touch_row))
    assert r1.rejected.reasons == r2.rejected.reasons


def test_progress_bar_through_the_cleaning_options(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    pattern = str(files["day1"].parent / "events_*.parquet")
    ga4.read(pattern, cleaning=Cleaning(progress=False))
    assert term.getvalue() == ""
    ga4.read(pattern, cleaning=Cleaning(progress=True))
    assert "clean" in term.getvalue()
