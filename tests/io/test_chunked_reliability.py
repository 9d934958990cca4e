"""Out-of-core runs never give a silent wrong answer or a partial file that looks complete.

Errors name the column and the 1-based row of the whole input (not of a chunk);
outputs appear only when the run succeeds; custom weights are checked as in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from touchcredit import JourneySet
from touchcredit.io.chunked import attribute_parquet
from touchcredit.models import AttributionModel

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

N_JOURNEYS = 400  # 3 touches each: 1,200 rows


class _Linear(AttributionModel):
    def weights(self, journeys: JourneySet) -> Any:
        p = self.pairs(journeys)
        return 1.0 / p.length[p.conversion]


def _touches(n_journeys: int = N_JOURNEYS) -> dict[str, Any]:
    jid = np.repeat(np.arange(n_journeys, dtype=np.int64), 3)
    ts = (np.arange(jid.size, dtype=np.int64) * 60).astype("datetime64[s]")
    channel = np.array(["seo", "email", "ads"], dtype=object)[np.arange(jid.size) % 3]
    return {"journey_id": jid, "timestamp": ts, "channel": channel}


def _conversions(n_journeys: int = N_JOURNEYS) -> Any:
    return pa.table(
        {
            "journey_id": np.arange(n_journeys, dtype=np.int64),
            "conversion_time": np.full(n_journeys, 10**9, dtype=np.int64).astype("datetime64[s]"),
            "conversion_value": np.full(n_journeys, 10.0),
        }
    )


def _write(tmp_path: Path, columns: dict[str, Any], name: str = "t.parquet") -> Path:
    path = tmp_path / name
    pq.write_table(pa.table(columns), path, row_group_size=128)
    return path


def _with_null_time(tmp_path: Path, row: int) -> Path:
    """The dataset with the time of 1-based input row ``row`` missing."""
    cols = _touches()
    ts = pa.array(cols["timestamp"])
    mask = np.zeros(len(ts), dtype=bool)
    mask[row - 1] = True
    cols["timestamp"] = pa.array(cols["timestamp"], mask=mask)
    del ts
    return _write(tmp_path, cols)


def _run(path: Path, **kw: Any) -> Any:
    return attribute_parquet(
        path,
        _Linear(),
        conversions=_conversions(),
        conversion_value="conversion_value",
        batch_rows=100,
        **kw,
    )


# ------------------------------------------------------------ atomic outputs (#14.3)
def test_bad_row_late_names_the_global_row_and_writes_no_file(tmp_path: Path) -> None:
    path = _with_null_time(tmp_path, row=1_150)  # chunk 12 of ~12 (100-row chunks)
    out = tmp_path / "credit.parquet"
    with pytest.raises(ValueError, match=r"'timestamp'.*input row 1,150\b") as err:
        _run(path, touch_credit_path=out)
    assert "row 49" not in str(err.value)  # not the row inside the chunk
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]  # no temp file left


def test_existing_destination_is_untouched_on_error(tmp_path: Path) -> None:
    path = _with_null_time(tmp_path, row=1_150)
    out = tmp_path / "credit.parquet"
    out.write_bytes(b"the previous run's output")
    with pytest.raises(ValueError, match=r"input row 1,150\b"):
        _run(path, touch_credit_path=out)
    assert out.read_bytes() == b"the previous run's output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credit.parquet", "t.parquet"]


@attrs.define(frozen=True, kw_only=True)
class _Interrupted(_Linear):
    """Stands for Ctrl-C in the middle of a run (the third chunk)."""

    _calls: list[int] = attrs.field(factory=lambda: [0], init=False, eq=False, hash=False)

    def weights(self, journeys: JourneySet) -> Any:
        self._calls[0] += 1
        if self._calls[0] == 3:
            raise KeyboardInterrupt
        return super().weights(journeys)


def test_keyboard_interrupt_leaves_no_partial_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _touches())
    out = tmp_path / "credit.parquet"
    with pytest.raises(KeyboardInterrupt):
        attribute_parquet(
            path, _Interrupted(), conversions=_conversions(), batch_rows=100, touch_credit_path=out
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]


def test_successful_run_replaces_the_destination(tmp_path: Path) -> None:
    path = _write(tmp_path, _touches())
    out = tmp_path / "credit.parquet"
    out.write_bytes(b"old")
    _run(path, touch_credit_path=out)
    assert pq.read_table(out).num_rows == 3 * N_JOURNEYS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credit.parquet", "t.parquet"]


# ------------------------------------------------------------ journey ids (#14 low)
def test_null_journey_id_names_column_and_global_row(tmp_path: Path) -> None:
    cols = _touches()
    mask = np.zeros(cols["journey_id"].size, dtype=bool)
    mask[1_000] = True  # 1-based row 1,001, in a later row group
    cols["journey_id"] = pa.array(cols["journey_id"], mask=mask)
    path = _write(tmp_path, cols)
    with pytest.raises(
        ValueError, match=r"column 'journey_id' \(journey id\) is null in input row 1,001;"
    ):
        _run(path)


def test_text_ids_after_integer_ids_name_column_and_row(tmp_path: Path) -> None:
    first = _touches(10)
    second = _touches(10)
    second["journey_id"] = np.array([f"p{i:03d}" for i in second["journey_id"] + 10], dtype=object)
    folder = tmp_path / "ds"
    folder.mkdir()
    _write(folder, first, "part-0.parquet")
    _write(folder, second, "part-1.parquet")
    with pytest.raises(
        TypeError,
        match=r"'journey_id' \(journey id\) holds text ids from input row 31 on, but integer",
    ):
        attribute_parquet(folder, _Linear())


def test_conversion_ids_of_another_type_are_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _touches(10))
    conv = _conversions(10)
    conv = conv.set_column(0, "journey_id", pa.array([str(i) for i in range(10)]))
    with pytest.raises(
        TypeError,
        match=r"conversions: column 'journey_id' \(journey id\) holds text ids, but the "
        r"touches' journey ids are integer",
    ):
        attribute_parquet(path, _Linear(), conversions=conv)


def test_null_conversion_journey_id_names_the_row(tmp_path: Path) -> None:
    path = _write(tmp_path, _touches(10))
    conv = _conversions(10)
    conv = conv.set_column(0, "journey_id", pa.array([0, 1, None, *range(3, 10)], pa.int64()))
    with pytest.raises(
        ValueError, match=r"conversions: column 'journey_id' \(journey id\) is null in input row 3;"
    ):
        attribute_parquet(path, _Linear(), conversions=conv)


# ------------------------------------------------------------ custom weights (#14.10)
class _Negative(_Linear):
    def weights(self, journeys: JourneySet) -> Any:
        w = np.asarray(super().weights(journeys), dtype=float).copy()
        w[::2] *= -1.0
        return w


class _NaN(_Linear):
    def weights(self, journeys: JourneySet) -> Any:
        return np.full(self.pairs(journeys).size, np.nan)


class _Zero(_Linear):
    def weights(self, journeys: JourneySet) -> Any:
        return np.zeros(self.pairs(journeys).size)


@pytest.mark.parametrize(
    ("model", "rule"),
    [
        (_Negative(), "be finite and >= 0; got .* conversion row 8\\b"),
        (_NaN(), "be finite and >= 0; got .* conversion row 8\\b"),
        (_Zero(), "sum to 1 per conversion; conversion row 8\\b"),
    ],
    ids=["negative", "nan", "zero"],
)
def test_bad_custom_weights_are_rejected_in_chunks(
    tmp_path: Path, model: AttributionModel, rule: str
) -> None:
    """The check of ``attribute()``, naming the row of the conversion table as given."""
    path = _write(tmp_path, _touches(20))
    # conversions in reverse order; those of journeys 0-11 come before any touch
    conv = _conversions(20).take(pa.array(np.arange(19, -1, -1)))
    conv = conv.set_column(
        1,
        "conversion_time",
        pa.array(np.where(np.arange(20) < 8, 10**9, -1).astype("datetime64[s]")),
    )
    with pytest.raises(ValueError, match=rf"weights must {rule}"):
        attribute_parquet(path, model, conversions=conv, batch_rows=7)


# ------------------------------------------------------------ every file's columns (#21.8)
def test_a_file_lacking_a_mapped_label_column_is_an_error(tmp_path: Path) -> None:
    # before: the dataset's schema is its first file's; b.parquet's touches were read
    # with the channel null and their credit went to the None label, silently
    folder = tmp_path / "touches"
    folder.mkdir()
    ts = pa.timestamp("s", tz="UTC")
    pq.write_table(pa.table({"journey_id": ["007", "007"],
                             "timestamp": pa.array([1_700_000_000, 1_700_000_100], ts),
                             "channel": ["seo", "email"]}), folder / "a.parquet")  # fmt: skip
    pq.write_table(pa.table({"journey_id": ["008"], "timestamp": pa.array([1_700_000_000], ts)}),
                   folder / "b.parquet")  # fmt: skip
    conv = pa.table({"journey_id": ["007", "008"],
                     "conversion_time": pa.array([1_700_000_200] * 2, ts)})  # fmt: skip
    with pytest.raises(
        ValueError, match=r"touches file '.*b\.parquet': no column 'channel' \(the channel column\)"
    ):
        attribute_parquet(folder, "linear", conversions=conv)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_batch_rows_must_be_a_whole_number_at_least_one(tmp_path: Path, bad: Any) -> None:
    path = _write(tmp_path, _touches())
    with pytest.raises(ValueError, match=r"'batch_rows' must be"):
        attribute_parquet(path, _Linear(), conversions=_conversions(), batch_rows=bad)
