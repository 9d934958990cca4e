"""MetricTable: result columns side by side, readable and exportable."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.core.metric_table import WIDTH, MetricTable


def _table(**kw: object) -> MetricTable:
    data = {
        "source": np.array(["0042", None, "seo"], dtype=object),
        "leads": np.array([1200, 0, 3]),
        "cost_per_lead": np.array([12.5, np.nan, 1000.0]),
        "conversion_rate": np.array([0.25, np.nan, 1.0]),
    }
    return MetricTable("Leads by source", data, key=("source",), **kw)  # type: ignore[arg-type]


def test_repr_aligns_formats_and_lists_notes() -> None:
    t = _table(
        percent=("conversion_rate",),
        notes=("cost_per_lead undefined where leads == 0",),
        reasons={"cost_per_lead": [None, "no leads", None]},
        unaffordable=("seo",),
        currency="EUR",
    )
    assert repr(t).split("\n") == [
        "Leads by source",
        "source          leads  cost_per_lead (EUR)  conversion_rate",
        "0042            1,200                12.50           25.00%",
        "(not recorded)      0       n/a (no leads)              n/a",
        "seo                 3             1,000.00          100.00%",
        "warning: seo: cost per lead exceeds lead value (loses money on every lead)",
        "note: cost_per_lead undefined where leads == 0",
    ]


def test_access_by_column_and_by_row() -> None:
    t = _table()
    assert len(t) == 3
    assert t.names == ("source", "leads", "cost_per_lead", "conversion_rate")
    assert t["leads"].tolist() == [1200, 0, 3]
    assert t.row("0042") == {
        "source": "0042",
        "leads": 1200,
        "cost_per_lead": 12.5,
        "conversion_rate": 0.25,
    }
    assert t.row(None)["leads"] == 0
    with pytest.raises(KeyError, match="no row with {'source': '42'}"):
        t.row("42")
    with pytest.raises(KeyError, match=r"expected 1 key values \(source\)"):
        t.row("a", "b")
    with pytest.raises(KeyError, match="no column 'spend'; columns: source, leads"):
        t["spend"]


def test_columns_are_read_only_and_columns_gives_copies() -> None:
    source = np.array([1.0, 2.0])
    t = MetricTable("x", {"v": source})
    with pytest.raises(ValueError):
        t["v"][0] = 5.0
    cols = t.columns()
    cols["v"][0] = 5.0
    assert t["v"][0] == 1.0


def test_unequal_columns_are_rejected() -> None:
    with pytest.raises(ValueError, match="columns must have equal lengths"):
        MetricTable("x", {"a": [1, 2], "b": [1]})


def test_long_tables_hide_rows_and_wide_tables_wrap_into_blocks() -> None:
    t = MetricTable("long", {"k": np.arange(100)}, key=("k",))
    assert repr(t).endswith("... 40 more rows")
    wide = {"source": np.array(["a"], dtype=object)}
    wide |= {f"metric_number_{i:02d}": np.array([float(i)]) for i in range(10)}
    text = repr(MetricTable("wide", wide, key=("source",)))
    blocks = text.split("\n\n")
    assert len(blocks) > 1
    assert all(len(line) <= WIDTH for line in text.split("\n"))
    assert all("source" in b for b in blocks)


def test_html_repr_escapes_labels_and_title() -> None:
    t = MetricTable("<b>t</b>", {"source": np.array(["<script>"], dtype=object)}, notes=("a < b",))
    h = t._repr_html_()
    assert "<script>" not in h and "&lt;script&gt;" in h
    assert "&lt;b&gt;t&lt;/b&gt;" in h and "<p>note: a &lt; b</p>" in h


def test_to_pandas_keeps_the_columns() -> None:
    pytest.importorskip("pandas")
    frame = _table().to_pandas()
    assert list(frame.columns) == ["source", "leads", "cost_per_lead", "conversion_rate"]
    assert frame["source"].tolist()[0] == "0042"
    assert frame["leads"].tolist() == [1200, 0, 3]
