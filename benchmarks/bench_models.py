"""Benchmark the positional and time-decay models on 10M touches / 1M journeys.

Run: ``python benchmarks/bench_models.py`` (``--touches``/``--journeys`` to scale,
``--repeat``).

The JourneySet is built once, directly from seeded numpy arrays (sorted touches,
int32 label codes, one conversion per journey an hour after its last touch, with
lead/opportunity/closed milestones, some missing), so only the models are timed. Each
model's ``weights`` runs once to warm the caches the JourneySet keeps (the pairs), then
the best of ``--repeat`` runs is reported as touches/s, next to a plain numpy pass
measured in the same run: ``np.bincount(touch_journey, weights=x)`` over the same
10M-touch arrays. Targets (DESIGN.md section 4): positional >= 100M touches/s, time
decay >= 50M touches/s.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from touchcredit.core.dimension import Dimension
from touchcredit.core.store import JourneySet
from touchcredit.models import get

MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "position",
    "j_shaped",
    "inverse_j",
    "w_shaped",
    "full_path",
    "time_decay",
)
TARGETS = {"time_decay": 50e6}
HOUR_US = 3_600_000_000


def make_journeys(n_touches: int, n_journeys: int, seed: int = 0) -> JourneySet:
    """A JourneySet of about ``n_touches`` touches over ``n_journeys`` journeys."""
    rng = np.random.default_rng(seed)
    mean = n_touches / n_journeys
    lengths = rng.integers(1, max(2, int(2 * mean)), n_journeys)
    lengths = np.maximum(1, np.round(lengths * (n_touches / lengths.sum()))).astype(np.int64)
    offsets = np.zeros(n_journeys + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    n = int(offsets[-1])
    gaps = rng.integers(1, 14 * 24, n, dtype=np.int64) * HOUR_US
    gaps[offsets[:-1]] = rng.integers(0, 365 * 24, n_journeys) * HOUR_US
    ts = np.cumsum(gaps)  # sorted inside every journey (and globally)
    ts -= np.repeat(ts[offsets[:-1]] - gaps[offsets[:-1]], lengths)
    ts += 1_700_000_000_000_000
    timestamp = ts.astype("datetime64[us]")
    channels = ("direct", "paid search", "seo", "email", "social", "display", "referral")
    codes = rng.integers(0, len(channels), n).astype(np.int32)
    dim = Dimension(codes, channels)
    last = ts[offsets[1:] - 1]
    conv_t = last + HOUR_US
    first = ts[offsets[:-1]]
    lead = first + (conv_t - first) // 3
    opp = first + 2 * (conv_t - first) // 3
    nat = np.datetime64("NaT", "us")
    opp_t = opp.astype("datetime64[us]")
    opp_t[rng.random(n_journeys) < 0.3] = nat
    return JourneySet(
        journey_ids=np.arange(n_journeys, dtype=np.int64),
        offsets=offsets,
        timestamp=timestamp,
        source=dim,
        channel=dim,
        campaign=Dimension(np.full(n, -1, dtype=np.int32), ()),
        method=Dimension(np.full(n, -1, dtype=np.int32), ()),
        touch_row=np.arange(n, dtype=np.int64),
        conversion_journey=np.arange(n_journeys, dtype=np.int64),
        conversion_time=conv_t.astype("datetime64[us]"),
        conversion_value=rng.gamma(2.0, 500.0, n_journeys),
        lead_created_at=lead.astype("datetime64[us]"),
        opportunity_created_at=opp_t,
        closed_at=conv_t.astype("datetime64[us]"),
        conversion_row=np.arange(n_journeys, dtype=np.int64),
    )


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--touches", type=int, default=10_000_000)
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    js = make_journeys(args.touches, args.journeys)
    n = js.n_touches
    print(f"built {n:,} touches / {js.n_journeys:,} journeys in {time.perf_counter() - t0:.1f} s")
    x = np.ones(n, dtype=np.float64)
    tj = js.touch_journey
    base = best_of(lambda: np.bincount(tj, weights=x, minlength=js.n_journeys), args.repeat)
    print(
        f"{'numpy bincount (baseline)':<28} {base * 1e3:8.1f} ms {n / base / 1e6:9.1f} M touches/s"
    )
    print(f"{'model':<28} {'time':>11} {'touches/s':>18} {'x baseline':>11} {'target':>8}")
    for name in MODELS:
        model = get(name)
        model.weights(js)  # warm: pairs are cached on the JourneySet
        t = best_of(lambda m=model: m.weights(js), args.repeat)  # type: ignore[misc]
        target = TARGETS.get(name, 100e6)
        rate = n / t
        ok = "ok" if rate >= target else "MISS"
        print(
            f"{name:<28} {t * 1e3:8.1f} ms {rate / 1e6:9.1f} M touches/s {t / base:10.1f}x"
            f" {target / 1e6:5.0f}M {ok}"
        )


if __name__ == "__main__":
    main()
