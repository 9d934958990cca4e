"""touchcredit.io.export: CSV cells defused, missing values empty, lengths checked."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchcredit.io.export import FORMULA_START, neutralize_cell, write_csv


@pytest.mark.parametrize("start", list(FORMULA_START))
def test_neutralize_cell_prefixes_each_formula_start(start: str) -> None:
    assert neutralize_cell(start + "SUM(A1)") == "'" + start + "SUM(A1)"


@given(st.text())
def test_neutralize_cell_only_adds_one_quote(text: str) -> None:
    out = neutralize_cell(text)
    if text.startswith(FORMULA_START):
        assert out == "'" + text
    else:
        assert out == text


def test_neutralize_cell_leaves_numbers_alone() -> None:
    assert neutralize_cell(-3) == -3 and neutralize_cell(None) is None


def test_write_csv_missing_values_are_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(
        path,
        {
            "label": np.array(["007", None, "-x"], dtype=object),
            "value": np.array([1.5, np.nan, 2.0]),
            "month": np.array(["2024-01-01", "NaT", "2024-03-01"], dtype="datetime64[D]"),
        },
    )
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows == [
        ["label", "value", "month"],
        ["007", "1.5", "2024-01-01"],
        ["", "", ""],
        ["'-x", "2.0", "2024-03-01"],
    ]


def test_write_csv_replaces_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, {"label": np.array(["a\x00b"], dtype=object)})
    assert "\x00" not in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").splitlines()[1] == "a\\x00b"


def test_write_csv_unequal_lengths_raise_and_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with pytest.raises(ValueError, match="equal lengths"):
        write_csv(path, {"a": np.array([1, 2]), "b": np.array([1])})
    assert not path.exists()
