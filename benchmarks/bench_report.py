"""Time to build the HTML report on about 1M touches.

Run: ``python benchmarks/bench_report.py`` (``--touches`` to scale, ``--bootstrap N`` to
add credit intervals). Seeded synthetic journeys (1 to 7 touches, 10 channels, 30
sources, ~8% converting with a won-deal value); the report compares the default models
(first touch, last touch, linear, Markov) by channel and by source, with top paths and
time to convert, and is written to a temporary file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import touchcredit as tc

DAY_US = 86_400_000_000
CHANNELS = ("paid search", "paid social", "email", "organic search", "direct", "referral",
            "events", "content", "outbound", "marketplace")  # fmt: skip


def make_journeys(n_touches: int, seed: int = 0) -> tc.JourneySet:
    """Seeded journeys with about ``n_touches`` touches."""
    rng = np.random.default_rng(seed)
    n_j = max(n_touches // 4, 1)
    lengths = rng.integers(1, 8, n_j)
    n_t = int(lengths.sum())
    start = rng.integers(0, 300, n_j) * DAY_US
    ts = np.repeat(start, lengths) + rng.integers(0, 60 * DAY_US, n_t)
    channels = np.array(CHANNELS, dtype=object)
    sources = np.array([f"source {i:02d}" for i in range(30)], dtype=object)
    converting = np.flatnonzero(rng.random(n_j) < 0.08)
    return tc.JourneySet.from_arrays(
        journey_id=np.repeat(np.arange(n_j), lengths),
        timestamp=ts.astype("datetime64[us]"),
        channel=channels[rng.integers(0, len(CHANNELS), n_t)],
        source=sources[rng.integers(0, 30, n_t)],
        conversion_journey_id=converting,
        conversion_time=(start[converting] + 70 * DAY_US).astype("datetime64[us]"),
        conversion_value=rng.integers(1, 50, converting.size) * 100.0,
        target="revenue",
        currency="USD",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touches", type=float, default=1e6)
    parser.add_argument("--bootstrap", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    js = make_journeys(int(args.touches))
    t1 = time.perf_counter()
    report = tc.Report(js, bootstrap=args.bootstrap, progress=False)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = report.save(Path(tmp) / "report.html")
        t3 = time.perf_counter()
        size = path.stat().st_size
    print(f"{js.n_touches:,} touches, {js.n_journeys:,} journeys, {js.n_conversions:,} conversions")
    print(f"JourneySet.from_arrays   {t1 - t0:6.2f} s")
    print(f"Report (sections)        {t2 - t1:6.2f} s  (bootstrap={args.bootstrap})")
    print(f"render + save            {t3 - t2:6.2f} s  ({size / 1e3:,.0f} kB)")
    print(f"report total             {t3 - t1:6.2f} s")


if __name__ == "__main__":
    main()
