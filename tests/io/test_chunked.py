"""Out-of-core attribution: chunked Parquet runs equal the in-memory run."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import touchcredit
from touchcredit import JourneySet
from touchcredit.io.chunked import ChunkedAttribution, LargeJourneyWarning, attribute_parquet
from touchcredit.models import AttributionModel, available, get, is_fitted

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

DAY = 86_400


class _Linear(AttributionModel):
    """Equal shares (unregistered: the suite must not depend on the models landing)."""

    def weights(self, journeys: JourneySet) -> Any:
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion]


class _Last(AttributionModel):
    def weights(self, journeys: JourneySet) -> Any:
        p = self.pairs(journeys)
        return (p.position == p.length[p.conversion] - 1).astype(float)


class _Learner(AttributionModel):
    """Learns from data but cannot be counted in chunks."""

    learns_from_data = True

    def fit(self, journeys: JourneySet) -> _Learner:
        self._set_learned(n_journeys_=journeys.n_journeys)  # learned: now it is fitted
        return self

    def weights(self, journeys: JourneySet) -> Any:
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion]


def make_tables(seed: int = 0, n_journeys: int = 240, str_ids: bool = False) -> tuple[Any, Any]:
    """Touches sorted by journey (time order inside a journey shuffled) and conversions."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 9, n_journeys)
    ids = np.sort(rng.choice(10_000, n_journeys, replace=False))
    jid = np.repeat(ids, lengths)
    n = jid.size
    ts = rng.integers(0, 60 * DAY, n)
    channels = np.array(["direct", "email", "paid", "seo", "social"], dtype=object)
    channel = channels[rng.integers(0, 5, n)]
    channel[rng.random(n) < 0.05] = None  # not recorded
    source = np.array(["s1", "s2", "s3"], dtype=object)[rng.integers(0, 3, n)]
    conv_j = rng.choice(ids, n_journeys // 2, replace=False)
    # a few conversions of journeys without touches: unattributed
    conv_j = np.concatenate([conv_j, [-5, 20_000, 5_001]])
    ctime = rng.integers(0, 70 * DAY, conv_j.size)
    value = np.round(rng.gamma(2.0, 50.0, conv_j.size), 2)
    order = rng.permutation(conv_j.size)
    if str_ids:
        jid = np.array([f"j{i + 100_000:07d}" for i in jid], dtype=object)
        conv_j = np.array([f"j{i + 100_000:07d}" for i in conv_j], dtype=object)
    touches = pa.table(
        {
            "journey_id": jid,
            "timestamp": ts.astype("datetime64[s]"),
            "channel": channel,
            "source": source,
        }
    )
    conversions = pa.table(
        {
            "journey_id": conv_j[order],
            "conversion_time": ctime[order].astype("datetime64[s]"),
            "conversion_value": value[order],
        }
    )
    return touches, conversions


def in_memory(touches: Any, conversions: Any, model: AttributionModel, by: str) -> dict[Any, Any]:
    js = JourneySet.from_frame(
        touches,
        source="source",
        conversions=conversions,
        conversion_value="conversion_value",
    )
    if model.learns_from_data:
        model.fit(js)
    res = touchcredit.attribute(js, model, fit=False)
    table = res.by(by)
    return {
        "value": table.to_dict(),
        "conversions": table.to_dict("conversions"),
        "unattributed": (res.unattributed.value, res.unattributed.conversions),
        "total": js.total_value,
        "touch_value": np.asarray(res.touch_credit),
        "js": js,
    }


def chunked(path: Path, conversions: Any, model: Any, **kw: Any) -> ChunkedAttribution:
    kw.setdefault("batch_rows", 37)
    return attribute_parquet(
        path,
        model,
        source="source",
        conversions=conversions,
        conversion_value="conversion_value",
        **kw,
    )


def assert_same(result: ChunkedAttribution, ref: dict[str, Any]) -> None:
    assert set(result.labels) == set(ref["value"])
    for label, v in result.to_dict().items():
        assert v == pytest.approx(ref["value"][label], rel=1e-9, abs=1e-9), label
    for label, c in result.to_dict("conversions").items():
        assert c == pytest.approx(ref["conversions"][label], rel=1e-9, abs=1e-9), label
    assert result.unattributed_value == pytest.approx(ref["unattributed"][0], abs=1e-9)
    assert result.unattributed_conversions == ref["unattributed"][1]
    assert result.total_value == pytest.approx(ref["total"], rel=1e-12)
    # nothing dropped: credit + unattributed = total
    assert result.value.sum() + result.unattributed_value == pytest.approx(result.total_value)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    touches, conversions = make_tables()
    path = tmp_path_factory.mktemp("chunked") / "touches.parquet"
    pq.write_table(touches, path, row_group_size=50)
    return path, touches, conversions


HEURISTICS = [  # the library's own heuristic models (not models other tests register)
    name
    for name in available()
    if type(get(name)).__module__.startswith("touchcredit.models.")
    and not type(get(name)).learns_from_data
]


@pytest.mark.parametrize("model", [_Linear(), _Last(), *HEURISTICS], ids=repr)
@pytest.mark.parametrize("batch_rows", [1, 37, 10_000])
@pytest.mark.filterwarnings("ignore::touchcredit.io.chunked.LargeJourneyWarning")
def test_heuristic_models_equal_in_memory(
    data: tuple[Path, Any, Any], model: AttributionModel | str, batch_rows: int
) -> None:
    path, touches, conversions = data
    m = get(model) if isinstance(model, str) else model
    ref = in_memory(touches, conversions, m, "channel")
    result = chunked(path, conversions, m, batch_rows=batch_rows)
    assert_same(result, ref)
    assert result.n_touches == touches.num_rows
    assert result.n_conversions == conversions.num_rows
    assert result.n_journeys == ref["js"].n_journeys
    if batch_rows == 10_000:
        assert result.n_chunks == 1
    else:
        assert result.n_chunks > 5


def test_every_registered_heuristic_matches_attribute(data: tuple[Path, Any, Any]) -> None:
    attribute = getattr(touchcredit, "attribute", None)
    if attribute is None or not HEURISTICS:
        pytest.skip("touchcredit.attribute / heuristic models not available yet")
    path, touches, conversions = data
    for name in HEURISTICS:
        js = in_memory(touches, conversions, get(name), "channel")["js"]
        table = attribute(js, name).by("channel")
        result = chunked(path, conversions, name)
        expected = table.to_dict("value")
        for label, v in result.to_dict().items():
            assert v == pytest.approx(expected.get(label, 0.0), rel=1e-9, abs=1e-9), (name, label)
        assert result.unattributed_value == pytest.approx(table.unattributed_value, abs=1e-9)


@pytest.mark.parametrize("name", ["markov", "shapley"])
def test_data_driven_models_fitted_in_chunks_equal_in_memory(
    data: tuple[Path, Any, Any], name: str
) -> None:
    if name not in available():
        pytest.skip(f"{name} not registered")
    path, touches, conversions = data
    ref = in_memory(touches, conversions, get(name), "channel")
    model = get(name)
    result = chunked(path, conversions, model, batch_rows=41)
    assert is_fitted(model)
    assert_same(result, ref)


def test_prefitted_model_is_not_refitted(data: tuple[Path, Any, Any]) -> None:
    if "markov" not in available():
        pytest.skip("markov not registered")
    path, touches, conversions = data
    # fitted on half of the journeys: the chunked run must use that fit, not refit
    js_half = in_memory(touches.slice(0, 300), conversions, get("markov"), "channel")["js"]
    model = get("markov").fit(js_half)
    state = model.removal_effects_.copy()
    chunked(path, conversions, model)
    np.testing.assert_array_equal(model.removal_effects_, state)


def test_by_source_and_string_ids(tmp_path: Path) -> None:
    touches, conversions = make_tables(seed=3, str_ids=True)
    path = tmp_path / "t.parquet"
    pq.write_table(touches, path, row_group_size=64)
    ref = in_memory(touches, conversions, _Linear(), "source")
    assert_same(chunked(path, conversions, _Linear(), by="source"), ref)


def test_directory_of_files_read_in_name_order(tmp_path: Path) -> None:
    touches, conversions = make_tables(seed=5)
    (tmp_path / "ds").mkdir()
    cuts = [0, 200, 450, touches.num_rows]
    for k, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        pq.write_table(touches.slice(lo, hi - lo), tmp_path / "ds" / f"part-{k:03d}.parquet")
    ref = in_memory(touches, conversions, _Last(), "channel")
    assert_same(chunked(tmp_path / "ds", conversions, _Last(), batch_rows=64), ref)


def test_journey_larger_than_a_batch_is_never_split(tmp_path: Path) -> None:
    n = 50
    touches = pa.table(
        {
            "journey_id": np.array([1] * n + [2, 2], dtype=np.int64),
            "timestamp": np.arange(n + 2).astype("datetime64[s]"),
            "channel": ["a"] * (n - 1) + ["b"] + ["c", "d"],
            "source": ["s"] * (n + 2),
        }
    )
    conversions = pa.table(
        {
            "journey_id": [1, 2],
            "conversion_time": np.array([n, n + 5]).astype("datetime64[s]"),
            "conversion_value": [100.0, 10.0],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(touches, path, row_group_size=7)
    with pytest.warns(
        LargeJourneyWarning, match=r"journey 1 has 50 touches, more than batch_rows=5"
    ):
        result = chunked(path, conversions, _Last(), batch_rows=5)
    # journey 1's last touch is 'b' (row 49): only whole-journey chunks can see that
    assert result.to_dict() == {"a": 0.0, "b": 100.0, "c": 0.0, "d": 10.0}
    assert result.n_chunks == 2


def test_unsorted_input_raises_a_clear_error(tmp_path: Path) -> None:
    touches, conversions = make_tables(seed=1)
    ids = touches.column("journey_id").to_numpy().copy()
    ids[[10, 400]] = ids[[400, 10]]
    path = tmp_path / "t.parquet"
    pq.write_table(touches.set_column(0, "journey_id", pa.array(ids)), path)
    with pytest.raises(ValueError, match=r"must be sorted by 'journey_id'.*input row 12 has"):
        chunked(path, conversions, _Linear(), batch_rows=10_000)


def test_unsorted_across_batches_is_detected(tmp_path: Path) -> None:
    touches = pa.table(
        {
            "journey_id": [1, 1, 3, 3, 2, 2],
            "timestamp": np.arange(6).astype("datetime64[s]"),
            "channel": ["a"] * 6,
            "source": ["s"] * 6,
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(touches, path, row_group_size=2)
    with pytest.raises(ValueError, match=r"input row 5 has journey_id=2 after 3"):
        attribute_parquet(path, _Linear(), batch_rows=2)


def test_touch_credit_file_matches_in_memory_per_touch(
    data: tuple[Path, Any, Any], tmp_path: Path
) -> None:
    path, touches, conversions = data
    out = tmp_path / "credit.parquet"
    model = _Linear(lookback=dt.timedelta(days=20))
    chunked(path, conversions, model, touch_credit_path=out)
    got = pq.read_table(out)
    ref = in_memory(touches, conversions, model, "channel")
    expected = np.empty(touches.num_rows)
    expected[ref["js"].touch_row] = ref["touch_value"]
    assert got.column("row").to_numpy().tolist() == list(range(touches.num_rows))
    np.testing.assert_allclose(got.column("value").to_numpy(), expected, rtol=1e-12)
    assert got.column("journey_id").equals(touches.column("journey_id"))


def test_learner_without_counts_is_not_implemented(data: tuple[Path, Any, Any]) -> None:
    path, _, conversions = data
    with pytest.raises(NotImplementedError, match=r"_Learner learns from data but cannot be"):
        chunked(path, conversions, _Learner())
    fitted = _Learner().fit(in_memory(*data[1:], _Linear(), "channel")["js"])
    assert chunked(path, conversions, fitted).n_chunks > 1  # pre-fitted: fine


def test_no_conversions_and_bad_arguments(data: tuple[Path, Any, Any]) -> None:
    path = data[0]
    r = attribute_parquet(path, _Linear(), batch_rows=100)
    assert r.total_value == 0.0 and r.value.sum() == 0.0
    with pytest.raises(ValueError, match=r"'batch_rows' must be >= 1, got 0"):
        attribute_parquet(path, _Linear(), batch_rows=0)
    with pytest.raises(ValueError, match=r"'by' must be one of"):
        attribute_parquet(path, _Linear(), by="colour")
    with pytest.raises(ValueError, match=r"by='campaign' needs the 'campaign' column name"):
        attribute_parquet(path, _Linear(), by="campaign")
    with pytest.raises(ValueError, match=r"touches: no column 'when' \(the timestamp column\)"):
        attribute_parquet(path, _Linear(), timestamp="when")
    with pytest.raises(ValueError, match=r"what must be 'value' or 'conversions'"):
        r.to_dict("money")


def test_progress_bar_only_when_asked_or_on_a_terminal(
    data: tuple[Path, Any, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm")
    path, _, conversions = data
    chunked(path, conversions, _Linear())  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    chunked(path, conversions, _Linear(), progress=True)
    assert "attributing" in capsys.readouterr().err


def test_empty_dataset_keeps_every_conversion_unattributed(tmp_path: Path) -> None:
    touches = pa.table(
        {
            "journey_id": pa.array([], pa.int64()),
            "timestamp": pa.array([], pa.timestamp("s")),
            "channel": pa.array([], pa.string()),
        }
    )
    path = tmp_path / "empty.parquet"
    pq.write_table(touches, path)
    conversions = {
        "journey_id": [1, 2],
        "conversion_time": np.array([1, 2]).astype("datetime64[s]"),
        "conversion_value": [5.0, 6.0],
    }
    r = attribute_parquet(
        path, _Linear(), conversions=conversions, conversion_value="conversion_value"
    )
    assert r.labels == ()
    assert (r.unattributed_value, r.unattributed_conversions, r.total_value) == (11.0, 2.0, 11.0)
    assert (r.n_touches, r.n_journeys, r.n_conversions) == (0, 2, 2)


def test_hive_partition_column_read_from_the_path(tmp_path: Path) -> None:
    touches, conversions = make_tables(seed=8)
    ids = touches.column("journey_id").to_numpy()
    bucket = np.where(ids < np.median(ids), "b0", "b1").astype(object)
    touches = touches.append_column("campaign", pa.array(bucket))
    pq.write_to_dataset(touches, tmp_path / "hive", partition_cols=["campaign"])
    ds = pytest.importorskip("pyarrow.dataset")
    data = ds.dataset(tmp_path / "hive", format="parquet", partitioning="hive")
    result = attribute_parquet(
        data,
        _Linear(),
        campaign="campaign",
        by="campaign",
        conversions=conversions,
        conversion_value="conversion_value",
        batch_rows=50,
    )
    js = JourneySet.from_frame(
        touches, campaign="campaign", conversions=conversions, conversion_value="conversion_value"
    )
    expected = touchcredit.attribute(js, _Linear(), fit=False).by("campaign").to_dict()
    assert result.to_dict() == pytest.approx(expected, rel=1e-12)
    assert set(result.labels) == {"b0", "b1"}


def test_column_map_or_shorthand_keywords(data: tuple[Path, Any, Any]) -> None:
    path, _, conversions = data
    renamed = conversions.rename_columns(["person", "at", "amount"])
    cols = touchcredit.ColumnMap(
        source="source", conversion_journey="person", conversion_time="at",
        conversion_value="amount",
    )  # fmt: skip
    by_map = attribute_parquet(path, _Linear(), conversions=renamed, columns=cols, by="source")
    by_words = attribute_parquet(
        path, _Linear(), conversions=renamed, source="source", conversion_journey="person",
        conversion_time="at", conversion_value="amount", by="source",
    )  # fmt: skip
    assert by_map.to_dict() == by_words.to_dict()
    assert by_map.total_value == pytest.approx(float(np.sum(conversions.column(2))))
    with pytest.raises(TypeError, match=r"not both; got columns= and source="):
        attribute_parquet(path, _Linear(), columns=cols, source="source")
    with pytest.raises(
        touchcredit.core.mapping.MissingColumnError,
        match=r"conversions: no column 'conversion_time' \(the conversion_time column\)",
    ):
        attribute_parquet(path, _Linear(), conversions=renamed, conversion_journey="person")
