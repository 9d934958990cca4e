"""Benchmark how-journeys-convert at 10M touches / 1M journeys (one conversion each).

Run: ``python benchmarks/bench_paths.py`` (``--touches``/``--journeys`` to scale,
``--repeat``).

Times :func:`touchcredit.paths.assisted`, :func:`~touchcredit.paths.path_lengths`,
:func:`~touchcredit.paths.time_lags`, ``Attribution.by("channel", period="month")`` and
``Comparison.change()`` on the JourneySet of ``bench_models.py`` (seven channels, one
conversion an hour after each journey's last touch). The eligible pairs are computed
once first (every model and every measure shares them; a user's first call pays for
them once, shown as "pairs (first call)"), then each step is the best of ``--repeat``
runs, quoted as a ratio to one weighted ``np.bincount`` over the touches' ``intp``
label codes measured in the same run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench_models import best_of, make_journeys
from touchcredit import attribute, compare
from touchcredit.paths import assisted, path_lengths, time_lags


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
    codes = js.channel.codes.astype(np.intp)
    x = np.ones(n, dtype=np.float64)
    k = len(js.channel.categories)
    base = best_of(lambda: np.bincount(codes, weights=x, minlength=k), args.repeat)
    print(f"{'np.bincount(intp codes, weights)':<34} {base * 1e3:8.1f} ms   1.0x (baseline)")
    t0 = time.perf_counter()
    js.pairs()
    print(f"{'pairs (first call)':<34} {(time.perf_counter() - t0) * 1e3:8.1f} ms")
    att = attribute(js, "linear")
    cmp = compare(js, ["last_touch", "first_touch", "linear"])
    steps = {
        "assisted(by='channel')": lambda: assisted(js),
        "path_lengths()": lambda: path_lengths(js),
        "time_lags()": lambda: time_lags(js),
        "by('channel', period='month')": lambda: att.by("channel", period="month"),
        "Comparison.change()": cmp.change,
    }
    for name, fn in steps.items():
        t = best_of(fn, args.repeat)
        print(f"{name:<34} {t * 1e3:8.1f} ms {t / base:5.1f}x")


if __name__ == "__main__":
    main()
