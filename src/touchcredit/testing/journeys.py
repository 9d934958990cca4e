"""Journey sets for tests: random ones that hit the edge cases, and ones from paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.store import JourneySet

__all__ = ["journeys_from_paths", "random_journeys", "random_paths", "shuffled"]

_DAY_US = 86_400_000_000


def random_journeys(
    seed: int = 0, n_journeys: int = 40, *, unique_times: bool = False
) -> JourneySet:
    """A small random JourneySet exercising the edge cases models must handle.

    Journeys of 0 to 8 touches (some without conversions, some with several),
    repeated channels, unrecorded labels, ties in time (unless ``unique_times``),
    touches after the conversion and milestones that are missing or coincide.

    Parameters
    ----------
    seed : int
        Seed of the numpy generator.
    n_journeys : int
        Number of journeys.
    unique_times : bool
        Give every touch a distinct time (so row order cannot matter at all).

    Returns
    -------
    JourneySet

    Examples
    --------
    >>> js = random_journeys(1)
    >>> js.n_journeys <= 40 and js.n_conversions > 0
    True
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 9, n_journeys)
    n = int(lengths.sum())
    jid = np.repeat(np.arange(n_journeys), lengths)
    if unique_times:
        ts = rng.permutation(n) * (_DAY_US // 3) + rng.integers(0, 1000, n)
    else:
        ts = rng.integers(0, 30, n) * _DAY_US
    channels = np.array(["direct", "seo", "email", "paid", "social"], dtype=object)
    channel = channels[rng.integers(0, 5, n)]
    channel[rng.random(n) < 0.05] = None
    sources = np.array(["google", "newsletter", "partner", None], dtype=object)
    source = sources[rng.integers(0, 4, n)]
    n_conv = max(1, n_journeys * 3 // 4)
    cj = rng.integers(0, n_journeys, n_conv)
    if unique_times:
        ct = rng.integers(0, max(n, 1), n_conv) * (_DAY_US // 3) + 500
    else:
        ct = rng.integers(0, 35, n_conv) * _DAY_US
    value = np.round(rng.exponential(100.0, n_conv), 2)
    lead = ct - rng.integers(0, 20, n_conv) * _DAY_US
    later = np.maximum(lead, ct - rng.integers(0, 5, n_conv) * _DAY_US)
    opp = np.where(rng.random(n_conv) < 0.5, lead, later)
    closed = ct.copy()

    def times(a: npt.NDArray[np.int64], p_missing: float) -> npt.NDArray[np.datetime64]:
        out = a.astype("datetime64[us]")
        out[rng.random(a.size) < p_missing] = np.datetime64("NaT")
        return out

    return JourneySet.from_arrays(
        journey_id=jid,
        timestamp=ts.astype("datetime64[us]"),
        channel=channel,
        source=source,
        conversion_journey_id=cj,
        conversion_time=ct.astype("datetime64[us]"),
        conversion_value=value,
        lead_created_at=times(lead, 0.1),
        opportunity_created_at=times(opp, 0.3),
        closed_at=times(closed, 0.3),
    )


def journeys_from_paths(
    paths: Sequence[tuple[Sequence[str | None], int]], **kwargs: Any
) -> JourneySet:
    """A JourneySet with one journey per ``(channel path, number of conversions)``.

    Journey ``j`` gets its touches at times 0, 1, 2, ... (epoch seconds) in path order
    and ``n`` conversions at the time of its last touch (``n = 0`` makes a journey
    that did not convert). Handy for hand-computed examples of path-based models.

    Parameters
    ----------
    paths : sequence of (sequence of str or None, int)
        Each journey's channels in order, and its number of conversions.
    **kwargs
        Passed on to :meth:`JourneySet.from_arrays` (for example
        ``conversion_value``).

    Returns
    -------
    JourneySet

    Examples
    --------
    >>> js = journeys_from_paths([(["seo", "email"], 1), (["paid"], 0)])
    >>> js.n_journeys, js.n_touches, js.n_conversions
    (2, 3, 1)
    """
    jid: list[int] = []
    ts: list[int] = []
    ch: list[str | None] = []
    cj: list[int] = []
    ct: list[int] = []
    for j, (path, n_conv) in enumerate(paths):
        jid += [j] * len(path)
        ts += list(range(len(path)))
        ch += path
        cj += [j] * n_conv
        ct += [len(path) - 1] * n_conv
    return JourneySet.from_arrays(
        journey_id=jid,
        timestamp=ts,
        channel=ch,
        conversion_journey_id=cj,
        conversion_time=ct,
        **{"unit": "s", **kwargs},
    )


def random_paths(seed: int, n_journeys: int = 400, n_channels: int = 5) -> JourneySet:
    """Random channel paths of 1 to 6 touches over channels ``c0``, ``c1``, ...

    Touches are at times 0, 1, ... (epoch seconds); about 40 % of journeys convert once, at their
    last touch, with a value between 1 and 100. Data-driven models (Markov,
    Shapley) need this many journeys to learn something.

    Parameters
    ----------
    seed : int
        Seed of the numpy generator.
    n_journeys : int
        Number of journeys.
    n_channels : int
        Number of distinct channels.

    Returns
    -------
    JourneySet

    Examples
    --------
    >>> js = random_paths(0, n_journeys=50, n_channels=3)
    >>> js.n_journeys, sorted(set(js.channel.labels()))
    (50, ['c0', 'c1', 'c2'])
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 7, n_journeys)
    jid = np.repeat(np.arange(n_journeys), lengths)
    ts = np.concatenate([np.arange(k) for k in lengths])
    names = np.array([f"c{k}" for k in range(n_channels)], dtype=object)
    ch = names[rng.integers(0, n_channels, jid.size)]
    conv = np.flatnonzero(rng.random(n_journeys) < 0.4)
    return JourneySet.from_arrays(
        journey_id=jid,
        timestamp=ts,
        channel=ch,
        conversion_journey_id=conv,
        conversion_time=lengths[conv] - 1,
        conversion_value=rng.uniform(1, 100, conv.size).round(2),
        unit="s",
    )


def shuffled(js: JourneySet, seed: int) -> tuple[JourneySet, npt.NDArray[np.int64]]:
    """The same data given in another row order, and each original touch's new index."""
    rng = np.random.default_rng(seed)
    n = js.n_touches
    perm = rng.permutation(n)
    jid = js.journey_ids[js.touch_journey]
    cperm = rng.permutation(js.n_conversions)
    shuffled = JourneySet.from_arrays(
        journey_id=jid[perm],
        timestamp=js.timestamp[perm],
        channel=js.channel.labels()[perm],
        source=js.source.labels()[perm],
        campaign=js.campaign.labels()[perm],
        method=js.method.labels()[perm],
        conversion_journey_id=js.journey_ids[js.conversion_journey][cperm],
        conversion_time=js.conversion_time[cperm],
        conversion_value=js.conversion_value[cperm],
        lead_created_at=js.lead_created_at[cperm],
        opportunity_created_at=js.opportunity_created_at[cperm],
        closed_at=js.closed_at[cperm],
    )
    # touch i of js was input row perm^-1[i] of the shuffled input
    inv = np.empty(n, dtype=np.int64)
    inv[perm] = np.arange(n)
    where = np.empty(n, dtype=np.int64)
    where[shuffled.touch_row] = np.arange(n)
    return shuffled, where[inv]
