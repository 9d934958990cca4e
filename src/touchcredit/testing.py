"""A conformance check for attribution models, for this package and for yours.

:func:`check_model` runs a model on seeded random journey sets (plain numpy, no
hypothesis needed) and raises ``AssertionError`` naming the first broken rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.attribution.results import attribute
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel

__all__ = ["check_model", "journeys_from_paths", "random_journeys", "random_paths"]

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

    Journey ``j`` gets its touches at times 0, 1, 2, ... (microseconds) in path order
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
        **kwargs,
    )


def random_paths(seed: int, n_journeys: int = 400, n_channels: int = 5) -> JourneySet:
    """Random channel paths of 1 to 6 touches over channels ``c0``, ``c1``, ...

    Touches are at times 0, 1, ...; about 40 % of journeys convert once, at their
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
    )


def _arrays(js: JourneySet) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("offsets", "timestamp", "touch_row", "conversion_journey", "conversion_time"):
        out[name] = np.array(getattr(js, name), copy=True)
    for name in ("conversion_value", "lead_created_at", "opportunity_created_at", "closed_at"):
        out[name] = np.array(getattr(js, name), copy=True)
    for name in ("source", "channel", "campaign", "method"):
        out[name] = np.array(getattr(js, name).codes, copy=True)
    return out


def _shuffled(js: JourneySet, seed: int) -> tuple[JourneySet, npt.NDArray[np.int64]]:
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


def check_model(model: AttributionModel, *, seeds: int = 5, rtol: float = 1e-9) -> None:
    """Check that ``model`` keeps the attribution contract; raise AssertionError if not.

    On ``seeds`` seeded random journey sets (see :func:`random_journeys`) it checks:

    - one weight per pair; weights finite and >= 0;
    - each conversion's weights sum to 1 (conversions with at least one pair);
    - credit + unattributed = total conversion value (relative ``rtol``);
    - the credit of every touch does not depend on the input row order (journeys
      with distinct touch times, rows shuffled and rebuilt);
    - the inputs (journeys and the model's parameters) are not mutated;
    - the same input gives the same output.

    A data-driven model is cloned and fitted on each journey set.

    Parameters
    ----------
    model : AttributionModel
        An instance of the model class to check.
    seeds : int
        Number of random journey sets.
    rtol : float
        Relative tolerance of the value accounting.

    Raises
    ------
    AssertionError
        Naming the rule, the seed and the model.

    Examples
    --------
    >>> from touchcredit.models import get
    >>> check_model(get("linear"))
    """
    params = repr(model.get_params())
    for seed in range(seeds):
        for unique in (False, True):
            js = random_journeys(seed, unique_times=unique)
            _check_one(model.clone(), js, seed, unique, rtol)
    if repr(model.get_params()) != params:
        raise AssertionError(f"{model!r}: check_model changed the model's parameters")


def _check_one(
    model: AttributionModel, js: JourneySet, seed: int, unique: bool, rtol: float
) -> None:
    where = f"{model!r} on random_journeys({seed}, unique_times={unique})"
    before = _arrays(js)
    if model.learns_from_data:
        model.fit(js)
    pairs = model.pairs(js)
    w = np.asarray(model.weights(js))
    if w.shape != (pairs.size,):
        raise AssertionError(f"{where}: {w.shape} weights for {pairs.size} pairs")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise AssertionError(f"{where}: weights must be finite and >= 0")
    nonempty = pairs.length > 0
    if w.size:
        sums = np.add.reduceat(w, pairs.offsets[:-1][nonempty])
        if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
            raise AssertionError(f"{where}: weights do not sum to 1 per conversion: {sums}")
    att = attribute(js, model, fit=False)
    total = js.total_value
    got = float(att.touch_credit.sum()) + att.unattributed.value
    if abs(got - total) > rtol * max(abs(total), 1.0):
        raise AssertionError(f"{where}: credit + unattributed = {got!r}, total {total!r}")
    if (att.touch_credit < 0).any():
        raise AssertionError(f"{where}: negative credit")
    again = attribute(js, model, fit=False)
    if not np.array_equal(again.touch_credit, att.touch_credit):
        raise AssertionError(f"{where}: same input gave a different output")
    after = _arrays(js)
    for name, arr in before.items():
        a, b = (x.view(np.int64) if x.dtype.kind == "M" else x for x in (arr, after[name]))
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            raise AssertionError(f"{where}: the journeys' {name!r} array was mutated")
    if unique:
        shuffled, new_index = _shuffled(js, seed + 1000)
        other = model.clone()
        if other.learns_from_data:
            other.fit(shuffled)
        credit = attribute(shuffled, other, fit=False).touch_credit[new_index]
        if not np.allclose(credit, att.touch_credit, rtol=1e-9, atol=1e-9):
            raise AssertionError(f"{where}: credit depends on the input row order")
