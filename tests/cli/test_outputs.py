"""touchcredit.cli.outputs: the credit, KPI and monthly tables of a run, written atomically."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.cli.outputs import (
    credit_rows,
    kpi_rows,
    monthly_rows,
    spend_by_label,
    write_atomic,
    write_columns,
)

JAN = 1_704_067_200  # 2024-01-01T00:00:00Z
FEB = 1_706_745_600  # 2024-02-01T00:00:00Z


def _journeys() -> Any:
    # "001" (leading zeros): seo then Email, converts in January for 100;
    # "002": one touch with no channel, converts in February for 30;
    # "003": no touches, converts in February for 10.
    return tc.JourneySet.from_arrays(
        journey_id=["001", "001", "002"], timestamp=[JAN, JAN + 60, JAN],
        channel=["seo", "Email", None],
        conversion_journey_id=["001", "002", "003"],
        conversion_time=[JAN + 3600, FEB + 3600, FEB + 7200],
        conversion_value=[100.0, 30.0, 10.0], unit="s",
    )  # fmt: skip


def test_write_atomic_creates_the_folder_and_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "out.txt"
    assert write_atomic(target, lambda tmp: tmp.write_text("first")) == target
    assert target.read_text() == "first"
    write_atomic(target, lambda tmp: tmp.write_text("second"))
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_write_atomic_keeps_the_previous_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "credit.csv"
    target.write_text("previous\n")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, fail)
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["credit.csv"]


def test_write_columns_csv_keeps_text_ids(tmp_path: Path) -> None:
    ids = np.array(["007", "010"], dtype=object)
    path = write_columns({"journey_id": ids, "value": np.array([1.5, 2.0])}, tmp_path / "t.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [r["journey_id"] for r in rows] == ["007", "010"]
    assert [float(r["value"]) for r in rows] == [1.5, 2.0]


def test_credit_rows_add_up_to_the_total() -> None:
    js = _journeys()
    table = tc.attribute(js, "linear").by("channel")
    cols = credit_rows([table], 140.0)
    got = dict(zip(cols["label"].tolist(), cols["value"].tolist(), strict=True))
    assert got == pytest.approx(
        {"seo": 50.0, "Email": 50.0, "(not recorded)": 30.0, "(unattributed)": 10.0}
    )
    assert cols["share"].sum() == pytest.approx(1.0)
    assert set(cols["model"].tolist()) == {"linear"}
    assert set(cols["dimension"].tolist()) == {"channel"}


def test_credit_rows_share_is_nan_without_a_total() -> None:
    table = tc.attribute(_journeys(), "linear").by("channel")
    assert np.isnan(credit_rows([table], 0.0)["share"]).all()


def test_no_spend_means_no_spend_by_label_and_nan_ratios() -> None:
    assert spend_by_label(None, "channel") == {}
    table = tc.attribute(_journeys(), "first_touch").by("channel")
    cols = kpi_rows([table], None)
    assert (cols["spend"] == 0).all()
    assert np.isnan(cols["roas"]).all() and np.isnan(cols["cost_per_conversion"]).all()
    got = dict(zip(cols["label"].tolist(), cols["conversions"].tolist(), strict=True))
    assert got["seo"] == pytest.approx(1.0) and got["(not recorded)"] == pytest.approx(1.0)


def test_monthly_rows_count_by_month_of_conversion() -> None:
    cols = monthly_rows(_journeys(), None)
    assert cols["month"].tolist() == ["2024-01", "2024-02"]
    assert cols["conversions"].tolist() == [1.0, 2.0]
    assert cols["value"].tolist() == pytest.approx([100.0, 40.0])
    assert cols["spend"].tolist() == [0.0, 0.0]
