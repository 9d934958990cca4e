"""Frames out: numpy columns -> pandas, polars, pyarrow through one function."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pytest

from touchcredit.core.frame_output import to_frame

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")


def to_frame_pd(columns: dict[str, np.ndarray]) -> object:
    return to_frame(columns, "pandas")


def to_frame_pl(columns: dict[str, np.ndarray]) -> object:
    return to_frame(columns, "polars")


def to_frame_pa(columns: dict[str, np.ndarray]) -> object:
    return to_frame(columns, "pyarrow")


COLUMNS = {
    "channel": np.array(["seo", None, "email"], dtype=object),
    "value": np.array([1.5, 0.0, 2.25]),
    "count": np.array([1, 2, 3], dtype=np.int64),
    "month": np.array(["2024-01", "2024-02", "2024-03"], dtype="datetime64[M]"),
    "when": np.array(["2024-01-01T10:00", "NaT", "2024-01-02"], dtype="datetime64[us]"),
}


def test_to_pandas() -> None:
    df = to_frame_pd(COLUMNS)
    assert list(df.columns) == list(COLUMNS)
    assert df["channel"].tolist()[0] == "seo" and df["channel"].isna().tolist()[1]
    assert df["value"].tolist() == [1.5, 0.0, 2.25]
    assert df["month"].dt.month.tolist() == [1, 2, 3]
    assert df["when"].isna().tolist() == [False, True, False]


def test_to_polars() -> None:
    df = to_frame_pl(COLUMNS)
    assert df.columns == list(COLUMNS)
    assert df["channel"].to_list() == ["seo", None, "email"]
    assert df["count"].to_list() == [1, 2, 3]
    assert df["month"].to_list() == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert df["when"].to_list()[1] is None


def test_to_arrow() -> None:
    t = to_frame_pa(COLUMNS)
    assert t.column_names == list(COLUMNS)
    assert t.column("channel").to_pylist() == ["seo", None, "email"]
    assert t.column("value").to_pylist() == [1.5, 0.0, 2.25]
    assert str(t.schema.field("month").type) == "date32[day]"
    assert t.column("when").null_count == 1


def test_odd_objects_become_text_and_lengths_are_checked() -> None:
    keys = np.empty(2, dtype=object)
    keys[:] = [("seo", "2024-01"), ("ads", "2024-02")]
    assert to_frame_pa({"key": keys}).column("key").to_pylist()[0] == "('seo', '2024-01')"
    with pytest.raises(ValueError, match="equal lengths"):
        to_frame_pd({"a": np.zeros(2), "b": np.zeros(3)})


@pytest.mark.parametrize(
    ("backend", "extra"), [("pandas", "pandas"), ("polars", "polars"), ("pyarrow", "arrow")]
)
def test_missing_library_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, backend: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, backend, None)  # makes `import backend` fail
    with pytest.raises(ImportError, match=rf'pip install "touchcredit\[{extra}\]"'):
        to_frame({"a": np.zeros(1)}, backend)  # type: ignore[arg-type]


def test_unknown_backend_is_named() -> None:
    with pytest.raises(ValueError, match="backend must be one of pandas, polars, pyarrow"):
        to_frame({"a": np.zeros(1)}, "spark")  # type: ignore[arg-type]


def test_numeric_columns_go_to_arrow_without_a_copy() -> None:
    values = np.arange(5, dtype=np.float64)
    t = to_frame({"v": values}, "pyarrow")
    assert t.column("v").chunk(0).buffers()[1].address == values.ctypes.data
