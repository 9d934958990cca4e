"""Frames in: any narwhals frame -> JourneySet (pandas, polars eager/lazy, pyarrow, DuckDB)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core import frame_input
from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.mapping import ColumnMap, MissingColumnError
from touchcredit.core.store import JourneySet

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")

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


def as_polars_lazy(d: dict[str, Any], time_col: str) -> Any:
    return as_polars(d, time_col).lazy()


def as_duckdb(d: dict[str, Any], time_col: str) -> Any:
    table = as_arrow(d, time_col)
    return duckdb.from_arrow(table)


MAKERS = {
    "pandas": as_pandas,
    "polars": as_polars,
    "polars-lazy": as_polars_lazy,
    "arrow": as_arrow,
    "duckdb": as_duckdb,
}


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
    with pytest.raises(MissingColumnError) as exc:
        JourneySet.from_frame(df, journey="person", timestamp="time", channel="medium")
    msg = str(exc.value)
    assert "no column 'time' (the timestamp column)" in msg
    assert "no column 'medium' (the channel column)" in msg
    assert "columns are: 'person', 'ts', 'channel', 'source'" in msg
    assert exc.value.missing == [("time", "timestamp"), ("medium", "channel")]
    with pytest.raises(ValueError, match=r"conversions: no column 'value' \(the conversion_value"):
        JourneySet.from_frame(
            df,
            journey="person",
            timestamp="ts",
            conversions=MAKERS[lib](CONVERSIONS, "when"),
            conversion_time="when",
            conversion_value="value",
        )


@pytest.mark.parametrize("lib", list(MAKERS))
def test_a_column_map_reads_the_same_as_keywords(lib: str) -> None:
    make = MAKERS[lib]
    cols = ColumnMap(
        journey="person",
        timestamp="ts",
        source="source",
        conversion_time="when",
        conversion_value="amount",
    )
    js = JourneySet.from_frame(make(TOUCHES, "ts"), make(CONVERSIONS, "when"), columns=cols)
    assert_same(js, expected())


def test_a_column_map_and_keywords_together_are_an_error() -> None:
    df = as_pandas(TOUCHES, "ts")
    with pytest.raises(TypeError, match="not both; got columns= and journey=, source="):
        JourneySet.from_frame(df, columns=ColumnMap(), journey="person", source=None)
    with pytest.raises(TypeError, match="'columns' must be a ColumnMap"):
        JourneySet.from_frame(df, columns={"journey": "person"})  # type: ignore[arg-type]


def test_a_lazy_frame_is_collected_with_only_the_mapped_columns() -> None:
    wide = as_polars(TOUCHES, "ts").with_columns(pl.lit(1).alias("unused"))
    plan = wide.lazy().select(pl.all())
    read = frame_input.read_columns(plan, {"journey": "person", "t": "ts"})
    assert set(read) == {"journey", "t"}
    assert read["journey"].categories == ("a", "b", "c")  # strings come out coded


def test_not_a_frame_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        JourneySet.from_frame({"journey_id": [1]})


def test_bad_values_are_reported_by_field_and_row() -> None:
    df = as_pandas(TOUCHES, "ts")
    df.loc[2, "channel"] = ""
    with pytest.raises(ValueError, match="'channel' must not be empty.*row 3"):
        JourneySet.from_frame(df, journey="person", timestamp="ts")


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
    times = np.arange(5).astype("datetime64[us]")

    def read(frame: Any, name: str) -> Any:
        return frame_input.read_columns(frame, {name: name})[name]

    df = pd.DataFrame({"v": values, "t": times}, copy=False)
    assert np.shares_memory(read(df, "v"), df["v"].to_numpy())
    assert np.shares_memory(read(df, "t"), df["t"].to_numpy())
    t = pa.table({"v": values, "t": times})
    got = read(t, "v")
    assert got.ctypes.data == t.column("v").chunk(0).buffers()[1].address  # Arrow's buffer
    assert read(t, "t").ctypes.data == t.column("t").chunk(0).buffers()[1].address
    pdf = pl.DataFrame({"v": values, "t": times})
    assert np.shares_memory(read(pdf, "v"), pdf["v"].to_numpy())


def test_touch_times_are_not_copied_and_the_set_never_aliases_them() -> None:
    """The touch time column is read as the frame's own array (no 8 bytes/touch copy
    during the build); the JourneySet still owns its times, also for sorted input."""
    times = np.arange(6).astype("datetime64[us]")  # already in (journey, time) order
    cols = ColumnMap(journey="j", timestamp="t", channel=None)
    df = pd.DataFrame({"j": np.repeat([1, 2], 3), "t": times}, copy=False)
    assert np.shares_memory(frame_input.journey_columns(df, None, cols)["timestamp"], times)
    js = JourneySet.from_frame(df, columns=cols)
    assert js.timestamp.tolist() == times.tolist()
    assert not np.shares_memory(js.timestamp, times)
    arrow = pa.table({"j": np.repeat([1, 2], 3), "t": times})
    js = JourneySet.from_frame(arrow, columns=cols)
    buffer = arrow.column("t").chunk(0).buffers()[1]
    start = js.timestamp.ctypes.data
    assert not buffer.address <= start < buffer.address + buffer.size
    times_of = frame_input.times_of
    assert times_of(times, "t", None, copy=False) is times
    assert times_of(times, "t", None) is not times


@pytest.mark.parametrize("lib", ["pandas", "polars", "arrow"])
def test_dictionary_columns_stay_coded_without_decoding(lib: str) -> None:
    codes = np.array([2, 0, -1, 1], dtype=np.int32)
    cats = ["ads", "email", "seo"]
    if lib == "pandas":
        frame = pd.DataFrame({"c": pd.Categorical.from_codes(codes, cats)})
    elif lib == "polars":
        frame = pl.DataFrame({"c": pl.Series(np.array([*cats, None], dtype=object)[codes])})
        frame = frame.with_columns(pl.col("c").cast(pl.Enum(cats)))
    else:
        frame = pa.table(
            {"c": pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), cats)}
        )
    got = frame_input.read_columns(frame, {"c": "c"})["c"]
    assert isinstance(got, frame_input.Coded)
    assert got.codes.tolist() == codes.tolist() and got.categories == tuple(cats)


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


def test_journey_fields_frees_each_column_once_the_build_has_used_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """from_frame hands its columns over: by the time ties are ordered (after the
    gather), the unsorted label codes and times read from the frame are garbage."""
    import weakref

    from touchcredit.core import builders

    rng = np.random.default_rng(3)
    n = 500
    table = pa.table({
        "journey_id": rng.integers(0, 50, n),
        "timestamp": rng.integers(0, 10**6, n).astype("datetime64[s]"),
        "channel": np.array(["seo", "ads", "email"], dtype=object)[rng.integers(0, 3, n)],
        "source": np.array(["g", "b"], dtype=object)[rng.integers(0, 2, n)],
    })  # fmt: skip
    cols = frame_input.journey_columns(table, None, ColumnMap(source="source"), id_codes=True)
    refs = {name: weakref.ref(cols[name].codes) for name in ("channel", "source")}
    refs["timestamp"] = weakref.ref(cols["timestamp"])  # a cast of the frame's column
    alive: list[str] = []
    order_ties = builders.order_ties

    def watched(*args: Any) -> Any:
        alive.extend(name for name, ref in refs.items() if ref() is not None)
        return order_ties(*args)

    monkeypatch.setattr(builders, "order_ties", watched)
    fields = frame_input.journey_fields(cols)
    assert cols == {} and alive == []
    expected = JourneySet.from_frame(table, source="source")
    assert fields["touch_row"].tolist() == expected.touch_row.tolist()
    assert fields["channel"].codes.tolist() == expected.channel.codes.tolist()
