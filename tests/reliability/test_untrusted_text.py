"""Untrusted text: UTM values and labels never become formulas, markup or slow parses.

* CSV/Excel export neutralises cells that a spreadsheet would run as a formula.
* Every ``_repr_html_`` escapes labels (sources, channels, campaigns come from URLs).
* The UTM/URL parser survives arbitrary text, in bounded time (see also
  ``scripts/fuzz_utm.py`` for the coverage-guided atheris run).
"""

from __future__ import annotations

import csv
import html
import importlib
import inspect
import pkgutil
import time
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit
from touchcredit import JourneySet

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '=HYPERLINK("http://evil.example","x")',
]


def evil_set() -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=["a", "a", "b", "b"],
        timestamp=[0, 1, 0, 1],
        channel=[PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], "seo"],
        source=[PAYLOADS[1], PAYLOADS[0], "google", PAYLOADS[3]],
        campaign=[PAYLOADS[2], None, PAYLOADS[0], "q2"],
        conversion_journey_id=["a", "b", "c"],
        conversion_time=[5, 5, 5],
        conversion_value=[100.0, 50.0, 25.0],
        unit="s",
    )


def assert_escaped(markup: str) -> None:
    """No payload survives as markup; each appears in its escaped form."""
    assert isinstance(markup, str) and markup
    low = markup.lower()
    assert "<script" not in low
    assert "<img" not in low
    assert "<svg" not in low
    assert '"><' not in markup and "'><" not in markup
    assert html.escape(PAYLOADS[0]) in markup or "&lt;script&gt;" in markup


# ----------------------------------------------------------------- HTML reprs
def _attribute() -> Any:
    fn = getattr(touchcredit, "attribute", None)
    if fn is None:
        pytest.skip("touchcredit.attribute is not available yet")
    return fn


def test_journey_set_html_repr_escapes_labels() -> None:
    js = evil_set()
    if not hasattr(js, "_repr_html_"):
        pytest.skip("JourneySet has no _repr_html_")
    assert_escaped(js._repr_html_())


@pytest.mark.parametrize("dimension", ["channel", "source", "campaign"])
def test_credit_table_html_repr_escapes_labels(dimension: str) -> None:
    att = _attribute()(evil_set(), "linear")
    table = att.by(dimension)
    assert_escaped(table._repr_html_())
    if hasattr(att, "_repr_html_"):
        assert_escaped(att._repr_html_())


def test_comparison_html_repr_escapes_labels_and_model_names() -> None:
    compare = getattr(touchcredit, "compare", None)
    if compare is None:
        pytest.skip("touchcredit.compare is not available yet")
    cmp = compare(evil_set(), ["linear", "first_touch"], by="channel")
    assert_escaped(cmp._repr_html_())


def _html_classes() -> list[type]:
    """Every public class in the package that renders HTML."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(touchcredit.__path__, "touchcredit."):
        if info.name.split(".")[-1] in {"spark", "plot", "cli", "__main__"}:
            continue  # optional heavy edges and the CLI entry point: no HTML result classes
        try:
            mod = importlib.import_module(info.name)
        except ImportError:
            continue
        for name, obj in vars(mod).items():
            if (
                inspect.isclass(obj)
                and obj.__module__ == mod.__name__
                and not name.startswith("_")
                and "_repr_html_" in dir(obj)
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def _instances_with_html() -> dict[str, Any]:
    """One instance of every HTML-rendering class we know how to build, from evil labels."""
    out: dict[str, Any] = {}
    js = evil_set()
    out[type(js).__qualname__] = js
    attribute = getattr(touchcredit, "attribute", None)
    if attribute is not None:
        att = attribute(js, "linear")
        out[type(att).__qualname__] = att
        table = att.by("channel")
        out[type(table).__qualname__] = table
    compare = getattr(touchcredit, "compare", None)
    if compare is not None:
        cmp = compare(js, ["linear", "last_touch"], by="source")
        out[type(cmp).__qualname__] = cmp
    for factory in _EXTRA_FACTORIES:
        try:
            obj = factory(js)
        except (ImportError, AttributeError):
            continue
        out[type(obj).__qualname__] = obj
    return out


def _metric_table(js: JourneySet) -> Any:
    report = importlib.import_module("touchcredit.kpi.tables")
    return report.MetricTable(
        PAYLOADS[0],
        {
            "source": np.array(PAYLOADS, dtype=object),
            "leads": np.arange(len(PAYLOADS)),
        },
        key=("source",),
        notes=(PAYLOADS[1],),
    )


def _monthly_report(js: JourneySet) -> Any:
    report = importlib.import_module("touchcredit.kpi.tables")
    return report.MonthlyReport(
        PAYLOADS[1],
        {"source": np.array(PAYLOADS, dtype=object), "month": np.array(PAYLOADS, dtype=object)},
        key=("source", "month"),
        notes=(PAYLOADS[0],),
        by="source",
        tz="UTC",
        currency=PAYLOADS[2],
    )


def _report(js: JourneySet) -> Any:
    pytest.importorskip("jinja2")
    return touchcredit.Report(js, models=["linear"], title=PAYLOADS[1])


def _lead_set(js: JourneySet) -> Any:
    leads = importlib.import_module("touchcredit.kpi.leads")
    return leads.LeadSet.from_arrays(
        lead_id=[1, 2, 3, 4],
        created_at=["2024-01-01"] * 4,
        source=[*PAYLOADS[:3], None],
    )


def _bootstrap(js: JourneySet) -> Any:
    return touchcredit.bootstrap(js, "linear", n=5, seed=1)


def _cleaning_table() -> dict[str, Any]:
    return {
        "cookie": ["c1", "c1", "c2", "c3"],
        "ts": ["2024-03-01", "2024-03-02", "2024-03-03", "soon"],
        "source": [PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], "google"],
    }


def _cleaning_report(js: JourneySet) -> Any:
    _, report = touchcredit.clean(_cleaning_table(), journey="cookie", timestamp="ts",
                                  source="source")  # fmt: skip
    assert report.unmapped_sources  # the payloads are unknown sources, listed in the view
    return report


def _connector_report(js: JourneySet) -> Any:
    mod = importlib.import_module("touchcredit.connectors.report")
    base = _cleaning_report(js)
    fields = {f.name: getattr(base, f.name) for f in attrs.fields(type(base))}
    return mod.ConnectorReport(**fields, source=PAYLOADS[1], tables={PAYLOADS[2]: 4})


def _example_data(js: JourneySet) -> Any:
    datasets = importlib.import_module("touchcredit.datasets")
    column = {PAYLOADS[0]: np.array(PAYLOADS, dtype=object)}
    return datasets.ExampleData(touches=column, leads=column, deals=column, spend=column)


_EXTRA_FACTORIES: list[Any] = [
    _metric_table,
    _monthly_report,
    _report,
    _lead_set,
    _bootstrap,
    _cleaning_report,
    _connector_report,
    _example_data,
]


def test_every_html_rendering_class_escapes_labels() -> None:
    classes = _html_classes()
    assert classes, "no class renders HTML"
    instances = _instances_with_html()
    unbuilt = [c.__qualname__ for c in classes if c.__qualname__ not in instances]
    assert not unbuilt, f"add a factory with hostile labels for {unbuilt}"
    for cls in classes:
        assert_escaped(instances[cls.__qualname__]._repr_html_())


# ----------------------------------------------------------- CSV/Excel export
def _export() -> Any:
    try:
        return importlib.import_module("touchcredit.io.export")
    except ImportError:
        pytest.skip("touchcredit.io.export is not available yet")


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        '=HYPERLINK("http://evil.example","click")',
        "=cmd|' /C calc'!A0",
    ],
)
def test_formula_like_cells_are_neutralised(cell: str) -> None:
    neutralize = _export().neutralize_cell
    out = neutralize(cell)
    assert isinstance(out, str)
    assert out != cell
    assert out[0] not in "=+-@\t\r"
    assert cell in out  # the text is kept, only defused


@pytest.mark.parametrize("cell", ["seo", "paid social", "q2_demo_push", "LinkedIn Ads", ""])
def test_plain_cells_are_unchanged(cell: str) -> None:
    assert _export().neutralize_cell(cell) == cell


@pytest.mark.parametrize("value", [1, -1, 2.5, -0.25, None])
def test_numbers_are_not_neutralised(value: Any) -> None:
    out = _export().neutralize_cell(value)
    assert out == value or out == ("" if value is None else str(value))


def test_write_csv_defuses_every_text_cell(tmp_path: Path) -> None:
    export = _export()
    path = tmp_path / "credit.csv"
    columns = {
        "channel": np.array(["=1+1", "seo", "@evil", "-2+3", "+x", "\tx"], dtype=object),
        "value": np.array([1.0, 2.0, -3.0, 4.0, 5.0, 6.0]),
    }
    export.write_csv(path, columns)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["channel", "value"]
    for row in rows[1:]:
        assert row[0] == "" or row[0][0] not in "=+-@\t\r"
    assert rows[2][0] == "seo"
    assert [float(r[1]) for r in rows[1:]] == [1.0, 2.0, -3.0, 4.0, 5.0, 6.0]


def test_write_csv_defuses_header_names(tmp_path: Path) -> None:
    export = _export()
    path = tmp_path / "h.csv"
    export.write_csv(path, {"=cmd": np.array(["a"], dtype=object)})
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[0][0] not in "=+-@\t\r"


def test_frames_write_table_csv_defuses_formulas(tmp_path: Path) -> None:
    frames = pytest.importorskip("touchcredit.io.frames")
    path = tmp_path / "report.csv"
    frames.write_table(
        {"campaign": np.array([*PAYLOADS, "+x", "-y", "@z"], dtype=object), "n": np.arange(7)},
        path,
    )
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    cells = [r[0] for r in rows[1:]]
    assert len(cells) == 7
    assert all(c[0] not in "=+-@\t\r" for c in cells)
    assert cells[3] == "'" + PAYLOADS[3]
    assert cells[0] == PAYLOADS[0]  # not a formula: kept as is (HTML is escaped elsewhere)


# ------------------------------------------------------------ UTM/URL parser
def _parse() -> Any:
    try:
        utm = importlib.import_module("touchcredit.hygiene.utm")
    except ImportError:
        pytest.skip("touchcredit.hygiene.utm is not available yet")
    return utm.parse


def _call(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return None  # a documented rejection; anything else is a crash


_URL_CHARS = st.sampled_from(
    [
        *"utm_sourcemediumcampaign=&?#/%:;+.-_ ",
        "%2",
        "%25",
        "%E2%82",
        "%00",
        "\x00",
        "\u202e",
        "é",
        "😀",
        "&&",
        "==",
        "??",
        "http://",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_utm_parse_survives_arbitrary_text(text: str) -> None:
    _call(_parse(), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_URL_CHARS, max_size=120).map("".join))
def test_utm_parse_survives_url_shaped_text(text: str) -> None:
    parse = _parse()
    _call(parse, "https://example.com/landing?" + text)
    _call(parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "https://x.example/?" + "utm_source=a&" * 80_000,
        "https://x.example/?utm_source=" + "%" * 1_000_000,
        "https://x.example/?utm_source=" + "%2" * 500_000,
        "?" + "=" * 1_000_000,
        "&" * 1_000_000,
        "https://" + "a." * 500_000 + "com/",
        "https://x.example/?utm_campaign=" + "a" * 1_000_000 + "!",
        "utm_source=" + "%25" * 333_333,
        "https://x.example/" + "/" * 1_000_000 + "?utm_source=x",
        " " * 1_000_000 + "x",
    ],
    ids=[
        "80k-params",
        "1M-percent",
        "500k-broken-escapes",
        "1M-equals",
        "1M-ampersands",
        "1M-host",
        "1M-value",
        "double-encoded",
        "1M-slashes",
        "1M-spaces",
    ],
)
def test_utm_parse_of_megabyte_inputs_is_bounded(text: str) -> None:
    parse = _parse()
    start = time.perf_counter()
    _call(parse, text)
    elapsed = time.perf_counter() - start
    # Linear-time parsing takes well under a second; catastrophic backtracking takes
    # minutes. The bound is loose on purpose (shared CI machines).
    assert elapsed < 5.0, f"utm.parse took {elapsed:.1f} s on {len(text):,} characters"
