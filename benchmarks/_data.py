"""Seeded generator of realistic touch tables, shared by every benchmark script.

One call gives the same table for the same ``(n_touches, seed)`` on any machine:

* journeys of 1 to 20 touches (a third short, the rest 6-20; about 9.5 on average);
* a dozen channels with skewed popularity (Zipf-like: "paid search" is common, "podcast"
  rare), the source and campaign of a touch following from its channel;
* timestamps spread over a year, touches of one journey hours to weeks apart;
* about a third of the journeys convert, once, an hour after their last touch, with a
  value (a gamma-distributed deal amount); the others do not convert;
* rows in event-log order (sorted by time across journeys, journeys interleaved), the
  order a touch table exported from a warehouse usually has, so a builder has real
  sorting to do. ``order="journey"`` gives rows already grouped by journey and time.

The arrays are plain numpy (``int64`` journey ids from a sparse id space,
``datetime64[us]`` timestamps, object arrays of ``str`` labels - what
``DataFrame[col].to_numpy()`` returns); :meth:`Touches.to_pandas` and
:meth:`Touches.to_arrow` give the same table as pandas / Arrow objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["CHANNELS", "Touches", "make_touches", "parse_sizes"]

#: Channel names, most popular first (popularity ~ 1 / rank**1.1).
CHANNELS: tuple[str, ...] = (
    "paid search",
    "organic search",
    "email",
    "direct",
    "paid social",
    "organic social",
    "referral",
    "display",
    "affiliate",
    "webinar",
    "events",
    "podcast",
)
_SOURCES_PER_CHANNEL = 3
_CAMPAIGNS = 40
_HOUR_US = 3_600 * 1_000_000
_LABEL_TABLES: dict[str, tuple[str, ...]] = {
    "channel": CHANNELS,
    "source": tuple(f"{c} {s}" for c in CHANNELS for s in range(_SOURCES_PER_CHANNEL)),
    "campaign": tuple(f"campaign_{c:02d}" for c in range(_CAMPAIGNS)),
}


def _label_array(name: str) -> npt.NDArray[np.object_]:
    return np.array(_LABEL_TABLES[name], dtype=object)


@dataclass(frozen=True)
class Touches:
    """A touch table and its conversion table, as numpy arrays (rows in ``order``)."""

    journey_id: npt.NDArray[np.int64]
    timestamp: npt.NDArray[np.datetime64]
    channel: npt.NDArray[np.object_]
    source: npt.NDArray[np.object_]
    campaign: npt.NDArray[np.object_]
    conversion_journey_id: npt.NDArray[np.int64]
    conversion_time: npt.NDArray[np.datetime64]
    conversion_value: npt.NDArray[np.float64]
    n_journeys: int

    def save(self, path: str) -> None:
        """Write the table to ``path`` (an ``.npz`` of numeric arrays; labels as codes)."""
        cols: dict[str, npt.NDArray[Any]] = {
            "journey_id": self.journey_id,
            "timestamp": self.timestamp.view(np.int64),
            "conversion_journey_id": self.conversion_journey_id,
            "conversion_time": self.conversion_time.view(np.int64),
            "conversion_value": self.conversion_value,
            "n_journeys": np.array([self.n_journeys]),
        }
        for name, table in _LABEL_TABLES.items():
            lookup = {label: k for k, label in enumerate(table)}
            values = getattr(self, name)
            cols[name] = np.fromiter(
                (lookup[v] for v in values[: len(values)].tolist()), np.int32, len(values)
            )
        np.savez(path, **cols)

    @classmethod
    def load(cls, path: str) -> Touches:
        """Read a table written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            return cls(
                journey_id=z["journey_id"],
                timestamp=z["timestamp"].view("datetime64[us]"),
                channel=_label_array("channel")[z["channel"]],
                source=_label_array("source")[z["source"]],
                campaign=_label_array("campaign")[z["campaign"]],
                conversion_journey_id=z["conversion_journey_id"],
                conversion_time=z["conversion_time"].view("datetime64[us]"),
                conversion_value=z["conversion_value"],
                n_journeys=int(z["n_journeys"][0]),
            )

    @property
    def n_touches(self) -> int:
        """Number of touch rows."""
        return int(self.journey_id.size)

    @property
    def n_conversions(self) -> int:
        """Number of conversion rows."""
        return int(self.conversion_journey_id.size)

    def touch_columns(self) -> dict[str, npt.NDArray[Any]]:
        """The touch table as a dict of columns."""
        return {
            "journey_id": self.journey_id,
            "timestamp": self.timestamp,
            "channel": self.channel,
            "source": self.source,
            "campaign": self.campaign,
        }

    def conversion_columns(self) -> dict[str, npt.NDArray[Any]]:
        """The conversion table as a dict of columns."""
        return {
            "journey_id": self.conversion_journey_id,
            "conversion_time": self.conversion_time,
            "conversion_value": self.conversion_value,
        }

    def to_pandas(self) -> tuple[Any, Any]:
        """(touches, conversions) as pandas DataFrames (labels as ``object`` columns)."""
        import pandas as pd

        return pd.DataFrame(self.touch_columns()), pd.DataFrame(self.conversion_columns())

    def to_arrow(self) -> tuple[Any, Any]:
        """(touches, conversions) as pyarrow Tables (labels as ``string`` columns)."""
        import pyarrow as pa

        return (
            pa.table({k: pa.array(v) for k, v in self.touch_columns().items()}),
            pa.table({k: pa.array(v) for k, v in self.conversion_columns().items()}),
        )


def _journey_lengths(rng: np.random.Generator, n_touches: int) -> npt.NDArray[np.int64]:
    """Lengths in 1..20 (mixture of short and long journeys) summing to ``n_touches``."""
    guess = n_touches // 8 + 16
    short = rng.geometric(0.35, guess)  # mostly 1-5 touches
    long = rng.integers(6, 21, guess)
    lengths = np.where(rng.random(guess) < 0.35, short, long).clip(1, 20).astype(np.int64)
    total = np.cumsum(lengths)
    while total[-1] < n_touches:  # rare: draw was short
        lengths = np.concatenate([lengths, lengths])
        total = np.cumsum(lengths)
    k = int(np.searchsorted(total, n_touches))  # journey k holds touch n_touches - 1
    lengths = lengths[: k + 1].copy()
    lengths[k] -= int(total[k]) - n_touches
    return lengths


def make_touches(n_touches: int, *, seed: int = 0, order: str = "time") -> Touches:
    """Generate a realistic touch table of exactly ``n_touches`` rows.

    Parameters
    ----------
    n_touches : int
        Number of touch rows (10**4 ... 10**7 in the benchmarks).
    seed : int
        Seed of the generator; the same seed gives the same table.
    order : {"time", "journey"}
        Row order: global event-log time order (journeys interleaved), or grouped by
        journey and sorted by time inside each journey.

    Returns
    -------
    Touches

    Examples
    --------
    >>> t = make_touches(10_000, seed=1)
    >>> t.n_touches, 400 < t.n_journeys < 2_000
    (10000, True)
    >>> bool((t.conversion_value > 0).all())
    True
    """
    if order not in ("time", "journey"):
        raise ValueError(f"order must be 'time' or 'journey', got {order!r}")
    rng = np.random.default_rng(seed)
    lengths = _journey_lengths(rng, n_touches)
    n_j = int(lengths.size)
    starts = np.zeros(n_j + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    jidx = np.repeat(np.arange(n_j, dtype=np.int64), lengths)

    # Channels: Zipf-like popularity; a journey tends to come back through its first channel.
    k = len(CHANNELS)
    pop = 1.0 / np.arange(1, k + 1) ** 1.1
    pop /= pop.sum()
    chan = rng.choice(k, size=n_touches, p=pop).astype(np.int32)
    again = rng.random(n_touches) < 0.25
    chan = np.where(again, chan[starts[:-1]][jidx], chan).astype(np.int32)

    # Times: journey start uniform over 2024; gaps of hours to weeks (log-normal).
    t0 = np.datetime64("2024-01-01T00:00:00", "us").astype(np.int64)
    year_us = 366 * 24 * _HOUR_US
    start = t0 + rng.integers(0, year_us, n_j)
    gaps = (rng.lognormal(3.0, 1.5, n_touches) * _HOUR_US).astype(np.int64)
    gaps[starts[:-1]] = 0
    csum = np.cumsum(gaps)
    within = csum - np.repeat(csum[starts[:-1]], lengths)
    ts = start[jidx] + within

    # Conversions: more likely for longer journeys and for some channels; an hour after
    # the journey's last touch; gamma-distributed value.
    strength = np.linspace(0.06, 0.01, k)
    score = np.bincount(jidx, weights=strength[chan], minlength=n_j)
    converts = rng.random(n_j) < 1.0 - np.exp(-score * 1.2)
    conv_j = np.flatnonzero(converts)
    conv_time = ts[starts[1:][conv_j] - 1] + _HOUR_US
    conv_value = np.round(rng.gamma(2.0, 400.0, conv_j.size), 2) + 1.0

    # Sparse, shuffled journey ids (CRM ids are not 0..J-1).
    ids = np.sort(rng.choice(n_j * 50, n_j, replace=False)).astype(np.int64) + 10_000_000
    ids = ids[rng.permutation(n_j)]

    names = _label_array("channel")
    src_names = _label_array("source")
    camp_names = _label_array("campaign")
    src = chan * _SOURCES_PER_CHANNEL + rng.integers(0, _SOURCES_PER_CHANNEL, n_touches)
    camp = rng.integers(0, _CAMPAIGNS, n_touches)

    if order == "time":
        perm = np.argsort(ts, kind="stable")
        c_perm = np.argsort(conv_time, kind="stable")
    else:
        perm = np.arange(n_touches)
        c_perm = np.arange(conv_j.size)
    return Touches(
        journey_id=ids[jidx[perm]],
        timestamp=ts[perm].astype("datetime64[us]"),
        channel=names[chan[perm]],
        source=src_names[src[perm]],
        campaign=camp_names[camp[perm]],
        conversion_journey_id=ids[conv_j[c_perm]],
        conversion_time=conv_time[c_perm].astype("datetime64[us]"),
        conversion_value=conv_value[c_perm],
        n_journeys=n_j,
    )


def parse_sizes(text: str) -> list[int]:
    """Parse ``"1e4,1e6,10000000"`` into touch counts.

    Examples
    --------
    >>> parse_sizes("1e4, 2e5")
    [10000, 200000]
    """
    out = []
    for part in text.split(","):
        part = part.strip()
        if part:
            value = float(part)
            if value < 1 or value != int(value):
                raise ValueError(f"size must be a positive whole number, got {part!r}")
            out.append(int(value))
    return out
