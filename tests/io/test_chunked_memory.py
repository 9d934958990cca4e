"""Out-of-core runs hold one chunk at a time, and only the conversion columns they use.

What ``benchmarks/bench_memory.py`` measures at 100M touches, checked here on small data
through what makes it true: no chunk outlives its step, conversion rows are checked a
chunk at a time (errors still name the row of the table as given), and unmapped
conversion columns are never read or converted.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from touchcredit import JourneySet, attribute
from touchcredit.io.chunk_source import ChunkSource, shifted_rows
from touchcredit.io.chunked import attribute_parquet
from touchcredit.models import AttributionModel, get

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

N_JOURNEYS = 60  # 3 touches each


def _write_touches(tmp_path: Path) -> Path:
    jid = np.repeat(np.arange(N_JOURNEYS, dtype=np.int64), 3)
    ts = (np.arange(jid.size, dtype=np.int64) * 60).astype("datetime64[s]")
    channel = np.array(["seo", "email", "ads"], dtype=object)[np.arange(jid.size) % 3]
    path = tmp_path / "touches.parquet"
    pq.write_table(
        pa.table({"journey_id": jid, "timestamp": ts, "channel": channel}),
        path,
        row_group_size=16,
    )
    return path


def _conversions(**extra: Any) -> dict[str, Any]:
    return {
        "journey_id": np.arange(N_JOURNEYS, dtype=np.int64),
        "conversion_time": np.full(N_JOURNEYS, 10**9, dtype=np.int64).astype("datetime64[s]"),
        "conversion_value": np.full(N_JOURNEYS, 10.0),
        **extra,
    }


@attrs.define(frozen=True, kw_only=True)
class _Watching(AttributionModel):
    """Equal shares; keeps a weak reference to every chunk it fits on or weighs."""

    learns_from_data = True

    seen: list[weakref.ref[JourneySet]] = attrs.field(
        factory=list, init=False, eq=False, hash=False, repr=False
    )

    def alive(self) -> int:
        return sum(ref() is not None for ref in self.seen)

    def count(self, journeys: JourneySet) -> int:
        self.seen.append(weakref.ref(journeys))
        return journeys.n_journeys

    def fit_counts(self, counts: int) -> _Watching:
        self._set_learned(n_journeys_=counts)
        return self

    def weights(self, journeys: JourneySet) -> Any:
        self.seen.append(weakref.ref(journeys))
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion]


def test_no_chunk_outlives_its_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While chunk k+1 is read and built, chunk k is garbage (fit pass and attribution pass)."""
    model = _Watching()
    alive_at_build: list[int] = []
    build = ChunkSource.build

    def watched(self: ChunkSource, touches: Any, conversions: Any) -> JourneySet:
        alive_at_build.append(model.alive())
        return build(self, touches, conversions)

    monkeypatch.setattr(ChunkSource, "build", watched)
    r = attribute_parquet(
        _write_touches(tmp_path),
        model,
        conversions=_conversions(),
        conversion_value="conversion_value",
        batch_rows=20,
    )
    assert r.n_chunks >= 5
    assert r.n_journeys == model.n_journeys_ == N_JOURNEYS
    assert len(model.seen) == 2 * r.n_chunks
    assert len(alive_at_build) > 2 * r.n_chunks  # and the up-front conversion check
    assert alive_at_build == [0] * len(alive_at_build)


def test_bad_conversion_row_in_a_later_slice_names_its_row(tmp_path: Path) -> None:
    """Conversion rows are checked batch_rows at a time, up front; the row is the table's."""
    value = np.full(N_JOURNEYS, 10.0)
    value[46] = -1.0  # row 47 of the table as given, in its third slice of 20
    with pytest.raises(ValueError, match=r"'conversion_value' must be finite and >= 0; row 47 is"):
        attribute_parquet(
            _write_touches(tmp_path),
            "linear",
            conversions=_conversions(conversion_value=value),
            conversion_value="conversion_value",
            batch_rows=20,
        )


@pytest.mark.parametrize("kind", ["pandas", "arrow", "dict", "parquet"])
def test_unmapped_conversion_columns_are_never_read(tmp_path: Path, kind: str) -> None:
    """A column nobody mapped is not converted: here one Arrow could not even convert."""
    mixed = np.array([{"a": 1}, "text", 3.5] * (N_JOURNEYS // 3), dtype=object)
    notes = np.array(["crm note"] * N_JOURNEYS, dtype=object)
    conv: Any = _conversions(notes=notes)
    if kind == "pandas":
        conv = pd.DataFrame({**conv, "mixed": mixed})
    elif kind == "arrow":
        conv = pa.table(conv)
    elif kind == "parquet":
        pq.write_table(pa.table(conv), tmp_path / "conv.parquet")
        conv = str(tmp_path / "conv.parquet")
    else:
        conv = {**conv, "mixed": mixed}
    r = attribute_parquet(
        _write_touches(tmp_path), get("linear"), conversions=conv,
        conversion_value="conversion_value", batch_rows=20,
    )  # fmt: skip
    assert r.total_value == pytest.approx(10.0 * N_JOURNEYS)
    assert sum(r.to_dict().values()) == pytest.approx(10.0 * N_JOURNEYS)


def test_missing_conversion_column_is_named_for_every_kind(tmp_path: Path) -> None:
    pq.write_table(pa.table(_conversions()), tmp_path / "conv.parquet")
    for conv in (
        _conversions(),
        pa.table(_conversions()),
        pd.DataFrame(_conversions()),
        str(tmp_path / "conv.parquet"),
    ):
        with pytest.raises(ValueError, match=r"conversions: no column 'amount'"):
            attribute_parquet(
                _write_touches(tmp_path), "linear", conversions=conv, conversion_value="amount"
            )


def test_shifted_rows_moves_every_row_number() -> None:
    message = "'x' mixes value types: row 1 is int 1, row 12 is str 'a'; arrow 3"
    assert shifted_rows(message, 100) == (
        "'x' mixes value types: row 101 is int 1, row 112 is str 'a'; arrow 3"
    )


@pytest.mark.parametrize("layout", ["files", "hive"])
def test_text_labels_are_read_as_dictionaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Label text is never decoded per row: every chunk's label columns are dictionaries,
    also across row groups with different labels and for a label in a partition path."""
    n = 3 * N_JOURNEYS
    jid = np.repeat(np.arange(N_JOURNEYS, dtype=np.int64), 3)
    channel = np.where(jid < N_JOURNEYS // 2, "seo", "email").astype(object)
    channel[::7] = None  # not recorded
    table = pa.table({
        "journey_id": jid,
        "timestamp": (np.arange(n, dtype=np.int64) * 60).astype("datetime64[s]"),
        "channel": channel,
        "source": np.array(["a", "b", "c"], dtype=object)[np.arange(n) % 3],
        "campaign": np.where(jid < N_JOURNEYS // 3, "c0", "c1").astype(object),
    })  # fmt: skip
    if layout == "files":
        (tmp_path / "d").mkdir()
        pq.write_table(table.slice(0, 90), tmp_path / "d" / "0.parquet", row_group_size=16)
        pq.write_table(table.slice(90), tmp_path / "d" / "1.parquet", row_group_size=16)
        data: Any = str(tmp_path / "d")
    else:
        pq.write_to_dataset(table, tmp_path / "hive", partition_cols=["campaign"])
        data = pytest.importorskip("pyarrow.dataset").dataset(
            tmp_path / "hive", format="parquet", partitioning="hive"
        )
    types: list[set[str]] = []
    build = ChunkSource.build

    def watched(self: ChunkSource, touches: Any, conversions: Any) -> JourneySet:
        if touches.num_rows:
            labels = ("channel", "source", "campaign")
            types.append({str(touches.schema.field(c).type) for c in labels})
        return build(self, touches, conversions)

    monkeypatch.setattr(ChunkSource, "build", watched)
    r = attribute_parquet(
        data, "linear", conversions=_conversions(), source="source", campaign="campaign",
        conversion_value="conversion_value", batch_rows=20, by="campaign",
    )  # fmt: skip
    assert len(types) >= 5
    assert all(t == {"dictionary<values=string, indices=int32, ordered=0>"} for t in types)
    js = JourneySet.from_frame(
        table, pa.table(_conversions()), source="source", campaign="campaign",
        conversion_value="conversion_value",
    )  # fmt: skip
    assert r.to_dict() == pytest.approx(attribute(js, "linear").by("campaign").to_dict())
