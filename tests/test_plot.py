"""Each chart renders to a non-empty PNG with the Agg backend and returns its Axes."""

from __future__ import annotations

import io
import sys
import types
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.datasets import load_example
from touchcredit.kpi.funnel import stage_funnel
from touchcredit.kpi.metrics import economics
from touchcredit.kpi.paths import top_paths
from touchcredit.kpi.tables import MetricTable

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
plot = pytest.importorskip("touchcredit.plot")

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data() -> Any:
    return load_example()


def png(ax: Any) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    out = buf.getvalue()
    assert out.startswith(PNG)
    assert len(out) > 5_000  # an empty 800x450 canvas compresses to ~2 kB
    return out


def test_plot_comparison_on_real_models(data: Any) -> None:
    compare = getattr(tc, "compare", None)
    if compare is None:
        pytest.skip("touchcredit.compare is not available yet")
    js = data.journeys("revenue")
    cmp = compare(js, ["first_touch", "linear", "last_touch"], by="channel")
    ax = plot.plot_comparison(cmp)
    assert len(ax.patches) == 3 * min(len(cmp.labels), 12)
    assert len(ax.get_legend().get_texts()) == 3
    png(ax)


def test_plot_comparison_contract_and_given_axes() -> None:
    cmp = types.SimpleNamespace(
        labels=("seo", None, "$x$"),
        models=("first_touch", "linear"),
        values=np.array([[5.0, 3.0], [1.0, 2.0], [0.0, 1.0]]),
    )
    _, ax = plt.subplots()
    out = plot.plot_comparison(cmp, ax=ax, top=2)
    assert out is ax
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["seo", "(not recorded)"]  # the two labels with most credit
    assert len(ax.patches) == 4
    png(ax)


def test_plot_funnel(data: Any) -> None:
    f = stage_funnel(data.lead_set())
    ax = plot.plot_funnel(f)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "lead", "mql", "sql", "opportunity", "customer"
    ]  # fmt: skip
    widths = [p.get_width() for p in ax.patches]
    assert widths == f["reached"].astype(float).tolist()
    png(ax)


def test_plot_grouped_funnel(data: Any) -> None:
    f = stage_funnel(data.lead_set(), by="channel")
    ax = plot.plot_funnel(f)
    assert len(ax.get_legend().get_texts()) == len(set(f["channel"].tolist()))
    png(ax)


def test_legend_keeps_labels_that_start_with_underscore() -> None:
    # issue 14 (low): a funnel group named "_hidden" vanished from the legend
    f = MetricTable(
        "funnel",
        {
            "channel": np.array(["_hidden", "_hidden", "seo", "seo"], dtype=object),
            "stage": np.array(["lead", "mql", "lead", "mql"], dtype=object),
            "reached": np.array([10, 4, 8, 2]),
            "rate_from_previous": np.array([1.0, 0.4, 1.0, 0.25]),
        },
        key=("channel", "stage"),
    )
    ax = plot.plot_funnel(f)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["_hidden", "seo"]
    cmp = types.SimpleNamespace(
        labels=("seo",), models=("_mine", "linear"), values=np.array([[1.0, 2.0]])
    )
    ax = plot.plot_comparison(cmp)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["_mine", "linear"]


def test_plot_lead_value_vs_cpl(data: Any) -> None:
    econ = economics(data.lead_set(), spend=data.spend_table(), by="source")
    ax = plot.plot_lead_value_vs_cpl(econ)
    shown = {t.get_text() for t in ax.texts}
    ok = np.isfinite(econ["lead_value"]) & np.isfinite(econ["cost_per_lead"])
    assert shown == set(econ["source"][ok].tolist())
    assert "LinkedIn Ads" in shown
    png(ax)


def test_plot_top_paths(data: Any) -> None:
    paths = top_paths(data.journeys("leads"), k=8, collapse_repeats=True)
    ax = plot.plot_top_paths(paths)
    assert [t.get_text() for t in ax.get_yticklabels()] == paths["path"].tolist()
    assert [p.get_width() for p in ax.patches] == paths["journeys"].astype(float).tolist()
    png(ax)


def test_unknown_column_is_named() -> None:
    with pytest.raises(ValueError, match="no column 'reached'"):
        plot.plot_funnel({"stage": np.array(["lead"], dtype=object)})


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"touchcredit\[plot\]"):
        plot.plot_top_paths({"path": np.array(["a"], dtype=object), "journeys": np.ones(1)})
