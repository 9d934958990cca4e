"""DataFrame interop: numpy columns -> pandas/polars/arrow, frames -> JourneySet, files."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.store import JourneySet
from touchcredit.io import frames

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

TOUCHES: dict[str, Any] = {
    "person": ["b", "a", "a", "b", "c"],
    "ts": ["2024-01-03", "2024-01-02", "2024-01-01", "2024-01-01", "2024-01-05"],
    "channel": ["email", "seo", "paid social", None, "seo"],
    "source": ["Newsletter", "Google", "LinkedIn Ads", "Google", None],
}
CONVERSIONS: dict[str, Any] = {
    "person": ["a", "b", "d"],
    "when": ["2024-01-04", "2024-01-04", "2024-01-06"],
    "amount": [100.0, 40.0, 7.5],
}


def _times(values: list[str]) -> np.ndarray:
    return np.array(values, dtype="datetime64[us]")


def expected() -> JourneySet:
    return JourneySet.from_arrays(
        journey_id=TOUCHES["person"],
        timestamp=_times(TOUCHES["ts"]),
        channel=TOUCHES["channel"],
        source=TOUCHES["source"],
        conversion_journey_id=CONVERSIONS["person"],
        conversion_time=_times(CONVERSIONS["when"]),
        conversion_value=CONVERSIONS["amount"],
    )


def as_pandas(d: dict[str, Any], time_col: str) -> Any:
    df = pd.DataFrame(d)
    df[time_col] = pd.to_datetime(df[time_col])
    return df


def as_polars(d: dict[str, Any], time_col: str) -> Any:
    return pl.DataFrame(d).with_columns(pl.col(time_col).str.to_datetime("%Y-%m-%d"))


def as_arrow(d: dict[str, Any], time_col: str) -> Any:
    cols = dict(d)
    cols[time_col] = pa.array(_times(d[time_col]))
    return pa.table(cols)


MAKERS = {"pandas": as_pandas, "polars": as_polars, "arrow": as_arrow}


def assert_same(a: JourneySet, b: JourneySet) -> None:
    assert a.journey_ids.tolist() == b.journey_ids.tolist()
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(a.timestamp, b.timestamp)
    np.testing.assert_array_equal(a.touch_row, b.touch_row)
    for name in DIMENSIONS:
        assert a.dimension(name).labels().tolist() == b.dimension(name).labels().tolist()
    np.testing.assert_array_equal(a.conversion_journey, b.conversion_journey)
    np.testing.assert_array_equal(a.conversion_time, b.conversion_time)
    np.testing.assert_array_equal(a.conversion_value, b.conversion_value)


@pytest.mark.parametrize("lib", list(MAKERS))
def test_from_frame_matches_from_arrays(lib: str) -> None:
    make = MAKERS[lib]
    js = JourneySet.from_frame(
        make(TOUCHES, "ts"),
        journey="person",
        timestamp="ts",
        source="source",
        conversions=make(CONVERSIONS, "when"),
        conversion_time="when",
        conversion_value="amount",
    )
    assert_same(js, expected())
    assert js.n_journeys == 4  # 'd' converts without touches: kept, unattributed later
    assert js.total_value == 147.5


def test_pandas_categorical_stays_coded() -> None:
    df = as_pandas(TOUCHES, "ts")
    df["channel"] = df["channel"].astype("category")
    js = JourneySet.from_frame(df, journey="person", timestamp="ts")
    assert js.channel.categories == ("email", "paid social", "seo")
    assert js.channel.labels().tolist() == expected().channel.labels().tolist()


def test_pandas_arrow_backed_columns() -> None:
    df = as_pandas(TOUCHES, "ts").convert_dtypes(dtype_backend="pyarrow")
    assert isinstance(df["channel"].dtype, pd.ArrowDtype)
    js = JourneySet.from_frame(df, journey="person", timestamp="ts", source="source")
    assert js.channel.labels().tolist() == expected().channel.labels().tolist()
    np.testing.assert_array_equal(js.timestamp, expected().timestamp)


def test_arrow_dictionary_stays_coded() -> None:
    t = as_arrow(TOUCHES, "ts")
    i = t.schema.get_field_index("channel")
    t = t.set_column(i, "channel", t.column("channel").dictionary_encode())
    js = JourneySet.from_frame(t, journey="person", timestamp="ts")
    assert js.channel.labels().tolist() == expected().channel.labels().tolist()


def test_polars_enum_and_categorical() -> None:
    df = as_polars(TOUCHES, "ts").with_columns(
        pl.col("channel").cast(pl.Enum(["seo", "email", "paid social"])),
        pl.col("source").cast(pl.Categorical),
    )
    js = JourneySet.from_frame(df, journey="person", timestamp="ts", source="source")
    assert js.channel.categories == ("seo", "email", "paid social")  # the Enum's order
    assert js.channel.labels().tolist() == expected().channel.labels().tolist()
    assert js.source.labels().tolist() == expected().source.labels().tolist()


def test_aware_times_keep_their_instant_naive_times_use_default_tz() -> None:
    df = pd.DataFrame(
        {
            "journey_id": ["a", "a"],
            "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00"]).tz_localize(
                "Europe/Paris"
            ),
            "channel": ["seo", "email"],
        }
    )
    conv = pd.DataFrame({"journey_id": ["a"], "conversion_time": ["2024-01-01 13:00"]})
    js = JourneySet.from_frame(df, conversions=conv, default_tz="Europe/Paris")
    # 10:00 Paris = 09:00 UTC; the aware column is not shifted a second time
    assert js.timestamp.tolist() == [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 1, 11)]
    assert js.conversion_time.tolist() == [dt.datetime(2024, 1, 1, 12)]
    pl_df = pl.from_pandas(df)
    assert pl_df["timestamp"].dtype.time_zone == "Europe/Paris"
    js2 = JourneySet.from_frame(pl_df, conversions=conv, default_tz="Europe/Paris")
    np.testing.assert_array_equal(js2.timestamp, js.timestamp)
    js3 = JourneySet.from_frame(pa.Table.from_pandas(df), conversions=conv, default_tz="UTC")
    np.testing.assert_array_equal(js3.timestamp, js.timestamp)
    assert js3.conversion_time.tolist() == [dt.datetime(2024, 1, 1, 13)]


@pytest.mark.parametrize("lib", list(MAKERS))
def test_missing_columns_are_named_with_the_columns_found(lib: str) -> None:
    df = MAKERS[lib](TOUCHES, "ts")
    with pytest.raises(frames.MissingColumnError) as exc:
        JourneySet.from_frame(df, journey="person", timestamp="time", channel="medium")
    msg = str(exc.value)
    assert "'time' (timestamp=)" in msg and "'medium' (channel=)" in msg
    assert "columns found: person, ts, channel, source" in msg
    with pytest.raises(ValueError, match=r"conversion table is missing column\(s\) 'value'"):
        JourneySet.from_frame(
            df,
            journey="person",
            timestamp="ts",
            conversions=MAKERS[lib](CONVERSIONS, "when"),
            conversion_time="when",
            conversion_value="value",
        )


def test_not_a_frame_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        JourneySet.from_frame({"journey_id": [1]})


def test_bad_values_are_reported_by_field_and_row() -> None:
    df = as_pandas(TOUCHES, "ts")
    df.loc[2, "channel"] = ""
    with pytest.raises(ValueError, match="'channel' must not be empty.*row 2"):
        JourneySet.from_frame(df, journey="person", timestamp="ts")


# ------------------------------------------------------------------ numpy -> frames
COLUMNS = {
    "channel": np.array(["seo", None, "email"], dtype=object),
    "value": np.array([1.5, 0.0, 2.25]),
    "count": np.array([1, 2, 3], dtype=np.int64),
    "month": np.array(["2024-01", "2024-02", "2024-03"], dtype="datetime64[M]"),
    "when": np.array(["2024-01-01T10:00", "NaT", "2024-01-02"], dtype="datetime64[us]"),
}


def test_to_pandas() -> None:
    df = frames.to_pandas(COLUMNS)
    assert list(df.columns) == list(COLUMNS)
    assert df["channel"].tolist()[0] == "seo" and df["channel"].isna().tolist()[1]
    assert df["value"].tolist() == [1.5, 0.0, 2.25]
    assert df["month"].dt.month.tolist() == [1, 2, 3]
    assert df["when"].isna().tolist() == [False, True, False]


def test_to_polars() -> None:
    df = frames.to_polars(COLUMNS)
    assert df.columns == list(COLUMNS)
    assert df["channel"].to_list() == ["seo", None, "email"]
    assert df["count"].to_list() == [1, 2, 3]
    assert df["month"].to_list() == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert df["when"].to_list()[1] is None


def test_to_arrow() -> None:
    t = frames.to_arrow(COLUMNS)
    assert t.column_names == list(COLUMNS)
    assert t.column("channel").to_pylist() == ["seo", None, "email"]
    assert t.column("value").to_pylist() == [1.5, 0.0, 2.25]
    assert str(t.schema.field("month").type) == "date32[day]"
    assert t.column("when").null_count == 1


def test_odd_objects_become_text_and_lengths_are_checked() -> None:
    keys = np.empty(2, dtype=object)
    keys[:] = [("seo", "2024-01"), ("ads", "2024-02")]
    assert frames.to_arrow({"key": keys}).column("key").to_pylist()[0] == "('seo', '2024-01')"
    with pytest.raises(ValueError, match="equal lengths"):
        frames.to_pandas({"a": np.zeros(2), "b": np.zeros(3)})


@pytest.mark.parametrize(
    ("func", "module", "extra"),
    [
        ("to_pandas", "pandas", "pandas"),
        ("to_polars", "polars", "polars"),
        ("to_arrow", "pyarrow", "arrow"),
    ],
)
def test_missing_library_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, func: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(ImportError, match=rf'pip install "touchcredit\[{extra}\]"'):
        getattr(frames, func)({"a": np.zeros(1)})


# ------------------------------------------------------------------ files
def test_read_csv_and_parquet(tmp_path: Path) -> None:
    csv_path = tmp_path / "touches.csv"
    csv_path.write_text(
        "journey_id,timestamp,channel,source\n"
        "a,2024-01-01T10:00:00,seo,\n"
        "a,2024-01-02T10:00:00Z,email,Newsletter\n"
    )
    t = frames.read_table(csv_path)
    assert t.column("source").to_pylist() == [None, "Newsletter"]  # empty cell = null
    pq_path = tmp_path / "touches.parquet"
    frames.write_table({"journey_id": np.array(["a"], dtype=object), "v": np.ones(1)}, pq_path)
    assert frames.read_table(pq_path).column("v").to_pylist() == [1.0]
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match=r"cannot tell the format of 'x.json'"):
        frames.read_table(tmp_path / "x.json")
    with pytest.raises(FileNotFoundError, match="no such file"):
        frames.read_table(tmp_path / "missing.csv")


def test_csv_with_mixed_offsets_builds_journeys(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("journey_id,timestamp,channel\na,2024-01-01T10:00:00+02:00,seo\n")
    js = JourneySet.from_frame(frames.read_table(p))
    assert js.timestamp.tolist() == [dt.datetime(2024, 1, 1, 8)]


def test_write_table_csv_defuses_formulas(tmp_path: Path) -> None:
    p = tmp_path / "out.csv"
    frames.write_table(
        {"source": np.array(["=1+1", "seo"], dtype=object), "value": np.array([-1.0, 2.0])}, p
    )
    assert p.read_text().splitlines() == ["source,value", "'=1+1,-1.0", "seo,2.0"]
    with pytest.raises(ValueError, match="use a .csv or .parquet"):
        frames.write_table({"a": np.zeros(1)}, tmp_path / "out.xlsx")


# ------------------------------------------------------------------ round trips
def _attribute() -> Any:
    fn = getattr(tc, "attribute", None)
    if fn is None:
        pytest.skip("touchcredit.attribute is not available yet")
    return fn


@pytest.mark.parametrize("lib", list(MAKERS))
def test_round_trip_frame_to_credit_table_to_frames(lib: str) -> None:
    attribute = _attribute()
    make = MAKERS[lib]
    js = JourneySet.from_frame(
        make(TOUCHES, "ts"),
        journey="person",
        timestamp="ts",
        source="source",
        conversions=make(CONVERSIONS, "when"),
        conversion_time="when",
        conversion_value="amount",
    )
    table = attribute(js, "linear").by("channel")
    # a: seo + paid social share 100; b: its touch without channel and email share 40
    credit = dict(zip(table.labels, table.value.tolist(), strict=True))
    assert credit["seo"] == pytest.approx(50.0)
    assert credit["paid social"] == pytest.approx(50.0)
    assert credit["email"] == pytest.approx(20.0)
    assert credit[None] == pytest.approx(20.0)
    assert table.unattributed_value == pytest.approx(7.5)
    pdf = table.to_pandas()
    pldf = table.to_polars()
    adf = table.to_arrow()
    assert len(pdf) == len(pldf) == adf.num_rows
    for frame_values in (
        pdf["value"].tolist(),
        pldf["value"].to_list(),
        adf.column("value").to_pylist(),
    ):
        assert sum(frame_values) == pytest.approx(sum(table.value.tolist()))


def test_round_trip_comparison_to_frames() -> None:
    _attribute()
    compare = getattr(tc, "compare", None)
    if compare is None:
        pytest.skip("touchcredit.compare is not available yet")
    js = expected()
    cmp = compare(js, ["first_touch", "last_touch"], by="channel")
    for df in (cmp.to_pandas(), cmp.to_polars(), cmp.to_arrow()):
        n = df.num_rows if hasattr(df, "num_rows") else len(df)
        assert n == len(cmp.labels)


def test_numeric_columns_are_read_without_a_copy() -> None:
    values = np.arange(5, dtype=np.float64)
    df = pd.DataFrame({"v": values}, copy=False)
    assert np.shares_memory(frames._column(df, "v"), df["v"].to_numpy())
    t = pa.table({"v": values})
    buf = t.column("v").chunk(0).buffers()[1]
    got = frames._column(t, "v")
    assert got.ctypes.data == buf.address  # a view of Arrow's buffer
    pdf = pl.DataFrame({"v": values})
    assert np.shares_memory(frames._column(pdf, "v"), pdf["v"].to_numpy())


@pytest.mark.parametrize("lib", list(MAKERS))
def test_round_trip_frame_to_result_tables_to_frames(lib: str) -> None:
    """Frame -> JourneySet -> result tables that exist today -> the three libraries."""
    from touchcredit.cli.credit import credit_table
    from touchcredit.kpi.paths import top_paths
    from touchcredit.models import MarkovModel

    make = MAKERS[lib]
    js = JourneySet.from_frame(
        make(TOUCHES, "ts"),
        journey="person",
        timestamp="ts",
        source="source",
        conversions=make(CONVERSIONS, "when"),
        conversion_time="when",
        conversion_value="amount",
    )
    paths = top_paths(js, k=None)
    credit = credit_table(js, MarkovModel().fit(js), "channel")
    assert credit["value"].sum() == pytest.approx(js.total_value)  # 7.5 unattributed row
    for table in (paths, credit):
        n = len(table)
        pdf, pldf, adf = table.to_pandas(), table.to_polars(), table.to_arrow()
        assert list(pdf.columns) == pldf.columns == adf.column_names == list(table.names)
        assert len(pdf) == pldf.height == adf.num_rows == n
        for name in table.names:
            expect = table[name].tolist()
            assert pdf[name].astype(object).where(pdf[name].notna(), None).tolist() == expect
            assert pldf[name].to_list() == expect
            assert adf.column(name).to_pylist() == expect
