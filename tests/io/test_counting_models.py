"""A user's own data-driven model, following CountingModel, fitted at scale.

The model and its count classes are written here the way a user would (not from the
package): chunked Parquet fits it by counting chunks, and the Spark count codec carries
its counts as JSON, building only the classes the model declares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import attrs
import numpy as np
import numpy.typing as npt
import pytest

import touchcredit
from touchcredit import JourneySet
from touchcredit.chunked import attribute_parquet
from touchcredit.io.spark.codec import decode_counts, encode_counts
from touchcredit.models import AttributionModel, CountingModel, is_fitted
from touchcredit.models.counting import count_classes, missing_counting_methods

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

Label = str | None


@attrs.frozen(eq=False)
class ChannelTally:
    """Eligible touches per channel label (labels sorted, None last)."""

    channels: tuple[Label, ...]
    touches: npt.NDArray[np.int64]

    def as_dict(self) -> dict[Label, int]:
        return dict(zip(self.channels, self.touches.tolist(), strict=True))

    def __add__(self, other: ChannelTally) -> ChannelTally:
        total = self.as_dict()
        for label, n in other.as_dict().items():
            total[label] = total.get(label, 0) + n
        keys = sorted((k for k in total if k is not None), key=str)
        keys += [None] if None in total else []
        return ChannelTally(tuple(keys), np.array([total[k] for k in keys], dtype=np.int64))


@attrs.frozen(eq=False)
class Tally:
    """A nested count class: conversions seen, and the channel tally."""

    conversions: int
    by_channel: ChannelTally

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.conversions + other.conversions, self.by_channel + other.by_channel)


class Popularity(AttributionModel):
    """Pair weights proportional to how often the touch's channel was eligible in fit."""

    learns_from_data = True
    count_types = (Tally, ChannelTally)

    def count(self, journeys: JourneySet) -> Tally:
        p = self.pairs(journeys)
        labels = journeys.channel.labels()[p.touch]
        tally: dict[Label, int] = {}
        for label in labels.tolist():
            tally[label] = tally.get(label, 0) + 1
        empty = ChannelTally((), np.zeros(0, dtype=np.int64))
        one = ChannelTally(tuple(tally), np.array(list(tally.values()), dtype=np.int64))
        return Tally(journeys.n_conversions, empty + one)

    def fit_counts(self, counts: Tally) -> Self:
        self._set_learned(
            popularity_=counts.by_channel.as_dict(), n_conversions_=counts.conversions
        )
        return self

    def fit(self, journeys: JourneySet) -> Self:
        return self.fit_counts(self.count(journeys))

    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        p = self.pairs(journeys)
        labels = journeys.channel.labels()[p.touch].tolist()
        raw = np.array([self.popularity_.get(x, 0) + 1.0 for x in labels], dtype=np.float64)
        total = np.bincount(p.conversion, weights=raw, minlength=p.start.size)
        return raw / total[p.conversion]


def _tables(seed: int = 3, n_journeys: int = 120) -> tuple[object, object]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 6, n_journeys)
    jid = np.repeat(np.arange(n_journeys), lengths)
    ts = rng.integers(0, 1000, jid.size) * 60
    channels = np.array(["direct", "email", "seo", None], dtype=object)
    touches = pa.table(
        {
            "journey_id": jid,
            "timestamp": ts.astype("datetime64[s]"),
            "channel": channels[rng.integers(0, 4, jid.size)],
        }
    )
    conv = rng.choice(n_journeys, n_journeys // 2, replace=False)
    conversions = pa.table(
        {
            "journey_id": conv,
            "conversion_time": np.full(conv.size, 1000 * 60).astype("datetime64[s]"),
            "conversion_value": np.round(rng.uniform(1, 50, conv.size), 2),
        }
    )
    return touches, conversions


def _journeys(touches: object, conversions: object) -> JourneySet:
    return JourneySet.from_frame(
        touches, conversions=conversions, conversion_value="conversion_value"
    )


def test_user_model_follows_the_protocol() -> None:
    model = Popularity()
    assert isinstance(model, CountingModel)
    assert missing_counting_methods(model) == []
    assert list(count_classes(model)) == [
        f"{__name__}.Tally",
        f"{__name__}.ChannelTally",
    ]
    assert not is_fitted(model)  # nothing learned yet


def test_user_model_is_fitted_in_chunks_like_in_memory(tmp_path: Path) -> None:
    touches, conversions = _tables()
    path = tmp_path / "touches.parquet"
    pq.write_table(touches, path, row_group_size=40)
    model = Popularity(exclude_channels=["direct"])
    result = attribute_parquet(
        path, model, conversions=conversions, conversion_value="conversion_value", batch_rows=50
    )
    assert result.n_chunks > 1
    js = JourneySet.from_frame(
        touches, conversions=conversions, conversion_value="conversion_value"
    )
    whole = Popularity(exclude_channels=["direct"]).fit(js)
    assert model.popularity_ == whole.popularity_  # counts added over chunks = whole counts
    assert model.n_conversions_ == js.n_conversions
    expected = touchcredit.attribute(js, whole).by("channel").to_dict()
    for label, value in result.to_dict().items():
        assert value == pytest.approx(expected[label], rel=1e-12)


def test_user_counts_round_trip_through_the_spark_codec() -> None:
    touches, conversions = _tables(seed=4)
    js = JourneySet.from_frame(
        touches, conversions=conversions, conversion_value="conversion_value"
    )
    model = Popularity()
    counts = model.count(js)
    allowed = count_classes(model)
    data = encode_counts(counts, allowed)
    assert b"pickle" not in data and data.startswith(b"{")
    back = decode_counts(data, allowed)
    assert type(back) is Tally and type(back.by_channel) is ChannelTally
    assert back.conversions == counts.conversions
    assert back.by_channel.channels == counts.by_channel.channels
    np.testing.assert_array_equal(back.by_channel.touches, counts.by_channel.touches)
    assert back.by_channel.touches.dtype == np.int64
    fitted = Popularity().fit_counts(back)
    np.testing.assert_array_equal(fitted.weights(js), model.fit(js).weights(js))


def test_the_codec_builds_only_classes_the_model_declares() -> None:
    counts = Tally(1, ChannelTally(("a",), np.array([2])))

    class OnlyTally(Popularity):
        count_types = (Tally,)

    with pytest.raises(TypeError, match=r"cannot encode .*ChannelTally: the model does not"):
        encode_counts(counts, count_classes(OnlyTally()))
    data = encode_counts(counts, count_classes(Popularity()))
    with pytest.raises(ValueError, match=r"holds? a '.*ChannelTally', which the model does not"):
        decode_counts(data, count_classes(OnlyTally()))


def test_a_model_without_fit_counts_is_named_in_the_error(tmp_path: Path) -> None:
    class CountsOnly(AttributionModel):
        learns_from_data = True

        def count(self, journeys: JourneySet) -> int:
            return journeys.n_touches

        def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
            raise NotImplementedError

    assert not isinstance(CountsOnly(), CountingModel)
    touches, conversions = _tables()
    path = tmp_path / "touches.parquet"
    pq.write_table(touches, path)
    with pytest.raises(NotImplementedError, match=r"it has no fit_counts\(\) method \(the "):
        attribute_parquet(
            path, CountsOnly(), conversions=conversions, conversion_value="conversion_value"
        )
