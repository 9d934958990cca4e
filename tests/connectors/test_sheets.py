"""touchcredit.connectors.sheets: a user's sheet read by keys; ids, stages, rejects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from touchcredit.connectors import SchemaError
from touchcredit.connectors.report import Cleaning
from touchcredit.connectors.sheets import (
    Rejected,
    lead_key,
    read_sheet,
    sheet_columns,
    sheet_labels,
    sheet_times,
    won_mask,
)

pytest.importorskip("pyarrow")

_DEALS = "\ufefflead_id,amount,closed,stage,channel\n007,1.200,2024-03-01,Closed Won, email \n"


def test_lead_key_trims_and_lowercases_emails_only() -> None:
    out = lead_key(["007", " 7 ", "Ann@X.io ", "", None])
    assert out.tolist() == ["007", "7", "ann@x.io", None, None]


def test_won_mask_ignores_case_spaces_and_separators() -> None:
    stages = ["closed-won", "CLOSEDWON", "Closed Lost", None, "won"]
    assert won_mask(stages, "Closed Won").tolist() == [True, True, False, False, False]
    assert won_mask(stages, ["won", "closed lost"]).tolist() == [False, False, True, False, True]


def test_rejected_collects_or_raises_with_one_based_rows() -> None:
    rows = np.arange(3, dtype=np.int64)
    rej = Rejected("deals", raising=False)
    rej.reject(np.array([False, True, True]), "no lead id", rows)
    assert rej.reasons == ["deals row 2: no lead id", "deals row 3: no lead id"]
    with pytest.raises(ValueError, match="^deals row 1: no amount$"):
        Rejected("deals", raising=True).reject(np.array([True, False, False]), "no amount", rows)


def test_sheet_columns_overrides_drops_and_refuses_unknown_keys() -> None:
    keys = ("lead_id", "amount", "channel")
    defaults = {"lead_id": "Lead", "amount": "Amount", "channel": "Channel"}
    given = {"amount": "Value", "channel": None}
    assert sheet_columns(given, keys, defaults, "deals") == {"lead_id": "Lead", "amount": "Value"}
    with pytest.raises(ValueError, match="deals: unknown key 'stage'"):
        sheet_columns({"stage": "Stage"}, keys, defaults, "deals")
    with pytest.raises(ValueError, match="deals amount: a column name"):
        sheet_columns({"amount": 3}, keys, defaults, "deals")


def test_read_sheet_keeps_ids_text_and_names_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(_DEALS, encoding="utf-8")
    cols = {"lead_id": "lead_id", "amount": "amount", "stage": "stage"}
    table = read_sheet(path, "deals", cols, "deals")
    assert table.column("lead_id").to_pylist() == ["007"]
    assert table.column("amount").to_pylist() == ["1.200"]  # read by the column's rule later
    with pytest.raises(SchemaError, match=r"'Won' is deals won\)$"):
        read_sheet(path, "deals", {**cols, "won": "Won"}, "deals")


def test_sheet_times_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(_DEALS, encoding="utf-8")
    table = read_sheet(path, "deals", {"lead_id": "lead_id", "channel": "channel"}, "deals")
    when = sheet_times(table, "closed", "closed_at", "deals", Cleaning(), None)
    assert when.astype("datetime64[D]").tolist()[0].isoformat() == "2024-03-01"
    assert sheet_labels(table, "channel", None).tolist() == ["email"]
    assert sheet_labels(table, None, None) is None
    with pytest.raises(ValueError, match=r"deals closed_at \(column 'stage'\)"):
        sheet_times(table, "stage", "closed_at", "deals", Cleaning(), None)
