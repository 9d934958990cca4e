"""Tests of touchcredit.hygiene.clean_input: the column map and tables ``clean`` reads."""

from __future__ import annotations

import io

import numpy as np
import pytest

from touchcredit.core.mapping import UNSET, ColumnMap
from touchcredit.core.time import TimeRule
from touchcredit.hygiene.clean_input import clean_columns, conversion_table, resolve, touch_table
from touchcredit.hygiene.text_codes import TextCodes


def test_clean_columns_keywords_over_defaults() -> None:
    cols = clean_columns(
        None, journey="cookie", timestamp="ts", channel=UNSET, conversion_time=None
    )
    assert (cols.journey, cols.timestamp) == ("cookie", "ts")
    # UNSET and a None required field keep the ColumnMap defaults
    assert cols.channel == ColumnMap().channel
    assert cols.conversion_time == ColumnMap().conversion_time


def test_clean_columns_keeps_a_given_map() -> None:
    given = ColumnMap(journey="id", timestamp="when")
    cols = clean_columns(given)
    assert (cols.journey, cols.timestamp) == ("id", "when")


def test_resolve_derives_channel_and_borrows_the_touch_time_name() -> None:
    cols = resolve(
        ColumnMap(journey="id", timestamp="ts"), {"id": [], "ts": []}, {"id": [], "ts": []}
    )
    assert cols.channel is None
    assert cols.conversion_time == "ts"


def test_resolve_keeps_columns_that_exist() -> None:
    base = ColumnMap(journey="id", timestamp="ts")
    touches = {"id": [], "ts": [], "channel": []}
    conversions = {"id": [], "ts": [], "conversion_time": []}
    cols = resolve(base, touches, conversions)
    assert cols.channel == "channel"
    assert cols.conversion_time == "conversion_time"
    # no conversions: conversion_time is left alone
    assert resolve(base, touches, None).conversion_time == ColumnMap().conversion_time


def test_touch_table_mapping_is_checked_and_returned() -> None:
    cols = ColumnMap(journey="id", timestamp="ts", channel=None)
    table = {"id": ["0001"], "ts": ["2024-01-01"]}
    assert touch_table(table, cols, rule=TimeRule()) is table
    with pytest.raises(ValueError, match="ts"):
        touch_table({"id": ["0001"]}, cols, rule=TimeRule())


def test_touch_table_from_a_bom_csv_frame_keeps_leading_zeros() -> None:
    pd = pytest.importorskip("pandas")
    data = "\ufeffid,ts\n0001,2024-01-01 10:00\n0002,2024-01-02 11:00\n".encode()
    df = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig")
    cols = ColumnMap(journey="id", timestamp="ts", channel=None)
    out = touch_table(df, cols, rule=TimeRule())
    ids = out["id"]
    labels = ids.labels() if isinstance(ids, TextCodes) else np.asarray(ids, dtype=object)
    assert labels.tolist() == ["0001", "0002"]
    assert set(out) == {"id", "ts"}


def test_conversion_table_none_and_missing_columns() -> None:
    cols = ColumnMap(journey="id", timestamp="ts", conversion_time="ts")
    assert conversion_table(None, cols, rule=TimeRule()) is None
    table = {"id": ["0001"], "ts": ["2024-01-03"]}
    assert conversion_table(table, cols, rule=TimeRule()) is table
    with pytest.raises(ValueError, match="conversions"):
        conversion_table({"id": ["0001"]}, cols, rule=TimeRule())
