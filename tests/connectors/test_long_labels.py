"""Long labels cost their size, not rows times the longest label (issue 21 item 8)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from touchcredit.connectors import ga4
from touchcredit.hygiene.labels import map_distinct

LONG = "https://shop.example/?utm_source=newsletter&utm_medium=email&q=" + "a" * 100_000


def _peak(fn: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_100k_character_url_among_page_views_is_read_in_its_size(
    tmp_path: Path, exports: Any
) -> None:
    # before: np.char.lower(url.astype(str)) made a 5,000 x 100,000-character array (2 GB;
    # a 2,000-character URL among 400,000 events: 3.2 GB)
    import pyarrow.parquet as pq

    rows = [
        exports._event(exports.T0 + k, "page_view", f"p{k % 50}",
                       [exports._p("page_location", s=LONG if k == 7 else f"https://shop.example/{k}")])
        for k in range(5_000)
    ]  # fmt: skip
    rows.append(exports._event(exports.T0 + 9_000, "purchase", "p7", [],
                               ecommerce={"purchase_revenue": 10.0}))  # fmt: skip
    pq.write_table(exports.ga4_table(rows), tmp_path / "events_20240101.parquet")
    (js, _), peak = _peak(
        lambda: ga4.read(str(tmp_path / "events_*.parquet"), touches="campaign_events")
    )
    assert peak < 150e6, f"{peak / 1e6:.0f} MB"
    assert js.n_touches == 1  # the one tagged page view
    assert js.channel.categories == ("email",)


def test_map_distinct_never_makes_a_fixed_width_copy() -> None:
    values = np.empty(20_000, dtype=object)
    values[:] = [f"label {k % 10}" for k in range(20_000)]
    values[3] = LONG
    out, peak = _peak(lambda: map_distinct(values, lambda v: v.upper()))
    assert out[3] == LONG.upper() and out[4] == "LABEL 4"
    assert peak < 20e6, f"{peak / 1e6:.0f} MB"  # a U100000 copy would be 8 GB


@pytest.mark.parametrize(("bad", "message"), [(0, "must be >= 1, got 0"),
                                             (1.5, "must be a whole number, got 1.5")])  # fmt: skip
def test_ga4_batch_rows_names_the_argument(
    tmp_path: Path, exports: Any, bad: Any, message: str
) -> None:
    # before: pyarrow's "batch_size must be greater than zero"; 1.5 was accepted
    exports.write_ga4(tmp_path)
    with pytest.raises(ValueError, match=f"'batch_rows' {message}"):
        ga4.read(str(tmp_path / "events_*.parquet"), batch_rows=bad)
