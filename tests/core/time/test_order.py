"""Issue 21 item 1: one day/month order per column, numbers written as text read as epochs;
on export-shaped CSV text (BOM, text ids)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit.core.time import read_times, to_datetime64
from touchcredit.core.time.order import decide_order

pa_csv = pytest.importorskip("pyarrow.csv")


def _us(text: str) -> np.datetime64:
    return np.datetime64(text, "us")


def test_day_month_order_is_decided_once_per_column_from_a_csv_with_a_bom() -> None:
    data = "\ufeffid,ts\n007,01/05/2024\n008,13/05/2024\n009,02/05/2024 14:30\n".encode()
    table = pa_csv.read_csv(io.BytesIO(data))
    assert table.column_names == ["id", "ts"]
    got = to_datetime64(table.column("ts"), field="ts")
    assert got.tolist() == [
        dt.datetime(2024, 5, 1),
        dt.datetime(2024, 5, 13),
        dt.datetime(2024, 5, 2, 14, 30),
    ]
    # the same values through the numpy/dateutil path
    assert (to_datetime64(np.array(["01/05/2024", "13/05/2024"]), field="ts") == got[:2]).all()


def test_month_first_evidence_reads_the_column_month_first() -> None:
    got = to_datetime64(["01/05/2024", "05/13/2024"], field="ts")
    assert got.tolist() == [dt.datetime(2024, 1, 5), dt.datetime(2024, 5, 13)]


def test_contradicting_rows_are_an_error_naming_both_rows() -> None:
    values = ["2024-05-01", "13/05/2024", "01/05/2024", "05/13/2024"]
    want = (
        r"^'Created' could not be read: the day/month order contradicts itself: row 2 "
        r"\('13/05/2024'\) is day first, row 4 \('05/13/2024'\) is month first; pass "
        r"dayfirst=True or dayfirst=False to choose$"
    )
    with pytest.raises(ValueError, match=want):
        read_times(values, field="Created")
    with pytest.raises(ValueError, match=want):  # the Arrow path names the same rows
        read_times(
            pa_csv.read_csv(io.BytesIO(b"x\n" + "\n".join(values).encode()))["x"], field="Created"
        )


def test_an_explicit_order_rejects_the_values_that_cannot_be_read_in_it() -> None:
    out, bad = read_times(["05/13/2024", "01/05/2024"], dayfirst=True)
    assert out[1] == _us("2024-05-01")
    assert bad == {0: "'05/13/2024' cannot be read day first (dayfirst=True): 13 is not a month"}
    out, bad = read_times(["13/05/2024", "01/05/2024"], dayfirst=False)
    assert out[1] == _us("2024-01-05")
    assert list(bad) == [0]


def test_dotted_dates_are_day_first_and_year_first_dates_stay_year_first() -> None:
    assert to_datetime64(["1.5.2024"], field="ts")[0] == _us("2024-05-01")
    assert to_datetime64(["01.05.24 10:00"], field="ts")[0] == _us("2024-05-01T10:00")
    # dateutil's dayfirst would read 2024/05/01 as 5 January: it applies to d/m/y text only
    got = to_datetime64(["13/05/2024", "2024/05/01"], field="ts")
    assert got[1] == _us("2024-05-01")


def test_digits_alone_are_yyyymmdd_or_an_epoch_never_a_guessed_date() -> None:
    out, bad = read_times(["240501", "20240501", "1714557600", "1714557600123"])
    assert np.isnat(out[0])
    assert bad[0].startswith("'240501' does not hold a full date (day, month and year); digits")
    assert out[1] == _us("2024-05-01")
    out, bad = read_times(["1714557600", "1714557601"])  # one unit for the column
    assert bad == {} and out[0] == _us("2024-05-01T10:00")
    out, bad = read_times(["86400"], unit="s")
    assert out[0] == _us("1970-01-02")


def test_microsecond_epochs_as_text_in_a_crm_csv_are_read() -> None:
    data = "\ufeffemail,ts\n0042,1714557600123456\n0042,1714557700123456\n".encode()
    table = pa_csv.read_csv(
        io.BytesIO(data),
        convert_options=pa_csv.ConvertOptions(
            strings_can_be_null=False, column_types={"email": "string", "ts": "string"}
        ),
    )
    got = to_datetime64(table.column("ts"), field="ts")
    assert got[0] == _us("2024-05-01T10:00:00.123456")
    out, bad = read_times(table.column("ts"), unit="ms")  # unit= is honoured on text too
    assert np.isnat(out).all() and "outside years 1-9999" in bad[0]


@settings(max_examples=100, deadline=None)
@given(
    days=st.lists(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
        min_size=1,
        max_size=12,
    ),
    dayfirst=st.booleans(),
    sep=st.sampled_from(["/", "-"]),
)
def test_a_column_written_in_one_order_reads_back_exactly(
    days: list[dt.date], dayfirst: bool, sep: str
) -> None:
    fmt = f"%d{sep}%m{sep}%Y" if dayfirst else f"%m{sep}%d{sep}%Y"
    texts = [d.strftime(fmt) for d in days]
    settles = any(max(d.day, d.month) > 12 and d.day != d.month for d in days)
    out, bad = read_times(texts)
    if settles:  # the column says its order: every value is read in it
        assert bad == {}
        assert out.tolist() == [dt.datetime(d.year, d.month, d.day) for d in days]
    else:  # no value settles it: month first (slashes, dashes), the documented default
        assert bad == {}
        want = [
            dt.datetime(d.year, *((d.day, d.month) if dayfirst else (d.month, d.day))) for d in days
        ]
        assert out.tolist() == want
    # with the order given, always exact
    out, bad = read_times(texts, dayfirst=dayfirst)
    assert bad == {} and out.tolist() == [dt.datetime(d.year, d.month, d.day) for d in days]


def test_decide_order_names_first_rows_of_each_kind() -> None:
    order = decide_order(["13/05/2024"], [7], None)
    assert order.dayfirst and order.numeric == frozenset({0})


def test_clean_reads_one_order_per_column_and_names_rows() -> None:
    table = {
        "contact_id": ["0042", "0042", "0043"],
        "ts": ["01/05/2024 09:00", "13/05/2024 10:00", "02/05/2024 11:00"],
        "source": ["google", "newsletter", "google"],
    }
    js, rep = tc.clean(table, journey="contact_id", timestamp="ts", source="source")
    assert rep.rows_rejected == 0
    assert sorted(js.timestamp.tolist())[0] == dt.datetime(2024, 5, 1, 9)
